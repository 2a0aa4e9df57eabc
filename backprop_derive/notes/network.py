r"""The default network's notes: its forward and backward equations and their proof, as LaTeX and Markdown.

The network is :class:`~backprop_derive.network.spec.NetworkSpec`'s default (the note's classifier,
70 → 10 → 10 → 3, ReLU, ReLU, softmax cross-entropy averaged over the batch).  Its equations come
from :func:`backprop_derive.network.backprop.backprop` -- rows are samples, :math:`Z_l = A_{l-1} W_l + \mathbf 1 b_l`,

.. math::

    \delta_L = \partial L/\partial Z_L, \quad \partial L/\partial W_l = A_{l-1}^T \delta_l, \quad
    \partial L/\partial b_l = \mathbf 1^T \delta_l, \quad
    \delta_{l-1} = \delta_l W_l^T \odot f_{l-1}'(Z_{l-1})

-- each written as one row with the rule that justifies it beside it, and the proof from
:func:`backprop_derive.network.proof.prove_network` (claim by claim, with the instances and the method) at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from backprop_derive.network.backprop import Backprop, Equation, backprop
from backprop_derive.network.proof import NetworkProof, prove_network
from backprop_derive.network.spec import NetworkSpec
from backprop_derive.notes.typeset import typeset
from backprop_derive.render.latex_layout import LATEX_DOCUMENT
from backprop_derive.render.notation import GITHUB_MARKDOWN, latex_text, markdown_text

#: The name that stands for the default network among catalog names (``derive export network``).
NAME = "network"
TITLE = "The default network"


@dataclass(frozen=True)
class NetworkNote:
    """What the notes show of a network: its spec, its equations and their proof."""

    spec: NetworkSpec
    equations: Backprop
    proof: NetworkProof


def network_note(spec: NetworkSpec | None = None) -> NetworkNote:
    """The default network (or ``spec``) derived and proved."""
    spec = NetworkSpec() if spec is None else spec
    return NetworkNote(spec, backprop(spec), prove_network(spec))


def _sides(equation: Equation) -> tuple[str, str]:
    lhs, _, rhs = equation.latex.partition(" = ")
    return lhs, rhs


def _verdict(note: NetworkNote) -> str:
    return "proved" if note.proof.proved else "NOT proved"


# ------------------------------------------------------------------------------ LaTeX


def _latex_rows(equations: tuple[Equation, ...]) -> str:
    rows = (LATEX_DOCUMENT.layout(0, *_sides(eq), LATEX_DOCUMENT.words(eq.rule)) for eq in equations)
    return "\\begin{align*}\n" + LATEX_DOCUMENT.separator.join(rows) + "\n\\end{align*}\n"


def _proof_items(note: NetworkNote, words, inline, bullet: str) -> str:
    """One list item per part of the proof: claim, instances, verdict, method, assumptions; the math
    in them typeset as math (:func:`backprop_derive.notes.typeset.typeset`), the words as words."""
    def math(text: str) -> str:
        return typeset(text, words, inline)

    return "\n".join(
        f"{bullet} {math(part.claim)} (on {words('; '.join(part.instances))}): "
        f"{'proved' if part.proof.proved else 'NOT proved'} by {math(part.proof.method)}"
        + (f"; assuming {math(', '.join(part.proof.assumptions))}" if part.proof.assumptions else "")
        for part in note.proof.parts
    )


def network_latex_body(note: NetworkNote, heading: str = "section*") -> str:
    r"""The network's section: spec and shapes, forward rows, backward rows, proof claim by claim."""
    sub = "subsection" + ("*" if heading.endswith("*") else "")
    times = r" \texttimes{} "
    shapes = ", ".join(f"${name[0]}_{{{name[1:]}}}$: {times.join(map(str, shape))}"
                       for name, shape in note.spec.parameter_shapes().items())
    parts = _proof_items(note, latex_text, lambda m: f"${m}$", "\\item")
    return (
        f"\\{heading}{{{TITLE}}}\n"
        f"{latex_text(note.spec.summary())}. Rows are samples ($n$ of them); shapes: {shapes}.\n"
        f"\\{sub}{{Forward pass}}\n{_latex_rows(note.equations.forward)}"
        f"\\{sub}{{Backward pass}}\n"
        "Each row is one equation, with the rule that justifies it beside it.\n"
        f"{_latex_rows(note.equations.backward)}"
        f"\\{sub}{{Proof}}\n"
        f"The backward pass is {_verdict(note)} equal to the derivative of the scalar loss:\n"
        f"\\begin{{itemize}}\n{parts}\n\\end{{itemize}}\n"
    )


# ------------------------------------------------------------------------------ Markdown


def _markdown_rows(equations: tuple[Equation, ...]) -> str:
    return "\n".join(GITHUB_MARKDOWN.layout(0, *_sides(eq), markdown_text(eq.rule)) for eq in equations)


def network_markdown_body(note: NetworkNote, level: int = 1) -> str:
    """The network in Markdown: the same sections as :func:`network_latex_body`."""
    h = "#" * level
    shapes = ", ".join(f"`{name}` {' × '.join(map(str, shape))}"
                       for name, shape in note.spec.parameter_shapes().items())
    parts = _proof_items(note, markdown_text, GITHUB_MARKDOWN.inline, "-")
    return "\n".join([
        f"{h} {TITLE}\n",
        f"{markdown_text(note.spec.summary())}. Rows are samples ({GITHUB_MARKDOWN.inline('n')} of them); "
        f"shapes: {shapes}.\n",
        f"{h}# Forward pass\n", _markdown_rows(note.equations.forward),
        f"{h}# Backward pass\n", "Each equation under the rule that justifies it.\n",
        _markdown_rows(note.equations.backward),
        f"{h}# Proof\n", f"The backward pass is {_verdict(note)} equal to the derivative of the scalar loss:\n",
        parts + "\n",
    ])


def index_row(note: NetworkNote, files: list[str]) -> str:
    """The network's row of the Markdown index (entry, kind, what it shows, links)."""
    return (f"| {NAME} | network | {markdown_text(note.spec.summary())}: forward and backward equations, "
            f"{_verdict(note)} | {' · '.join(files)} |")
