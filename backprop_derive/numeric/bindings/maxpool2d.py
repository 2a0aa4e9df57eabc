"""max-pooling in every framework: torch's ``F.max_pool2d``, JAX's ``lax.reduce_window``, numpy by a max of slices.

numpy and autograd take the maximum of the k·k strided slices one at a time (``maximum``): their
gradient at a tie differs from PyTorch's first-argmax rule, so they are references at distinct
entries only (the tie convention is checked against PyTorch).
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    def maxpool2d(x, kernel=2, stride=None):
        stride = stride or kernel
        ho, wo = (x.shape[2] - kernel) // stride + 1, (x.shape[3] - kernel) // stride + 1
        slices = [x[:, :, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride]
                  for p in range(kernel) for q in range(kernel)]
        y = slices[0]
        for other in slices[1:]:
            y = xnp.maximum(y, other)
        return y

    return maxpool2d


def _torch():
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return lambda x, kernel=2, stride=None: F.max_pool2d(x, kernel, stride or kernel)


def _jax():
    jax, jnp = jax_modules()

    def maxpool2d(x, kernel=2, stride=None):
        s = stride or kernel
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, kernel, kernel), (1, 1, s, s), "VALID")

    return maxpool2d


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
