r"""The LSTM over T steps and its backward through time, proved for any T by composing the cell's lemma.

For :math:`x_1, \dots, x_T` (each n × d), :math:`h_0 = c_0 = 0` and the cell of
:mod:`backprop_derive.network.layers.lstm_cell` at every step, the same parameters :math:`W_{xk}, W_{hk}, b_k`
(k = i, f, g, o), the output is every :math:`h_t` (``torch.nn.LSTM(d, m, batch_first=True)``'s first
output).  With :math:`G_t = \partial L/\partial h_t` from the layers above, BPTT runs the cell's VJP
backwards in time with two carries, :math:`dh_t` and :math:`dc_t` (what step t+1 returns for its
state inputs; both 0 after step T):

.. math::  \Delta c_t = dc_t + (G_t + dh_t) \odot o_t \odot (1 - \tanh^{\circ 2} c_t), \qquad
           dc_{t-1} = \Delta c_t \odot f_t, \qquad dh_{t-1} = \textstyle\sum_k \delta_{k,t} W_{hk}^T,

the gates' :math:`\delta_{k,t}` as in the cell, and every parameter's gradient summed over t
(:math:`\partial L/\partial W_{hk} = \sum_t h_{t-1}^T \delta_{k,t}`, …).

**Proof** (:mod:`backprop_derive.network.layers.bptt`, shared with the RNN and the GRU): the cell's lemma for symbolic
sizes, the chain rule through the unrolled graph for any T, and the composition checked exactly on
instances T = 1, 2, 3 (:data:`CHECKS`).  Planted mistakes (tests): the cell-state carry dropped
(:math:`dc_t` not carried back through f), the hidden carry dropped, the sum over t cut at one step.
"""

from __future__ import annotations

import dataclasses

from backprop_derive.network.layers import bptt, lstm_cell
from backprop_derive.network.layers.base import Step

#: T = 1, 2 at n = 1, d = 2, m = 2 expanded; T = 3 at n = d = m = 1 evaluated exactly (its expansion is large).
CHECKS = (bptt.Check(1), bptt.Check(2), bptt.Check(3, width=1, hidden=1, expand=False))


def BPTT(**plants) -> bptt.BPTT:
    """The shared BPTT for the LSTM cell; ``dropped=("c",)``, ``dropped=("h",)``, ``sum_over_t=False``
    plant mistakes."""
    return bptt.BPTT(lstm_cell.LAYER, **plants)


LAYER = dataclasses.replace(
    lstm_cell.LAYER,
    name="lstm",
    summary="lstm(x_1..x_T) = (h_1..h_T), (h_t, c_t) = lstm_cell(x_t, h_{t-1}, c_{t-1}), h_0 = c_0 = 0; "
            "backward through time",
    matches="torch.nn.LSTM(d, m, batch_first=True), 1 layer, h0 = c0 = 0: weight_ih_l0 = [W_xi W_xf W_xg W_xo]ᵀ, "
            "weight_hh_l0 likewise, bias_ih_l0 + bias_hh_l0 = [b_i b_f b_g b_o]",
    prove=bptt.prover("lstm", lstm_cell.LAYER, CHECKS),
    steps=(
        Step("u_{k,t}[r,c]", "Σ_j x_t[r,j] W_xk[j,c] + Σ_j h_{t-1}[r,j] W_hk[j,c] + b_k[c],  k = i, f, g, o",
             "the cell at every step, the same parameters"),
        Step("c_t[r,c]", "f_t[r,c] c_{t-1}[r,c] + i_t[r,c] g_t[r,c],  h_0 = c_0 = 0", "the cell state"),
        Step("h_t[r,c]", "o_t[r,c] tanh(c_t[r,c])", "every h_t is an output"),
        Step("G_t[r,c]", "∂L/∂h_t[r,c] from the layers above (direct)", "h_t, c_t also reach L through step t+1"),
        Step("Δc_t[r,c]", "dc_t[r,c] + (G_t[r,c] + dh_t[r,c]) o_t[r,c] (1 - tanh(c_t[r,c])²)",
             "dh_t, dc_t: carried from step t+1 (0 at t = T)"),
        Step("δ_{o,t}[r,c]", "(G_t[r,c] + dh_t[r,c]) tanh(c_t[r,c]) o_t[r,c] (1 - o_t[r,c])", "the cell's lemma"),
        Step("δ_{i,t}, δ_{f,t}, δ_{g,t}",
             "Δc_t ⊙ g_t ⊙ i_t(1 - i_t), Δc_t ⊙ c_{t-1} ⊙ f_t(1 - f_t), Δc_t ⊙ i_t ⊙ (1 - g_t²)",
             "the cell's lemma"),
        Step("dc_{t-1}[a,b]", "Δc_t[a,b] f_t[a,b]", "the cell state's carry, through the forget gate"),
        Step("dh_{t-1}[a,b]", "Σ_k Σ_c δ_{k,t}[a,c] W_hk[b,c]", "the hidden carry"),
        Step("∂L/∂W_xk[a,b]", "Σ_t Σ_r x_t[r,a] δ_{k,t}[r,b]", "W_xk is shared: the steps' gradients add"),
        Step("∂L/∂W_hk[a,b]", "Σ_t Σ_r h_{t-1}[r,a] δ_{k,t}[r,b]", "shared, summed over t"),
        Step("∂L/∂b_k[b]", "Σ_t Σ_r δ_{k,t}[r,b]", "shared, summed over t"),
        Step("∂L/∂x_t[a,b]", "Σ_k Σ_c δ_{k,t}[a,c] W_xk[b,c]", "x_t enters step t only"),
    ),
    notes=("the matrix form is one step t: x = x_t, (h, c) = (h_{t-1}, c_{t-1}), G_h = G_t + dh_t, G_c = dc_t; "
           "dh, dc are the gradients carried to step t-1",
           "the sum over t in every parameter's gradient: a shared parameter's gradients add"),
)
