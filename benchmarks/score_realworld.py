"""Score `derive verify --json` on an independently transcribed corpus with its own scorer.

The corpus (a folder passed as CORPUS_DIR, not part of this repository: for example 29 public sources
transcribed by someone outside the project) holds ``NAME.md``, ``NAME.expected.json``, ``manifest.json`` and
``checker/score_flat.py``.  Each file is verified in its own ``derive verify FILE --json`` process,
one at a time (so the machine's load stays that of one process), and the corpus' own scorer is run
on the outputs.  Nothing of the project decides a category: the scorer is the corpus'.

    python benchmarks/score_realworld.py CORPUS_DIR OUT_DIR [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def verify_all(corpus: Path, out: Path, only: list[str]) -> None:
    """Write ``OUT/NAME.json`` for every file the manifest names (or only those given)."""
    names = sorted(json.loads((corpus / "manifest.json").read_text()))
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        if only and name not in only:
            continue
        argv = [sys.executable, "-m", "backprop_derive", "verify", str(corpus / f"{name}.md"), "--json", "--quiet"]
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        (out / f"{name}.json").write_text(result.stdout or "{}")
        if result.returncode == 2 or not result.stdout:
            print(f"{name}: exit {result.returncode}: {result.stderr.strip()[:200]}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--rows", type=Path, help="also write every scored step as JSON here")
    args = parser.parse_args()
    verify_all(args.corpus, args.out, args.only)
    command = [sys.executable, str(args.corpus / "checker" / "score_flat.py"), str(args.corpus), str(args.out)]
    if args.rows:
        command += ["--rows", str(args.rows)]
    subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
