"""Issue 9 in the checker: definitions, their use in later steps, the chain's result, diagnoses, the report."""

from __future__ import annotations

import json

from backprop_derive.cli import main
from backprop_derive.verify import verify_text
from backprop_derive.verify.definitions import word_name


def verdicts(text: str) -> list[list[str]]:
    return [[step.verdict for step in chain.steps] for chain in verify_text(text).chains]


SOFTMAX = r"Let $S_i = \frac{e^{a_i}}{\sum_{k=1}^{K} e^{a_k}}$ be the softmax."


def test_a_prose_definition_is_put_into_the_derivatives_of_later_steps():
    report = verify_text(SOFTMAX + "\n\n$$\\frac{\\partial S_i}{\\partial a_j} = S_i(\\delta_{ij} - S_j)$$\n\n"
                         "$$\\frac{\\partial S_i}{\\partial a_j} = S_i(1 - S_j)$$\n")
    right, wrong = (chain.steps[0] for chain in report.chains)
    assert right.verdict == "equal" and right.definitions == ("S_i (line 1)",)
    assert wrong.verdict == "not_equal"


def test_definition_signs_and_new_names_on_the_left_are_definitions_not_claims():
    text = "$$z := wx + b$$\n\n$$u \\coloneqq 2$$\n\n$$y = \\sigma(x)$$\n\n$$\\frac{\\partial z}{\\partial w} = x$$\n\n"
    assert verdicts(text) == [["definition"], ["definition"], ["definition"], ["equal"]]


def test_what_only_looks_like_a_definition_is_a_claim():
    # x on both sides, a name constrained by an assumption, a name written as a product, a name defined before
    assert verdicts("$$x = x + 1$$") == [["not_equal"]]
    assert verdicts("% assume: x y = 1\n$$y = 2$$") == [["not_equal"]]
    assert verdicts("$$x \\cdot 1 = 2$$") == [["not_equal"]]
    assert verdicts("$$z = 2$$\n\n$$z = 3$$") == [["definition"], ["not_equal"]]
    # a new name equated to a formula in prose is defined, cue word or not (backprop_derive.verify.cues) ...
    assert verdicts("We see that $L = x^2$ holds.\n\n$$\\frac{dL}{dx} = 2x$$") == [["equal"]]
    assert verdicts("We see that $L = x^2$ holds.\n\n$$\\frac{dL}{dx} = x$$") == [["not_equal"]]
    # ... but a sentence that states a condition, denies or gives a reason defines nothing: dL/dx stays unreadable
    for sentence in ("If $L = x^2$, we are done.", "We do not take $L = x^2$ here.", "Since $L = x^2$ we stop.",
                     "$L = x^2$ only when the case is simple, otherwise $L = 0$."):
        assert verdicts(sentence + "\n\n$$\\frac{dL}{dx} = 2x$$") == [["error"]], sentence


def test_a_prime_on_a_name_defined_through_one_variable_is_its_derivative():
    assert verdicts("$$y = \\sigma(x)$$\n\n$$y' = y(1 - y)$$\n\n$$y' = y \\cdot y$$") == \
        [["definition"], ["equal"], ["not_equal"]]


def test_a_chain_says_whether_its_result_survives_a_wrong_step():
    (chain,) = verify_text(r"$$\tanh x = \frac{e^x - e^{-x}}{e^x + e^{-x}} = \frac{e^{2x} - 1}{e^{2x}} = "
                           r"\frac{e^{2x}-1}{e^{2x}+1}$$").chains
    assert [s.verdict for s in chain.steps] == ["equal", "not_equal", "not_equal"]
    assert chain.result.startswith("Step 2 is wrong, and step 3 undoes it: the result is right")


def test_the_seed_note_slips_are_diagnosed():
    report = verify_text("$$\\frac{d}{dx}\\tanh(x) = \\frac{1}{(e^{x}+e^{-x})^{2}}$$\n\n"
                         "$$\\frac{d}{dx}\\sigma(x) = \\sigma(x)\\sigma(x)$$\n")
    tanh, sigma = (chain.steps[0].diagnosis for chain in report.chains)
    assert tanh["kind"] == "constant_factor" and "a factor 4 is missing" in tanh["text"]
    assert sigma["kind"] == "known_mistake"


