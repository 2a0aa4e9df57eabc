r"""LaTeX laid out for documents: where a long step is cut, how nesting shows in an ``align*``.

:data:`LATEX_DOCUMENT` is the notation of the notes' LaTeX and of ``derive show NAME --latex``: one
row of an ``align*`` per step, in a left-aligned column (so indentation shows), the justification
a ragged paragraph beside it; a step too wide for its row puts its right side on rows of its own
and cuts a side between the terms of its outermost sum (:func:`split_terms`), so that every row
fits beside the rule column.  :data:`LATEX_TREE` is the lighter form Jupyter's MathJax reads.
:func:`printed_width` estimates how wide a formula prints.
"""

from __future__ import annotations

import re

from backprop_derive.render.notation import LATEX, Notation, latex, latex_text, text_for_mathjax

_NAMED_OPERATORS = {"log", "exp", "tanh", "sinh", "cosh", "sin", "cos", "tan", "max", "min", "det", "ln"}


def printed_width(tex: str) -> float:
    r"""Roughly how many characters wide ``tex`` prints: a letter is one, a sub- or superscript half.

    ``\log`` counts its letters, ``\text{...}`` its words, a fraction its wider part, a ``cases``
    block its widest row; ``\left``/``\right`` and braces count nothing.  Used only to decide where
    a displayed line is split (a test compiles every note and finds no overfull line).
    """
    tex = re.sub(r"\\(left|right)\b|\\[,;:!]|\s", "", tex)

    def sequence(pos: int, stop: str) -> tuple[float, int]:
        width = 0.0
        while pos < len(tex) and not tex.startswith(stop, pos):
            w, pos = atom(pos)
            width += w
        return width, pos

    def group(pos: int) -> tuple[float, int]:  # tex[pos] == "{"
        width, pos = sequence(pos + 1, "}")
        return width, pos + 1

    def cases(pos: int) -> tuple[float, int]:  # after \begin{cases}
        body_end = tex.find(r"\end{cases}", pos)
        body_end = len(tex) if body_end < 0 else body_end
        rows = tex[pos:body_end].split(r"\\")
        widest = max(sum(printed_width(cell) + 1 for cell in row.split("&")) for row in rows)
        return 1 + widest, body_end + len(r"\end{cases}")

    def atom(pos: int) -> tuple[float, int]:
        if tex[pos] == "{":
            return group(pos)
        if tex[pos] in "_^":
            w, end = atom(pos + 1) if pos + 1 < len(tex) else (0.0, pos + 1)
            return w / 2, end
        if tex[pos] in "+-=<>":
            return 2.0, pos + 1
        command = re.match(r"\\([A-Za-z]+|.)", tex[pos:])
        if command is None:
            return 1.0, pos + 1
        name, end = command.group(1), pos + len(command.group(0))
        if name == "frac":
            top, end = group(end) if tex.startswith("{", end) else (0.0, end)
            bottom, end = group(end) if tex.startswith("{", end) else (0.0, end)
            return max(top, bottom), end
        if name == "begin" and tex.startswith("{cases}", end):
            return cases(end + len("{cases}"))
        if name in ("text", "operatorname", "mathrm") and tex.startswith("{", end):
            close = tex.find("}", end)
            return float(close - end - 1), close + 1
        if name in ("quad", "qquad"):
            return 1.5 * len(name) / 4, end
        if name in ("le", "leq", "ge", "geq", "ne", "cdot", "to"):
            return 2.0, end
        return float(len(name)) if name in _NAMED_OPERATORS else 1.0, end

    return sequence(0, "\0")[0]


#: Above this many printed characters (with 1.2 for each level of indentation), a document line
#: puts its right side on a row of its own.  On A4 with 2 cm margins at 11 pt, beside a rule column
#: of 0.3 of the line, about 330 pt are left; a printed character is 5.4 to 7.6 pt.
DOCUMENT_LINE_WIDTH = 42


def _tree_layout(depth: int, lhs: str, rhs: str, why: str) -> str:
    indent = r"\quad " * depth
    return rf"&{indent}{lhs} = {rhs} &&\text{{{why}}}"


def split_terms(tex: str) -> list[str]:
    r"""``tex`` cut before each ``+``/``-`` between the terms of its outermost sum (not inside braces,
    ``\left…\right`` or an environment): ``a + \frac{b - c}{2} - d`` → ``a``, ``+ \frac{b - c}{2}``, ``- d``."""
    terms, depth, start, pos = [], 0, 0, 0
    while pos < len(tex):
        if tex.startswith((r"\left", r"\begin"), pos):
            depth += 1
        elif tex.startswith((r"\right", r"\end"), pos):
            depth -= 1
        elif tex[pos] in "{}":
            depth += 1 if tex[pos] == "{" else -1
        elif depth == 0 and tex.startswith((" + ", " - "), pos) and pos > start:
            terms.append(tex[start:pos].strip())
            start = pos + 1
        pos += 2 if tex[pos] == "\\" else 1
    return [*terms, tex[start:].strip()]


def _wrapped(tex: str, first: str, room: float) -> list[str]:
    """``first`` + ``tex`` as rows of at most ``room`` printed characters, cut between terms."""
    rows, row = [], first
    for term in split_terms(tex):
        if row.strip() and row != first and printed_width(row + term) > room:
            rows.append(row)
            row = r"\qquad\quad "
        row += term + " "
    return [*rows, row.rstrip()]


def _document_layout(depth: int, lhs: str, rhs: str, why: str) -> str:
    indent = rf"\hspace{{{depth * 0.8:g}em}}" if depth else ""
    rule = rf"\parbox[t]{{0.3\linewidth}}{{\raggedright\small {why}}}"
    room = DOCUMENT_LINE_WIDTH - 1.2 * depth
    if printed_width(lhs) + 2 + printed_width(rhs) <= room:
        return rf"&{indent}{lhs} = {rhs} && {rule}"
    # The right side on rows of its own, and a side too wide for one row cut between its terms: every
    # row fits beside the rule column, which the alignment keeps for all rows.
    rows = _wrapped(lhs, "", room) + _wrapped(rhs, r"\qquad = ", room)
    rows[0] += f" && {rule}"
    return " \\\\*\n".join(f"&{indent}{row}" for row in rows)


#: Rows of an ``aligned``/``align*`` whose nesting shows (left-aligned, indented); the LaTeX that
#: MathJax also reads, for Jupyter.
LATEX_TREE = Notation("latex-tree", latex, LATEX.derivative, text_for_mathjax, lambda m: f"${m}$", _tree_layout,
                      " \\\\\n")
#: Rows of an ``align*`` in a printed document: nesting indented, the justification a ragged paragraph
#: beside the step, a long step's right side on its own row.  Needs only ``amsmath``.
LATEX_DOCUMENT = Notation("latex-document", latex, LATEX.derivative, latex_text, lambda m: f"${m}$",
                          _document_layout, " \\\\\n")
