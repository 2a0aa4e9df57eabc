r"""The vanilla (Elman) RNN cell: :math:`h' = \tanh(x W_{xh} + h W_{hh} + \mathbf 1 b)`, rows are samples.

x is n × d, h (the previous hidden state) n × m, :math:`W_{xh}` d × m, :math:`W_{hh}` m × m and one bias
b of width m.  As ``torch.nn.RNNCell(d, m)`` (tanh) with ``weight_ih`` (m, d) :math:`= W_{xh}^T`,
``weight_hh`` :math:`= W_{hh}^T` and ``bias_ih + bias_hh`` :math:`= b` (torch's two biases only add;
we keep one, and the bindings give it to ``bias_ih`` with ``bias_hh = 0``).

Backward, for :math:`G = \partial L/\partial h'`, through tanh' written with the output
(:math:`\tanh'(a) = 1 - \tanh^2(a) = 1 - h'^2`):

.. math::  \delta = G \odot (1 - h'^{\circ 2}), \quad
           \frac{\partial L}{\partial W_{xh}} = x^T\delta, \quad
           \frac{\partial L}{\partial W_{hh}} = h^T\delta, \quad
           \frac{\partial L}{\partial b} = \mathbf 1^T\delta, \quad
           \frac{\partial L}{\partial x} = \delta W_{xh}^T, \quad
           \frac{\partial L}{\partial h} = \delta W_{hh}^T.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.network.layers.base import Layer, Step, m
from backprop_derive.network.layers.gates import apply, bias_row, column_sums, hadamard, one_minus, one_minus_square


def step_forward(keep, x, h, W_xh, W_hh, b):
    """h' = tanh(x W_xh + h W_hh + 1 b), the output kept as ``h_new`` (the backward reuses it)."""
    return keep("h_new", apply(sp.tanh, x * W_xh + h * W_hh + bias_row(b, x.shape[0], x)))


def backward_with(tanh_prime: str = "1 - h'²"):
    """The backward formulas; ``tanh_prime="1 - h'"`` writes tanh' as 1 − h (a planted mistake)."""

    def backward(keep, g, x, h, W_xh, W_hh, b, saved):
        out = saved["h_new"]
        local = one_minus_square(out) if tanh_prime == "1 - h'²" else one_minus(out)
        delta = keep("delta", hadamard(g, local))
        return {"dx": delta * W_xh.T, "dh": delta * W_hh.T, "dW_xh": x.T * delta, "dW_hh": h.T * delta,
                "db": column_sums(delta)}

    return backward


STEPS = (
    Step("u[r,c]", "Σ_i x[r,i] W_xh[i,c] + Σ_j h[r,j] W_hh[j,c] + b[c]", "the pre-activation"),
    Step("h'[r,c]", "tanh(u[r,c])", "elementwise"),
    Step("δ[r,c]", "G[r,c] (1 - h'[r,c]²)", "tanh'(u) = 1 - tanh(u)² = 1 - h'²"),
    Step("∂L/∂W_xh[a,b]", "Σ_r x[r,a] δ[r,b]", "u is linear in W_xh"),
    Step("∂L/∂W_hh[a,b]", "Σ_r h[r,a] δ[r,b]", "u is linear in W_hh"),
    Step("∂L/∂b[b]", "Σ_r δ[r,b]", "b is added to every row"),
    Step("∂L/∂x[a,b]", "Σ_c δ[a,c] W_xh[b,c]", "u is linear in x"),
    Step("∂L/∂h[a,b]", "Σ_c δ[a,c] W_hh[b,c]", "u is linear in h: the gradient an RNN carries back in time"),
)

LAYER = Layer(
    name="rnn_cell",
    summary="rnn_cell(x, h) = tanh(x W_xh + h W_hh + b)  (rows are samples; one bias)",
    matches="torch.nn.RNNCell(d, m) with weight_ih = W_xhᵀ, weight_hh = W_hhᵀ, bias_ih + bias_hh = b",
    parameters=("W_xh", "W_hh", "b"),
    inputs=("x", "h"),
    shapes=lambda rows, cols: {"x": (rows, cols), "h": (rows, m), "W_xh": (cols, m), "W_hh": (m, m), "b": (1, m)},
    forward=step_forward,
    backward=backward_with(),
    steps=STEPS,
    notes=("torch's bias_ih and bias_hh only add: one bias b = bias_ih + bias_hh",
           "tanh' is written through the output: 1 - h'², not 1 - h'"),
)
