"""Independent check of the real-derivation corpus: plain SymPy + mpmath, no project code.

Every ``*.md`` file here (but SOURCES.md) has a hand-written encoding in ``entries_*.py``: each display block's
steps, written as SymPy expressions by hand (not parsed from the LaTeX). This script decides each claim
(simplify-to-zero and mpmath at 50 digits at random points), prints one row per step, and exits 1 when any
``<!-- expect: ... -->`` comment (or ``<!-- chains: N -->``) disagrees with the check, or when the files
and the encodings do not match block for block.

    python tests/corpus/real/independent.py          # table, exit status
    python tests/corpus/real/independent.py --json   # the same, as JSON
    (--serial: one process; by default the files are shared among two)
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import core  # noqa: E402
import entries_activations  # noqa: E402, F401
import entries_dense  # noqa: E402, F401
import entries_norm  # noqa: E402, F401
import entries_softmax  # noqa: E402, F401

EXPECT = re.compile(r"<!-- expect:(?P<v>[^>]*?)-->(?:\s*<!-- chains: (?P<c>\d+) -->)?")
BLOCK = re.compile(
    r"\$\$.*?\$\$"
    r"|^[ \t]*\\\[.*?\\\]"
    r"|\\begin\{(?P<env>align\*?|eqnarray\*?|equation\*?|gather\*?)\}.*?\\end\{(?P=env)\}",
    re.S | re.M,
)


def corpus_files() -> list[Path]:
    return sorted(p for p in HERE.glob("*.md") if p.name != "SOURCES.md")


def stem_of(path: Path) -> tuple[str, bool]:
    name = path.name[: -len(".md")]
    return (name[: -len(".wrong")], True) if name.endswith(".wrong") else (name, False)


def read_blocks(text: str) -> list[dict]:
    """Display blocks in order, each with the expect comment on the line just before it (or None)."""
    blocks = []
    masked = re.sub(r"<!--.*?-->", lambda c: re.sub(r"[^\n]", " ", c.group(0)), text, flags=re.S)
    for m in BLOCK.finditer(masked):
        before = text[: m.start()].rstrip(" \t")
        prev_line = before.rstrip("\n").rsplit("\n", 1)[-1] if before.endswith("\n") else ""
        e = EXPECT.search(prev_line)
        blocks.append(
            {
                "line": text[: m.start()].count("\n") + 1,
                "latex": text[m.start() : m.end()],
                "expect": e.group("v").split() if e else None,
                "chains": int(e.group("c")) if e and e.group("c") else 1,
            }
        )
    return blocks


def check_file(path: Path) -> dict:
    rng = random.Random(zlib.crc32(path.name.encode()))  # the same points whatever the order or process
    stem, wrong = stem_of(path)
    text = path.read_text(encoding="utf-8")
    result = {"file": path.name, "stem": stem, "wrong": wrong, "problems": [], "blocks": []}
    if stem not in core.REGISTRY:
        result["problems"].append("no entry in the script")
        return result
    encoded = core.REGISTRY[stem](wrong)
    written = read_blocks(text)
    if len(encoded) != len(written):
        result["problems"].append(f"{len(written)} display blocks in the file, {len(encoded)} encoded")
    for i, (blk, w) in enumerate(zip(encoded, written, strict=False)):
        verdicts = []
        for step in blk.steps:
            if step.kind == "definition":
                verdicts.append({"verdict": "definition", "proved": False, "diff": 0.0})
            else:
                v, proved, diff = core.decide(step, blk, rng)
                verdicts.append({"verdict": v, "proved": proved, "diff": diff})
        got = [v["verdict"] for v in verdicts]
        if w["expect"] is None:
            result["problems"].append(f"block {i + 1} (line {w['line']}) has no expect comment just before it")
        elif w["expect"] != got:
            result["problems"].append(f"block {i + 1} (line {w['line']}): expect {w['expect']}, check says {got}")
        if w["chains"] != blk.chains:
            result["problems"].append(f"block {i + 1} (line {w['line']}): chains {w['chains']}, encoded {blk.chains}")
        result["blocks"].append({"line": w["line"], "expect": w["expect"], "steps": verdicts, "chains": blk.chains})
    return result


def check_files(paths: list[Path]) -> list[dict]:
    return [check_file(p) for p in paths]


def main(argv: list[str]) -> int:
    pairs: dict[str, list[Path]] = {}
    for p in corpus_files():  # a transcription and its copy in one process: the copy reuses decided claims
        pairs.setdefault(stem_of(p)[0], []).append(p)
    workers = 1 if "--serial" in argv else min(2, os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = [r for rs in pool.map(check_files, pairs.values()) for r in rs]
    else:
        results = [r for ps in pairs.values() for r in check_files(ps)]
    files = {p.name for p in corpus_files()}
    missing = sorted(f"{s}.md" for s in core.REGISTRY if f"{s}.md" not in files or f"{s}.wrong.md" not in files)
    bad = [r for r in results if r["problems"]] or missing
    if "--json" in argv:
        print(json.dumps({"files": results, "entries_without_files": missing}, indent=1))
        return 1 if bad else 0
    counts: dict[str, int] = {}
    for r in results:
        for b in r["blocks"]:
            for k, s in enumerate(b["steps"]):
                counts[s["verdict"]] = counts.get(s["verdict"], 0) + 1
                mark = "proved" if s["proved"] else ("numeric" if s["verdict"] == "equal" else "")
                exp = b["expect"][k] if b["expect"] and k < len(b["expect"]) else "?"
                flag = "" if exp == s["verdict"] else "  <-- MISMATCH"
                print(f"{r['file']:<44} l{b['line']:<4} step {k + 1:<2} {s['verdict']:<11} {mark:<8}{flag}")
        for prob in r["problems"]:
            print(f"{r['file']}: {prob}")
    for m in missing:
        print(f"{m}: an entry without both files")
    print(f"{len(results)} files, " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
