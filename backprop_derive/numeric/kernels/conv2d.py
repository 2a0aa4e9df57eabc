r"""2-D convolution (cross-correlation, as ``torch.nn.functional.conv2d``), vectorised by im2col.

For x of shape (N, C, H, W), a weight (O, C, kh, kw), a bias (O,), stride s and zero padding P:

.. math::  Y_{n,o,i,j} = b_o + \sum_{c,p,q} X^{pad}_{n,c,\,s i + p,\,s j + q} W_{o,c,p,q},
           \qquad X^{pad}_{n,c,h,w} = X_{n,c,h-P,w-P} \ (0 \text{ outside}).

im2col: every window of :math:`X^{pad}` becomes a column of ``cols`` (C·kh·kw × N·Ho·Wo), so
``Y = Wm cols + b`` with ``Wm = W.reshape(O, C·kh·kw)``.  Backward (``backprop_derive/network/layers/conv2d.py``),
with ``Gm`` the upstream as (O × N·Ho·Wo):

.. math::  \partial L/\partial W = Gm\, \mathrm{cols}^T, \quad \partial L/\partial b = Gm \mathbf 1, \quad
           \partial L/\partial \mathrm{cols} = Wm^T Gm,

and col2im adds each window's row back where it was read (one strided add per kernel offset p, q),
which is the full correlation of the stride-dilated, padded upstream with the flipped kernel.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel


def conv2d_geometry(in_shape, kernel, stride, padding):
    """(kh, kw, Ho, Wo) for a per-sample input (C, H, W); a one-line ValueError for bad settings."""
    kh, kw = (kernel, kernel) if np.ndim(kernel) == 0 else tuple(kernel)
    if kh < 1 or kw < 1 or stride < 1 or padding < 0:
        raise ValueError(f"conv2d: kernel {kh}x{kw}, stride {stride} and padding {padding} must be positive "
                         "(padding non-negative)")
    height, width = in_shape[-2] + 2 * padding, in_shape[-1] + 2 * padding
    if kh > height or kw > width:
        raise ValueError(f"conv2d: kernel {kh}x{kw} is larger than the padded input {height}x{width}")
    return kh, kw, (height - kh) // stride + 1, (width - kw) // stride + 1


def conv2d_forward(x, W, b, stride=1, padding=0, **settings):
    """Y = Wm im2col(x) + b, as (N, O, Ho, Wo); the columns of im2col(x) are the windows."""
    out, channels, kh, kw = W.shape
    if x.ndim != 4 or x.shape[1] != channels:
        raise ValueError(f"conv2d: input of shape {x.shape} does not fit a weight of shape {W.shape}")
    _, _, ho, wo = conv2d_geometry(x.shape[1:], (kh, kw), stride, padding)
    n = x.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding))) if padding else x
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    cols = windows.transpose(1, 4, 5, 0, 2, 3).reshape(channels * kh * kw, n * ho * wo)
    y = (W.reshape(out, -1) @ cols).reshape(out, n, ho, wo).transpose(1, 0, 2, 3) + b[:, None, None]
    return y, (cols, W, xp.shape, stride, padding)


def conv2d_backward(g, cache):
    """dx by col2im of Wmᵀ Gm (a strided add per kernel offset), dW = Gm colsᵀ, db = Gm 1."""
    cols, W, padded, stride, padding = cache
    out, channels, kh, kw = W.shape
    n, _, ho, wo = g.shape
    gm = g.transpose(1, 0, 2, 3).reshape(out, -1)
    dW = (gm @ cols.T).reshape(W.shape)
    dcols = (W.reshape(out, -1).T @ gm).reshape(channels, kh, kw, n, ho, wo)
    dxp = np.zeros(padded, dtype=dcols.dtype)
    for p in range(kh):
        for q in range(kw):
            dxp[:, :, p:p + stride * ho:stride, q:q + stride * wo:stride] += dcols[:, p, q].transpose(1, 0, 2, 3)
    dx = dxp[:, :, padding:padded[2] - padding, padding:padded[3] - padding] if padding else dxp
    return dx, dW, gm.sum(axis=1)


def _parameters(in_shape, out, kernel, stride=1, padding=0):
    kh, kw, _, _ = conv2d_geometry(in_shape, kernel, stride, padding)
    return {"W": (out, in_shape[0], kh, kw), "b": (out,)}


def _out_shape(in_shape, out, kernel, stride=1, padding=0):
    _, _, ho, wo = conv2d_geometry(in_shape, kernel, stride, padding)
    return (out, ho, wo)


KERNEL = Kernel(
    name="conv2d",
    parameters=_parameters,
    out_shape=_out_shape,
    forward=conv2d_forward,
    backward=conv2d_backward,
    settings={"out": None, "kernel": None, "stride": 1, "padding": 0},
    functions=(conv2d_geometry, conv2d_forward, conv2d_backward),
    summary="y = conv2d(x, W) + b (cross-correlation, stride, zero padding), by im2col",
)
