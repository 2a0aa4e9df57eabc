"""The matrix mode of derive verify: shapes, the reader, gradients, verdicts, diagnoses, planted mistakes."""

from __future__ import annotations

import random
import re
from pathlib import Path

import mpmath
import pytest

from backprop_derive.cli.verify_cmd import exit_code
from backprop_derive.verify import Options, verify_text
from backprop_derive.verify.latex.tokens import LatexError
from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.evaluate import Evaluator
from backprop_derive.verify.matrix.gradient import gradient
from backprop_derive.verify.matrix.grid import enumerate_entries
from backprop_derive.verify.matrix.judge import Claim, decide_matrix_step
from backprop_derive.verify.matrix.reader import read_matrix
from backprop_derive.verify.matrix.shapes import declarations
from tests.corpus_blocks import blocks

NOTE = Path(__file__).parent / "data" / "matrix-note.md"
DIAGNOSIS = re.compile(r"<!-- diagnosis: (?P<kinds>.*?) -->")

SHAPES = (r"$X \in \mathbb{R}^{n \times 4}$, $Y \in \mathbb{R}^{n \times 3}$, $W_1 \in \mathbb{R}^{4 \times 5}$, "
          r"$b_1 \in \mathbb{R}^{1 \times 5}$, $W_2 \in \mathbb{R}^{5 \times 5}$, $b_2 \in \mathbb{R}^{5}$, "
          r"$W_3 \in \mathbb{R}^{5 \times 3}$, $b_3 \in \mathbb{R}^{1 \times 3}$")
DEFINITIONS = (("Z_1", "Z_1", r"X W_1 + \mathbf{1} b_1"), ("A_1", "A_1", r"\tanh(Z_1)"),
               ("Z_2", "Z_2", r"A_1 W_2 + b_2"), ("A_2", "A_2", r"\sigma(Z_2)"),
               ("Z_3", "Z_3", r"A_2 W_3 + \mathbf{1} b_3"), ("Yhat", r"\hat{Y}", r"\operatorname{softmax}(Z_3)"),
               ("L", "L", r"-\frac{1}{n}\sum_{i=1}^{n}\sum_{c=1}^{3} Y_{ic} \log \hat{Y}_{ic}"))
#: True claims on the network above (a square W_2, so a transposed W_2 still multiplies).
TRUE = (
    (r"\frac{\partial L}{\partial Z_3}", r"\frac{1}{n}(\hat{Y} - Y)"),
    (r"\frac{\partial L}{\partial W_3}", r"A_2^T \frac{\partial L}{\partial Z_3}"),
    (r"\frac{\partial L}{\partial b_3}", r"\mathbf{1}^T \frac{\partial L}{\partial Z_3}"),
    (r"\frac{\partial L}{\partial A_2}", r"\frac{\partial L}{\partial Z_3} W_3^T"),
    (r"\frac{\partial L}{\partial Z_2}",
     r"\frac{\partial L}{\partial A_2} \odot \sigma(Z_2) \odot (1 - \sigma(Z_2))"),
    (r"\frac{\partial L}{\partial W_2}", r"A_1^T \frac{\partial L}{\partial Z_2}"),
    (r"\frac{\partial L}{\partial A_1}", r"\frac{\partial L}{\partial Z_2} W_2^T"),
    (r"\frac{\partial L}{\partial Z_1}", r"\frac{\partial L}{\partial A_1} \odot (1 - A_1 \odot A_1)"),
)
#: Each true claim's right side made wrong: transposed, reordered, rescaled, a ⊙ for a product.
PLANTED = {
    1: [r"\frac{\partial L}{\partial Z_3} A_2^T", r"\frac{\partial L}{\partial Z_3}^T A_2",
        r"2 A_2^T \frac{\partial L}{\partial Z_3}"],
    2: [r"\frac{\partial L}{\partial Z_3}", r"\frac{1}{n}\mathbf{1}^T \frac{\partial L}{\partial Z_3}"],
    3: [r"\frac{\partial L}{\partial Z_3} W_3", r"W_3^T \frac{\partial L}{\partial Z_3}"],
    4: [r"\frac{\partial L}{\partial A_2} \odot \sigma(Z_2)",
        r"\frac{\partial L}{\partial A_2} \odot \sigma(Z_2) \odot \sigma(Z_2)"],
    5: [r"(A_1^T \frac{\partial L}{\partial Z_2})^T", r"A_1 \frac{\partial L}{\partial Z_2}^T",
        r"\frac{\partial L}{\partial Z_2}^T A_1"],
    6: [r"\frac{\partial L}{\partial Z_2} W_2", r"\frac{\partial L}{\partial Z_2} \odot W_2"],
    7: [r"\frac{\partial L}{\partial A_1} \odot (1 + A_1 \odot A_1)", r"\frac{\partial L}{\partial A_1}"],
}


