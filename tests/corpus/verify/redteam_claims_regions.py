"""Hand encodings of ``redteam_regions.md`` and ``regions_all_wrong.md`` (one entry per expect comment)."""

from __future__ import annotations

import sympy as sp
from redteam_check import Design, Eq, claim

x, y, t, a, b = sp.symbols("x y t a b", real=True)
d = sp.diff


def sig(u):
    return 1 / (1 + sp.exp(-u))


REGIONS = [
    claim(r"(x+1)^2 &= x^2 + 2x + 1", Eq((x + 1) ** 2, x**2 + 2 * x + 1), Eq(x**2 + 2 * x + 1, x**2 + 1)),
    claim(r"\frac{d}{dx} x^3 &= 3x", Eq(d(x**3, x), 3 * x)),
    claim(r"\begin{equation*} \frac{d}{dx} e^{-x} = e^{-x}", Eq(d(sp.exp(-x), x), sp.exp(-x))),
    claim(r"\frac{d}{dx}\cosh x &= \sinh x", Eq(d(sp.cosh(x), x), sp.sinh(x)), Eq(sp.sinh(x), sp.cosh(x))),
    claim(r"2^{11} = 2024", Eq(sp.Integer(2) ** 10, 1024), Eq(sp.Integer(2) ** 11, 2024)),
    claim(r"\sin(2x) = 2 \sin x", Eq(sp.sin(2 * x), 2 * sp.sin(x))),
    claim(r"&= \sigma(x)^2", Eq(d(sig(x), x), sig(x) * (1 - sig(x))), Eq(sig(x) * (1 - sig(x)), sig(x) ** 2)),
    claim(r"e^{2x} & = & 2 e^{x}", Eq(sp.exp(2 * x), 2 * sp.exp(x))),
    claim(r"x - 1 = 1 - x", Eq(x + 1, 1 + x), Eq(x - 1, 1 - x)),
    claim(r"1 + \tanh(x)^2", Eq(d(sp.tanh(x), x), 1 + sp.tanh(x) ** 2)),
    claim(r"(x - 1)(x + 1) \nonumber", Eq(x**2 - 1, (x - 1) * (x + 1)), Eq((x - 1) * (x + 1), x**2 + 1)),
    claim(r"x \cdot x = 2x", Eq(x + x, 2 * x), Eq(x * x, 2 * x)),
    claim(r"e^{x} + e^{x} = e^{2x}", Eq(sp.exp(x) ** 2, sp.exp(2 * x)), Eq(2 * sp.exp(x), sp.exp(2 * x))),
    claim(r"+ 1 = 1", Eq(x**2 + 2 * x + 1, 1)),
    claim(r"(x+1)^3 = x^3 + 3x^2", Eq((x + 1) ** 3, x**3 + 3 * x**2 + 3 * x + 1)),
    claim(r"2 \cdot 2^{x} &= 4^{x}", Eq(2 ** (x + 1), 2 * 2**x), Eq(2 * 2**x, 4**x)),
    claim(r"&& \frac{d}{dx} e^{-x} &= e^{-x} &&", Eq(d(sp.exp(-x), x), sp.exp(-x))),
    claim(r"\begin{alignat}{2}", Eq(x, 2 * x)),
    claim(r"x^2 &= 3x^2 &\quad&", Eq(x**2, 3 * x**2)),
    claim(r"[t] x &= t x", Eq(x, t * x)),
    claim(r"\cos(x)^2 = 1 + \sin(x)^2", Eq(sp.cos(x) ** 2, 1 + sp.sin(x) ** 2)),
    claim(r"x^2 + 2x &= x^2 + 2x \\", Eq(x**2 + 2 * x, x**2 + 2 * x + 1)),
    claim(r"(x+1)^2 &= x^2 + 2x \\", Eq((x + 1) ** 2, x**2 + 2 * x + 1)),
    claim(r"x + 0 &= x & x \cdot 1 &= 1", Eq(x + 0, x), Eq(x * 1, 1)),
    claim(r"\frac{d}{dx} \frac{1}{x} &= \frac{1}{x^2}", Eq(d(1 / x, x), 1 / x**2)),
    claim(r"\sin(x^2) &= \cos(x^2)", Eq(d(sp.sin(x**2), x), sp.cos(x**2))),
    claim(r"e^{x + y} = e^{x} + e^{y}", Eq(sp.exp(x + y), sp.exp(x) + sp.exp(y))),
    claim(r"x^{5} &= 5 x^{5}", Eq(d(x**5, x), 5 * x**5)),
    claim(r"\tanh(-x) = \tanh(x)", Eq(sp.tanh(-x), sp.tanh(x))),
    claim(r"\boxed{\frac{d}{dx} x^4 = 4x^3 = 4x^4}", Eq(d(x**4, x), 4 * x**3), Eq(4 * x**3, 4 * x**4)),
    claim(r"= \boxed{\cos(2x)}", Eq(d(sp.sin(2 * x), x), sp.cos(2 * x))),
    claim(r"\boxed{x^2 - 4 = (x - 2)(x + 3)}", Eq(x**2 - 4, (x - 2) * (x + 3))),
    claim(r"\cos(-x) = -\cos(x) \tag{3}", Eq(sp.cos(-x), -sp.cos(x))),
    claim(r"\sinh(-x) = \sinh(x) \tag*{(A)}", Eq(sp.sinh(-x), sp.sinh(x))),
    claim(r"\sinh(2x) = 2\sinh(x)", Eq(sp.sinh(2 * x), 2 * sp.sinh(x))),
    claim(r"\frac{d}{dx} x^3 &= 3x^3 \notag", Eq(d(x**2, x), 2 * x), Eq(d(x**3, x), 3 * x**3)),
    claim(r"x^2 = x \cdot x %", Eq(x**2, x * x), Eq(x * x, x**3)),
    claim(r"\frac{d}{dx} 3x^2 &= 3x %", Eq(d(3 * x**2, x), 3 * x)),
    claim(r"\frac{d}{dx}x^2 &= 2x \\[2pt]", Eq(d(x**2, x), 2 * x), Eq(d(x**3, x), 3 * x**3)),
    claim(r"(x-1)^2 &= x^2 - 2x + 1 \\[4pt]", Eq((x - 1) ** 2, x**2 - 2 * x + 1), Eq(x**2 - 2 * x + 1, x**2 + 1)),
    claim(r"\intertext{and therefore}", Eq(sp.exp(x + y), sp.exp(x) * sp.exp(y)),
          Eq(sp.exp(x) * sp.exp(y), sp.exp(x) + sp.exp(y))),
    claim(r"x &= 2x \\*", Eq(x, 2 * x), Eq(2 * x, 4 * x)),
    claim(r"\frac{d}{dx}\frac{1}{x} = \frac{1}{x^2}", Eq(d(1 / x, x), 1 / x**2)),
    claim(r"$$ 2x = x^2 \\ 3x = x + 2x $$", Eq(2 * x, x**2), Eq(3 * x, x + 2 * x)),
    claim(r"\log(1 + e^{x}) = \frac{1}{1 + e^{x}}", Eq(d(sp.log(1 + sp.exp(x)), x), 1 / (1 + sp.exp(x)))),
    claim(r"(a+b)^2 &= a^2 + 2ab + b^2", Eq((a + b) ** 2, a**2 + 2 * a * b + b**2),
          Eq(a**2 + 2 * a * b + b**2, a**2 + b**2)),
    claim(r"~~~math", Eq(d(sp.cos(3 * x), x), -sp.sin(3 * x))),
    claim(r"\sqrt{x^2 + 1} = \frac{1}{2\sqrt{x^2 + 1}}", Eq(d(sp.sqrt(x**2 + 1), x), 1 / (2 * sp.sqrt(x**2 + 1)))),
    claim(r"\tanh(2x) = 2\tanh(x)", Eq(sp.tanh(2 * x), 2 * sp.tanh(x))),
    claim(r"2^{x} = x 2^{x - 1}", Eq(d(2**x, x), x * 2 ** (x - 1))),
    claim(r"> $$\sigma(-x) = \sigma(x) - 1$$", Eq(sig(-x), sig(x) - 1)),
    claim(r"> \frac{d}{dx}\cos x = \sin x", Eq(d(sp.cos(x), x), sp.sin(x))),
    claim(r"> x^2 &= x \cdot x", Eq(x**2, x * x), Eq(x * x, 2 * x)),
    claim(r"> > $$\frac{d}{dx} e^{3x} = e^{3x}$$", Eq(d(sp.exp(3 * x), x), sp.exp(3 * x))),
    claim(r"$$x^2 < 0$$", Design("error", "an inequality is a relation the checker does not judge; "
                                          "it must be reported, not dropped as a one-sided chain")),
    claim(r"x &\approx 2x", Design("error", r"'\approx' is not an equality that can be checked")),
    claim(r"\begin{pmatrix} x \\ y \end{pmatrix}", Design("error", "matrices are not read (symbols are scalars)")),
    # a macro the document defines is expanded as text (bounded, never evaluated): x = x/2 is then a wrong claim
    claim(r"\newcommand{\half}", Eq(x, x / 2)),
    claim(r"$$ \frac{d}{dx} x^2 = x", Design("error", "a $$ that is never closed: the region cannot be delimited")),
]

