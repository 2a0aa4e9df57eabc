"""Batch-norm and layer-norm backward derivations, encoded by hand on small concrete sizes.

The upstream gradient enters through a loss linear in the outputs, f = sum_j g_j y_j, so ∂f/∂y_j = g_j: every
backward formula is linear in the upstream gradient, so this checks it in full. Partials with respect to the
statistics (∂x̂/∂μ, ∂x̂/∂σ², ∂σ²/∂μ) treat μ and σ² as independent symbols M, V, as the sources do; every
comparison is made after putting the batch's own mean and variance in for M and V.
"""

from __future__ import annotations

import sympy as sp
from core import D, block, chain, d, derivation, eq, pick

m = 3
xs = sp.symbols("x1:4", real=True)
gs = sp.symbols("g1:4", real=True)  # upstream gradient ∂f/∂y_j
M, V = sp.symbols("M V", real=True)  # μ_B and σ²_B as independent symbols
gamma, beta = sp.symbols("gamma beta", real=True)
eps = sp.Symbol("epsilon", positive=True)
Xh = sp.symbols("xh1:4", real=True)  # x̂_j as independent symbols, for ∂/∂x̂
mean = sum(xs) / m
var = sum((t - mean) ** 2 for t in xs) / m
STATS = {M: mean, V: var}
RANGES = {eps: (0.01, 0.1)}


def at_stats(e):
    return e.subs(STATS, simultaneous=True) if isinstance(e, sp.Basic) else e


def xhat(j, mu=M, v=V):
    return (xs[j] - mu) / sp.sqrt(v + eps)


def sigma2(mu=M):
    return sum((t - mu) ** 2 for t in xs) / m


def f_total():
    """f as a function of x, γ, β through the real batch statistics."""
    return sum(gs[j] * (gamma * xhat(j, mean, var) + beta) for j in range(m))


def S(*exprs):
    return chain(*[at_stats(e) for e in exprs])


