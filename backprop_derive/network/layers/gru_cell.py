r"""The GRU cell, as ``torch.nn.GRUCell``: gates r, z and the candidate n, with r inside n's recurrent term.

Rows are samples; x is n × d, h is n × m:

.. math::  r = \sigma(x W_{xr} + h W_{hr} + \mathbf 1 b_r), \quad
           z = \sigma(x W_{xz} + h W_{hz} + \mathbf 1 b_z), \quad
           q = h W_{hn} + \mathbf 1 b_{hn}, \quad
           n = \tanh(x W_{xn} + \mathbf 1 b_{xn} + r \odot q), \quad
           h' = (1 - z) \odot n + z \odot h.

torch stacks r, z, n: ``weight_ih`` (3m, d) :math:`= [W_{xr}\; W_{xz}\; W_{xn}]^T`, ``weight_hh``
:math:`= [W_{hr}\; W_{hz}\; W_{hn}]^T`.  Its two biases only add for r and z (:math:`b_r` = ``b_ir + b_hr``)
but not for n, where ``b_hn`` sits inside r ⊙ (·): the kernel keeps torch's two biases whole.

Backward, for :math:`G = \partial L/\partial h'`:

.. math::  \delta_n = G \odot (1 - z) \odot (1 - n^{\circ 2}), \quad
           \delta_z = G \odot (h - n) \odot z \odot (1 - z), \quad
           \delta_r = \delta_n \odot q \odot r \odot (1 - r), \quad
           \delta_q = \delta_n \odot r,

:math:`\partial L/\partial x = \delta_r W_{xr}^T + \delta_z W_{xz}^T + \delta_n W_{xn}^T`,
:math:`\partial L/\partial h = G \odot z + \delta_r W_{hr}^T + \delta_z W_{hz}^T + \delta_q W_{hn}^T`,
:math:`\partial L/\partial W_{hn} = h^T \delta_q`, :math:`\partial L/\partial b_{hn} = \mathbf 1^T \delta_q`,
and :math:`x^T\delta_k`, :math:`h^T\delta_k`, :math:`\mathbf 1^T\delta_k` for the others.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.network.layers.base import Layer, Step, m
from backprop_derive.network.layers.gates import (
    apply,
    bias_row,
    column_sums,
    hadamard,
    one_minus,
    one_minus_square,
    sigmoid,
)

PARAMETERS = ("W_xr", "W_hr", "b_r", "W_xz", "W_hz", "b_z", "W_xn", "W_hn", "b_xn", "b_hn")


def _shapes(rows, cols):
    shapes = {"x": (rows, cols), "h": (rows, m)}
    for name in PARAMETERS:
        shapes[name] = (cols, m) if name.startswith("W_x") else (m, m) if name.startswith("W_h") else (1, m)
    return shapes


def _forward(keep, x, h, W_xr, W_hr, b_r, W_xz, W_hz, b_z, W_xn, W_hn, b_xn, b_hn):
    rows = x.shape[0]
    r = keep("r", apply(sigmoid, x * W_xr + h * W_hr + bias_row(b_r, rows, x)))
    z = keep("z", apply(sigmoid, x * W_xz + h * W_hz + bias_row(b_z, rows, x)))
    q = keep("q", h * W_hn + bias_row(b_hn, rows, x))
    n = keep("n", apply(sp.tanh, x * W_xn + bias_row(b_xn, rows, x) + hadamard(r, q)))
    return hadamard(one_minus(z), n) + hadamard(z, h)


def backward_with(r_inside: bool = True):
    """The backward formulas; ``r_inside=False`` is written for r ⊙ (h W_hn) + b_hn, r outside the
    recurrent bias (a planted mistake: torch puts b_hn inside, r ⊙ (h W_hn + b_hn))."""

    def backward(keep, g, x, h, W_xr, W_hr, b_r, W_xz, W_hz, b_z, W_xn, W_hn, b_xn, b_hn, saved):
        r, z, q, n = (saved[name] for name in ("r", "z", "q", "n"))
        delta_n = keep("delta_n", hadamard(g, one_minus(z), one_minus_square(n)))
        delta_z = keep("delta_z", hadamard(g, h - n, z, one_minus(z)))
        inner = q if r_inside else h * W_hn
        delta_r = keep("delta_r", hadamard(delta_n, inner, r, one_minus(r)))
        delta_q = keep("delta_q", hadamard(delta_n, r))
        return {"dx": delta_r * W_xr.T + delta_z * W_xz.T + delta_n * W_xn.T,
                "dh": hadamard(g, z) + delta_r * W_hr.T + delta_z * W_hz.T + delta_q * W_hn.T,
                "dW_xr": x.T * delta_r, "dW_hr": h.T * delta_r, "db_r": column_sums(delta_r),
                "dW_xz": x.T * delta_z, "dW_hz": h.T * delta_z, "db_z": column_sums(delta_z),
                "dW_xn": x.T * delta_n, "dW_hn": h.T * delta_q, "db_xn": column_sums(delta_n),
                "db_hn": column_sums(delta_q if r_inside else delta_n)}

    return backward


LAYER = Layer(
    name="gru_cell",
    summary="gru_cell(x, h) = (1 - z) ⊙ n + z ⊙ h, n = tanh(x W_xn + b_xn + r ⊙ (h W_hn + b_hn))",
    matches="torch.nn.GRUCell(d, m): weight_ih = [W_xr W_xz W_xn]ᵀ, weight_hh = [W_hr W_hz W_hn]ᵀ, "
            "bias_ih = [b_ir b_iz b_xn], bias_hh = [b_hr b_hz b_hn], b_r = b_ir + b_hr, b_z = b_iz + b_hz",
    parameters=PARAMETERS,
    inputs=("x", "h"),
    shapes=_shapes,
    forward=_forward,
    backward=backward_with(),
    steps=(
        Step("r, z", "σ(x W_xr + h W_hr + b_r), σ(x W_xz + h W_hz + b_z)", "the reset and update gates"),
        Step("q[r,c]", "Σ_j h[r,j] W_hn[j,c] + b_hn[c]", "the candidate's recurrent term, its bias inside"),
        Step("n[r,c]", "tanh(Σ_j x[r,j] W_xn[j,c] + b_xn[c] + r[r,c] q[r,c])", "r gates q (torch's convention)"),
        Step("h'[r,c]", "(1 - z[r,c]) n[r,c] + z[r,c] h[r,c]", "interpolation"),
        Step("δ_n[r,c]", "G[r,c] (1 - z[r,c]) (1 - n[r,c]²)", "tanh' = 1 - n²"),
        Step("δ_z[r,c]", "G[r,c] (h[r,c] - n[r,c]) z[r,c] (1 - z[r,c])", "∂h'/∂z = h - n, σ' = σ(1 - σ)"),
        Step("δ_r[r,c]", "δ_n[r,c] q[r,c] r[r,c] (1 - r[r,c])", "∂(r q)/∂r = q, b_hn included"),
        Step("δ_q[r,c]", "δ_n[r,c] r[r,c]", "∂(r q)/∂q = r"),
        Step("∂L/∂W_hn[a,b]", "Σ_r h[r,a] δ_q[r,b]", "q is linear in W_hn"),
        Step("∂L/∂b_hn[b]", "Σ_r δ_q[r,b]", "b_hn is inside r ⊙ (·)"),
        Step("∂L/∂W_xk[a,b], ∂L/∂W_hk[a,b]", "Σ_r x[r,a] δ_k[r,b], Σ_r h[r,a] δ_k[r,b]  (k = r, z; W_xn with δ_n)",
             "linear in the weights"),
        Step("∂L/∂x[a,b]", "Σ_c (δ_r[a,c] W_xr[b,c] + δ_z[a,c] W_xz[b,c] + δ_n[a,c] W_xn[b,c])", "x enters r, z, n"),
        Step("∂L/∂h[a,b]", "G[a,b] z[a,b] + Σ_c (δ_r[a,c] W_hr[b,c] + δ_z[a,c] W_hz[b,c] + δ_q[a,c] W_hn[b,c])",
             "h enters r, z, q and h' itself"),
    ),
    notes=("r multiplies h W_hn + b_hn (torch); putting r outside the bias is a different cell",
           "for r and z torch's two biases only add; for n they do not"),
)
