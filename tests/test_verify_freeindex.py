r"""The batch sum left out of a chain rule through an undefined name (backprop_derive/verify/freeindex.py): refuted
without definitions, while every shape it could be wrong about is left to the other checks."""

from __future__ import annotations

import pytest

from backprop_derive.verify import verify_text


def _steps(display: str, head: str = "") -> list:
    return [s for c in verify_text(head + f"$${display}$$\n").chains for s in c.steps]


@pytest.mark.parametrize("claim", [
    r"\frac{\partial f}{\partial \gamma} = \frac{\partial f}{\partial y_i} \cdot \frac{\partial y_i}{\partial \gamma}",
    r"\frac{\partial L}{\partial b} = \frac{\partial L}{\partial z_i}",
    r"\frac{\partial f}{\partial y_i} \frac{\partial y_i}{\partial \beta} = \sum_{i=1}^m "
    r"\frac{\partial f}{\partial y_i}",
    r"\frac{\partial E}{\partial w} = \frac{\partial E}{\partial o_k} \, x_k",
])
def test_a_one_element_term_for_the_whole_gradient_is_caught(claim):
    step, = _steps(claim)
    assert step.verdict == "not_equal", step.detail
    assert step.diagnosis["kind"] == "missing_batch_sum"


@pytest.mark.parametrize("claim", [
    # the sum written: right (or not judged), never refuted by the rule
    r"\frac{\partial f}{\partial \gamma} = \sum_{i=1}^m \frac{\partial f}{\partial y_i} "
    r"\frac{\partial y_i}{\partial \gamma}",
    # the index on both sides: one element's gradient, which may be right
    r"\frac{\partial f}{\partial x_i} = \frac{\partial f}{\partial y_i} \frac{\partial y_i}{\partial x_i}",
    # a sum of terms could make up across i
    r"\frac{\partial f}{\partial \beta} = \frac{\partial f}{\partial y_i} + "
    r"\sum_{j \neq i} \frac{\partial f}{\partial y_j}",
    # the index reaches the side through something other than the upstream gradient
    r"\frac{\partial f}{\partial \gamma} = \frac{\partial f}{\partial y_1} x_i",
    # the gradient inside a power: the side is not linear in it
    r"\frac{\partial f}{\partial \gamma} = \left(\frac{\partial f}{\partial y_i}\right)^2",
    # another gradient of f in the same product ties the elements together
    r"\frac{\partial f}{\partial \gamma} = \frac{\partial f}{\partial y_i} \frac{\partial f}{\partial y_1}",
])
def test_shapes_that_could_be_right_are_not_refuted(claim):
    step, = _steps(claim)
    assert step.verdict != "not_equal" or step.method != "structure", step.detail


def test_with_f_defined_the_graph_decides():
    head = "$$y_i = \\gamma x_i$$\n\n$$f = \\sum_{i=1}^{m} y_i^2$$\n\n"
    steps = _steps(r"\frac{\partial f}{\partial \gamma} = \frac{\partial f}{\partial y_i} "
                   r"\frac{\partial y_i}{\partial \gamma}", head)
    assert steps[-1].verdict == "not_equal" and steps[-1].method != "structure", steps[-1]
