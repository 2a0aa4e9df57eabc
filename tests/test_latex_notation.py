r"""Notation that real derivations use, one class per test: the reading, and a planted-wrong variant that must
be judged ``not_equal`` (notation read wrongly must never make a wrong step equal).

Adding a rule: one entry in the table the module docstring of :mod:`backprop_derive.verify.latex.tokens` names, and
one test here.
"""

from __future__ import annotations

import pytest
import sympy as sp

from backprop_derive.verify import verify_text
from backprop_derive.verify.latex.macros import expand
from backprop_derive.verify.latex.names import index_symbol, real_symbol, vector
from backprop_derive.verify.latex.parser import parse_expression
from backprop_derive.verify.latex.tokens import LatexError

i, j, k, n, K = (index_symbol(s) for s in "ijknK")


def verdicts(text: str) -> list[list[str]]:
    return [[step.verdict for step in chain.steps] for chain in verify_text(text).chains]


def same(a: sp.Expr, b: sp.Expr) -> bool:
    """Equal up to the names of summation dummies (each read as k)."""
    return a.xreplace({d: k for d in a.atoms(sp.Dummy)}) == b.xreplace({d: k for d in b.atoms(sp.Dummy)})


# ------------------------------------------------------------------ tokens.NEGATED


def test_not_before_a_relation_is_its_negation():
    assert expand(r"i \not= k") == r"i \ne   k"
    assert expand(r"i \not\equiv k") == r"i \ne        k"
    doc = "% assume: i \\not= k\n\n$$\\frac{\\partial}{\\partial z_k} z_i = RHS$$\n"
    assert verdicts(doc.replace("RHS", "0")) == [["equal"]]
    assert verdicts(doc.replace("RHS", "1")) == [["not_equal"]]
    with pytest.raises(LatexError, match="only a relation"):
        parse_expression(r"\not x")


# ------------------------------------------------------------------ tokens.FONT_SWITCHES, names.DECORATIONS


@pytest.mark.parametrize("latex", [r"\cal C", r"{\cal C}", r"\mathcal{C}"])
def test_an_old_font_switch_names_the_letter_as_the_command_does(latex):
    assert parse_expression(latex) == real_symbol("Ccal")
    assert parse_expression(latex + " - C") != 0


def test_cal_c_is_a_name_of_its_own_in_a_step():
    assert verdicts("$${\\cal C} + {\\cal C} = 2 \\mathcal{C}$$\n") == [["equal"]]
    assert verdicts("$${\\cal C} + {\\cal C} = 3 \\mathcal{C}$$\n") == [["not_equal"]]
    assert verdicts("$${\\cal C} + {\\cal C} = 2 C$$\n") != [["equal"]]  # C is another name


def test_dot_and_other_accents_are_names_of_their_own():
    assert parse_expression(r"\dot{x}") == real_symbol("xdot")
    assert parse_expression(r"\ddot{x} + \overline{x}") == real_symbol("xddot") + real_symbol("xbar")
    assert verdicts("$$\\dot{x} \\cdot 2 = \\dot{x} + \\dot{x}$$\n") == [["equal"]]
    assert verdicts("$$\\dot{x} \\cdot 2 = x + \\dot{x}$$\n") == [["not_equal"]]


def test_a_hat_over_a_letter_and_its_subscript_is_the_hat_of_the_letter():
    assert parse_expression(r"\hat{y_i}") == parse_expression(r"\hat{y}_i") == vector("yhat")[i]
    assert verdicts("$$\\hat{y_j} - y_j = \\hat{y}_j - y_j$$\n") == [["equal"]]
    assert verdicts("$$\\hat{y_j} - y_j = \\hat{y}_i - y_j$$\n") == [["not_equal"]]


# ------------------------------------------------------------------ tokens.ALIASES (dots)


@pytest.mark.parametrize("dots", [r"\dotsi", r"\dotsb", r"\dotsc", r"\cdots", r"\ldots", r"\dots"])
def test_every_kind_of_dots_elides_a_sum(dots):
    got = parse_expression(f"a_1 + a_2 + {dots} + a_n")
    assert same(got, sp.Sum(vector("a")[k], (k, 1, n)))


def test_an_elided_sum_planted_wrong_is_not_equal():
    assert verdicts("$$a_1 + \\dotsi + a_n = \\sum_{k=1}^{n} a_k$$\n") == [["equal"]]
    assert verdicts("$$a_1 + \\dotsi + a_n = \\sum_{k=1}^{n} a_k^2$$\n") == [["not_equal"]]


# ------------------------------------------------------------------ names.FUNCTIONS (log-sum-exp)


@pytest.mark.parametrize("latex", [r"\operatorname{logsumexp}(z)", r"\mathrm{LSE}(z)", r"\mbox{log\_sum\_exp}(z)"])
def test_log_sum_exp_is_log_of_the_sum_of_exponentials(latex):
    assert same(parse_expression(latex), sp.log(sp.Sum(sp.exp(vector("z")[k]), (k, 1, K))))


def test_log_sum_exp_planted_wrong_is_not_equal():
    doc = "% assume: K = 3\n\n$$\\operatorname{LSE}(z) = \\log \\sum_{k=1}^{3} RHS$$\n"
    assert verdicts(doc.replace("RHS", "e^{z_k}")) == [["equal"]]
    assert verdicts(doc.replace("RHS", "z_k")) == [["not_equal"]]
    with pytest.raises(LatexError, match="vector name"):
        parse_expression(r"\operatorname{LSE}(z_1)")


# ------------------------------------------------------------------ \sum with an implied index (constructs)


