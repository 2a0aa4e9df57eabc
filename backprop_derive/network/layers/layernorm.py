r"""LayerNorm over the features, as ``torch.nn.LayerNorm(d, eps)``: each row normalised by its own statistics.

For a row x of d features (rows are samples), with γ, β of shape (d,) and ε > 0:

.. math::  \mu = \tfrac1d \sum_j x_j, \quad \sigma^2 = \tfrac1d \sum_j (x_j - \mu)^2 \ \text{(biased)}, \quad
           \rho = (\sigma^2 + \varepsilon)^{-1/2}, \quad \hat x_c = \rho (x_c - \mu), \quad
           y_c = \gamma_c \hat x_c + \beta_c.

Backward, for an upstream :math:`G = \partial L/\partial Y` and :math:`\hat G = G \odot \gamma`:

.. math::  \frac{\partial L}{\partial \gamma} = \mathbf 1^T (G \odot \hat X), \quad
           \frac{\partial L}{\partial \beta} = \mathbf 1^T G, \quad
           \frac{\partial L}{\partial X} = \rho \odot \big(\hat G - \operatorname{mean}_f(\hat G)
               - \hat X \odot \operatorname{mean}_f(\hat G \odot \hat X)\big),

the means over the features of each row (:math:`\hat G\,\mathbf 1_d/d`), broadcast along it.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.network.layers.base import Layer, Step, epsilon

EPS = 1e-5  # torch.nn.LayerNorm's default


def _forward(keep, x, gamma, beta):
    rows, cols = x.shape
    across = sp.OneMatrix(cols, 1)  # x · 1_d sums each row over the features
    mu = keep("mu", x * across / cols)
    xc = keep("xc", x - mu * across.T)
    var = keep("var", sp.HadamardProduct(xc, xc) * across / cols)
    rstd = keep("rstd", sp.HadamardPower(var + epsilon * sp.OneMatrix(rows, 1), sp.Rational(-1, 2)))
    xhat = keep("xhat", sp.HadamardProduct(rstd * across.T, xc))
    down = sp.OneMatrix(rows, 1)
    return sp.HadamardProduct(xhat, down * gamma) + down * beta


def backward_with(power):
    """The backward formulas; ``power`` is the exponent ρ is written with (-1/2; a test plants -1/4)."""

    def backward(keep, g, x, gamma, beta, saved):
        rows, cols = x.shape
        across, down = sp.OneMatrix(cols, 1), sp.OneMatrix(rows, 1)
        rstd, xhat = saved["rstd"], saved["xhat"]
        if power != sp.Rational(-1, 2):  # ρ written with another power of (σ² + ε)
            rstd = sp.HadamardPower(saved["var"] + epsilon * down, power)
            xhat = sp.HadamardProduct(rstd * across.T, saved["xc"])
        gh = keep("gh", sp.HadamardProduct(g, down * gamma))
        mean_gh = gh * across * across.T / cols
        mean_ghx = sp.HadamardProduct(gh, xhat) * across * across.T / cols
        dx = sp.HadamardProduct(rstd * across.T, gh - mean_gh - sp.HadamardProduct(xhat, mean_ghx))
        return {"dgamma": down.T * sp.HadamardProduct(g, xhat), "dbeta": down.T * g, "dx": dx}

    return backward


LAYER = Layer(
    name="layernorm",
    summary="layernorm(X) = γ ⊙ (X - μ)/√(σ² + ε) + β, μ and σ² (biased) over each row's features",
    matches="torch.nn.LayerNorm(d, eps=1e-5), elementwise affine",
    parameters=("gamma", "beta"),
    shapes=lambda rows, cols: {"x": (rows, cols), "gamma": (1, cols), "beta": (1, cols)},
    forward=_forward,
    backward=backward_with(sp.Rational(-1, 2)),
    settings={"eps": EPS},
    steps=(
        Step("μ[r]", "(1/d) Σ_j x[r,j]", "the row's mean"),
        Step("σ²[r]", "(1/d) Σ_j (x[r,j] - μ[r])²", "the row's biased variance"),
        Step("ρ[r]", "(σ²[r] + ε)^(-1/2)", "the row's inverse standard deviation"),
        Step("x̂[r,c]", "ρ[r] (x[r,c] - μ[r])", "normalised"),
        Step("y[r,c]", "γ[c] x̂[r,c] + β[c]", "scaled and shifted"),
        Step("∂μ[r]/∂x[r,b]", "1/d", "μ is a mean; other rows do not depend on x[r,b]"),
        Step("∂σ²[r]/∂x[r,b]", "(2/d) Σ_j (x[r,j] - μ[r])(δ(j,b) - 1/d) = (2/d)(x[r,b] - μ[r])",
             "chain rule; Σ_j (x[r,j] - μ[r]) = 0"),
        Step("∂ρ[r]/∂x[r,b]", "-(1/2)(σ²[r] + ε)^(-3/2) (2/d)(x[r,b] - μ[r]) = -(ρ[r]²/d) x̂[r,b]",
             "power rule"),
        Step("∂x̂[r,c]/∂x[r,b]", "ρ[r] (δ(c,b) - 1/d) - (ρ[r]/d) x̂[r,c] x̂[r,b]", "product rule"),
        Step("∂L/∂x[a,b]", "Σ_c G[a,c] γ[c] ∂x̂[a,c]/∂x[a,b] = ρ[a] (Ĝ[a,b] - (1/d) Σ_c Ĝ[a,c] "
             "- x̂[a,b] (1/d) Σ_c Ĝ[a,c] x̂[a,c]),  Ĝ = G ⊙ γ", "chain rule; the δ picks c = b"),
        Step("∂L/∂γ[b]", "Σ_r G[r,b] x̂[r,b]", "y is linear in γ"),
        Step("∂L/∂β[b]", "Σ_r G[r,b]", "β is added to every row"),
    ),
    notes=("rows are independent: the batch does not enter a row's statistics",
           "ε keeps ρ finite for a constant row; torch's default is 1e-5"),
)
