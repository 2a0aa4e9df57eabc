"""The catalog's activations in every framework (PyTorch's and JAX's own functions where they have them)."""

from __future__ import annotations

import math

import numpy as np

from checks.bindings.common import autograd_erf, autograd_numpy, jax_modules, numpy_erf
from derive import functions as fn

LEAKY_SLOPE = float(fn.LEAKY_RELU_SLOPE)
ELU_ALPHA = float(fn.ELU_ALPHA)


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
    }


def _torch() -> dict:
    import torch
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return {
        "identity": lambda t: t, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, LEAKY_SLOPE), "elu": lambda t: F.elu(t, ELU_ALPHA),
        "softplus": F.softplus, "silu": F.silu, "gelu": lambda t: F.gelu(t, approximate="none"),
    }


def _jax() -> dict:
    jax, jnp = jax_modules()
    return {
        "identity": lambda t: t, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "relu": jax.nn.relu,
        "leaky_relu": lambda t: jax.nn.leaky_relu(t, LEAKY_SLOPE), "elu": lambda t: jax.nn.elu(t, ELU_ALPHA),
        "softplus": jax.nn.softplus, "silu": jax.nn.silu, "gelu": lambda t: jax.nn.gelu(t, approximate=False),
    }


BINDINGS = {
    "numpy": lambda: numpy_like(np, numpy_erf),
    "autograd": lambda: numpy_like(autograd_numpy(), autograd_erf()),
    "torch": _torch,
    "jax": _jax,
}
