"""Issue 9, softmax and cross-entropy derivations as people write them: each form read right is judged
equal, and the same form with a planted mistake is judged not equal."""

from __future__ import annotations

from backprop_derive.verify import verify_text

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


def test_a_case_split_continues_the_common_side_under_each_case_alone():
    text = SOFTMAX.replace("o", "a") + (
        "$$\\frac{\\partial p_j}{\\partial a_i} = "
        "\\frac{\\partial}{\\partial a_i} \\frac{e^{a_j}}{\\sum_k e^{a_k}}$$\n\n"
        "If \\(i = j\\),\n\n$$= \\frac{\\partial}{\\partial a_j} \\frac{e^{a_j}}{\\sum_k e^{a_k}} = SAME$$\n\n"
        "And if $i \\neq j$,\n\n$$= OTHER$$\n")
    right = verify_text(text.replace("SAME", "p_j(1 - p_j)").replace("OTHER", "-p_j p_i"))
    assert [[s.verdict for s in c.steps] for c in right.chains] == \
        [["definition"], ["equal"], ["equal", "equal"], ["equal"]]
    assert [c.conditions for c in right.chains[2:]] == [("i = j",), ("i \\neq j",)]
    # each case from the common side: the i != j case does not continue from p_j(1 - p_j)
    assert right.chains[3].steps[0].lhs.startswith("\\frac{\\partial}{\\partial a_i}")
    wrong = verify_text(text.replace("SAME", "p_j(1 + p_j)").replace("OTHER", "p_j p_i"))
    assert [[s.verdict for s in c.steps] for c in wrong.chains][2:] == [["equal", "not_equal"], ["not_equal"]]


def test_a_condition_on_the_index_of_a_derivative_variable_holds_for_the_step():
    # i is only in the variable a_i of the derivative; i != j still removes the delta
    step = "$$\\frac{\\partial}{\\partial a_i} \\frac{e^{a_j}}{\\sum_k e^{a_k}} = " \
        "e^{a_j} \\frac{\\partial}{\\partial a_i} " \
        "\\left(\\sum_k e^{a_k}\\right)^{-1}$$\n"
    assert verdicts("For $i \\neq j$:\n\n" + step) == [["equal"]]
    assert verdicts("For $i = j$:\n\n" + step) == [["not_equal"]]


def test_a_side_that_writes_a_part_of_the_side_before_as_a_new_name_defines_it():
    text = SOFTMAX + "$$L = -\\sum_j y_j \\log p_j = -\\sum_j \\ell_j$$\n\n" \
        "$$\\frac{\\partial \\ell_j}{\\partial p_j} = DERIVATIVE$$\n"
    report = verify_text(text.replace("DERIVATIVE", "\\frac{y_j}{p_j}"))
    assert [[s.verdict for s in c.steps] for c in report.chains] == [["definition"], ["definition", "definition"],
                                                                      ["equal"]]
    assert "defines ell" in report.chains[1].steps[1].detail
    assert verdicts(text.replace("DERIVATIVE", "-\\frac{y_j}{p_j}"))[-1] == ["not_equal"]
    # a name used before, a name written for a name, or a stretch that is no whole part: claims
    assert verdicts("$$q_j = 2$$\n\n" + SOFTMAX + "$$L = -\\sum_j y_j \\log p_j = -\\sum_j q_j$$\n")[-1] == \
        ["definition", "not_equal"]
    # a name written for other names, defined nowhere, may stand for them: unknown, saying what would make it hold
    # (backprop_derive.verify.meanings); never refuted with a value made up for it
    written_for = verify_text("$$L = a + y_j = a + q_j$$\n").chains[-1].steps[1]
    assert written_for.verdict == "unknown" and "holds if q_j = y_j" in written_for.detail
    assert verdicts("$$L = 2 \\cdot a + b = 2 \\cdot c$$\n")[-1] == ["definition", "unknown"]


S_OF_Z = "$$S_i(\\mathbf z) = \\frac{e^{z_i}}{\\sum_k{e^{z_k}}}$$\n\n"


def test_partial_j_differentiates_by_the_entries_of_the_one_vector_written():
    quotient = "$$\\partial_jS_i(\\mathbf z) = \\frac{\\sum_k{e^{z_k}}\\times\\partial_je^{z_i} - " \
        "e^{z_i}\\times\\partial_j\\sum_k{e^{z_k}}}{(\\sum_k{e^{z_k}})^POWER}$$\n"
    assert verdicts(S_OF_Z + quotient.replace("POWER", "2")) == [["definition"], ["equal"]]
    assert verdicts(S_OF_Z + quotient.replace("POWER", "3")) == [["definition"], ["not_equal"]]
    # "First, $i \neq j$:" is a condition on the display after it; "For $i = j$" makes j an index too
    e_i, e_j, total = "e^{z_i}", "e^{z_j}", "(\\sum_k{e^{z_k}})"
    assert verdicts(S_OF_Z + f"First, $i \\neq j$:\n\n$$\\partial_jS_i(\\mathbf z) = -{e_i} {e_j} / {total}^2$$\n\n"
                    f"For $i = j$, we get:\n\n$$\\partial_iS_i(\\mathbf z) = {e_i}({total} - {e_i}) / {total}^2$$\n\n"
                    f"First, $i \\neq j$:\n\n$$\\partial_jS_i(\\mathbf z) = -{e_i} {e_i} / {total}^2$$\n") == \
        [["definition"], ["equal"], ["equal"], ["not_equal"]]


