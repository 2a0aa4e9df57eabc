"""Time per step of `derive verify` on the corpus of real derivations (issue 9: median under 0.3 s).

Each file of `tests/corpus/real/` (the transcriptions, not the one-mistake copies) is verified
in-process; a step's time is its chain's time over its steps (steps run one after another, each in a
child process).  Reported: the median and the 90th percentile per step, and the total.  Steps that
cannot be read yet are answered at once, so the median flatters: the 90th percentile is the figure
to watch.  (Definitions in prose are not put in here; `derive verify FILE` does.)

    python benchmarks/bench_corpus.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from backprop_derive.verify.check import verify_chain
from backprop_derive.verify.document import read_document

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "real"


def main() -> None:
    per_step, total, steps = [], 0.0, 0
    for path in sorted(CORPUS.glob("*.md")):
        if path.name.endswith(".wrong.md") or path.name == "SOURCES.md":
            continue
        definitions: list = []
        for chain in read_document(path.read_text(encoding="utf-8")).chains:
            start = time.perf_counter()
            verdict = verify_chain(chain, definitions=definitions)
            seconds = time.perf_counter() - start
            total += seconds
            steps += len(verdict.steps)
            per_step += [seconds / len(verdict.steps)] * len(verdict.steps)
    per_step.sort()
    ninetieth = per_step[int(0.9 * (len(per_step) - 1))]
    print(f"{steps} steps in {total:.1f} s: median {statistics.median(per_step):.3f} s per step, "
          f"90th percentile {ninetieth:.3f} s (target: median under 0.3 s)")


if __name__ == "__main__":
    main()
