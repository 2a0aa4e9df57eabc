r"""2-D max-pooling, as ``torch.nn.functional.max_pool2d(x, kernel, stride)`` (no padding, floor mode).

.. math::  Y_{n,c,i,j} = \max_{0 \le p, q < k} X_{n,c,\,s i + p,\,s j + q}, \qquad
           \frac{\partial L}{\partial X_{n,c,h,w}} = \sum_{i,j} G_{n,c,i,j}\,
           [\,(h, w) = (s i, s j) + \operatorname{argmax}_{p,q} X_{n,c,si+p,sj+q}\,].

Each window's whole gradient goes to one cell, its argmax; windows that overlap (s < k) add.  At a
tie the argmax is the *first* maximal cell of the window in row-major order (p, then q), as
PyTorch's CPU kernel does (it moves on only for a strictly greater value) and as ``np.argmax`` does.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel


def pool2d_geometry(in_shape, kernel, stride):
    """(k, s, Ho, Wo) for a per-sample input (C, H, W), stride defaulting to the kernel."""
    stride = kernel if stride is None else stride
    if kernel < 1 or stride < 1:
        raise ValueError(f"pooling: kernel {kernel} and stride {stride} must be positive")
    if kernel > in_shape[-2] or kernel > in_shape[-1]:
        raise ValueError(f"pooling: kernel {kernel} is larger than the input {in_shape[-2]}x{in_shape[-1]}")
    return kernel, stride, (in_shape[-2] - kernel) // stride + 1, (in_shape[-1] - kernel) // stride + 1


def maxpool2d_forward(x, kernel=2, stride=None, **settings):
    """The maximum of each k×k window; the cache keeps each window's first argmax (row-major)."""
    k, s, _, _ = pool2d_geometry(x.shape[1:], kernel, stride)
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    flat = windows.reshape(*windows.shape[:4], k * k)
    where = flat.argmax(axis=-1)
    y = np.take_along_axis(flat, where[..., None], axis=-1)[..., 0]
    return y, (where, x.shape, k, s)


def maxpool2d_backward(g, cache):
    """Each window's G to its argmax cell: one strided add per kernel offset (p, q)."""
    where, shape, k, s = cache
    _, _, ho, wo = g.shape
    dx = np.zeros(shape, dtype=g.dtype)
    for p in range(k):
        for q in range(k):
            dx[:, :, p:p + s * ho:s, q:q + s * wo:s] += np.where(where == p * k + q, g, 0.0)
    return (dx,)


KERNEL = Kernel(
    name="maxpool2d",
    parameters=lambda in_shape, kernel=2, stride=None: {},
    out_shape=lambda in_shape, kernel=2, stride=None: (in_shape[0], *pool2d_geometry(in_shape, kernel, stride)[2:]),
    forward=maxpool2d_forward,
    backward=maxpool2d_backward,
    settings={"kernel": 2, "stride": None},
    functions=(pool2d_geometry, maxpool2d_forward, maxpool2d_backward),
    summary="y = the maximum of each k×k window (gradient to the first argmax, row-major, as PyTorch)",
)
