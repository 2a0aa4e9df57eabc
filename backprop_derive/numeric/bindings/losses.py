"""The output losses in every framework: ``f(logits, Y, reduction) -> scalar``.

numpy, autograd and JAX write each loss from its stable form (log-softmax by the row maximum,
softplus by ``logaddexp``) and divide by what ``mean`` averages over (the record's ``per_sample``);
PyTorch uses its own ``cross_entropy`` (labels as class probabilities),
``binary_cross_entropy_with_logits`` and ``mse_loss`` with the same reduction.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.network.losses import get_loss
from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def _reduced(name, total, shape, reduction):
    n, K = shape
    if reduction == "sum":
        return total
    return total / (n if get_loss(name).per_sample else n * K)


def numpy_like(xnp, log_softmax=None) -> dict:
    def row_log_softmax(a):
        shifted = a - xnp.max(a, axis=1, keepdims=True)
        return shifted - xnp.log(xnp.sum(xnp.exp(shifted), axis=1, keepdims=True))

    log_softmax = log_softmax or row_log_softmax
    return {
        "softmax_cce": lambda a, Y, r: _reduced("softmax_cce", -xnp.sum(Y * log_softmax(a)), Y.shape, r),
        "sigmoid_bce": lambda a, Y, r: _reduced("sigmoid_bce", xnp.sum(xnp.logaddexp(0, a) - Y * a), Y.shape, r),
        "mse": lambda a, Y, r: _reduced("mse", xnp.sum((a - Y) ** 2), Y.shape, r),
    }


def _torch() -> dict:
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return {
        "softmax_cce": lambda a, Y, r: F.cross_entropy(a, Y, reduction=r),
        "sigmoid_bce": lambda a, Y, r: F.binary_cross_entropy_with_logits(a, Y, reduction=r),
        "mse": lambda a, Y, r: F.mse_loss(a, Y, reduction=r),
    }


def _jax() -> dict:
    jax, jnp = jax_modules()
    return numpy_like(jnp, lambda a: jax.nn.log_softmax(a, axis=1))


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