@derivation("batchnorm-part2")
def _bn_part2(wrong):
    i = 0
    F = f_total()
    dxh_dx = d(xhat(i), xs[i])
    dxh_dM = [d(xhat(j), M) for j in range(m)]
    dxh_dV = [d(xhat(j), V) for j in range(m)]
    ds2_dx = d(sigma2(), xs[i])  # σ² as a function of x with μ held
    ds2_dM = d(sigma2(), M)
    dmu_dx = d(mean, xs[i])
    up = gs[i] * gamma  # ∂f/∂y_i ∂y_i/∂x̂_i
    naive4 = up * dxh_dx + up * dxh_dM[i] * dmu_dx + up * dxh_dV[i] * ds2_dx + up * dxh_dV[i] * ds2_dM * dmu_dx
    factored = up * (dxh_dx + dxh_dM[i] * dmu_dx + dxh_dV[i] * ds2_dx + dxh_dV[i] * ds2_dM * dmu_dx)
    regrouped = up * (dxh_dx + dxh_dV[i] * ds2_dx + (dxh_dM[i] + dxh_dV[i] * ds2_dM) * dmu_dx)
    naive3 = up * dxh_dx + up * dxh_dM[i] * dmu_dx + up * dxh_dV[i] * ds2_dx + 0
    summed = up * dxh_dx + sum(gs[j] * gamma * dxh_dM[j] for j in range(m)) * dmu_dx + sum(
        gs[j] * gamma * dxh_dV[j] for j in range(m)) * ds2_dx
    dX = [gs[j] * gamma for j in range(m)]  # ∂f/∂x̂_j
    r = (V + eps) ** sp.Rational(-1, 2)
    xh_ = [xhat(j) for j in range(m)]
    e1 = dX[i] * dxh_dx + sum(dX[j] * dxh_dM[j] for j in range(m)) * dmu_dx + sum(
        dX[j] * dxh_dV[j] for j in range(m)) * ds2_dx
    e2 = dX[i] / sp.sqrt(V + eps) + sum(dX[j] * (-1 / sp.sqrt(V + eps)) for j in range(m)) / m + sum(
        dX[j] * (-sp.Rational(1, 2)) * (xs[i] - M) * (V + eps) ** sp.Rational(-3, 2) for j in range(m)
    ) * sp.Rational(2, m) * (xs[i] - M)
    e3 = dX[i] * r - r / m * sum(dX) - sp.Rational(1, 2) * sp.Rational(2, m) * (xs[i] - M) * sum(
        dX[j] * (xs[j] - M) * r / sp.sqrt(V + eps) / sp.sqrt(V + eps) for j in range(m))
    e4 = dX[i] * r - r / m * sum(dX) - r / m * (xs[i] - M) / sp.sqrt(V + eps) * sum(
        dX[j] * (xs[j] - M) / sp.sqrt(V + eps) for j in range(m))
    e5 = dX[i] * r - r / m * sum(dX) - r / m * xh_[i] * sum(dX[j] * xh_[j] for j in range(m))
    e6 = r / m * (m * dX[i] - sum(dX) - xh_[i] * sum(dX[j] * xh_[j] for j in range(m)))
    dgamma = sum(gs[j] * xhat(j) for j in range(m))
    dbeta = sum(gs)
    third = pick(wrong, -sp.Rational(1, 2) * (xs[i] - M) * (V + eps) ** sp.Rational(-3, 2),
                 -sp.Rational(1, 2) * (xs[i] - M) * (V + eps) ** sp.Rational(-1, 2))
    return [
        block(D(), D(), D(), D(), chains=4),
        block(S(d(F, gamma), gs[i] * d(gamma * xhat(i) + beta, gamma), dgamma), ranges=RANGES),
        block(S(d(F, beta), gs[i] * d(gamma * xhat(i) + beta, beta), dbeta * 1), ranges=RANGES),
        block(S(d(F, xs[i]), naive4, factored, regrouped), ranges=RANGES),
        block(),
        block(chain(d(gamma * Xh[i] + beta, Xh[i]), d(gamma * Xh[i] + beta, Xh[i]), gamma)),
        block(S(dxh_dx, d(xhat(i), xs[i]), d(xs[i] / sp.sqrt(V + eps) - M / sp.sqrt(V + eps), xs[i]),
                1 / sp.sqrt(V + eps)), ranges=RANGES),
        block(S(dxh_dV[i], d(xhat(i), V), d((xs[i] - M) * (V + eps) ** sp.Rational(-1, 2), V), third), ranges=RANGES),
        block(S(ds2_dx, d(sigma2(), xs[i]), sp.Rational(2, m) * (xs[i] - M)), ranges=RANGES),
        block(S(dxh_dM[i], d(xs[i] / sp.sqrt(V + eps) - M / sp.sqrt(V + eps), M), -1 / sp.sqrt(V + eps)),
              ranges=RANGES),
        block(S(ds2_dM, d(sigma2(), M), sp.Rational(2, m) * sum((t - M) * (-1) for t in xs),
                -sp.Rational(2, m) * sum(t - M for t in xs), -2 * (sum(xs) / m - m * M / m),
                -2 * (M - m * M / m), -2 * (M - M), 0), ranges=RANGES),
        block(chain(dmu_dx, d(sum(xs) / m, xs[i]), sp.Rational(1, m))),
        block(S(d(F, xs[i]), naive4, naive3, summed), ranges=RANGES),
        block(chain(d(sum(gs[j] * (gamma * Xh[j] + beta) for j in range(m)), Xh[i]),
                    gs[i] * d(gamma * Xh[i] + beta, Xh[i]), gs[i] * gamma)),
        block(S(d(F, xs[i]), e1, e2, e3, e4, e5, e6), ranges=RANGES),
        block(S(d(F, gamma), dgamma), S(d(F, beta), dbeta * 1), S(d(F, xs[i]), e6), chains=3, ranges=RANGES),
    ]


gam = sp.symbols("gamma1:4", real=True)
bet = sp.symbols("beta1:4", real=True)


def ln_loss(xh):
    """L = sum_i dy_i y_i with y_i = γ_i x̂_i + β_i, for given x̂."""
    return sum(gs[i] * (gam[i] * xh[i] + bet[i]) for i in range(m))


