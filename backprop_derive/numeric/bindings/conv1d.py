"""conv1d in every framework: torch's ``F.conv1d``, JAX's ``lax.conv_general_dilated``, numpy by shifted slices."""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    def conv1d(x, W, b, stride=1, padding=0):
        xp = xnp.pad(x, ((0, 0), (0, 0), (padding, padding)), mode="constant") if padding else x
        k = W.shape[2]
        lo = (xp.shape[2] - k) // stride + 1
        y = b[None, :, None]
        for p in range(k):
            y = y + xnp.einsum("ncl,oc->nol", xp[:, :, p:p + stride * (lo - 1) + 1:stride], W[:, :, p])
        return y

    return conv1d


def _torch():
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return lambda x, W, b, stride=1, padding=0: F.conv1d(x, W, b, stride=stride, padding=padding)


def _jax():
    jax, _ = jax_modules()
    return lambda x, W, b, stride=1, padding=0: jax.lax.conv_general_dilated(
        x, W, (stride,), [(padding, padding)]) + b[None, :, None]


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
