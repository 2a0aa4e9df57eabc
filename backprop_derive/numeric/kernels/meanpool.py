r"""Mean-pool over time: per sample (T, D) -> (D,), :math:`y = \tfrac1T \mathbf 1^T X`; ∂L/∂X = 1 G / T.

Proved in ``backprop_derive/network/layers/meanpool.py``: every time step gets the same 1/T share of the upstream row.
The time axis is axis 1 of the batch (N, T, D) (any trailing axes are kept).
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel


def meanpool_forward(x, **settings):
    """y = the mean of x over axis 1 (time): (N, T, D) -> (N, D)."""
    if x.ndim < 2 or x.shape[1] == 0:
        raise ValueError(f"meanpool needs a time axis of at least one step, got shape {x.shape}")
    return x.mean(axis=1), x.shape


def meanpool_backward(g, cache):
    """dx = G/T copied to every one of the T steps."""
    shape = cache
    dx = np.empty(shape, dtype=g.dtype)
    dx[...] = np.expand_dims(g / shape[1], 1)
    return (dx,)


KERNEL = Kernel(
    name="meanpool",
    parameters=lambda in_shape: {},
    out_shape=lambda in_shape: tuple(in_shape[1:]),
    forward=meanpool_forward,
    backward=meanpool_backward,
    settings={},
    functions=(meanpool_forward, meanpool_backward),
    summary="y = mean over time (axis 1 of the batch)",
)
