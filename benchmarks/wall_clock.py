"""Wall-clock time of a whole process, as the benchmarks measure ``derive`` commands."""

from __future__ import annotations

import statistics
import subprocess
import time


def wall(argv: list[str], repeat: int = 1, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    """The median seconds of ``repeat`` runs of ``argv`` (output captured as text), and the last run.

    ``check``: a non-zero exit raises (pass False for a command whose exit code is part of the result).
    """
    times, done = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(argv, check=check, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), done
