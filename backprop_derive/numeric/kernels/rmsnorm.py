r"""RMSNorm on the last axis: :math:`y = \gamma \odot x\rho`, :math:`\rho = (\overline{x^2} + \varepsilon)^{-1/2}`.

Backward (``backprop_derive/network/layers/rmsnorm.py``), with :math:`\hat x = x\rho` and :math:`\hat G = G \odot
\gamma`:
:math:`\partial L/\partial x = \rho\,(\hat G - \hat x \operatorname{mean}(\hat G \odot \hat x))` over the
last axis, :math:`\partial L/\partial\gamma` the sum of :math:`G \odot \hat x` over every other axis.
``eps=None`` is torch's default: the machine epsilon of x's dtype.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.kernels import Kernel


def rmsnorm_forward(x, gamma, eps=None, **settings):
    """y = γ ⊙ x / √(mean(x²) + ε) over the last axis."""
    if eps is None:
        eps = np.finfo(x.dtype).eps
    if eps < 0:
        raise ValueError(f"rmsnorm eps must be ≥ 0, got {eps}")
    rstd = 1.0 / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    xhat = x * rstd
    return xhat * gamma, (xhat, rstd, gamma)


def rmsnorm_backward(g, cache):
    """dx = ρ (Ĝ − x̂ mean(Ĝ ⊙ x̂)), Ĝ = G ⊙ γ; dγ = Σ G ⊙ x̂ over the leading axes."""
    xhat, rstd, gamma = cache
    gh = g * gamma
    dx = rstd * (gh - xhat * np.mean(gh * xhat, axis=-1, keepdims=True))
    dgamma = (g * xhat).reshape(-1, xhat.shape[-1]).sum(axis=0)
    return dx, dgamma


KERNEL = Kernel(
    name="rmsnorm",
    parameters=lambda in_shape, eps: {"gamma": (in_shape[-1],)},
    out_shape=lambda in_shape, eps: tuple(in_shape),
    forward=rmsnorm_forward,
    backward=rmsnorm_backward,
    settings={"eps": None},
    functions=(rmsnorm_forward, rmsnorm_backward),
    summary="y = γ ⊙ x / √(mean(x²) + ε) on the last axis",
)
