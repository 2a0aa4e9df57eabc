"""Issue 9, what prose says about the display after it, and first steps that are no plain claim: values given
for an example, a condition in words, a display introduced as a definition, a definition restated, one element
of a name never defined, a name defined through an unknown function, the prime of the variable itself,
gradients named in words.  Each is read where the cue is narrow (a planted slip is then caught), and
look-alike prose is not read."""

from __future__ import annotations

from backprop_derive.verify import verify_text


def verdicts(text: str) -> list[list[str]]:
    return [[step.verdict for step in chain.steps] for chain in verify_text(text).chains]


RELU = "$$\\operatorname{ReLU}'(z_1) = 1,\\quad \\operatorname{ReLU}'(z_2) = 0$$\n"


def test_values_given_for_an_example_hold_for_the_display_after_them():
    given = "Here $z_1=2$ gives one, while $z_2=-1$ gives zero.\n\n"
    assert verdicts(given + RELU) == [["equal"], ["equal"]]
    report = verify_text(given + RELU)
    assert report.chains[0].conditions == ("z_1=2", "z_2=-1")
    # a planted slip at the given values is caught
    assert verdicts(given + RELU.replace("= 1", "= 0")) == [["not_equal"], ["equal"]]
    assert verdicts("Here $z_1=2$ gives one.\n\n$$\\operatorname{ReLU}'(z_1) = 1 + z_1$$\n") == [["not_equal"]]


def test_values_given_hold_for_one_display_and_look_alikes_give_none():
    # the next display after that one is general again: z_1 is drawn, ReLU'(z_1) = 1 is refuted
    text = "Here $z_1=2$ gives one.\n\n$$\\operatorname{ReLU}'(z_1) = 1$$\n\nIn general:\n\n" \
           "$$\\operatorname{ReLU}'(z_1) = 1$$\n"
    assert verdicts(text) == [["equal"], ["not_equal"]]
    # a value without "gives", a value that is no number, a relation that is no value: nothing is fixed
    for prose in ("Take $z_1=2$ as one.", "Here $z_1=a$ gives one.", "Here $z_1>2$ gives one.",
                  "Here $z_1 + 1=2$ gives one."):
        assert verdicts(prose + "\n\n$$\\operatorname{ReLU}'(z_1) = 1$$\n") == [["not_equal"]], prose


SIGMOID = "\\sigma(x) = \\frac{1}{1 + e^{-x}}"


def test_a_display_introduced_as_a_definition_of_a_known_function_is_one_when_it_agrees():
    text = f"It is defined as\n\n$${SIGMOID}$$\n\n$$\\frac{{d}}{{dx}}\\sigma(x) = \\sigma(x)(1 - \\sigma(x))$$\n"
    assert verdicts(text) == [["definition"], ["equal"]]
    # a wrong definition of the sigmoid is not taken as the author's own: it is caught
    assert verdicts(text.replace("e^{-x}", "e^{x}")) == [["not_equal"], ["equal"]]
    # the same sign written ':=' too
    assert verdicts(f"$${SIGMOID.replace('=', ':=')}$$") == [["definition"]]
    # look-alike prose introduces a claim: judged
    for prose in ("Its value is given by", "It is defined as follows. We show that", "This is as defined:  so"):
        assert verdicts(f"{prose}\n\n$${SIGMOID}$$\n") == [["equal"]], prose


def test_a_definition_restated_as_written_is_a_definition_and_any_change_is_judged():
    text = f"It is defined as\n\n$${SIGMOID}$$\n\nAgain:\n\n$${SIGMOID}$$\n"
    assert verdicts(text) == [["definition"], ["definition"]]
    assert verdicts(f"It is defined as\n\n$${SIGMOID}$$\n\n$$\\sigma(x) = \\frac{{1}}{{1 + e^{{x}}}}$$\n") == \
        [["definition"], ["not_equal"]]
    # a name defined, replaced, then written as first: judged (it is not the definition in force)
    assert verdicts("$$z = 2$$\n\n$$z = 2$$\n") == [["definition"], ["definition"]]
    assert verdicts("$$z = 2$$\n\n$$z := 3$$\n\n$$z = 2$$\n") == [["definition"], ["definition"], ["not_equal"]]


def test_one_element_of_a_name_never_defined_is_not_judged_against_a_random_draw():
    claim = "$$z_1 = \\frac{x_1 - \\mu}{\\sigma + \\epsilon}$$\n"
    (step,) = verify_text(claim).chains[0].steps
    assert step.verdict == "unknown" and "defined nowhere" in step.detail
    # where the name is defined, the element is judged: right and planted wrong
    defined = "$$z_i = \\frac{x_i - \\mu}{\\sigma + \\epsilon}$$\n\n"
    assert verdicts(defined + claim) == [["definition"], ["equal"]]
    assert verdicts(defined + claim.replace("+ \\epsilon", "")) == [["definition"], ["not_equal"]]
    # constrained by an assumption, or on its own right side: a claim
    assert verdicts("% assume: z_1 = 2\n$$z_1 = 3$$\n") == [["not_equal"]]
    assert verdicts("$$z_1 = z_1 + 1$$\n") == [["not_equal"]]


