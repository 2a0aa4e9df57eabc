"""Compiled numpy backprop against autograd and finite differences, and the checkers themselves.

Driven by the registry: every elementwise catalog activation and every output loss, so a new
catalog entry is tested without new test code (once the references know its framework function).
"""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np
import pytest

from backprop_derive.core import catalog
from backprop_derive.network.spec import LOSSES, NetworkSpec
from backprop_derive.numeric.compare import compare_gradients, parameter_error, tolerance
from backprop_derive.numeric.compile import compile_network
from backprop_derive.numeric.points import sample_point
from backprop_derive.numeric.references import autograd_gradients, autograd_loss, finite_difference_gradients

SMALL = (5, 4, 3, 3)


@cache
def compiled(spec: NetworkSpec):
    return compile_network(spec)


def _spec(activation="relu", loss="softmax_cce", reduction="mean", layers=SMALL):
    return NetworkSpec(layers, (activation,) * (len(layers) - 2), loss, reduction)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", catalog.activations())
def test_compiled_gradients_equal_autograd_and_finite_differences(activation, loss):
    spec = _spec(activation, loss)
    point = sample_point(spec, 6, seed=1)
    grads = compiled(spec).gradients(point.params, point.X, point.Y)
    assert {k: v.shape for k, v in grads.items()} == spec.parameter_shapes()
    for name, reference in (("autograd", autograd_gradients), ("fd", finite_difference_gradients)):
        comparison = compare_gradients(grads, reference(spec, point.params, point.X, point.Y), "float64", name)
        assert comparison.passed, (name, comparison.worst)
    assert compiled(spec).loss(point.params, point.X, point.Y) == pytest.approx(
        float(autograd_loss(spec)(point.params, point.X, point.Y)), rel=1e-12)


@pytest.mark.parametrize("loss", LOSSES)
def test_sum_reduction_is_n_or_nk_times_the_mean(loss):
    mean, total = _spec(loss=loss), _spec(loss=loss, reduction="sum")
    point = sample_point(mean, 7, seed=2)
    per_mean = compiled(mean).gradients(point.params, point.X, point.Y)
    per_sum = compiled(total).gradients(point.params, point.X, point.Y)
    factor = 7 if loss == "softmax_cce" else 7 * SMALL[-1]
    for name in per_mean:
        np.testing.assert_allclose(per_sum[name], factor * per_mean[name], rtol=1e-12, atol=1e-15)
    comparison = compare_gradients(per_sum, autograd_gradients(total, point.params, point.X, point.Y),
                                   "float64", "autograd")
    assert comparison.passed, comparison.worst


@pytest.mark.parametrize(("activation", "loss"), [(a, "softmax_cce") for a in catalog.activations()]
                         + [("relu", "sigmoid_bce"), ("relu", "mse")])
def test_float32_gradients_stay_float32_and_agree(activation, loss):
    spec = _spec(activation, loss)
    point = sample_point(spec, 6, seed=3, dtype="float32")
    grads = compiled(spec).gradients(point.params, point.X, point.Y)
    assert all(g.dtype == np.float32 for g in grads.values())
    assert compiled(spec).forward(point.params, point.X).dtype == np.float32
    for name, reference in (("autograd", autograd_gradients), ("fd", finite_difference_gradients)):
        comparison = compare_gradients(grads, reference(spec, point.params, point.X, point.Y), "float32", name)
        assert comparison.passed, (name, comparison.worst)


def _extreme_logits_point(spec: NetworkSpec):
    """A point whose logits are about ±1000: a large last bias, small last weights."""
    point = sample_point(spec, 4, seed=0)
    params = dict(point.params)
    params["W2"] = 1e-3 * params["W2"]
    params["b2"] = np.array([1000.0, -1000.0, 0.0])
    return params, point.X, point.Y


