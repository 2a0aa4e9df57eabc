"""average-pooling in every framework: torch's ``F.avg_pool2d``, JAX's ``lax.reduce_window``, numpy by slices."""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    def avgpool2d(x, kernel=2, stride=None):
        stride = stride or kernel
        ho, wo = (x.shape[2] - kernel) // stride + 1, (x.shape[3] - kernel) // stride + 1
        total = sum(x[:, :, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride]
                    for p in range(kernel) for q in range(kernel))
        return total / (kernel * kernel)

    return avgpool2d


def _torch():
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return lambda x, kernel=2, stride=None: F.avg_pool2d(x, kernel, stride or kernel)


def _jax():
    jax, _ = jax_modules()

    def avgpool2d(x, kernel=2, stride=None):
        s = stride or kernel
        total = jax.lax.reduce_window(x, 0.0, jax.lax.add, (1, 1, kernel, kernel), (1, 1, s, s), "VALID")
        return total / (kernel * kernel)

    return avgpool2d


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