ALL_WRONG = [
    claim(r"$$\frac{d}{dx} x^3 = 3x$$", Eq(d(x**3, x), 3 * x)),
    claim(r"\[ e^{2x} = 2e^{x} \]", Eq(sp.exp(2 * x), 2 * sp.exp(x))),
    claim(r"\frac{d}{dx}\log(1 + e^{x}) = \frac{1}{1 + e^{x}}", Eq(d(sp.log(1 + sp.exp(x)), x), 1 / (1 + sp.exp(x)))),
    claim(r"\tanh(-x) = \tanh(x)", Eq(sp.tanh(-x), sp.tanh(x))),
    claim(r"\sinh(2x) = 2\sinh(x)", Eq(sp.sinh(2 * x), 2 * sp.sinh(x))),
    claim(r"\frac{d}{dx} \sin(x^2) &= \cos(x^2)", Eq(d(sp.sin(x**2), x), sp.cos(x**2))),
    claim(r"\frac{d}{dx} x^{5} &= 5 x^{5}", Eq(d(x**5, x), 5 * x**5)),
    claim(r"x \cdot x = 2x", Eq(x * x, 2 * x)),
    claim(r"e^{x} + e^{x} = e^{2x}", Eq(2 * sp.exp(x), sp.exp(2 * x))),
    claim(r"x^2 + 2x \\", Eq(x**2 + 2 * x + 1, 1)),
    claim(r"(x+1)^3 = x^3 + 3x^2 \\", Eq((x + 1) ** 3, x**3 + 3 * x**2 + 3 * x + 2)),
    claim(r"2 \cdot 2^{x} &= 4^{x}", Eq(2 * 2**x, 4**x)),
    claim(r"\frac{d}{dx} e^{-x} &= e^{-x}", Eq(d(sp.exp(-x), x), sp.exp(-x))),
    claim(r"\begin{alignat}{2}", Eq(x, 2 * x)),
    claim(r"\begin{alignat*}{3}", Eq(x**2, 3 * x**2)),
    claim(r"x - 1 &=& 1 - x", Eq(x - 1, 1 - x)),
    claim(r"1 + \tanh(x)^2", Eq(d(sp.tanh(x), x), 1 + sp.tanh(x) ** 2)),
    claim(r"\begin{align*}", Eq((x + 1) ** 2, x**2 + 1)),
    claim(r"\frac{d}{dx}\cosh x &= \cosh x", Eq(d(sp.cosh(x), x), sp.cosh(x))),
    claim(r"\cos(x)^2 = 1 + \sin(x)^2", Eq(sp.cos(x) ** 2, 1 + sp.sin(x) ** 2)),
    claim(r"2^{11} = 2024", Eq(sp.Integer(2) ** 11, 2024)),
    claim(r"\frac{d}{dx}\sigma(x) &= \sigma(x)^2", Eq(d(sig(x), x), sig(x) ** 2)),
    claim(r"e^{x+y} & = & e^{x} + e^{y}", Eq(sp.exp(x + y), sp.exp(x) + sp.exp(y))),
    claim(r"\boxed{\frac{d}{dx} x^4 = 4x^4}", Eq(d(x**4, x), 4 * x**4)),
    claim(r"\cos(-x) = -\cos(x) \tag{3}", Eq(sp.cos(-x), -sp.cos(x))),
    claim(r"\frac{d}{dx}\frac{1}{x} = \frac{1}{x^2}", Eq(d(1 / x, x), 1 / x**2)),
    claim(r"\frac{d}{dx} 2^{x} = x 2^{x - 1}", Eq(d(2**x, x), x * 2 ** (x - 1))),
]

TABLES = {"redteam_regions.md": REGIONS, "regions_all_wrong.md": ALL_WRONG}