def test_a_sum_with_its_range_implied_is_over_its_index():
    for latex in (r"\sum_i z_i", r"\sum_{i} z_i", r"\sum\limits_i z_i"):
        assert parse_expression(latex) == sp.Sum(vector("z")[i], (i, 1, K))


def test_a_sum_without_an_index_runs_over_the_one_index_written_nowhere_else():
    x = vector("x")
    d = index_symbol("d")
    assert parse_expression(r"\sum t_i") == sp.Sum(vector("t")[i], (i, 1, K))
    assert parse_expression(r"\frac{e^{x_i}}{\sum e^{x_d}}") == sp.exp(x[i]) / sp.Sum(sp.exp(x[d]), (d, 1, K))
    assert parse_expression(r"\sum_i \sum w_{ij}") == sp.Sum(sp.Sum(vector("w")[i, j], (j, 1, K)), (i, 1, K))
    for ambiguous in (r"\sum w_{ij}", r"\sum x", r"\sum \sum w_{ij}"):
        with pytest.raises(LatexError, match="without an index"):
            parse_expression(ambiguous)


def test_a_sum_without_an_index_in_a_step():
    assert verdicts("$$\\sum t_i + \\sum t_j = 2 \\sum_k t_k$$\n") == [["equal"]]
    assert verdicts("$$\\sum t_i + \\sum t_j = 3 \\sum_k t_k$$\n") == [["not_equal"]]
    # the index the sum runs over is written on the other side: no guess
    assert verdicts("$$t_i = \\sum t_i$$\n") == [["error"]]


# ------------------------------------------------------------------ names.DELIMITED (norms, inner products)


def test_a_norm_and_an_inner_product_are_over_the_vectors_named_inside():
    x, u, v = vector("x"), vector("u"), vector("v")
    assert same(parse_expression(r"\|x\|^2"), sp.Sum(x[k] ** 2, (k, 1, K)))
    assert same(parse_expression(r"\lVert x \rVert_2"), sp.sqrt(sp.Sum(x[k] ** 2, (k, 1, K))))
    assert same(parse_expression(r"\|x\|_1"), sp.Sum(sp.Abs(x[k]), (k, 1, K)))
    assert same(parse_expression(r"\langle u, v \rangle"), sp.Sum(u[k] * v[k], (k, 1, K)))
    assert same(parse_expression(r"2\|u - v\| \|u\|"), 2 * sp.sqrt(sp.Sum((u[k] - v[k]) ** 2, (k, 1, K)))
                * sp.sqrt(sp.Sum(u[k] ** 2, (k, 1, K))))
    for wrong in (r"\|x_i\|", r"\|2\|", r"\langle u \rangle"):
        with pytest.raises(LatexError):
            parse_expression(wrong)


def test_a_norm_in_a_step():
    doc = "% assume: K = 2\n\n$$\\|x\\|^2 = \\langle x, x \\rangle = RHS$$\n"
    assert verdicts(doc.replace("RHS", "x_1^2 + x_2^2")) == [["equal", "equal"]]
    assert verdicts(doc.replace("RHS", "x_1^2 + x_2")) == [["equal", "not_equal"]]
    assert verdicts("$$\\|x\\|^2 = x^2$$\n") != [["equal"]]  # a vector's norm is never a scalar's square


# ------------------------------------------------------------------ names.LAYER_LABELS (δ of a layer)


def test_a_delta_with_a_layer_label_is_the_layers_error_not_kronecker():
    layer = vector("delta^{l}")
    assert parse_expression(r"\delta^l_j") == parse_expression(r"\delta_j^l") == layer[j]
    assert parse_expression(r"\delta_j^{\ell}") == vector("delta^{\\ell}")[j]
    assert parse_expression(r"\delta_{ij}") == sp.KroneckerDelta(i, j)
    assert verdicts("$$\\delta_j^l w = w \\delta^l_j$$\n") == [["equal"]]
    assert verdicts("$$\\delta_j^l w = w \\delta^l_k$$\n") == [["not_equal"]]


# ------------------------------------------------------------------ document.BETWEEN (\therefore, \because)


@pytest.mark.parametrize("between", [r"\therefore", r"\because"])
def test_therefore_and_because_separate_equations(between):
    assert verdicts(f"$$x + x = 2x {between} 3x = x + 2x$$\n") == [["equal"], ["equal"]]
    assert verdicts(f"$$x + x = 2x {between} 3x = x + x$$\n") == [["equal"], ["not_equal"]]


# ------------------------------------------------------------------ macros.DEFINITIONS


def test_a_documents_macros_are_expanded_before_reading():
    doc = ("$$\\newcommand{\\pd}[2]{\\frac{\\partial #1}{\\partial #2}} \\def\\sig{\\sigma}$$\n\n"
           "$$\\pd{}{x} \\sig(x) = \\sig(x)(1 - \\sig(x))$$\n\n"
           "$$\\pd{}{x} \\sig(x) = \\sig(x)(1 + \\sig(x))$$\n")
    assert [v for v in verdicts(doc) if v] == [["equal"], ["not_equal"]]
    definition = "\\newcommand{\\R}{\\mathbb{R}}"
    assert expand(definition + "\nx \\in \\R") == " " * len(definition) + "\nx \\in \\mathbb{R}"
    assert expand("\\DeclareMathOperator{\\LSE}{LSE} \\LSE(z)").strip() == "\\operatorname{LSE}(z)"


def test_a_macro_that_uses_itself_stops():
    text = expand("\\def\\loop{\\loop x} $\\loop$")
    assert len(text) < 100_000 + 300 and "\\loop" in text
    text = expand("\\newcommand{\\two}{\\two\\two} $\\two$")
    assert len(text) <= 300_000
