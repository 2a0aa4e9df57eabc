r"""Inverted dropout with a given mask: :math:`y = x \odot M/(1-p)`, :math:`\partial L/\partial x = G \odot M/(1-p)`.

Proved in ``backprop_derive/network/layers/dropout.py``.  The mask is the keyword ``mask`` of the forward, given per
call (an array of the batched x's shape holding 0 and 1), not a parameter and not differentiated:
a spec gives ``p``; whoever runs the network (a training loop, a test) draws or fixes the mask and
passes it each call, so a check is deterministic.  ``mask=None`` is evaluation mode: the identity,
as ``F.dropout(x, p, training=False)``.  The scale M/(1-p) is computed once and reused backward.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel


def dropout_forward(x, p=0.5, mask=None, **settings):
    """y = x ⊙ M/(1 - p); with no mask, the identity (evaluation)."""
    if not 0 <= p < 1:
        raise ValueError(f"dropout p must be in [0, 1), got {p}")
    if mask is None:
        return x, None
    mask = np.asarray(mask)
    if mask.shape != x.shape:
        raise ValueError(f"dropout mask has shape {mask.shape}, x has {x.shape}")
    if not np.all((mask == 0) | (mask == 1)):
        raise ValueError("dropout mask must hold only 0 and 1")
    scale = mask.astype(x.dtype) / x.dtype.type(1 - p)
    return x * scale, scale


def dropout_backward(g, cache):
    """dx = G ⊙ M/(1 - p) (G itself in evaluation mode); no parameters."""
    scale = cache
    return (g if scale is None else g * scale,)


KERNEL = Kernel(
    name="dropout",
    parameters=lambda in_shape, p: {},
    out_shape=lambda in_shape, p: tuple(in_shape),
    forward=dropout_forward,
    backward=dropout_backward,
    settings={"p": 0.5},
    functions=(dropout_forward, dropout_backward),
    summary="y = x ⊙ M/(1 - p), the mask M given per call (keyword mask; None: identity)",
)
