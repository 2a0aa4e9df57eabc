"""Softmax, softmax + cross-entropy and log-softmax derivations, encoded by hand (K = 3 classes)."""

from __future__ import annotations

import sympy as sp
from core import D, block, chain, d, d_at, derivation, eq, inst, pick, softmax

K = 3
o = sp.symbols("o1:4", real=True)
a = sp.symbols("a1:4", real=True)
x = sp.symbols("x1:4", real=True)
z = sp.symbols("z1:4", real=True)
y_free = sp.symbols("y1:4", positive=True)
# "y is one-hot" / "sum_k y_k = 1": the labels sum to one (the condition the derivations use).
y1 = (y_free[0], y_free[1], 1 - y_free[0] - y_free[1])
Y_RANGES = {y_free[0]: (0.05, 0.45), y_free[1]: (0.05, 0.45)}
PAIRS = [(0, 0), (0, 1), (2, 1)]  # (i, k) instances of a claim about free indices
SAME = [(0, 0), (1, 1), (2, 2)]  # instances under the condition i = k
DIFF = [(0, 1), (1, 0), (2, 1)]  # instances under i != k


def sumexp(v):
    return sum(sp.exp(t) for t in v)


@derivation("sunhaozhe-softmax-jacobian")
def _sunhaozhe_jacobian(wrong):
    p, S = softmax(o), sumexp(o)
    quotient = inst(lambda i, k: (d(sp.exp(o[i]), o[k]) * S - d(S, o[k]) * sp.exp(o[i])) / S**2, PAIRS)
    same = [
        inst(lambda i, k: d(p[i], o[k]), SAME),
        inst(lambda i, k: (sp.exp(o[k]) * S - sp.exp(o[k]) * sp.exp(o[k])) / S**2, SAME),
        inst(lambda i, k: sp.exp(o[k]) / S * (S - sp.exp(o[k])) / S, SAME),
        inst(lambda i, k: p[k] * (1 - p[k]), SAME),
    ]
    diff = [
        inst(lambda i, k: d(p[i], o[k]), DIFF),
        inst(lambda i, k: (d(sp.exp(o[i]), o[k]) * S - d(S, o[k]) * sp.exp(o[i])) / S**2, DIFF),
        inst(lambda i, k: -sp.exp(o[k]) * sp.exp(o[i]) / (S * S), DIFF),
        inst(lambda i, k: pick(wrong, -p[k] * p[i], p[k] * p[i]), DIFF),
    ]
    cases = inst(lambda i, k: p[k] * (1 - p[k]) if i == k else -p[k] * p[i], PAIRS)
    return [
        block(D()),
        block(D()),
        block(chain(inst(lambda i, k: d(p[i], o[k]), PAIRS), inst(lambda i, k: d(sp.exp(o[i]) / S, o[k]), PAIRS),
                    quotient)),
        block(chain(*same)),
        block(chain(*diff)),
        block(eq(inst(lambda i, k: d(p[i], o[k]), PAIRS), cases)),
    ]


def _ce_chain_sunhaozhe(wrong, k):
    p = softmax(o)
    y = y1
    dp = [[d(p[i], o[j]) for j in range(K)] for i in range(K)]
    return [
        d(-sum(y[i] * sp.log(p[i]) for i in range(K)), o[k]),
        -sum(y[i] * d(sp.log(p[i]), o[k]) for i in range(K)),
        -sum(y[i] * (1 / p[i]) * dp[i][k] for i in range(K)),
        -sum(y[i] / p[i] * dp[i][k] for i in range(K)),
        -y[k] * (1 - p[k]) + sum(y[i] * pick(wrong, p[k], p[i]) for i in range(K) if i != k),
        -y[k] + sum(y[i] * p[k] for i in range(K)),
        p[k] - y[k],
    ]


