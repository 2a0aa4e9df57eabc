"""Dense, Z = A W + b, in every framework (the matrix product and a broadcast bias row)."""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp):
    return lambda a, W, b: xnp.dot(a, W) + b


def _matmul(a, W, b):
    return a @ W + b


BINDINGS = {
    "numpy": lambda: numpy_like(np),
    "autograd": lambda: numpy_like(autograd_numpy()),
    "torch": lambda: _matmul,
    "jax": lambda: (jax_modules(), _matmul)[1],
}
