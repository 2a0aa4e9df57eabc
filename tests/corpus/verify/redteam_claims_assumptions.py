"""Hand encodings of ``redteam_assumptions.md``: indices over a grid, a condition as a filter on it.

A claim with free indices i, j (and the softmax's count K) is built for every (i, j, K) with
K = 2..6 and 1 <= i, j <= K; a condition in force keeps only the tuples that satisfy it.  A
``cases`` row is the Python ``if`` on the concrete indices.  So "equal under i = j" and
"not equal without it" are decided separately, at the tuples each one governs.
"""

from __future__ import annotations

import sympy as sp
from redteam_check import Ambiguous, Design, Eq, Indices, claim

x, a = sp.symbols("x a", real=True)
GRID = [(i, j, K) for K in range(2, 7) for i in range(1, K + 1) for j in range(1, K + 1)]
GRID3 = [(i, j, k, K) for K in range(2, 5) for i in range(1, K + 1) for j in range(1, K + 1) for k in range(1, K + 1)]


def z(K):
    return sp.symbols(f"z1:{K + 1}", real=True)


def S(i, K):
    zs = z(K)
    return sp.exp(zs[i - 1]) / sum(sp.exp(zk) for zk in zs)


def dS(i, j, K):
    """d softmax(z)_i / d z_j."""
    return sp.diff(S(i, K), z(K)[j - 1])


def xs(n):
    return sp.Symbol(f"x_{n}", real=True)


def delta(i, j):
    return sp.KroneckerDelta(i, j)


def same(i, j, *_):
    return i == j


def differ(i, j, *_):
    return i != j


def diag(i, j, K):
    return dS(i, j, K), S(i, K) * (1 - S(j, K))


def offdiag(i, j, K):
    return dS(i, j, K), -S(i, K) * S(j, K)


def jacobian(i, j, K):
    return dS(i, j, K), S(i, K) * (delta(i, j) - S(j, K))


def dlogS(i, k, K):
    return sp.diff(sp.log(S(i, K)), z(K)[k - 1]), 1 - S(k, K)


def grid(build, where=lambda *idx: True):
    return Indices(build, GRID, where)


DIAG = "= \\operatorname{softmax}(z)_i \\left(1 - \\operatorname{softmax}(z)_j\\right)$$"
OFF = "= -\\operatorname{softmax}(z)_i \\operatorname{softmax}(z)_j$$"
NOT_USABLE = "an assumption the tool cannot use is an error, never dropped"

