r"""The GRU over T steps, batch first, and its cell: numpy forward and BPTT backward.

Layouts: x (N, T, D), every h_t out (N, T, H), h_0 = 0.  Stacked as torch stacks r, z, n:
``W_x`` (D, 3H) = ``weight_ih_l0``ᵀ, ``W_h`` (H, 3H) = ``weight_hh_l0``ᵀ, and torch's two biases whole,
``b_x`` = ``bias_ih_l0`` and ``b_h`` = ``bias_hh_l0`` (they do not merely add: b_hn sits inside r ⊙ (·)).
Per step, with a = x_t W_x + b_x and q = h W_h + b_h:

r = σ(a_r + q_r), z = σ(a_z + q_z), n = tanh(a_n + r ⊙ q_n), h' = (1 − z) ⊙ n + z ⊙ h.

Backward (the proved cell's VJP of ``backprop_derive/network/layers/gru_cell.py``, run back in time), Ḡ = G_t + dh:
δ_n = Ḡ ⊙ (1 − z)(1 − n²), δ_z = Ḡ ⊙ (h − n) z(1 − z), δ_r = δ_n ⊙ q_n r(1 − r), δ_qn = δ_n ⊙ r;
the x side takes (δ_r, δ_z, δ_n), the h side (δ_r, δ_z, δ_qn), and dh = Ḡ ⊙ z + (δ_r, δ_z, δ_qn) W_hᵀ.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel
from backprop_derive.numeric.kernels.rnn import recurrent_parameters


def gru_sigmoid(u):
    """σ(u) = (1 + tanh(u/2)) / 2: exact, and finite for any u."""
    return 0.5 * (1 + np.tanh(0.5 * u))


def gru_cell_forward(x, h, W_x, W_h, b_x, b_h):
    """One step: returns (h', cache); r, z, n stacked as torch."""
    H = h.shape[1]
    a = x @ W_x + b_x
    q = h @ W_h + b_h
    rz = gru_sigmoid(a[:, :2 * H] + q[:, :2 * H])
    r, z = rz[:, :H], rz[:, H:]
    n = np.tanh(a[:, 2 * H:] + r * q[:, 2 * H:])
    return (1 - z) * n + z * h, (x, h, W_x, W_h, r, z, n, q[:, 2 * H:])


def gru_cell_backward(g, cache):
    """Returns (dx, dh, dW_x, dW_h, db_x, db_h)."""
    x, h, W_x, W_h, r, z, n, qn = cache
    dn = g * (1 - z) * (1 - n * n)
    dr = dn * qn * r * (1 - r)
    dz = g * (h - n) * z * (1 - z)
    da = np.concatenate([dr, dz, dn], axis=1)
    dq = np.concatenate([dr, dz, dn * r], axis=1)
    return (da @ W_x.T, g * z + dq @ W_h.T, x.T @ da, h.T @ dq, da.sum(axis=0), dq.sum(axis=0))


def gru_forward(x, W_x, W_h, b_x, b_h, **settings):
    """Every hidden state h_1..h_T of a batch x (N, T, D), h_0 = 0: out (N, T, H)."""
    if x.ndim != 3:
        raise ValueError(f"gru: x must be (N, T, D), got shape {x.shape}")
    N, T, _ = x.shape
    H = W_h.shape[0]
    inputs = (x.reshape(N * T, -1) @ W_x + b_x).reshape(N, T, -1)  # x_t W_x + b_x for every t at once
    saved = np.empty((N, T, 4 * H))  # r, z, n, q_n per step
    hs = np.empty((N, T, H))
    h = np.zeros((N, H))
    for t in range(T):
        a = inputs[:, t]
        q = h @ W_h + b_h
        rz = gru_sigmoid(a[:, :2 * H] + q[:, :2 * H])
        r, z = rz[:, :H], rz[:, H:]
        n = np.tanh(a[:, 2 * H:] + r * q[:, 2 * H:])
        h = (1 - z) * n + z * h
        saved[:, t, :2 * H] = rz
        saved[:, t, 2 * H:3 * H] = n
        saved[:, t, 3 * H:] = q[:, 2 * H:]
        hs[:, t] = h
    return hs, (x, W_x, W_h, saved, hs)


def gru_backward(g, cache):
    """BPTT through the cell's VJP; returns (dx, dW_x, dW_h, db_x, db_h)."""
    x, W_x, W_h, saved, hs = cache
    N, T, H = hs.shape
    da = np.empty((N, T, 3 * H))
    dq = np.empty((N, T, 3 * H))
    dh = np.zeros((N, H))
    zero = np.zeros((N, H))
    W_h_T = W_h.T
    for t in range(T - 1, -1, -1):
        s = saved[:, t]
        r, z, n, qn = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], s[:, 3 * H:]
        h_prev = hs[:, t - 1] if t > 0 else zero
        gh = g[:, t] + dh
        dn = gh * (1 - z) * (1 - n * n)
        step_a, step_q = da[:, t], dq[:, t]
        step_a[:, :H] = dn * qn * r * (1 - r)
        step_a[:, H:2 * H] = gh * (h_prev - n) * z * (1 - z)
        step_a[:, 2 * H:] = dn
        step_q[:, :2 * H] = step_a[:, :2 * H]
        step_q[:, 2 * H:] = dn * r
        dh = gh * z + step_q @ W_h_T
    rows_a = da.reshape(N * T, 3 * H)
    rows_q = dq.reshape(N * T, 3 * H)
    previous = np.concatenate([np.zeros((N, 1, H)), hs[:, :-1]], axis=1).reshape(N * T, H)
    return ((rows_a @ W_x.T).reshape(x.shape), x.reshape(N * T, -1).T @ rows_a, previous.T @ rows_q, rows_a.sum(axis=0),
            rows_q.sum(axis=0))


def _gru_parameters(in_shape, hidden):
    return recurrent_parameters(in_shape, hidden, gates=3, biases=("b_x", "b_h"))


KERNEL = Kernel(
    name="gru",
    parameters=_gru_parameters,
    out_shape=lambda in_shape, hidden: (in_shape[0], hidden),
    forward=gru_forward,
    backward=gru_backward,
    settings={"hidden": None},
    functions=(gru_sigmoid, gru_forward, gru_backward),
    summary="GRU (r, z, n stacked as torch, b_hn inside r), h_0 = 0, every h_t out; BPTT",
)
