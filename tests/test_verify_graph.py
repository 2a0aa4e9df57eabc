r"""Derivatives of names defined elsewhere (backprop_derive/verify/graph.py, upstream.py): a direct argument's partial,
the total derivative along every path, upstream names known through their gradient -- each right form
accepted and a planted wrong chain rule caught."""

from __future__ import annotations

import pytest
import sympy as sp

from backprop_derive.verify import verify_text
from backprop_derive.verify.graph import differentiate, upstream_model
from backprop_derive.verify.latex.parser import Readings, parse_expression, square_names
from backprop_derive.verify.latex.tokens import LatexError

#: A centring layer: the batch mean, the centred input, an affine output, and "the layer above" f.
CENTRE = r"""We denote the layer above as $f$, and $\frac{\partial f}{\partial y_i}$ is the upstream gradient.

$$\mu = \frac{1}{m} \sum_{i=1}^{m} x_i$$

$$\hat{x}_i = x_i - \mu$$

$$y_i = \gamma \hat{x}_i + \beta$$

"""


def verdicts(claims: list[str], head: str = CENTRE) -> list[str]:
    text = head + "".join(f"$${c}$$\n\n" for c in claims)
    report = verify_text(text)
    return [s.verdict for chain in report.chains for s in chain.steps][3 if head is CENTRE else 0:]


def test_a_gradient_through_the_graph_sums_over_the_batch_and_a_dropped_sum_is_caught():
    right = r"\frac{\partial f}{\partial \gamma} = \sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i"
    dropped = r"\frac{\partial f}{\partial \gamma} = \frac{\partial f}{\partial y_i} \hat{x}_i"
    beta = r"\frac{\partial f}{\partial \beta} = \sum_{j=1}^{m} \frac{\partial f}{\partial y_j}"
    assert verdicts([right, dropped, beta]) == ["equal", "not_equal", "equal"]


def test_the_total_derivative_follows_every_path_and_a_dropped_path_is_caught():
    # x_i reaches f through x̂_i and, through μ, through every x̂_j
    right = (r"\frac{\partial f}{\partial x_i} = \gamma \frac{\partial f}{\partial y_i}"
             r" - \frac{\gamma}{m} \sum_{j=1}^{m} \frac{\partial f}{\partial y_j}")
    no_mean_path = r"\frac{\partial f}{\partial x_i} = \gamma \frac{\partial f}{\partial y_i}"
    no_sum = (r"\frac{\partial f}{\partial x_i} = \gamma \frac{\partial f}{\partial y_i}"
              r" - \frac{\gamma}{m} \frac{\partial f}{\partial y_i}")
    assert verdicts([right, no_mean_path, no_sum]) == ["equal", "not_equal", "not_equal"]


def test_a_chain_rule_written_with_factors_is_judged_through_the_definitions():
    right = (r"\frac{\partial f}{\partial x_i} = \frac{\partial f}{\partial \hat{x}_i} \frac{\partial \hat{x}_i}"
             r"{\partial x_i} + \sum_{j=1}^{m} \frac{\partial f}{\partial \hat{x}_j} \frac{\partial \hat{x}_j}"
             r"{\partial \mu} \frac{\partial \mu}{\partial x_i}")
    naive = (r"\frac{\partial f}{\partial x_i} = \frac{\partial f}{\partial \hat{x}_i} \frac{\partial \hat{x}_i}"
             r"{\partial x_i} + \frac{\partial f}{\partial \hat{x}_i} \frac{\partial \hat{x}_i}{\partial \mu}"
             r" \frac{\partial \mu}{\partial x_i}")
    assert verdicts([right, naive]) == ["equal", "not_equal"]


def test_a_spurious_sum_is_caught():
    right = r"\frac{\partial f}{\partial \hat{x}_i} = \frac{\partial f}{\partial y_i} \gamma"
    spurious = r"\frac{\partial f}{\partial \hat{x}_i} = \sum_{j=1}^{m} \frac{\partial f}{\partial y_j} \gamma"
    assert verdicts([right, spurious]) == ["equal", "not_equal"]


