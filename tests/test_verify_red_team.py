"""Red-team findings on ``derive verify``, each pinned: no wrong step judged equal, no crash."""

from __future__ import annotations

from derive.latex.parser import parse_expression
from derive.verify import echo, verify_text


def only_step(text: str, assumptions=()):
    (chain,) = verify_text(text, assumptions).chains
    (step,) = chain.steps
    return step


def test_a_difference_of_one_part_in_10_to_the_30_is_shown_with_enough_digits_to_see_it():
    step = only_step(r"$$e^{x} = e^{x} + 10^{-30} e^{2x}$$")
    assert step.verdict == "not_equal"
    example = step.counterexample
    assert example["lhs"] != example["rhs"] and float(example["difference"]) > 0


def test_agreement_says_how_far_the_difference_was_resolved():
    step = only_step(r"$$\frac{d}{dx}\max(0, x) = \begin{cases} 0 & x < 0 \\ 1 & x > 0 \end{cases}$$")
    assert step.verdict == "equal" and "not distinguishable from 0 at up to 500 digits" in step.detail


def test_an_unknown_function_is_applied_not_multiplied():
    assert echo(parse_expression("f(x+y)")) == "f(x + y)"
    assert echo(parse_expression(r"\phi'(w x)")) == "phi'(w*x)"
    assert echo(parse_expression("x(1-x)")) == "x*(1 - x)"


def test_the_chain_rule_with_unknown_functions_is_proved_and_a_wrong_one_is_not():
    right = only_step(r"$$\frac{d}{dx} f(g(x)) = f'(g(x)) g'(x)$$")
    assert right.verdict == "equal" and right.method.startswith("symbolic")
    wrong = only_step(r"$$\frac{d}{dx} f(g(x)) = f'(x) g'(x)$$")
    assert wrong.verdict == "unknown" and "functions the reader does not know (f, g)" in wrong.detail


def test_a_step_true_only_where_one_side_is_real_says_so():
    step = only_step(r"$$\log(x^2) = 2 \log x$$")
    assert step.verdict == "equal" and step.method == "numeric"
    assert "holds only where both sides are real" in step.detail


def test_contradictory_assumptions_are_an_error_not_half_used():
    step = only_step("$$x = 1$$", ["x = 1", "x = 2"])
    assert step.verdict == "error"
    assert "contradicts the assumptions before it" in step.detail and "1 = 2" in step.detail
    assert "--assume" in step.detail


def test_a_side_too_large_to_evaluate_still_gets_its_proof():
    step = only_step(r"$$x^{x^{x^{x}}} = x^{x^{x^{x}}}$$")
    assert step.verdict == "equal" and step.method == "symbolic: identical"
