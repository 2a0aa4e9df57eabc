"""How long `derive show NAME` takes, whole process, for every catalog entry.

Target (issue 2): under 1 s each.  Times are medians of a few runs; the ratio to a bare
`python -c "import sympy"` in the same run says how much is our own work rather than start-up.

    python benchmarks/bench_show.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys

from wall_clock import wall

from backprop_derive.core.catalog import CATALOG


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    baseline, _ = wall([sys.executable, "-c", "import sympy"], args.repeat)
    print(f"{'entry':<14} {'seconds':>8} {'x import sympy':>15}")
    print(f"{'(import sympy)':<14} {baseline:8.3f} {1.0:15.2f}")
    worst = 0.0
    for name in CATALOG:
        seconds, _ = wall([sys.executable, "-m", "backprop_derive", "show", name], args.repeat)
        worst = max(worst, seconds)
        print(f"{name:<14} {seconds:8.3f} {seconds / baseline:15.2f}")
    print(f"slowest: {worst:.3f} s (target < 1 s): {'met' if worst < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
