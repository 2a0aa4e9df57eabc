r"""The layers' notes (``dense``, ``layernorm``, ...): the VJP in index notation, then in matrix form, and the lemma.

For a layer of :mod:`backprop_derive.network.layers` a note shows what ``derive show LAYER`` prints: the summary and
the PyTorch call it matches, the derivation as its index-notation steps (each with its rule), the
forward intermediates and the backward formulas in matrix form -- the same SymPy matrix expressions
the proof checks, typeset by :func:`matrix_latex` -- and the proof for symbolic sizes with its method.
Pure functions of the layer, so ``derive export --check`` can compare them byte for byte.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sympy as sp

from backprop_derive.network.backprop import _MatrixLatex, _MatrixText
from backprop_derive.network.layers import LAYERS, Layer, LayerProof, prove_layer
from backprop_derive.notes.typeset import math_latex
from backprop_derive.render.notation import GITHUB_MARKDOWN, latex_text, markdown_text

#: How the intermediates' code names are typeset (others as SymPy writes them: ``gamma`` → γ).
SYMBOL_LATEX = {"xhat": r"\hat{x}", "rstd": r"\rho", "var": r"\sigma^{2}", "xc": r"x_{c}", "gh": r"\hat{G}",
                "dP": r"\partial L/\partial P", "dS": r"\partial L/\partial S"}


@dataclass(frozen=True)
class LayerNote:
    """A layer, its matrix form (``(lhs, latex, text)`` per equation) and its lemma."""

    layer: Layer
    matrix: tuple[tuple[str, str, str], ...]
    proof: LayerProof


def _gradient_latex(name: str) -> str:
    """``dgamma`` → ``\\partial L/\\partial \\gamma``."""
    of = name[1:]
    return rf"\partial L/\partial {SYMBOL_LATEX.get(of) or sp.latex(sp.Symbol(of))}"


def layer_note(layer: Layer) -> LayerNote:
    """``layer``'s forward and backward in matrix form, and its proof for symbolic sizes (or on instances)."""
    if layer.on_instances:  # its matrix form is data: the steps of form "matrix"
        rows = [(index_tex(step.lhs), index_tex(step.rhs), f"{step.lhs} = {step.rhs}") for step in layer.matrix_steps()]
        return LayerNote(layer, tuple(rows), prove_layer(layer))
    forward, _, backward, gradients = layer.equations()
    symbols = {symbol: SYMBOL_LATEX[symbol.name] for symbol, _ in (*forward, *backward)
               if symbol.name in SYMBOL_LATEX}
    tex, text = _MatrixLatex({"symbol_names": symbols}), _MatrixText({})
    rows = [(tex.doprint(symbol), tex.doprint(value), f"{symbol.name} = {text.doprint(value)}")
            for symbol, value in (*forward, *backward)]
    rows += [(_gradient_latex(name), tex.doprint(value), f"∂L/∂{name[1:]} = {text.doprint(value)}")
             for name, value in gradients.items()]
    return LayerNote(layer, tuple(rows), prove_layer(layer))


def layer_notes(names=None) -> list[LayerNote]:
    """The notes of ``names`` (every layer when None), in the layers' order."""
    return [layer_note(layer) for name, layer in LAYERS.items() if names is None or name in names]


def index_tex(text: str) -> str:
    r"""A step in index notation (``Σ_k Q[i,k] K[j,k]``, ``x̂[r,c]``, ``(1/√d)``) as LaTeX math."""
    text = unicodedata.normalize("NFD", text)  # Ĝ: G and a combining circumflex, as x̂ is
    text = re.sub(r"(\w)\u0302", r"\\hat{\1}", text)
    text = re.sub(r"(\w)\u0303", r"\\tilde{\1}", text)  # G̃, the stride-dilated upstream of a convolution
    text = re.sub(r"√(\w+)", r"\\sqrt{\1}", text)
    text = re.sub(r"\^\(([^()]*)\)", r"^{(\1)}", text)  # (σ² + ε)^(-1/2)
    tex = math_latex(text.replace("Σ_", "sum_"))
    tex = tex.replace("] ", r"]\allowbreak ").replace(") ", r")\allowbreak ")
    return tex.replace(", ", r",\allowbreak ")  # TeX may break between factors and after a comma


