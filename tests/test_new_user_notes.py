"""Issue 9, "done when": a new user's notes (an annotated align, definitions in prose, primes, a softmax and
cross-entropy step) get a verdict for every step; the two planted slips are caught with their diagnosis."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from backprop_derive.verify import verify_text
from tests.corpus_blocks import blocks

NOTES = Path(__file__).parent / "corpus" / "verify" / "new_user_notes.md"


def _independent():
    spec = importlib.util.spec_from_file_location("new_user_notes_check", NOTES.with_name("new_user_notes_check.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def judged():
    """The notes verified once for the module's tests: (report, steps by region)."""
    report = verify_text(NOTES.read_text(encoding="utf-8"))
    by_region: dict[int | None, list] = {}
    for chain in report.chains:
        by_region.setdefault(chain.region, []).extend(chain.steps)
    return report, by_region


def test_the_expected_verdicts_are_the_independent_checks():
    assert _independent().main() == 0


def test_every_step_of_the_notes_gets_the_expected_verdict_and_none_is_error_or_unknown(judged):
    report, by_region = judged
    regions = {n for n, region in enumerate(report.regions)}
    assert all(region.read for region in report.regions)
    got = {chain.region: [s.verdict for s in by_region[chain.region]] for chain in report.chains}
    expected = {n: list(b.expected) for n, b in zip(sorted(regions), blocks(NOTES), strict=True)}
    assert got == expected
    verdicts = [s.verdict for steps in by_region.values() for s in steps]
    assert "error" not in verdicts and "unknown" not in verdicts
    assert verdicts.count("not_equal") == 2 and verdicts.count("equal") == len(verdicts) - 2


def test_the_slips_are_diagnosed_with_their_kind_and_the_reasons_are_kept(judged):
    text = NOTES.read_text(encoding="utf-8")
    kinds = re.findall(r"<!-- diagnosis: (\w+) -->", text)
    _, by_region = judged
    slips = [s for steps in by_region.values() for s in steps if s.verdict == "not_equal"]
    assert [s.diagnosis["kind"] for s in slips] == kinds == ["dropped_inner_derivative", "sign"]
    reasons = [s.reason for steps in by_region.values() for s in steps if s.reason]
    assert "chain rule" in reasons and any("softmax Jacobian" in r for r in reasons)