def _decide(lhs: str, rhs: str, definitions=DEFINITIONS, shapes: str = SHAPES, seed: str = "s") -> dict:
    messages: list[tuple] = []
    decide_matrix_step(messages.append, lhs, rhs, seed, definitions, declarations(shapes), 5.0)
    return {m[0]: m[1:] for m in messages}


def test_shapes_are_read_in_prose_and_display_with_symbolic_sizes():
    found = {d.key: tuple(map(str, d.dims)) for d in declarations(
        r"Let $X \in \mathbb{R}^{n \times 70}$ and $b_1 \in \mathbb{R}^{1\times 10}$."
        "\n$$W_2, W_3 \\in \\mathbb{R}^{10 \\times 10}$$ and $\\hat{Y} \\in \\mathbb{R}^{n \\times K}$,"
        " $b \\in \\mathbb{R}^{10}$")}
    assert found == {"X": ("n", "70"), "b_1": ("1", "10"), "W_2": ("10", "10"), "W_3": ("10", "10"),
                     "Yhat": ("n", "K"), "b": ("10",)}


@pytest.mark.parametrize("text", [r"A^T", r"A^\top", r"A^{\top}", r"A^{\mathsf{T}}", r"A^{\intercal}", r"A^{T}"])
def test_every_way_of_writing_a_transpose_is_one(text):
    assert read_matrix(text) == nd.Transpose(2, nd.Name(1, "A"))