def _verdict(note: LayerNote) -> str:
    proof = note.proof
    if proof.sizes.startswith("instances"):  # the method says "exactly on instances (how): the sizes"
        return f"proved {proof.method}" if proof.proved else f"NOT proved on instances: {proof.method}"
    return (f"proved for symbolic sizes by {proof.method}" if proof.proved
            else f"NOT proved for symbolic sizes: {proof.method}")


# ------------------------------------------------------------------------------ LaTeX


def _breakable_words(words: str) -> str:
    """Words as LaTeX text that may break after an underscore or a dot (``torch.nn.functional.batch_norm``)."""
    return re.sub(r"\.(?=\w)", r".\\allowbreak{}", latex_text(words).replace(r"\_", r"\_\allowbreak{}"))


def _breakable(tex: str) -> str:
    r"""Plain parentheses for ``\left( \right)``: TeX may break inline math inside them, not inside a group."""
    return tex.replace(r"\left(", "(").replace(r"\right)", ")")


def layer_latex_body(note: LayerNote, heading: str = "section*") -> str:
    r"""A layer's section: summary, index-notation steps, matrix form, proof."""
    layer, sub = note.layer, "subsection" + ("*" if heading.endswith("*") else "")
    # inline math in a list: TeX breaks a long step at its operators, where an align row runs into the margin
    steps = "\n".join(f"\\item ${index_tex(s.lhs)} = {index_tex(s.rhs)}$ ({latex_text(s.rule)})" for s in layer.steps)
    matrix = "\n".join(f"\\item ${lhs} = {_breakable(rhs)}$" for lhs, rhs, _ in note.matrix)
    return (
        f"\\{heading}{{{latex_text(layer.name)}}}\n"
        f"A layer: {latex_text(layer.summary)}; as {_breakable_words(layer.matches)}.\n"
        f"\\{sub}{{Derivation in index notation}}\n"
        f"$G = \\partial L/\\partial \\mathrm{{out}}$, the upstream gradient. Each row is one step, with its rule.\n"
        f"\\begin{{itemize}}\\small\n{steps}\n\\end{{itemize}}\n"
        f"\\{sub}{{Matrix form}}\n"
        "The forward intermediates, then the backward formulas ($\\mathbf{1}$ a column of ones, "
        "$\\odot$ elementwise).\n"
        f"\\begin{{itemize}}\n{matrix}\n\\end{{itemize}}\n"
        f"\\{sub}{{Proof}}\n"
        f"Every gradient {latex_text(_verdict(note))}.\n"
    )


# ------------------------------------------------------------------------------ Markdown


def layer_markdown_body(note: LayerNote, level: int = 1) -> str:
    """The layer in Markdown: the same sections as :func:`layer_latex_body`."""
    layer, h = note.layer, "#" * level
    steps = "\n".join(f"- `{s.lhs} = {s.rhs}` ({markdown_text(s.rule)})" for s in layer.steps)
    matrix = "\n".join(GITHUB_MARKDOWN.display(f"{lhs} = {rhs}") for lhs, rhs, _ in note.matrix)
    return "\n".join([
        f"{h} {markdown_text(layer.name)}\n",
        f"A layer: {markdown_text(layer.summary)}; as `{layer.matches}`.\n",
        f"{h}# Derivation in index notation\n",
        "`G = ∂L/∂out`, the upstream gradient. Each step, with its rule:\n",
        steps + "\n",
        f"{h}# Matrix form\n",
        "The forward intermediates, then the backward formulas (1 a column of ones, ⊙ elementwise).\n",
        matrix + "\n",
        f"{h}# Proof\n",
        f"Every gradient {markdown_text(_verdict(note))}.\n",
    ])


def index_row(note: LayerNote, files: list[str]) -> str:
    """The layer's row of the Markdown index (entry, kind, what it shows, links)."""
    verdict = "proved for symbolic sizes" if note.proof.proved else "NOT proved"
    return f"| {markdown_text(note.layer.name)} | layer | {markdown_text(note.layer.summary)}: {verdict} | " \
           f"{' · '.join(files)} |"
