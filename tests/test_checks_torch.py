"""Compiled numpy backprop against PyTorch eager, for every activation and loss (skipped without torch)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the optional extra `torch` (pip install torch==2.13.0)")

from backprop_derive.core import catalog  # noqa: E402
from backprop_derive.network.spec import LOSSES, REDUCTIONS, NetworkSpec  # noqa: E402
from backprop_derive.numeric.compare import compare_gradients  # noqa: E402 - after the skip
from backprop_derive.numeric.compile import compile_network  # noqa: E402
from backprop_derive.numeric.points import sample_point  # noqa: E402
from backprop_derive.numeric.references import torch_gradients  # noqa: E402


@cache
def compiled(spec: NetworkSpec):
    return compile_network(spec)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", catalog.activations())
def test_float64_gradients_equal_pytorch_to_1e_10(activation, loss, reduction):
    spec = NetworkSpec((6, 5, 4, 3), (activation, activation), loss, reduction)
    point = sample_point(spec, 8, seed=11)
    grads = compiled(spec).gradients(point.params, point.X, point.Y)
    comparison = compare_gradients(grads, torch_gradients(spec, point.params, point.X, point.Y), "float64", "torch")
    assert comparison.tolerance == 1e-10
    assert comparison.passed, comparison.worst


@pytest.mark.parametrize("loss", LOSSES)
def test_float32_gradients_agree_with_pytorch(loss):
    spec = NetworkSpec((6, 5, 4, 3), ("tanh", "relu"), loss)
    point = sample_point(spec, 8, seed=12, dtype="float32")
    grads = compiled(spec).gradients(point.params, point.X, point.Y)
    comparison = compare_gradients(grads, torch_gradients(spec, point.params, point.X, point.Y), "float32", "torch")
    assert comparison.passed, comparison.worst


@pytest.mark.parametrize("loss", LOSSES)
def test_loss_and_output_equal_pytorch(loss):
    import torch.nn.functional as F  # noqa: N812

    spec = NetworkSpec((6, 5, 3), ("gelu",), loss)
    point = sample_point(spec, 8, seed=13)
    net = compiled(spec)
    a = torch.tensor(point.X)
    z = F.gelu(a @ torch.tensor(point.params["W1"]) + torch.tensor(point.params["b1"]))
    z = z @ torch.tensor(point.params["W2"]) + torch.tensor(point.params["b2"])
    labels = torch.tensor(point.Y)
    expected = {"softmax_cce": (F.cross_entropy(z, labels), torch.softmax(z, dim=1)),
                "sigmoid_bce": (F.binary_cross_entropy_with_logits(z, labels), torch.sigmoid(z)),
                "mse": (F.mse_loss(z, labels), z)}[loss]
    assert net.loss(point.params, point.X, point.Y) == pytest.approx(expected[0].item(), rel=1e-13)
    np.testing.assert_allclose(net.forward(point.params, point.X), expected[1].numpy(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("loss", LOSSES)
def test_logits_of_plus_minus_1000_give_pytorchs_gradients(loss):
    spec = NetworkSpec((3, 4, 3), ("relu",), loss)
    point = sample_point(spec, 4, seed=0)
    params = dict(point.params)
    params["W2"] = 1e-3 * params["W2"]
    params["b2"] = np.array([1000.0, -1000.0, 0.0])
    net = compiled(spec)
    grads = net.gradients(params, point.X, point.Y)
    assert np.isfinite(net.loss(params, point.X, point.Y))
    comparison = compare_gradients(grads, torch_gradients(spec, params, point.X, point.Y), "float64", "torch")
    assert comparison.passed, comparison.worst


def test_pytorch_reference_catches_a_tenth_of_a_percent():
    spec = NetworkSpec((6, 5, 3), ("relu",))
    point = sample_point(spec, 8, seed=14)
    grads = dict(compiled(spec).gradients(point.params, point.X, point.Y))
    grads["b1"] = grads["b1"] * 1.001
    comparison = compare_gradients(grads, torch_gradients(spec, point.params, point.X, point.Y), "float64", "torch")
    assert not comparison.passed
    assert [e.name for e in comparison.errors if not e.passed] == ["b1"]
