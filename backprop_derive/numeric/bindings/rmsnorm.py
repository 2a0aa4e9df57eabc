"""RMSNorm over the last axis: torch's ``F.rms_norm``, JAX and numpy by hand.

Each binding is ``f(x, gamma, eps=None) -> y`` as the kernel; ``eps=None`` is the dtype's machine
epsilon, torch's default.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    def rmsnorm(x, gamma, eps=None, **settings):
        eps = np.finfo(x.dtype).eps if eps is None else eps
        return x / xnp.sqrt(xnp.mean(x * x, axis=-1, keepdims=True) + eps) * gamma

    return rmsnorm


def _torch():
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return lambda x, gamma, eps=None, **settings: F.rms_norm(x, (x.shape[-1],), gamma, eps)


def _jax():
    jax, jnp = jax_modules()

    def rmsnorm(x, gamma, eps=None, **settings):
        eps = jnp.finfo(x.dtype).eps if eps is None else eps
        return x * jax.lax.rsqrt(jnp.mean(x * x, axis=-1, keepdims=True) + eps) * gamma

    return rmsnorm


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
