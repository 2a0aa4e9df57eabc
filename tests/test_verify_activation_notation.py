"""Notation of real activation derivations (issue 9): each form read is accepted when right, and a
planted slip in the same form is caught (never judged equal)."""

from __future__ import annotations

from derive.verify import verify_text


def verdicts(text: str) -> list[list[str]]:
    return [[step.verdict for step in chain.steps] for chain in verify_text(text).chains]


def test_a_function_named_by_a_word_is_the_authors_own_definition():
    # swish with a beta: not the catalog's swish, which has none; the prime differentiates the author's one
    text = ("$$\\operatorname{swish}(x) = x \\cdot \\operatorname{sigmoid}(\\beta x)$$\n\n"
            "$$\\operatorname{swish}'(x) = \\operatorname{sigmoid}(\\beta x) + \\beta x \\cdot "
            "\\operatorname{sigmoid}(\\beta x) (1 - \\operatorname{sigmoid}(\\beta x))$$\n\n"
            "$$\\operatorname{swish}'(x) = \\operatorname{sigmoid}(\\beta x) + x \\cdot "
            "\\operatorname{sigmoid}(\\beta x) (1 - \\operatorname{sigmoid}(\\beta x))$$\n")
    assert verdicts(text) == [["definition"], ["equal"], ["not_equal"]]


def test_a_capitalised_name_is_defined_and_its_value_alone_is_differentiated():
    text = ("$$Sig(x) = \\frac{1}{1 + e^{-x}}$$\n\n$$\\frac{d Sig}{dx} = Sig(x)(1 - Sig(x))$$\n\n"
            "$$\\frac{d Sig}{dx} = Sig^2(x)$$\n")
    assert verdicts(text) == [["definition"], ["equal"], ["not_equal"]]


def test_a_latex_command_is_never_redefined_and_lowercase_letters_stay_a_product():
    assert verdicts("$$\\tanh(x) = \\frac{\\sinh(x)}{\\cosh(x)}$$") == [["equal"]]
    assert verdicts("$$\\tanh(x) = \\frac{\\cosh(x)}{\\sinh(x)}$$") == [["not_equal"]]
    # ab(x) is a times b(x), no function named ab
    assert verdicts("% function: b\n$$ab(x) = 2$$")[0] != ["definition"]


def test_a_prime_on_a_defined_function_applied_is_the_derivative_of_its_definition():
    text = ("$$f(x) = \\frac{1}{\\sigma(x)}$$\n\n$$f'(x) = -\\frac{\\sigma'(x)}{\\sigma(x)^2}$$\n\n"
            "$$f'(x) = -\\frac{\\sigma'(x)}{\\sigma(x)}$$\n")
    assert verdicts(text) == [["definition"], ["equal"], ["not_equal"]]
