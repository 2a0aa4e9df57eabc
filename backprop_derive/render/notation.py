r"""Render step trees: one walker, several notations.

:func:`lines` walks a step tree once and yields :class:`Line` records (depth, left side, right side,
justification) -- still SymPy objects, not text.  A :class:`Notation` then decides only how math is
written and how nesting is shown: :data:`TEXT` (Unicode, for a terminal), :data:`LATEX` (rows of an
``align*``), :data:`MARKDOWN` (``$$`` blocks, for Jupyter) and :data:`GITHUB_MARKDOWN` (math
fences, verbatim on GitHub); :mod:`backprop_derive.render.latex_layout` holds the document layouts (the notes'
LaTeX, ``derive show --latex``, Jupyter's MathJax).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sympy as sp

from backprop_derive.core import steps as st
from backprop_derive.core.printing import latex, unicode

# ------------------------------------------------------------------------------ the walker


@dataclass(frozen=True)
class Line:
    """``lhs = rhs``, justified by ``rule`` (and ``note``: a proof method, an assumption)."""

    depth: int
    lhs: sp.Basic
    rhs: sp.Basic
    rule: str
    note: str = ""
    derivative_of: tuple[sp.Basic, sp.Basic] | None = None  # (expr, var) when lhs is d expr / d var
    binding: tuple[sp.Basic, sp.Basic] | None = None  # (u, inner) for the chain rule: "with u = inner"
    label: int | None = None  # this sub-tree is repeated below, where it is referred to as "step (label)"


def _derivative_line(step: st.Step, depth: int, rule: str, note: str = "") -> Line:
    return Line(depth, step.expr, step.result, rule, note, derivative_of=(step.expr, step.var))


def _describe(step: st.Step, depth: int) -> Line:
    if isinstance(step, st.Rewrite):
        note = ""
        if step.proof is not None and step.proof.method not in ("definition", ""):
            note = ("proved: " if step.proof.proved else "not proved: ") + step.proof.method
            if step.proof.assumptions:
                note += "; assuming " + ", ".join(step.proof.assumptions)
        return Line(depth, step.expr, step.result, step.reason, note)
    if isinstance(step, st.Chain):
        line = _derivative_line(step, depth, "chain rule")
        return Line(**{**line.__dict__, "binding": (step.u, step.inner.expr)})
    if isinstance(step, st.CatalogRule) and step.canonical is None:
        return _derivative_line(step, depth, "catalog function", "canonical form NOT proved")
    if isinstance(step, st.Unknown):
        return _derivative_line(step, depth, step.rule, "no rule applies; SymPy's own derivative")
    return _derivative_line(step, depth, step.rule)


def _repeated(step: st.Step) -> dict[st.Step, int]:
    """The sub-trees (with sub-steps of their own) met again later in the pre-order walk, numbered 1, 2, …
    in the order of their first appearance; a sub-tree inside one already met is not counted again."""
    seen: set[st.Step] = set()
    again: list[st.Step] = []

    def walk(node: st.Step) -> None:
        if node.substeps and node in seen:
            again.append(node)
            return
        seen.add(node)
        for sub in node.substeps:
            walk(sub)

    walk(step)
    repeated = set(again)
    in_order = dict.fromkeys(node for node in step.walk() if node in repeated)  # by first appearance
    return {node: number for number, node in enumerate(in_order, 1)}


def lines(step: st.Step, depth: int = 0) -> Iterator[Line]:
    """Pre-order walk: each step's own line, then its sub-steps one level deeper.

    A sub-tree equal to one already walked is printed once: its first appearance is labelled
    ``step (n)``, and each later one is a single line, ``same as step (n) above``, without its sub-steps.
    """
    labels = _repeated(step)
    done: set[st.Step] = set()

    def walk(node: st.Step, level: int) -> Iterator[Line]:
        line = _describe(node, level)
        if node in labels and node in done:
            yield Line(level, line.lhs, line.rhs, f"same as step ({labels[node]}) above",
                       derivative_of=line.derivative_of)
            return
        done.add(node)
        yield Line(**{**line.__dict__, "label": labels.get(node)})
        for sub in node.substeps:
            yield from walk(sub, level + 1)

    yield from walk(step, depth)


# ------------------------------------------------------------------------------ notations


def _dollar_display(math: str) -> str:
    return f"$$\n{math}\n$$"


def _github_display(math: str) -> str:
    # GitHub runs Markdown over a $$ block first (\\ becomes \, \: becomes :); a math fence is verbatim.
    return f"```math\n{math}\n```"


def _github_inline(math: str) -> str:
    return f"$`{math}`$"


@dataclass(frozen=True)
class Notation:
    """How math is written, how a derivative and a justification are written, how a line is laid out."""

    name: str
    math: Callable[[sp.Basic], str]
    derivative: Callable[[str, str, bool], str]  # (expr, var, partial) -> "d/dvar expr"
    words: Callable[[str], str]  # plain words of a justification, escaped for the notation
    inline: Callable[[str], str]  # math inside a justification
    layout: Callable[[int, str, str, str], str]  # (depth, lhs, rhs, justification) -> line
    separator: str = "\n"  # between lines
    display: Callable[[str], str] = _dollar_display  # a displayed equation (Markdown)

    def justification(self, line: Line) -> str:
        parts = [self.words(line.rule)]
        if line.binding is not None:
            u, inner = (self.math(e) for e in line.binding)
            parts.append(self.words("with ") + self.inline(f"{u} = {inner}"))
        if line.note:
            parts.append(self.words(line.note))
        if line.label is not None:
            parts.append(self.words(f"step ({line.label})"))
        return self.words("; ").join(parts)

    def line(self, line: Line) -> str:
        if line.derivative_of is None:
            lhs = self.math(line.lhs)
        else:
            expr, var = line.derivative_of
            lhs = self.derivative(self.math(expr), self.math(var), isinstance(var, sp.Indexed))
        return self.layout(line.depth, lhs, self.math(line.rhs), self.justification(line))

    def render(self, step: st.Step) -> str:
        return self.separator.join(self.line(line) for line in lines(step))


def _text_derivative(expr: str, var: str, partial: bool) -> str:
    d = "∂" if partial else "d"
    return f"{d}/{d}{var} [{expr}]"


def _text_layout(depth: int, lhs: str, rhs: str, why: str) -> str:
    indent = "  " * depth + ("└ " if depth else "")
    return f"{indent}{lhs} = {rhs}    [{why}]"


def _latex_derivative(expr: str, var: str, partial: bool) -> str:
    d = r"\partial" if partial else "d"
    return rf"\frac{{{d}}}{{{d} {var}}}\left[{expr}\right]"


_GREEK = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi",
    "omicron", "pi", "rho", "varsigma", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
]
#: Capital Greek letters that look like Latin ones have no command of their own.
_GREEK_CAPITAL_AS_LATIN = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧ", "ABEZHIKMNOPTX", strict=True))
#: Math-mode LaTeX (which MathJax reads too) for the non-ASCII characters that rules and notes use.
UNICODE_MATH: dict[str, str] = {
    **{chr(0x3B1 + n): "o" if name == "omicron" else "\\" + name for n, name in enumerate(_GREEK)},
    **{chr(0x391 + n): _GREEK_CAPITAL_AS_LATIN.get(chr(0x391 + n), "\\" + name.capitalize())
       for n, name in enumerate(_GREEK) if name != "varsigma"},
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "·": r"\cdot", "×": r"\times", "−": "-",
    "→": r"\to", "∂": r"\partial", "∑": r"\sum", "√": r"\surd", "∞": r"\infty", "∈": r"\in", "⊙": r"\odot",
    "ℓ": r"\ell", "′": "'", "ᵀ": "^{T}", "¹": "^{1}", "²": "^{2}", "³": "^{3}", "⁻": "^{-}", "ϕ": r"\phi",
    "Ŷ": r"\hat{Y}", "ŷ": r"\hat{y}", **{chr(0x2080 + d): f"_{{{d}}}" for d in range(10)},
}
#: Text-mode LaTeX for characters that are special in LaTeX, or that pdfLaTeX's default OT1 font
#: prints as something else (``<`` as ¡).
_LATEX_TEXT = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
    "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}", '"': "''", "…": r"\dots{}",
    **{ch: rf"\ensuremath{{{tex}}}" for ch, tex in UNICODE_MATH.items()},
}


def latex_text(words: str) -> str:
    r"""Plain words as LaTeX text (for ``\text{...}``, ``\section{...}``), escaped for pdfLaTeX.

    Every character LaTeX treats specially is written as a command that prints it, Greek letters and
    the math signs of :data:`UNICODE_MATH` as math; any other character outside ASCII becomes ``?``
    rather than an error (pdfLaTeX knows few of them).
    """
    return "".join(_LATEX_TEXT.get(ch, ch if ch.isascii() else "?") for ch in words)


def latex_typewriter(words: str) -> str:
    r"""Plain words for ``\texttt{...}``: the typewriter font has every ASCII glyph, so a special
    character is its code (``\char92{}`` for ``\``) and ``<``, ``>``, ``|``, ``"`` stay as they are;
    :data:`UNICODE_MATH` as math, as in :func:`latex_text`.
    """
    return "".join(
        rf"\char{ord(ch)}{{}}" if ch in "\\{}$&#%_^~" else ch if ch.isascii()
        else rf"\ensuremath{{{UNICODE_MATH[ch]}}}" if ch in UNICODE_MATH else "?"
        for ch in words
    )


#: Math-mode LaTeX (which MathJax reads too) for the characters :func:`text_for_mathjax` escapes.
_MATH_ESCAPES = {
    "\\": r"\backslash", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%", "_": r"\_",
    "^": r"\hat{}", "~": r"\sim", "<": "<", ">": ">", "|": "|", **UNICODE_MATH,
}


def text_for_mathjax(words: str) -> str:
    r"""Plain words for ``\text{...}`` that LaTeX and MathJax both read: specials as ``$\_$``.

    MathJax takes the inside of ``\text`` literally (``\_`` would show its backslash) but reads
    ``$...$`` in it as math, as LaTeX does.
    """
    return "".join(f"${_MATH_ESCAPES[ch]}$" if ch in _MATH_ESCAPES else ch if ch.isascii() else "?" for ch in words)


def markdown_text(words: str) -> str:
    r"""Plain words as Markdown, with the characters Markdown (and ``$`` math) would act on escaped.

    Brackets become character references: ``\[`` would start display math in Jupyter (MathJax).
    """
    return "".join("&#91;" if ch == "[" else "&#93;" if ch == "]" else "\\" + ch if ch in "\\`*_<>$#|" else ch
                   for ch in words)


def _latex_layout(depth: int, lhs: str, rhs: str, why: str) -> str:
    indent = r"\quad " * depth
    return rf"{indent}{lhs} &= {rhs} && \text{{{why}}} \\"


def _markdown_layout(display: Callable[[str], str]) -> Callable[[int, str, str, str], str]:
    def layout(depth: int, lhs: str, rhs: str, why: str) -> str:
        pad = "  " * depth
        block = "\n".join(f"{pad}  {row}" for row in display(f"{lhs} = {rhs}").splitlines())
        return f"{pad}- {why}\n\n{block}\n"

    return layout


TEXT = Notation("text", unicode, _text_derivative, str, str, _text_layout)
LATEX = Notation("latex", latex, _latex_derivative, latex_text, lambda m: f"${m}$", _latex_layout)
#: Markdown with ``$...$`` and ``$$`` blocks: what Jupyter and MathJax-based renderers read.
MARKDOWN = Notation("markdown", latex, _latex_derivative, markdown_text, lambda m: f"${m}$",
                    _markdown_layout(_dollar_display))
#: Markdown as GitHub renders it: ```` ```math ```` blocks and ``$`...`$`` inline, which GitHub passes
#: to its math renderer verbatim (inside ``$$`` it would first apply Markdown's backslash escapes).
GITHUB_MARKDOWN = Notation("github-markdown", latex, _latex_derivative, markdown_text, _github_inline,
                           _markdown_layout(_github_display), display=_github_display)


def to_json(step: st.Step) -> dict:
    """``{"rule", "expr", "result", "substeps"}`` with LaTeX math, recursively."""
    line = _describe(step, 0)
    data = {"rule": line.rule, "expr": latex(step.expr), "result": latex(step.result)}
    if line.note:
        data["note"] = line.note
    data["substeps"] = [to_json(sub) for sub in step.substeps]
    return data
