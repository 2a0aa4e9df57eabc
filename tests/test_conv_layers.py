"""Convolution and pooling: proofs on named instances, planted mistakes caught twice, kernels against PyTorch."""

from __future__ import annotations

import importlib
import importlib.util
import json

import numpy as np
import pytest

from backprop_derive.network.layers import LAYERS, flatten, grids, prove_layer
from backprop_derive.numeric.bindings import bound
from backprop_derive.numeric.kernels import get_kernel

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
NAMES = ("conv1d", "conv2d", "maxpool2d", "avgpool2d", "flatten")

#: mistake -> (layer, the planted backward formulas, the gradients it must get wrong)
PLANTED = {
    "conv2d kernel not flipped in dx": ("conv2d", grids.conv_backward_with(flips=0), {"dx"}),
    "conv2d kernel flipped twice in dx": ("conv2d", grids.conv_backward_with(flips=2), {"dx"}),
    "conv2d stride forgotten in the backward": ("conv2d", grids.conv_backward_with(stride_in_backward=False),
                                                {"dx", "dW"}),
    "conv1d kernel not flipped in dx": ("conv1d", grids.conv_backward_with(flips=0), {"dx"}),
    "conv1d stride forgotten in the backward": ("conv1d", grids.conv_backward_with(stride_in_backward=False),
                                                {"dx", "dW"}),
    "max-pool gradient to every cell of the window": ("maxpool2d", grids.maxpool_backward_with(every_cell=True),
                                                      {"dx"}),
    "avg-pool without 1/(k·k)": ("avgpool2d", grids.avgpool_backward_with(scaled=False), {"dx"}),
    "flatten read back column-major": ("flatten", flatten.backward_with("F"), {"dx"}),
}

#: layer -> (per-sample input shape, parameter shapes, settings) for the numeric checks
CASES = {
    "conv1d": [((3, 9), {"W": (4, 3, 3), "b": (4,)}, {"stride": s, "padding": p}) for s in (1, 2) for p in (0, 1)],
    "conv2d": [((3, 7, 6), {"W": (4, 3, 3, 2), "b": (4,)}, {"stride": s, "padding": p}) for s in (1, 2) for p in (0, 1)]
    + [((1, 8, 8), {"W": (2, 1, 5, 5), "b": (2,)}, {"stride": 3, "padding": 2})],
    "maxpool2d": [((2, 6, 7), {}, {"kernel": 2, "stride": None}), ((2, 7, 7), {}, {"kernel": 3, "stride": 2}),
                  ((1, 5, 6), {}, {"kernel": 2, "stride": 1})],
    "avgpool2d": [((2, 6, 7), {}, {"kernel": 2, "stride": None}), ((2, 7, 7), {}, {"kernel": 3, "stride": 2})],
    "flatten": [((2, 3, 4), {}, {})],
}


def _point(name, case, seed=0, batch=2):
    shape, params, settings = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, *shape))
    return x, [rng.standard_normal(s) for s in params.values()], settings


def _kernel_gradients(name, x, params, settings, g=None):
    kernel = get_kernel(name)
    y, cache = kernel.forward(x, *params, **settings)
    g = np.random.default_rng(7).standard_normal(y.shape) if g is None else g
    return y, g, kernel.backward(g, cache)


def _formula_gradients(backward, g, x, params, settings):
    """The SymPy-side formulas evaluated at numbers, sample by sample; parameter gradients summed."""
    total = None
    for n in range(x.shape[0]):
        grads = backward(g[n], x[n], *params, **settings)
        arrays = {key: np.array(value.tolist(), dtype=float) for key, value in grads.items()}
        if total is None:
            total = {key: [value] if key == "dx" else value for key, value in arrays.items()}
        else:
            for key, value in arrays.items():
                total[key] = total[key] + [value] if key == "dx" else total[key] + value
    total["dx"] = np.stack(total["dx"])
    return total


def _torch_gradients(name, x, params, settings, g):
    import torch

    tensors = [torch.tensor(a, requires_grad=True) for a in (x, *params)]
    bound(name, "torch")(*tensors, **settings).backward(torch.tensor(g))
    return [t.grad.numpy() for t in tensors]


