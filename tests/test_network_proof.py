"""The network proof: exact, fast, and it fails for wrong formulas."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy as sp

from backprop_derive.core import catalog
from backprop_derive.network.backprop import MATRIX_FORMULAS, output_loss
from backprop_derive.network.proof import (
    matrix_instances,
    prove_activation_derivative,
    prove_loss_form,
    prove_matrix_backprop,
    prove_network,
    prove_network_on_instances,
    prove_output_delta,
)
from backprop_derive.network.spec import LOSSES, REDUCTIONS, NetworkSpec


def test_default_network_is_proved_in_every_part():
    proof = prove_network(NetworkSpec())
    assert proof.proved, proof.method
    claims = [part.claim for part in proof.parts]
    # dense and activation lemmas, their composition, δ_L, the loss's evaluated form, relu'
    assert len(claims) == 6
    assert all(part.proof.proved for part in proof.parts)
    data = proof.to_json()
    assert data["proved"] is True and data["method"] and data["seconds"] >= 0


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_matrix_backprop_is_proved_for_every_instance_of_a_depth(depth):
    for widths, batch in matrix_instances(depth):
        assert batch >= 2
        proof = prove_matrix_backprop(widths, batch)
        assert proof.proved, (widths, batch, proof.method)


def test_matrix_backprop_is_proved_four_layers_deep():
    proof = prove_matrix_backprop((2, 3, 2, 2, 2), 2)
    assert proof.proved, proof.method


WRONG_FORMULAS = {
    "A δ without the transpose of A": {"weight_gradient": lambda a, d: a * d},
    "A_{l-1} transposed the other way": {"weight_gradient": lambda a, d: d.T * a},
    "bias gradient from the first sample only": {"bias_gradient": lambda d: d[0, :]},
    "δ W instead of δ Wᵀ": {"input_gradient": lambda d, w: d * w},
    "f' forgotten": {"hidden_delta": lambda upstream, derivative: upstream},
    "doubled weight gradient": {"weight_gradient": lambda a, d: 2 * a.T * d},
    "batch size hard-coded to 2": {"bias_gradient": lambda d: sp.ones(1, 2) * d},
}


@pytest.mark.parametrize("mistake", WRONG_FORMULAS)
def test_a_wrong_matrix_formula_is_not_proved(mistake):
    formulas = replace(MATRIX_FORMULAS, **WRONG_FORMULAS[mistake])
    results = [prove_matrix_backprop(widths, batch, formulas) for widths, batch in matrix_instances(2)]
    assert not all(r.proved for r in results), mistake
    assert prove_network(NetworkSpec((4, 3, 2), ("tanh",)), formulas).proved is False
    assert prove_network_on_instances(NetworkSpec((4, 3, 2), ("tanh",)), formulas).proved is False


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_output_delta_and_loss_form_are_proved(loss, reduction):
    out = output_loss(loss, reduction)
    delta = prove_output_delta(out, 2, 3)
    assert delta.proved, delta.method
    form = prove_loss_form(out, 2, 2)
    assert form.proved, form.method


@pytest.mark.parametrize("loss", LOSSES)
def test_output_delta_missing_its_one_over_n_is_not_proved(loss):
    out = output_loss(loss, "mean")
    n = sp.Symbol("n", integer=True, positive=True)
    wrong = replace(out, delta=out.delta * n)
    assert not prove_output_delta(wrong, 2, 2).proved


def test_cross_entropy_delta_uses_labels_that_sum_to_one():
    proof = prove_output_delta(output_loss("softmax_cce", "mean"), 2, 3)
    assert proof.proved
    assert proof.assumptions == ("sum_i y1[i] = 1", "sum_i y2[i] = 1")


@pytest.mark.parametrize("name", catalog.activations())
def test_each_activations_canonical_derivative_is_proved(name):
    proof = prove_activation_derivative(name)
    assert proof.proved, proof.method
