"""How far what the prose says reaches, read by principle (each class from a real source, pinned with a planted
mistake that must still be caught):

- a name defined by an inline chain ``y = A = B`` means A, as a display's chain defines its left side;
- a condition in words ("If $i = j$, this gives:") holds for the display after it; for the displays that follow
  with no words between, its reach is not said, so a step there is refuted only where it is refuted under the
  condition too, and is ``unknown`` where the two readings disagree;
- ``\\sum`` before an operand sums that operand over its one index written nowhere else, what the sums beside it
  bind aside; ``\\sum`` alone (before ``-``, ``}``, …) is the one sum defined before.
"""

from __future__ import annotations

from backprop_derive.verify import verify_text


def verdicts(text: str) -> list[list[str]]:
    return [[step.verdict for step in chain.steps] for chain in verify_text(text).chains]


CHAIN = "Write $y_i = \\text{softmax}(\\textbf{x})_i = \\frac{e^{x_i}}{\\sum_d e^{x_d}}$.\n\n"


def test_an_inline_chain_defines_its_first_name():
    text = CHAIN + "If $i = j$, this gives:\n\n$$\\frac{dy_i}{dx_j} = y_i (1 - y_i)$$\n\n" \
        "If $i \\ne j$:\n\n$$\\frac{dy_i}{dx_j} = -y_i y_j$$\n"
    assert verdicts(text) == [["equal"], ["equal"]]
    planted = text.replace("-y_i y_j", "y_i y_j")
    assert verdicts(planted) == [["equal"], ["not_equal"]]


RUN = CHAIN + "If $i = j$, this gives:\n\n$$\\frac{dy_i}{dx_j} = y_i (1 - y_i)$$\n\n$$\\frac{dy_i}{dx_j} = SECOND$$\n"


def test_a_condition_in_words_may_reach_the_displays_after_it_with_no_words_between():
    report = verify_text(RUN.replace("SECOND", "y_i - y_i^2"))
    assert [s.verdict for c in report.chains for s in c.steps] == ["equal", "unknown"]
    second = report.chains[1].steps[0]
    assert "i = j" in second.detail and "% assume" in second.detail
    # wrong under the condition too: refuted whichever reading is meant
    assert verdicts(RUN.replace("SECOND", "y_i (1 + y_i)")) == [["equal"], ["not_equal"]]
    # right without the condition: equal either way
    assert verdicts(RUN.replace("SECOND", "\\frac{\\partial y_i}{\\partial x_j}")) == [["equal"], ["equal"]]


def test_words_between_end_the_reach_of_a_condition():
    text = RUN.replace("$$\n\n$$\\frac{dy_i}{dx_j} = SECOND", "$$\n\nIn general:\n\n$$\\frac{dy_i}{dx_j} = y_i - y_i^2")
    assert verdicts(text) == [["equal"], ["not_equal"]]


def test_a_sum_without_an_index_before_an_operand_sums_it_beside_others_like_it():
    # Bieber's notation: both bare sums run over d, the one index only they write
    step = "$$\\frac{dy_i}{dx_j} = \\frac{\\sum e^{x_d} \\cdot e^{x_i} - e^{x_i} \\cdot e^{x_i}}{(\\sum e^{x_d})^2}$$\n"
    text = CHAIN.replace("\\sum_d", "\\sum") + "If $i = j$:\n\n" + step
    assert verdicts(text) == [["equal"]]
    assert verdicts(text.replace("- e^{x_i} \\cdot e^{x_i}", "+ e^{x_i} \\cdot e^{x_i}")) == [["not_equal"]]


def test_a_sum_before_an_operand_is_not_the_sum_defined_before():
    # S's definition holds one sum, so \sum alone means it; \sum e^{x_d} does not
    text = "Here $S_i = \\frac{e^{a_i}}{\\sum_{k=1}^{N} e^{a_k}}$.\n\n$$\\frac{\\partial S_i}{\\partial a_i} = " \
        "\\frac{e^{a_i} \\sum - e^{a_i} e^{a_i}}{\\sum^2}$$\n\n" + CHAIN.replace("\\sum_d", "\\sum") + \
        "If $i \\ne j$:\n\n$$\\frac{dy_i}{dx_j} = -\\frac{e^{x_i} e^{x_j}}{(\\sum e^{x_d})^2}$$\n"
    assert verdicts(text) == [["equal"], ["equal"]]
    assert verdicts(text.replace("-\\frac{e^{x_i} e^{x_j}}", "\\frac{e^{x_i} e^{x_j}}")) == [["equal"], ["not_equal"]]


# ---------------------------------------------------------------------------- notation people write beside the math


def test_a_membership_after_the_last_side_is_a_shape_note_not_a_relation():
    text = "$$h = \\tanh(z) \\in \\mathbb{R}^{1 \\times H}$$\n\n" \
        "$$\\frac{dh}{dz} = 1 - h^2 \\in \\mathbb{R}^{1 \\times H}$$\n"
    report = verify_text(text)
    assert [s.verdict for c in report.chains for s in c.steps] == ["definition", "equal"]
    assert report.chains[1].steps[0].reason == "shape 1 × H"
    planted = text.replace("1 - h^2 \\in", "1 + h^2 \\in")
    assert verdicts(planted) == [["definition"], ["not_equal"]]


