"""A verdict holds for every meaning the document allows (issue 17): definitions in plain sight, names defined
nowhere, known names restated, and what a reader cannot read shadowing what it replaced."""

from __future__ import annotations

import pytest

from backprop_derive.verify import verify_text
from backprop_derive.verify.cues import sentence_at


def steps(text: str) -> list:
    return [step for chain in verify_text(text).chains for step in chain.steps]


def verdicts(text: str) -> list[str]:
    return [step.verdict for step in steps(text)]


# --- definitions in plain sight (backprop_derive.verify.cues) ---------------------------------------------------------

LOSS = "$L = -\\sum_i y_i \\log p_i$, $p_i = \\frac{e^{o_i}}{\\sum_j e^{o_j}}$.\n\n"


def test_inline_equations_of_new_names_define_them_without_a_cue_word():
    right = LOSS + "$$\\frac{\\partial L}{\\partial o_k} = p_k \\sum_i y_i - y_k$$\n"
    wrong = LOSS + "$$\\frac{\\partial L}{\\partial o_k} = p_k - \\sum_i y_i$$\n"
    assert verdicts(right) == ["equal"]
    assert verdicts(wrong) == ["not_equal"]
    assert any("inline, no cue word" in d or "L (line 1)" in d for d in steps(right)[0].definitions)


@pytest.mark.parametrize("sentence", [
    "$y_i = 1$ if the true class is $i$, and 0 otherwise.",  # a case: a number besides
    "If $y_i = \\sigma(z_i)$, the rest follows.",
    "We do not assume $y_i = \\sigma(z_i)$.",
    "It is wrong to write $y_i = \\sigma(z_i)$ here.",
    "Since $y_i = \\sigma(z_i)$ we stop.",
    "Unless $y_i = \\sigma(z_i)$, nothing holds.",
])
def test_a_conditional_negated_or_reasoning_sentence_defines_nothing(sentence):
    # y stays undefined: its derivative cannot be read, never judged under the sentence's equation
    assert verdicts(sentence + "\n\n$$\\frac{\\partial y_i}{\\partial z_i} = y_i(1 - y_i)$$\n") != ["equal"]


def test_a_conditional_one_hot_sentence_does_not_accept_a_real_slip():
    text = ("$y$ is one-hot: $y_i = 1$ if the true class is $i$, and 0 otherwise.\n\n"
            "$$-y_i(1 - p_i) = -y_i + p_i$$\n")
    assert verdicts(text) != ["equal"]


def test_the_sentence_reader_ignores_words_inside_math_and_sees_each_table():
    prose = "Here $a = \\text{if}$ holds. We do not take $b = 2c$ as given."
    first = sentence_at(prose, prose.index("$a"), prose.index("holds"))
    second = sentence_at(prose, prose.index("$b"), len(prose))
    assert first.asserts
    assert second.negating == ("not",) and second.reasoning == ("given",) and not second.asserts


# --- names defined nowhere (backprop_derive.verify.meanings) ----------------------------------------------------------

def test_a_name_defined_nowhere_on_one_side_is_never_refuted_with_a_made_up_value():
    text = "$$\\frac{e^{o_k}}{\\sum_j e^{o_j}}\\left(1-\\frac{e^{o_k}}{\\sum_j e^{o_j}}\\right) = p_k(1-p_k)$$\n"
    (step,) = steps(text)
    assert step.verdict == "unknown"
    assert "p" in step.detail and "does not define" in step.detail and step.counterexample is None


def test_the_same_step_is_judged_once_the_name_is_defined():
    claim = "$$\\frac{e^{o_k}}{\\sum_j e^{o_j}}\\left(1-\\frac{e^{o_k}}{\\sum_j e^{o_j}}\\right) = p_k(1-p_k)$$\n"
    define = "Let $p_k = \\frac{e^{o_k}}{\\sum_j e^{o_j}}$.\n\n"
    assert verdicts(define + claim) == ["equal"]
    assert verdicts(define + claim.replace("p_k(1-p_k)", "p_k(1+p_k)")) == ["not_equal"]


