r"""Reference gradients: HIPS autograd, PyTorch, JAX and central finite differences.

Each is one function with the same signature, ``(spec, params, X, Y) -> grads``, ``grads`` a dict
with the keys and shapes of ``params``.  Each writes the network from its own framework's
functions (nothing is shared with ``checks.compile``), in the dtype of the inputs:

.. math::  Z_l = A_{l-1} W_l + b_l, \quad A_l = f_l(Z_l), \quad
           L = \text{reduce}(\text{loss}(Z_L, Y))

PyTorch and JAX are imported inside their functions, so this module imports without them;
:func:`unavailable` says why one cannot run.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable

import numpy as np

from derive import functions as fn
from derive.network_spec import NetworkSpec

LEAKY_SLOPE = float(fn.LEAKY_RELU_SLOPE)
ELU_ALPHA = float(fn.ELU_ALPHA)

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


# ------------------------------------------------------------------------------- autograd


def _autograd_erf():
    """erf as an autograd primitive: value from ``math.erf``, derivative :math:`2 e^{-x^2}/\\sqrt\\pi`.

    autograd's own erf lives in ``autograd.scipy.special`` and needs SciPy (tens of MB) for this one
    function; the derivative is the table one, and PyTorch checks the same GELU independently.
    """
    from autograd.extend import defvjp, primitive

    erf = primitive(_numpy_erf)
    defvjp(erf, lambda ans, x: lambda g: g * (2 / math.sqrt(math.pi)) * np.exp(-(x**2)))
    return erf


def _numpy_erf(x):
    """erf of an array, entry by entry with ``math.erf`` (numpy has none), in the array's float dtype."""
    return np.vectorize(math.erf, otypes=[float])(x).astype(np.result_type(x, np.float32))


def _activations(xnp, erf) -> dict[str, Callable]:
    """The activations written with ``xnp`` (numpy or ``autograd.numpy``) and an ``erf`` for it."""

    def sigmoid(x):
        return xnp.exp(-xnp.logaddexp(0, -x))

    return {
        "identity": lambda x: x,
        "sigmoid": sigmoid,
        "tanh": xnp.tanh,
        "relu": lambda x: xnp.maximum(x, 0.0),
        "leaky_relu": lambda x: xnp.where(x > 0, x, LEAKY_SLOPE * x),
        "elu": lambda x: xnp.where(x > 0, x, ELU_ALPHA * (xnp.exp(xnp.minimum(x, 0.0)) - 1)),
        "softplus": lambda x: xnp.logaddexp(0, x),
        "silu": lambda x: x * sigmoid(x),
        "gelu": lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2))),
    }


def numpy_loss(spec: NetworkSpec, xnp=np, erf=_numpy_erf) -> Callable:
    """The network's scalar loss ``(params, X, Y) -> L`` written with ``xnp`` (plain numpy by default)."""
    table = _activations(xnp, erf)
    activations = [table[name] for name in spec.activations]

    def loss(params, X, Y):
        a = X
        for layer in range(1, spec.depth + 1):
            z = xnp.dot(a, params[f"W{layer}"]) + params[f"b{layer}"]
            a = activations[layer - 1](z) if layer < spec.depth else z
        n, K = Y.shape
        if spec.loss == "softmax_cce":
            shifted = a - xnp.max(a, axis=1, keepdims=True)
            log_probabilities = shifted - xnp.log(xnp.sum(xnp.exp(shifted), axis=1, keepdims=True))
            total, count = -xnp.sum(Y * log_probabilities), n
        elif spec.loss == "sigmoid_bce":
            total, count = xnp.sum(xnp.logaddexp(0, a) - Y * a), n * K
        else:
            total, count = xnp.sum((a - Y) ** 2), n * K
        return total / count if spec.reduction == "mean" else total

    return loss


def autograd_loss(spec: NetworkSpec) -> Callable:
    """:func:`numpy_loss` in ``autograd.numpy``, with erf as an autograd primitive."""
    import autograd.numpy as anp

    return numpy_loss(spec, anp, _autograd_erf())


def autograd_gradients(spec: NetworkSpec, params, X, Y) -> dict[str, np.ndarray]:
    """HIPS autograd's gradient of :func:`autograd_loss`."""
    from autograd import grad

    return dict(grad(autograd_loss(spec))(dict(params), X, Y))


# -------------------------------------------------------------------------------- PyTorch


def torch_gradients(spec: NetworkSpec, params, X, Y) -> dict[str, np.ndarray]:
    """PyTorch eager: ``torch.nn.functional`` activations and ``cross_entropy`` /
    ``binary_cross_entropy_with_logits`` / ``mse_loss`` with the same reduction."""
    import torch
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    table = {
        "identity": lambda t: t, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, LEAKY_SLOPE), "elu": lambda t: F.elu(t, ELU_ALPHA),
        "softplus": F.softplus, "silu": F.silu, "gelu": lambda t: F.gelu(t, approximate="none"),
    }
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    a = torch.tensor(X)
    for layer in range(1, spec.depth + 1):
        z = a @ tensors[f"W{layer}"] + tensors[f"b{layer}"]
        a = table[spec.activations[layer - 1]](z) if layer < spec.depth else z
    labels = torch.tensor(Y)
    if spec.loss == "softmax_cce":
        loss = F.cross_entropy(a, labels, reduction=spec.reduction)  # labels as class probabilities
    elif spec.loss == "sigmoid_bce":
        loss = F.binary_cross_entropy_with_logits(a, labels, reduction=spec.reduction)
    else:
        loss = F.mse_loss(a, labels, reduction=spec.reduction)
    loss.backward()
    return {k: t.grad.numpy() for k, t in tensors.items()}


# ------------------------------------------------------------------------------------ JAX


def jax_gradients(spec: NetworkSpec, params, X, Y) -> dict[str, np.ndarray]:
    """JAX: ``jax.nn`` activations, ``jax.grad``; float64 through ``jax_enable_x64``.

    JAX's leaky ReLU takes the slope 1 at 0 where PyTorch and this project take 0.01; the points
    compared keep clear of 0, so the difference never shows.
    """
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    table = {
        "identity": lambda t: t, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "relu": jax.nn.relu,
        "leaky_relu": lambda t: jax.nn.leaky_relu(t, LEAKY_SLOPE), "elu": lambda t: jax.nn.elu(t, ELU_ALPHA),
        "softplus": jax.nn.softplus, "silu": jax.nn.silu, "gelu": lambda t: jax.nn.gelu(t, approximate=False),
    }

    def loss(tensors, inputs, labels):
        a = inputs
        for layer in range(1, spec.depth + 1):
            z = a @ tensors[f"W{layer}"] + tensors[f"b{layer}"]
            a = table[spec.activations[layer - 1]](z) if layer < spec.depth else z
        n, K = labels.shape
        if spec.loss == "softmax_cce":
            total, count = -jnp.sum(labels * jax.nn.log_softmax(a, axis=1)), n
        elif spec.loss == "sigmoid_bce":
            total, count = jnp.sum(jax.nn.softplus(a) - labels * a), n * K
        else:
            total, count = jnp.sum((a - labels) ** 2), n * K
        return total / count if spec.reduction == "mean" else total

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
    NaN, which ``checks.compare`` skips.
    """
    if max_entries is None:
        max_entries = fd_entries_per_parameter(spec, len(X))
    loss = numpy_loss(spec)
    point = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    inputs, labels = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
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
            above = loss(point, inputs, labels)
            flat[index] = original - step
            below = loss(point, inputs, labels)
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
