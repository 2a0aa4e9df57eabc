r"""The GRU over T steps and its backward through time, proved for any T by composing the cell's lemma.

For :math:`x_1, \dots, x_T` (each n × d), :math:`h_0 = 0` and the cell of :mod:`backprop_derive.network.layers.gru_cell`
at every step, the same parameters, the output is every :math:`h_t` (``torch.nn.GRU(d, m,
batch_first=True)``'s first output).  With :math:`G_t = \partial L/\partial h_t` from the layers above,
BPTT runs the cell's VJP backwards in time with the upstream :math:`\bar G_t = G_t + dh_t`, where

.. math::  dh_{t-1} = \bar G_t \odot z_t + \delta_{r,t} W_{hr}^T + \delta_{z,t} W_{hz}^T + \delta_{q,t} W_{hn}^T

is the hidden carry (0 after step T), the gates' δ as in the cell, and every parameter's gradient summed
over t (:math:`\partial L/\partial W_{hn} = \sum_t h_{t-1}^T \delta_{q,t}`, …).

**Proof** (:mod:`backprop_derive.network.layers.bptt`, shared with the RNN and the LSTM): the cell's lemma for symbolic
sizes, the chain rule through the unrolled graph for any T, and the composition checked exactly on
instances T = 1, 2, 3 (:data:`CHECKS`).  Planted mistakes (tests): the hidden carry dropped, the sum
over t cut at one step.
"""

from __future__ import annotations

import dataclasses

from backprop_derive.network.layers import bptt, gru_cell
from backprop_derive.network.layers.base import Step

#: T = 1 at n = 1, d = 2, m = 2 expanded; T = 2 there and T = 3 at n = d = m = 1 evaluated exactly.
CHECKS = (bptt.Check(1), bptt.Check(2, expand=False), bptt.Check(3, width=1, hidden=1, expand=False))


def BPTT(**plants) -> bptt.BPTT:
    """The shared BPTT for the GRU cell; ``dropped=("h",)``, ``sum_over_t=False`` plant mistakes."""
    return bptt.BPTT(gru_cell.LAYER, **plants)


LAYER = dataclasses.replace(
    gru_cell.LAYER,
    name="gru",
    summary="gru(x_1..x_T) = (h_1..h_T), h_t = gru_cell(x_t, h_{t-1}), h_0 = 0; backward through time",
    matches="torch.nn.GRU(d, m, batch_first=True), 1 layer, h0 = 0: weight_ih_l0 = [W_xr W_xz W_xn]ᵀ, "
            "weight_hh_l0 = [W_hr W_hz W_hn]ᵀ, bias_ih_l0 = [b_ir b_iz b_xn], bias_hh_l0 = [b_hr b_hz b_hn]",
    prove=bptt.prover("gru", gru_cell.LAYER, CHECKS),
    steps=(
        Step("r_t, z_t", "σ(x_t W_xr + h_{t-1} W_hr + b_r), σ(x_t W_xz + h_{t-1} W_hz + b_z)",
             "the cell at every step, the same parameters"),
        Step("n_t[r,c]", "tanh(Σ_j x_t[r,j] W_xn[j,c] + b_xn[c] + r_t[r,c] q_t[r,c]),  q_t = h_{t-1} W_hn + b_hn",
             "r gates q (torch's convention)"),
        Step("h_t[r,c]", "(1 - z_t[r,c]) n_t[r,c] + z_t[r,c] h_{t-1}[r,c],  h_0 = 0", "every h_t is an output"),
        Step("Ḡ_t[r,c]", "G_t[r,c] + dh_t[r,c]", "direct, plus the carry from step t+1 (0 at t = T)"),
        Step("δ_{n,t}, δ_{z,t}", "Ḡ_t ⊙ (1 - z_t) ⊙ (1 - n_t²), Ḡ_t ⊙ (h_{t-1} - n_t) ⊙ z_t(1 - z_t)",
             "the cell's lemma"),
        Step("δ_{r,t}, δ_{q,t}", "δ_{n,t} ⊙ q_t ⊙ r_t(1 - r_t), δ_{n,t} ⊙ r_t", "the cell's lemma"),
        Step("dh_{t-1}[a,b]", "Ḡ_t[a,b] z_t[a,b] + Σ_c (δ_{r,t}[a,c] W_hr[b,c] + δ_{z,t}[a,c] W_hz[b,c] "
             "+ δ_{q,t}[a,c] W_hn[b,c])", "the hidden carry"),
        Step("∂L/∂W_hn[a,b]", "Σ_t Σ_r h_{t-1}[r,a] δ_{q,t}[r,b]", "W_hn is shared: the steps' gradients add"),
        Step("∂L/∂W_xk[a,b], ∂L/∂W_hk[a,b]", "Σ_t Σ_r x_t[r,a] δ_{k,t}[r,b], Σ_t Σ_r h_{t-1}[r,a] δ_{k,t}[r,b]",
             "shared, summed over t"),
        Step("∂L/∂b_k[b]", "Σ_t Σ_r δ_{k,t}[r,b]  (b_hn with δ_q)", "shared, summed over t"),
        Step("∂L/∂x_t[a,b]", "Σ_c (δ_{r,t}[a,c] W_xr[b,c] + δ_{z,t}[a,c] W_xz[b,c] + δ_{n,t}[a,c] W_xn[b,c])",
             "x_t enters step t only"),
    ),
    notes=("the matrix form is one step t: x = x_t, h = h_{t-1}, G = G_t + dh_t; dh is the gradient carried to "
           "step t-1",
           "the sum over t in every parameter's gradient: a shared parameter's gradients add"),
)
