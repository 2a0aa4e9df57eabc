"""Red-team findings on ``derive verify``, each pinned: no wrong step judged equal, no crash."""

from __future__ import annotations

import pytest

from backprop_derive.verify import echo, verify_text
from backprop_derive.verify.latex.parser import parse_expression


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
    assert echo(parse_expression(r"\phi'(w x)")) == "phi'(w·x)"
    assert echo(parse_expression("x(1-x)")) == "x·(1 - x)"


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


# --- assumptions solved together; every counterexample satisfies every assumption in force


def holds_at(assumption: str, point: dict[str, str]) -> bool:
    """Whether ``assumption`` holds at a counterexample's point (values as the report prints them)."""
    import sympy as sp

    from backprop_derive.verify.assumptions import Hypothesis, unknowns
    from backprop_derive.verify.numeric import expand_finite_sums

    hypothesis = Hypothesis.read(assumption)
    difference = expand_finite_sums(hypothesis.lhs - hypothesis.rhs)
    at = {u: sp.sympify(point[echo(u)], rational=True) for u in unknowns(difference)}  # our output, not input
    return abs(sp.N(difference.xreplace(at), 50)) < 1e-40


def test_two_linear_assumptions_are_solved_together_not_one_at_a_time():
    both = ["x+y=1", "x-y=1"]
    assert only_step("$$x = 1$$", both).verdict == "equal"
    assert only_step("$$y = 0$$", both).verdict == "equal"
    wrong = only_step("$$x + y = 2$$", both)
    assert wrong.verdict == "not_equal" and wrong.counterexample["point"] == {"y": "0", "x": "1"}


def test_a_value_enters_the_linear_system_and_a_chain_of_equations_is_followed_through():
    assert only_step("$$y = 0$$", ["x = 1", "x + y = 1"]).verdict == "equal"
    assert only_step("$$x = 0$$", ["x + y = 1", "y + z = 2", "z - y = 0"]).verdict == "equal"


def test_an_inconsistent_linear_system_is_an_error_that_names_the_clash():
    step = only_step("$$x = 1$$", ["x+y=1", "x-y=1", "2x = 6"])
    assert step.verdict == "error"
    assert "the assumption '2x = 6'" in step.detail and "contradicts the assumptions before it" in step.detail
    parallel = only_step("$$x = 1$$", ["x+y=1", "2x+2y=3"])
    assert parallel.verdict == "error" and "it reads 2 = 3" in parallel.detail
    assert "'xy=1' reads 0 = 1" in only_step("$$x = 0$$", ["xy=1", "x=0"]).detail
    assert "has no real solution" in only_step("$$x = 1$$", ["x^2 = -1"]).detail


def test_an_underdetermined_system_keeps_its_free_unknowns_sampled():
    assert only_step("$$x = 1 - y - z$$", ["x+y+z=1"]).verdict == "equal"
    wrong = only_step("$$x = 1 - y$$", ["x+y+z=1"])
    assert wrong.verdict == "not_equal" and holds_at("x+y+z=1", wrong.counterexample["point"])


def test_a_nonlinear_assumption_is_satisfied_at_every_point_on_every_branch():
    assert only_step(r"$$y = \frac{1}{x}$$", ["xy=1"]).verdict == "equal"
    assert only_step("$$|x| = 1$$", ["x^2=1"]).verdict == "equal"
    step = only_step("$$x = 1$$", ["x^2=1"])  # x = -1 is the other branch: drawn, not missed by luck
    assert step.verdict == "not_equal" and step.counterexample["point"] == {"x": "-1"}
    circle = only_step(r"$$x = \sqrt{1 - y^2}$$", ["x^2 + y^2 = 1"])
    assert circle.verdict == "not_equal" and float(circle.counterexample["lhs"]) < 0


def test_an_assumption_without_a_complete_real_solution_is_never_silently_dropped():
    declined = [r"\sin(x) + \sin(y) = 1"]
    wrong = only_step("$$x = y$$", declined)
    assert wrong.verdict == "unknown"
    assert r"the assumption '\sin(x) + \sin(y) = 1' does not hold there" in wrong.detail
    assert only_step(r"$$(x + y)^2 = x^2 + 2xy + y^2$$", declined).verdict == "equal"


@pytest.mark.parametrize(
    ("claim", "assumptions"),
    [
        ("$$x + y = 2$$", ["x+y=1", "x-y=1"]),
        ("$$x = 2$$", ["x+y+z=1"]),
        ("$$y = 1$$", ["xy=1"]),
        ("$$x = 1$$", ["x^2=1"]),
        (r"$$y = \sqrt{x}$$", ["y^2=x"]),
        ("$$y_3 = 1$$", ["y_1 + y_2 = 1", r"\sum_{i=1}^{3} y_i = 1"]),
        ("$$x = 0$$", ["x^2 + y^2 = 1", "x y = z"]),
    ],
)
def test_every_counterexample_satisfies_every_assumption_in_force(claim, assumptions):
    step = only_step(claim, assumptions)
    assert step.verdict == "not_equal", step.detail
    for assumption in assumptions:
        assert holds_at(assumption, step.counterexample["point"]), (assumption, step.counterexample)


def test_scientific_notation_is_an_error_with_its_column_and_euler_e_still_reads():
    step = only_step(r"$$x = 1.0e3 x$$")
    assert step.verdict == "error"
    assert r"line 1, column 7: '1.0e3' looks like scientific notation" in step.detail
    assert r"write 1.0 \cdot 10^{3}" in step.detail
    assert only_step(r"$$2e \cdot e^{x} = 2e^{x + 1}$$").verdict == "equal"
