r"""2-D max-pooling, as ``torch.nn.functional.max_pool2d(x, k, stride)`` (stride defaults to k; no padding).

Per sample, x of shape (C, H, W):

.. math::  Y_{c,i,j} = \max_{0 \le p,q < k} X_{c,\, s i + p,\, s j + q}, \qquad
           \frac{\partial L}{\partial X_{c,h,w}} = \sum_{i,j} G_{c,i,j}\,
           [\,(h - s i,\ w - s j) = \operatorname{argmax}_{p,q} X_{c,\, s i + p,\, s j + q}\,].

Where a window's entries differ the max is differentiable and its gradient is 1 at the argmax, 0
elsewhere; windows that overlap (s < k) add.  **Ties**: the max is not differentiable there, and
PyTorch's CPU kernel sends the whole G to the *first* maximal cell in row-major order (p, then q) --
it moves on only for a strictly greater value; the formula and the numpy kernel do the same
(``np.argmax`` returns the first).  The proof (on instances, at points of distinct entries) cannot
see ties; the tests compare the kernel with PyTorch at tied inputs.
"""

from __future__ import annotations

from backprop_derive.network.layers import grids
from backprop_derive.network.layers.base import Layer, Step


def shapes(C, H, W):
    return {"x": (C, H, W)}


def instance(C, H, W, k, stride):
    return grids.Instance(shapes(C, H, W), {"kernel": k, "stride": stride},
                          f"C={C}, H={H}, W={W}, k={k}, stride {stride}")


INSTANCES = (instance(2, 4, 4, 2, 2), instance(1, 5, 5, 3, 2), instance(1, 4, 5, 2, 1))
POINTS = 3


def prove_with(backward=None):
    return grids.prove_on_instances("maxpool2d", grids.maxpool_forward, backward or grids.maxpool_backward_with(),
                                    INSTANCES, points=POINTS)


LAYER = Layer(
    name="maxpool2d",
    summary="maxpool2d(x)[c,i,j] = max_{p,q<k} x[c, s·i+p, s·j+q] (stride s, default k)",
    matches="torch.nn.functional.max_pool2d(x, k, stride=s)",
    parameters=(),
    shapes=shapes,
    forward=grids.maxpool_forward,
    backward=grids.maxpool_backward_with(),
    settings={"kernel": 2, "stride": None},
    steps=(
        Step("Y[c,i,j]", "max_{p,q} x[c, s·i+p, s·j+q]", "the window's maximum"),
        Step("(p*, q*)[c,i,j]", "argmax_{p,q} x[c, s·i+p, s·j+q], the first in row-major order at a tie",
             "PyTorch's convention (CPU: a later cell wins only if strictly greater)"),
        Step("∂Y[c,i,j]/∂x[c,h,w]", "δ(h, s·i+p*) δ(w, s·j+q*)", "the max moves with its argmax only"),
        Step("∂L/∂x[c,h,w]", "Σ_{i,j} G[c,i,j] δ(h, s·i+p*) δ(w, s·j+q*)",
             "chain rule: each window's G goes to its argmax; overlapping windows add"),
        Step("M", "argmaxmask(x)", "k·k × C·Ho·Wo, 0/1: one 1 per window (column), at its first argmax", "matrix"),
        Step("∂L/∂x", "col2im(M ⊙ (1 G))", "each window's G at its argmax, added back onto the grid", "matrix"),
    ),
    notes=("at a tie the whole gradient goes to the first maximal cell of the window (row-major), as PyTorch's "
           "CPU kernel; not to every tied cell, and not shared among them",
           "no padding, floor mode: rows and columns past the last whole window get no gradient"),
    prove=lambda backward=None: prove_with(backward),
    grid=True,
)
