"""Single-head attention softmax(Q Kᵀ/√d) V: torch's ``scaled_dot_product_attention``, JAX's
``jax.nn.dot_product_attention``, numpy by hand (softmax shifted by the row maximum)."""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    def attention(Q, K, V):
        S = xnp.dot(Q, K.T) / xnp.sqrt(Q.shape[1])
        E = xnp.exp(S - xnp.max(S, axis=1, keepdims=True))
        return xnp.dot(E / xnp.sum(E, axis=1, keepdims=True), V)

    return attention


def _torch():
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return lambda Q, K, V: F.scaled_dot_product_attention(Q[None], K[None], V[None])[0]


def _jax():
    jax, _ = jax_modules()
    return lambda Q, K, V: jax.nn.dot_product_attention(Q[None, :, None, :], K[None, :, None, :],
                                                        V[None, :, None, :])[0, :, 0, :]


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
