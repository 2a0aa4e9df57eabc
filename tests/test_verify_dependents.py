r"""Undefined names differentiated by a variable they are not written beside (backprop_derive/verify/dependents.py):
:math:`\partial/\partial w_j\,(t_i - o_i)^2` reads t and o as unknown functions of w_j.  A rule of calculus that
holds for every such function is accepted, a planted slip caught; a step that holds only if one of them is a
constant (the targets) is unknown, never not equal; and nothing is differentiated to 0 by holding them."""

from __future__ import annotations

from backprop_derive.verify import verify_text


def verdicts(*claims: str) -> list[str]:
    report = verify_text("".join(f"$${c}$$\n\n" for c in claims))
    return [s.verdict for chain in report.chains for s in chain.steps]


SQUARE = r"\frac{\partial}{\partial w_j} (t_i - o_i)^2"


def test_a_rule_that_holds_for_every_function_is_accepted_and_a_dropped_factor_is_caught():
    assert verdicts(
        rf"{SQUARE} = 2 (t_i - o_i) \frac{{\partial}}{{\partial w_j}} (t_i - o_i)",
        rf"{SQUARE} = (t_i - o_i) \frac{{\partial}}{{\partial w_j}} (t_i - o_i)",
        r"\frac{\partial}{\partial w_j} (t_i - o_i) = \frac{\partial t_i}{\partial w_j} - \frac{\partial o_i}"
        r"{\partial w_j}",
        r"\frac{\partial}{\partial w_j} (t_i - o_i) = \frac{\partial o_i}{\partial w_j} - \frac{\partial t_i}"
        r"{\partial w_j}",
        # a slip in one name's term alone holds where that name is a constant: not refuted
        r"\frac{\partial}{\partial w_j} (t_i - o_i) = \frac{\partial t_i}{\partial w_j} + \frac{\partial o_i}"
        r"{\partial w_j}",
    ) == ["equal", "not_equal", "equal", "not_equal", "unknown"]


def test_a_step_that_needs_one_name_constant_is_unknown_not_a_false_reject():
    # right when the targets t do not depend on w (as the source means), which the document does not say
    needs_t_constant = (r"\frac{\partial}{\partial w} (t - o)^2 = -2 (t - o) \frac{\partial o}{\partial w}")
    # right when o is a constant; wrong for most functions
    product = r"\frac{\partial}{\partial w} (t o) = 2 t \frac{\partial o}{\partial w} + o \frac{\partial t}{\partial w}"
    assert verdicts(needs_t_constant, product,
                    r"\frac{\partial}{\partial w} (t o) = t \frac{\partial o}{\partial w} + o \frac{\partial t}"
                    r"{\partial w}") == ["unknown", "unknown", "equal"]
    # a step that writes a derivative of t on one side only says something about t itself
    assert verdicts(r"\frac{\partial}{\partial w} (t - o)^2 = 2 (t - o) x",
                    r"\frac{\partial}{\partial w} (t - o)^2 = 0") == ["unknown", "unknown"]
    report = verify_text(f"$${needs_t_constant}$$\n")
    assert "∂t/∂w on one side only" in report.chains[0].steps[0].detail


def test_an_expression_of_names_held_constant_is_not_differentiated_to_zero():
    # t and o are differentiated by two variables here: no model of them is made, and no step reads 0
    assert verdicts(r"\frac{\partial}{\partial w} (t - o)^2 = 0", r"\frac{\partial}{\partial u} (t - o)^2 = 0") \
        == ["error", "error"]
    report = verify_text(r"$$\frac{\partial}{\partial w} (t - o)^2 = 0$$" + "\n\n" +
                         r"$$\frac{\partial}{\partial u} (t - o)^2 = 0$$" + "\n")
    assert "held constant it is 0" in report.chains[0].steps[0].detail
    # a name written beside the variable is held, as a partial derivative holds it: no model, the old reading
    assert verdicts(r"\frac{\partial}{\partial w} (w t) = t", r"\frac{\partial}{\partial w} (w t) = 2 t") == \
        ["equal", "not_equal"]


def test_a_name_the_document_differentiates_by_is_a_variable_held_by_another():
    # z is a variable of its own here (d/dz is written): d/dx of an expression of z is 0, and the slip is caught
    text = ("$$\\frac{d}{dx} \\max(0, z) = 1$$\n\n$$\\frac{d}{dz} z^2 = 2 z$$\n\n"
            "$$\\frac{d}{dx} \\max(0, z) = 0$$\n")
    assert [s.verdict for chain in verify_text(text).chains for s in chain.steps] == \
        ["not_equal", "equal", "equal"]


def test_a_chain_that_differentiates_an_undefined_name_by_writing_it_out_defines_it():
    first = r"\frac{\partial E}{\partial w} = \frac{\partial}{\partial w} (t - o)^2"
    text = (f"$${first}$$\n\n"
            r"$$\frac{\partial E}{\partial w} = 2 (t - o) \left(\frac{\partial t}{\partial w} - \frac{\partial o}"
            r"{\partial w}\right)$$" "\n\n"
            r"$$\frac{\partial E}{\partial w} = (t - o) \left(\frac{\partial t}{\partial w} - \frac{\partial o}"
            r"{\partial w}\right)$$" "\n")
    report = verify_text(text)
    assert [s.verdict for chain in report.chains for s in chain.steps] == ["definition", "equal", "not_equal"]
    assert report.chains[1].steps[0].definitions[0].startswith("E ")
    # E written on the right too is a claim about E, not its definition
    assert verdicts(r"\frac{\partial E}{\partial w} = \frac{\partial}{\partial w} (E + t - o)") == ["unknown"]


def test_a_name_held_beside_the_variable_elsewhere_is_held_in_a_derivative_of_it_alone():
    # y is held in ∂/∂z_k [z_j - y_j] (a partial): it is an independent input, so ∂/∂z_k [-y_j] is 0
    head = "$$\\frac{\\partial}{\\partial z_k} [z_j - y_j] = \\delta_{jk}$$\n\n"
    text = head + ("$$\\frac{\\partial}{\\partial z_k} [- y_j] = 0$$\n\n"
                   "$$\\frac{\\partial}{\\partial z_k} [- y_j] = 1$$\n")
    assert [s.verdict for chain in verify_text(text).chains for s in chain.steps] == ["equal", "equal", "not_equal"]
