"""Notation of real activation derivations (issue 9): each form read is accepted when right, and a
planted slip in the same form is caught (never judged equal)."""

from __future__ import annotations

from backprop_derive.verify import verify_text


def verdicts(text: str) -> list[list[str]]:
    return [[step.verdict for step in chain.steps] for chain in verify_text(text).chains]


def test_a_catalog_function_given_another_meaning_is_marked_and_the_authors_is_used_after_it():
    # swish with a beta: not the catalog's swish, which has none.  The step is judged against the catalog and is
    # not equal (a new meaning for a known name never passes in silence); the prime then differentiates the
    # author's swish, as the author means
    text = ("$$\\operatorname{swish}(x) = x \\cdot \\operatorname{sigmoid}(\\beta x)$$\n\n"
            "$$\\operatorname{swish}'(x) = \\operatorname{sigmoid}(\\beta x) + \\beta x \\cdot "
            "\\operatorname{sigmoid}(\\beta x) (1 - \\operatorname{sigmoid}(\\beta x))$$\n\n"
            "$$\\operatorname{swish}'(x) = \\operatorname{sigmoid}(\\beta x) + x \\cdot "
            "\\operatorname{sigmoid}(\\beta x) (1 - \\operatorname{sigmoid}(\\beta x))$$\n")
    assert verdicts(text) == [["not_equal"], ["equal"], ["not_equal"]]
    first = verify_text(text).chains[0].steps[0]
    assert first.diagnosis["kind"] == "redefines_catalog" and "not the catalog's swish" in first.detail
    # the catalog's own swish written out is a claim that holds
    assert verdicts("$$\\operatorname{swish}(x) = x \\cdot \\operatorname{sigmoid}(x)$$") == [["equal"]]


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


def test_a_slash_derivative_is_a_derivative_that_binds_as_one_factor():
    assert verdicts("$$d(\\sinh(x))/dx = \\cosh(x)$$\n\n$$d(\\sinh(x))/dx = \\sinh(x)$$") == \
        [["equal"], ["not_equal"]]
    assert verdicts("$$(1/2).d(e^{x})/dx = e^{x}/2$$\n\n$$(1/2).d(e^{x})/dx = e^{x}$$") == \
        [["equal"], ["not_equal"]]
    assert verdicts("$$L = z^2$$\n\n$$\\partial L/\\partial z = 2z$$\n\n$$\\partial L/\\partial z = z$$") == \
        [["definition"], ["equal"], ["not_equal"]]
    # no derivative where no d/dv follows: a/d and x/d y stay divisions
    assert verdicts("$$a/d = a \\cdot d^{-1}$$\n\n$$d x / d = x$$") == [["equal"], ["equal"]]


def test_a_period_beside_a_capital_letter_is_a_matrix_product_and_an_error():
    # W^{[l]}.dz is W^T dz in the source: read as scalars, the missing transpose would be judged equal
    text = ("$$z^{[l]} = W^{[l]} \\cdot a^{[l-1]} + b^{[l]}$$\n\n"
            "$$\\frac{\\partial J}{\\partial a^{[l-1]}}=W^{[l]}.\\frac{\\partial J}{\\partial z^{[l]}}$$\n")
    # never equal: read as matrices (shapes inferred from the definition, W^{[l]} n×k), the missing transpose
    # cannot even be formed (backprop_derive.verify.matrix.infer)
    definition, (step,) = verdicts(text)
    assert definition == ["definition"] and step == "not_equal"
    # f = W.z defines f as a matrix product (shapes inferred); d/dz of W.z by the vector z is still refused
    assert verdicts("$$f = W^{[l]}.z$$\n\n$$\\frac{d}{dz} W.z = W$$") == [["definition"], ["error"]]
    assert "matrix" in verify_text("$$\\frac{d}{dz} W.z = W$$").chains[0].steps[0].detail


def test_a_period_between_factors_is_a_product_and_over_is_a_fraction():
    assert verdicts("$$(1/2).e^{x}.(-1) = -e^{x}/2$$\n\n$$(1/2).e^{x}.(-1) = e^{x}/2$$") == \
        [["equal"], ["not_equal"]]
    assert verdicts("$$1-{2 \\over e^{2x}+1} = {e^x-e^{-x} \\over e^x+e^{-x}}$$\n\n"
                    "$$1-{2 \\over e^{2x}+1} = {e^x+e^{-x} \\over e^x-e^{-x}}$$") == [["equal"], ["not_equal"]]


def test_delta_for_d_in_a_fraction_of_one_variable_is_a_derivative():
    text = ("$$Tanh(x)=1-{2 \\over e^{2x}+1}$$\n\n$${\\delta Tanh \\over \\delta x} = 1-Tanh^2(x)$$\n\n"
            "$${\\delta Tanh \\over \\delta x} = 1+Tanh^2(x)$$\n")
    # Tanh is the catalog's tanh: its first display is a claim about it, and holds
    assert verdicts(text) == [["equal"], ["equal"], ["not_equal"]]