def test_a_partial_by_a_direct_argument_holds_the_other_arguments():
    # x̂_i's arguments are x_i and μ: ∂x̂_i/∂x_i holds μ (1, not 1 - 1/m); ∂x̂_i/∂μ is -1
    assert verdicts([r"\frac{\partial \hat{x}_i}{\partial x_i} = 1",
                     r"\frac{\partial \hat{x}_i}{\partial x_i} = 1 - \frac{1}{m}",
                     r"\frac{\partial \hat{x}_i}{\partial \mu} = -1",
                     r"\frac{\partial \hat{x}_i}{\partial \mu} = 1"]) == ["equal", "not_equal", "equal", "not_equal"]
    # an expression's arguments are the names written in it: μ is held in d/dx_i [x_i - μ]
    assert verdicts([r"\frac{\partial}{\partial x_i} \left[ x_i - \mu \right] = 1",
                     r"\frac{\partial}{\partial x_i} \left[ x_i - \mu \right] = 0"]) == ["equal", "not_equal"]


def test_the_variance_is_a_variable_of_its_own_where_it_is_differentiated_by():
    head = r"""$$\mu = \frac{1}{m} \sum_{i=1}^{m} x_i$$

$$\sigma^2_B = \frac{1}{m} \Sigma^m_{i=1} (x_i - \mu)^2$$

"""
    by_variance = r"\frac{\partial}{\partial \sigma^2_B} (\sigma^2_B + 1)^{-1/2} = -\frac{1}{2} (\sigma^2_B + 1)"
    got = verdicts([r"\frac{\partial \sigma^2_B}{\partial x_i} = \frac{2}{m}(x_i - \mu)",
                    r"\frac{\partial \sigma^2_B}{\partial x_i} = \frac{1}{m}(x_i - \mu)",
                    by_variance + "^{-3/2}", by_variance + "^{-1/2}"], head)
    assert got == ["definition", "definition", "equal", "not_equal", "equal", "not_equal"]


def test_an_upstream_name_whose_inputs_are_not_all_in_the_graph_is_not_guessed():
    # f is differentiated by γ, which the only output defined here (x̂) does not depend on: f stays undefined,
    # so ∂f/∂γ = 0 (what a guess f = f(x̂) would give) is not accepted
    head = r"""$$\mu = \frac{1}{m} \sum_{i=1}^{m} x_i$$

$$\hat{x}_i = x_i - \mu$$

"""
    claims = [r"\frac{\partial f}{\partial \hat{x}_i} = 1", r"\frac{\partial f}{\partial \gamma} = 0"]
    report = verify_text(head + "".join(f"$${c}$$\n\n" for c in claims))
    steps = [s for chain in report.chains for s in chain.steps]
    assert [s.verdict for s in steps] == ["definition", "definition", "unknown", "unknown"]
    assert "f is differentiated by gamma, which xhat does not depend on" in steps[3].detail


def test_a_second_derivative_of_an_upstream_name_is_refused():
    got = verdicts([r"\frac{\partial}{\partial x_i} \frac{\partial f}{\partial y_i} = 0"])
    assert got == ["error"]


def test_an_element_of_a_name_defined_as_a_scalar_is_not_differentiated_to_zero():
    got = verdicts([r"\frac{\partial y_k}{\partial \gamma} = 0"], "$$y = \\gamma x + \\beta$$\n\n")
    assert got == ["definition", "error"]


def test_the_upstream_model_is_affine_in_the_output_with_a_free_gradient():
    x, g = sp.IndexedBase("y"), sp.Symbol("i", integer=True, positive=True)
    m = sp.Symbol("m", integer=True, positive=True)
    parsed = [(x[g], sp.Sum(sp.IndexedBase("x")[g], (g, 1, m)))]
    model = upstream_model("f", [x[g]], parsed)
    assert model.has(sp.Sum) and sp.diff(model, x[1]) != 0
    with pytest.raises(LatexError, match="how many elements"):
        upstream_model("f", [x[g]], [])


