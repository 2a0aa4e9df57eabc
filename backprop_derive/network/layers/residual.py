r"""Residual: :math:`y = x + f(x)`, a skip connection around a block f of equal input and output width.

For an upstream :math:`G = \partial L/\partial y`, the gradient reaches x both ways and adds:

.. math::  \frac{\partial L}{\partial x} = G + J_f(x)^T G,

:math:`J_f^T G` being the block's own backward (its VJP).  The lemma takes the block to be
:math:`f(x) = \phi(xW)` with W a d × d matrix and φ an undefined elementwise function -- mixing
across features and a nonlinearity, so the skip's G is not confused with any term of the block's
-- and proves :math:`\partial L/\partial x = G + (G \odot \phi'(xW)) W^T` and
:math:`\partial L/\partial W = x^T (G \odot \phi'(xW))`.
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from backprop_derive.network.layers.base import Layer, Step

_prime = sp.Function("phi'")


class phi(sp.Function):
    """An undefined elementwise block function φ, whose derivative is the undefined φ'."""

    nargs = 1

    def fdiff(self, argindex=1):
        return _prime(self.args[0])


def _forward(keep, x, W):
    pre = keep("u", x * W)
    return x + ElementwiseApplyFunction(phi, pre)


def backward_with(skip: bool = True):
    """The backward formulas; ``skip=False`` forgets the skip connection's G (a planted mistake)."""

    def backward(keep, g, x, W, saved):
        local = sp.HadamardProduct(g, ElementwiseApplyFunction(_prime, saved["u"]))
        block = local * W.T
        return {"dW": x.T * local, "dx": g + block if skip else block}

    return backward


LAYER = Layer(
    name="residual",
    summary="residual(x) = x + f(x), f a block of equal width (here f(x) = φ(x W), φ any elementwise function)",
    matches="x + block(x) in PyTorch (autograd adds the two paths)",
    parameters=("W",),
    shapes=lambda rows, cols: {"x": (rows, cols), "W": (cols, cols)},
    forward=_forward,
    backward=backward_with(True),
    steps=(
        Step("y[r,c]", "x[r,c] + f(x)[r,c]", "the skip connection"),
        Step("∂y[r,c]/∂x[a,b]", "δ(r,a) δ(c,b) + ∂f(x)[r,c]/∂x[a,b]", "sum rule"),
        Step("∂L/∂x[a,b]", "Σ_r Σ_c G[r,c] ∂y[r,c]/∂x[a,b] = G[a,b] + (J_fᵀ G)[a,b]", "chain rule; the δs pick (a, b)"),
        Step("J_fᵀ G", "(G ⊙ φ'(x W)) Wᵀ  for f(x) = φ(x W)", "the block's own backward"),
    ),
    notes=("in a network the block is dense → (norm) → activation, and its backward is theirs",),
)
