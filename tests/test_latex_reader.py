"""The LaTeX reader: what each notation means, where each error is, and that no input escapes the bounds."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_derive.core import functions as fn
from backprop_derive.verify.document import read_chains
from backprop_derive.verify.latex.names import index_symbol, real_symbol, vector
from backprop_derive.verify.latex.parser import parse_expression
from backprop_derive.verify.latex.tokens import LatexError

x, y, a, b = (real_symbol(n) for n in "xyab")
i, j, k, K = (index_symbol(n) for n in "ijkK")
z, yv, yhat, W = vector("z"), vector("y"), vector("yhat"), vector("W")

READINGS = [
    (r"\frac{1}{1+e^{-x}}", 1 / (1 + sp.exp(-x))),
    (r"\dfrac{a}{b} \cdot 2 \times x", 2 * a * x / b),
    (r"\sigma(-x)", fn.sigmoid(-x)),
    (r"\sigma(x)[1 - \sigma(x)]", fn.sigmoid(x) * (1 - fn.sigmoid(x))),
    (r"\sigma\left(x\right)\left(1-\sigma(x)\right)", fn.sigmoid(x) * (1 - fn.sigmoid(x))),
    (r"\operatorname{ReLU}(x) + \mathrm{ReLU}(y)", fn.relu(x) + fn.relu(y)),
    (r"ReLU(x)", fn.relu(x)),
    (r"\operatorname{softplus}(x)", fn.softplus(x)),
    (r"\operatorname{LeakyReLU}(x)", fn.leaky_relu(x)),
    (r"\tanh^2(x) + \tanh x", sp.tanh(x) ** 2 + sp.tanh(x)),
    (r"\sinh x \cosh x \arctan x", sp.sinh(x) * sp.cosh(x) * sp.atan(x)),
    (r"\exp(x) + e^{x} + \mathrm{e}^{2}", 2 * sp.exp(x) + sp.exp(2)),
    (r"\log x + \ln y", sp.log(x) + sp.log(y)),
    (r"\sqrt{x} + \sqrt[3]{y}", sp.sqrt(x) + sp.root(y, 3)),
    (r"|x| + \max(0, x)", sp.Abs(x) + sp.Max(0, x)),
    (r"2x(1-x)", 2 * x * (1 - x)),
    (r"x^23", 3 * x**2),
    (r"\frac12", sp.Rational(1, 2)),
    (r"0.000000001", sp.Rational(1, 10**9)),
    (r"z_1 - z_{1} + W_3", W[3]),
    (r"\hat{y}_i - y_i", yhat[i] - yv[i]),
    (r"\delta_{ik}", sp.KroneckerDelta(i, k)),
    (r"\sigma'(x)", fn.sigmoid(x) * (1 - fn.sigmoid(x))),
    (r"\operatorname{softmax}(z)_i", fn.softmax(z, i, K)),
    (r"\frac{d}{dx} x^2 + 1", sp.Derivative(x**2, x) + 1),
    (r"\frac{\partial}{\partial z_i} e^{z_i} z_j", sp.Derivative(sp.exp(z[i]) * z[j], z[i])),
    (r"\frac{d\sigma(x)}{dx}", sp.Derivative(fn.sigmoid(x), x)),
    (r"\frac{d^2}{dx^2} x^3", sp.Derivative(x**3, x, x)),
    (r"\frac{\partial^2}{\partial x \partial y} x y", sp.Derivative(x * y, x, y)),
    (r"\sum_{i=1}^{K} y_i", sp.Sum(yv[i], (i, 1, K))),
    (r"\sum_{j=1}^{3} e^{z_j} + 1", sp.Sum(sp.exp(z[j]), (j, 1, 3)) + 1),
    (r"\frac{e^{z_i}}{\sum_j e^{z_j}}", sp.exp(z[i]) / sp.Sum(sp.exp(z[j]), (j, 1, K))),
    (r"\begin{cases} 0 & x < 0 \\ x & \text{otherwise} \end{cases}", sp.Piecewise((0, x < 0), (x, True))),
    (r"\begin{cases} 1, & \text{if } x \ge 0 \\ 0, & x < 0 \end{cases}", sp.Piecewise((1, x >= 0), (0, x < 0))),
    # a word that joins a row to the next ("if x \ge 0, and"): punctuation (Stan's documentation writes it so)
    (r"\begin{cases} 1 & \text{ if } x \ge 0, \text{ and} \\ 0 & \text{ if } x < 0. \end{cases}",
     sp.Piecewise((1, x >= 0), (0, x < 0))),
    (r"- - x", x),
    (r"\mathbf{z}_1", z[1]),
    (r"2e + 1.5e^{x} + 2e - 1", 4 * sp.E + sp.Rational(3, 2) * sp.exp(x) - 1),
    (r"2 e3 + 2ex", 6 * sp.E + 2 * sp.E * x),
]


@pytest.mark.parametrize(("latex", "expected"), READINGS, ids=[r[0] for r in READINGS])
def test_reads_notation_as_the_math_it_means(latex, expected):
    assert parse_expression(latex) == expected


def test_symbols_are_real_and_a_scalar_is_not_the_vector_of_the_same_name():
    read = parse_expression(r"x + z + z_1")
    assert all(s.is_real for s in read.free_symbols if s.name in ("x", "z"))
    assert read.xreplace({real_symbol("z"): 0}) == x + z[1]


ERRORS = [
    (r"\frac{1}{(e^{x} + e^{-x})^{2}", 9, "never closed"),
    (r"(hax/0, x)", 1, "tuple"),
    (r"x^{9^{9^{9}}}", 5, "digits"),
    (r"10^{10^{10}}", 3, "digits"),
    (r"x^{100000}", 2, "exponent"),
    (r"1 + \input{x}", 5, r"unknown command \input"),
    (r"\def\x{1}", 1, r"unknown command \def"),
    (r"\write18{rm -rf}", 1, r"unknown command \write"),
    ("x + \x00\x01", 5, "unexpected character"),
    (r"\frac{\partial L}{\partial W_3}", 16, "derivative of the name L"),
    (r"A^T", 2, "transpose"),
    (r"\operatorname{foo}(x)", 1, "unknown name"),
    (r"x = y", 3, "unexpected"),
    (r"\frac{d}{dx}", 1, "applied to nothing"),
    (r"1/0", 1, "undefined"),
    (r"\int x", 1, "integrals"),
    ("", 1, "empty"),
    ("{" * 60 + "x" + "}" * 60, 41, "nested"),
    ("-" * 3000 + "x", 40, "signs"),
    ("x" * 5000, 1, "longer than"),
    (r"x + 1.0e3", 5, r"'1.0e3' looks like scientific notation, which LaTeX does not have: write 1.0 \cdot 10^{3}"),
    (r"\frac{1}{2E-5}", 10, r"write 2 \cdot 10^{-5}"),
    (r"x_1e+3", 3, r"write 1 \cdot 10^{3}"),
    # code's indexing after an application, or a product? not chosen (σ(x)[1 - σ(x)] is a product, READINGS)
    (r"\tanh(x)[2]", 9, r"the element 2 of \tanh(…), as code indexes, or a product?"),
    (r"f(x)[k]", 5, "as code indexes, or a product?"),
]


@pytest.mark.parametrize(("latex", "column", "words"), ERRORS, ids=[e[2] for e in ERRORS])
def test_unreadable_input_is_one_error_with_its_column(latex, column, words):
    with pytest.raises(LatexError) as caught:
        parse_expression(latex)
    assert caught.value.column == column
    assert words in caught.value.message


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"x2^_{}()[]|+-*/=,&' \\", r"\frac", r"\sum", r"\sigma", r"\left(", "e"]),
                max_size=40).map("".join))
def test_any_junk_is_read_or_rejected_with_a_latex_error(text):
    try:
        result = parse_expression(text)
    except LatexError:
        return
    assert isinstance(result, sp.Expr)


def test_chains_come_from_display_math_with_continuations_and_assumptions():
    text = "\n".join([
        "Prose with $a = b$ inline is ignored.",
        "% assume: y_1 + y_2 = 1",
        r"$$\frac{d}{dx} x^2 = 2x$$",
        "some prose",
        r"$$= x + x.$$",
        r"\begin{align*}",
        r"f &= \begin{cases} 1 & x = 0 \\ 2 & x > 0 \end{cases} \\",
        r"  &= g \label{eq:g} \\",
        r"u &= v",
        r"\end{align*}",
        r"\[ \frac{1}{x} = x^{-1 \]",
        r"$$ \text{a lone expression} $$",
    ])
    chains = read_chains(text)
    assert [c.source for c in chains] == [
        r"\frac{d}{dx} x^2 = 2x",
        "2x = x + x",  # the next display goes on from the last side, as a chain of its own region
        r"f = \begin{cases} 1 & x = 0 \\ 2 & x > 0 \end{cases} = g",
        "u = v",
        r"\frac{1}{x} = x^{-1",
    ]
    assert [c.line for c in chains] == [3, 5, 7, 9, 11]
    assert [c.region for c in chains[:2]] == [0, 1]
    assert [a.text for a in chains[0].assumptions] == ["y_1 + y_2 = 1"]
    continued = chains[1].sides[-1]
    assert (continued.line, continued.column, continued.text) == (5, 5, "x + x")
    assert continued.position(3) == (5, 7)


def test_a_block_that_is_never_closed_or_continues_nothing_is_a_problem_chain():
    chains = read_chains("$$= x$$\n\n$$ x = 1")
    assert [c.problem is not None for c in chains] == [True, True]
    assert "no earlier block" in chains[0].problem
    assert "never closed" in chains[1].problem


X = real_symbol("x")
NOTATION = [
    (r"\coth x", sp.coth(X)), (r"\operatorname{sech} x", sp.sech(X)), (r"\operatorname{csch}(x)", sp.csch(X)),
    (r"\arcsin x", sp.asin(X)), (r"\arccos x", sp.acos(X)), (r"\operatorname{artanh} x", sp.atanh(X)),
    (r"\cot x", sp.cot(X)), (r"\sec x", sp.sec(X)), (r"\csc x", sp.csc(X)), (r"\lg x", sp.log(X, 10)),
    (r"\cfrac{1}{x}", 1 / X), (r"\mleft(x\mright)", X), (r"\color{red}{x^2}", X**2),
    (r"\underbrace{x \cdot x}_{\text{twice}}", X**2), (r"\sin x \cos x", sp.sin(X) * sp.cos(X)),
]


@pytest.mark.parametrize(("latex", "expected"), NOTATION, ids=[n[0] for n in NOTATION])
def test_reads_the_notation_people_use(latex, expected):
    assert parse_expression(latex) == expected


def test_an_elided_sum_is_read_as_the_sum_its_first_and_last_terms_spell():
    n = index_symbol("n")
    got = parse_expression(r"x_1 + x_2 + \cdots + x_n")
    (variable, low, high), = got.limits
    assert (got.function.xreplace({variable: k}), low, high) == (vector("x")[k], 1, n)
    # the index that runs is the one the last term has where the first has a number; others stay
    got = parse_expression(r"a_{1i} + \dots + a_{ji}")
    (variable, low, high), = got.limits
    assert (got.function.xreplace({variable: k}), low, high) == (vector("a")[k, i], 1, j)
    # a second term that does not follow (x_3 after x_1), or a first term of another name: no guess
    for text in (r"x_1 + x_3 + \cdots + x_n", r"a_1 + \dots + b_j", r"1 + \dots + n"):
        with pytest.raises(LatexError, match="elided sum"):
            parse_expression(text)
