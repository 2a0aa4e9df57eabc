r"""The LSTM cell, as ``torch.nn.LSTMCell``: two inputs of state (h, c), two outputs (h', c').

Rows are samples; x is n × d, h and c are n × m.  Per gate k ∈ {i, f, g, o} (torch's order) a
pre-activation :math:`u_k = x W_{xk} + h W_{hk} + \mathbf 1 b_k` (:math:`W_{xk}` d × m, :math:`W_{hk}` m × m):

.. math::  i = \sigma(u_i), \; f = \sigma(u_f), \; g = \tanh(u_g), \; o = \sigma(u_o), \qquad
           c' = f \odot c + i \odot g, \qquad h' = o \odot \tanh(c').

torch stacks the gates: ``weight_ih`` (4m, d) has rows :math:`W_{xi}^T, W_{xf}^T, W_{xg}^T, W_{xo}^T` in
that order, so the kernel's :math:`W_x` (d, 4m) :math:`= [W_{xi} \; W_{xf} \; W_{xg} \; W_{xo}]` is
``weight_ih``ᵀ (and :math:`W_h` = ``weight_hh``ᵀ); one bias b (4m) = ``bias_ih + bias_hh``.

Two outputs, so two upstream gradients :math:`G_h = \partial L/\partial h'` and :math:`G_c = \partial
L/\partial c'`; the lemma's scalar is :math:`\langle G_h, h'\rangle + \langle G_c, c'\rangle`.  Backward:

.. math::  \Delta_c = G_c + G_h \odot o \odot (1 - \tanh^{\circ 2}(c')), \quad
           \delta_o = G_h \odot \tanh(c') \odot o \odot (1 - o), \quad
           \delta_i = \Delta_c \odot g \odot i \odot (1 - i), \quad
           \delta_f = \Delta_c \odot c \odot f \odot (1 - f), \quad
           \delta_g = \Delta_c \odot i \odot (1 - g^{\circ 2}),

:math:`\partial L/\partial c = \Delta_c \odot f` (the cell state's path, through the forget gate),
:math:`\partial L/\partial x = \sum_k \delta_k W_{xk}^T`, :math:`\partial L/\partial h = \sum_k \delta_k W_{hk}^T`,
:math:`\partial L/\partial W_{xk} = x^T \delta_k`, :math:`\partial L/\partial W_{hk} = h^T \delta_k`,
:math:`\partial L/\partial b_k = \mathbf 1^T \delta_k`.
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

#: The gates in torch's order, each with its nonlinearity.
GATES = (("i", sigmoid), ("f", sigmoid), ("g", sp.tanh), ("o", sigmoid))
PARAMETERS = tuple(f"{kind}{k}" for k, _ in GATES for kind in ("W_x", "W_h", "b_"))


def _shapes(rows, cols):
    shapes = {"x": (rows, cols), "h": (rows, m), "c": (rows, m)}
    for k, _ in GATES:
        shapes.update({f"W_x{k}": (cols, m), f"W_h{k}": (m, m), f"b_{k}": (1, m)})
    return shapes


def _triples(params):
    """(W_xk, W_hk, b_k) for each gate k, from the parameters in :data:`PARAMETERS` order."""
    return [params[at:at + 3] for at in range(0, len(params), 3)]


def _forward(keep, x, h, c, *params):
    rows = x.shape[0]
    gate = {}
    for (k, function), (Wx, Wh, b) in zip(GATES, _triples(params), strict=True):
        gate[k] = keep(k, apply(function, x * Wx + h * Wh + bias_row(b, rows, x)))
    c_new = keep("c_new", hadamard(gate["f"], c) + hadamard(gate["i"], gate["g"]))
    tc = keep("tc", apply(sp.tanh, c_new))
    return hadamard(gate["o"], tc), c_new


def backward_with(forget_factor: bool = True, cell_path: bool = True):
    """The backward formulas; planted mistakes: ``forget_factor=False`` drops the ⊙ f of ∂L/∂c,
    ``cell_path=False`` drops G_c, the gradient reaching c' directly (the cell state's own path)."""

    def backward(keep, g, x, h, c, *params, saved):
        G_h, G_c = g
        i, f, gg, o, tc = (saved[name] for name in ("i", "f", "g", "o", "tc"))
        through_h = hadamard(G_h, o, one_minus_square(tc))
        dc_new = keep("dc_new", G_c + through_h if cell_path else through_h)
        delta = {"i": hadamard(dc_new, gg, i, one_minus(i)), "f": hadamard(dc_new, c, f, one_minus(f)),
                 "g": hadamard(dc_new, i, one_minus_square(gg)), "o": hadamard(G_h, tc, o, one_minus(o))}
        delta = {k: keep(f"delta_{k}", value) for k, value in delta.items()}
        weights = dict(zip(PARAMETERS, params, strict=True))
        out = {"dx": _sum([delta[k] * weights[f"W_x{k}"].T for k, _ in GATES])}
        out["dh"] = _sum([delta[k] * weights[f"W_h{k}"].T for k, _ in GATES])
        out["dc"] = hadamard(dc_new, f) if forget_factor else dc_new
        for k, _ in GATES:
            out.update({f"dW_x{k}": x.T * delta[k], f"dW_h{k}": h.T * delta[k], f"db_{k}": column_sums(delta[k])})
        return out

    return backward


def _sum(terms):
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


LAYER = Layer(
    name="lstm_cell",
    summary="lstm_cell(x, h, c) = (h', c'): gates i, f, g, o; c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c')",
    matches="torch.nn.LSTMCell(d, m): weight_ih = [W_xi W_xf W_xg W_xo]ᵀ stacked, weight_hh likewise, "
            "bias_ih + bias_hh = [b_i b_f b_g b_o]",
    parameters=PARAMETERS,
    inputs=("x", "h", "c"),
    outputs=("h", "c"),
    shapes=_shapes,
    forward=_forward,
    backward=backward_with(),
    steps=(
        Step("u_k[r,c]", "Σ_j x[r,j] W_xk[j,c] + Σ_j h[r,j] W_hk[j,c] + b_k[c],  k = i, f, g, o",
             "each gate's pre-activation"),
        Step("i, f, o; g", "σ(u_i), σ(u_f), σ(u_o); tanh(u_g)", "the gates (torch's order i, f, g, o)"),
        Step("c'[r,c]", "f[r,c] c[r,c] + i[r,c] g[r,c]", "the new cell state"),
        Step("h'[r,c]", "o[r,c] tanh(c'[r,c])", "the new hidden state"),
        Step("Δc[r,c]", "G_c[r,c] + G_h[r,c] o[r,c] (1 - tanh(c'[r,c])²)", "c' reaches L directly and through h'"),
        Step("δ_o[r,c]", "G_h[r,c] tanh(c'[r,c]) o[r,c] (1 - o[r,c])", "σ' = σ(1 - σ)"),
        Step("δ_i[r,c]", "Δc[r,c] g[r,c] i[r,c] (1 - i[r,c])", "∂c'/∂i = g"),
        Step("δ_f[r,c]", "Δc[r,c] c[r,c] f[r,c] (1 - f[r,c])", "∂c'/∂f = c"),
        Step("δ_g[r,c]", "Δc[r,c] i[r,c] (1 - g[r,c]²)", "∂c'/∂g = i, tanh' = 1 - g²"),
        Step("∂L/∂c[a,b]", "Δc[a,b] f[a,b]", "∂c'/∂c = f: the cell state's path back in time"),
        Step("∂L/∂W_xk[a,b]", "Σ_r x[r,a] δ_k[r,b]", "u_k is linear in W_xk"),
        Step("∂L/∂W_hk[a,b]", "Σ_r h[r,a] δ_k[r,b]", "u_k is linear in W_hk"),
        Step("∂L/∂b_k[b]", "Σ_r δ_k[r,b]", "b_k is added to every row"),
        Step("∂L/∂x[a,b]", "Σ_k Σ_c δ_k[a,c] W_xk[b,c]", "x enters every gate"),
        Step("∂L/∂h[a,b]", "Σ_k Σ_c δ_k[a,c] W_hk[b,c]", "h enters every gate"),
    ),
    notes=("two outputs: the upstreams G_h and G_c pair with h' and c' (⟨G_h, h'⟩ + ⟨G_c, c'⟩)",
           "torch's stacked weight_ih is [W_xi W_xf W_xg W_xo]ᵀ; the two biases only add"),
)