def test_the_prime_of_the_variable_itself_is_one_where_the_steps_primes_are_by_it():
    swish = "$$y = x \\cdot \\sigma(x)$$\n\n"
    assert verdicts(swish + "$$y' = x' \\cdot \\sigma(x) + x \\cdot \\sigma(x)'$$\n") == [["definition"], ["equal"]]
    # planted: the product rule's second term dropped, or x' taken as 0
    assert verdicts(swish + "$$y' = x' \\cdot \\sigma(x)$$\n") == [["definition"], ["not_equal"]]
    wrong = "$$y' = x' \\cdot \\sigma(x) + x' \\cdot \\sigma(x)'$$\n"
    assert verdicts(swish + wrong) == [["definition"], ["not_equal"]]
    # by which variable is not said: no other prime, or primes by another variable
    assert verdicts("$$x' = 1$$\n") == [["error"]]
    assert verdicts("$$y = t \\cdot \\sigma(t)$$\n\n$$y' = x' \\sigma(t)$$\n") == [["definition"], ["error"]]


LOGSOFTMAX = ("$$y_i = f(x_i) = \\log\\left(\\frac{\\exp(x_i)}{\\sum_j \\exp(x_j)}\\right) = "
              "x_i - \\log\\left(\\sum_j \\exp(x_j)\\right)$$\n\n")


def test_a_name_defined_through_an_unknown_function_stands_for_what_the_chain_writes_next():
    report = verify_text(LOGSOFTMAX + "$$\\frac{dy_i}{dx_i} = 1 - \\frac{\\exp(x_i)}{\\sum_j \\exp(x_j)}$$\n\n"
                         "$$\\frac{dy_i}{dx_i} = 1 + \\frac{\\exp(x_i)}{\\sum_j \\exp(x_j)}$$\n")
    first, right, wrong = ([s.verdict for s in chain.steps] for chain in report.chains)
    assert first == ["definition", "unknown", "equal"]  # f(x_i) = log(…) is not judged true
    assert right == ["equal"] and wrong == ["not_equal"]
    # f known (declared a function, or defined before), or the next side still unknown: y_i is f(x_i)
    for text in ("% function: f\n" + LOGSOFTMAX, "$$f(t) = t$$\n\n" + LOGSOFTMAX, "$$y = f(x) = g(x)$$\n"):
        step = next(s for c in verify_text(text).chains for s in c.steps if s.verdict == "definition"
                    and s.lhs.startswith("y"))
        assert "written through" not in step.detail, text


def test_a_condition_in_words_holds_for_the_display_after_it():
    off = "$$\\frac{dy_i}{dx_k} = - \\frac{\\exp(x_k)}{\\sum_j \\exp(x_j)}$$\n"
    assert verdicts(LOGSOFTMAX + "And for k different than i:\n\n" + off)[1] == ["equal"]
    assert verdicts(LOGSOFTMAX + "And for k different than i:\n\n" + off.replace("= -", "="))[1] == ["not_equal"]
    report = verify_text(LOGSOFTMAX + "For k other than i,\n\n" + off)
    assert report.chains[1].conditions == ("k \\neq i",)
    # words that are no such condition: none is made (and k = i is drawn too, so the step is refuted)
    for prose in ("For k, different than i we see", "For all k different than i and j:", "For k different than 2:"):
        assert verify_text(LOGSOFTMAX + prose + "\n\n" + off).chains[1].conditions == (), prose


NAMED = ("(with x = input vector, y = output vector)\n\n" + LOGSOFTMAX +
         "So, if we name gradInput the gradient w.r.t input and gradOutput the gradient w.r.t output, we get:\n\n")
BACKWARD = "$$\\text{gradInput}_i = \\sum_j \\left(\\text{gradOutput}_j \\cdot \\frac{dy_j}{dx_i}\\right)$$\n"


def test_gradients_named_in_words_are_the_gradients_of_one_upstream_loss():
    assert verdicts(NAMED + BACKWARD)[-1] == ["equal"]
    # planted: the Jacobian transposed, or left out
    assert verdicts(NAMED + BACKWARD.replace("dy_j}{dx_i", "dy_i}{dx_j"))[-1] == ["not_equal"]
    assert verdicts(NAMED + "$$\\text{gradInput}_i = \\text{gradOutput}_i$$\n")[-1] == ["not_equal"]


def test_words_that_only_look_like_a_named_gradient_name_nothing():
    for prose in (NAMED.replace("the gradient w.r.t input", "the input"),  # not a gradient
                  NAMED.replace("x = input vector", "x is the input"),  # the noun bound to no letter
                  NAMED.replace("y = output vector", "y = output vector, z = input"),  # input: two letters
                  NAMED.replace("name gradInput", "see gradInput")):  # no naming verb
        assert verdicts(prose + BACKWARD)[-1] == ["error"], prose
