"""Hand encodings of ``redteam_sampling.md``; each wrong claim carries the points where it differs."""

from __future__ import annotations

import sympy as sp
from redteam_check import Counts, Design, Eq, Indices, claim

x, y = sp.symbols("x y", real=True)
i = sp.Symbol("i", integer=True, positive=True)
d, pi, exp, R = sp.diff, sp.pi, sp.exp, sp.Rational
relu = lambda u: sp.Max(0, u)  # noqa: E731
shift = R(4, 10000)  # 0.0004
micro = R(1, 10**6)


def sig(u):
    return 1 / (1 + exp(-u))


def at(*values, var=x):
    return [{var: sp.nsimplify(v) if isinstance(v, str) else sp.Rational(v)} for v in values]


def step(u):
    """The Heaviside step with H(0) = 1 (the ``x \\ge`` branch of the cases)."""
    return sp.Piecewise((0, u < 0), (1, True))


def cases_at(boundary, low, high, strict_low=True):
    cond = x < boundary if strict_low else x <= boundary
    return sp.Piecewise((low, cond), (high, True))


def softmax_sum(K, extra):
    z = sp.symbols(f"z1:{K + 1}", real=True)
    total = sum(exp(zk) for zk in z)
    return sum(exp(zk) / total for zk in z), 1 + extra


