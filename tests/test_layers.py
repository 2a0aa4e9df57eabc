"""Layers: each VJP proved for symbolic sizes, planted mistakes rejected, every name bound in every framework."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import sympy as sp

from backprop_derive.core import catalog
from backprop_derive.network.layers import LAYERS, attention, batchnorm, layernorm, prove_layer, residual
from backprop_derive.network.losses import LOSS_RECORDS
from backprop_derive.network.proof import prove_network, prove_network_on_instances
from backprop_derive.network.spec import NORMS, NetworkSpec
from backprop_derive.numeric.bindings import FRAMEWORKS, builders
from backprop_derive.numeric.compare import compare_gradients
from backprop_derive.numeric.compile import compile_network
from backprop_derive.numeric.points import sample_point
from backprop_derive.numeric.references import finite_difference_gradients, torch_gradients

HAS_TORCH = importlib.util.find_spec("torch") is not None


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_is_proved_for_symbolic_sizes(name):
    proof = prove_layer(LAYERS[name])
    assert proof.proved, proof.method
    if LAYERS[name].on_instances:  # convolution, pooling: exact on instances, the sizes named
        assert proof.sizes.startswith("instances: ") and "symbolic sizes" not in proof.method
    else:  # symbolic sizes; the RNN for any T too, its composition also checked on named instances
        assert "symbolic sizes" in proof.method and proof.sizes.startswith("symbolic")
    assert {key for key, _ in proof.gradients} == {f"d{p}" for p in (*LAYERS[name].inputs, *LAYERS[name].parameters)}


PLANTED = {
    "batchnorm without the mean's gradient": ("batchnorm", batchnorm.backward_with(mean_gradient=False), "dx"),
    "layernorm with (σ² + ε)^(-1/4)": ("layernorm", layernorm.backward_with(sp.Rational(-1, 4)), "dx"),
    "attention without 1/√d": ("attention", attention.backward_with(scaled=False), "dQ"),
    "residual without the skip": ("residual", residual.backward_with(skip=False), "dx"),
}


@pytest.mark.parametrize("mistake", PLANTED)
def test_a_planted_layer_mistake_is_rejected(mistake):
    name, backward, wrong = PLANTED[mistake]
    proof = prove_layer(LAYERS[name], backward)
    assert not proof.proved
    assert dict(proof.gradients)[wrong].proved is False


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_catalog_name_is_bound_in_every_reference(framework):
    available = framework == "numpy" or importlib.util.find_spec(framework) is not None
    kinds = {"activations": catalog.activations(), "losses": list(LOSS_RECORDS)}
    for kind, names in kinds.items():
        assert framework in builders(kind), (kind, framework)
        if available:
            table = builders(kind)[framework]()
            missing = [name for name in names if name not in table]
            assert not missing, f"{kind} not bound in {framework}: {missing}"
    for layer in LAYERS:
        assert framework in builders(layer), f"layer {layer!r} has no {framework} binding"


def test_a_missing_binding_is_named():
    with pytest.raises(KeyError, match=r"backprop_derive/numeric/bindings/conv3d\.py"):
        builders("conv3d")


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("residual", [False, True])
def test_norm_and_residual_networks_match_finite_differences(norm, residual):
    spec = NetworkSpec((5, 4, 4, 3), ("tanh", "gelu"), norm=norm, residual=residual)
    assert prove_network(spec).proved
    point = sample_point(spec, 6, seed=1)
    grads = compile_network(spec).gradients(point.params, point.X, point.Y)
    fd = finite_difference_gradients(spec, point.params, point.X, point.Y)
    assert compare_gradients(grads, fd, "float64", "fd").passed


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
@pytest.mark.parametrize("norm", [*NORMS, None])
def test_norm_networks_equal_pytorch_in_float64_and_stay_finite_when_large(norm):
    spec = NetworkSpec((6, 5, 5, 3), ("relu", "silu"), norm=norm, residual=True)
    point = sample_point(spec, 8, seed=2)
    net = compile_network(spec)
    comparison = compare_gradients(net.gradients(point.params, point.X, point.Y),
                                   torch_gradients(spec, point.params, point.X, point.Y), "float64", "torch")
    assert comparison.worst.max_rel < 1e-12, comparison.to_json()
    big = {k: v * 300 for k, v in point.params.items()}
    grads = net.gradients(big, point.X * 100, point.Y)
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    assert np.isfinite(net.loss(big, point.X * 100, point.Y))


def test_the_proof_of_ten_hidden_layers_has_as_many_parts_as_two():
    deep = prove_network(NetworkSpec((8,) * 11 + (3,), ("relu",) * 10))
    shallow = prove_network(NetworkSpec((8, 8, 8, 3), ("relu",) * 2))
    assert deep.proved and shallow.proved
    assert len(deep.parts) == len(shallow.parts)


def test_the_instance_proof_agrees_with_the_lemmas():
    spec = NetworkSpec((3, 2, 2), ("tanh",))
    assert prove_network_on_instances(spec).proved and prove_network(spec).proved


def test_residual_without_an_equal_width_block_is_a_one_line_error():
    with pytest.raises(ValueError, match="no hidden block of equal"):
        NetworkSpec((5, 4, 3), ("relu",), residual=True)
    with pytest.raises(ValueError, match="norm 'groupnorm' is unknown"):
        NetworkSpec((5, 4, 3), ("relu",), norm="groupnorm")


@pytest.mark.parametrize("name", ["layernorm", "batchnorm", "attention"])
def test_show_layer_ends_in_the_matrix_form_and_is_proved(capsys, name):
    import json

    from backprop_derive.cli import main

    assert main(["show", name, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "layer" and data["proof"]["proved"] is True and data["proof"]["sizes"] == "symbolic"
    assert data["steps"] and data["matrix_form"][-1]["lhs"].startswith("d")
