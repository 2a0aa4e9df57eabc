"""The red-team corpus of issue 8, pinned block by block: no wrong step judged equal, no region skipped.

``tests/corpus/verify/redteam_*.md`` hold wrong claims designed to slip past the reader (every display
construct), the readings (``v(x)``, ``\\sigma^2``, labels), the sampler (grid-periodic terms, narrow bumps,
moved kinks, far-out differences, counts wrong only for some K, differences below 500 digits) and the
assumptions' scope.  Their expected verdicts come from ``redteam_check.py``, an independent SymPy/mpmath
check that does not use the project.  ``regions_all_wrong.md`` holds one wrong step in each construct.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backprop_derive.verify import verify_chain, verify_text
from tests.corpus_blocks import blocks

CORPUS = Path(__file__).parent / "corpus" / "verify"
#: Files whose verdicts depend on the whole document (prose that defines or assumes): pinned document by document
#: in ``test_verify_red_team_prose.py``.
DOCUMENT_LEVEL = ("redteam_prose.md", "redteam_misread.md", "redteam_relations.md", "redteam_hidden.md")
FILES = [*sorted(p for p in CORPUS.glob("redteam_*.md") if p.name not in DOCUMENT_LEVEL),
         CORPUS / "regions_all_wrong.md"]
BLOCKS = [block for path in FILES for block in blocks(path)]


def test_the_red_team_corpus_has_forty_claims_in_every_class():
    for name in ("regions", "readings", "sampling", "assumptions"):
        assert len(blocks(CORPUS / f"redteam_{name}.md")) >= 40, name


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_red_team_block_gets_its_expected_verdicts(block):
    steps = [step for chain in block.chains for step in verify_chain(chain).steps]
    got = [step.verdict for step in steps]
    pairs = enumerate(zip(block.expected, got, strict=False))
    wrong_but_equal = [n for n, (want, have) in pairs if want != "equal" == have]
    assert not wrong_but_equal, f"wrong step(s) judged equal: {[steps[n].detail for n in wrong_but_equal]}"
    assert got == list(block.expected), [step.detail for step in steps]


def test_a_document_of_every_construct_each_with_one_wrong_step_exits_1_reporting_every_step(tmp_path):
    path = CORPUS / "regions_all_wrong.md"
    report = verify_text(path.read_text(encoding="utf-8"))
    assert report.region_counts["found"] == report.region_counts["read"] >= 27
    assert [s.verdict for c in report.chains for s in c.steps] == ["not_equal"] * report.region_counts["found"]
    done = subprocess.run([sys.executable, "-m", "backprop_derive", "verify", str(path), "--json"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["regions"]["not_read"] == 0


def test_pytest_derivations_fails_on_every_construct(tmp_path):
    path = CORPUS / "regions_all_wrong.md"
    done = subprocess.run([sys.executable, "-m", "pytest", "--derivations", str(path), "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 1, done.stdout[-2000:]
    count = len(blocks(path))
    assert f"{count} failed" in done.stdout and "passed" not in done.stdout.splitlines()[-1], done.stdout[-2000:]
