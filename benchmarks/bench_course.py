"""A course's worth of files: `pytest --derivations DIR`, serial against `-n 2` (pytest-xdist).

Each student's file holds two claims of `bench_verify.CLAIMS` (true and false ones, across the
catalog), so every file costs about the same.  The two runs are taken in turns (serial, -n 2,
serial, ...) and the median of each is reported as files per second; the ratio is what `-n 2` buys
on this machine in this one run.  Both runs must give the same outcomes.

    python benchmarks/bench_course.py [--files 20] [--repeat 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_verify import CLAIMS
from wall_clock import wall


def write_course(folder: Path, files: int) -> None:
    folder.mkdir()
    for n in range(files):
        claims = [CLAIMS[(2 * n) % len(CLAIMS)], CLAIMS[(2 * n + 1) % len(CLAIMS)]]
        text = "\n\n".join(f"Step {k + 1}:\n\n$${claim}$$" for k, claim in enumerate(claims))
        (folder / f"student{n:03d}.md").write_text(text + "\n", encoding="utf-8")


def summary_line(stdout: str) -> str:
    """pytest's last line without its time: ``12 failed, 28 passed``."""
    last = stdout.strip().splitlines()[-1]
    return re.sub(r"\s+in [\d.]+s.*", "", last.strip("= "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_course(Path(tmp) / "course", args.files)
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", tmp,
                "--derivations", str(Path(tmp) / "course")]
        runs = {"serial": base, f"-n {args.workers}": [*base, "-n", str(args.workers)]}
        times: dict[str, list[float]] = {name: [] for name in runs}
        outcomes: dict[str, set[str]] = {name: set() for name in runs}
        for _ in range(args.repeat):
            for name, argv in runs.items():
                seconds, done = wall(argv, check=False)
                times[name].append(seconds)
                outcomes[name].add(summary_line(done.stdout))
    print(f"{args.files} files, {2 * args.files} chains; {time.strftime('%Y-%m-%d')}")
    print(f"{'run':<10} {'seconds':>8} {'files/s':>8}   outcome")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, seconds in medians.items():
        print(f"{name:<10} {seconds:8.2f} {args.files / seconds:8.2f}   {' | '.join(sorted(outcomes[name]))}")
    serial, parallel = medians.values()
    print(f"speed-up of -n {args.workers}: {serial / parallel:.2f}x; same outcomes: "
          f"{outcomes['serial'] == outcomes[f'-n {args.workers}']}")


if __name__ == "__main__":
    main()
