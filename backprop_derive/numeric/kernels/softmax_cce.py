r"""The softmax cross-entropy head on the last axis of logits of any rank, every other axis a row.

For logits :math:`Z` of shape (N, ..., K) seen as R rows of K (R = N·T for a sequence, as
``torch.nn.functional.cross_entropy`` on the reshaped (N·T, K) logits) and labels :math:`Y` of the
same shape (one-hot, or rows summing to 1):

.. math::  L = -s \sum_{r,c} Y_{rc} \log\operatorname{softmax}(Z_r)_c, \qquad
           \partial L/\partial Z = s\,(\operatorname{softmax}(Z) - Y),

with s = 1/R for ``mean`` and 1 for ``sum`` -- the ``softmax_cce`` record of
``backprop_derive.network.losses`` (its ``gradient`` p − y times its ``scale``), whose δ the network proof
proves from the catalog's definition.  log-softmax is shifted by the row maximum, so logits of
±1000 stay finite.  A loss head takes the labels where a layer takes parameters:
``softmax_cce_forward(z, Y, reduction) -> (L, cache)``, ``softmax_cce_backward(g, cache) -> (dz,)``
with g = ∂L/∂L = 1.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel


def softmax_cce_forward(z, Y, reduction="mean"):
    """L = -s Σ Y log softmax(z) over the last axis; s = 1/rows (mean) or 1 (sum); cache (softmax(z), Y, s)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    scale = 1.0 / (z.size // z.shape[-1]) if reduction == "mean" else 1.0
    return -scale * float(np.sum(Y * log_p)), (np.exp(log_p), Y, scale)


def softmax_cce_backward(g, cache):
    """dz = g s (softmax(z) − Y)."""
    p, Y, scale = cache
    return ((g * scale) * (p - Y),)


KERNEL = Kernel(
    name="softmax_cce",
    parameters=lambda in_shape, reduction: {},
    out_shape=lambda in_shape, reduction: (),
    forward=softmax_cce_forward,
    backward=softmax_cce_backward,
    settings={"reduction": "mean"},
    functions=(softmax_cce_forward, softmax_cce_backward),
    summary="softmax cross-entropy on the last axis, every other axis a row (a loss head)",
)