def test_the_unknown_step_says_what_would_make_it_hold():
    (_, step) = steps("$$L = a + y_j = a + q_j$$\n")
    assert step.verdict == "unknown" and "holds if q_j = y_j" in step.detail


@pytest.mark.parametrize(("claim", "why"), [
    ("$$\\max(0, x - 50) = 0$$", "one side's names are the other's: x is a variable of the claim"),
    ("$$\\frac{d}{dx} x^3 = 3x^2 + q$$", "q beside the variable x: a variable of the claim"),
    ("$$\\frac{d}{dx}(x^2 + c) = 2x + 1$$", "the difference does not depend on c"),
])
def test_a_wrong_step_whose_extra_names_cannot_save_it_is_still_refuted(claim, why):
    assert verdicts(claim) == ["not_equal"], why


# --- known names are claims, never new definitions -----------------------------------------------------------

SIGMOID = "Let $\\sigma(x) = \\frac{1}{1+e^{-x}}$.\n\n"


def test_the_derivative_of_a_known_function_written_without_its_argument_is_a_claim():
    wrong = SIGMOID + "$$\\frac{d\\sigma}{dx} = \\frac{d}{dx}\\left(1+e^{x}\\right)^{-1}$$\n"
    right = SIGMOID + "$$\\frac{d\\sigma}{dx} = \\frac{d}{dx}\\left(1+e^{-x}\\right)^{-1}$$\n"
    assert verdicts(wrong) == ["not_equal"]
    assert verdicts(right) == ["equal"]


def test_a_catalog_function_written_wrongly_is_not_equal_and_marked():
    (step,) = steps("$$\\mathrm{ReLU}(x) = \\max(0, -x)$$\n")
    assert step.verdict == "not_equal" and step.diagnosis["kind"] == "redefines_catalog"
    assert verdicts("$$\\mathrm{ReLU}(x) = \\max(0, x)$$\n") == ["equal"]


def test_a_wrong_restatement_of_a_name_defined_in_prose_is_a_claim():
    text = ("$\\hat{x}_i = \\frac{x_i - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}}$.\n\n"
            "$$\\hat{x}_i = (x_i - \\mu)(\\sqrt{\\sigma^2+\\epsilon})^{-0.5}$$\n")
    assert verdicts(text) == ["not_equal"]


def test_a_name_redefined_in_a_formula_the_reader_cannot_read_loses_its_old_meaning():
    text = ("$$f(x) = \\begin{cases} 1 & x < 0 \\\\ 0 & x > 0 \\end{cases}$$\n\n"
            "Now $f(x) = \\unreadable{max}(0, x)$.\n\n"
            "$$f'(x) = \\begin{cases} 0 & x < 0 \\\\ 1 & x > 0 \\end{cases}$$\n")
    assert verdicts(text)[-1] != "not_equal"  # never refuted under the replaced meaning


def test_primes_written_as_superscripts_and_the_rm_switch_are_read():
    text = "$f(x) = \\rm {max}(0, x)$\n\n$$f^{\\prime}(x) = \\begin{cases} 0 & x < 0 \\\\ 1 & x > 0\\end{cases}$$\n"
    assert verdicts(text) == ["equal"]
    swapped = text.replace("0 & x < 0 \\\\ 1", "1 & x < 0 \\\\ 0")
    assert verdicts(swapped) == ["not_equal"]


def test_a_name_that_is_both_a_sums_count_and_an_array_is_never_judged_as_one_symbol():
    # K_{jk} (the keys) beside sums with no range (whose count the reader calls K): read as one symbol the
    # keys collapse into the count, S becomes symmetric in its indices and A_{ac} = A_{ca} passed as equal
    forward = ("\\[S_{ij} = \\frac{1}{\\sqrt{d}}\\sum_k Q_{ik} K_{jk}, \\quad A_{ij} = \\frac{\\exp S_{ij}}"
               "{\\sum_l \\exp S_{il}}\\]\n\n")
    wrong = forward + "$$\\sum_c A_{ac} V_{cb} = \\sum_c A_{ca} V_{cb}$$\n"
    (*_, step) = steps(wrong)
    assert step.verdict == "error" and "K is both" in step.detail
    assert verdicts(wrong.replace("K_{jk}", "B_{jk}"))[-1] == "not_equal"


