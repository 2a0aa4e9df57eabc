"""A class at once: files per second for a folder of small files -- `derive verify DIR` serial, with `-j N`,
and `pytest --derivations DIR -n N`.

The folder holds copies of small real derivations (``tests/corpus/real/*.md``, right and wrong ones):
the smallest corpus files, each checked once first, and those that take under ``--under`` seconds
alone are copied round-robin into ``--files`` files, each copy made distinct by a comment (the plugin
keeps a file's report per text: identical copies would be free).  Each command is one process started from the
shell, as a teacher would run it (start-up included).  The serial and the parallel ``derive verify``
must give every file the same exit code (``--summary`` CSVs compared).  Wall time on a shared machine:
other load shows in the figures; the three runs are taken once each, one after the other.

    python benchmarks/bench_class.py [--files 200] [--jobs 2] [--sources 16] [--under 2]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "real"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def sources(count: int, under: float) -> list[Path]:
    """The ``count`` smallest corpus files, less those that take ``under`` seconds or more alone."""
    sys.path.insert(0, str(ROOT))
    from backprop_derive.verify.batch import verify_file

    kept = []
    for path in sorted(CORPUS.glob("*.md"), key=lambda p: p.stat().st_size)[:count]:
        start = time.perf_counter()
        verify_file(str(path))
        if time.perf_counter() - start < under:
            kept.append(path)
    return kept


def write_class(folder: Path, files: int, taken: list[Path]) -> None:
    folder.mkdir()
    for n in range(files):
        source = taken[n % len(taken)]
        # each copy made distinct (a comment), so no per-text cache (the plugin's) makes a copy free
        text = source.read_text(encoding="utf-8") + f"\n<!-- student {n} -->\n"
        (folder / f"student{n:03d}-{source.name}").write_text(text, encoding="utf-8")


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    return time.perf_counter() - start, done


def exits(summary: Path) -> dict[str, str]:
    with summary.open(encoding="utf-8") as handle:
        return {row["file"]: row["exit"] for row in csv.DictReader(handle)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sources", type=int, default=16, help="how many of the smallest corpus files to try")
    parser.add_argument("--under", type=float, default=2.0, help="keep a source only if it takes under S seconds")
    args = parser.parse_args()
    taken = sources(args.sources, args.under)
    print(f"{len(taken)} source file(s): {', '.join(p.name for p in taken)}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = work / "class"
        write_class(folder, args.files, taken)
        derive = [sys.executable, "-m", "backprop_derive", "verify", str(folder), "--quiet"]
        runs = {
            "derive verify DIR (serial)": [*derive, "--summary", str(work / "serial.csv")],
            f"derive verify DIR -j {args.jobs}": [*derive, "-j", str(args.jobs), "--summary", str(work / "jobs.csv")],
            f"pytest --derivations DIR -n {args.jobs}": [
                sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(work),
                "--derivations", str(folder), "-n", str(args.jobs), "--junitxml", str(work / "pytest.xml")],
        }
        figures = {}
        for name, command in runs.items():
            seconds, done = timed(command, work)
            figures[name] = seconds
            last = (done.stdout.strip().splitlines() or [""])[-1]
            print(f"{name:40s} {seconds:7.1f} s  {args.files / seconds:6.2f} files/s  (exit {done.returncode}; "
                  f"{last[:90]})", flush=True)
        same = exits(work / "serial.csv") == exits(work / "jobs.csv")
        print(f"serial and -j {args.jobs} give every file the same exit code: {same}")
        serial = figures["derive verify DIR (serial)"]
        for name, seconds in figures.items():
            print(f"  {name}: {serial / seconds:.2f}x the serial rate")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