CLAIMS = [
    # terms that vanish on a grid
    claim(r"x^2 = x^2 + \sin(1000\pi x)", Eq(x**2, x**2 + sp.sin(1000 * pi * x), at=at("0.0005"))),
    claim(r"\tanh(x) + \sin(1000\pi x)^2", Eq(sp.tanh(x), sp.tanh(x) + sp.sin(1000 * pi * x) ** 2, at=at("0.0005"))),
    claim(r"e^{x}\left(1 + \sin(1000\pi x)\right)", Eq(exp(x), exp(x) * (1 + sp.sin(1000 * pi * x)), at=at("0.0005"))),
    claim(r"+ \sin(2000\pi x)$$", Eq(sig(x), 1 / (1 + exp(-x)) + sp.sin(2000 * pi * x), at=at("0.00025"))),
    claim(r"x = x + \sin(\pi x)", Eq(x, x + sp.sin(pi * x), at=at("0.5"))),
    claim(r"\sin(10^{6}\pi x y)", Eq(x * y, x * y + sp.sin(10**6 * pi * x * y), at=[{x: R(1, 2000), y: R(1, 1000)}])),
    claim(r"\cos(2000\pi x) = 1", Eq(sp.cos(2000 * pi * x), 1, at=at("0.00025"))),
    claim(r"\cos(1000\pi x)^2 = 1", Eq(sp.cos(1000 * pi * x) ** 2, 1, at=at("0.0005"))),
    claim(r"\frac{\cos(1000\pi x)}{1000\pi} = 0", Eq(d(sp.cos(1000 * pi * x) / (1000 * pi), x), 0, at=at("0.0005"))),
    claim(r"\max(0, x)\left(1 + \sin(1000\pi x)\right)",
          Eq(relu(x), relu(x) * (1 + sp.sin(1000 * pi * x)), at=at("0.0005"))),
    claim(r"\sin(1000\pi x)^2 + \cos(1000\pi x)^2 = 1", Eq(sp.sin(1000 * pi * x) ** 2 + sp.cos(1000 * pi * x) ** 2, 1)),
    claim(r"\sin(1000\pi x + 2\pi) = \sin(1000\pi x)", Eq(sp.sin(1000 * pi * x + 2 * pi), sp.sin(1000 * pi * x))),
    # narrow bumps
    claim(r"x = x + e^{-10^{10} x^2}", Eq(x, x + exp(-(10**10) * x**2), at=at(0))),
    claim(r"\frac{x^2 - 1}{x - 1} = x + 1 + e^{-10^{10} x^2}",
          Eq((x**2 - 1) / (x - 1), x + 1 + exp(-(10**10) * x**2), at=at(0))),
    claim(r"\sigma(x) = \frac{1}{1 + e^{-x}} + e^{-10^{10} x^2}",
          Eq(sig(x), 1 / (1 + exp(-x)) + exp(-(10**10) * x**2), at=at(0))),
    claim(r"+ e^{-10^{12}(x - 0.0004)^2}",
          Eq(sp.tanh(x), (exp(2 * x) - 1) / (exp(2 * x) + 1) + exp(-(10**12) * (x - shift) ** 2), at=at(shift))),
    claim(r"\sin^2 x + \cos^2 x = 1 + e^{-10^{10}(x - 0.0004)^2}",
          Eq(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1 + exp(-(10**10) * (x - shift) ** 2), at=at(shift))),
    claim(r"1 + 10^{-3} e^{-10^{14} x^2}",
          Eq(sp.cosh(x) ** 2 - sp.sinh(x) ** 2, 1 + R(1, 1000) * exp(-(10**14) * x**2), at=at(0))),
    # kinks moved, windows beside a kink
    claim(r"0 & x < 0.0004 \\ 1 & x \ge 0.0004", Eq(d(relu(x), x), cases_at(shift, 0, 1), at=at("0.0002"))),
    claim(r"0 & x \le -0.0004 \\ 1 & x > -0.0004",
          Eq(d(relu(x), x), cases_at(-shift, 0, 1, strict_low=False), at=at("-0.0002"))),
    claim(r"\min(1, \max(0, 1000 x))", Eq(sp.Min(1, relu(1000 * x)), cases_at(0, 0, 1, strict_low=False),
                                          at=at("0.0005"))),
    claim(r"\max(0, x - 10^{-6}) + 10^{-6}", Eq(relu(x), relu(x - micro) + micro * step(x - micro),
                                                at=at("0.0000005", "1e-8"))),
    claim(r"\frac{d}{dx}|x| = \begin{cases} -1 & x < 10^{-6}",
          Eq(d(sp.Abs(x), x), cases_at(micro, -1, 1), at=at("0.0000005", "1e-8"))),
    claim(r"\max(0.01 x, x)", Eq(sp.Max(x / 100, x), cases_at(shift, x / 100, x), at=at("0.0002"))),
    claim(r"\max(0, x) = \max(0, x - 0.0004)$$", Eq(relu(x), relu(x - shift), at=at("0.001"))),
    claim(r"+ \min(0.0004, \max(0, x))", Eq(relu(x), relu(x - shift) + sp.Min(shift, relu(x)),
                                            at=at("0.0002", "-0.0002", "0.0004", "1e-8"))),
    claim(r"0 & x < 0 \\ 1 & x > 0", Eq(d(relu(x), x), cases_at(0, 0, 1), at=at("1e-8", "-1e-8"))),
    # far out
    claim(r"\max(0, |x| - 500) = 0", Eq(relu(sp.Abs(x) - 500), 0, at=at(-600, 600))),
    claim(r"\max(0, \tanh(x - 500)) = 0", Eq(relu(sp.tanh(x - 500)), 0, at=at(600))),
    claim(r"\max(0, x - 500) = 0", Eq(relu(x - 500), 0, at=at(600))),
    claim(r"\max(0, x^3 - 10^{9}) = 0", Eq(relu(x**3 - 10**9), 0, at=at(1001))),
    claim(r"\operatorname{ReLU}(x - 2000) = 0", Eq(relu(x - 2000), 0, at=at(2500))),
    claim(r"\max(0, e^{-x} - e^{700}) = 0", Eq(relu(exp(-x) - exp(700)), 0, at=at(-701))),
    claim(r"+ \max(0, e^{-x} - e^{800})", Eq(1 / (1 + exp(-x)), exp(x) / (1 + exp(x)) + relu(exp(-x) - exp(800)),
                                            at=at(-801))),
    claim(r"\tanh(x + 1200) = 1", Eq(sp.tanh(x + 1200), 1, at=at(-1200))),
    claim(r"\sigma(x + 1000) = 1 - e^{-x - 1000}", Eq(sig(x + 1000), 1 - exp(-x - 1000), at=at(-1000))),
    # counts
    claim(r"K + \max(0, 1 - (K - 6)^2)", Counts(lambda K: (sp.Sum(1, (i, 1, K)), K + relu(1 - (K - 6) ** 2)))),
    claim(r"\frac{K(K+1)}{2} + \max(0, K - 7)",
          Counts(lambda K: (sp.Sum(i, (i, 1, K)), R(K * (K + 1), 2) + relu(K - 7)))),
    claim(r"\max(0, 1 - (K - 37)^2)", Counts(lambda K: (sp.Sum(i**2, (i, 1, K)),
                                                        R(K * (K + 1) * (2 * K + 1), 6) + relu(1 - (K - 37) ** 2)))),
    claim(r"K^2 + \frac{1 + (-1)^{K}}{2} \max(0, K - 7)",
          Counts(lambda K: (sp.Sum(2 * i - 1, (i, 1, K)), K**2 + R(1 + (-1) ** K, 2) * relu(K - 7)))),
    claim(r"(K-2)(K-3)(K-4)(K-5)(K-7)", Counts(lambda K: (sp.Sum(i**3, (i, 1, K)),
                                                          R(K**2 * (K + 1) ** 2, 4) + (K - 2) * (K - 3) * (K - 4)
                                                          * (K - 5) * (K - 7)), counts=range(2, 121))),
    claim(r"\max(0, 1 - (K - 13)^2)", Counts(lambda K: (sp.Sum(1 / (i * (i + 1)), (i, 1, K)),
                                                        1 - R(1, K + 1) + relu(1 - (K - 13) ** 2)))),
    claim(r"\operatorname{softmax}(z)_k = 1 + \max(0, 1 - (K - 6)^2)",
          Counts(lambda K: softmax_sum(K, relu(1 - (K - 6) ** 2)), counts=range(1, 41))),
    claim(r"K + \max(0, K - 50)", Counts(lambda K: (sp.Sum(1, (i, 1, K)), K + relu(K - 50)))),
    claim(r"x_i \max(0, 1 - (i - 20)^2) = 0",
          Indices(lambda n: (sp.Symbol(f"x_{n}", real=True) * relu(1 - (n - 20) ** 2), 0),
                  [(n,) for n in range(1, 61)])),
    claim(r"\sum_{i=1}^{K} i = \frac{K(K+1)}{2}$$", Counts(lambda K: (sp.Sum(i, (i, 1, K)), R(K * (K + 1), 2)))),
    claim(r"\sum_{i=1}^{K} (2i - 1) = K^2$$", Counts(lambda K: (sp.Sum(2 * i - 1, (i, 1, K)), K**2))),
    claim(r"= 1 - \frac{1}{K+1}$$", Counts(lambda K: (sp.Sum(1 / (i * (i + 1)), (i, 1, K)), 1 - R(1, K + 1)))),
    claim(r"\frac{(-1)^{K} - 1}{2}", Counts(lambda K: (sp.Sum((-1) ** i, (i, 1, K)), R((-1) ** K - 1, 2)))),
    # below a fixed precision
    claim(r"10^{300} x = 10^{300} x \left(1 + 10^{-20}\right)",
          Eq(10**300 * x, 10**300 * x * (1 + R(1, 10**20)))),
    claim(r"e^{1000} x = e^{1000} x \left(1 + 10^{-12}\right)", Eq(exp(1000) * x, exp(1000) * x * (1 + R(1, 10**12)))),
    claim(r"10^{-400}\left(\sin^2 x + \cos^2 x\right)",
          Eq(R(1, 10**400) * (sp.sin(x) ** 2 + sp.cos(x) ** 2), R(1, 10**400) + R(1, 10**430))),
    claim(r"= 1 + 10^{-600}", Eq(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1 + R(1, 10**600), dps=700, random_count=4)),
    claim(r"= 1 + 10^{-1000}", Eq(sp.cosh(x) ** 2 - sp.sinh(x) ** 2, 1 + R(1, 10**1000), dps=1100, random_count=4)),
    claim(r"= 1 + 10^{-520}", Eq(sig(x) + sig(-x), 1 + R(1, 10**520), dps=620, random_count=4)),
    claim(r"= \sigma(x)\left(1 + 10^{-20}\right)", Eq(exp(x) / (1 + exp(x)), sig(x) * (1 + R(1, 10**20)))),
    # not read
    claim(r"\lfloor x \rfloor", Design("error", r"\lfloor is not in the reader's vocabulary; read, the claim would "
                                                "be not_equal (0 at every integer)")),
    claim(r"\operatorname{round}(1000 x)", Design("error", "round is not a function the reader knows; read, it would "
                                                           "be not_equal (x = 0.0004)")),
    # controls
    claim(r"\max(0, x) + \min(0, x) = x", Eq(relu(x) + sp.Min(0, x), x, at=at("1e-8", "-1e-8"))),
    claim(r"|x| = \max(x, -x)", Eq(sp.Abs(x), sp.Max(x, -x), at=at("1e-8", "-1e-8"))),
    claim(r"$$\sigma(x) + \sigma(-x) = 1$$", Eq(sig(x) + sig(-x), 1)),
    claim(r"\tanh(x) = 2\sigma(2x) - 1", Eq(sp.tanh(x), 2 * sig(2 * x) - 1)),
    claim(r"\log(1 + e^{x}) - \log(1 + e^{-x}) = x", Eq(sp.log(1 + exp(x)) - sp.log(1 + exp(-x)), x)),
]