@derivation("sunhaozhe-softmax-ce")
def _sunhaozhe_ce(wrong):
    p = softmax(o)
    cases = inst(lambda i, k: p[k] * (1 - p[k]) if i == k else -p[k] * p[i], PAIRS)
    rows = [_ce_chain_sunhaozhe(wrong, k) for k in range(2)]
    ce = [sp.Matrix([r[n] for r in rows]) for n in range(len(rows[0]))]
    return [
        block(D()),
        block(D()),
        block(eq(inst(lambda i, k: d(p[i], o[k]), PAIRS), cases)),
        block(chain(*ce), ranges=Y_RANGES),
    ]


@derivation("zakariapz-ce-softmax")
def _zakariapz(wrong):
    p, S = softmax(a), sumexp(a)
    y = y1
    L = -sum(y[j] * sp.log(p[j]) for j in range(K))
    # L = -sum_j ell_j defines ell_j = y_j log p_j; d ell_j / d p_j = y_j / p_j.
    dl_dp = [y[j] / p[j] for j in range(K)]

    def dp(j, i):
        return d(p[j], a[i])

    grad = inst(lambda i: d(L, a[i]), [(0,), (1,)])
    chain_rule = inst(lambda i: -sum(dl_dp[j] * dp(j, i) for j in range(K)), [(0,), (1,)])
    # j as the instance index, under the stated conditions
    same = [(0, 0), (1, 1)]
    diff = [(0, 1), (2, 1)]
    ij_same = [
        inst(lambda i, j: d(sp.exp(a[j]) / S, a[i]), same),
        inst(lambda i, j: d(sp.exp(a[j]) / S, a[j]), same),
        inst(lambda i, j: d(sp.exp(a[j]) * S**-1, a[j]), same),
        inst(lambda i, j: sp.exp(a[j]) * S**-1 - sp.exp(a[j]) * S ** pick(wrong, -2, -1) * sp.exp(a[j]), same),
        inst(lambda i, j: p[j] - p[j] ** 2, same),
        inst(lambda i, j: p[j] * (1 - p[j]), same),
    ]
    ij_diff = [
        inst(lambda i, j: d(sp.exp(a[j]) / S, a[i]), diff),
        inst(lambda i, j: d(sp.exp(a[j]) / S, a[i]), diff),
        inst(lambda i, j: sp.exp(a[j]) * d(S**-1, a[i]), diff),
        inst(lambda i, j: -sp.exp(a[j]) * S**-2 * sp.exp(a[i]), diff),
        inst(lambda i, j: -p[j] * p[i], diff),
    ]
    delta = sp.KroneckerDelta
    final = [
        grad,
        inst(lambda i: sum(dl_dp[j] * dp(j, i) for j in range(K)), [(0,), (1,)]),
        inst(lambda i: sum(-y[j] / p[j] * p[j] * (delta(i, j) - p[i]) for j in range(K)), [(0,), (1,)]),
        inst(lambda i: sum(y[j] * (p[i] - delta(i, j)) for j in range(K)), [(0,), (1,)]),
    ]
    return [
        block(D(), D()),
        block(D()),
        block(eq(grad, chain_rule), ranges=Y_RANGES),
        block(chain(sp.Matrix(dl_dp), sp.Matrix([d_at(lambda u, j=j: -y[j] * sp.log(u), p[j]) for j in range(K)]),
                    sp.Matrix([-y[j] / p[j] for j in range(K)])), ranges=Y_RANGES),
        block(eq(inst(lambda i, j: dp(j, i), PAIRS), inst(lambda i, j: d(sp.exp(a[j]) / S, a[i]), PAIRS))),
        block(chain(*ij_same)),
        block(chain(*ij_diff)),
        block(eq(inst(lambda i, j: dp(j, i), PAIRS), inst(lambda i, j: p[j] * (delta(i, j) - p[i]), PAIRS))),
        block(chain(*final), ranges=Y_RANGES),
    ]


