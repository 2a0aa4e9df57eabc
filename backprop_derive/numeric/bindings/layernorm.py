"""LayerNorm over the features: torch's ``F.layer_norm``, JAX's ``jax.nn.standardize``, numpy by hand."""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    def layernorm(x, gamma, beta, eps):
        xc = x - xnp.mean(x, axis=1, keepdims=True)
        var = xnp.mean(xc * xc, axis=1, keepdims=True)  # biased, as torch
        return xc / xnp.sqrt(var + eps) * gamma + beta

    return layernorm


def _torch():
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return lambda x, gamma, beta, eps: F.layer_norm(x, (x.shape[1],), gamma, beta, eps)


def _jax():
    jax, _ = jax_modules()
    return lambda x, gamma, beta, eps: jax.nn.standardize(x, axis=1, epsilon=eps) * gamma + beta


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
