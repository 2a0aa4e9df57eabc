"""conv2d in every framework: torch's ``F.conv2d``, JAX's ``lax.conv_general_dilated``, numpy by shifted slices.

The numpy form (what finite differences and autograd differentiate) is written independently of the
kernel: a sum over kernel offsets of strided slices of the padded input times the weight's column.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    def conv2d(x, W, b, stride=1, padding=0):
        xp = xnp.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="constant") if padding else x
        kh, kw = W.shape[2], W.shape[3]
        ho, wo = (xp.shape[2] - kh) // stride + 1, (xp.shape[3] - kw) // stride + 1
        y = b[None, :, None, None]
        for p in range(kh):
            for q in range(kw):
                window = xp[:, :, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride]
                y = y + xnp.einsum("nchw,oc->nohw", window, W[:, :, p, q])
        return y

    return conv2d


def _torch():
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return lambda x, W, b, stride=1, padding=0: F.conv2d(x, W, b, stride=stride, padding=padding)


def _jax():
    jax, _ = jax_modules()

    def conv2d(x, W, b, stride=1, padding=0):
        y = jax.lax.conv_general_dilated(x, W, (stride, stride), [(padding, padding)] * 2)
        return y + b[None, :, None, None]

    return conv2d


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