def _rel(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


@pytest.mark.parametrize("name", NAMES)
def test_each_layer_is_proved_exactly_on_named_instances_never_called_symbolic(name):
    proof = prove_layer(LAYERS[name])
    assert proof.proved, proof.method
    assert proof.sizes.startswith("instances: ") and proof.to_json()["sizes"] == proof.sizes
    assert proof.method.startswith("exactly on instances") and "symbolic sizes" not in proof.method
    instances = importlib.import_module(f"backprop_derive.network.layers.{name}").INSTANCES
    assert all(instance.label in proof.method for instance in instances)  # the sizes are named


@pytest.mark.parametrize("mistake", PLANTED)
def test_a_planted_mistake_is_rejected_by_the_proof(mistake):
    name, backward, wrong = PLANTED[mistake]
    proof = prove_layer(LAYERS[name], backward)
    assert not proof.proved
    assert {key for key, part in proof.gradients if not part.proved} == wrong


@needs_torch
@pytest.mark.parametrize("mistake", PLANTED)
def test_a_planted_mistake_is_caught_by_the_numeric_check_against_pytorch(mistake):
    name, backward, wrong = PLANTED[mistake]
    for case in CASES[name]:
        x, params, settings = _point(name, case)
        _, g, _ = _kernel_gradients(name, x, params, settings)
        right = _formula_gradients(LAYERS[name].backward, g, x, params, settings)
        planted = _formula_gradients(backward, g, x, params, settings)
        torch_grads = dict(zip(["dx", *[f"d{p}" for p in LAYERS[name].parameters]],
                               _torch_gradients(name, x, params, settings, g), strict=True))
        assert all(_rel(right[k], torch_grads[k]) < 1e-10 for k in torch_grads)
        if settings.get("stride", 1) == 1 and "stride" in mistake:
            continue  # the stride cannot be forgotten where it is 1
        assert {k for k in torch_grads if _rel(planted[k], torch_grads[k]) > 1e-6} == wrong, (mistake, case)


@pytest.mark.parametrize("name", NAMES)
def test_the_kernel_backward_equals_the_proved_formula_at_numbers(name):
    for case in CASES[name]:
        x, params, settings = _point(name, case, seed=3)
        y, g, grads = _kernel_gradients(name, x, params, settings)
        formula = _formula_gradients(LAYERS[name].backward, g, x, params, settings)
        forward = np.stack([np.array(LAYERS[name].forward(x[n], *params, **settings).tolist(), dtype=float)
                            for n in range(x.shape[0])])
        assert _rel(y, forward) < 1e-12
        for key, value in zip(["dx", *[f"d{p}" for p in LAYERS[name].parameters]], grads, strict=True):
            assert value.shape == formula[key].shape and _rel(value, formula[key]) < 1e-12, (name, key, case)


@needs_torch
@pytest.mark.parametrize("name", NAMES)
def test_the_kernel_equals_pytorch_autograd_in_float64(name):
    for seed, case in enumerate(CASES[name]):
        x, params, settings = _point(name, case, seed=seed, batch=3)
        y, g, grads = _kernel_gradients(name, x, params, settings)
        import torch

        assert _rel(y, bound(name, "torch")(*map(torch.tensor, (x, *params)), **settings).numpy()) < 1e-12
        for mine, theirs in zip(grads, _torch_gradients(name, x, params, settings, g), strict=True):
            assert mine.shape == theirs.shape and _rel(mine, theirs) < 1e-10


@pytest.mark.parametrize("name", NAMES)
def test_the_kernel_matches_central_finite_differences(name):
    x, params, settings = _point(name, CASES[name][-1], seed=5)
    _, g, grads = _kernel_gradients(name, x, params, settings)
    forward = get_kernel(name).forward
    arrays, h = [x, *params], 1e-6
    for which, grad in enumerate(grads):
        numeric = np.zeros_like(arrays[which])
        for index in np.ndindex(arrays[which].shape):
            shifted = [a.copy() for a in arrays]
            shifted[which][index] += h
            up = np.sum(g * forward(*shifted, **settings)[0])
            shifted[which][index] -= 2 * h
            numeric[index] = (up - np.sum(g * forward(*shifted, **settings)[0])) / (2 * h)
        assert _rel(grad, numeric) < 1e-6, (name, which)


@needs_torch
@pytest.mark.parametrize(("kernel", "stride"), [(2, None), (2, 1), (3, 2), (3, 1)])
def test_maxpool_at_ties_sends_the_gradient_where_pytorch_does(kernel, stride):
    rng = np.random.default_rng(kernel * 10 + (stride or 0))
    for x in (np.round(rng.standard_normal((2, 3, 7, 8))), np.zeros((1, 2, 6, 6)), np.ones((1, 1, 5, 5))):
        _, g, (dx,) = _kernel_gradients("maxpool2d", x, [], {"kernel": kernel, "stride": stride})
        (theirs,) = _torch_gradients("maxpool2d", x, [], {"kernel": kernel, "stride": stride}, g)
        assert np.allclose(dx, theirs, rtol=1e-12, atol=1e-14)  # overlapping windows add in another order
        planted = _formula_gradients(grids.maxpool_backward_with(every_cell=True), g, x, [],
                                     {"kernel": kernel, "stride": stride})
        assert not np.allclose(planted["dx"], theirs)
    window = np.array([[[[0.0, 2.0], [2.0, 1.0]]]])  # two maxima: the first in row-major order takes it
    _, _, (dx,) = _kernel_gradients("maxpool2d", window, [], {"kernel": 2}, np.ones((1, 1, 1, 1)))
    assert dx.tolist() == [[[[0.0, 1.0], [0.0, 0.0]]]]


@pytest.mark.parametrize("framework", ["numpy", "autograd"])
@pytest.mark.parametrize("name", NAMES)
def test_the_numpy_and_autograd_bindings_compute_the_same_forward(name, framework):
    if importlib.util.find_spec(framework) is None:
        pytest.skip(f"{framework} is not installed")
    x, params, settings = _point(name, CASES[name][-1], seed=9)
    y, g, grads = _kernel_gradients(name, x, params, settings)
    assert _rel(np.asarray(bound(name, framework)(x, *params, **settings)), y) < 1e-12
    if framework == "autograd":
        from autograd import grad

        for which, mine in enumerate(grads):
            def pairing(a, which=which):
                args = [x, *params]
                args[which] = a
                return (bound(name, "autograd")(*args, **settings) * g).sum()

            assert _rel(mine, grad(pairing)([x, *params][which])) < 1e-10


@pytest.mark.parametrize(("name", "shape", "params", "settings", "says"), [
    ("conv2d", (1, 4, 4), {"W": (2, 1, 5, 5), "b": (2,)}, {"stride": 1, "padding": 0}, "larger than the padded input"),
    ("conv2d", (1, 6, 6), {"W": (2, 1, 3, 3), "b": (2,)}, {"stride": 0, "padding": 0}, "must be positive"),
    ("conv2d", (2, 6, 6), {"W": (2, 1, 3, 3), "b": (2,)}, {}, "does not fit a weight"),
    ("conv1d", (1, 2), {"W": (2, 1, 3), "b": (2,)}, {"stride": 1, "padding": 0}, "longer than the padded input"),
    ("conv1d", (1, 6), {"W": (2, 1, 3), "b": (2,)}, {"stride": 0}, "must be positive"),
    ("maxpool2d", (1, 3, 3), {}, {"kernel": 4}, "larger than the input"),
    ("avgpool2d", (1, 6, 6), {}, {"kernel": 2, "stride": 0}, "must be positive"),
])
def test_bad_settings_are_a_one_line_value_error(name, shape, params, settings, says):
    x, arrays, _ = _point(name, (shape, params, settings))
    with pytest.raises(ValueError, match=says) as error:
        get_kernel(name).forward(x, *arrays, **settings)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("name", NAMES)
def test_show_json_reports_the_layer_proved_on_instances(capsys, name):
    from backprop_derive.cli import main

    assert main(["show", name, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "layer" and data["proof"]["proved"] is True
    assert data["proof"]["sizes"].startswith("instances: ")
    assert {row["lhs"] for row in data["matrix_form"]} >= {f"∂L/∂{p}" for p in ("x", *LAYERS[name].parameters)}