def test_a_parenthesis_never_closed_spoils_its_own_side_only():
    (right,) = verify_text("$$d((e^{x}/2)/dx = d(e^{x}/2)/dx = (1/2).e^{x}$$").chains
    assert [s.verdict for s in right.steps] == ["error", "equal"]
    (wrong,) = verify_text("$$d((e^{x}/2)/dx = d(e^{x}/2)/dx = e^{x}$$").chains
    assert [s.verdict for s in wrong.steps] == ["error", "not_equal"]


def test_a_typographic_apostrophe_is_a_prime():
    text = ("$$s(x) = \\frac{1}{1+e^{-x}}$$\n\n$$s’(x) = s(x)(1-s(x))$$\n\n$$s’(x) = s(x)(1+s(x))$$\n")
    assert verdicts(text) == [["definition"], ["equal"], ["not_equal"]]


def test_a_display_ending_in_equals_goes_on_in_the_next_one_which_holds_its_own_steps():
    right = verify_text("$$\\frac{d}{dx} x^3 = 3x^2 =$$\n\nprose\n\n$$= x^2 + 2x^2$$\n")
    assert [([s.verdict for s in c.steps], c.region) for c in right.chains] == [(["equal"], 0), (["equal"], 1)]
    wrong = verify_text("$$\\frac{d}{dx} x^3 = 3x^2 =$$\n\nprose\n\n$$= x^2 + x^2$$\n")
    assert [([s.verdict for s in c.steps], c.region) for c in wrong.chains] == [(["equal"], 0), (["not_equal"], 1)]


ARRAY_CASES = ("$$\\frac{d}{dz}\\max(0, z) = \\left\\{\\begin{array}{ll} {low} & \\text {{ if z < 0}} \\\\ "
               "{high} & \\text {{ if z > 0}} \\end{{array}}\\right.$$")


def test_an_array_in_a_left_brace_is_a_cases_block_and_text_if_holds_its_condition():
    right = ARRAY_CASES.replace("{low}", "0").replace("{high}", "1").replace("{{", "{").replace("}}", "}")
    wrong = ARRAY_CASES.replace("{low}", "1").replace("{high}", "0").replace("{{", "{").replace("}}", "}")
    assert verdicts(right) == [["equal"]]
    assert verdicts(wrong) == [["not_equal"]]
    # prose in \text stays a word: no condition is made of it
    assert verdicts("$$\\frac{d}{dz}\\max(0, z) = \\begin{cases} 0 & \\text{if negative} \\\\ 1 & z > 0"
                    "\\end{cases}$$")[0] == ["error"]


def test_a_prime_after_an_expression_is_its_derivative_by_its_one_variable():
    assert verdicts("$$(\\tanh u)' = 1 - \\tanh^2 u$$\n\n$$(\\tanh u)' = 1 + \\tanh^2 u$$") == \
        [["equal"], ["not_equal"]]
    assert verdicts("$$\\sigma(x)' = \\sigma(x)(1 - \\sigma(x))$$\n\n$$\\sigma(x)' = \\sigma(x)^2$$") == \
        [["equal"], ["not_equal"]]
    assert verdicts("$$(wx + b)' = x$$") == [["error"]]  # by w, x or b: not said


def test_a_reason_column_with_math_in_it_is_the_reason_not_a_side():
    text = ("\\begin{align*}\n x^2 + 2x + 1 &= (x + 1)^2 && \\text{binomial, with } a = x \\\\\n"
            " &= (x + 1)(x - 1) && \\text{slip}\n\\end{align*}\n")
    (chain,) = verify_text(text).chains
    assert [s.verdict for s in chain.steps] == ["equal", "not_equal"]
    assert chain.steps[0].reason == "binomial, with a = x"


def test_two_equations_in_one_row_and_if_then_are_two_chains():
    assert verdicts("$$\\max(0, 2) = 2,\\quad \\max(0, -1) = 0$$") == [["equal"], ["equal"]]
    assert verdicts("$$\\max(0, 2) = 2,\\quad \\max(0, -1) = -1$$") == [["equal"], ["not_equal"]]
    text = "$$if\\;y=\\frac{1}{1+e^{-x}},\\;\\mathrm{then}\\;\\frac{\\partial{y}}{\\partial{x}}=y({sign}y)$$"
    assert verdicts(text.replace("{sign}", "1-")) == [["definition"], ["equal"]]
    assert verdicts(text.replace("{sign}", "1+")) == [["definition"], ["not_equal"]]
    # a comma before no equation stays: nothing is split off; nor is a comma inside cases
    assert verdicts("$$x = 1, \\quad y$$") == [["error"]]
    assert verdicts("$$\\max(0, x) = \\begin{cases} x, & \\text{if } x > 0 \\\\ 0, & \\text{if } x \\le 0 "
                    "\\end{cases}$$") == [["equal"]]


