"""Hand encodings of ``redteam_readings.md`` (one entry per expect comment, in order)."""

from __future__ import annotations

import sympy as sp
from redteam_check import Ambiguous, Design, Eq, Functions, Unsaid, claim

x, y, z, a, b, c, h, k, mu, s, n, t = sp.symbols("x y z a b c h k mu sigma n t", real=True)
e_var = sp.Symbol("e", positive=True)  # e declared a symbol (positive, so e^3 and log e are real)
d = sp.diff


def sig(u):
    return 1 / (1 + sp.exp(-u))


def prime(F, arg, order=1):
    """F^(order) evaluated at ``arg`` (F a SymPy function class or a concrete callable)."""
    return sp.Subs(sp.diff(F(t), t, order), t, arg).doit()


def label(text: str) -> sp.Symbol:
    """A superscript label such as a_k^{l-1}: a symbol of its own, unrelated to a_k."""
    return sp.Symbol(text, real=True)


def product_or_function(product: Eq, build, names=("v",)) -> Ambiguous:
    return Ambiguous({"products": product, "functions": Functions(build, names)})


CLAIMS = [
    claim(r"\frac{d}{dx}[x v(x)] = 2v(x)", product_or_function(
        Eq(d(x * k * x, x), 2 * k * x), lambda v: (d(x * v(x), x), 2 * v(x)))),
    claim(r"v(-x) = -v(x)", product_or_function(Eq(k * -x, -k * x), lambda v: (v(-x), -v(x)))),
    claim(r"z(2x) = 2z(x)", product_or_function(Eq(z * 2 * x, 2 * z * x), lambda v: (v(2 * x), 2 * v(x)), ("z",))),
    claim(r"y(-x) = -y(x)", product_or_function(Eq(y * -x, -y * x), lambda v: (v(-x), -v(x)), ("y",))),
    claim(r"g(3x) = 3g(x)", Functions(lambda g: (g(3 * x), 3 * g(x)), ("g",))),
    claim(r"v(x + y) = v(x) + v(y)", product_or_function(Eq(k * (x + y), k * x + k * y),
                                                         lambda v: (v(x + y), v(x) + v(y)))),
    claim(r"\frac{d}{dx} v(x^2) = 2x\,v(x)", product_or_function(
        Eq(d(k * x**2, x), 2 * x * k * x), lambda v: (d(v(x**2), x), 2 * x * v(x)))),
    claim(r"\frac{d}{dx} u(x)^2 = 2u(x)$$", product_or_function(
        Eq(d((k * x) ** 2, x), 2 * k * x), lambda u: (d(u(x) ** 2, x), 2 * u(x)), ("u",))),
    claim(r"a(b + c) = ab + ac", product_or_function(
        Eq(a * (b + c), a * b + a * c), lambda A: (A(b + c), a * b + a * c), ("a",))),
    claim(r"= v(x) + x v'(x)", Functions(lambda v: (d(x * v(x), x), v(x) + x * prime(v, x)))),
    claim(r"= 2x\,v'(x^2)", Functions(lambda v: (d(v(x**2), x), 2 * x * prime(v, x**2)))),
    claim(r"= 2u(x)u'(x)", Functions(lambda u: (d(u(x) ** 2, x), 2 * u(x) * prime(u, x)), ("u",))),
    claim(r"u(x) + u(x) = 2u(x)", Functions(lambda u: (u(x) + u(x), 2 * u(x)), ("u",))),
    claim(r"\sigma^2 = \sigma(x)^2", Unsaid(Eq(s**2, sig(x) ** 2))),
    claim(r"\sigma(x)^2 = \frac{1}{(1 + e^{-x})^2}", Eq(sig(x) ** 2, 1 / (1 + sp.exp(-x)) ** 2)),
    claim(r"\left(\frac{x - \mu}{\sigma}\right)^2", Eq((x - mu) ** 2 / s**2, ((x - mu) / s) ** 2)),
    claim(r"= \frac{\mu - x}{\sigma^2}", Eq(d((x - mu) ** 2 / (2 * s**2), mu), (mu - x) / s**2)),
    claim(r"= \frac{x - \mu}{\sigma^2}", Eq(d((x - mu) ** 2 / (2 * s**2), mu), (x - mu) / s**2)),
    claim(r"\sigma^2 \sigma(x) = \sigma(x)^3", Eq(s**2 * sig(x), sig(x) ** 3)),
    claim(r"\sigma^2(x) = \sigma(x)^2", Ambiguous({
        "sigmoid squared": Eq(sig(x) ** 2, sig(x) ** 2),
        "sigmoid twice": Eq(sig(sig(x)), sig(x) ** 2),
        "variance times x": Eq(s**2 * x, sig(x) ** 2)})),
    claim(r"\sigma^2(x) = \sigma(\sigma(x))", Ambiguous({
        "sigmoid squared": Eq(sig(x) ** 2, sig(sig(x))),
        "sigmoid twice": Eq(sig(sig(x)), sig(sig(x))),
        "variance times x": Eq(s**2 * x, sig(sig(x)))})),
    claim(r"\sigma x = \sigma(x)", Ambiguous({"sigmoid of x": Eq(sig(x), sig(x)), "sigma times x": Eq(s * x, sig(x))})),
    claim(r"\sigma (x) + \sigma(-x) = 1", Eq(sig(x) + sig(-x), 1)),
    claim(r"\sigma'(x) = \sigma(x)^2", Eq(d(sig(x), x), sig(x) ** 2)),
    claim(r"a_k^{l-1} a_k = a_k^{l}", Unsaid(Eq(label("a_k^(l-1)") * label("a_k"), label("a_k^(l)")))),
    claim(r"x^{(i)} x = x^{(i+1)}", Unsaid(Eq(label("x^(i)") * x, label("x^(i+1)")))),
    claim(r"W^{[2]} = W \cdot W", Eq(label("W^[2]"), label("W") ** 2)),
    claim(r"\delta^{l} = \delta^{l-1} \delta", Eq(label("delta^l"), label("delta^(l-1)") * label("delta"))),
    claim(r"a^{l+1} = a^{l} a", Eq(label("a^(l+1)"), label("a^l") * a)),
    claim(r"z^{(2)} = z^2", Eq(label("z^(2)"), z**2)),
    claim(r"h^{l-1} = \frac{h^{l}}{h}", Eq(label("h^(l-1)"), label("h^l") / h)),
    claim(r"\frac{d}{dx} x^{(2)} = 2x", Eq(d(label("x^(2)"), x), 2 * x)),
    claim(r"a^{(1)} a^{(2)} = a^{(2)}", Eq(d(label("a^(1)") * label("a^(2)"), label("a^(1)")), label("a^(2)"))),
    claim(r"x^{(i)} + x^{(i)} = 2x^{(i)}", Eq(label("x^(i)") + label("x^(i)"), 2 * label("x^(i)"))),
    claim(r"x^{n} x = x^{n+1}", Eq(x**n * x, x ** (n + 1))),
    claim(r"a^{L} a = a^{L+1}", Ambiguous({"label": Eq(label("a^L") * a, label("a^(L+1)")),
                                            "power": Eq(a ** label("L") * a, a ** (label("L") + 1))})),
    claim(r"\sin x y = y \sin x", Ambiguous({"sin(x) y": Eq(sp.sin(x) * y, y * sp.sin(x)),
                                              "sin(xy)": Eq(sp.sin(x * y), y * sp.sin(x))})),
    claim(r"\sin^{-1} x = \frac{1}{\sin x}", Ambiguous({"arcsin": Eq(sp.asin(x), 1 / sp.sin(x)),
                                                        "reciprocal": Eq(1 / sp.sin(x), 1 / sp.sin(x))})),
    claim(r"2\frac{1}{2} = 1", Ambiguous({"product": Eq(2 * sp.Rational(1, 2), 1),
                                          "mixed number": Eq(2 + sp.Rational(1, 2), 1)})),
    claim(r"\frac{1}{2}x = \frac{1}{2x}", Eq(x / 2, 1 / (2 * x))),
    claim(r"\frac{a}{b}c = \frac{ac}{b}", Eq(a / b * c, a * c / b)),
    claim(r"\frac{1}{2}\sigma(x) = \frac{1}{2\sigma(x)}", Eq(sig(x) / 2, 1 / (2 * sig(x)))),
    claim(r"x y^2 = (x y)^2", Eq(x * y**2, (x * y) ** 2)),
    claim(r"-x^2 = (-x)^2", Eq(-(x**2), (-x) ** 2)),
    claim(r"e^{x} y = e^{x y}", Eq(sp.exp(x) * y, sp.exp(x * y))),
    claim(r"\exp x^2 = e^{x^2}", Eq(sp.exp(x**2), sp.exp(x**2))),
    claim(r"\tanh^2 x = \tanh(x^2)", Eq(sp.tanh(x) ** 2, sp.tanh(x**2))),
    claim(r"x^2^3 = x^6", Design("error", "a double superscript is a TeX error ('x^2^3' has no meaning)")),
    claim(r"\log 100 = 2", Eq(sp.log(100), 2)),
    claim(r"\ln x = \log x", Eq(sp.log(x), sp.log(x))),
    claim(r"\log(x)^2 = 2 \log x", Eq(sp.log(x) ** 2, 2 * sp.log(x))),
    claim(r"e^{\log 3} = 3", Eq(sp.exp(sp.log(3)), 3)),
    claim(r"$$\log e = 1$$", Eq(sp.log(sp.E), 1)),
    claim(r"f(x + h) = f(x) + h", Functions(lambda f: (f(x + h), f(x) + h), ("f",))),
    claim(r"f(x + h) - f(x) = h f'(x)", Functions(lambda f: (f(x + h) - f(x), h * prime(f, x)), ("f",))),
    claim(r"\frac{d}{dh} f(x + h) = f'(x + h)", Functions(lambda f: (d(f(x + h), h), prime(f, x + h)), ("f",))),
    claim(r"f'(2x) = \frac{d}{dx} f(2x)", Functions(lambda f: (prime(f, 2 * x), d(f(2 * x), x)), ("f",))),
    claim(r"\frac{d}{dx} f(x)^2 = 2 f(x) f'(x)",
          Functions(lambda f: (d(f(x) ** 2, x), 2 * f(x) * prime(f, x)), ("f",))),
    claim(r"\tanh'(x) = 1 - \tanh(x)^2", Eq(d(sp.tanh(x), x), 1 - sp.tanh(x) ** 2)),
    claim(r"\tanh'(x) = 1 + \tanh(x)^2", Eq(d(sp.tanh(x), x), 1 + sp.tanh(x) ** 2)),
    claim(r"\sigma''(x)", Eq(d(sig(x), x, 2), sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)))),
    claim(r"p(-x) = -p(x)", Functions(lambda p: (p(-x), -p(x)), ("p",))),
    claim(r"p(x) + q(x) = q(x) + p(x)", Functions(lambda p, q: (p(x) + q(x), q(x) + p(x)), ("p", "q"))),
    claim(r"= q'(p(x))\, p'(x)", Functions(lambda p, q: (d(q(p(x)), x), prime(q, p(x)) * prime(p, x)), ("p", "q"))),
    claim(r"= q'(x)\, p'(x)", Functions(lambda p, q: (d(q(p(x)), x), prime(q, x) * prime(p, x)), ("p", "q"))),
    claim(r"c(a + b) = ca + cb", Eq(c * (a + b), c * a + c * b)),
    claim(r"k(-x) = -k(x)", Eq(k * -x, -k * x)),
    claim(r"c(a + b) = ca + b", Eq(c * (a + b), c * a + b)),
    claim(r"\frac{d}{dx}[x k(x)] = 2k(x)", Eq(d(x * k * x, x), 2 * k * x)),
    claim(r"$$\log e = 1$$", Eq(sp.log(e_var), 1)),
    claim(r"\frac{d}{de} e^{3} = 3e^{2}", Eq(d(e_var**3, e_var), 3 * e_var**2)),
    claim(r"v(2x) = 2v(x)", Functions(lambda v: (v(2 * x), 2 * v(x)))),
    claim(r"v(2x) = 2v(x)", Eq(k * 2 * x, 2 * k * x)),
    claim(r"\frac{d}{dx}[x v(x)] = 2v(x)", Eq(d(x * k * x, x), 2 * k * x)),
]
