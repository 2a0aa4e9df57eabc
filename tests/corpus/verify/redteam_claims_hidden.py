"""Hand encodings of ``redteam_hidden.md`` and ``redteam_hidden.tex``: each display a CommonMark reader (or TeX)
shows, decided as the claim it writes; the controls after a real comment or fence are the displays after them."""

from __future__ import annotations

import sympy as sp
from redteam_check import Eq, claim

x, y = sp.symbols("x y", real=True)
d, exp, log, sin, cos = sp.diff, sp.exp, sp.log, sp.sin, sp.cos


def sig(u):
    return 1 / (1 + exp(-u))


HIDDEN_MD = [
    # comment openers that open nothing
    claim(r"\frac{d}{dx} x^3 = 3x$$", Eq(d(x**3, x), 3 * x)),
    claim(r"\frac{d}{dx} e^{2x} = e^{2x}", Eq(d(exp(2 * x), x), exp(2 * x))),
    claim(r"\frac{d}{dx} \sin x = -\cos x", Eq(d(sin(x), x), -cos(x))),
    claim(r"x^2 - 1 = (x - 1)^2", Eq(x**2 - 1, (x - 1) ** 2)),
    claim(r"\frac{d}{dx} \log x = \log x", Eq(d(log(x), x), log(x), keep=lambda p: p[x] > 0)),
    claim(r"\frac{d}{dx} x^2 = x$$", Eq(d(x**2, x), x)),
    claim(r"\frac{d}{dx} \cos x = \sin x", Eq(d(cos(x), x), sin(x))),
    claim(r"\tanh(0) = 1", Eq(sp.tanh(0), 1)),
    # fences closed by longer fences
    claim(r"\frac{d}{dx} x^4 = 4x^4", Eq(d(x**4, x), 4 * x**4)),
    claim(r"e^{x + y} = e^{x} + e^{y}", Eq(exp(x + y), exp(x) + exp(y))),
    claim(r"(x + y)^2 = x^2 + y^2", Eq((x + y) ** 2, x**2 + y**2)),
    # lines that look like fences
    claim(r"\frac{d}{dx} \sigma(x) = \sigma(x)^2", Eq(d(sig(x), x), sig(x) ** 2)),
    claim(r"\sin(2x) = 2\cos x", Eq(sin(2 * x), 2 * cos(x))),
    claim(r"\cosh(x) = \cosh(-x) + 1", Eq(sp.cosh(x), sp.cosh(-x) + 1)),
    # fences inside containers
    claim(r"\frac{d}{dx} x^5 = 5x^5", Eq(d(x**5, x), 5 * x**5)),
    claim(r"\frac{d}{dx} \tan x = \tan(x)^2", Eq(d(sp.tan(x), x), sp.tan(x) ** 2)),
    claim(r"\log(x y) = \log x \log y", Eq(log(x * y), log(x) * log(y), keep=lambda p: p[x] > 0 and p[y] > 0)),
    # code spans
    claim(r"\frac{d}{dx} x^{-1} = x^{-2}", Eq(d(1 / x, x), x**-2)),
    claim(r"\frac{d}{dx} \sqrt{x} = \frac{1}{\sqrt{x}}", Eq(d(sp.sqrt(x), x), 1 / sp.sqrt(x),
                                                             keep=lambda p: p[x] > 0)),
    claim(r"\frac{d}{dx} 2^x = 2^x", Eq(d(2**x, x), 2**x)),
    claim(r"e^{2\log x} = 2x", Eq(exp(2 * log(x)), 2 * x, keep=lambda p: p[x] > 0)),
    claim(r"\frac{d}{dx} \frac{x}{2} = 2", Eq(d(x / 2, x), 2)),
    # controls: the displays after a real comment, a closed fence, a code span and an inline comment
    claim(r"\frac{d}{dx} x^2 = 2x$$", Eq(d(x**2, x), 2 * x)),
    claim(r"\frac{d}{dx} e^{x} = e^{x}$$", Eq(d(exp(x), x), exp(x))),
    claim(r"\frac{d}{dx} \sin x = \cos x$$", Eq(d(sin(x), x), cos(x))),
]

HIDDEN_TEX = [
    claim(r"\frac{d}{dx} x^3 = 3x \]", Eq(d(x**3, x), 3 * x)),
    claim(r"\frac{d}{dx} e^{2x} = e^{2x}", Eq(d(exp(2 * x), x), exp(2 * x))),
    claim(r"\frac{d}{dx} \sin x = -\cos x", Eq(d(sin(x), x), -cos(x))),
    claim(r"x^2 - 1 = (x - 1)^2", Eq(x**2 - 1, (x - 1) ** 2)),
    claim(r"\frac{d}{dx} \log x = \log x", Eq(d(log(x), x), log(x), keep=lambda p: p[x] > 0)),
    claim(r"\frac{d}{dx} x^2 = x \]", Eq(d(x**2, x), x)),
    claim(r"\frac{d}{dx} \cos x = \sin x", Eq(d(cos(x), x), sin(x))),
    claim(r"\tanh(0) = 1", Eq(sp.tanh(0), 1)),
    claim(r"\frac{d}{dx} x^6 = 6x^6", Eq(d(x**6, x), 6 * x**6)),
    claim(r"\frac{d}{dx} e^{-x} = e^{-x}", Eq(d(exp(-x), x), exp(-x))),
    claim(r"\frac{d}{dx} x^2 = 2x \]", Eq(d(x**2, x), 2 * x)),
]

TABLES = {"redteam_hidden.md": HIDDEN_MD, "redteam_hidden.tex": HIDDEN_TEX}
