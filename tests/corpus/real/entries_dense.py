"""MSE and dense-layer (index and matrix form) backprop derivations, encoded by hand on small concrete shapes.

An arbitrary loss of the layer's output enters as one linear in it, L = sum_ij G_ij Z_ij, so ∂L/∂Z = G (δ):
the backward formulas are linear in the upstream gradient, so this checks them in full. A chain rule written
with matrices, ∂L/∂W = ∂L/∂Z · ∂Z/∂W, is read as the contraction sum_ij ∂L/∂Z_ij ∂Z_ij/∂W_kl (denominator
layout: ∂L/∂W has W's shape).
"""

from __future__ import annotations

import sympy as sp
from core import D, block, chain, d, derivation, eq, pick

t = sp.Symbol("t", real=True)


def mat(name, r, c):
    return sp.Matrix(r, c, lambda i, j: sp.Symbol(f"{name}{i + 1}{j + 1}", real=True))


def grad(L, M):
    """∂L/∂M in M's shape."""
    return M.applyfunc(lambda e: d(L, e))


@derivation("raschka-mse")
def _raschka(wrong):
    n, j = 3, 0
    w = sp.symbols("w1:3", real=True)
    X = mat("x", n, 2)
    tt = sp.symbols("t1:4", real=True)
    f = sp.Function("f")
    funcs = {f: sp.Lambda(t, sp.tanh(t) + t / 3)}
    net = [sum(w[k] * X[i, k] for k in range(2)) for i in range(n)]
    o = [f(v) for v in net]
    E = sp.Rational(1, 2 * n) * sum((tt[i] - o[i]) ** 2 for i in range(n))
    two = pick(wrong, 2, 1)
    e5 = -sp.Rational(1, n) * sum((tt[i] - o[i]) * d(o[i], w[j]) for i in range(n))
    e6 = -sp.Rational(1, n) * sum((tt[i] - o[i]) * d(f(t), t).subs(t, net[i]) * d(net[i], w[j]) for i in range(n))
    return [
        block(chain(d(E, w[j]), d(E, w[j]), sp.Rational(1, 2 * n) * sum(d((tt[i] - o[i]) ** 2, w[j]) for i in range(n)),
                    sp.Rational(1, 2 * n) * sum(two * (tt[i] - o[i]) * d(tt[i] - o[i], w[j]) for i in range(n)),
                    sp.Rational(1, n) * sum((tt[i] - o[i]) * (d(tt[i], w[j]) - d(o[i], w[j])) for i in range(n)),
                    e5), funcs=funcs),
        block(chain(d(E, w[j]), e5, e6), funcs=funcs),
    ]


@derivation("edwardshu-matmul")
def _edwardshu(wrong):
    H, m_, n = 2, 3, 2
    W, X, G = mat("W", H, m_), mat("X", m_, n), mat("G", H, n)
    Dm = W * X
    L = sum(G[i, j] * Dm[i, j] for i in range(H) for j in range(n))
    dd, c = 0, 1
    return [
        block(eq(d(L, W[dd, c]), sum(G[i, j] * d(Dm[i, j], W[dd, c]) for i in range(H) for j in range(n)))),
        block(eq(sum(G[i, j] * d(Dm[i, j], W[dd, c]) for i in range(H) for j in range(n)),
                 sum(G[dd, j] * d(Dm[dd, j], W[dd, c]) for j in range(n)))),
        block(eq(Dm.row(dd), sp.Matrix(1, n, lambda _, j: sum(W[dd, k] * X[k, j] for k in range(m_))))),
        block(chain(sp.Matrix([d(Dm[dd, j], W[dd, c]) for j in range(n)]),
                    sp.Matrix([d(sum(W[dd, k] * X[k, j] for k in range(m_)), W[dd, c]) for j in range(n)]),
                    sp.Matrix([sum(d(W[dd, k] * X[k, j], W[dd, c]) for k in range(m_)) for j in range(n)]),
                    sp.Matrix([pick(wrong, X[c, j], X[j, c]) for j in range(n)]))),
        block(eq(d(L, W[dd, c]), sum(G[dd, j] * X[c, j] for j in range(n)))),
    ]


@derivation("antbarbi-dense")
def _antbarbi(wrong):
    n, k, h = 2, 2, 2
    X, W, b, G = mat("X", n, k), mat("W", k, h), mat("b", 1, h), mat("G", n, h)
    Z = X * W + sp.ones(n, 1) * b  # b broadcast to every row
    L = sum(G[i, j] * Z[i, j] for i in range(n) for j in range(h))
    delta = G

    def contract(P):
        return P.applyfunc(lambda e: sum(G[i, j] * d(Z[i, j], e) for i in range(n) for j in range(h)))

    return [
        block(D()),
        block(eq(grad(L, W), contract(W))),
        block(eq(grad(L, W), X.T * delta)),
        block(D()),
        block(eq(grad(L, b), contract(b))),
        block(eq(grad(L, b), sp.ones(1, n) * delta)),
        block(D()),
        block(D(), eq(grad(L, X), pick(wrong, delta * W.T, delta * W))),
    ]


@derivation("afonsosa-dense")
def _afonsosa(wrong):
    I_, J = 3, 2
    x = sp.symbols("x1:4", real=True)
    b = sp.symbols("b1:3", real=True)
    w = mat("w", I_, J)
    G = sp.symbols("G1:3", real=True)  # ∂E/∂y_j
    y = [b[j] + sum(x[i] * w[i, j] for i in range(I_)) for j in range(J)]
    E = sum(G[j] * y[j] for j in range(J))
    i = 1
    via_chain = sum(G[j] * d(y[j], x[i]) for j in range(J))
    return [
        block(D()),
        block(eq(sp.Matrix([[d(E, v) for v in x]]), sp.Matrix([[d(E, v) for v in x]]))),
        block(eq(d(E, x[i]), via_chain)),
        block(eq(via_chain, sum(G[j] * pick(wrong, w[i, j], w[j, i]) for j in range(J)))),
    ]


@derivation("dlai-db-intuition")
def _dlai_db(wrong):
    h, k = 2, 2  # one example, columns as in the course: z (h x 1) = W (h x k) a (k x 1) + b
    W, a, b, G = mat("W", h, k), mat("a", k, 1), mat("b", h, 1), mat("G", h, 1)  # G = ∂J/∂z
    z = W * a + b
    J = (G.T * z)[0, 0]
    return [
        block(D()),
        block(D()),
        block(eq(grad(J, a), pick(wrong, W.T, W) * G)),
        block(eq(grad(J, b), G)),
    ]