@derivation("yueyiming-layernorm")
def _yueyiming(wrong):
    i = 1
    xh_true = [xhat(j, mean, var) for j in range(m)]
    L = ln_loss(xh_true)
    dxh = [gs[j] * gam[j] for j in range(m)]
    L_MV = ln_loss([xhat(j) for j in range(m)])  # through μ = M, σ² = V held as symbols
    dsig = sum(dxh[j] * (xs[j] - M) * (-sp.Rational(1, 2) * (V + eps) ** pick(wrong, sp.Rational(-3, 2),
                                                                                 sp.Rational(-1, 2)))
               for j in range(m))
    dsig_true = sum(dxh[j] * (xs[j] - M) * (-sp.Rational(1, 2) * (V + eps) ** sp.Rational(-3, 2)) for j in range(m))
    L_M = ln_loss([xhat(j, M, sigma2(M)) for j in range(m)])  # σ² follows μ
    return [
        block(D()),
        block(D()),
        block(D()),
        block(D()),
        block(chain(d(L, bet[i]), gs[i] * d(gam[i] * xh_true[i] + bet[i], bet[i]), gs[i])),
        block(chain(d(L, gam[i]), gs[i] * d(gam[i] * xh_true[i] + bet[i], gam[i]), gs[i] * xh_true[i]),
              ranges=RANGES),
        block(eq(d(ln_loss(Xh), Xh[i]), gs[i] * gam[i])),
        block(S(d(L_MV, V), sum(dxh[j] * d(xhat(j), V) for j in range(m)), dsig), ranges=RANGES),
        block(S(sum(dxh[j] * d(xhat(j), M) for j in range(m)), sum(dxh[j] * (-1 / sp.sqrt(V + eps)) for j in range(m))),
              ranges=RANGES),
        block(S(dsig_true * d(sigma2(), M), dsig_true * (-sp.Rational(2, m)) * sum(t - M for t in xs), 0),
              ranges=RANGES),
        block(S(d(L_M, M), -1 / sp.sqrt(V + eps) * sum(dxh)), ranges=RANGES),
    ]


@derivation("shreyansh-layernorm")
def _shreyansh(wrong):
    xh_true = [xhat(j, mean, var) for j in range(m)]
    y = [xh_true[k] * gam[k] + bet[k] for k in range(m)]
    L = sum(gs[k] * y[k] for k in range(m))
    pairs = [(0, 0), (0, 1), (2, 1)]
    dl = sp.KroneckerDelta
    j = 1
    return [
        block(D()),
        block(eq(sp.Matrix([d(y[k], gam[jj]) for k, jj in pairs]),
                 sp.Matrix([xh_true[jj] * dl(k, jj) for k, jj in pairs])), ranges=RANGES),
        block(eq(sp.Matrix([d(y[k], bet[jj]) for k, jj in pairs]), sp.Matrix([dl(k, jj) for k, jj in pairs]))),
        block(chain(d(L, gam[j]), sum(gs[k] * d(y[k], gam[j]) for k in range(m)), gs[j] * d(y[j], gam[j]),
                    pick(wrong, gs[j] * xh_true[j], xh_true[j])), ranges=RANGES),
        block(chain(d(L, bet[j]), sum(gs[k] * d(y[k], bet[j]) for k in range(m)), gs[j] * d(y[j], bet[j]), gs[j] * 1)),
    ]


@derivation("liorsinai-layernorm")
def _liorsinai(wrong):
    n = m
    mu = sum(xs) / n
    sd = sp.sqrt(sum((t - mu) ** 2 for t in xs) / n)
    z = [(xs[r] - mu) / (sd + eps) for r in range(n)]  # a = 1, b = 0 as the text says
    L = sum(gs[r] * z[r] for r in range(n))
    jac = sp.Matrix(n, n, lambda r, c: d(z[c], xs[r]))  # row r: ∂z_1/∂x_r ... ∂z_n/∂x_r
    return [
        block(D()),
        block(D(), D(), chains=2),
        block(eq(sp.Matrix([d(L, v) for v in xs]), jac * sp.Matrix(gs)), ranges=RANGES),
        block(eq(z[0], (xs[0] - mu) / pick(wrong, sd + eps, sd)), ranges=RANGES),
    ]


@derivation("aidge-layernorm")
def _aidge(wrong):
    dd = m
    mu = sum(xs) / dd
    sig = sp.sqrt(sum((t - mu) ** 2 for t in xs) / dd + eps)  # σ[x]: the forward equation's denominator
    y = [(xs[i] - mu) / sig * gam[i] + bet[i] for i in range(dd)]
    L = sum(gs[i] * y[i] for i in range(dd))
    xh = sp.Matrix([(xs[i] - mu) / sig for i in range(dd)])
    one = sp.ones(dd, 1)
    proj = sp.eye(dd) - one * one.T / dd - pick(wrong, xh * xh.T / dd, xh * xh.T)
    rhs = 1 / sig * proj * sp.Matrix([gs[i] * gam[i] for i in range(dd)])
    return [
        block(D()),
        block(D()),
        block(eq(sp.Matrix([d(L, v) for v in xs]), rhs), ranges=RANGES),
    ]


