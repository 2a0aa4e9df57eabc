"""Time per matrix claim of `derive verify` on the note's network (70 → 10 → 10 → 3; issue 10: under 1 s).

The claims are the steps of tests/data/matrix-note.md (the note's matrix half, written cleanly, with
its shapes and definitions; right and wrong claims), each decided as `derive verify` decides it, in a
child process (:func:`backprop_derive.verify.check.verify_text`; a chain's time is taken between its progress
calls).  Interleaved with them, after each chain, a scalar step (d/dx σ(x) = σ(x)(1 − σ(x))) is timed
the same way, so the figure that travels between machines is the ratio.  Reported: per claim the median
over the rounds, then the median and the largest over all claims, and the ratio to the scalar step.

    python benchmarks/bench_matrix.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from backprop_derive.verify.check import check_step, verify_text
from backprop_derive.verify.document import Side

NOTE = Path(__file__).resolve().parent.parent / "tests" / "data" / "matrix-note.md"
SCALAR = (Side(r"\frac{d}{dx} \sigma(x)", 1, 1), Side(r"\sigma(x)(1 - \sigma(x))", 1, 1))


def main(rounds: int = 3) -> None:
    text = NOTE.read_text(encoding="utf-8")
    times: dict[int, list[float]] = {}
    scalar: list[float] = []
    report = None
    for _ in range(rounds):
        last = [time.perf_counter()]

        def progress(done: int, total: int, last=last) -> None:
            times.setdefault(done - 1, []).append(time.perf_counter() - last[0])
            start = time.perf_counter()
            check_step(*SCALAR, ())
            scalar.append(time.perf_counter() - start)
            last[0] = time.perf_counter()

        report = verify_text(text, progress=progress)
    per_claim = []
    for n, chain in enumerate(report.chains):
        step = chain.steps[-1]
        if step.verdict == "definition":
            continue
        seconds = statistics.median(times[n])
        per_claim.append(seconds)
        method = "numeric" if step.method == "numeric" else step.method.split(":")[0]
        print(f"{seconds:6.3f} s  {step.verdict:9s} {method:9s} {' '.join(chain.source.split())[:90]}")
    base = statistics.median(scalar)
    median = statistics.median(per_claim)
    print(f"\n{len(per_claim)} matrix claims, {rounds} rounds: median {median:.3f} s per claim, largest "
          f"{max(per_claim):.3f} s (target: under 1 s); the scalar step {base:.3f} s; "
          f"matrix/scalar {median / base:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
