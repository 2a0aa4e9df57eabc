r"""Reference gradients: HIPS autograd, PyTorch, JAX and central finite differences.

Each is one function with the same signature, ``(spec, params, X, Y) -> grads``, ``grads`` a dict
with the keys and shapes of ``params``.  Each writes the network from its own framework's
functions (nothing is shared with ``backprop_derive.numeric.compile``), in the dtype of the inputs:

.. math::  Z_l = A_{l-1} W_l + b_l, \quad A_l = f_l(Z_l), \quad
           L = \text{reduce}(\text{loss}(Z_L, Y))

PyTorch and JAX are imported inside their functions, so this module imports without them;
:func:`unavailable` says why one cannot run.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import numpy as np

from backprop_derive.network.layers import LAYERS
from backprop_derive.network.spec import NetworkSpec
from backprop_derive.numeric.bindings import bound

#: Finite differences look at every entry while that costs under this many multiply-adds in all
#: (two loss evaluations per entry, each ``batch · Σ fan_in·fan_out`` plus a fixed overhead), and
#: otherwise at a random sample of each parameter's entries, never fewer than FD_MIN_ENTRIES.
FD_BUDGET = 2e9
FD_MIN_ENTRIES = 20
FD_OVERHEAD = 20_000

INSTALL_HINT = {"torch": 'pip install -e ".[torch]"  (torch==2.13.0)', "jax": 'pip install -e ".[jax]"'}


def unavailable(name: str) -> str | None:
    """Why the reference ``name`` cannot run here (a missing package), or None."""
    package = {"autograd": "autograd", "torch": "torch", "jax": "jax"}.get(name)
    if package is None:
        return None
    try:
        found = importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # ValueError: blocked in sys.modules
        found = False
    if not found:
        hint = INSTALL_HINT.get(name, f"pip install {package}")
        return f"{package} is not installed ({hint})"
    return None


# ------------------------------------------------------------------------------ the network


def network_loss(spec: NetworkSpec, framework: str) -> Callable:
    """The network's scalar loss ``(params, X, Y) -> L`` from ``framework``'s bindings.

    One forward loop for every framework: block by block, dense, then for a hidden block its norm
    and activation, and the skip connection; then the loss.  Each operation is the framework's own
    (``backprop_derive.numeric.bindings``), so nothing is shared with ``backprop_derive.numeric.compile``.
    """
    activations = bound("activations", framework)
    losses = bound("losses", framework)
    layers = {name: bound(name, framework) for name in ("dense", "residual", *filter(None, [spec.norm]))}
    eps = {name: LAYERS[name].settings.get("eps") for name in layers}

    def loss(params, X, Y):
        a = X
        for block in spec.blocks():
            layer = block.layer
            h = layers["dense"](a, params[f"W{layer}"], params[f"b{layer}"])
            if block.norm:
                h = layers[block.norm](h, params[f"gamma{layer}"], params[f"beta{layer}"], eps[block.norm])
            if block.activation:
                h = activations[block.activation](h)
            a = layers["residual"](a, h) if block.residual else h
        return losses[spec.loss](a, Y, spec.reduction)

    return loss


def numpy_loss(spec: NetworkSpec) -> Callable:
    """The network's scalar loss in plain numpy (what finite differences differentiate)."""
    return network_loss(spec, "numpy")


def autograd_loss(spec: NetworkSpec) -> Callable:
    """The network's loss in ``autograd.numpy``, with erf as an autograd primitive."""
    return network_loss(spec, "autograd")


def autograd_gradients(spec: NetworkSpec, params, X, Y) -> dict[str, np.ndarray]:
    """HIPS autograd's gradient of :func:`autograd_loss`."""
    from autograd import grad

    return dict(grad(autograd_loss(spec))(dict(params), X, Y))


