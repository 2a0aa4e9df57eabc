r"""Flatten, as ``torch.flatten(x, 1)``: per sample (C, H, W) -> (C·H·W,), C-order.

.. math::  y_{(c H + h) W + w} = X_{c,h,w}, \qquad \frac{\partial L}{\partial X_{c,h,w}} = G_{(c H + h) W + w}:

the gradient is the upstream reshaped back, in the same (row-major) order.
"""

from __future__ import annotations

from backprop_derive.network.layers import grids
from backprop_derive.network.layers.base import Layer, Step


def shapes(C, H, W):
    return {"x": (C, H, W)}


def forward(x):
    """:math:`y_{(cH + h)W + w} = X_{c,h,w}`."""
    C, H, W = x.shape
    return grids.tensor((C * H * W,), lambda index: x[index[0] // (H * W), index[0] // W % H, index[0] % W])


def backward_with(order="C"):
    """∂L/∂X[c,h,w] = G[(cH + h)W + w]; ``order="F"`` reads G column-major (a planted mistake)."""

    def backward(G, x):
        C, H, W = x.shape
        if order == "C":
            return {"dx": grids.tensor(x.shape, lambda i: G[(i[0] * H + i[1]) * W + i[2]])}
        return {"dx": grids.tensor(x.shape, lambda i: G[(i[2] * H + i[1]) * C + i[0]])}

    return backward


INSTANCES = tuple(grids.Instance(shapes(C, H, W), {}, f"C={C}, H={H}, W={W}") for C, H, W in ((2, 3, 4), (3, 2, 2)))


def prove_with(backward=None):
    return grids.prove_on_instances("flatten", forward, backward or backward_with(), INSTANCES)


LAYER = Layer(
    name="flatten",
    summary="flatten(x)[(c·H + h)·W + w] = x[c,h,w] (C-order, per sample)",
    matches="torch.flatten(x, 1)",
    parameters=(),
    shapes=shapes,
    forward=forward,
    backward=backward_with(),
    steps=(
        Step("y[(c·H+h)·W+w]", "x[c,h,w]", "row-major: w varies fastest"),
        Step("∂L/∂x[c,h,w]", "Σ_m G[m] δ(m, (c·H+h)·W+w) = G[(c·H+h)·W+w]", "chain rule; the δ picks one entry"),
        Step("∂L/∂x", "G reshaped to (C, H, W), C-order", "the inverse of the forward's reshape", "matrix"),
    ),
    notes=("the order must be the forward's (torch and numpy's C-order); a column-major read scrambles channels",),
    prove=lambda backward=None: prove_with(backward),
    grid=True,
)