def test_text_counterexamples_have_six_digits_and_json_every_digit(tmp_path, capsys):
    path = tmp_path / "d.md"
    path.write_text("$$\\frac{d}{dx}\\sigma(x) = \\sigma(x)\\sigma(x)$$\n")
    assert main(["verify", str(path)]) == 1
    shown = next(line for line in capsys.readouterr().out.splitlines() if "lhs =" in line)
    lhs = shown.split("lhs = ")[1].split(",")[0]
    assert len(lhs.replace("-", "").replace(".", "").lstrip("0").split("e")[0]) <= 6
    assert main(["verify", str(path), "--json"]) == 1
    step = json.loads(capsys.readouterr().out)["chains"][0]["steps"][0]
    assert len(step["counterexample"]["lhs"].replace(".", "")) > 20 and step["diagnosis"]["kind"] == "known_mistake"


def test_progress_goes_to_stderr_for_many_chains_unless_quiet(tmp_path, capsys):
    path = tmp_path / "many.md"
    path.write_text("\n\n".join(f"$${n} x = {n} x$$" for n in range(1, 12)) + "\n")
    assert main(["verify", str(path)]) == 0
    assert "11/11 chains checked" in capsys.readouterr().err
    assert main(["verify", str(path), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


#: A computation broken into labelled steps, the way a post lists a forward pass.
LABELLED = (r"The forward pass: Mean: \(\mu = \frac{1}{m} \sum_{j=1}^{m} x_j\); Centred Input (c): "
            r"\(c_j = x_j - \mu\); Output: \(y_j = c_j \gamma_j + \beta_j\).")


def test_a_labelled_list_of_inline_equations_defines_each_name_and_a_planted_slip_is_caught():
    text = LABELLED + ("\n\n$$\\frac{\\partial y_k}{\\partial \\gamma_j} = c_j \\delta_{kj}$$\n\n"
                       "$$\\frac{\\partial y_k}{\\partial \\gamma_j} = c_k$$\n\n"
                       "$$\\frac{\\partial c_i}{\\partial x_i} = 1$$\n\n$$\\frac{\\partial c_i}{\\partial x_i} = 0$$\n")
    report = verify_text(text)
    assert [[s.verdict for s in chain.steps] for chain in report.chains] == \
        [["equal"], ["not_equal"], ["equal"], ["not_equal"]]
    assert set(report.chains[0].steps[0].definitions) == {"\\mu (line 1)", "c_j (line 1)", "y_j (line 1)"}


def test_one_labelled_equation_or_a_label_before_a_sentence_defines_nothing():
    claim = "\n\n$$\\frac{\\partial y}{\\partial x} = 2$$\n"
    # one "Result: $…$" is no list; it states y = 2x in plain sight, which defines the new name y
    assert verdicts("Result: $y = 2x$." + claim) == [["equal"]]
    # the math must be the whole item: a label before a sentence with an equation in it is no list
    assert verdicts("Note: when $y = 2x$ holds; Also: since $y = 3x$ we stop." + claim) == [["error"]]
    assert verdicts("Mean: $y = 2x$; Other: $u = 1$." + claim) == [["equal"]]


def test_a_word_on_the_left_names_a_value_and_later_definitions_read_it():
    text = (r"Let \(\text{rstd} = \frac{1}{\sqrt{v + 1}}\), and let \(u = x \cdot \text{rstd}\)." + "\n\n"
            "$$\\frac{\\partial u}{\\partial x} = \\frac{1}{\\sqrt{v + 1}}$$\n\n"
            "$$\\frac{\\partial u}{\\partial x} = \\sqrt{v + 1}$$\n")
    assert verdicts(text) == [["equal"], ["not_equal"]]
    # a catalog function's name alone is no such word
    assert word_name(r"\operatorname{softmax}") is None and word_name(r"\text{rstd}") == "rstd"
    assert word_name(r"\text{rstd} + 1") is None