def test_partial_j_without_one_vector_is_an_error_that_names_it():
    (step,) = verify_text("$$\\partial_j (a_j b_j) = b_j$$\n").chains[0].steps
    assert step.verdict == "error" and "by the entries of which vector" in step.detail
    (step,) = verify_text("$$S_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$$\n\n$$\\partial_j S_i = 0$$\n").chains[1].steps
    assert step.verdict == "error" and "\\partial_j" in step.detail


def test_a_condition_written_inside_text_in_a_cases_row_is_read():
    cases = "$$\\frac{\\partial p_i}{\\partial o_j} = \\begin{cases} ROW, & \\text{if i= j}.\\\\ -p_jp_i, & " \
        "\\text{otherwise}. \\end{cases}$$\n"
    assert verdicts(SOFTMAX + cases.replace("ROW", "p_j(1-p_i)")) == [["definition"], ["equal"]]
    assert verdicts(SOFTMAX + cases.replace("ROW", "p_j(1+p_i)")) == [["definition"], ["not_equal"]]


def test_a_prime_on_a_defined_function_and_drawn_functions_for_the_unknown_ones():
    rule = "$$f(x) = \\frac{g(x)}{h(x)}$$\n\n$$f'(x) = \\frac{g'(x) \\times h(x) - h'(x)\\times g(x)}{DENOMINATOR}$$\n"
    assert verdicts(rule.replace("DENOMINATOR", "h(x)^2")) == [["definition"], ["equal"]]
    (wrong,) = verify_text(rule.replace("DENOMINATOR", "h(x)")).chains[1].steps
    assert wrong.verdict == "not_equal" and "not an identity for every function" in wrong.detail
    assert {"g(t)", "h(t)"} <= set(wrong.counterexample["point"])
    # an unknown function that is not differentiated may stand for one the reader cannot see: no drawing
    assert verdicts("$$u = f(x) = \\log(x)$$\n")[0][1] == "unknown"
    # a typographic apostrophe is a prime
    bce = "$$L(u) = -p u + \\log(1 + e^u)$$\n\n$$ L’(u) = RESULT $$\n"
    assert verdicts(bce.replace("RESULT", "\\sigma(u) - p")) == [["definition"], ["equal"]]
    assert verdicts(bce.replace("RESULT", "p - \\sigma(u)")) == [["definition"], ["not_equal"]]


def test_a_bare_sum_is_the_one_sum_defined_before_and_an_error_otherwise():
    softmax = "$$S_i = \\frac{e^{a_{i}}}{\\sum_{k}{e^{a_{k}}}}$$\n\n"
    step = "$$\\frac{\\partial S_i}{\\partial a_i} = " \
        "\\frac {e^{a_i}\\times \\sum - e^{a_i}\\times e^{a_i}}{\\sum^POWER}$$\n"
    report = verify_text(softmax + step.replace("POWER", "2"))
    assert report.chains[1].steps[0].verdict == "equal"
    assert "\\sum (line 1)" in report.chains[1].steps[0].definitions
    assert verdicts(softmax + step.replace("POWER", "3")) == [["definition"], ["not_equal"]]
    # no sum defined before, or two different ones: \sum alone is unread
    (alone,) = verify_text("$$x = \\frac{1}{\\sum^2}$$\n").chains[0].steps
    assert alone.verdict == "error" and "needs an index" in alone.detail
    two = softmax + "$$T_i = \\frac{1}{\\sum_k a_k}$$\n\n"
    assert verdicts(two + step.replace("POWER", "2"))[-1] == ["error"]


def test_a_nested_subscript_is_the_label_index_of_a_sample():
    loss = "\\begin{equation} L_i=-log(\\frac{e^{f_{y_{i}}}}{\\sum_j e^{f_j}}) = RESULT \\end{equation}\n"
    assert verdicts(loss.replace("RESULT", "-f_{y_i} + log(\\sum_j e^{f_j})")) == [["definition", "equal"]]
    assert verdicts(loss.replace("RESULT", "f_{y_i} + log(\\sum_j e^{f_j})")) == [["definition", "not_equal"]]
    # the label picks one of the f_j: f_{y_i} is no f_j of another index
    assert verdicts("$$\\sum_j f_j - f_{y_i} = \\sum_j f_j - f_i$$\n") == [["not_equal"]]


def test_the_elements_of_a_vector_after_a_scalar_of_that_name_are_a_new_definition():
    report = verify_text("$$p = \\frac{1}{2}$$\n\n$$p_j = \\frac{e^{o_j}}{\\sum_k e^{o_k}}$$\n\n"
                         "$$\\frac{\\partial p_j}{\\partial o_j} = p_j (1 - p_j)$$\n\n$$p = 3$$\n")
    assert [[s.verdict for s in c.steps] for c in report.chains] == \
        [["definition"], ["definition"], ["equal"], ["not_equal"]]
    assert "replaces p (line 1)" in report.chains[1].steps[0].detail


def test_d_j_before_a_name_is_an_error_that_names_it_and_a_written_product_is_read():
    (step,) = verify_text("$$D_jS_i = S_j(1 - S_i)$$\n").chains[0].steps
    assert step.verdict == "error" and "D_j before a name" in step.detail
    assert verdicts("$$D_j \\cdot S_i = S_i D_j$$\n\n$$D_j \\cdot S_i = S_i$$\n") == [["equal"], ["not_equal"]]
