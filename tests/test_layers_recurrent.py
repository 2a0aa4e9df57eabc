"""Recurrent layers: rnn_cell, lstm_cell, gru_cell proved for symbolic sizes, rnn (BPTT) for any T; the
classic mistakes planted and rejected; ``derive show`` reports the proofs."""

from __future__ import annotations

import json

import pytest

from backprop_derive.network.layers import LAYERS, gru_cell, lstm_cell, prove_layer, rnn, rnn_cell
from backprop_derive.network.layers.gates import sigmoid_derivative_is_proved


@pytest.mark.parametrize("name", ["rnn_cell", "gru_cell", "lstm_cell"])
def test_each_cell_is_proved_for_symbolic_sizes_with_every_input_differentiated(name):
    layer = LAYERS[name]
    proof = prove_layer(layer)
    assert proof.proved, proof.method
    assert "symbolic sizes" in proof.method and proof.to_json()["sizes"] == "symbolic"
    assert {key for key, _ in proof.gradients} == {f"d{p}" for p in (*layer.inputs, *layer.parameters)}


def test_the_lstm_cell_pairs_both_outputs_with_their_own_upstreams():
    _, out, _, gradients = LAYERS["lstm_cell"].equations()
    assert [o.shape for o in out] == [LAYERS["lstm_cell"].shapes(*out[0].shape)["h"]] * 2
    assert {"dh", "dc", "dx"} <= set(gradients)
    assert LAYERS["lstm_cell"].upstreams(out)[1].name == "G_c"


def test_sigmoids_derivative_is_proved_from_its_definition():
    assert sigmoid_derivative_is_proved()


# planted mistakes: (layer, backward, the gradients that must be rejected); only those are proved
PLANTED = {
    "tanh' written as 1 - h": ("rnn_cell", rnn_cell.backward_with("1 - h'"), ("W_hh", "x")),
    "LSTM dc without the forget gate": ("lstm_cell", lstm_cell.backward_with(forget_factor=False), ("c",)),
    "LSTM without the cell state's own path G_c": ("lstm_cell", lstm_cell.backward_with(cell_path=False),
                                                   ("c", "W_xf")),
    "GRU with r outside (W_hn h) + b_hn": ("gru_cell", gru_cell.backward_with(r_inside=False), ("b_hn", "W_xr")),
}


@pytest.mark.parametrize("mistake", PLANTED)
def test_a_planted_cell_mistake_is_rejected_and_the_right_formula_is_not(mistake):
    name, backward, wrong = PLANTED[mistake]
    planted = prove_layer(LAYERS[name], backward, only=wrong)
    assert {key for key, proof in planted.gradients if not proof.proved} == {f"d{w}" for w in wrong}
    assert prove_layer(LAYERS[name], only=wrong).proved


def test_bptt_is_proved_for_any_t_by_composing_the_step_lemma_and_checked_on_instances():
    proof = prove_layer(LAYERS["rnn"])
    assert proof.proved, proof.method
    assert "step lemma" in proof.method and "symbolic sizes" in proof.method and "T = 1, 2, 3" in proof.method
    assert "T = 1, 2, 3 (n = 1, d = 2, m = 2)" in proof.to_json()["sizes"]
    assert all(not rnn.composition_errors(rnn.BPTT(), steps) for steps in (1, 2))


@pytest.mark.parametrize(("plant", "rejected"), [
    (rnn.BPTT(sum_over_t=False), {"dW_xh", "dW_hh", "db"}),  # the sum cut at the last step
    (rnn.BPTT(carry=False), {"dx", "dW_xh", "dW_hh", "db"}),  # the hidden gradient not carried back
])
def test_a_planted_bptt_mistake_passes_the_step_lemma_and_fails_the_composition(plant, rejected):
    proof = prove_layer(LAYERS["rnn"], plant)
    assert prove_layer(LAYERS["rnn_cell"], plant.step).proved  # each step's VJP is right ...
    assert {key for key, p in proof.gradients if not p.proved} == rejected  # ... the composition is not
    assert rnn.composition_errors(plant, 1) == []  # one step cannot tell: T = 2 and 3 do
    assert rnn.composition_errors(plant, 2)


def test_bptt_with_tanh_prime_as_one_minus_h_fails_the_step_lemma():
    proof = prove_layer(LAYERS["rnn"], rnn.BPTT(step=rnn_cell.backward_with("1 - h'")))
    assert not proof.proved and not any(p.proved for _, p in proof.gradients)


@pytest.mark.parametrize("name", ["rnn_cell", "rnn"])
def test_show_reports_the_proof_and_what_it_covers(capsys, name):
    from backprop_derive.cli import main

    assert main(["show", name, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "layer" and data["proof"]["proved"] is True
    assert data["matrix_form"][-1]["lhs"] == "db"
    assert ("instances" in data["proof"]["sizes"]) == (name == "rnn")
    assert any("Σ_t" in step["rhs"] for step in data["steps"]) == (name == "rnn")
