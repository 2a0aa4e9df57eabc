r"""2-D convolution, as ``torch.nn.functional.conv2d(x, W, b, stride, padding)``: a cross-correlation.

Per sample, x of shape (C, H, W), a weight (O, C, kh, kw), a bias (O,), stride s, zero padding P
(x read as 0 outside its grid):

.. math::  Y_{o,i,j} = b_o + \sum_{c,p,q} X_{c,\, s i + p - P,\, s j + q - P}\, W_{o,c,p,q}.

Backward, for an upstream :math:`G = \partial L/\partial Y`:

.. math::  \frac{\partial L}{\partial W_{o,c,p,q}} = \sum_{i,j} G_{o,i,j}\, X_{c,\, s i + p - P,\, s j + q - P},
           \qquad \frac{\partial L}{\partial b_o} = \sum_{i,j} G_{o,i,j},

.. math::  \frac{\partial L}{\partial X_{c,h,w}} = \sum_{o,p',q'} \tilde G_{o,\, h + P - (k_h - 1) + p',\,
           w + P - (k_w - 1) + q'}\; W_{o,c,\, k_h - 1 - p',\, k_w - 1 - q'},

:math:`\tilde G` the upstream dilated by the stride (:math:`\tilde G_{o, s i, s j} = G_{o,i,j}`, 0 between
and outside): the full correlation of the dilated upstream with the kernel flipped in both spatial
axes.  Proved exactly on instances (:mod:`backprop_derive.network.layers.grids`), sizes named in the proof.
"""

from __future__ import annotations

from backprop_derive.network.layers import grids
from backprop_derive.network.layers.base import Layer, Step


def shapes(C, H, W, O, kh, kw):  # noqa: E741 - the sizes as the math names them
    """Per-sample shapes of the input and the parameters."""
    return {"x": (C, H, W), "W": (O, C, kh, kw), "b": (O,)}


def instance(C, H, W, O, kh, kw, stride, padding):  # noqa: E741
    return grids.Instance(shapes(C, H, W, O, kh, kw), {"stride": stride, "padding": padding},
                          f"C={C}, H={H}, W={W}, O={O}, k={kh}x{kw}, stride {stride}, padding {padding}")


INSTANCES = (*(instance(2, 5, 5, 2, 3, 3, s, p) for s in (1, 2) for p in (0, 1)),
             instance(1, 4, 5, 2, 2, 3, 2, 1))


def prove_with(backward=None):
    return grids.prove_on_instances("conv2d", grids.conv_forward, backward or grids.conv_backward_with(),
                                    INSTANCES)


LAYER = Layer(
    name="conv2d",
    summary="conv2d(x) = b + Σ_{c,p,q} x[c, s·i+p−P, s·j+q−P] W[o,c,p,q] (cross-correlation, stride s, zero padding P)",
    matches="torch.nn.functional.conv2d(x, W, b, stride=s, padding=P)",
    parameters=("W", "b"),
    shapes=shapes,
    forward=grids.conv_forward,
    backward=grids.conv_backward_with(),
    settings={"stride": 1, "padding": 0},
    steps=(
        Step("Y[o,i,j]", "b[o] + Σ_{c,p,q} x[c, s·i+p−P, s·j+q−P] W[o,c,p,q]",
             "the layer, entry by entry; x is 0 outside its grid (the zero padding)"),
        Step("∂Y[o,i,j]/∂W[o',c,p,q]", "δ(o,o') x[c, s·i+p−P, s·j+q−P]", "Y is linear in W"),
        Step("∂L/∂W[o,c,p,q]", "Σ_{i,j} G[o,i,j] x[c, s·i+p−P, s·j+q−P]", "chain rule; the δ picks o' = o"),
        Step("∂L/∂b[o]", "Σ_{i,j} G[o,i,j]", "b[o] is added at every output position"),
        Step("∂Y[o,i,j]/∂x[c,h,w]", "Σ_{p,q} W[o,c,p,q] δ(s·i+p−P, h) δ(s·j+q−P, w)", "Y is linear in x"),
        Step("∂L/∂x[c,h,w]", "Σ_{o,p,q} G[o, (h+P−p)/s, (w+P−q)/s] W[o,c,p,q]",
             "chain rule; the δs pick i = (h+P−p)/s, j = (w+P−q)/s where these are integers in range, "
             "the other terms are 0"),
        Step("∂L/∂x[c,h,w]", "Σ_{o,p',q'} G̃[o, h+P−(kh−1)+p', w+P−(kw−1)+q'] W[o,c, kh−1−p', kw−1−q']",
             "p' = kh−1−p, q' = kw−1−q, with G̃[o,s·i,s·j] = G[o,i,j] and 0 elsewhere: the stride-dilated "
             "upstream, padded by k−1−P, correlated with the kernel flipped in both spatial axes"),
        Step("cols", "im2col(x)", "C·kh·kw × Ho·Wo: column (i,j) is the window x[:, s·i−P : s·i−P+kh, "
             "s·j−P : s·j−P+kw], flattened", "matrix"),
        Step("Y", "Wm cols + b 1ᵀ", "Wm = W reshaped to O × C·kh·kw; Y as O × Ho·Wo", "matrix"),
        Step("∂L/∂W", "G colsᵀ", "reshaped to O × C × kh × kw; summed over the batch as well", "matrix"),
        Step("∂L/∂b", "G 1", "the row sums of G (and over the batch)", "matrix"),
        Step("∂L/∂x", "col2im(Wmᵀ G)", "each column of Wmᵀ G added back onto the window it was read from: "
             "the dilated upstream correlated with the flipped kernel", "matrix"),
    ),
    notes=("a cross-correlation, as PyTorch's conv2d: the forward does not flip the kernel; the backward to x does",
           "per sample; over a batch ∂L/∂W and ∂L/∂b add the samples' terms",
           "output size ⌊(H + 2P − kh)/s⌋ + 1; rows and columns the stride skips get no gradient"),
    prove=lambda backward=None: prove_with(backward),
    grid=True,
)
