"""Time per step of `derive verify`, this tree against another checkout of the project, interleaved.

Each claim of `bench_verify.CLAIMS` is verified in two long-lived worker processes, one importing this
tree's `derive` and one importing the baseline's, in alternating order round by round, so that the
machine's load falls on both alike.  Reported per claim: the median seconds of each side and their ratio
(issue 8: no step slower than before by more than 1.5x).

    git worktree add /tmp/base 85a8d8e   # the commit to compare against
    python benchmarks/bench_verify_steps.py --baseline /tmp/base [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench_verify import CLAIMS

WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from backprop_derive.verify import verify_text
for line in sys.stdin:
    claim = json.loads(line)
    start = time.perf_counter()
    report = verify_text("$$" + claim + "$$")
    seconds = time.perf_counter() - start
    print(json.dumps([seconds, [s.verdict for c in report.chains for s in c.steps]]), flush=True)
"""


def worker(tree: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, str(tree)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=tree)


def ask(process: subprocess.Popen, claim: str) -> tuple[float, list[str]]:
    process.stdin.write(json.dumps(claim) + "\n")
    process.stdin.flush()
    return tuple(json.loads(process.stdout.readline()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the commit to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent
    sides = {"new": worker(here), "old": worker(args.baseline.resolve())}
    times: dict[str, dict[str, list[float]]] = {c: {"new": [], "old": []} for c in CLAIMS}
    verdicts: dict[str, dict[str, list[str]]] = {c: {} for c in CLAIMS}
    for claim in CLAIMS:  # warm both (imports, caches)
        for name, process in sides.items():
            verdicts[claim][name] = ask(process, claim)[1]
    for n in range(args.rounds):
        order = ("new", "old") if n % 2 == 0 else ("old", "new")
        for claim in CLAIMS:
            for name in order:
                times[claim][name].append(ask(sides[name], claim)[0])
    for process in sides.values():
        process.stdin.close()
        process.wait()
    print(f"{'old s':>7} {'new s':>7} {'new/old':>7}  verdicts (old -> new)  claim")
    ratios = []
    for claim in CLAIMS:
        old, new = (statistics.median(times[claim][k]) for k in ("old", "new"))
        ratios.append(new / old)
        change = "" if verdicts[claim]["old"] == verdicts[claim]["new"] else f"{verdicts[claim]['old']} -> "
        print(f"{old:7.3f} {new:7.3f} {new / old:7.2f}  {change}{verdicts[claim]['new']}  {claim[:60]}")
    print(f"median ratio {statistics.median(ratios):.2f}, largest {max(ratios):.2f} "
          f"(target: no step slower than 1.5x)")


if __name__ == "__main__":
    main()
