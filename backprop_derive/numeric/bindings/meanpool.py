"""Mean over time (axis 1 of a batch (N, T, D)) in each framework: ``f(x) -> y`` as the kernel."""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    return lambda x, **settings: xnp.mean(x, axis=1)


def _torch():
    import torch

    return lambda x, **settings: torch.mean(x, dim=1)


def _jax():
    _, jnp = jax_modules()
    return lambda x, **settings: jnp.mean(x, axis=1)


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
