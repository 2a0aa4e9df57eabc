"""The matrix corpus with its shape declarations taken out: the shapes are then inferred
(:mod:`backprop_derive.verify.matrix.infer`), and no claim the independent check found wrong may be judged equal.

Driven by the corpus: every file of ``tests/corpus/matrix`` (its one-mistake copies and planted variants too)
whose declarations are all inline (``$X \\in \\mathbb{R}^{n \\times 70}$``, replaced by "a matrix") and whose
declaration-free text has its shapes inferred.  The verdicts may be weaker than with the declarations (an
unread size, a bias read two ways); a false accept is what this pins shut.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backprop_derive.verify import Options, verify_text
from backprop_derive.verify.document import read_document
from backprop_derive.verify.matrix.infer import infer_shapes
from tests.corpus_blocks import EXPECT

MATRIX = Path(__file__).parent / "corpus" / "matrix"
DECLARATION = re.compile(r"\$[^$\n]*\\in\s*\\mathbb\s*\{?R\}?[^$\n]*\$")
OPTIONS = Options(timeout=30)


def stripped(path: Path) -> str | None:
    text = DECLARATION.sub("a matrix", path.read_text(encoding="utf-8"))
    if "mathbb{R}" in text or "mathbb R" in text:
        return None
    document = read_document(text)
    pairs = [(c.sides[0].text, c.sides[1].text) for c in document.chains if c.problem is None and len(c.sides) > 1]
    pairs += [(d.lhs.text, d.rhs.text) for d in document.definitions]
    return text if infer_shapes(pairs) is not None else None


INFERRED = [p for p in sorted(MATRIX.glob("**/*.md")) if p.name != "SOURCES.md" and stripped(p) is not None]


def test_some_files_are_inferred():
    assert len(INFERRED) >= 4, INFERRED


@pytest.mark.parametrize("path", INFERRED, ids=lambda p: str(p.relative_to(MATRIX)))
def test_no_wrong_claim_is_judged_equal_with_shapes_inferred(path):
    text = stripped(path)
    report = verify_text(text, options=OPTIONS)
    document = read_document(text)
    steps: dict = {}
    for chain in report.chains:
        steps.setdefault(chain.region, []).extend(chain.steps)
    accepted = []
    for m in EXPECT.finditer(text):
        region = next(n for n, r in enumerate(document.regions) if r.start > m.end())
        for expected, step in zip(m.group("verdicts").split(), steps.get(region, []), strict=False):
            if step.verdict == "equal" and expected not in ("equal", "definition"):
                accepted.append((document.regions[region].line, expected, step.detail))
    assert not accepted