def test_the_reader_knows_products_hadamard_ones_indicators_and_literals():
    node = read_matrix(r"\frac{\partial L}{\partial A_2} \odot \mathbb{1}[Z_2 > 0]")
    assert isinstance(node, nd.Hadamard) and node.right == nd.Apply(39, "step", nd.Name(50, "Z_2"))
    assert isinstance(read_matrix(r"A \circ B"), nd.Hadamard)
    assert isinstance(read_matrix(r"A \cdot B"), nd.Product) and isinstance(read_matrix("A B"), nd.Product)
    assert read_matrix(r"\mathbf{1}_n") == nd.Ones(1, nd.Name(12, "n"))
    assert isinstance(read_matrix(r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"), nd.Literal)
    assert isinstance(read_matrix(r"(A^T\delta)_{ij}"), nd.Entry)
    with pytest.raises(LatexError):
        read_matrix(r"A^{-1}")


def test_the_gradient_by_reverse_mode_equals_finite_differences():
    claim = Claim(r"L", r"L", DEFINITIONS, declarations(SHAPES))
    env = claim.environment({next(iter(claim.sizes)): 3}, random.Random(1), "mp", "row")
    mpmath.mp.dps = 30
    for by in ("W_1", "b_2", "Z_2", "W_3"):
        grad = gradient(env, "L", by, f"∂L/∂{by}")
        held = Evaluator(env).eval(nd.Name(0, by)).entries
        h = mpmath.mpf(10) ** -12
        for (i, j), value in list(enumerate_entries(grad.entries))[:6]:
            def loss(shift, i=i, j=j, by=by, held=held, grad=grad):
                moved = held.copy()
                moved[i, j] += shift
                inner = Evaluator(env, track=by)
                inner.held = inner.value(moved, grad.shape)
                return inner.eval(nd.Name(0, "L")).entries[0, 0]
            central = (loss(h) - loss(-h)) / (2 * h)
            assert abs(central - value) < mpmath.mpf(10) ** -15 * max(1, abs(value)), (by, i, j)


@pytest.mark.parametrize("number", range(len(TRUE)))
def test_every_true_claim_is_equal(number):
    found = _decide(*TRUE[number])
    assert found["numeric"][1] == "equal", found


@pytest.mark.parametrize(("number", "rhs"), [(n, r) for n, rs in PLANTED.items() for r in rs])
def test_no_planted_mistake_is_judged_equal(number, rhs):
    found = _decide(TRUE[number][0], rhs)
    assert found["numeric"][1] == "not_equal", found
    assert "proof" not in found


def test_a_square_weight_transposed_still_multiplies_and_is_caught():
    found = _decide(r"\frac{\partial L}{\partial A_1}", r"\frac{\partial L}{\partial Z_2} W_2")
    assert found["numeric"][1] == "not_equal" and found["numeric"][3] is not None  # an entry, not a shape
    assert found["diagnosis"][1] == "missing_transpose"


def test_a_side_that_cannot_be_formed_names_the_shapes():
    found = _decide(r"\frac{\partial L}{\partial A_2}", r"\frac{\partial Z_3}{\partial W_3} W_3^T")
    assert found["numeric"][1] == "not_equal"
    assert "A_2's shape n×5" in found["numeric"][2] and "∂Z_3/∂W_3 is not a matrix here" in found["numeric"][2]


def test_a_name_without_shape_or_definition_asks_for_its_declaration():
    found = _decide(r"\frac{\partial L}{\partial W_3}", r"A_2^T G")
    assert found["error"][0] == "rhs" and "no shape for G" in found["error"][1]


def test_the_bias_broadcast_is_said():
    messages: list[tuple] = []
    decide_matrix_step(messages.append, *TRUE[1], "s", DEFINITIONS, declarations(SHAPES), 5.0)
    notes = next(m[1] for m in messages if m[0] == "notes")
    assert any("added to every row" in n for n in notes) and any("denominator layout" in n for n in notes)


def test_a_scalar_document_is_not_read_as_matrices():
    (step,) = verify_text(r"$$\frac{d}{dx} x^2 = 2x$$").chains[0].steps
    assert step.verdict == "equal" and step.method.startswith("symbolic")


def test_the_note_matrix_half_every_verdict_and_diagnosis():
    """The clean matrix half of the note (tests/data/matrix-note.md): verdicts, diagnoses, exit 1."""
    text = NOTE.read_text(encoding="utf-8")
    report = verify_text(text, options=Options(timeout=30))  # verdicts only: a loaded machine must not time out
    by_region: dict = {}
    for chain in report.chains:
        by_region.setdefault(chain.region, []).extend(chain.steps)
    diagnoses = {m.start(): m.group("kinds").split() for m in DIAGNOSIS.finditer(text)}
    starts = [m.start() for m in re.finditer(r"<!-- expect:", text)]
    for block, start in zip(blocks(NOTE), starts, strict=True):
        region = next(n for n, r in enumerate(report.regions) if r.line == block.line)
        steps = by_region[region]
        assert tuple(s.verdict for s in steps) == block.expected, (block.line, [s.detail for s in steps])
        wanted = next((kinds for at, kinds in diagnoses.items() if at > start and
                       not any(start < s < at for s in starts)), None)
        wrong = [s for s in steps if s.verdict == "not_equal"]
        if wanted:
            assert [s.diagnosis["kind"] for s in wrong] == wanted, block.line
    assert exit_code(report) == 1
    assert report.summary["error"] == 0 and report.summary["unknown"] == 0


def _symbolic(lhs: str, rhs: str):
    from backprop_derive.verify.matrix.symbolic import prove_symbolic

    claim = Claim(lhs, rhs, DEFINITIONS, declarations(SHAPES))
    env = claim.environment({next(iter(claim.sizes)): 3}, random.Random(1), "mp", "row")
    shapes = {k: Evaluator(env).eval(nd.Name(0, k)).shape for k in (*claim.declared, *claim.definitions)}
    return prove_symbolic(claim, shapes)


@pytest.mark.parametrize("number", [1, 2, 3, 5, 6])
def test_a_layer_step_is_proved_for_symbolic_sizes(number):
    method = _symbolic(*TRUE[number])
    assert method is not None and method.startswith("proved for symbolic sizes")


@pytest.mark.parametrize(("number", "rhs"), [(n, r) for n, rs in PLANTED.items() for r in rs])
def test_no_planted_mistake_is_proved_for_symbolic_sizes(number, rhs):
    assert _symbolic(TRUE[number][0], rhs) is None
