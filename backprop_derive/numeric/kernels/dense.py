r"""Dense on the last axis: :math:`y = x W + b`, W of shape (fan_in, fan_out), any leading axes.

Backward (``backprop_derive/network/layers/dense.py``), with the leading axes flattened into rows:
:math:`\partial L/\partial x = G W^T`, :math:`\partial L/\partial W = X^T G`,
:math:`\partial L/\partial b = \mathbf 1^T G`.
"""

from __future__ import annotations

from backprop_derive.numeric.kernels import Kernel


def dense_forward(x, W, b, **settings):
    """y = x W + b on the last axis (an RNN's per-step outputs go through it whole)."""
    return x @ W + b, (x, W)


def dense_backward(g, cache):
    """dx = G Wᵀ, dW = Xᵀ G and db = 1ᵀ G, the leading axes summed as rows."""
    x, W = cache
    rows_x = x.reshape(-1, x.shape[-1])
    rows_g = g.reshape(-1, g.shape[-1])
    return g @ W.T, rows_x.T @ rows_g, rows_g.sum(axis=0)


KERNEL = Kernel(
    name="dense",
    parameters=lambda in_shape, out: {"W": (in_shape[-1], out), "b": (out,)},
    out_shape=lambda in_shape, out: (*in_shape[:-1], out),
    forward=dense_forward,
    backward=dense_backward,
    settings={"out": None},
    functions=(dense_forward, dense_backward),
    summary="y = x W + b on the last axis",
)
