"""E[x], Var[x] and σ[x] in a matrix document without declared shapes (a layer norm written as vectors):
read, differentiated correctly (reverse mode against finite differences), σ[x] judged under both of its
readings, a planted mistake caught."""

from __future__ import annotations

import random

import mpmath
import pytest

from backprop_derive.verify import verify_text
from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.evaluate import Evaluator
from backprop_derive.verify.matrix.gradient import gradient
from backprop_derive.verify.matrix.grid import enumerate_entries
from backprop_derive.verify.matrix.infer import infer_shapes
from backprop_derive.verify.matrix.judge import Claim
from backprop_derive.verify.matrix.reader import read_matrix
from backprop_derive.verify.matrix.shapes import Declared, size_symbol

FORWARD = r"y = \frac{x - E[x] \cdot \mathbb{1}_d}{\sqrt{Var[x]+\epsilon}} \odot \gamma + \beta"
NORMALISED = r"\hat x = \frac{x - E[x] \cdot \mathbb{1}_{d}}{\sigma [x]}"
LHS = r"\frac{\partial \mathcal{L}}{\partial x}"
RIGHT = (r"\frac{1}{\sigma [x]} \cdot \left( I - \frac{1}{d} \mathbb{1} \mathbb{1}^\top - \frac{1}{d} \hat{x} "
         r"\hat{x}^\top \right) (\frac{\partial \mathcal{L}}{\partial y} \odot \gamma)")


def test_the_statistics_are_read():
    assert read_matrix("E[x]") == nd.Statistic(1, "mean", nd.Name(3, "x"))
    assert read_matrix(r"\mathbb{E}[x]").kind == "mean"
    assert read_matrix("Var[x]").kind == "var" and read_matrix(r"\operatorname{Var}(x)").kind == "var"
    assert read_matrix(r"\sigma [x]") == nd.Name(1, "sigma[x]")
    assert isinstance(read_matrix("V a r"), nd.Product)  # three names, as before, where no bracket follows


def test_mean_and_variance_gradients_equal_finite_differences():
    d = size_symbol("d")
    declared = (Declared("x", (d, sp_one()), "t"), Declared("g", (d, sp_one()), "t"))
    definitions = (("L", "L", r"g^T (x - E[x] \mathbf{1}) \cdot Var[x] + E[x]^2"),)
    claim = Claim("L", "L", definitions, declared)
    env = claim.environment({d: 4}, random.Random(3), "mp", "column")
    mpmath.mp.dps = 30
    grad = gradient(env, "L", "x", "∂L/∂x")
    held = Evaluator(env).eval(nd.Name(0, "x")).entries
    h = mpmath.mpf(10) ** -12
    for (i, j), value in enumerate_entries(grad.entries):
        def loss(shift, i=i, j=j):
            moved = held.copy()
            moved[i, j] += shift
            inner = Evaluator(env, track="x")
            inner.held = inner.value(moved, grad.shape)
            return inner.eval(nd.Name(0, "L")).entries[0, 0]
        assert abs((loss(h) - loss(-h)) / (2 * h) - value) < mpmath.mpf(10) ** -15 * max(1, abs(value))


def sp_one():
    import sympy as sp

    return sp.Integer(1)


def test_sigma_of_x_has_two_readings():
    inferred = infer_shapes([("y", FORWARD.split(" = ", 1)[1]), (r"\hat x", NORMALISED.split(" = ", 1)[1])])
    assert [e[0][2] for e in inferred.extra] == [r"\sqrt{Var[x]}", r"\sqrt{Var[x] + \epsilon}"]
    assert inferred.shown[0].startswith("shapes inferred: x d×1, epsilon 1×1, gamma d×1, beta d×1")


def document(rhs: str, normalised: str = NORMALISED) -> str:
    return f"$${FORWARD}$$\n\n$${normalised}$$\n\n$${LHS} = {rhs}$$\n"


def last(text):
    return verify_text(text).chains[-1].steps[-1]


def test_the_right_gradient_is_unknown_between_the_readings_of_sigma():
    step = last(document(RIGHT))
    assert step.verdict == "unknown"
    assert "σ[x] read as √Var[x]: not_equal" in step.detail and "+ epsilon), the denominator of a definition: " \
        "equal" in step.detail


@pytest.mark.parametrize("planted", [
    RIGHT.replace(r"- \frac{1}{d} \hat{x}", r"- \hat{x}"),        # the 1/d of the outer product dropped
    RIGHT.replace(r"- \frac{1}{d} \hat{x}", r"+ \frac{1}{d} \hat{x}"),  # its sign
    RIGHT.replace(r"\odot \gamma", r"\gamma"),                   # a product for ⊙
])
def test_a_planted_mistake_is_caught_under_both_readings(planted):
    assert last(document(planted)).verdict == "not_equal"


def test_with_the_denominator_written_out_the_gradient_is_equal_and_a_slip_is_not():
    written = NORMALISED.replace(r"\sigma [x]", r"\sqrt{Var[x]+\epsilon}")
    right = RIGHT.replace(r"\frac{1}{\sigma [x]}", r"\frac{1}{\sqrt{Var[x]+\epsilon}}")
    assert last(document(right, written)).verdict == "equal"
    assert last(document(right.replace(r"I - \frac{1}{d} \mathbb{1}", r"I - \mathbb{1}"), written)).verdict \
        == "not_equal"
