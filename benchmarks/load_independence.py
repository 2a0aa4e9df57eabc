"""Verdicts do not depend on the machine's load: the real-world corpus verified alone, then under load.

Every transcription of ``tests/corpus/real`` (``NAME.md``, not ``NAME.wrong.md``) is verified by its own
``derive verify FILE --json --quiet`` process, first one file at a time on an otherwise quiet machine,
then again with ``--jobs`` files at once (4) while CPU hogs (``--hogs``, one per core by default: busy
loops in subprocesses that stop themselves after ``--hog-seconds``) compete for every core.  Each step
is bounded by its CPU time (:mod:`backprop_derive.verify.worker`), so the two runs must give every step the same
verdict; the script prints each difference and exits 1 if there is one, 0 otherwise.  A step whose
method changed (a proof in one run, numbers only in the other) is listed too, without failing.

    python benchmarks/load_independence.py [--jobs 4] [--hogs N] [--timeout S] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "real"

#: A bounded busy loop: it stops itself after argv[1] seconds even if this script dies.
HOG = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    pass\n"


def transcriptions(only: list[str]) -> list[Path]:
    """The corpus' transcriptions: ``NAME.md`` beside its ``NAME.wrong.md`` (not SOURCES.md, not the wrong ones)."""
    files = sorted(p for p in CORPUS.glob("*.md") if not p.name.endswith(".wrong.md")
                   and (CORPUS / f"{p.stem}.wrong.md").exists())
    return [p for p in files if not only or p.stem in only]


def verdicts(path: Path, timeout: float) -> dict[str, tuple[str, str]]:
    """``line:chain-step -> (verdict, method)`` for every step of ``path``, from ``derive verify --json``."""
    command = [sys.executable, "-m", "backprop_derive", "verify", str(path), "--json", "--quiet",
               "--timeout", f"{timeout:g}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"(no report)": (f"exit {done.returncode}: {done.stderr.strip()[-200:]}", "")}
    found = {}
    for chain in report.get("chains", []):
        for number, step in enumerate(chain.get("steps", []), 1):
            key = f"line {chain.get('line')} step {number}: {step.get('lhs', '')[:40]} = {step.get('rhs', '')[:40]}"
            found[key] = (step.get("verdict", ""), step.get("method", ""))
    return found


def run_all(files: list[Path], timeout: float, jobs: int) -> tuple[dict[str, dict], float]:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = dict(zip((p.stem for p in files), pool.map(lambda p: verdicts(p, timeout), files), strict=True))
    return results, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4, help="files verified at once in the loaded run (4)")
    parser.add_argument("--hogs", type=int, default=os.cpu_count() or 2, help="CPU hogs beside them (one per core)")
    parser.add_argument("--hog-seconds", type=float, default=1800.0,
                        help="a hog stops itself after this long (it is also stopped when the loaded run ends)")
    parser.add_argument("--timeout", type=float, default=5.0, help="derive verify --timeout (CPU seconds per step)")
    parser.add_argument("--only", nargs="*", default=[], help="only these transcriptions (NAME without .md)")
    args = parser.parse_args()
    files = transcriptions(args.only)
    print(f"{len(files)} transcriptions of {CORPUS.relative_to(ROOT)}; --timeout {args.timeout:g} s of CPU time")

    quiet, quiet_seconds = run_all(files, args.timeout, 1)
    print(f"serial, no hog: {quiet_seconds:.0f} s (load average {os.getloadavg()[0]:.1f})", flush=True)

    hogs = [subprocess.Popen([sys.executable, "-c", HOG, f"{args.hog_seconds:g}"]) for _ in range(args.hogs)]
    try:
        loaded, loaded_seconds = run_all(files, args.timeout, args.jobs)
        load = os.getloadavg()[0]
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    print(f"{args.jobs} at once beside {args.hogs} CPU hog(s): {loaded_seconds:.0f} s (load average {load:.1f})")

    steps = differ = methods = 0
    for name in quiet:
        for key in sorted(set(quiet[name]) | set(loaded[name])):
            steps += 1
            a, b = quiet[name].get(key, ("(missing)", "")), loaded[name].get(key, ("(missing)", ""))
            if a[0] != b[0]:
                differ += 1
                print(f"DIFFERENT  {name} {key}: alone {a[0]} ({a[1]}), under load {b[0]} ({b[1]})")
            elif a[1] != b[1]:
                methods += 1
                print(f"method     {name} {key}: {a[0]} by {a[1]} alone, by {b[1]} under load")
    counts = {}
    for found in quiet.values():
        for verdict, _ in found.values():
            counts[verdict] = counts.get(verdict, 0) + 1
    print(f"{steps} steps ({', '.join(f'{n} {v}' for v, n in sorted(counts.items()))}); "
          f"{differ} verdict(s) differ, {methods} method(s) differ")
    print("IDENTICAL: every verdict the same alone and under load" if not differ else "NOT IDENTICAL")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
