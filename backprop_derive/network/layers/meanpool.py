r"""Mean-pool over time: :math:`y = \tfrac1T \mathbf 1^T X`, X of T rows (time steps, tokens) and D columns.

The pooling of an embedding classifier (embedding → mean over tokens → dense → softmax CE): each
feature's mean over the T rows.  Linear in X:

.. math::  y_c = \frac1T \sum_r X_{rc}, \qquad
           \frac{\partial L}{\partial X_{ab}} = \sum_c G_c \frac1T \sum_r \delta(r,a)\delta(c,b) = \frac{G_b}{T},
           \quad\text{that is}\quad \frac{\partial L}{\partial X} = \tfrac1T \mathbf 1 G,

every time step gets the same share 1/T of the upstream row G (1 × D).  Sizes: T = n, D = d.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.network.layers.base import Layer, Step


def _forward(keep, x):
    rows = x.shape[0]
    return sp.OneMatrix(1, rows) * x / rows


def backward_with(averaged: bool = True):
    """The backward formula; ``averaged=False`` forgets the 1/T (a planted mistake)."""

    def backward(keep, g, x, saved):
        rows = x.shape[0]
        spread = sp.OneMatrix(rows, 1) * g
        return {"dx": spread / rows if averaged else spread}

    return backward


LAYER = Layer(
    name="meanpool",
    summary="meanpool(X) = (1/T) 1ᵀ X: each feature's mean over the T time steps (the rows; T is n in the proof)",
    matches="torch.mean(x, dim=1) on a batch (N, T, D) (x.mean(dim=-2))",
    parameters=(),
    shapes=lambda rows, cols: {"x": (rows, cols)},
    forward=_forward,
    backward=backward_with(True),
    steps=(
        Step("y[c]", "(1/T) Σ_r x[r,c]", "the mean over time, feature by feature"),
        Step("∂y[c]/∂x[a,b]", "(1/T) δ(c,b)", "y is linear in x; every row counts once"),
        Step("∂L/∂x[a,b]", "Σ_c G[c] (1/T) δ(c,b) = G[b]/T", "chain rule; the δ picks c = b"),
    ),
    notes=("every time step gets the same 1/T share of the upstream row",
           "with padding, a masked mean divides by the number of real tokens instead (not this layer)"),
)