@derivation("blatherstrike-softmax-jacobian")
def _blatherstrike(wrong):
    t = sp.Symbol("t", real=True)
    g, h = sp.Function("g"), sp.Function("h")
    funcs = {g: sp.Lambda(t, sp.exp(t) + t**2), h: sp.Lambda(t, 2 + sp.sin(t))}
    S_, Sig = softmax(a), sumexp(a)
    quotient = (d(g(t), t) * h(t) - d(h(t), t) * g(t)) / pick(wrong, h(t) ** 2, h(t))
    return [
        block(D()),
        block(D()),
        block(D()),
        block(eq(d(g(t) / h(t), t), quotient), funcs=funcs),
        block(chain(inst(lambda i: d(S_[i], a[i]), [(0,), (1,)]),
                    inst(lambda i: (sp.exp(a[i]) * Sig - sp.exp(a[i]) * sp.exp(a[i])) / Sig**2, [(0,), (1,)]),
                    inst(lambda i: S_[i] * (1 - S_[i]), [(0,), (1,)]))),
        block(chain(inst(lambda i, j: d(S_[i], a[j]), DIFF),
                    inst(lambda i, j: (0 * Sig - sp.exp(a[i]) * sp.exp(a[i])) / Sig**2, DIFF),
                    inst(lambda i, j: -S_[i] * S_[j], DIFF))),
    ]


def _mathse945871_defs():
    return [block(D()), block(D())]


@derivation("mathse945871-question")
def _mathse_q(wrong):
    p = softmax(o)
    y = y_free
    L = -sum(y[j] * sp.log(p[j]) for j in range(K))
    rows = []
    for i in range(2):
        rows.append([
            d(L, o[i]),
            -(y[i] * (1 - p[i]) + sum(-p[k] * y[k] for k in range(K) if k != i)),
            p[i] * y[i] - y[i] + sum(p[k] * y[k] for k in range(K) if k != i),
            sum(p[m] * y[m] for m in range(K)) - y[i],
        ])
    if wrong:
        rows = [[r[0], r[1], p[i] * y[i] - y[i] - sum(p[k] * y[k] for k in range(K) if k != i), r[3]]
                for i, r in enumerate(rows)]
    ch = [sp.Matrix([r[n] for r in rows]) for n in range(4)]
    return [
        *_mathse945871_defs(),
        block(eq(inst(lambda i, j: d(p[j], o[i]), SAME), inst(lambda i, j: p[i] * (1 - p[i]), SAME))),
        block(eq(inst(lambda i, j: d(p[j], o[i]), DIFF), inst(lambda i, j: -p[i] * p[j], DIFF))),
        block(chain(*ch)),
    ]


@derivation("mathse945871-answer")
def _mathse_a(wrong):
    p = softmax(o)
    y = y1
    L = -sum(y[j] * sp.log(p[j]) for j in range(K))
    rows = []
    for i in range(2):
        rest = [k for k in range(K) if k != i]
        rows.append([
            d(L, o[i]),
            -sum(y[k] * d(sp.log(p[k]), o[i]) for k in range(K)),
            -sum(y[k] / p[k] * d(p[k], o[i]) for k in range(K)),
            -y[i] * (1 - p[i]) - sum(y[k] / p[k] * (-p[k] * p[i]) for k in rest),
            -y[i] * (1 - p[i]) + sum(y[k] * p[i] for k in rest),
            -y[i] + y[i] * p[i] + sum(y[k] * pick(wrong, p[i], p[k]) for k in rest),
            p[i] * sum(y) - y[i],
            p[i] - y[i],
        ])
    ch = [sp.Matrix([r[n] for r in rows]) for n in range(8)]
    return [*_mathse945871_defs(), block(chain(*ch), ranges=Y_RANGES)]


