r"""RMSNorm over the features, as ``torch.nn.RMSNorm(d, eps)`` (``torch.nn.functional.rms_norm``).

For a row x of d features (rows are samples), with γ of shape (d,) and ε ≥ 0:

.. math::  s = \tfrac1d \sum_j x_j^2, \quad \rho = (s + \varepsilon)^{-1/2}, \quad
           \hat x_c = \rho\, x_c, \quad y_c = \gamma_c \hat x_c.

Unlike LayerNorm nothing is centred and there is no β.  ρ depends on every x_k, so the Jacobian has
a diagonal part and a rank-one part: :math:`\partial\rho/\partial x_k = -\tfrac12 (s+\varepsilon)^{-3/2}
\cdot \tfrac{2}{d} x_k = -\rho^3 x_k/d`, and with :math:`\hat G = G \odot \gamma`

.. math::  \frac{\partial L}{\partial x_k} = \sum_i \hat G_i\,(\delta_{ik}\rho - \rho^3 x_i x_k/d)
           = \rho\,\big(\hat G_k - \hat x_k \operatorname{mean}_f(\hat G \odot \hat X)\big), \qquad
           \frac{\partial L}{\partial \gamma} = \mathbf 1^T (G \odot \hat X).

The textbook mistake holds ρ constant (:math:`\partial y_i/\partial x_k = \gamma_i \delta_{ik}\rho`,
dropping the rank-one term); another drops the mean's 1/d.  Both are planted in the tests.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.network.layers.base import Layer, Step, epsilon

#: torch.nn.RMSNorm's default eps=None means the machine epsilon of the input's dtype.
EPS = None


def _forward(keep, x, gamma):
    rows, cols = x.shape
    across = sp.OneMatrix(cols, 1)  # x · 1_d sums each row over the features
    ms = keep("s", sp.HadamardProduct(x, x) * across / cols)
    rstd = keep("rstd", sp.HadamardPower(ms + epsilon * sp.OneMatrix(rows, 1), sp.Rational(-1, 2)))
    xhat = keep("xhat", sp.HadamardProduct(rstd * across.T, x))
    return sp.HadamardProduct(xhat, sp.OneMatrix(rows, 1) * gamma)


def backward_with(mistake: str | None = None):
    """The backward formulas; ``mistake`` plants one: ``"no 1/d"`` (the mean's 1/d dropped) or
    ``"rho constant"`` (ρ held constant: dx = ρ Ĝ)."""

    def backward(keep, g, x, gamma, saved):
        rows, cols = x.shape
        across, down = sp.OneMatrix(cols, 1), sp.OneMatrix(rows, 1)
        rstd, xhat = saved["rstd"], saved["xhat"]
        gh = keep("gh", sp.HadamardProduct(g, down * gamma))
        spread = rstd * across.T
        total = sp.HadamardProduct(gh, xhat) * across * across.T
        mean = total if mistake == "no 1/d" else total / cols
        dx = (sp.HadamardProduct(spread, gh) if mistake == "rho constant"
              else sp.HadamardProduct(spread, gh - sp.HadamardProduct(xhat, mean)))
        return {"dgamma": down.T * sp.HadamardProduct(g, xhat), "dx": dx}

    return backward


LAYER = Layer(
    name="rmsnorm",
    summary="rmsnorm(X) = γ ⊙ X/√(mean(x²) + ε), the mean of squares over each row's features",
    matches="torch.nn.RMSNorm(d, eps) / torch.nn.functional.rms_norm(x, (d,), γ, eps)",
    parameters=("gamma",),
    shapes=lambda rows, cols: {"x": (rows, cols), "gamma": (1, cols)},
    forward=_forward,
    backward=backward_with(None),
    settings={"eps": EPS},
    steps=(
        Step("s[r]", "(1/d) Σ_j x[r,j]²", "the row's mean square"),
        Step("ρ[r]", "(s[r] + ε)^(-1/2)", "the row's inverse root mean square"),
        Step("x̂[r,c]", "ρ[r] x[r,c]", "normalised, not centred"),
        Step("y[r,c]", "γ[c] x̂[r,c]", "scaled (no shift)"),
        Step("∂s[r]/∂x[r,b]", "(2/d) x[r,b]", "the mean's 1/d stays"),
        Step("∂ρ[r]/∂x[r,b]", "-(1/2)(s[r] + ε)^(-3/2) (2/d) x[r,b] = -(ρ[r]²/d) x̂[r,b]",
             "power rule; ρ depends on every x[r,b]"),
        Step("∂x̂[r,c]/∂x[r,b]", "ρ[r] δ(c,b) - (ρ[r]/d) x̂[r,c] x̂[r,b]", "product rule"),
        Step("∂L/∂x[a,b]", "Σ_c G[a,c] γ[c] ∂x̂[a,c]/∂x[a,b] = ρ[a] (Ĝ[a,b] - x̂[a,b] (1/d) Σ_c Ĝ[a,c] x̂[a,c]),"
             "  Ĝ = G ⊙ γ", "chain rule; the δ picks c = b"),
        Step("∂L/∂γ[b]", "Σ_r G[r,b] x̂[r,b]", "y is linear in γ"),
    ),
    notes=("rows are independent: a row's mean square uses only its own features",
           "torch.nn.RMSNorm's default eps=None is the machine epsilon of the dtype (2.2e-16 in float64); "
           "the kernel's eps=None does the same",
           "holding ρ constant (∂y_i/∂x_k = γ_i δ_ik ρ) drops the rank-one term -(ρ/d) x̂ x̂ᵀ: a common mistake"),
)
