"""The layers corpus (tests/corpus/layers/: convolution, pooling, RNN/BPTT, LSTM, word2vec, embedding and dropout
derivations transcribed from public sources, expected verdicts from an independent SymPy checker): the hard rule only.

For every file: no step whose expected verdict is not_equal is judged equal (a false accept), and no file
holding a wrong step exits 0.  How much is read is not pinned here (see FIRST_PASS.md for the first score).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LAYERS = Path(__file__).parent / "corpus" / "layers"
MANIFEST = json.loads((LAYERS / "manifest.json").read_text(encoding="utf-8"))
_spec = importlib.util.spec_from_file_location("layers_score_flat", LAYERS / "checker" / "score_flat.py")
score_flat = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(score_flat)

#: Known false accepts of the tool (FIRST_PASS.md: none at the first pass).  Strict, so a fix shows up as XPASS.
KNOWN_FALSE_ACCEPT: dict[str, str] = {}


def _params():
    for name in sorted(MANIFEST):
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_FALSE_ACCEPT[name])] if name in KNOWN_FALSE_ACCEPT else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", _params())
def test_no_false_accept_and_no_exit0_with_wrong_steps(name):
    env = dict(os.environ, PYTHONPATH=str(LAYERS.parent.parent.parent))
    run = subprocess.run([sys.executable, "-m", "derive", "verify", str(LAYERS / f"{name}.md"), "--json"],
                         capture_output=True, text=True, env=env, timeout=600)
    report = json.loads(run.stdout)
    expected = json.loads((LAYERS / f"{name}.expected.json").read_text(encoding="utf-8"))
    rows = score_flat.score_file(expected, MANIFEST[name], report)
    accepted = [(r["group"], r["chain"], r["step"]) for r in rows if r["cat"] == "FALSE_ACCEPT"]
    assert not accepted, f"wrong steps judged equal: {accepted}"
    if any(v == "not_equal" for chain in expected for v in chain):
        assert run.returncode != 0, "a file with a wrong step exits 0"


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_the_rule_can_fail(name):
    """A tool that judged every step equal would break the hard rule on every file holding a wrong step."""
    expected = json.loads((LAYERS / f"{name}.expected.json").read_text(encoding="utf-8"))
    report = {"chains": [{"line": m["block_lines"][0], "steps": [{"verdict": "equal"} for _ in chain]}
                         for m, chain in zip(MANIFEST[name], expected, strict=True)]}
    rows = score_flat.score_file(expected, MANIFEST[name], report)
    wrong = sum(v == "not_equal" for chain in expected for v in chain)
    assert sum(r["cat"] == "FALSE_ACCEPT" for r in rows) == wrong