def test_a_derivative_of_a_defined_name_is_worked_out_before_the_names_are_put_in():
    readings = Readings(defined=frozenset({"u", "v", "w"}))
    u, v, w, t, s = (sp.Symbol(n, real=True) for n in "uvwts")
    parsed = [(v, t**2), (u, sp.sin(v) + s), (w, v + t)]

    def d(text):  # the names left in the derivative stand for their values: put them in
        return differentiate(parse_expression(text, readings), parsed, set()).xreplace({v: t**2})

    assert d(r"\frac{\partial u}{\partial v}") == sp.cos(t**2)  # a direct argument
    assert sp.simplify(d(r"\frac{\partial u}{\partial t}") - 2 * t * sp.cos(t**2)) == 0  # through v
    assert d(r"\frac{\partial w}{\partial t}") == 1  # t is written in w: v is held


def test_square_names_come_from_first_order_derivatives_and_definitions_only():
    assert square_names([r"\frac{\partial f}{\partial \sigma^2}"]) == {"sigma"}
    assert square_names([r"\frac{\partial^2 f}{\partial x^2}"]) == frozenset()
    assert square_names([], [(r"\sigma^2", r"\frac{1}{m}\sum_i x_i^2")]) == {"sigma"}
    assert square_names([], [(r"\sigma^2", r"\sigma(x)^2")]) == frozenset()


PRIMER = "Suppose we have a function $u(x, y)$ where $x(r, t)$ and $y(r, t)$.\n\n"


def test_a_function_declared_in_prose_follows_the_chain_rule_and_a_dropped_path_is_caught():
    right = (r"\frac{\partial u}{\partial r} = \frac{\partial u}{\partial x} \frac{\partial x}{\partial r}"
             r" + \frac{\partial u}{\partial y} \frac{\partial y}{\partial r}")
    dropped = r"\frac{\partial u}{\partial r} = \frac{\partial u}{\partial x} \frac{\partial x}{\partial r}"
    assert verdicts([right, dropped, r"\frac{\partial u}{\partial r} = 0"], PRIMER) == ["equal", "not_equal",
                                                                                          "not_equal"]
    assert verdicts([r"\frac{\partial^2 u}{\partial r^2} = 0"], PRIMER) == ["error"]


def test_a_declared_name_also_written_with_an_index_is_no_function_declaration():
    # x_i elsewhere is another x: u is then not known to reach r, and nothing about ∂u/∂r is accepted
    got = verdicts([r"\frac{\partial u}{\partial r} = 0", r"x_i = 1"], PRIMER)
    assert got[0] != "equal"


def test_a_declaration_holds_in_its_own_section_only():
    """A chain-rule primer under its own heading declares u(x, y); the derivation below it writes x_i, another
    x, which no longer voids the primer's declaration -- nor does the declaration reach past its section."""
    right = (r"\frac{\partial u}{\partial r} = \frac{\partial u}{\partial x} \frac{\partial x}{\partial r}"
             r" + \frac{\partial u}{\partial y} \frac{\partial y}{\partial r}")
    dropped = r"\frac{\partial u}{\partial r} = \frac{\partial u}{\partial x} \frac{\partial x}{\partial r}"
    later = "### The derivation\n\n$$\\hat{x}_i = x_i - 1$$\n\n"
    for claim, verdict in ((right, "equal"), (dropped, "not_equal")):
        text = "### Primer\n\n" + PRIMER + f"$${claim}$$\n\n" + later
        assert next(s.verdict for c in verify_text(text).chains for s in c.steps) == verdict, claim
    past = "### Primer\n\n" + PRIMER + later + f"$${right}$$\n"
    assert [s.verdict for c in verify_text(past).chains for s in c.steps][-1] != "equal"