def torch_gradients(spec: NetworkSpec, params, X, Y) -> dict[str, np.ndarray]:
    """PyTorch eager: ``torch.nn.functional`` activations, norms and losses, ``loss.backward()``."""
    import torch

    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    network_loss(spec, "torch")(tensors, torch.tensor(X), torch.tensor(Y)).backward()
    return {k: t.grad.numpy() for k, t in tensors.items()}


def jax_gradients(spec: NetworkSpec, params, X, Y) -> dict[str, np.ndarray]:
    """JAX: ``jax.nn`` activations and ``jax.nn.standardize`` norms, ``jax.grad``; float64 through
    ``jax_enable_x64``.

    JAX's leaky ReLU takes the slope 1 at 0 where PyTorch and this project take 0.01; the points
    compared keep clear of 0, so the difference never shows.
    """
    import jax
    import jax.numpy as jnp

    loss = network_loss(spec, "jax")
    tensors = {k: jnp.asarray(v) for k, v in params.items()}
    grads = jax.grad(loss)(tensors, jnp.asarray(X), jnp.asarray(Y))
    return {k: np.asarray(v) for k, v in grads.items()}


# ------------------------------------------------------------------ finite differences


def fd_entries_per_parameter(spec: NetworkSpec, batch: int) -> int:
    """How many entries of each parameter finite differences look at (see :data:`FD_BUDGET`)."""
    per_loss = batch * sum(a * b for a, b in zip(spec.layers[:-1], spec.layers[1:], strict=True)) + FD_OVERHEAD
    return max(FD_MIN_ENTRIES, int(FD_BUDGET / (2 * 2 * spec.depth * per_loss)))


def finite_difference_gradients(spec: NetworkSpec, params, X, Y, max_entries: int | None = None,
                                seed: int = 0) -> dict[str, np.ndarray]:
    r"""Central differences of :func:`numpy_loss` (plain numpy) in float64, whatever the inputs' dtype.

    :math:`\partial L/\partial\theta \approx (L(\theta + h) - L(\theta - h))/(2h)` with
    :math:`h = \epsilon^{1/3}\max(1, |\theta|)` (truncation and rounding error both near
    :math:`\epsilon^{2/3} \approx 10^{-11}`).  A parameter with more than ``max_entries`` entries
    (default: :func:`fd_entries_per_parameter`) is sampled at random: the entries not looked at are
    NaN, which ``backprop_derive.numeric.compare`` skips.
    """
    if max_entries is None:
        max_entries = fd_entries_per_parameter(spec, len(X))
    inputs, labels = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    return central_differences(numpy_loss(spec), params, inputs, labels, max_entries, seed)


def central_differences(loss: Callable, params, X, Y, max_entries: int, seed: int = 0) -> dict[str, np.ndarray]:
    r"""``loss(params, X, Y)``'s gradient by central differences, :math:`h = \epsilon^{1/3}\max(1, |\theta|)`,
    each parameter of more than ``max_entries`` entries at a seeded random sample of them (the rest NaN);
    the MLP's and the sequential networks' finite differences both."""
    point = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    rng = np.random.default_rng(seed)
    grads = {}
    for name, value in point.items():
        flat = value.reshape(-1)
        chosen = np.arange(flat.size)
        if flat.size > max_entries:
            chosen = np.sort(rng.choice(flat.size, size=max_entries, replace=False))
        estimate = np.full(flat.size, np.nan)
        for index in chosen:
            original = flat[index]
            step = np.cbrt(np.finfo(np.float64).eps) * max(1.0, abs(original))
            flat[index] = original + step
            above = loss(point, X, Y)
            flat[index] = original - step
            below = loss(point, X, Y)
            flat[index] = original
            estimate[index] = (above - below) / (2 * step)
        grads[name] = estimate.reshape(value.shape)
    return grads


#: name -> reference function, in the order reports list them.
REFERENCES: dict[str, Callable] = {
    "autograd": autograd_gradients,
    "torch": torch_gradients,
    "jax": jax_gradients,
    "fd": finite_difference_gradients,
}