CLAIMS = [
    # without any condition
    claim(DIAG, grid(diag)),
    claim(OFF, grid(offdiag)),
    claim(r"\left(\delta_{ij} - \operatorname{softmax}(z)_j\right)", grid(jacobian)),
    claim(r"$$\delta_{ij} = 1$$", grid(lambda i, j, K: (delta(i, j), 1))),
    claim(r"$$\delta_{ij} x_i = x_j$$", grid(lambda i, j, K: (delta(i, j) * xs(i), xs(j)))),
    claim(r"\delta_{ij} \delta_{jk} = \delta_{ik}",
          Indices(lambda i, j, k, K: (delta(i, j) * delta(j, k), delta(i, k)), GRID3)),
    # prose conditions govern the next block; the block right after it, with no words between, may be under it
    claim(DIAG, grid(diag, same)),
    claim(DIAG, Ambiguous({"under i = j": grid(diag, same), "without it": grid(diag)})),
    claim(DIAG, grid(diag, differ)),
    claim(OFF, grid(offdiag, differ)),
    claim(OFF, Ambiguous({"under i != j": grid(offdiag, differ), "without it": grid(offdiag)})),
    claim(r"x_i - x_j &= 0", grid(lambda i, j, K: (delta(i, j), 1), same),
          grid(lambda i, j, K: (xs(i) - xs(j), 0), same)),
    claim(r"$$x_i - x_j = 0$$", Ambiguous({"under i = j": grid(lambda i, j, K: (xs(i) - xs(j), 0), same),
                                           "without it": grid(lambda i, j, K: (xs(i) - xs(j), 0))})),
    claim(r"\log \operatorname{softmax}(z)_i = 1 - \operatorname{softmax}(z)_k", grid(dlogS, same)),
    claim(r"\log \operatorname{softmax}(z)_i = 1 - \operatorname{softmax}(z)_k",
          Ambiguous({"under k = i": grid(dlogS, same), "without it": grid(dlogS)})),
    claim(r"$$\tanh(x) = 0$$", Eq(sp.tanh(x).subs(x, 0), 0)),
    claim(r"$$\tanh(x) = 0$$", Ambiguous({"under x = 0": Eq(sp.tanh(x).subs(x, 0), 0),
                                            "without it": Eq(sp.tanh(x), 0)})),
    # conditions after a chain govern that chain only
    claim(r"\delta_{ij} = 1 \quad \text{if } i = j", grid(lambda i, j, K: (delta(i, j), 1), same)),
    claim(r"$$\delta_{ij} = 1$$", grid(lambda i, j, K: (delta(i, j), 1))),
    claim(r"x_i = x_j \quad (i = j)", grid(lambda i, j, K: (delta(i, j) * xs(i), xs(j)), same)),
    claim(r"$$\delta_{ij} x_i = x_j$$", grid(lambda i, j, K: (delta(i, j) * xs(i), xs(j)))),
    claim(r"\quad \text{for } i \neq j$$", grid(offdiag, differ)),
    claim(r"\delta_{ij} = 0 \quad \text{for } i \ne j", grid(lambda i, j, K: (delta(i, j), 0), differ)),
    claim(r"$$\delta_{ij} = 0$$", grid(lambda i, j, K: (delta(i, j), 0))),
    claim(r"\delta_{ij} x_j = x_i = x_j \quad \text{if } i = j",
          grid(lambda i, j, K: (delta(i, j) * xs(j), xs(i)), same), grid(lambda i, j, K: (xs(i), xs(j)), same)),
    claim(r"$$\delta_{ij} x_j = x_i$$", grid(lambda i, j, K: (delta(i, j) * xs(j), xs(i)))),
    claim(r"\sigma(x) = \frac{1}{2} \quad \text{if } x = 0", Eq(1 / (1 + sp.exp(-0)), sp.Rational(1, 2))),
    claim(r"$$\sigma(x) = \frac{1}{2}$$", Eq(1 / (1 + sp.exp(-x)), sp.Rational(1, 2))),
    claim(r"e^{x} = 1 \quad (x = 0)", Eq(sp.exp(x).subs(x, 0), 1)),
    claim(r"\text{if } y \text{ is one-hot}", Design("error", "a condition in words cannot be used; it must not be "
                                                             "dropped (the chain would then be judged without it)")),
    claim(r"$$\sum_{k=1}^{3} y_k = 1$$", Eq(sum(sp.Symbol(f"y_{k}", real=True) for k in (1, 2, 3)), 1)),
    # cases rows
    claim(r"& i = j \\ -\operatorname{softmax}(z)_i",
          grid(lambda i, j, K: (dS(i, j, K), diag(i, j, K)[1] if i == j else offdiag(i, j, K)[1]))),
    claim(r"& i = j \\ \operatorname{softmax}(z)_i",
          grid(lambda i, j, K: (dS(i, j, K), offdiag(i, j, K)[1] if i == j else diag(i, j, K)[1]))),
    claim(r"1 & \text{if } i = j \\ 0 & \text{otherwise}", grid(lambda i, j, K: (1 if i == j else 0, delta(i, j)))),
    claim(r"1 & i = j \\ 1 & \text{otherwise}", grid(lambda i, j, K: (1, delta(i, j)))),
    claim(r"x_i & i = j \\ x_j & i \neq j", grid(lambda i, j, K: (xs(i) if i == j else xs(j), xs(j)))),
    claim(r"x_i & i = j \\ x_i & i \neq j", grid(lambda i, j, K: (xs(i), xs(j)))),
    claim(r"x & x > 0 \\ x & x \le 0", Eq(sp.Piecewise((x, x > 0), (x, True)), sp.Max(0, x))),
    # % assume: p = q (the rest of the document)
    claim(r"\partial z_q} \operatorname{softmax}(z)_p = \operatorname{softmax}(z)_p \left(1", grid(diag, same)),
    claim(r"$$\delta_{pq} = 1$$", grid(lambda i, j, K: (delta(i, j), 1), same)),
    claim(r"= -\operatorname{softmax}(z)_p \operatorname{softmax}(z)_q", grid(offdiag, same)),
    claim(r"$$x_p = x_q$$", grid(lambda i, j, K: (xs(i), xs(j)), same)),
    claim(r"\sum_{k=1}^{K} \delta_{pk} x_k = x_q",
          grid(lambda i, j, K: (sum(delta(i, k) * xs(k) for k in range(1, K + 1)), xs(j)), same)),
    claim(r"$$x_p = 2 x_q$$", grid(lambda i, j, K: (xs(i), 2 * xs(j)), same)),
    # % assume: j = i
    claim(r"$$\delta_{ij} = 1$$", grid(lambda i, j, K: (delta(i, j), 1), same)),
    claim(DIAG, grid(diag, same)),
    claim(r"$$x_i = x_j$$", grid(lambda i, j, K: (xs(i), xs(j)), same)),
    claim(r"\delta_{ij} x_i = 2 x_j", grid(lambda i, j, K: (delta(i, j) * xs(i), 2 * xs(j)), same)),
    # % assume: r \neq s
    claim(r"$$\delta_{rs} = 0$$", grid(lambda i, j, K: (delta(i, j), 0), differ)),
    claim(r"= -\operatorname{softmax}(z)_r \operatorname{softmax}(z)_s", grid(offdiag, differ)),
    claim(r"\operatorname{softmax}(z)_r \left(1 - \operatorname{softmax}(z)_s\right)", grid(diag, differ)),
    claim(r"$$x_r = x_s$$", grid(lambda i, j, K: (xs(i), xs(j)), differ)),
    claim(r"\sum_{k=1}^{K} \delta_{rk} \delta_{sk} = 0",
          grid(lambda i, j, K: (sum(delta(i, k) * delta(j, k) for k in range(1, K + 1)), 0), differ)),
    # unusable and contradictory
    claim(r"\sum_{k=1}^{3} y_k = 1", Design("error", f"'y is one-hot' in words: {NOT_USABLE}")),
    claim(r"W + W = 2W", Design("error", f"set membership: {NOT_USABLE}")),
    claim(r"$$a = 1$$", Design("error", "a = 1 and a = 2 contradict each other")),
    claim(r"$$c = 1 - d$$", Design("error", "c + d = 1 and c + d = 2 contradict each other")),
    claim(r"$$\delta_{ij} = 1$$", Design("error", "i \\neq j contradicts j = i, in force above")),
]