@derivation("zakka-batchnorm")
def _zakka(wrong):
    i = 0
    r, tt = sp.symbols("r t", real=True)
    Xs, Ys = sp.symbols("X Y", real=True)
    U = sp.sin(Xs) * Ys + Xs**2
    Xr, Yr = r * tt + r**2, sp.exp(r) - tt
    on = {Xs: Xr, Ys: Yr}
    primer = eq(d(U.subs(on), r), d(U, Xs).subs(on) * d(Xr, r) + d(U, Ys).subs(on) * d(Yr, r))
    F = f_total()
    dX = [gs[j] * gamma for j in range(m)]
    dfdV = sum(dX[j] * d(xhat(j), V) for j in range(m))  # ∂f/∂σ² with μ held
    f_mu = sum(gs[j] * (gamma * xhat(j, M, sigma2(M)) + beta) for j in range(m))
    dfdmu = d(f_mu, M)  # ∂f/∂μ, σ² following μ
    sq = sp.sqrt(V + eps)
    dfdx = dX[i] / sq + dfdmu / m + dfdV * 2 * (xs[i] - M) / m
    dfdmu_written = sum(dX[j] * (-1 / sq) for j in range(m)) + dfdV * sum(-2 * (xs[j] - M) for j in range(m))
    xhat_V = sum((xs[j] - M) * (-sp.Rational(1, 2)) * sq ** sp.Rational(-3, 2) for j in range(m))
    R = RANGES
    return [
        block(primer),
        block(S(d(F, gamma), gs[i] * d(gamma * xhat(i) + beta, gamma), sum(gs[j] * xhat(j) for j in range(m))),
              ranges=R),
        block(S(d(F, beta), gs[i] * d(gamma * xhat(i) + beta, beta), sum(gs)), ranges=R),
        block(chain(d(sum(gs[j] * (gamma * Xh[j] + beta) for j in range(m)), Xh[i]),
                    gs[i] * d(gamma * Xh[i] + beta, Xh[i]), gs[i] * gamma)),
        block(D()),
        block(S(d(xhat(i), M), sum(1 / sq * (-1) for _ in range(m))), ranges=R),
        block(D()),
        block(S(d(sigma2(), M), sp.Rational(1, m) * sum(2 * (t - M) * (-1) for t in xs)), ranges=R),
        # ∂f/∂x̂ · ∂x̂/∂σ²: two gradients over the batch, `\cdot` their dot product -- as the post's own code
        # computes it (dvar = np.sum(dxhat * x_mu * (-0.5) * inv_var**3, axis=0)); the author's slip is in the
        # next displays, which put the Σ inside ∂x̂/∂σ² (encoded below).  Encoded before 2026-12-02 as the
        # product of one element's factors, ∂f/∂x̂_i ∂x̂_i/∂σ² (not_equal), a reading the code contradicts.
        block(S(dfdV, sum(dX[j] * d(xhat(j), V) for j in range(m))), ranges=R),
        block(S(xhat(i), (xs[i] - M) * sq ** sp.Rational(-1, 2)), ranges=R),
        block(S(d(xhat(i), V), xhat_V, -sp.Rational(1, 2) * sum((t - M) * sq ** sp.Rational(-3, 2) for t in xs)),
              ranges=R),
        block(S(dfdmu, dfdmu_written), ranges=R),
        block(S(d(xhat(i), xs[i]), 1 / pick(wrong, sq, V + eps)), ranges=R),
        block(eq(d(mean, xs[i]), sp.Rational(1, m))),
        block(S(d(sigma2(), xs[i]), 2 * (xs[i] - M) / m), ranges=R),
        block(S(d(F, xs[i]), dfdx), ranges=R),
        block(S(d(F, beta), sum(gs)), ranges=R),
        block(S(d(F, gamma), sum(gs[j] * xhat(j) for j in range(m))), ranges=R),
        block(S(d(F, xs[i]), dfdx), ranges=R),
        block(eq(d(sum(gs[j] * (gamma * Xh[j] + beta) for j in range(m)), Xh[i]), gs[i] * gamma)),
        block(S(d(xhat(i), V), -sp.Rational(1, 2) * sum((t - M) * sq ** sp.Rational(-3, 2) for t in xs)), ranges=R),
        block(S(dfdmu, dfdmu_written), ranges=R),
    ]
