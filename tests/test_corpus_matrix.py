"""derive verify on the matrix-form corpus (tests/corpus/matrix, issue 10), against its independent verdicts.

* the seed note's matrix half: every verdict right, each wrong step's diagnosis, exit 1;
* its planted variants (a transposed, reordered or rescaled formula in place of every true claim): every
  verdict right, so no planted variant is judged equal;
* every file that declares shapes (the matrix mode applies), its one-mistake copy and its planted variants:
  no step expected not equal is judged equal.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backprop_derive.cli.verify_cmd import exit_code
from backprop_derive.verify import Options, verify_text
from tests.corpus_blocks import blocks

MATRIX = Path(__file__).parent / "corpus" / "matrix"
NOTE = MATRIX / "note-matrix-half.md"
PLANTED_NOTE = MATRIX / "planted" / NOTE.name
DIAGNOSIS = re.compile(r"<!-- diagnosis: (?P<kinds>.*?) -->")
#: Verdicts only (never a timed assertion): each step may take long on a loaded machine.
OPTIONS = Options(timeout=30)
DECLARING = sorted(p for p in MATRIX.glob("**/*.md") if p.name != "SOURCES.md" and "mathbb{R}" in p.read_text())


def _judged(path: Path):
    """(block, its steps' verdicts, the diagnoses expected of its wrong steps) for every expect comment of ``path``."""
    text = path.read_text(encoding="utf-8")
    report = verify_text(text, options=OPTIONS)
    steps: dict = {}
    for chain in report.chains:
        steps.setdefault(chain.region, []).extend(chain.steps)
    expects = [m.end() for m in re.finditer(r"<!-- expect:[^>]*-->", text)]
    found = []
    for n, block in enumerate(blocks(path)):
        region = next(k for k, r in enumerate(report.regions) if r.line == block.line)
        after = text[expects[n] : expects[n + 1] if n + 1 < len(expects) else len(text)]
        wanted = DIAGNOSIS.match(after.lstrip())
        found.append((block, steps.get(region, []), wanted.group("kinds").split() if wanted else None))
    return report, found


def _accepted(found) -> list[tuple[int, int]]:
    """(line, step) of every step judged equal that the independent verdicts do not call equal (or a definition)."""
    return [(block.line, n + 1) for block, steps, _ in found for n, (expected, step)
            in enumerate(zip(block.expected, steps, strict=False))
            if step.verdict == "equal" and expected not in ("equal", "definition")]


def test_the_note_matrix_half_every_verdict_every_diagnosis_exit_1():
    report, found = _judged(NOTE)
    assert not _accepted(found)  # what test_no_wrong_matrix_claim_is_judged_equal asks of every declaring file
    for block, steps, kinds in found:
        assert tuple(s.verdict for s in steps) == block.expected, (block.line, [s.detail for s in steps])
        if kinds:
            assert [s.diagnosis["kind"] for s in steps if s.verdict == "not_equal"] == kinds, block.line
    assert exit_code(report) == 1


def test_every_planted_variant_of_the_note_is_judged_right():
    _, found = _judged(PLANTED_NOTE)
    assert not _accepted(found)  # as test_no_wrong_matrix_claim_is_judged_equal asks of every declaring file
    wrong = [(block.line, block.expected, [s.verdict for s in steps]) for block, steps, _ in found
             if tuple(s.verdict for s in steps) != block.expected]
    assert not wrong


#: The note and its planted variants are judged once, by the two tests above (each file verified once:
#: the slowest of this module, and under pytest-xdist a cache would not be shared between processes).
@pytest.mark.parametrize("path", [p for p in DECLARING if p not in (NOTE, PLANTED_NOTE)],
                         ids=lambda p: str(p.relative_to(MATRIX)))
def test_no_wrong_matrix_claim_is_judged_equal(path):
    _, found = _judged(path)
    assert not _accepted(found)
