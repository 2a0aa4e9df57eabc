r"""Inverted dropout with its mask given: :math:`Y = \frac{1}{1-p}\, X \odot M`, as PyTorch trains.

M is a 0/1 matrix of X's shape (1 keeps an entry, drawn with probability 1 - p) and p the drop
probability, 0 ≤ p < 1.  Scaling by :math:`1/(1-p)` while training keeps :math:`E[Y] = X`, so
evaluation is the identity.  With the mask an *input* (a constant of the layer, not differentiated)
the layer is linear in X and deterministic:

.. math::  Y_{rc} = \frac{X_{rc} M_{rc}}{1-p}, \qquad
           \frac{\partial L}{\partial X_{ab}} = \sum_{r,c} G_{rc} \frac{\delta(r,a)\delta(c,b) M_{rc}}{1-p}
           = \frac{G_{ab} M_{ab}}{1-p}, \quad\text{that is}\quad
           \frac{\partial L}{\partial X} = \frac{1}{1-p}\, G \odot M.

``torch.nn.functional.dropout(x, p, training=True)`` draws M itself and returns exactly this; with
the same M the two are equal (a test reads torch's M from ``F.dropout`` of a tensor of ones under a
fixed seed, where :math:`Y = M/(1-p)`, and checks the identity).
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.network.layers.base import Layer, Step

#: The drop probability, 0 ≤ p < 1 (torch's default 0.5 in code).
p = sp.Symbol("p", nonnegative=True)
P = 0.5


def _forward(keep, x, M):
    return sp.HadamardProduct(x, M) / (1 - p)


def backward_with(scaled: bool = True):
    """The backward formula; ``scaled=False`` forgets the 1/(1 - p) (a planted mistake)."""

    def backward(keep, g, x, M, saved):
        masked = sp.HadamardProduct(g, M)
        return {"dx": masked / (1 - p) if scaled else masked}

    return backward


LAYER = Layer(
    name="dropout",
    summary="dropout(X) = X ⊙ M / (1 - p): inverted dropout, M a given 0/1 mask of X's shape, p the drop probability",
    matches="torch.nn.functional.dropout(x, p, training=True) when it draws the mask M",
    parameters=(),
    constants=("M",),
    shapes=lambda rows, cols: {"x": (rows, cols), "M": (rows, cols)},
    forward=_forward,
    backward=backward_with(True),
    settings={"p": P},
    steps=(
        Step("y[r,c]", "x[r,c] M[r,c] / (1 - p)", "kept entries scaled by 1/(1 - p), dropped ones zero"),
        Step("∂y[r,c]/∂x[a,b]", "δ(r,a) δ(c,b) M[r,c] / (1 - p)", "y is linear in x, entry by entry"),
        Step("∂L/∂x[a,b]", "Σ_r Σ_c G[r,c] δ(r,a) δ(c,b) M[r,c] / (1 - p) = G[a,b] M[a,b] / (1 - p)",
             "chain rule; the δs pick (a, b)"),
    ),
    notes=("the mask is an input, not differentiated: given per call (the kernel's keyword `mask`), so a check "
           "is deterministic; torch's F.dropout draws the same kind of mask and, given that mask, equals this",
           "evaluation (no mask) is the identity: the 1/(1 - p) while training already keeps E[y] = x",
           "p = 1 drops everything and 1/(1 - p) is undefined: p must be in [0, 1)"),
)
