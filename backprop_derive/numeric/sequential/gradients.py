r"""Reference gradients of a :class:`~backprop_derive.numeric.sequential.spec.Sequential` network, and the points they
are taken at.

The network's loss is composed from each framework's bindings (``backprop_derive/numeric/bindings/<kind>.py``:
``f(x, *params, **settings)``; the catalog activations and the losses from their tables), layer by
layer, nothing shared with the kernels:

.. math::  A_0 = X,\quad A_l = f_l(A_{l-1}; \theta_l),\quad
           L = \text{loss}(A_L \text{ reshaped to } (\text{rows}, K),\ Y \text{ likewise})

so a sequence's loss is ``cross_entropy`` on the (N·T, K) logits.  :func:`torch_gradients` and
:func:`autograd_gradients` differentiate it by autodiff, :func:`finite_difference_gradients` by
central differences of the plain numpy composition (a random sample of a large parameter's entries;
the others NaN, which ``backprop_derive.numeric.compare`` skips).  Each has the MLP references' signature
``(spec, params, X, Y) -> grads``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from math import prod

import numpy as np

from backprop_derive.core import catalog
from backprop_derive.numeric.bindings import bound
from backprop_derive.numeric.points import MAX_REDRAWS, Point
from backprop_derive.numeric.references import central_differences
from backprop_derive.numeric.sequential.spec import Sequential

#: How close an activation's input may come to a kink.  Smaller than the MLP's 1e-3: a conv layer has
#: thousands of inputs per sample, and finite differences move each by about 1e-5.
KINK_MARGIN = 1e-4
#: Finite differences look at every entry of a parameter of at most this many entries, else at a sample.
FD_ENTRIES = 24


def _call_with_settings(function: Callable, settings: dict) -> Callable:
    """``function`` with the settings it accepts bound (a binding without ``**settings`` takes only its own)."""
    try:
        accepted = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return lambda x, *params: function(x, *params, **settings)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values()):
        given = settings
    else:
        given = {key: value for key, value in settings.items() if key in accepted}
    return lambda x, *params: function(x, *params, **given)


def layer_functions(spec: Sequential, framework: str) -> list[Callable]:
    """Each layer's forward in ``framework``, its settings bound: ``f(x, *params)``."""
    activations = None
    found = []
    for item in spec.layers:
        if item.kind == "activation":
            activations = activations or bound("activations", framework)
            found.append(activations[item.settings["name"]])
        else:
            found.append(_call_with_settings(bound(item.kind, framework), item.settings))
    return found


def network_loss(spec: Sequential, framework: str) -> Callable:
    """The network's scalar loss ``(params, X, Y) -> L`` from ``framework``'s bindings."""
    functions = layer_functions(spec, framework)
    head = bound("losses", framework)[spec.loss]
    names = [spec.parameters_of(position) for position in range(1, len(spec.layers) + 1)]
    classes = spec.outputs

    def loss(params, X, Y):
        a = X
        for function, parameters in zip(functions, names, strict=True):
            a = function(a, *(params[name] for name in parameters))
        return head(a.reshape(-1, classes), Y.reshape(-1, classes), spec.reduction)

    return loss


def torch_gradients(spec: Sequential, params, X, Y) -> dict[str, np.ndarray]:
    """PyTorch eager on the torch bindings, ``loss.backward()``."""
    import torch

    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    network_loss(spec, "torch")(tensors, torch.tensor(X), torch.tensor(Y)).backward()
    return {k: t.grad.numpy() for k, t in tensors.items()}


def autograd_gradients(spec: Sequential, params, X, Y) -> dict[str, np.ndarray]:
    """HIPS autograd on the autograd bindings."""
    from autograd import grad

    return dict(grad(network_loss(spec, "autograd"))(dict(params), X, Y))


