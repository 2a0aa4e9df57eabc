"""BatchNorm in training mode: torch's ``F.batch_norm(training=True)``, ``jax.nn.standardize`` over the batch."""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    def batchnorm(x, gamma, beta, eps):
        xc = x - xnp.mean(x, axis=0, keepdims=True)
        var = xnp.mean(xc * xc, axis=0, keepdims=True)  # biased: the batch statistics of training mode
        return xc / xnp.sqrt(var + eps) * gamma + beta

    return batchnorm


def _torch():
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return lambda x, gamma, beta, eps: F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)


def _jax():
    jax, _ = jax_modules()
    return lambda x, gamma, beta, eps: jax.nn.standardize(x, axis=0, epsilon=eps) * gamma + beta


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
