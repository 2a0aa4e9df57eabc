r"""The vanilla RNN over T steps, batch first, and its cell: numpy forward and BPTT backward.

Layouts (rows are samples): x (N, T, D), every hidden state out (N, T, H), h_0 = 0;
``W_xh`` (D, H) = ``torch.nn.RNN``'s ``weight_ih_l0``ᵀ, ``W_hh`` (H, H) = ``weight_hh_l0``ᵀ, one bias
``b`` (H,) = ``bias_ih_l0 + bias_hh_l0``.  Forward :math:`h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b)`,
with :math:`x W_{xh} + b` computed for every t at once.  Backward (``backprop_derive/network/layers/rnn.py``, proved):

.. math::  \delta_t = (G_t + \delta_{t+1} W_{hh}^T) \odot (1 - h_t^2), \quad
           \partial L/\partial W_{hh} = \textstyle\sum_t h_{t-1}^T \delta_t, \quad
           \partial L/\partial W_{xh} = \sum_t x_t^T \delta_t, \quad
           \partial L/\partial b = \sum_t \mathbf 1^T \delta_t, \quad
           \partial L/\partial x_t = \delta_t W_{xh}^T,

the loop over t only carrying δ back; the sums over t are one matrix product each.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel


def rnn_cell_forward(x, h, W_xh, W_hh, b):
    """One step: h' = tanh(x W_xh + h W_hh + b), x (N, D), h (N, H)."""
    h_new = np.tanh(x @ W_xh + h @ W_hh + b)
    return h_new, (x, h, W_xh, W_hh, h_new)


def rnn_cell_backward(g, cache):
    """δ = G ⊙ (1 − h'²); returns (dx, dh, dW_xh, dW_hh, db)."""
    x, h, W_xh, W_hh, h_new = cache
    delta = g * (1 - h_new * h_new)
    return delta @ W_xh.T, delta @ W_hh.T, x.T @ delta, h.T @ delta, delta.sum(axis=0)


def rnn_forward(x, W_xh, W_hh, b, **settings):
    """Every hidden state h_1..h_T of a batch x (N, T, D), h_0 = 0: out (N, T, H)."""
    if x.ndim != 3:
        raise ValueError(f"rnn: x must be (N, T, D), got shape {x.shape}")
    N, T, _ = x.shape
    inputs = (x.reshape(N * T, -1) @ W_xh + b).reshape(N, T, -1)  # x_t W_xh + b for every t at once
    hs = np.empty((N, T, W_hh.shape[0]))
    h = np.zeros((N, W_hh.shape[0]))
    for t in range(T):
        h = np.tanh(inputs[:, t] + h @ W_hh)
        hs[:, t] = h
    return hs, (x, W_xh, W_hh, hs)


def rnn_backward(g, cache):
    """BPTT: δ_t carried back through W_hh, parameter gradients summed over t; (dx, dW_xh, dW_hh, db)."""
    x, W_xh, W_hh, hs = cache
    N, T, H = hs.shape
    delta = np.empty_like(hs)
    carried = np.zeros((N, H))
    W_hh_T = W_hh.T
    for t in range(T - 1, -1, -1):
        h = hs[:, t]
        d = (g[:, t] + carried) * (1 - h * h)  # tanh' through the output
        delta[:, t] = d
        carried = d @ W_hh_T
    rows = delta.reshape(N * T, H)
    previous = np.concatenate([np.zeros((N, 1, H)), hs[:, :-1]], axis=1).reshape(N * T, H)  # h_{t-1}
    return ((rows @ W_xh.T).reshape(x.shape), x.reshape(N * T, -1).T @ rows, previous.T @ rows, rows.sum(axis=0))


def recurrent_parameters(in_shape, hidden, gates=1, biases=("b",)):
    """The shapes of W_x (D, gates·H), W_h (H, gates·H) and the biases (gates·H,); one-line errors."""
    if len(in_shape) != 2:
        raise ValueError(f"a recurrent layer takes (T, D) per sample, got {tuple(in_shape)}")
    if not isinstance(hidden, int) or isinstance(hidden, bool) or hidden < 1:
        raise ValueError(f"a recurrent layer's hidden size must be a positive integer, got {hidden!r}")
    width = gates * hidden
    return {"W_x": (in_shape[1], width), "W_h": (hidden, width), **{name: (width,) for name in biases}}


def _rnn_parameters(in_shape, hidden):
    shapes = recurrent_parameters(in_shape, hidden)
    return {"W_xh": shapes["W_x"], "W_hh": shapes["W_h"], "b": shapes["b"]}


KERNEL = Kernel(
    name="rnn",
    parameters=_rnn_parameters,
    out_shape=lambda in_shape, hidden: (in_shape[0], hidden),
    forward=rnn_forward,
    backward=rnn_backward,
    settings={"hidden": None},
    functions=(rnn_forward, rnn_backward),
    summary="h_t = tanh(x_t W_xh + h_{t-1} W_hh + b), h_0 = 0, every h_t out; BPTT",
)