def test_the_gradient_notation_dx_reads_as_the_derivative_of_the_loss():
    head = r"Here $dy$ is the upstream gradient $\partial L/\partial y$." + CENTRE[CENTRE.index("\n"):]
    right = r"d\hat{x}_i = dy_i \gamma"
    wrong = r"d\hat{x}_i = dy_i"
    total = r"d\mu = -\gamma \sum_{j=1}^{m} dy_j"
    assert verdicts([right, wrong, total], head)[3:] == ["equal", "not_equal", "equal"]


def test_an_output_written_without_an_index_is_no_upstream_argument():
    # z = W a + b may be matrices: ∂J/∂a is Wᵀ ∂J/∂z there, so the scalar reading must not accept W ∂J/∂z
    head = "We denote the cost as $J$, and $\\frac{\\partial J}{\\partial z}$ is the upstream gradient.\n\n" \
           "$$z = W a + b$$\n\n"
    got = verdicts([r"\frac{\partial J}{\partial a} = W \frac{\partial J}{\partial z}"], head)
    assert got[0] == "definition" and got[1] != "equal"


NORMALISE = r"""$$\hat{x}_i = \frac{x_i - \mu}{s}$$

"""


@pytest.mark.parametrize(("claim", "verdict"), [
    (r"\frac{\partial \hat{x}}{\partial \mu} = -\frac{1}{s}", "equal"),  # each element's derivative
    (r"\frac{\partial \hat{x}}{\partial s} = -\frac{x_i - \mu}{s^2}", "equal"),  # the step's index i
    (r"\frac{\partial \hat{x}}{\partial \mu} = -\sum_{i=1}^{m} \frac{1}{s}", "not_equal"),  # zakka's spurious Σ
    (r"\frac{\partial \hat{x}}{\partial s} = -\frac{x_i - \mu}{s}", "not_equal"),
    (r"\frac{\partial \hat{x}}{\partial x} = \frac{1}{s}", "equal"),  # the input x_i too, element by element
    (r"\frac{\partial \hat{x}}{\partial x} = \frac{1}{s} - \frac{1}{m}", "not_equal"),
])
def test_a_name_defined_element_by_element_written_bare_is_read_as_each_element(claim, verdict):
    report = verify_text(NORMALISE + f"$${claim}$$\n")
    step = report.chains[1].steps[0]
    assert step.verdict == verdict, step.detail
    assert any("read as xhat_i" in note for note in step.readings), step.readings


def test_two_bare_elements_in_one_product_are_not_guessed():
    """∂f/∂x̂ · ∂x̂/∂s: a dot product (right) or a product of elements (wrong)? Neither is assumed."""
    text = CENTRE + r"$$\frac{\partial f}{\partial \mu} = \frac{\partial f}{\partial \hat{x}} \cdot " \
        r"\frac{\partial \hat{x}}{\partial \mu}$$" + "\n"
    step = verify_text(text).chains[3].steps[0]
    assert step.verdict in ("error", "unknown"), step


def test_the_count_of_an_output_comes_from_a_sum_over_names_of_as_many_elements():
    # y_j = b_j + Σ_i x_i w_ij: the sum counts the inputs x, not the outputs y -- how many y there are is not said
    head = (r"We denote the layer above as $f$, and $\frac{\partial f}{\partial y_j}$ is the upstream gradient."
            "\n\n"
            r"$$y_j = b_j + \sum_{i=1}^{n} x_i w_{ij}$$" + "\n\n")
    claim = r"\frac{\partial f}{\partial x_i} = \sum_{j=1}^{n} \frac{\partial f}{\partial y_j} w_{ij}"
    report = verify_text(head + f"$${claim}$$\n")
    step = report.chains[-1].steps[0]
    assert step.verdict == "error" and "how many elements y has is not known" in step.detail
    # through an element-wise definition the count is found: y_i = γ x̂_i + β with x̂_i = x_i - μ, μ a sum over x
    assert verdicts([r"\frac{\partial f}{\partial \beta} = \sum_{j=1}^{m} \frac{\partial f}{\partial y_j}",
                     r"\frac{\partial f}{\partial \beta} = \sum_{j=1}^{m-1} \frac{\partial f}{\partial y_j}"]) == \
        ["equal", "not_equal"]


