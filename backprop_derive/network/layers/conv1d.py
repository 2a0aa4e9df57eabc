r"""1-D convolution, as ``torch.nn.functional.conv1d(x, W, b, stride, padding)``: a cross-correlation.

Per sample, x of shape (C, L), a weight (O, C, k), a bias (O,), stride s, zero padding P:

.. math::  Y_{o,i} = b_o + \sum_{c,p} X_{c,\, s i + p - P}\, W_{o,c,p}, \qquad
           \frac{\partial L}{\partial W_{o,c,p}} = \sum_i G_{o,i} X_{c,\, s i + p - P}, \qquad
           \frac{\partial L}{\partial b_o} = \sum_i G_{o,i},

.. math::  \frac{\partial L}{\partial X_{c,h}} = \sum_{o,p'} \tilde G_{o,\, h + P - (k-1) + p'}\, W_{o,c,\,k-1-p'},

:math:`\tilde G` the upstream dilated by the stride: the full correlation with the flipped kernel.
The formulas are :mod:`backprop_derive.network.layers.grids`' (one spatial axis); proved exactly on instances.
"""

from __future__ import annotations

from backprop_derive.network.layers import grids
from backprop_derive.network.layers.base import Layer, Step


def shapes(C, L, O, k):  # noqa: E741 - the sizes as the math names them
    """Per-sample shapes of the input and the parameters."""
    return {"x": (C, L), "W": (O, C, k), "b": (O,)}


def instance(C, L, O, k, stride, padding):  # noqa: E741
    return grids.Instance(shapes(C, L, O, k), {"stride": stride, "padding": padding},
                          f"C={C}, L={L}, O={O}, k={k}, stride {stride}, padding {padding}")


INSTANCES = (*(instance(2, 7, 2, 3, s, p) for s in (1, 2) for p in (0, 1)), instance(1, 8, 2, 2, 3, 2))


def prove_with(backward=None):
    return grids.prove_on_instances("conv1d", grids.conv_forward, backward or grids.conv_backward_with(),
                                    INSTANCES)


LAYER = Layer(
    name="conv1d",
    summary="conv1d(x) = b + Σ_{c,p} x[c, s·i+p−P] W[o,c,p] (cross-correlation, stride s, zero padding P)",
    matches="torch.nn.functional.conv1d(x, W, b, stride=s, padding=P)",
    parameters=("W", "b"),
    shapes=shapes,
    forward=grids.conv_forward,
    backward=grids.conv_backward_with(),
    settings={"stride": 1, "padding": 0},
    steps=(
        Step("Y[o,i]", "b[o] + Σ_{c,p} x[c, s·i+p−P] W[o,c,p]", "the layer; x is 0 outside its grid (the padding)"),
        Step("∂L/∂W[o,c,p]", "Σ_i G[o,i] x[c, s·i+p−P]", "Y is linear in W; chain rule"),
        Step("∂L/∂b[o]", "Σ_i G[o,i]", "b[o] is added at every position"),
        Step("∂L/∂x[c,h]", "Σ_{o,p} G[o, (h+P−p)/s] W[o,c,p]",
             "chain rule; δ(s·i+p−P, h) picks i = (h+P−p)/s where it is an integer in range"),
        Step("∂L/∂x[c,h]", "Σ_{o,p'} G̃[o, h+P−(k−1)+p'] W[o,c,k−1−p']",
             "p' = k−1−p, G̃[o,s·i] = G[o,i] and 0 elsewhere: the dilated upstream, padded by k−1−P, "
             "correlated with the flipped kernel"),
        Step("cols", "im2col(x)", "C·k × Lo: column i is the window x[:, s·i−P : s·i−P+k], flattened", "matrix"),
        Step("Y", "Wm cols + b 1ᵀ", "Wm = W reshaped to O × C·k", "matrix"),
        Step("∂L/∂W", "G colsᵀ", "reshaped to O × C × k", "matrix"),
        Step("∂L/∂b", "G 1", "the row sums of G", "matrix"),
        Step("∂L/∂x", "col2im(Wmᵀ G)", "each column added back onto its window: the flipped-kernel correlation",
             "matrix"),
    ),
    notes=("a cross-correlation, as PyTorch's conv1d: the forward does not flip the kernel; the backward to x does",
           "per sample; over a batch ∂L/∂W and ∂L/∂b add the samples' terms"),
    prove=lambda backward=None: prove_with(backward),
    grid=True,
)