def jax_gradients(spec: Sequential, params, X, Y) -> dict[str, np.ndarray]:
    """JAX (float64 through ``jax_enable_x64``, set by the bindings) on the jax bindings, ``jax.grad``."""
    import jax
    import jax.numpy as jnp

    loss = network_loss(spec, "jax")
    grads = jax.grad(loss)({k: jnp.asarray(v) for k, v in params.items()}, jnp.asarray(X), jnp.asarray(Y))
    return {k: np.asarray(v) for k, v in grads.items()}


def finite_difference_gradients(spec: Sequential, params, X, Y, max_entries: int = FD_ENTRIES,
                                seed: int = 0) -> dict[str, np.ndarray]:
    r"""Central differences of the numpy composition, :math:`h = \epsilon^{1/3}\max(1, |\theta|)`;
    a parameter of more than ``max_entries`` entries is sampled at random (the rest NaN)."""
    return central_differences(network_loss(spec, "numpy"), params, X, Y, max_entries, seed)


#: name -> reference, in the order reports list them (the MLP's: ``derive network --check`` names them).
REFERENCES: dict[str, Callable] = {
    "autograd": autograd_gradients,
    "torch": torch_gradients,
    "jax": jax_gradients,
    "fd": finite_difference_gradients,
}


# ---------------------------------------------------------------------------------- points


def parameters(spec: Sequential, rng: np.random.Generator) -> dict[str, np.ndarray]:
    r"""Weights :math:`\mathcal N(0, 1/\text{fan})`, fan = size / the larger of the first and last axes
    (fan_in for a dense (in, out) or a conv (out, in, k, k) weight), vectors :math:`\mathcal N(0, 0.1^2)`."""
    params = {}
    for name, shape in spec.parameter_shapes().items():
        if len(shape) >= 2:
            fan = prod(shape) / max(shape[0], shape[-1])
            params[name] = rng.standard_normal(shape) / np.sqrt(fan)
        else:
            params[name] = 0.1 * rng.standard_normal(shape)
    return params


def _inputs(spec: Sequential, batch: int, rng: np.random.Generator) -> np.ndarray:
    if spec.tokens:
        return rng.integers(0, spec.tokens, size=(batch, *spec.input))
    return rng.standard_normal((batch, *spec.input))


def _samples_near_kinks(spec: Sequential, params, X, margin: float) -> np.ndarray:
    """Which samples put an activation's input within ``margin`` of one of its kinks."""
    near = np.zeros(X.shape[0], dtype=bool)
    a = X
    for position, (item, function) in enumerate(zip(spec.layers, layer_functions(spec, "numpy"), strict=True), 1):
        if item.kind == "activation":
            for kink in catalog.get(item.settings["name"]).kinks:
                near |= (np.abs(a - kink) < margin).reshape(len(a), -1).any(axis=1)
        a = function(a, *(params[name] for name in spec.parameters_of(position)))
    return near


def sample_point(spec: Sequential, batch: int, seed: int = 0, kink_margin: float = KINK_MARGIN) -> Point:
    """A reproducible float64 point: parameters, inputs (N, *input), one-hot labels of the logits' shape;
    samples that come within ``kink_margin`` of an activation's kink are drawn again."""
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    rng = np.random.default_rng(seed)
    params = parameters(spec, rng)
    X = _inputs(spec, batch, rng)
    rows = batch * prod(spec.shapes[-1][:-1])
    Y = np.eye(spec.outputs)[rng.integers(0, spec.outputs, size=rows)].reshape(batch, *spec.shapes[-1])
    if kink_margin > 0 and any(item.kind == "activation" and catalog.get(item.settings["name"]).kinks
                               for item in spec.layers):
        for _ in range(MAX_REDRAWS):
            near = _samples_near_kinks(spec, params, X, kink_margin)
            if not near.any():
                break
            X[near] = _inputs(spec, int(near.sum()), rng)
        else:
            raise RuntimeError(f"no point {kink_margin} clear of the kinks after {MAX_REDRAWS} redraws")
    return Point(params, X, Y)
