"""Issue 9, softmax and cross-entropy derivations as people write them: each form read right is judged
equal, and the same form with a planted mistake is judged not equal."""

from __future__ import annotations

from derive.verify import verify_text

SOFTMAX = "$$p_i = \\frac{e^{o_i}}{\\sum_j e^{o_j}}$$\n\n"


def verdicts(text: str) -> list[list[str]]:
    return [[step.verdict for step in chain.steps] for chain in verify_text(text).chains]


def test_a_derivative_by_a_defined_name_holds_that_name_as_the_variable():
    # d log p_i / d p_i is 1/p_i (p_i held as the variable), not a derivative by p's definition
    assert verdicts(SOFTMAX + "$$\\frac{\\partial \\log p_i}{\\partial p_i} = \\frac{1}{p_i}$$\n\n"
                    "$$\\frac{\\partial \\log p_i}{\\partial p_i} = \\frac{1}{p_i^2}$$\n") == \
        [["definition"], ["equal"], ["not_equal"]]
    # a name defined through the held name is put in first: l_j = y_j log p_j, so dl_j/dp_j = y_j/p_j
    text = SOFTMAX + "$$\\ell_j = y_j \\log p_j$$\n\n" \
        "$$\\frac{\\partial \\ell_j}{\\partial p_j} = \\frac{y_j}{p_j}$$\n\n" \
        "$$\\frac{\\partial \\ell_j}{\\partial p_j} = -\\frac{y_j}{p_j}$$\n"
    assert verdicts(text) == [["definition"], ["definition"], ["equal"], ["not_equal"]]


def test_a_cases_block_with_index_conditions_is_judged_row_by_row():
    cases = "$$\\frac{\\partial p_i}{\\partial o_k} = \\begin{cases} ROW & \\text{if }\\; i=k \\\\ - p_k p_i & " \
        "\\text{if }\\; i\\neq k \\end{cases}$$\n"
    assert verdicts(SOFTMAX + cases.replace("ROW", "p_k (1 - p_k)")) == [["definition"], ["equal"]]
    assert verdicts(SOFTMAX + cases.replace("ROW", "p_k (1 + p_k)")) == [["definition"], ["not_equal"]]


CE = SOFTMAX + "$$L = -\\sum_j y_j \\log p_j$$\n\n"


def test_labels_that_sum_to_one_in_the_prose_beside_a_display_hold_for_it_alone():
    claim = "$$\\frac{\\partial L}{\\partial o_i} = p_i \\sum_k y_k - y_i = RESULT$$\n\n"
    after = "given that $\\sum_k y_k = 1$ (y is one-hot).\n"
    right = verify_text(CE + claim.replace("RESULT", "p_i - y_i") + after)
    assert [s.verdict for s in right.chains[-1].steps] == ["equal", "equal"]
    assert right.chains[-1].conditions == ("\\sum_k y_k = 1",)
    assert "\\sum_k y_k = 1" in right.chains[-1].steps[1].assumptions
    assert verdicts(CE + claim.replace("RESULT", "2 p_i - y_i") + after)[-1] == ["equal", "not_equal"]
    # written before the display, \( \) inline math, the same
    before = "Given that \\(\\sum_k y_k = 1\\) as y is one-hot:\n\n"
    assert verdicts(CE + before + claim.replace("RESULT", "p_i - y_i"))[-1] == ["equal", "equal"]
    # a paragraph further away, or a reason that is no sum of labels, is no premise of this display
    assert verdicts(CE + claim.replace("RESULT", "p_i - y_i") + "Next.\n\n" + after)[-1] == ["equal", "not_equal"]
    assert verdicts(CE + claim.replace("RESULT", "p_i - y_i") + "since $y_1 = 1 - y_2$.\n")[-1] == \
        ["equal", "not_equal"]