def test_a_premise_in_words_beside_a_display_keeps_a_step_it_may_rescue_from_being_refuted():
    define = "$L = -\\sum_i t_i \\log(y_i)$, $y_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}$.\n\n"
    claim = "$$\\frac{\\partial L}{\\partial x_k} = y_k - t_k$$\n"
    (step,) = steps(define + "Since exactly one of the $t_i$ is 1:\n\n" + claim)
    assert step.verdict == "unknown" and "Since exactly one of the $t_i$ is 1" in step.detail
    # a chain whose refuted steps the sentence makes unknown says nothing of "step 1 is wrong"
    longer = define + "Since exactly one of the $t_i$ is 1:\n\n" + claim.replace("$$\n", " = y_k - t_k$$\n")
    assert verify_text(longer).chains[-1].result is None
    # without the sentence the step is refuted (it needs the labels to sum to 1), and stated as an assumption,
    # the premise is read and the step holds
    assert verdicts(define + claim) == ["not_equal"]
    assert verdicts(define + "% assume: \\sum_i t_i = 1\n" + claim) == ["equal"]
    # a sentence that denies is no premise
    assert verdicts(define + "We do not assume anything of $t_i$ since it is not needed.\n\n" + claim) == ["not_equal"]


@pytest.mark.parametrize("note", ["&& (n \\times h)", "\\quad (10 \\times 3)", "\\qquad [n, C]",
                                  "&& (d_{model} \\times 4)"])
def test_a_shape_written_after_a_row_is_an_annotation_never_a_factor(note):
    (step,) = steps(f"$$\\begin{{aligned}} 2 x + x &= 3 x {note} \\end{{aligned}}$$\n")
    assert step.verdict == "equal" and "shape" in (step.reason or "")
    (wrong,) = steps(f"$$\\begin{{aligned}} 2 x + x &= 4 x {note} \\end{{aligned}}$$\n")
    assert wrong.verdict == "not_equal"


def test_a_name_written_whole_and_by_its_elements_is_a_vector_and_refutes_nothing_as_one_number():
    (step,) = steps("$$\\log \\sum_{k=1}^K \\exp(y_k) - y = \\log \\sum_{k=1}^K \\exp(y_k - y)$$\n\n"
                    "$$y - \\log \\sum_{k=1}^K \\exp(y_k) = 0$$\n")[1:]
    assert step.verdict == "unknown" and "whole and by its elements" in step.detail
    # for one element, a slip is refuted
    assert verdicts("$$\\log \\mathrm{softmax}(y)_i = y_i + \\log \\sum_{k=1}^K \\exp(y_k)$$\n") == ["not_equal"]
    assert verdicts("$$\\log \\mathrm{softmax}(y)_i = y_i - \\log \\sum_{k=1}^K \\exp(y_k)$$\n") == ["equal"]


def test_a_new_name_the_prose_calls_the_derivative_is_no_definition():
    relu = "$$\\mathrm{ReLU}(x) = \\max(0, x)$$\n\nThe answer: the derivative is\n\n"
    swapped = relu + "$$f(x) = \\begin{cases} 1 & x < 0 \\\\ 0 & x > 0 \\end{cases}$$\n"
    assert verdicts(swapped) == ["equal", "unknown"]
    assert "calls f(x) the derivative" in steps(swapped)[1].detail
    # written as the derivative it is, it is judged
    assert verdicts(relu + "$$\\mathrm{ReLU}'(x) = \\begin{cases} 1 & x < 0 \\\\ 0 & x > 0 \\end{cases}$$\n") == \
        ["equal", "not_equal"]


def test_the_sentences_of_a_document_are_read_in_one_pass():
    from backprop_derive.verify import cues

    prose = "".join(f"We see $a_{n} = b + c$ here, with $x_{n}$. " for n in range(3000))
    cues._sentence_ends.cache_clear()
    found = cues.plain_definitions(prose, [])
    assert len(found) == 3000 and cues._sentence_ends.cache_info().misses == 1
