"""The catalog's activations in every framework (PyTorch's and JAX's own functions where they have them)."""

from __future__ import annotations

import math

import numpy as np

from backprop_derive.core import functions as fn
from backprop_derive.core import functions_more as fm
from backprop_derive.numeric.bindings.frameworks import autograd_erf, autograd_numpy, jax_modules, numpy_erf

LEAKY_SLOPE = float(fn.LEAKY_RELU_SLOPE)
ELU_ALPHA = float(fn.ELU_ALPHA)
SELU_ALPHA, SELU_SCALE, PRELU_SLOPE = float(fm.SELU_ALPHA), float(fm.SELU_SCALE), float(fm.PRELU_SLOPE)
GELU_C, GELU_A = math.sqrt(2 / math.pi), float(fm.GELU_A)


def numpy_like(xnp, erf) -> dict:
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
        "mish": lambda x: x * xnp.tanh(xnp.logaddexp(0, x)),
        "selu": lambda x: SELU_SCALE * xnp.where(x > 0, x, SELU_ALPHA * (xnp.exp(xnp.minimum(x, 0.0)) - 1)),
        "softsign": lambda x: x / (1 + xnp.abs(x)),
        "hard_sigmoid": lambda x: xnp.clip(x + 3, 0, 6) / 6,
        "hard_swish": lambda x: x * xnp.clip(x + 3, 0, 6) / 6,
        "prelu": lambda x: xnp.where(x > 0, x, PRELU_SLOPE * x),
        "gelu_tanh": lambda x: 0.5 * x * (1 + xnp.tanh(GELU_C * (x + GELU_A * x**3))),
    }


def _torch() -> dict:
    import torch
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return {
        "identity": lambda t: t, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, LEAKY_SLOPE), "elu": lambda t: F.elu(t, ELU_ALPHA),
        "softplus": F.softplus, "silu": F.silu, "gelu": lambda t: F.gelu(t, approximate="none"),
        # F.hardsigmoid/F.hardswish use 1/6 as a float32 constant even in float64 (errors of ~1e-8): their
        # documented definition through relu6 is exact, and F.hardsigmoid is compared to it in the tests
        "mish": F.mish, "selu": F.selu, "softsign": F.softsign, "hard_sigmoid": lambda t: F.relu6(t + 3) / 6,
        "hard_swish": lambda t: t * F.relu6(t + 3) / 6,
        "prelu": lambda t: F.prelu(t, torch.full((1,), PRELU_SLOPE, dtype=t.dtype)),
        "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
    }


def _jax() -> dict:
    jax, jnp = jax_modules()
    return {
        "identity": lambda t: t, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "relu": jax.nn.relu,
        "leaky_relu": lambda t: jax.nn.leaky_relu(t, LEAKY_SLOPE), "elu": lambda t: jax.nn.elu(t, ELU_ALPHA),
        "softplus": jax.nn.softplus, "silu": jax.nn.silu, "gelu": lambda t: jax.nn.gelu(t, approximate=False),
        "mish": jax.nn.mish, "selu": jax.nn.selu, "softsign": jax.nn.soft_sign, "hard_sigmoid": jax.nn.hard_sigmoid,
        "hard_swish": jax.nn.hard_swish, "prelu": lambda t: jnp.where(t > 0, t, PRELU_SLOPE * t),
        "gelu_tanh": lambda t: jax.nn.gelu(t, approximate=True),
    }


BINDINGS = {
    "numpy": lambda: numpy_like(np, numpy_erf),
    "autograd": lambda: numpy_like(autograd_numpy(), autograd_erf()),
    "torch": _torch,
    "jax": _jax,
}
