"""Step trees: every tree ends in sympy.diff, every inner step is itself right, rules are named."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_derive.core import functions as fn
from backprop_derive.core.catalog import activations, get
from backprop_derive.core.prove import prove_equal
from backprop_derive.core.steps import Chain, Rewrite, Step, Unknown, differentiate

x = sp.Symbol("x", real=True)

UNARY = [get(name).function for name in activations()] + [sp.exp, sp.sin, sp.tanh, sp.atan]
BINARY = [sp.Add, sp.Mul, lambda a, b: a / (1 + b**2), lambda a, b: a ** 2 + b]


def expressions(depth: int = 3):
    leaves = st.sampled_from([x, 2 * x, -x, x + 1, sp.Rational(1, 3) * x**2, sp.Integer(3)])
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(lambda f, a: f(a), st.sampled_from(UNARY), inner),
            st.builds(lambda f, a, b: f(a, b), st.sampled_from(BINARY), inner, inner),
        ),
        max_leaves=depth,
    )


def _at_kinks_like_pytorch(expr: sp.Expr) -> sp.Expr:
    """SymPy's d/dx max(0, x) is Heaviside(x) with H(0) = 1/2; the project's convention is H(0) = 0.

    The two differ only at the kink itself, so the comparison adopts the project's convention there.
    """
    return expr.replace(
        lambda e: isinstance(e, sp.Heaviside) and e.args[1:] == (sp.S.Half,), lambda e: sp.Heaviside(e.args[0], 0)
    )


def _equal(a: sp.Expr, b: sp.Expr) -> bool:
    b = _at_kinks_like_pytorch(b)
    return a == b or prove_equal(a, b).proved


def _derivative_steps(step: Step):
    for node in step.walk():
        if not isinstance(node, Rewrite):
            yield node


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_last_line_of_every_tree_equals_sympy_diff(expr):
    tree = differentiate(expr, x)
    assert _equal(tree.result, sp.diff(expr, x)), (expr, tree.result)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(depth=2))
def test_every_inner_step_is_a_true_derivative(expr):
    for node in _derivative_steps(differentiate(expr, x)):
        assert _equal(node.result, sp.diff(node.expr, node.var)), (node.rule, node.expr, node.result)


def test_rewrite_steps_carry_a_proof():
    tree = differentiate(fn.silu(x), x)
    rewrites = [node for node in tree.walk() if isinstance(node, Rewrite)]
    assert rewrites and all(node.proof is not None and node.proof.proved for node in rewrites)


def test_chain_rule_names_its_inner_function():
    tree = differentiate(fn.sigmoid(3 * x**2), x)
    assert isinstance(tree, Chain)
    assert tree.inner.expr == 3 * x**2
    assert tree.result == sp.diff(fn.sigmoid(3 * x**2), x)


@pytest.mark.parametrize(
    ("expr", "rule"),
    [
        (sp.Integer(5), "constant"),
        (x, "variable"),
        (x + sp.sin(x), "sum rule"),
        (4 * sp.exp(x), "constant multiple"),
        (x * sp.exp(x), "product rule"),
        (sp.sin(x) / (x**2 + 1), "quotient rule"),
        (x**3, "power rule"),
        (sp.exp(x), "exp"),
        (sp.log(x), "log"),
        (sp.tanh(x), "hyperbolic"),
        (sp.Max(0, x), "rewrite, then differentiate"),
        (sp.Piecewise((0, x <= 0), (x**2, True)), "piecewise"),
        (fn.relu(x), "catalog function"),
        (sp.exp(sp.sin(x)), "chain rule"),
    ],
)
def test_each_rule_is_chosen_for_its_own_shape(expr, rule):
    tree = differentiate(expr, x)
    assert tree.rule == rule
    assert _equal(tree.result, sp.diff(expr, x))


def test_unknown_function_still_gets_a_tree_with_sympy_diff():
    expr = sp.gamma(x)
    tree = differentiate(expr, x)
    assert isinstance(tree, Unknown)
    assert tree.result == sp.diff(expr, x)


def test_max_keeps_the_kink_in_the_nonpositive_piece():
    tree = differentiate(sp.Max(0, x), x)
    assert tree.result.subs(x, 0) == 0
    assert tree.result.subs(x, 1) == 1