def test_an_approximation_in_a_chain_is_stated_not_judged_and_the_equal_steps_around_it_are():
    report = verify_text("$$x^2 - 1 = (x-1)(x+1) \\approx x^2 = x \\cdot x$$\n\n"
                         "$$x^2 + 1 = (x-1)(x+1) \\approx x^2$$\n")
    got = [[(s.verdict, s.method) for s in c.steps] for c in report.chains]
    assert got[0] == [("equal", got[0][0][1])] and got[1] == [("error", "approximation")]
    assert got[2][0][0] == "equal" and got[3][0][0] == "not_equal" and got[4] == [("error", "approximation")]
    assert all(region.read for region in report.regions)  # read, only the '≈' step not judged
    assert "approximation" in report.chains[1].steps[0].detail


GELU = ("The GELU is defined as:\n\n$$\\operatorname{gelu}(x) = x \\cdot P(X \\le x)$$\n\nWHERE\n\n"
        "$$\\operatorname{gelu}(x) = 0.5 \\cdot x \\cdot (1 + \\operatorname{erf}(x / ROOT))$$\n")


def gelu(where: str, root: str) -> str:
    return GELU.replace("WHERE", where).replace("ROOT", root)


def test_a_probability_is_read_and_a_standard_normal_variable_makes_it_the_normal_cdf():
    normal = "where $X \\sim N(0, 1)$, i.e."
    assert verdicts(gelu(normal, "\\sqrt{2}")) == [["definition"], ["equal"]]
    assert verdicts(gelu(normal, "2")) == [["definition"], ["not_equal"]]
    # nothing said about X: the probability is an unknown function, and the step is not decided
    assert verdicts(gelu("where X is some variable", "\\sqrt{2}")) == [["definition"], ["unknown"]]
    # P(X \le x) is no condition attached to the row
    (first, _) = verify_text(gelu(normal, "2")).chains
    assert first.conditions == ()


def test_a_definite_integral_is_read_and_carried_out():
    decay = "\\int_{0}^{x} e^{-t} dt"
    assert verdicts(f"$$1 - e^{{-x}} = {decay}$$\n\n$$e^{{-x}} = {decay}$$") == [["equal"], ["not_equal"]]
    linear = "\\int_{0}^{x} 2t \\, dt"
    assert verdicts(f"$${linear} = x^2$$\n\n$${linear} = x$$") == [["equal"], ["not_equal"]]
    assert verdicts("$$\\int_{0}^{x} 2t = x^2$$") == [["error"]]  # no dt: where the integrand ends is not said


def test_where_right_after_a_display_defines_what_the_display_uses():
    text = ("$$\\frac{d}{dx} x \\Phi(x) = \\Phi(x) + x \\cdot \\phi(x)$$\n\nWhere:\n"
            "- \\( \\phi(x) = \\frac{1}{\\sqrt{2\\pi}} e^{-\\frac{x^2}{2}} \\) is the standard normal PDF\n")
    assert verdicts(text) == [["equal"]]
    assert verdicts(text.replace("e^{-\\frac{x^2}{2}}", "e^{-x^2}")) == [["not_equal"]]
    # prose between the display and the where: the definition holds from where it is written only
    assert verdicts(text.replace("Where:", "Some words.\n\nWhere:")) == [["unknown"]]


def test_primes_on_f_and_g_without_an_argument_are_functions_of_one_variable():
    assert verdicts("$$(f \\cdot g)' = f' \\cdot g + f \\cdot g'$$") == [["equal"]]
    assert verdicts("$$(f + g)' = f' + g'$$") == [["equal"]]
    # planted slips: no identity, so never equal (with unknown functions no number decides them: unknown)
    assert verdicts("$$(f \\cdot g)' = f' \\cdot g - f \\cdot g'$$\n\n$$(f + g)' = f' \\cdot g'$$") == \
        [["unknown"], ["unknown"]]


def test_d_slash_dx_is_the_derivative_operator_never_a_product_of_letters():
    # read as the letters d/d·x, d/dx (x^2) = x^3 would be "equal"
    assert verdicts("$$d/dx (x^2) = 2x$$\n\n$$d/dx (x^2) = x^3$$") == [["equal"], ["not_equal"]]
    assert verdicts("$$\\partial/\\partial z (z^3) = 3z^2$$\n\n$$\\partial/\\partial z (z^3) = z^4$$") == \
        [["equal"], ["not_equal"]]
    assert verdicts("$$x \\cdot d/dx = x^2$$") == [["error"]]  # applied to nothing
