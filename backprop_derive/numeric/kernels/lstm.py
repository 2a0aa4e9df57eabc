r"""The LSTM over T steps, batch first, and its cell: numpy forward and BPTT backward.

Layouts: x (N, T, D), every h_t out (N, T, H), h_0 = c_0 = 0.  The gates are stacked as torch stacks
them, i, f, g, o: ``W_x`` (D, 4H) = ``weight_ih_l0``ᵀ, ``W_h`` (H, 4H) = ``weight_hh_l0``ᵀ, one bias
``b`` (4H,) = ``bias_ih_l0 + bias_hh_l0``; columns [kH, (k+1)H) are gate k (the per-gate W_xk of
``backprop_derive/network/layers/lstm_cell.py``).  Per step, with u = x_t W_x + h W_h + b:
i, f, o = σ(u_i, u_f, u_o), g = tanh(u_g), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').

Backward (the proved cell's VJP, run back in time; ``dh``, ``dc`` carried):
Δc = dc + (G_t + dh) ⊙ o ⊙ (1 − tanh²c'), δ_o = (G_t + dh) ⊙ tanh c' ⊙ o(1 − o), δ_i = Δc ⊙ g ⊙ i(1 − i),
δ_f = Δc ⊙ c ⊙ f(1 − f), δ_g = Δc ⊙ i ⊙ (1 − g²); then dh = δ W_hᵀ, dc = Δc ⊙ f, and the parameter
gradients summed over t as one product each.  σ(u) = (1 + tanh(u/2))/2, which never overflows.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel
from backprop_derive.numeric.kernels.rnn import recurrent_parameters


def lstm_sigmoid(u):
    """σ(u) = (1 + tanh(u/2)) / 2: exact, and finite for any u."""
    return 0.5 * (1 + np.tanh(0.5 * u))


def lstm_cell_forward(x, h, c, W_x, W_h, b):
    """One step: returns ((h', c'), cache); gates stacked i, f, g, o as torch."""
    H = h.shape[1]
    u = x @ W_x + h @ W_h + b
    gates = lstm_sigmoid(u)
    gates[:, 2 * H:3 * H] = np.tanh(u[:, 2 * H:3 * H])
    i, f, g, o = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    c_new = f * c + i * g
    tc = np.tanh(c_new)
    return (o * tc, c_new), (x, h, c, W_x, W_h, gates, tc)


def lstm_cell_backward(g, cache):
    """``g`` = (G_h, G_c); returns (dx, dh, dc, dW_x, dW_h, db)."""
    G_h, G_c = g
    x, h, c, W_x, W_h, gates, tc = cache
    H = h.shape[1]
    i, f, gg, o = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    dc_new = G_c + G_h * o * (1 - tc * tc)
    du = np.concatenate([dc_new * gg * i * (1 - i), dc_new * c * f * (1 - f), dc_new * i * (1 - gg * gg),
                         G_h * tc * o * (1 - o)], axis=1)
    return du @ W_x.T, du @ W_h.T, dc_new * f, x.T @ du, h.T @ du, du.sum(axis=0)


def lstm_forward(x, W_x, W_h, b, **settings):
    """Every hidden state h_1..h_T of a batch x (N, T, D), h_0 = c_0 = 0: out (N, T, H)."""
    if x.ndim != 3:
        raise ValueError(f"lstm: x must be (N, T, D), got shape {x.shape}")
    N, T, _ = x.shape
    H = W_h.shape[0]
    inputs = (x.reshape(N * T, -1) @ W_x + b).reshape(N, T, -1)  # x_t W_x + b for every t at once
    gates = np.empty((N, T, 4 * H))
    cs = np.empty((N, T, H))
    tcs = np.empty((N, T, H))
    hs = np.empty((N, T, H))
    h = np.zeros((N, H))
    c = np.zeros((N, H))
    for t in range(T):
        u = inputs[:, t] + h @ W_h
        s = lstm_sigmoid(u)
        i, f, o = s[:, :H], s[:, H:2 * H], s[:, 3 * H:]
        g = np.tanh(u[:, 2 * H:3 * H])
        c = f * c + i * g
        tc = np.tanh(c)
        h = o * tc
        gates[:, t, :2 * H] = s[:, :2 * H]
        gates[:, t, 2 * H:3 * H] = g
        gates[:, t, 3 * H:] = o
        cs[:, t], tcs[:, t], hs[:, t] = c, tc, h
    return hs, (x, W_x, W_h, gates, cs, tcs, hs)


def lstm_backward(g, cache):
    """BPTT through the cell's VJP; returns (dx, dW_x, dW_h, db)."""
    x, W_x, W_h, gates, cs, tcs, hs = cache
    N, T, H = hs.shape
    du = np.empty_like(gates)
    dh = np.zeros((N, H))
    dc = np.zeros((N, H))
    W_h_T = W_h.T
    zero = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        s = gates[:, t]
        i, f, gg, o = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], s[:, 3 * H:]
        tc = tcs[:, t]
        c_prev = cs[:, t - 1] if t > 0 else zero
        gh = g[:, t] + dh
        dc = dc + gh * o * (1 - tc * tc)
        step = du[:, t]
        step[:, :H] = dc * gg * i * (1 - i)
        step[:, H:2 * H] = dc * c_prev * f * (1 - f)
        step[:, 2 * H:3 * H] = dc * i * (1 - gg * gg)
        step[:, 3 * H:] = gh * tc * o * (1 - o)
        dh = step @ W_h_T
        dc = dc * f
    rows = du.reshape(N * T, 4 * H)
    previous = np.concatenate([np.zeros((N, 1, H)), hs[:, :-1]], axis=1).reshape(N * T, H)
    return (rows @ W_x.T).reshape(x.shape), x.reshape(N * T, -1).T @ rows, previous.T @ rows, rows.sum(axis=0)


def _lstm_parameters(in_shape, hidden):
    return recurrent_parameters(in_shape, hidden, gates=4)


KERNEL = Kernel(
    name="lstm",
    parameters=_lstm_parameters,
    out_shape=lambda in_shape, hidden: (in_shape[0], hidden),
    forward=lstm_forward,
    backward=lstm_backward,
    settings={"hidden": None},
    functions=(lstm_sigmoid, lstm_forward, lstm_backward),
    summary="LSTM (gates i, f, g, o stacked as torch), h_0 = c_0 = 0, every h_t out; BPTT",
)