@pytest.mark.parametrize("loss", LOSSES)
def test_logits_of_plus_minus_1000_give_finite_loss_and_gradients(loss):
    spec = NetworkSpec((3, 4, 3), ("relu",), loss)
    params, X, Y = _extreme_logits_point(spec)
    net = compiled(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no 0·log 0, no invalid value
        value = net.loss(params, X, Y)
        grads = net.gradients(params, X, Y)
        output = net.forward(params, X)
    assert np.isfinite(value)
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    assert np.all(np.isfinite(output))
    logits = np.maximum(X @ params["W1"] + params["b1"], 0) @ params["W2"] + params["b2"]
    assert np.abs(logits).max() > 999
    comparison = compare_gradients(grads, autograd_gradients(spec, params, X, Y), "float64", "autograd")
    assert comparison.passed, comparison.worst


def test_points_keep_clear_of_kinks():
    spec = NetworkSpec((6, 8, 8, 2), ("relu", "leaky_relu"), "mse")
    point = sample_point(spec, 200, seed=5)
    a = point.X
    for layer in (1, 2):
        z = a @ point.params[f"W{layer}"] + point.params[f"b{layer}"]
        assert np.abs(z).min() >= 1e-3
        a = np.maximum(z, 0) if layer == 1 else np.where(z > 0, z, 0.01 * z)


def test_batch_below_one_is_refused():
    with pytest.raises(ValueError, match="batch"):
        sample_point(NetworkSpec(), 0)


# ------------------------------------------------------------- the checkers catch mistakes


def _hand_backprop(spec: NetworkSpec, params, X, Y, mistake: str = ""):
    """A hand-written numpy backprop of a sigmoid network with BCE; ``mistake`` plants one error."""
    def sigmoid(t):
        return np.exp(-np.logaddexp(0, -t))

    n, K = Y.shape
    zs, activations = [], [X]
    for layer in range(1, spec.depth + 1):
        z = activations[-1] @ params[f"W{layer}"] + params[f"b{layer}"]
        zs.append(z)
        if layer < spec.depth:
            activations.append(sigmoid(z))
    delta = (sigmoid(zs[-1]) - Y) / (1 if mistake == "missing 1/(nK)" else n * K)
    grads = {}
    for layer in range(spec.depth, 0, -1):
        a_prev = activations[layer - 1]
        grads[f"W{layer}"] = delta.T @ a_prev if mistake == "transposed dW" else a_prev.T @ delta
        grads[f"b{layer}"] = delta.sum(axis=0)
        if layer > 1:
            s = activations[layer - 1]
            derivative = s * s if mistake == "sigma' as sigma^2" else s * (1 - s)
            delta = (delta @ params[f"W{layer}"].T) * derivative
    if mistake == "0.1% off":
        grads["W1"] = grads["W1"] * 1.001
    if mistake == "missing b1":
        del grads["b1"]
    return grads


MISTAKES = ["0.1% off", "sigma' as sigma^2", "missing 1/(nK)", "transposed dW", "missing b1"]


@pytest.fixture(scope="module")
def sigmoid_case():
    spec = NetworkSpec((5, 4, 4, 3), ("sigmoid", "sigmoid"), "sigmoid_bce")
    point = sample_point(spec, 6, seed=7)
    references = {"autograd": autograd_gradients(spec, point.params, point.X, point.Y),
                  "fd": finite_difference_gradients(spec, point.params, point.X, point.Y)}
    return spec, point, references


def test_hand_written_backprop_without_mistakes_passes(sigmoid_case):
    spec, point, references = sigmoid_case
    grads = _hand_backprop(spec, point.params, point.X, point.Y)
    for name, reference in references.items():
        assert compare_gradients(grads, reference, "float64", name).passed


@pytest.mark.parametrize("mistake", MISTAKES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_every_reference_catches_a_planted_mistake(sigmoid_case, mistake, dtype):
    spec, point, references = sigmoid_case
    grads = _hand_backprop(spec, point.params, point.X, point.Y, mistake)
    for name, reference in references.items():
        comparison = compare_gradients(grads, reference, dtype, name)
        assert not comparison.passed, (mistake, name, comparison.worst)


def test_compiled_gradients_planted_off_by_a_tenth_of_a_percent_fail():
    spec = _spec()
    point = sample_point(spec, 6, seed=4)
    grads = dict(compiled(spec).gradients(point.params, point.X, point.Y))
    index = np.unravel_index(np.argmax(np.abs(grads["W2"])), grads["W2"].shape)
    grads["W2"] = grads["W2"].copy()
    grads["W2"][index] *= 1.001
    reference = autograd_gradients(spec, point.params, point.X, point.Y)
    comparison = compare_gradients(grads, reference, "float64", "autograd")
    assert not comparison.passed
    assert [e.name for e in comparison.errors if not e.passed] == ["W2"]
    assert comparison.worst.max_rel == pytest.approx(1e-3, rel=1e-6)


def test_parameter_error_reports_shape_and_non_finite_problems():
    limit = tolerance("float64", "torch")
    assert limit == 1e-10 and tolerance("float32", "fd") > tolerance("float64", "fd")
    assert "shape" in parameter_error("W1", np.zeros((2, 3)), np.zeros((3, 2)), limit).problem
    assert parameter_error("W1", np.array([np.nan]), np.array([1.0]), limit).passed is False
    sampled = np.array([1.0, np.nan, 3.0])
    assert parameter_error("b1", np.array([1.0, 99.0, 3.0]), sampled, limit).passed  # unsampled entry skipped


def test_comparison_rows_follow_the_networks_parameter_order_whatever_the_reference_order():
    """JAX returns its gradient dict with sorted keys (W1, W2, ..., b1, ...); rows stay W1, b1, W2, ..."""
    import numpy as np

    computed = {name: np.ones(2) for name in ("W1", "b1", "W2", "b2")}
    reference = {name: np.ones(2) for name in sorted(computed)}
    comparison = compare_gradients(computed, reference, "float64", "jax")
    assert [error.name for error in comparison.errors] == ["W1", "b1", "W2", "b2"]
