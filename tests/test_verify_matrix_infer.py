"""Shapes inferred where a document declares none (``backprop_derive.verify.matrix.infer``): the right form accepted,
planted transposes, orders and ⊙-for-product swaps caught, an ambiguous bias judged under both readings."""

from __future__ import annotations

import pytest

from backprop_derive.verify import verify_text
from backprop_derive.verify.matrix.infer import infer_shapes

COLUMNS = "$$z^{[l]} = W^{[l]} \\cdot a^{[l-1]} + b^{[l]}$$\n\n"
ROWS = "$$Z = X \\cdot W + b$$\n\n"
G_Z = r"\frac{\partial J}{\partial z^{[l]}}"


def last(text: str):
    return verify_text(text).chains[-1].steps[-1]


@pytest.mark.parametrize("rhs, verdict", [
    (r"W^{[l]^T}." + G_Z, "equal"),
    (r"W^{[l]}." + G_Z, "not_equal"),               # the transpose dropped
    (G_Z + r"^T W^{[l]}", "not_equal"),              # the order swapped: a row, not a column
    (r"W^{[l]^T} \odot " + G_Z, "not_equal"),       # ⊙ for the product
])
def test_a_column_layer_without_declarations(rhs, verdict):
    step = last(COLUMNS + r"$$\frac{\partial J}{\partial a^{[l-1]}} = " + rhs + "$$")
    assert step.verdict == verdict
    assert "shapes inferred: W^[l] n×k, a^[l-1] k×1, b^[l] n×1" in step.readings


@pytest.mark.parametrize("rhs, verdict", [
    (r"X^T \frac{\partial L}{\partial Z}", "equal"),
    (r"X \frac{\partial L}{\partial Z}", "not_equal"),
    (r"\frac{\partial L}{\partial Z} X^T", "not_equal"),
    (r"X^T \odot \frac{\partial L}{\partial Z}", "not_equal"),
    (r"2 X^T \frac{\partial L}{\partial Z}", "not_equal"),
])
def test_a_row_layer_is_judged_under_both_readings_of_its_bias(rhs, verdict):
    step = last(ROWS + r"$$\frac{\partial L}{\partial W} = " + rhs + "$$")
    assert step.verdict == verdict
    assert step.readings[:3] == ("shapes inferred: X n×k, W k×h, b n×h",
                                 "shapes inferred: X n×k, W k×h, b 1×h; b a 1×… row added to every row",
                                 "shapes inferred: X n×k, W k×h, b n×1; b a …×1 column added to every column")


def test_a_claim_the_bias_readings_disagree_on_is_unknown_naming_both():
    step = last(ROWS + r"$$\frac{\partial L}{\partial b} = \mathbf{1}^T \frac{\partial L}{\partial Z}$$")
    assert step.verdict == "unknown"
    assert "the shapes can be read 3 ways" in step.detail and "b 1×h" in step.detail and "b n×h" in step.detail


def test_the_chain_rule_as_a_product_holds_under_both_readings():
    step = last(ROWS + r"$$\frac{\partial L}{\partial b} = \frac{\partial L}{\partial Z} \cdot "
                r"\frac{\partial Z}{\partial b}$$")
    assert step.verdict == "equal"


def test_a_scalar_definition_infers_nothing():
    assert infer_shapes([("z", "w x + b")]) is None
    assert infer_shapes([("y", r"\sigma(z)")]) is None


def test_a_contradiction_infers_nothing():
    # W a and a W in one document: a is a column and a row at once
    assert infer_shapes([("z", "W a + b"), ("u", "a W")]) is None


def test_the_unicode_dot_operator_is_a_product_and_a_restated_definition_is_a_definition():
    text = "$$Z=X⋅W+b$$\n\nagain\n\n$$Z = X \\cdot W + b$$\n"
    steps = [s for c in verify_text(text).chains for s in c.steps]
    assert [s.verdict for s in steps] == ["definition", "definition"]
    assert "written again" in steps[1].detail


def test_the_d_notation_names_a_gradient():
    text = COLUMNS + r"$$db^{[l]} = \frac{\partial J}{\partial b^{[l]}}$$"
    assert last(text).verdict == "definition"
    # a d that is no such notation is still a claim
    assert last(COLUMNS + r"$$db^{[l]} = \frac{\partial J}{\partial a^{[l-1]}}$$").verdict != "definition"


NAMED = ROWS + "- $\\frac{\\partial L}{\\partial Z}$ is $\\delta$ (the error signal)\n\n"
INVERTED = ROWS + "- $\\frac{\\partial Z}{\\partial L}$ is 𝛿 (the error signal from the next layer)\n\n"


@pytest.mark.parametrize("prose", [NAMED, INVERTED])
@pytest.mark.parametrize("rhs, verdict", [
    (r"X^T \cdot \delta", "equal"),
    (r"X \cdot \delta", "not_equal"),
    (r"\delta \cdot X^T", "not_equal"),
    (r"X^T \odot \delta", "not_equal"),
])
def test_a_gradient_named_in_prose(prose, rhs, verdict):
    step = last(prose + r"$$\frac{\partial L}{\partial W} = " + rhs + "$$")
    assert step.verdict == verdict
    if prose is INVERTED and verdict == "equal":
        assert any("read as ∂L/∂Z: Z does not depend on L" in r for r in step.readings)


def test_prose_that_names_no_gradient_of_the_loss_defines_nothing():
    text = ROWS + "- $\\frac{\\partial Z}{\\partial W}$ is $\\delta$\n\n" + \
        r"$$\frac{\partial L}{\partial W} = X^T \delta$$"
    assert last(text).verdict == "error"


@pytest.mark.parametrize("claim", [r"\frac{\partial z}{\partial x} = W", r"\frac{\partial z}{\partial x} = W^T",
                                   r"\frac{d z}{d W} = x"])
def test_a_jacobian_where_shapes_are_inferred_is_unknown_never_a_verdict(claim):
    # ∂z/∂x = W is right as a Jacobian in numerator layout, W^T in denominator layout: neither is judged
    step = last("$$z = W x + b$$\n\n$$" + claim + "$$")
    assert step.verdict == "unknown" and "a Jacobian" in step.detail


@pytest.mark.parametrize("rhs", [r"\frac{\partial J}{\partial Z} \mathbf{1}",     # the row sums: right with b a column
                                 r"\mathbf{1}^T \frac{\partial J}{\partial Z}"])   # the column sums: right with b a row
def test_a_bias_sum_right_under_one_broadcast_only_is_unknown_never_not_equal(rhs):
    # columns as samples (Z = W X + b, b n×1 added to every column) or rows: the document does not say
    step = last("$$Z = W X + b$$\n\n$$\\frac{\\partial J}{\\partial b} = " + rhs + "$$")
    assert step.verdict == "unknown"


def test_a_greek_letter_beside_a_product_is_a_number():
    assert infer_shapes([("Y", r"\alpha X W")]).shown == ("shapes inferred: alpha 1×1, X n×k, W k×h",)
    layer = r"$$Y = \alpha X W$$" "\n\n" r"$$\frac{\partial L}{\partial W} = "
    right = last(layer + r"\alpha X^T \frac{\partial L}{\partial Y}$$")
    planted = last(layer + r"X^T \frac{\partial L}{\partial Y}$$")  # the factor α dropped
    assert (right.verdict, planted.verdict) == ("equal", "not_equal")
