"""The red team's second round, pinned: hidden or negated prose, misreadings, relations read as nothing, displays
never seen, the terminal report, and the time of the prose scan.

The corpus files (``tests/corpus/verify/redteam_{prose,misread,relations,hidden}.md``) are judged as whole
documents (a prose definition or assumption holds for the document's rest), block by block against their
``<!-- expect -->`` comments, which ``redteam_check.py`` decides independently.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from derive.verify import verify_text
from tests.corpus_blocks import EXPECT

CORPUS = Path(__file__).parent / "corpus" / "verify"
FILES = ("redteam_prose.md", "redteam_misread.md", "redteam_relations.md", "redteam_hidden.md")


def block_verdicts(path: Path) -> list[tuple[int, list[str], list[str], list[str]]]:
    """(line, expected, got, details) of each expect comment of ``path``, the document judged whole."""
    from derive.verify.document import read_document

    text = path.read_text(encoding="utf-8")
    document = read_document(text)
    report = verify_text(text)
    found = []
    for m in EXPECT.finditer(text):
        region = next((n for n, r in enumerate(document.regions) if r.start > m.end()), None)
        steps = [s for c in report.chains if c.region == region for s in c.steps]
        found.append((text[: m.start()].count("\n") + 1, m.group("verdicts").split(), [s.verdict for s in steps],
                      [s.detail for s in steps]))
    return found


@pytest.mark.parametrize("name", [n for n in FILES if (CORPUS / n).exists()])
def test_every_block_gets_its_expected_verdicts_and_no_wrong_step_is_equal(name):
    results = block_verdicts(CORPUS / name)
    assert len(results) >= 10
    wrong_equal = [(line, want) for line, want, got, _ in results for w, g in zip(want, got, strict=False)
                   if g == "equal" != w]
    assert not wrong_equal, f"wrong step(s) judged equal at lines {wrong_equal}"
    mismatched = [(line, want, got, details) for line, want, got, details in results if want != got]
    assert not mismatched, mismatched


#: One wrong step hidden by each trick: a document of that trick alone must fail -- exit 1 (a step not equal) or 3
#: (an error or unknown, ``derive verify``'s code for "not all equal"), never 0.
TRICKS = {
    "assumption in an HTML comment": "<!-- assume $x = 0$ -->\n\n$$x^2 + x = 0$$\n",
    "definition in an HTML comment": "<!-- Let $x = 1$. -->\n\n$$x^2 = x$$\n",
    "negated assumption": "We do not assume $x = 0$.\n\n$$x^2 + x = 0$$\n",
    "assumption denied": "It is wrong to assume $x = 0$.\n\n$$x^2 + x = 0$$\n",
    "exception": "This holds except for $x = 0$:\n\n$$x^2 + x = 0$$\n",
    "unless": "Unless we assume $x = 0$, the next line is false.\n\n$$x^2 + x = 0$$\n",
    "with, in passing": "The figure, with $x = 1$ as its scale, is a special case; in general:\n\n$$x^2 = x$$\n",
    "order of two digits": "$$\\frac{d^{10}}{dx^{10}} x^3 = 3x^2$$\n",
    "product condition": "For $w x = 0$:\n\n$$w^2 + w = 0$$\n",
    "the author's delta": "Let $\\delta_{ij} = a_i b_j$.\n\n$$\\delta_{ii} = 1$$\n",
    "text equals": "$$x^2 \\text{=} 2x$$\n",
    "arrow": "$$x^2 \\to 2x$$\n",
    "full-width equals": "$$x^2 \uff1d 2x$$\n",
    "Rightarrow": "$$x^2 \\Rightarrow 2x$$\n",
}


@pytest.mark.parametrize("trick", list(TRICKS))
def test_a_document_with_a_wrong_step_hidden_by_each_trick_never_exits_0(trick, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(TRICKS[trick], encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "derive", "verify", str(path)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode in (1, 3), (trick, done.returncode, done.stdout[-2000:], done.stderr[-2000:])


@pytest.mark.parametrize("name", [n for n in FILES if (CORPUS / n).exists()])
def test_each_red_team_file_fails(name):
    done = subprocess.run([sys.executable, "-m", "derive", "verify", str(CORPUS / name)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode in (1, 3), done.stdout[-2000:]
