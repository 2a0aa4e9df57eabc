"""``derive network --latex`` writes a document that ``derive verify`` reads back all equal (issue 10), for every
catalog activation and every output loss: shapes, definitions, δ_L = ∂L/∂Z_L and every gradient."""

from __future__ import annotations

import pytest

from backprop_derive.cli.verify_cmd import exit_code
from backprop_derive.core.catalog import activations
from backprop_derive.network.spec import LOSSES
from backprop_derive.verify import Options, verify_text
from tests.cli import run

CASES = [(name, "softmax_cce", "mean") for name in activations()] + \
    [("relu", loss, reduction) for loss in LOSSES for reduction in ("mean", "sum") if (loss, reduction) !=
     ("softmax_cce", "mean")]


@pytest.mark.parametrize(("activation", "loss", "reduction"), CASES)
def test_network_latex_reads_back_all_equal(capsys, activation, loss, reduction):
    code, out, _ = run(capsys, "network", "--layers", "4,3,2", "--activations", activation, "--loss", loss,
                       "--reduction", reduction, "--latex", "--check", "fd", "--batch", "4")
    assert code == 0
    report = verify_text(out, options=Options(timeout=30))  # verdicts only: a loaded machine must not time out
    steps = [step for chain in report.chains for step in chain.steps]
    wrong = [(step.lhs, step.verdict, step.detail) for step in steps if step.verdict not in ("equal", "definition")]
    assert not wrong
    # every gradient of the network is a checked claim, δ_L's formula included; the forward rows are definitions
    claims = [step.lhs for step in steps if step.verdict == "equal"]
    assert len(claims) == 6 and any("Z_{2}" in c for c in claims)
    assert exit_code(report) == 0
