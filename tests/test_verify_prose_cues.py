"""Issue 9, what prose says about the display after it: values given for an example, a display introduced
as a definition, a definition restated; each read where the cue is narrow, and look-alike prose not read."""

from __future__ import annotations

from derive.verify import verify_text


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