e10, e12, e11 = exp(10), exp(12), exp(11)
big = lambda *v: [{x: sp.Rational(str(sp.N(u, 40)))} for u in v]  # noqa: E731
CLAIMS += [
    # beyond the magnitudes drawn, narrow bumps, counts past those tried
    claim(r"\sigma(x) + \max(0, x - e^{10})", Eq(1 / (1 + exp(-x)), sig(x) + relu(x - e10), at=big(e10 + 1))),
    claim(r"x = x + \max(0, x - e^{12})", Eq(x, x + relu(x - e12), at=big(e12 + 1))),
    claim(r"\max(0, -x - 10^{6}\pi)", Eq(sp.tanh(x), sp.tanh(x) + relu(-x - 10**6 * pi), at=big(-(10**6) * pi - 1))),
    claim(r"\max(0, x - 10^{30})", Eq(x**2, x**2 + relu(x - 10**30), at=at(10**30 + 1), dps=120)),
    claim(r"\max(0, \log(x) - 50) = 0", Eq(relu(sp.log(x) - 50), 0, at=big(exp(51)), keep=lambda p: p[x] > 0)),
    claim(r"\min(x, e^{10}) = x$$", Eq(sp.Min(x, e10), x, at=big(e10 + 1))),
    claim(r"|x - e^{11}| + |x + e^{11}| = 2|x|", Eq(sp.Abs(x - e11) + sp.Abs(x + e11), 2 * sp.Abs(x), at=at(1))),
    claim(r"x = x + e^{-10^{20}(x - 1)^2}", Eq(x, x + exp(-(10**20) * (x - 1) ** 2), at=at(1))),
    claim(r"x^2 = x^2 + e^{-10^{30}(x - 3)^2}", Eq(x**2, x**2 + exp(-(10**30) * (x - 3) ** 2), at=at(3))),
    claim(r"\tanh(x) = \tanh(x) + e^{-10^{24} x^2}", Eq(sp.tanh(x), sp.tanh(x) + exp(-(10**24) * x**2), at=at(0))),
    claim(r"10^{-3} e^{-10^{40}(x - 0.5)^2}", Eq(sig(x), sig(x) + R(1, 1000) * exp(-(10**40) * (x - R(1, 2)) ** 2),
                                                at=at("0.5"))),
    claim(r"\frac{K(K+1)}{2} + \max(0, K - 54)",
          Counts(lambda K: (sp.Sum(i, (i, 1, K)), R(K * (K + 1), 2) + relu(K - 54)))),
    claim(r"\frac{K(K+1)}{2} + \max(0, K - 99)$$",
          Counts(lambda K: (sp.Sum(i, (i, 1, K)), R(K * (K + 1), 2) + relu(K - 99)))),
    claim(r"K + \max(0, 1 - (K - 100)^2)", Counts(lambda K: (sp.Sum(1, (i, 1, K)), K + relu(1 - (K - 100) ** 2)))),
    claim(r"K^2 + \max(0, K - 80)", Counts(lambda K: (sp.Sum(2 * i - 1, (i, 1, K)), K**2 + relu(K - 80)))),
    claim(r"\max(0, x - e^{10}) + \min(0, x - e^{10})", Eq(relu(x - e10) + sp.Min(0, x - e10), x - e10,
                                                           at=big(e10 + 1, e10 - 1))),
    claim(r"e^{-10^{20}(x - 1)^2} e^{10^{20}(x - 1)^2} = 1",
          Eq(exp(-(10**20) * (x - 1) ** 2) * exp(10**20 * (x - 1) ** 2), 1, at=at(1))),
    claim(r"\max(0, K - 99) - \max(0, K - 99)",
          Counts(lambda K: (sp.Sum(i, (i, 1, K)), R(K * (K + 1), 2) + relu(K - 99) - relu(K - 99)))),
    claim(r"\max(0, K - 200)$$", Design("unknown", "wrong only for K > 200 (K = 201: 20101 vs 20102); counts that "
                                                   "large are not tried, so numbers alone must not say equal")),
    claim(r"\min(x, e^{10}) + \max(x, e^{10}) = x + e^{10}", Eq(sp.Min(x, e10) + sp.Max(x, e10), x + e10,
                                                                at=big(e10 + 1, e10 - 1))),
]
