"""Every catalog entry, driven by the registry: derivation, proof, numbers, conventions."""

from __future__ import annotations

import pytest
import sympy as sp

from backprop_derive.core.catalog import CATALOG, activations, get
from backprop_derive.core.derivation import derive_entry
from backprop_derive.core.functions import unfold
from backprop_derive.core.prove import prove_equal
from backprop_derive.numeric.mp_derivative import sample_points, worst_discrepancy
from tests.conftest import scalar_cases

NAMES = list(CATALOG)


@pytest.fixture(scope="module", params=NAMES)
def derivation(request):
    return derive_entry(request.param)


def test_every_entry_proves_its_canonical_form(derivation):
    assert derivation.proof.proved, derivation.proof.method
    assert derivation.tree.result == derivation.canonical


def test_last_line_of_the_tree_equals_sympy_diff(derivation):
    """The tree ends in sympy.diff of the entry, under the entry's own (named) assumptions."""
    problem = derivation.problem
    reference = sp.diff(problem.expr, problem.var)
    if not problem.assumptions:
        assert derivation.tree.result == reference
    assert prove_equal(derivation.tree.result, reference, problem.assumptions).proved


def test_raw_derivative_is_the_derivative_of_the_definition(derivation):
    problem = derivation.problem
    from_definition = sp.diff(unfold(problem.expr), problem.var)
    assert prove_equal(derivation.raw, from_definition, problem.assumptions).proved


@pytest.mark.parametrize("name", NAMES)
def test_canonical_form_matches_mpmath_finite_differences(name):
    entry = get(name)
    points = sample_points(5, entry.domain, entry.kinks, seed=len(name))
    for case in scalar_cases(entry):
        worst = worst_discrepancy(case.function, case.claimed, case.var, points, case.fixed)
        assert worst.agrees, f"{case.label}: {worst}"


x = sp.Symbol("x", real=True)
PLANTED = {
    # the note's own mistakes, and near misses
    "sigma' as sigma*sigma": ("sigmoid", lambda f: f**2),
    "tanh' without the 1 -": ("tanh", lambda f: f**2),
    "tanh' as 1/(e^x + e^-x)^2 (factor 4 missing)": ("tanh", lambda f: 1 / (sp.exp(x) + sp.exp(-x)) ** 2),
    "softplus' as softplus": ("softplus", lambda f: f),
    "silu' as sigma": ("silu", lambda f: 1 / (1 + sp.exp(-x))),
    "sigma' off by 1e-9": ("sigmoid", lambda f: sp.diff(f, x) * (1 + sp.Rational(1, 10**9))),
}


@pytest.mark.parametrize("label", list(PLANTED))
def test_planted_wrong_derivative_is_rejected_by_proof_and_by_numbers(label):
    name, wrong_of = PLANTED[label]
    entry = get(name)
    problem = entry.problem()
    wrong = wrong_of(problem.expr)
    raw = sp.diff(unfold(problem.expr), problem.var)
    assert not prove_equal(raw, wrong).proved
    points = sample_points(5, entry.domain, entry.kinks, seed=1)
    assert not worst_discrepancy(problem.expr, wrong, problem.var, points).agrees


@pytest.mark.parametrize("name", activations())
def test_activation_is_a_sympy_function_that_diff_latex_and_lambdify_understand(name):
    import numpy as np

    entry = get(name)
    expr = entry.definition()
    assert sp.latex(expr)
    assert sp.diff(expr, x) == entry.problem().canonical
    f = sp.lambdify(x, expr, modules="numpy")
    g = sp.lambdify(x, unfold(expr), modules=["numpy", "math"] if name == "gelu" else "numpy")
    values = np.array([-2.0, -0.5, 0.7, 3.0])
    expected = np.array([float(g(v)) for v in values])
    np.testing.assert_allclose(f(values), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("name", "value"),
    [("relu", 0), ("leaky_relu", sp.Rational(1, 100)), ("elu", 1)],
)
def test_derivative_at_the_kink_follows_pytorch(name, value):
    derivation = derive_entry(name)
    at_zero = unfold(derivation.canonical).subs(x, 0)
    assert at_zero == value


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sigmoid", lambda s: s * (1 - s)),
        ("tanh", lambda t: 1 - t**2),
    ],
)
def test_canonical_form_is_the_one_backprop_uses(name, expected):
    problem = get(name).problem()
    assert sp.expand(problem.canonical - expected(problem.expr)) == 0


def test_softplus_derivative_is_sigmoid():
    from backprop_derive.core.functions import sigmoid

    assert derive_entry("softplus").canonical == sigmoid(x)


@pytest.mark.parametrize("classes", [None, 2, 3, 5, 10])
def test_softmax_cross_entropy_gradient_is_prediction_minus_label(classes):
    """The note's central derivation, for a symbolic K and concrete K = 2..10."""
    from backprop_derive.core.catalog import k, y, z
    from backprop_derive.core.functions import softmax

    derivation = derive_entry("softmax_cce", classes)
    K = derivation.problem.classes
    assert derivation.proof.proved, derivation.proof.method
    assert derivation.canonical == softmax(z, k, K) - y[k]
    assert any("= 1" in a for a in derivation.proof.assumptions), "the assumption sum y = 1 must be named"


def test_cross_entropy_gradient_without_the_label_assumption_keeps_the_sum():
    """Without Σy = 1 the gradient is ŷ_k Σ_i y_i − y_k, and the tree's raw result says so."""
    from backprop_derive.core.catalog import K, k, y, z
    from backprop_derive.core.functions import softmax

    raw = derive_entry("softmax_cce").raw
    j = sp.Symbol("j", integer=True, positive=True)
    assert prove_equal(raw, softmax(z, k, K) * sp.Sum(y[j], (j, 1, K)) - y[k]).proved
    assert not prove_equal(raw, softmax(z, k, K) - y[k]).proved
