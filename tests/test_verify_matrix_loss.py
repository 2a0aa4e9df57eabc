"""An undefined loss in a matrix claim: an unknown function of the definitions' outputs, never a constant.

Held as a constant, ∂J/∂a and ∂J/∂z are both 0 and ``∂J/∂a = W ∂J/∂z`` is "equal" for a square W (a false
accept this file pins shut)."""

from __future__ import annotations

import pytest

from backprop_derive.verify import verify_text
from backprop_derive.verify.matrix.evaluate import drawn_loss

SQUARE = (r"Let $W \in \mathbb{R}^{k \times k}$, $a \in \mathbb{R}^{k \times 1}$, $b \in \mathbb{R}^{k \times 1}$, "
          r"$J \in \mathbb{R}$." "\n\n$$z = W a + b$$\n\n")


def verdicts(text: str) -> list[str]:
    return [s.verdict for c in verify_text(text).chains for s in c.steps]


def test_an_undefined_loss_gradient_through_a_square_weight_is_judged():
    right = SQUARE + r"$$\frac{\partial J}{\partial a} = W^T \frac{\partial J}{\partial z}$$"
    planted = SQUARE + r"$$\frac{\partial J}{\partial a} = W \frac{\partial J}{\partial z}$$"
    assert verdicts(right) == ["definition", "equal"]
    assert verdicts(planted) == ["definition", "not_equal"]


def test_the_reading_of_the_loss_is_shown():
    report = verify_text(SQUARE + r"$$\frac{\partial J}{\partial b} = \frac{\partial J}{\partial z}$$")
    step = report.chains[-1].steps[0]
    assert step.verdict == "equal"
    assert any("J not defined: an unknown function ℓ of z" in r for r in step.readings)


def test_a_loss_differentiated_by_a_name_outside_the_graph_is_unknown():
    text = SQUARE.replace(r"$J \in", r"$c \in \mathbb{R}^{k \times 1}$, $J \in") + \
        r"$$\frac{\partial J}{\partial c} = 0 \cdot c$$"
    report = verify_text(text)
    step = report.chains[-1].steps[0]
    assert step.verdict == "unknown"
    assert "what J depends on is not known" in step.detail


@pytest.mark.parametrize("k", [0, 3])
def test_the_drawn_loss_partial_is_its_derivative(k):
    import mpmath

    loss, partial = drawn_loss(5)
    with mpmath.workdps(40):
        v = [mpmath.mpf(x) / 7 for x in range(-2, 3)]
        h = mpmath.mpf(10) ** -12
        up = list(v)
        up[k] += h
        down = list(v)
        down[k] -= h
        assert abs((loss(up) - loss(down)) / (2 * h) - partial(v, k)) < mpmath.mpf(10) ** -15