def test_a_delta_with_one_index_names_a_quantity_and_kroneckers_takes_two():
    # δ_o, δ_{h_{t-1}}: gradients as people name them; δ_o = ŷ - y gives δ_o alone (its right side does not use o)
    text = "$$\\delta_o = \\hat{y} - y$$\n\n$$2 \\delta_o = 2\\hat{y} - 2y$$\n\n$$\\delta_{h_{t-1}} = 2 \\delta_o$$\n"
    report = verify_text(text)
    assert [s.verdict for c in report.chains for s in c.steps] == ["definition", "equal", "unknown"]
    assert "delta" in report.chains[2].steps[0].detail and "no definition gives" in report.chains[2].steps[0].detail
    assert verdicts(text.replace("2\\hat{y} - 2y", "2\\hat{y} + 2y"))[1] == ["not_equal"]
    assert verdicts("$$\\sum_j \\delta_{ij} x_j = x_i$$\n") == [["equal"]]


def test_part_is_partial():
    text = "Let $y = x^3$.\n\n$$\\frac{\\part y}{\\part x} = 3x^2$$\n"
    assert verdicts(text) == [["equal"]]
    assert verdicts(text.replace("3x^2", "3x")) == [["not_equal"]]


def test_a_number_subscript_of_a_name_with_two_indices_is_one_index_a_digit():
    text = "Let $\\delta_{ij} = a_i b_j$ be the outer product.\n\n$$\\delta_{12} = a_1 b_2$$\n\n$$\\delta_{12} = 0$$\n"
    assert verdicts(text) == [["equal"], ["not_equal"]]


# ---------------------------------------------------------------------------- the gradient notation dy


def test_dy_of_a_loss_never_said_to_depend_on_y_is_no_constant():
    # was: dx and dy both read as derivatives of a constant L, 0 = 0, so every claim between gradients passed
    for said in ("Here $dy$ is the upstream gradient $\\partial L/\\partial y$ and $dx$ is $\\partial L/\\partial x$.",
                 "Let $y = w x$. Here $dy$ and $dx$ are gradients of the loss."):
        text = said + "\n\n$$dx = 2 dy$$\n"
        assert verdicts(text)[0][0] in ("unknown", "error"), said  # never equal: L's dependence is not said


def test_dy_named_gradients_of_the_loss_in_words_reads_as_the_notation():
    head = "$$\\mu = \\frac{1}{m} \\sum_{i=1}^{m} x_i$$\n\n$$\\hat{x}_i = x_i - \\mu$$\n\n" \
        "$$y_i = \\gamma \\hat{x}_i + \\beta$$\n\nHere $dy_i$, $d\\hat{x}_i$ are gradients of the loss.\n\n"
    assert verdicts(head + "$$d\\hat{x}_i = dy_i \\gamma$$\n")[-1] == ["equal"]
    assert verdicts(head + "$$d\\hat{x}_i = dy_i$$\n")[-1] == ["not_equal"]


def test_gradients_named_in_words_of_a_loss_never_said_to_depend_on_them_are_no_constants():
    text = "(with x = input vector, y = output vector)\n\nSo, if we name gradInput the gradient w.r.t input and " \
        "gradOutput the gradient w.r.t output, we get:\n\n$$\\text{gradInput}_i = 2 \\, \\text{gradOutput}_i$$\n"
    assert verdicts(text)[0][0] in ("unknown", "error")


def test_a_superscript_zero_is_a_power_or_the_label_of_step_zero():
    # a^0 = w x^0 + b in RNN notes: read as powers only, the step was refuted (1 = w + b)
    assert verdicts("$$a^0 = w x^0 + b$$\n") == [["unknown"]]
    assert verdicts("$$x^0 + x^0 = 2 x^0$$\n") == [["equal"]]  # both readings agree
    assert verdicts("$$3 x^0 = 2 x^0$$\n") == [["not_equal"]]  # wrong in both


def test_a_name_said_to_be_one_hot_is_no_value_drawn_at_random():
    head = "Here $y$ is a one-hot vector with a 1 for the true class $o$, that means $y_i$ is 1 if and only if " \
        "$i == o$. So:\n\n"
    report = verify_text(head + "$$-y_o \\log(p_o) = -\\log(p_o)$$\n")
    step = report.chains[0].steps[0]
    assert step.verdict == "unknown" and "one-hot" in step.detail
    assert verdicts(head + "$$-\\log(p_o) = \\log(p_o)$$\n") == [["not_equal"]]  # refuted at p alone


def test_an_inline_chain_whose_sides_disagree_defines_nothing():
    # y = σ(x) = tanh(x): two meanings, and dy/dx = y(1 - y) holds for one only; neither is chosen
    text = "Let $y = \\sigma(x) = \\tanh(x)$.\n\n$$\\frac{dy}{dx} = y(1-y)$$\n"
    assert verdicts(text)[0][0] in ("unknown", "error")
    assert verdicts(text.replace("\\tanh(x)", "\\frac{1}{1+e^{-x}}")) == [["equal"]]