def test_an_upstream_gradient_by_its_own_output_needs_no_count_and_a_swapped_index_is_caught():
    # how many y there are is not said: the chain rule's factors are still read, ∂E/∂y_k as the free gradient
    head = (r"The error $E$ is a function of the outputs: $\frac{\partial E}{\partial y_j}$ is the upstream gradient."
            "\n\n" r"$$y_{j}=b_{j}+\sum_{i}x_{i}w_{i j}$$" + "\n\n")
    chain_rule = (r"\frac{\partial E}{\partial y_{1}}\frac{\partial y_{1}}{\partial x_{i}}+\dots+\frac{\partial E}"
                  r"{\partial y_{j}}\frac{\partial y_{j}}{\partial x_{i}}")
    right = r"\frac{\partial E}{\partial y_{1}}w_{i1}+\ldots+\frac{\partial E}{\partial y_{j}}w_{i j}"
    swapped = r"\frac{\partial E}{\partial y_{1}}w_{1i}+\ldots+\frac{\partial E}{\partial y_{j}}w_{j i}"
    dropped = r"w_{i1}+\ldots+w_{i j}"
    got = verdicts([f"{chain_rule} = {right}", f"{chain_rule} = {swapped}", f"{chain_rule} = {dropped}"], head)
    assert got == ["definition", "equal", "not_equal", "not_equal"]


def test_a_capital_beside_its_elements_is_their_vector_and_its_own_derivative_is_not_read_as_zero():
    head = (r"The error $E$ is a function of the outputs: $\frac{\partial E}{\partial y_j}$ is the upstream gradient."
            "\n\n" r"$$y_{j}=b_{j}+\sum_{i}x_{i}w_{i j}$$" + "\n\n")
    steps = [r"\frac{\partial E}{\partial X} = 0",
             r"\frac{\partial E}{\partial y_{1}}\frac{\partial y_{1}}{\partial x_{i}}+\dots+\frac{\partial E}"
             r"{\partial y_{j}}\frac{\partial y_{j}}{\partial x_{i}} = \frac{\partial E}{\partial y_{1}}w_{i1}+\ldots+"
             r"\frac{\partial E}{\partial y_{j}}w_{i j}"]
    report = verify_text(head + "".join(f"$${s}$$\n\n" for s in steps))
    by_x, chain_rule = (chain.steps[0] for chain in report.chains[1:])
    assert by_x.verdict == "error" and chain_rule.verdict == "equal"
    # where the count is known, ∂E/∂X is still not read: E is a function of the outputs y alone by the model
    centred = (r"The error $E$ is a function of the outputs: $\frac{\partial E}{\partial y_i}$ is the upstream "
               "gradient.\n\n$$\\mu = \\frac{1}{m} \\sum_{i=1}^{m} x_i$$\n\n$$y_i = x_i - \\mu$$\n\n"
               "$$\\frac{\\partial E}{\\partial X} = 0$$\n\n$$\\frac{\\partial E}{\\partial x_i} = "
               "\\frac{\\partial E}{\\partial y_i} - \\frac{1}{m} \\sum_{j=1}^{m} "
               "\\frac{\\partial E}{\\partial y_j}$$\n")
    by_x, by_element = (chain.steps[0] for chain in verify_text(centred).chains[2:])
    assert by_x.verdict == "error" and "no definition holds" in by_x.detail
    assert by_element.verdict == "equal"
    # a capital that is no such vector (Z: no z is in the graph) still leaves E undetermined
    report = verify_text(head + "$$\\frac{\\partial E}{\\partial Z} = 0$$\n\n" + f"$${steps[1]}$$\n")
    assert [chain.steps[0].verdict for chain in report.chains[1:]] == ["unknown", "unknown"]