@derivation("cnblog553668-softmax-loss")
def _cnblog(wrong):
    p = softmax(o)
    y = y1
    L = -sum(y[j] * sp.log(p[j]) for j in range(K))
    rows = []
    for i in range(2):
        rest = [k for k in range(K) if k != i]
        rows.append([
            d(L, o[i]),
            -sum(y[k] * d(sp.log(p[k]), o[i]) for k in range(K)),
            -sum(y[k] / p[k] * d(p[k], o[i]) for k in range(K)),
            -y[i] * (1 - p[i]) - sum(y[k] / p[k] * (-p[k] * p[i]) for k in rest),
            -y[i] + y[i] * p[i] + sum(y[k] * p[i] for k in rest),
            p[i] * sum(y) - y[i],
        ])
    ch = [sp.Matrix([r[n] for r in rows]) for n in range(6)]
    return [
        block(D()),
        block(D()),
        block(eq(inst(lambda i, j: d(p[j], o[i]), SAME), inst(lambda i, j: p[i] * (1 - p[i]), SAME)),
              eq(inst(lambda i, j: d(p[j], o[i]), DIFF),
                 inst(lambda i, j: pick(wrong, -p[i] * p[j], -p[i] * p[i]), DIFF)), chains=2),
        block(chain(*ch), ranges=Y_RANGES),
        block(eq(sp.Matrix([r[0] for r in rows]), sp.Matrix([p[i] - y[i] for i in range(2)])), ranges=Y_RANGES),
    ]


@derivation("statsse360450-softmax-partial")
def _statsse(wrong):
    S_, Sig = softmax(z), sumexp(z)
    e = [sp.exp(t) for t in z]
    return [
        block(eq(inst(lambda i, j: d(S_[i], z[j]), PAIRS),
                 inst(lambda i, j: S_[j] * (1 - S_[i]) if i == j else -S_[j] * S_[i], PAIRS))),
        block(D()),
        block(eq(inst(lambda i, j: d(S_[i], z[j]), PAIRS),
                 inst(lambda i, j: (Sig * d(e[i], z[j]) - e[i] * d(Sig, z[j])) / Sig**2, PAIRS))),
        block(chain(inst(lambda i, j: d(S_[i], z[j]), DIFF),
                    inst(lambda i, j: (Sig * 0 - e[i] * e[j]) / Sig**2, DIFF),
                    inst(lambda i, j: -(e[i] / Sig) * (pick(wrong, e[j], e[i]) / Sig), DIFF))),
        block(chain(inst(lambda i: d(S_[i], z[i]), [(0,), (2,)]),
                    inst(lambda i: (Sig * e[i] - e[i] * e[i]) / Sig**2, [(0,), (2,)]),
                    inst(lambda i: (e[i] / Sig) * ((Sig - e[i]) / Sig), [(0,), (2,)]))),
    ]


@derivation("mathse1804041-softmax-loss")
def _mathse1804041(wrong):
    f = sp.symbols("f1:4", real=True)
    p = softmax(o)
    yi = 0  # the label of sample i
    lhs = -sp.log(sp.exp(f[yi]) / sumexp(f))
    return [
        block(D(), eq(lhs, pick(wrong, -f[yi] + sp.log(sumexp(f)), f[yi] + sp.log(sumexp(f))))),
        block(D()),
        block(D()),
        block(D()),
        block(eq(inst(lambda i, j: d(p[j], o[i]), SAME), inst(lambda i, j: p[i] * (1 - p[i]), SAME))),
    ]


@derivation("mshahriarinia-logsoftmax")
def _logsoftmax(wrong):
    g = sp.symbols("g1:4", real=True)  # gradOutput
    S = sumexp(x)
    ylog = [sp.log(sp.exp(x[i]) / S) for i in range(K)]
    logsm = [x[i] - sp.log(S) for i in range(K)]
    return [
        block(D(), eq(sp.Matrix(logsm), sp.Matrix(ylog)), eq(sp.Matrix(ylog), sp.Matrix(logsm))),
        block(eq(sp.Matrix([d(ylog[i], x[i]) for i in range(K)]),
                 sp.Matrix([1 - sp.exp(x[i]) / S for i in range(K)]))),
        block(eq(inst(lambda i, k: d(ylog[i], x[k]), DIFF),
                 inst(lambda i, k: pick(wrong, -sp.exp(x[k]) / S, sp.exp(x[k]) / S), DIFF))),
        block(eq(sp.Matrix([d(sum(g[j] * ylog[j] for j in range(K)), x[i]) for i in range(K)]),
                 sp.Matrix([sum(g[j] * d(ylog[j], x[i]) for j in range(K)) for i in range(K)]))),
    ]
