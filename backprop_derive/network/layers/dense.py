r"""Dense: :math:`Z = XW + \mathbf 1 b` (rows are samples), W of shape (fan_in, fan_out).

Index notation, for an upstream :math:`G = \partial L/\partial Z`:

.. math::  Z_{rc} = \sum_i X_{ri} W_{ic} + b_c, \qquad
           \frac{\partial L}{\partial W_{ab}} = \sum_r X_{ra} G_{rb}, \quad
           \frac{\partial L}{\partial b_b} = \sum_r G_{rb}, \quad
           \frac{\partial L}{\partial X_{ab}} = \sum_c G_{ac} W_{bc},

that is :math:`\partial L/\partial W = X^T G`, :math:`\partial L/\partial b = \mathbf 1^T G`,
:math:`\partial L/\partial X = G W^T`.  The functions below work on explicit ``sympy.Matrix``
objects (the instance proof) and on ``MatrixSymbol`` objects (equations, code, the lemma).
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.network.layers.base import Layer, Step, m


def ones(rows, cols, like):
    """A matrix of ones: explicit for explicit ``like``, ``OneMatrix`` for symbolic."""
    return sp.ones(rows, cols) if isinstance(like, sp.MatrixBase) else sp.OneMatrix(rows, cols)


def pre_activation(a_prev, w, b):
    r""":math:`Z_l = A_{l-1} W_l + \mathbf 1 b_l` (the bias row added to every sample)."""
    return a_prev * w + ones(a_prev.shape[0], 1, a_prev) * b


def weight_gradient(a_prev, delta):
    r""":math:`\partial L/\partial W_l = A_{l-1}^T \delta_l` (shape fan_in × fan_out)."""
    return a_prev.T * delta


def bias_gradient(delta):
    r""":math:`\partial L/\partial b_l = \mathbf 1^T \delta_l`: the column sums of δ_l over the batch."""
    return ones(1, delta.shape[0], delta) * delta


def input_gradient(delta, w):
    r""":math:`\partial L/\partial A_{l-1} = \delta_l W_l^T` (shape n × fan_in)."""
    return delta * w.T


def _forward(keep, x, W, b):
    return pre_activation(x, W, b)


def _backward(keep, g, x, W, b, saved):
    return {"dW": weight_gradient(x, g), "db": bias_gradient(g), "dx": input_gradient(g, W)}


LAYER = Layer(
    name="dense",
    summary="dense(X) = X W + 1 b  (rows are samples; W is fan_in × fan_out)",
    matches="torch.nn.Linear with weight Wᵀ",
    parameters=("W", "b"),
    shapes=lambda rows, cols: {"x": (rows, cols), "W": (cols, m), "b": (1, m)},
    forward=_forward,
    backward=_backward,
    steps=(
        Step("Z[r,c]", "Σ_i X[r,i] W[i,c] + b[c]", "the layer, entry by entry"),
        Step("∂Z[r,c]/∂W[a,b]", "X[r,a] δ(c,b)", "Z is linear in W"),
        Step("∂L/∂W[a,b]", "Σ_r Σ_c G[r,c] X[r,a] δ(c,b) = Σ_r X[r,a] G[r,b]", "chain rule; the δ picks c = b"),
        Step("∂L/∂b[b]", "Σ_r Σ_c G[r,c] δ(c,b) = Σ_r G[r,b]", "b is added to every row"),
        Step("∂L/∂X[a,b]", "Σ_r Σ_c G[r,c] δ(r,a) W[b,c] = Σ_c G[a,c] W[b,c]", "Z is linear in X"),
    ),
)
