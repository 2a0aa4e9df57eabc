"""The real-derivation corpus (tests/corpus/real) and its independent checker agree, file by file and step by step.

tests/corpus/real/independent.py decides every step with plain SymPy + mpmath from hand-written encodings (no
project code). Here: it exits 0 (every expect comment matches its check), every file has an encoding, every
expect comment has one verdict per step (counted in the LaTeX as top-level `=`), every one-mistake copy differs
from its transcription in exactly one display block and its verdicts change, and the corpus is as large as the
issue asks.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REAL = Path(__file__).parent / "corpus" / "real"
sys.path.insert(0, str(REAL))
from independent import EXPECT, corpus_files, read_blocks  # noqa: E402

MD = [p for p in corpus_files()]
PLANTED = re.compile(r"\A<!-- planted: (?P<kind>[a-z_]+): (?P<what>.+?) -->\n")
SOURCE = re.compile(r"<!-- source: (?P<url>\S+)")


@pytest.fixture(scope="module")
def report() -> dict:
    run = subprocess.run([sys.executable, str(REAL / "independent.py"), "--json"], capture_output=True, text=True,
                         timeout=600, check=False)
    data = json.loads(run.stdout)
    data["returncode"] = run.returncode
    data["stderr"] = run.stderr
    return data


def _by_file(report: dict) -> dict:
    return {r["file"]: r for r in report["files"]}


def test_the_independent_check_agrees_with_every_expect_comment(report):
    problems = [f"{r['file']}: {p}" for r in report["files"] for p in r["problems"]]
    assert problems == [] and report["entries_without_files"] == []
    assert report["returncode"] == 0, report["stderr"][-2000:]


def test_every_file_has_an_encoding_and_every_encoding_its_two_files(report):
    files = _by_file(report)
    assert set(files) == {p.name for p in MD}
    stems = {r["stem"] for r in report["files"]}
    for stem in stems:
        assert f"{stem}.md" in files and f"{stem}.wrong.md" in files, stem


def _unwrap(s: str, opener: str) -> str:
    """`\\boxed{X}`, `\\color{red}{X}` -> `X`: the wrapper's braces hide nothing (``opener`` is a regex)."""
    while m := re.search(opener, s):
        depth, end = 0, m.end() - 1
        for end in range(m.end() - 1, len(s)):
            depth += {"{": 1, "}": -1}.get(s[end], 0)
            if depth == 0:
                break
        s = s[: m.start()] + s[m.end() : end] + s[end + 1 :]
    return s


def _top_level_equals(latex: str) -> int:
    """The steps of a display as the corpus counts them: `=` outside braces, \\text, cases, and stated conditions."""
    s = _unwrap(re.sub(r"\\text\s*\{[^{}]*\}", "", latex), r"\\boxed\{|\\color\{\w+\}\{")
    s = re.sub(r"\\begin\{cases\}.*?\\end\{cases\}", "C", s, flags=re.S)
    s = re.sub(r"\\left\\\{\\begin\{array\}.*?\\end\{array\}\\right\.", "C", s, flags=re.S)
    s = re.sub(r"\\quad\s*[a-z]\s*(=|\\neq|\\ne)\s*[a-z]\b", "", s)  # ", \quad i = j": a condition
    s = re.sub(r"=\s*(\$\$|\\\])?\s*\Z", "", s.strip())  # a dangling `=` that the next display continues
    depth, count = 0, 0
    for ch in s:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        count += ch == "=" and depth == 0
    return count


@pytest.mark.parametrize("path", MD, ids=[p.name for p in MD])
def test_expect_comments_count_the_steps_of_their_block(path, report):
    text = path.read_text(encoding="utf-8")
    blocks = read_blocks(text)
    encoded = _by_file(report)[path.name]["blocks"]
    assert len(EXPECT.findall(text)) == len(blocks) == len(encoded)
    for written, enc in zip(blocks, encoded, strict=True):
        assert written["expect"] is not None
        assert len(written["expect"]) == len(enc["steps"]) == _top_level_equals(written["latex"]), written["line"]


@pytest.mark.parametrize("path", [p for p in MD if p.name.endswith(".wrong.md")], ids=lambda p: p.name)
def test_each_copy_plants_one_mistake_and_the_check_sees_it(path, report):
    text = path.read_text(encoding="utf-8")
    m = PLANTED.match(text)
    assert m, "a one-mistake copy starts with <!-- planted: KIND: what -->"
    right = path.with_name(path.name.replace(".wrong.md", ".md")).read_text(encoding="utf-8")
    assert text[m.end():].count("\n") == right.count("\n")
    changed = [i for i, (a, b) in enumerate(zip(read_blocks(right), read_blocks(text), strict=True))
               if a["latex"] != b["latex"]]
    assert len(changed) == 1
    files = _by_file(report)
    before = [s["verdict"] for b in files[path.name.replace(".wrong.md", ".md")]["blocks"] for s in b["steps"]]
    after = [s["verdict"] for b in files[path.name]["blocks"] for s in b["steps"]]
    assert len(before) == len(after) and before != after
    assert after.count("not_equal") > before.count("not_equal")


def test_the_corpus_is_as_large_as_the_issue_asks(report):
    originals = [p for p in MD if not p.name.endswith(".wrong.md")]
    sources = {SOURCE.search(p.read_text(encoding="utf-8")).group("url") for p in originals}
    steps = [s["verdict"] for r in report["files"] if not r["wrong"] for b in r["blocks"] for s in b["steps"]]
    assert len(originals) >= 36 and len(sources) >= 14
    assert steps.count("equal") >= 200 and steps.count("not_equal") >= 20 and steps.count("definition") >= 40
    assert (REAL / "SOURCES.md").exists()
    table = (REAL / "SOURCES.md").read_text(encoding="utf-8")
    for p in originals:
        assert f"`{p.name}`" in table, p.name
