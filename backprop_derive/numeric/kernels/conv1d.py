r"""1-D convolution (cross-correlation, as ``torch.nn.functional.conv1d``), vectorised by im2col.

For x of shape (N, C, L), a weight (O, C, k), a bias (O,), stride s and zero padding P:

.. math::  Y_{n,o,i} = b_o + \sum_{c,p} X^{pad}_{n,c,\,s i + p} W_{o,c,p}.

Backward (``backprop_derive/network/layers/conv1d.py``): :math:`\partial L/\partial W_{o,c,p} = \sum_{n,i} G_{n,o,i}
X^{pad}_{n,c,si+p}`, :math:`\partial L/\partial b_o = \sum_{n,i} G_{n,o,i}`, and ∂L/∂X the full
correlation of the stride-dilated upstream with the flipped kernel -- here col2im: each window's
column of ``Wmᵀ Gm`` added back where it was read, one strided add per kernel offset p.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel


def conv1d_geometry(in_shape, kernel, stride, padding):
    """The output length for a per-sample input (C, L); a one-line ValueError for bad settings."""
    if kernel < 1 or stride < 1 or padding < 0:
        raise ValueError(f"conv1d: kernel {kernel}, stride {stride} and padding {padding} must be positive "
                         "(padding non-negative)")
    length = in_shape[-1] + 2 * padding
    if kernel > length:
        raise ValueError(f"conv1d: kernel {kernel} is longer than the padded input ({length})")
    return (length - kernel) // stride + 1


def conv1d_forward(x, W, b, stride=1, padding=0, **settings):
    """Y = Wm im2col(x) + b, as (N, O, Lo); the columns of im2col(x) are the windows."""
    out, channels, k = W.shape
    if x.ndim != 3 or x.shape[1] != channels:
        raise ValueError(f"conv1d: input of shape {x.shape} does not fit a weight of shape {W.shape}")
    lo = conv1d_geometry(x.shape[1:], k, stride, padding)
    n = x.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding))) if padding else x
    windows = np.lib.stride_tricks.sliding_window_view(xp, k, axis=2)[:, :, ::stride]
    cols = windows.transpose(1, 3, 0, 2).reshape(channels * k, n * lo)
    y = (W.reshape(out, -1) @ cols).reshape(out, n, lo).transpose(1, 0, 2) + b[:, None]
    return y, (cols, W, xp.shape, stride, padding)


def conv1d_backward(g, cache):
    """dx by col2im of Wmᵀ Gm, dW = Gm colsᵀ, db = Gm 1."""
    cols, W, padded, stride, padding = cache
    out, channels, k = W.shape
    n, _, lo = g.shape
    gm = g.transpose(1, 0, 2).reshape(out, -1)
    dW = (gm @ cols.T).reshape(W.shape)
    dcols = (W.reshape(out, -1).T @ gm).reshape(channels, k, n, lo)
    dxp = np.zeros(padded, dtype=dcols.dtype)
    for p in range(k):
        dxp[:, :, p:p + stride * lo:stride] += dcols[:, p].transpose(1, 0, 2)
    dx = dxp[:, :, padding:padded[2] - padding] if padding else dxp
    return dx, dW, gm.sum(axis=1)


def _parameters(in_shape, out, kernel, stride=1, padding=0):
    conv1d_geometry(in_shape, kernel, stride, padding)
    return {"W": (out, in_shape[0], kernel), "b": (out,)}


KERNEL = Kernel(
    name="conv1d",
    parameters=_parameters,
    out_shape=lambda in_shape, out, kernel, stride=1, padding=0: (out, conv1d_geometry(in_shape, kernel, stride,
                                                                                        padding)),
    forward=conv1d_forward,
    backward=conv1d_backward,
    settings={"out": None, "kernel": None, "stride": 1, "padding": 0},
    functions=(conv1d_geometry, conv1d_forward, conv1d_backward),
    summary="y = conv1d(x, W) + b (cross-correlation, stride, zero padding), by im2col",
)
