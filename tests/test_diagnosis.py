"""The diagnosis of a wrong step: each kind found on a planted mistake, and not given to a near miss."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from backprop_derive.core import catalog
from backprop_derive.verify.diagnosis import KINDS, Diagnosis, diagnose
from backprop_derive.verify.latex.parser import parse_expression


def diagnosis_of(lhs: str, rhs: str, points=None) -> Diagnosis | None:
    return diagnose(parse_expression(lhs), parse_expression(rhs), points)


PLANTED = [
    # constant_factor
    (r"\frac{d}{dx}\tanh(x)", r"\frac{1}{(e^{x}+e^{-x})^{2}}", "constant_factor",
     "1/4 of the left: a factor 4 is missing"),
    (r"x^2", r"2 x^2", "constant_factor", "2 times the left"),
    (r"\frac{d}{dx} x^3", r"x^2", "constant_factor", "a factor 3 is missing"),
    (r"x^2", r"1.0000001 x^2", "constant_factor", "10000001/10000000 times"),
    # sign
    (r"\sin(x)", r"-\sin(x)", "sign", "the negative of the left"),
    (r"\frac{d}{dx}(x^2+\sin(x))", r"2x - \cos(x)", "sign", "the term cos(x)"),
    # additive_constant
    (r"x^2+1", r"x^2+3", "additive_constant", "plus the constant 2"),
    (r"\frac{d}{dx}\sigma(x)", r"\sigma(x)(1-\sigma(x)) + \pi", "additive_constant", "plus the constant pi"),
    # dropped_inner_derivative
    (r"\frac{d}{dx}\sin(x^2)", r"\cos(x^2)", "dropped_inner_derivative", "d/dx(x²) = 2·x"),
    (r"\frac{d}{dx}\sigma(3x)", r"\sigma(3x)(1-\sigma(3x))", "dropped_inner_derivative", "= 3 is missing"),
    (r"\frac{d}{dx}(x^2+1)^3", r"3(x^2+1)^2", "dropped_inner_derivative", "= 2·x"),
    (r"\frac{d}{dx}\sin(\cos(x^2))", r"-\cos(\cos(x^2))\sin(x^2)", "dropped_inner_derivative", "d/dx(x²)"),
    (r"\frac{d}{dx} f(g(x))", r"f'(g(x))", "dropped_inner_derivative", "d/dx(g(x))"),
    # swapped_indices
    (r"x_i y_j", r"x_j y_i", "swapped_indices", "the indices i and j"),
    (r"a_{ij} b_{j}", r"a_{ji} b_{j}", "swapped_indices", "a_(j,i) where the left has a_(i,j)"),
    # dropped_term
    (r"\frac{d}{dx}(x^2+\sin(x))", r"2x", "dropped_term", "the term cos(x)"),
    (r"(x+1)(x+2)", r"x^2 + 3x", "dropped_term", "the term 2"),
    (r"x^3 + \tanh(x) + e^{x}", r"x^3 + e^{x}", "dropped_term", "the term tanh(x)"),
    # extra_term, term_factor: one term of the right side added or scaled
    (r"\frac{d}{dx}(x^2+\sin(x))", r"2x + \cos(x) + x", "term_factor", "written as 2·x"),
    (r"\frac{d}{dx}\left(\frac{x^2}{2} + \sin x\right)", r"2x + \cos x", "term_factor", "the term 2·x"),
    (r"\frac{d}{dx}(x^3 + \sin(x))", r"3x^2 + \cos(x) + \tanh(x)", "extra_term", "the term tanh(x)"),
    # wrong_power
    (r"\frac{d}{dx} x^3", r"3x^3", "wrong_power", "a power of x is 1 too high"),
    (r"\frac{d}{dx} (1+x^2)^{-1}", r"-2x(1+x^2)^{-1}", "wrong_power", "a power of (1 + x²) is 1 too high"),
    # known_mistake
    (r"\frac{d}{dx}\sigma(x)", r"\sigma(x)\sigma(x)", "known_mistake", "sigmoid' written as"),
    (r"\frac{d}{dx}\sigma(x)", r"\sigma(x)(1+\sigma(x))", "known_mistake", "sigmoid'"),
    (r"\frac{d}{dx}\sigma(x)", r"\frac{e^{-x}}{1+e^{-x}}", "known_mistake", r"1-\sigma(x)"),
    (r"\frac{d}{dx}\tanh(x)", r"1+\tanh^{2}(x)", "known_mistake", "tanh'"),
    (r"\frac{d}{dx}\tanh(x)", r"1-\tanh(x)", "known_mistake", "the square is missing"),
    (r"\frac{d}{dx}\operatorname{ReLU}(x)", r"\operatorname{ReLU}(x)", "known_mistake", "relu'"),
    (r"\frac{d}{dx}\operatorname{softplus}(x)", r"\operatorname{softplus}(x)", "known_mistake", "softplus'"),
    (r"\frac{d}{dx}\sigma(2x)", r"2\sigma(2x)\sigma(2x)", "known_mistake", "sigmoid'"),
    (r"\frac{d}{dx}\sigma(2x)", r"\sigma(2x)\sigma(2x)", "known_mistake", "the inner derivative 2 is missing too"),
    (r"\frac{\partial}{\partial z_k}\operatorname{softmax}(z)_i",
     r"\operatorname{softmax}(z)_i(1-\operatorname{softmax}(z)_i)", "known_mistake", "a Kronecker delta is missing"),
    # other
    (r"x^2", r"\cos(x)", "other", "none of the known kinds"),
]


@pytest.mark.parametrize(("lhs", "rhs", "kind", "words"), PLANTED, ids=[f"{k}:{r}" for _, r, k, _ in PLANTED])
def test_a_planted_mistake_gets_its_kind(lhs, rhs, kind, words):
    found = diagnosis_of(lhs, rhs)
    assert found is not None and found.kind == kind, found
    assert words in found.text
    if kind != "other":
        assert "proved (" in found.text or "checked numerically at" in found.text


def test_every_kind_is_planted():
    assert {kind for _, _, kind, _ in PLANTED} == set(KINDS)


NEAR_MISSES = [
    (r"x^2", r"1.0000001 x^2 + x", "constant_factor"),
    (r"x^2", r"x^2 + 10^{-20} x", "constant_factor"),
    (r"x^2+1", r"x^2+3 + 10^{-20} x", "additive_constant"),
    (r"\sin(x)", r"-\sin(x) + 10^{-20}", "sign"),
    (r"\frac{d}{dx}\sin(x^2)", r"\cos(x^2) + x", "dropped_inner_derivative"),
    (r"\frac{d}{dx}\sin(x^2)", r"x \cos(x^2)", "dropped_inner_derivative"),
    (r"x_i y_j", r"x_j y_i + x_i", "swapped_indices"),
    (r"\frac{d}{dx}(x^2+\sin(x))", r"2.0000001 x", "dropped_term"),
    (r"\frac{d}{dx}\sigma(x)", r"\sigma(x)\sigma(x) + 10^{-20}", "known_mistake"),
    (r"\frac{d}{dx}\tanh(x)", r"1+\tanh^{2}(2x)", "known_mistake"),
    (r"\frac{d}{dx}\sin(x)", r"\sigma(x)\sigma(x)", "known_mistake"),
]


@pytest.mark.parametrize(("lhs", "rhs", "kind"), NEAR_MISSES, ids=[f"not-{k}:{r}" for _, r, k in NEAR_MISSES])
def test_a_near_miss_does_not_get_the_kind(lhs, rhs, kind):
    found = diagnosis_of(lhs, rhs)
    assert found is not None and found.kind != kind, found


CORRECT = [
    (r"\frac{d}{dx}\sigma(x)", r"\sigma(x)(1-\sigma(x))"),
    (r"\frac{d}{dx}\tanh(x)", r"\frac{4}{(e^{x}+e^{-x})^{2}}"),
    (r"\frac{d}{dx}\sin(x^2)", r"2x\cos(x^2)"),
    (r"\frac{\partial}{\partial z_k}\operatorname{softmax}(z)_i",
     r"\operatorname{softmax}(z)_k(\delta_{ik}-\operatorname{softmax}(z)_i)"),
    (r"\frac{d}{dx} f(g(x))", r"f'(g(x)) g'(x)"),
]


@pytest.mark.parametrize(("lhs", "rhs"), CORRECT)
def test_a_correct_step_gets_no_diagnosis(lhs, rhs):
    assert diagnosis_of(lhs, rhs) is None


def test_the_seed_notes_slips():
    tanh = diagnosis_of(r"\frac{d}{dx}\tanh(x)", r"\frac{1}{(e^{x}+e^{-x})^{2}}")
    assert tanh.kind == "constant_factor" and "a factor 4 is missing" in tanh.text
    sigma = diagnosis_of(r"\frac{d}{dx}\sigma(x)", r"\sigma(x)\sigma(x)")
    assert sigma.kind == "known_mistake"


def test_supplied_points_are_used_first():
    x = sp.Symbol("x", real=True)
    found = diagnosis_of(r"x^2", r"3 x^2", [{x: sp.Rational(1, 3)}, {x: "0.75"}, {x: -2}])
    assert found.kind == "constant_factor" and "3 times the left" in found.text


def test_the_cross_entropy_gradient_without_labels_summing_to_one():
    z, y, k, K = catalog.z, catalog.y, catalog.k, catalog.K
    from backprop_derive.core import functions as fn

    lhs = sp.Derivative(fn.softmax_cce(z, y, K), z[k])
    found = diagnose(lhs, fn.softmax(z, k, K) - y[k])
    assert found.kind == "known_mistake" and "labels sum to 1" in found.text


def test_a_diagnosis_is_a_frozen_pair():
    found = diagnosis_of(r"\sin(x)", r"-\sin(x)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.kind = "other"


def _application(entry: catalog.Entry):
    """The entry applied to the catalog's symbols, the variable of its derivative, and a slip's arguments:
    the application's own arguments (parameters such as T or δ included), then the index k if any."""
    problem = entry.problem()
    index = (problem.index,) if problem.index is not None else ()
    return problem.expr, problem.var, (*problem.expr.args, *index)


SLIPS = [(entry, slip) for entry in catalog.CATALOG.values() for slip in entry.slips]


@pytest.mark.parametrize(("entry", "slip"), SLIPS, ids=[f"{e.name}:{s.latex}" for e, s in SLIPS])
def test_every_catalog_slip_reads_as_declared_and_is_diagnosed(entry, slip):
    applied, var, args = _application(entry)
    built = slip.build(*args)
    assert sp.sstr(sp.expand(parse_expression(slip.latex))) == sp.sstr(sp.expand(built))  # same up to assumptions
    found = diagnose(sp.Derivative(applied, var), built)
    assert found is not None and found.kind == "known_mistake" and entry.name in found.text, found


def test_the_catalog_declares_the_issues_slips():
    assert {"sigmoid", "tanh", "relu", "softplus", "softmax_cce"} <= {e.name for e, _ in SLIPS}
