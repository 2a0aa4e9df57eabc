"""Embedding lookup: torch's ``F.embedding``, JAX's ``jnp.take``, numpy (and autograd) indexing.

Each binding is ``f(ids, E, **settings) -> y`` with ids (N, T) integers and E (V, D), as the kernel.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    def embedding(ids, E, **settings):
        return E[xnp.asarray(ids)]  # autograd's indexing VJP adds repeated rows

    return embedding


def _torch():
    import torch
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

    return lambda ids, E, **settings: F.embedding(torch.as_tensor(ids), E)


def _jax():
    _, jnp = jax_modules()
    return lambda ids, E, **settings: jnp.take(E, jnp.asarray(ids), axis=0)


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": _torch,
    "jax": _jax,
}
