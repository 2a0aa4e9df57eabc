r"""BatchNorm in training mode, as ``torch.nn.functional.batch_norm(x, None, None, γ, β, training=True)``.

Each feature (column) is normalised by the statistics of the batch, with the biased variance:

.. math::  \mu_c = \tfrac1n \sum_r x_{rc}, \quad \sigma^2_c = \tfrac1n \sum_r (x_{rc} - \mu_c)^2, \quad
           \rho_c = (\sigma^2_c + \varepsilon)^{-1/2}, \quad \hat x_{rc} = \rho_c (x_{rc} - \mu_c), \quad
           y_{rc} = \gamma_c \hat x_{rc} + \beta_c.

Backward, :math:`\hat G = G \odot \gamma`, means over the batch (:math:`\mathbf 1^T \hat G / n`):

.. math::  \frac{\partial L}{\partial X} = \rho \odot \big(\hat G - \operatorname{mean}_b(\hat G)
               - \hat X \odot \operatorname{mean}_b(\hat G \odot \hat X)\big), \quad
           \frac{\partial L}{\partial \gamma} = \mathbf 1^T (G \odot \hat X), \quad
           \frac{\partial L}{\partial \beta} = \mathbf 1^T G.

The term :math:`\operatorname{mean}_b(\hat G)` is the mean's gradient, the one a hand derivation drops.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.network.layers.base import Layer, Step, epsilon

EPS = 1e-5  # torch.nn.functional.batch_norm's default


def _forward(keep, x, gamma, beta):
    rows, cols = x.shape
    down = sp.OneMatrix(rows, 1)  # 1_nᵀ x sums each column over the batch
    mu = keep("mu", down.T * x / rows)
    xc = keep("xc", x - down * mu)
    var = keep("var", down.T * sp.HadamardProduct(xc, xc) / rows)
    rstd = keep("rstd", sp.HadamardPower(var + epsilon * sp.OneMatrix(1, cols), sp.Rational(-1, 2)))
    xhat = keep("xhat", sp.HadamardProduct(down * rstd, xc))
    return sp.HadamardProduct(xhat, down * gamma) + down * beta


def backward_with(mean_gradient: bool = True):
    """The backward formulas; ``mean_gradient=False`` drops the mean's gradient (a planted mistake)."""

    def backward(keep, g, x, gamma, beta, saved):
        rows = x.shape[0]
        down = sp.OneMatrix(rows, 1)
        rstd, xhat = saved["rstd"], saved["xhat"]
        gh = keep("gh", sp.HadamardProduct(g, down * gamma))
        mean_ghx = down * down.T * sp.HadamardProduct(gh, xhat) / rows
        inner = gh - sp.HadamardProduct(xhat, mean_ghx)
        if mean_gradient:
            inner = inner - down * down.T * gh / rows
        dx = sp.HadamardProduct(down * rstd, inner)
        return {"dgamma": down.T * sp.HadamardProduct(g, xhat), "dbeta": down.T * g, "dx": dx}

    return backward


LAYER = Layer(
    name="batchnorm",
    summary="batchnorm(X) = γ ⊙ (X - μ)/√(σ² + ε) + β, μ and σ² (biased) over the batch, per feature",
    matches="torch.nn.functional.batch_norm(x, None, None, weight=γ, bias=β, training=True, eps=1e-5)",
    parameters=("gamma", "beta"),
    shapes=lambda rows, cols: {"x": (rows, cols), "gamma": (1, cols), "beta": (1, cols)},
    forward=_forward,
    backward=backward_with(True),
    settings={"eps": EPS},
    steps=(
        Step("μ[c]", "(1/n) Σ_r x[r,c]", "the feature's batch mean"),
        Step("σ²[c]", "(1/n) Σ_r (x[r,c] - μ[c])²", "the biased batch variance (training mode)"),
        Step("ρ[c]", "(σ²[c] + ε)^(-1/2)", "inverse standard deviation"),
        Step("x̂[r,c]", "ρ[c] (x[r,c] - μ[c])", "normalised"),
        Step("y[r,c]", "γ[c] x̂[r,c] + β[c]", "scaled and shifted"),
        Step("∂μ[c]/∂x[a,c]", "1/n", "every sample enters the mean"),
        Step("∂σ²[c]/∂x[a,c]", "(2/n) Σ_r (x[r,c] - μ[c])(δ(r,a) - 1/n) = (2/n)(x[a,c] - μ[c])",
             "chain rule; Σ_r (x[r,c] - μ[c]) = 0"),
        Step("∂x̂[r,c]/∂x[a,c]", "ρ[c] (δ(r,a) - 1/n) - (ρ[c]/n) x̂[r,c] x̂[a,c]", "product rule"),
        Step("∂L/∂x[a,b]", "Σ_r G[r,b] γ[b] ∂x̂[r,b]/∂x[a,b] = ρ[b] (Ĝ[a,b] - (1/n) Σ_r Ĝ[r,b] "
             "- x̂[a,b] (1/n) Σ_r Ĝ[r,b] x̂[r,b]),  Ĝ = G ⊙ γ",
             "chain rule: every sample's output depends on x[a,b] through μ and σ²"),
        Step("∂L/∂γ[b]", "Σ_r G[r,b] x̂[r,b]", "y is linear in γ"),
        Step("∂L/∂β[b]", "Σ_r G[r,b]", "β is added to every row"),
    ),
    notes=("training mode: the batch's own statistics, not running averages",
           "the (1/n) Σ_r Ĝ[r,b] term is the mean's gradient; without it the gradient is wrong"),
)
