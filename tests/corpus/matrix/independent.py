"""Independent check of the matrix-form corpus: numpy + HIPS autograd, no project code (no ``derive``/``checks``).

Every ``*.md`` here (but SOURCES.md) has a hand-written encoding in ``mentries_*.py`` (each display block's
steps as trees of :mod:`mexpr`, written by hand, not parsed from the LaTeX); every ``planted/<stem>.md`` is
``<stem>.md`` followed by the variants :mod:`planted` writes.  This script decides each claim at random sizes
and values (:mod:`mcheck`), diagnoses each wrong one, prints one row per step, and exits 1 when any
``<!-- expect: ... -->`` or ``<!-- diagnosis: ... -->`` comment disagrees with the check, or when a file and its
encoding do not match block for block.

    python tests/corpus/matrix/independent.py          # table, exit status
    python tests/corpus/matrix/independent.py --json   # the same, as JSON
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mcheck  # noqa: E402
import mentries_note  # noqa: E402, F401
import mentries_sources  # noqa: E402, F401
import planted  # noqa: E402

EXPECT = re.compile(r"<!-- expect:(?P<v>[^>]*?)-->")
DIAGNOSIS = re.compile(r"<!-- diagnosis:(?P<v>[^>]*?)-->")
BLOCK = re.compile(
    r"\$\$.*?\$\$"
    r"|^[ \t]*\\\[.*?\\\]"
    r"|\\begin\{(?P<env>align\*?|equation\*?|gather\*?)\}.*?\\end\{(?P=env)\}",
    re.S | re.M,
)


def corpus_files() -> list[Path]:
    return sorted(p for p in HERE.glob("*.md") if p.name != "SOURCES.md")


def planted_files() -> list[Path]:
    return sorted((HERE / "planted").glob("*.md"))


def stem_of(path: Path) -> tuple[str, bool]:
    name = path.name[: -len(".md")]
    return (name[: -len(".wrong")], True) if name.endswith(".wrong") else (name, False)


def read_blocks(text: str) -> list[dict]:
    """Display blocks in order, each with the expect and diagnosis comments on the comment lines just above it."""
    masked = re.sub(r"<!--.*?-->", lambda c: re.sub(r"[^\n]", " ", c.group(0)), text, flags=re.S)
    found = []
    for m in BLOCK.finditer(masked):
        above = text[: m.start()].rstrip(" \t").split("\n")[:-1]
        comments = []
        while above and above[-1].strip().startswith("<!--"):
            comments.append(above.pop())
        head = "\n".join(reversed(comments))
        e, dg = EXPECT.search(head), DIAGNOSIS.search(head)
        found.append({
            "line": text[: m.start()].count("\n") + 1,
            "latex": text[m.start() : m.end()],
            "expect": e.group("v").split() if e else None,
            "diagnosis": dg.group("v").split() if dg else [],
        })
    return found


def check_blocks(name: str, written: list[dict], encoded: list[list], model, ctxs) -> dict:
    result = {"file": name, "problems": [], "blocks": []}
    if len(encoded) != len(written):
        result["problems"].append(f"{len(written)} display blocks in the file, {len(encoded)} encoded")
    for i, (steps, w) in enumerate(zip(encoded, written, strict=False)):
        decisions = [mcheck.decide(s, model, ctxs) for s in steps]
        got = [d.verdict for d in decisions]
        kinds = [d.diagnosis for d in decisions if d.verdict == "not_equal"]
        where = f"block {i + 1} (line {w['line']})"
        if w["expect"] is None:
            result["problems"].append(f"{where} has no expect comment just above it")
        elif w["expect"] != got:
            result["problems"].append(f"{where}: expect {w['expect']}, check says {got}")
        if w["diagnosis"] != kinds:
            result["problems"].append(f"{where}: diagnosis {w['diagnosis']}, check says {kinds}")
        result["blocks"].append({
            "line": w["line"], "expect": w["expect"], "diagnosis": w["diagnosis"],
            "steps": [{"verdict": d.verdict, "reason": d.reason, "diagnosis": d.diagnosis} for d in decisions],
        })
    return result


def check_file(path: Path) -> dict:
    stem, wrong = stem_of(path)
    if stem not in mcheck.REGISTRY:
        return {"file": path.name, "problems": ["no encoding in the script"], "blocks": []}
    model, encoded = mcheck.REGISTRY[stem](wrong)
    ctxs = mcheck.contexts(stem, model)
    written = read_blocks(path.read_text(encoding="utf-8"))
    result = check_blocks(path.name, written, encoded, model, ctxs)
    result.update(stem=stem, wrong=wrong)
    return result


def check_planted(path: Path) -> dict:
    """``planted/<stem>.md``: the transcription's blocks, then one block per variant, in the order (and with the
    LaTeX) that :func:`planted.variants` gives."""
    stem = path.name[: -len(".md")]
    if stem not in mcheck.REGISTRY:
        return {"file": f"planted/{path.name}", "problems": ["no encoding in the script"], "blocks": []}
    model, encoded = mcheck.REGISTRY[stem](False)
    ctxs = mcheck.contexts(stem, model)
    kept, _ = planted.variants(stem)
    written = read_blocks(path.read_text(encoding="utf-8"))
    result = check_blocks(f"planted/{path.name}", written, encoded + [[v.step] for v in kept], model, ctxs)
    for v, w in zip(kept, written[len(encoded) :], strict=False):
        if v.latex not in w["latex"]:
            result["problems"].append(f"line {w['line']}: the file is out of date (run planted.py): {v.latex}")
    result.update(stem=stem, wrong=False, planted=True)
    return result


def main(argv: list[str]) -> int:
    results = [check_file(p) for p in corpus_files()] + [check_planted(p) for p in planted_files()]
    names = {p.name for p in corpus_files()}
    missing = sorted(f"{s}.md" for s in mcheck.REGISTRY if f"{s}.md" not in names)
    missing += sorted(f"planted/{s}.md" for s in mcheck.REGISTRY
                      if not (HERE / "planted" / f"{s}.md").exists())
    bad = [r for r in results if r["problems"]] or missing
    if "--json" in argv:
        print(json.dumps({"files": results, "entries_without_files": missing}, indent=1))
        return 1 if bad else 0
    counts: dict[str, int] = {}
    for r in results:
        for b in r["blocks"]:
            for k, s in enumerate(b["steps"]):
                counts[s["verdict"]] = counts.get(s["verdict"], 0) + 1
                exp = b["expect"][k] if b["expect"] and k < len(b["expect"]) else "?"
                flag = "" if exp == s["verdict"] else "  <-- MISMATCH"
                print(f"{r['file']:<44} l{b['line']:<4} step {k + 1:<2} {s['verdict']:<11} "
                      f"{s['diagnosis'] or '':<27}{flag}")
        for prob in r["problems"]:
            print(f"{r['file']}: {prob}")
    for m in missing:
        print(f"{m}: an encoding without its file")
    print(f"{len(results)} files, " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
