"""Inverted dropout with a given mask, ``x * M / (1 - p)`` in each framework.

``F.dropout(x, p, training=True)`` draws its own M and returns ``x * M / (1 - p)``; with the same M it
equals these (tests/test_layers_misc.py reads torch's M from ``F.dropout`` of ones under a fixed seed
and checks it).  Each binding is ``f(x, p=0.5, mask=None) -> y`` as the kernel; no mask: the identity.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    def dropout(x, p=0.5, mask=None, **settings):
        return x if mask is None else x * xnp.asarray(mask) / (1 - p)

    return dropout


def _torch():
    import torch

    def dropout(x, p=0.5, mask=None, **settings):
        return x if mask is None else x * torch.as_tensor(mask, dtype=x.dtype) / (1 - p)

    return dropout


def _jax():
    _, jnp = jax_modules()

    def dropout(x, p=0.5, mask=None, **settings):
        return x if mask is None else x * jnp.asarray(mask, dtype=x.dtype) / (1 - p)

    return dropout


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
