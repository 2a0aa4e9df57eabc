"""The LSTM and GRU over T steps: proved for any T by the shared BPTT (backprop_derive/network/layers/bptt.py); the
classic
composition mistakes planted (a carry dropped, the sum over t cut) pass the step lemma and are rejected."""

from __future__ import annotations

import json

import pytest

from backprop_derive.network.layers import LAYERS, bptt, gru, lstm, prove_layer

PARAMETERS = {"lstm": LAYERS["lstm"].parameters, "gru": LAYERS["gru"].parameters}
#: Cut at one step, T = 2 shows every parameter wrong but those step 1 adds nothing to: the W_h (h_0 = 0)
#: and the LSTM's forget gate (δ_f = Δc ⊙ c_0 ⊙ … with c_0 = 0).
CUT = {name: {"d" + p for p in params if not p.startswith("W_h") and not (name == "lstm" and p.endswith("f"))}
       for name, params in PARAMETERS.items()}


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_the_sequence_is_proved_for_any_t_with_the_instances_named(name):
    proof = prove_layer(LAYERS[name])
    assert proof.proved, proof.method
    assert "step lemma" in proof.method and "symbolic sizes" in proof.method and "T = 1" in proof.method
    assert "T = 3 (n = 1, d = 1, m = 1)" in proof.sizes
    inputs = ("x", "h", "c") if name == "lstm" else ("x", "h")
    assert {key for key, _ in proof.gradients} == {f"d{p}" for p in (*inputs, *PARAMETERS[name])}


# (plan, the gradients rejected at T = 2): only the composition is wrong, every step's VJP is right
PLANTED = {
    "lstm: dc_t not carried back through f": (lstm, lstm.BPTT(dropped=("c",)), {"dx"}),
    "lstm: the hidden carry dropped": (lstm, lstm.BPTT(dropped=("h",)), {"dx"}),
    "lstm: the sum over t cut at one step": (lstm, lstm.BPTT(sum_over_t=False), CUT["lstm"]),
    "gru: the hidden carry dropped": (gru, gru.BPTT(dropped=("h",)), {"dx"}),
    "gru: the sum over t cut at one step": (gru, gru.BPTT(sum_over_t=False), CUT["gru"]),
}


@pytest.mark.parametrize("mistake", PLANTED)
def test_a_planted_composition_mistake_passes_t_1_and_is_rejected_at_t_2_and_3(mistake):
    module, plan, rejected = PLANTED[mistake]
    first, second, third = module.CHECKS
    assert bptt.composition_errors(plan, first) == []  # one step cannot tell
    wrong = bptt.composition_errors(plan, second)
    assert rejected <= {name.split("_")[0] if name.startswith("dx_") else name for name in wrong}, wrong
    assert bptt.composition_errors(plan, third)
    assert bptt.composition_errors(module.BPTT(), second) == []  # the right recursion is not rejected


def test_a_planted_mistake_makes_the_layer_not_proved_naming_the_gradient():
    proof = prove_layer(LAYERS["lstm"], lstm.BPTT(dropped=("c",)))
    assert not proof.proved and "dx" in {key for key, p in proof.gradients if not p.proved}
    assert "the composition is wrong" in proof.method


def test_a_wrong_step_fails_the_step_lemma():
    from backprop_derive.network.layers import lstm_cell

    proof = prove_layer(LAYERS["lstm"], lstm_cell.backward_with(forget_factor=False))
    assert not proof.proved


def test_exact_evaluation_rejects_a_non_zero_polynomial_and_accepts_zero():
    import sympy as sp

    x, y = sp.symbols("x y", real=True)
    assert bptt.is_zero(sp.tanh(x) ** 2 - sp.tanh(x) * sp.tanh(x), expand=False)
    assert not bptt.is_zero(sp.tanh(x + y) - sp.tanh(x) - sp.tanh(y), expand=False)


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_show_reports_the_proof_and_the_sum_over_t(capsys, name):
    from backprop_derive.cli import main

    assert main(["show", name, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "layer" and data["proof"]["proved"] is True and "instances" in data["proof"]["sizes"]
    assert any("Σ_t" in step["rhs"] for step in data["steps"])
