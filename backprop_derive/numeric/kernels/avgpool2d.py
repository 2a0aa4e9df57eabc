r"""2-D average-pooling, as ``torch.nn.functional.avg_pool2d(x, kernel, stride)`` (no padding, floor mode).

.. math::  Y_{n,c,i,j} = \frac{1}{k^2} \sum_{p,q} X_{n,c,\,s i + p,\,s j + q}, \qquad
           \frac{\partial L}{\partial X_{n,c,h,w}} = \frac{1}{k^2} \sum_{i,j} G_{n,c,i,j}\,
           [\,0 \le h - s i < k,\ 0 \le w - s j < k\,].
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel
from backprop_derive.numeric.kernels.maxpool2d import pool2d_geometry


def avgpool2d_forward(x, kernel=2, stride=None, **settings):
    """The mean of each k×k window: a sum of k·k strided slices, times 1/k²."""
    k, s, ho, wo = pool2d_geometry(x.shape[1:], kernel, stride)
    y = np.zeros((*x.shape[:2], ho, wo), dtype=x.dtype)
    for p in range(k):
        for q in range(k):
            y += x[:, :, p:p + s * ho:s, q:q + s * wo:s]
    return y / (k * k), (x.shape, k, s)


def avgpool2d_backward(g, cache):
    """G/k² added to every cell of its window: one strided add per kernel offset (p, q)."""
    shape, k, s = cache
    _, _, ho, wo = g.shape
    share = g / (k * k)
    dx = np.zeros(shape, dtype=g.dtype)
    for p in range(k):
        for q in range(k):
            dx[:, :, p:p + s * ho:s, q:q + s * wo:s] += share
    return (dx,)


KERNEL = Kernel(
    name="avgpool2d",
    parameters=lambda in_shape, kernel=2, stride=None: {},
    out_shape=lambda in_shape, kernel=2, stride=None: (in_shape[0], *pool2d_geometry(in_shape, kernel, stride)[2:]),
    forward=avgpool2d_forward,
    backward=avgpool2d_backward,
    settings={"kernel": 2, "stride": None},
    functions=(pool2d_geometry, avgpool2d_forward, avgpool2d_backward),
    summary="y = the mean of each k×k window (no padding)",
)
