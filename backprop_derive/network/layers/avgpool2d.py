r"""2-D average-pooling, as ``torch.nn.functional.avg_pool2d(x, k, stride)`` (stride defaults to k; no padding).

Per sample, x of shape (C, H, W):

.. math::  Y_{c,i,j} = \frac{1}{k^2} \sum_{p,q} X_{c,\, s i + p,\, s j + q}, \qquad
           \frac{\partial L}{\partial X_{c,h,w}} = \frac{1}{k^2} \sum_{i,j} G_{c,i,j}\,
           [\,0 \le h - s i < k\,]\,[\,0 \le w - s j < k\,].
"""

from __future__ import annotations

from backprop_derive.network.layers import grids
from backprop_derive.network.layers.base import Layer, Step
from backprop_derive.network.layers.maxpool2d import INSTANCES


def prove_with(backward=None):
    return grids.prove_on_instances("avgpool2d", grids.avgpool_forward, backward or grids.avgpool_backward_with(),
                                    INSTANCES)


LAYER = Layer(
    name="avgpool2d",
    summary="avgpool2d(x)[c,i,j] = (1/k²) Σ_{p,q<k} x[c, s·i+p, s·j+q] (stride s, default k)",
    matches="torch.nn.functional.avg_pool2d(x, k, stride=s)",
    parameters=(),
    shapes=lambda C, H, W: {"x": (C, H, W)},
    forward=grids.avgpool_forward,
    backward=grids.avgpool_backward_with(),
    settings={"kernel": 2, "stride": None},
    steps=(
        Step("Y[c,i,j]", "(1/k²) Σ_{p,q} x[c, s·i+p, s·j+q]", "the window's mean"),
        Step("∂Y[c,i,j]/∂x[c,h,w]", "(1/k²) [0 ≤ h−s·i < k] [0 ≤ w−s·j < k]", "every cell of the window counts 1/k²"),
        Step("∂L/∂x[c,h,w]", "(1/k²) Σ_{i,j} G[c,i,j] [0 ≤ h−s·i < k] [0 ≤ w−s·j < k]",
             "chain rule: G/k² to every cell of the window; overlapping windows add"),
        Step("∂L/∂x", "col2im((1/k²) 1 G)", "G/k² spread over each window, added back onto the grid", "matrix"),
    ),
    notes=("no padding, floor mode (torch's defaults): cells past the last whole window get no gradient",),
    prove=lambda backward=None: prove_with(backward),
    grid=True,
)
