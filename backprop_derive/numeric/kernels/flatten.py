r"""Flatten each sample, C-order, as ``torch.flatten(x, 1)``: (N, C, H, W) -> (N, C·H·W).

.. math::  y_{n,\,(c H + h) W + w} = x_{n,c,h,w}, \qquad \partial L/\partial x = G \text{ reshaped back}.
"""

from __future__ import annotations

import math

from backprop_derive.numeric.kernels import Kernel


def flatten_forward(x, **settings):
    """y = x.reshape(N, -1) (row-major: the last axis varies fastest)."""
    return x.reshape(x.shape[0], -1), x.shape


def flatten_backward(g, cache):
    """dx = G reshaped to the input's shape."""
    return (g.reshape(cache),)


KERNEL = Kernel(
    name="flatten",
    parameters=lambda in_shape: {},
    out_shape=lambda in_shape: (math.prod(in_shape),),
    forward=flatten_forward,
    backward=flatten_backward,
    settings={},
    functions=(flatten_forward, flatten_backward),
    summary="y = x.reshape(N, -1), C-order as torch.flatten(x, 1)",
)
