r"""Plain-text math in words (the network proof's claims, methods and assumptions) typeset as math.

The proof states its claims as one line of text, ``∂L/∂W_l = A_{l-1}ᵀ δ_l, …, any f_l and loss``,
which is what a terminal shows.  A document should show the math as math and the words as words:
:func:`typeset` splits the text at spaces and punctuation into words (``any``, ``loss``, catalog
names such as ``softmax_cce``, ``relu's``) and math (everything else: ``∂L/∂W_l``, ``=``,
``A_{l-1}ᵀ``, ``f'(Z_{l-1})``, ``sum_i y1[i]``), and writes each run of math as one inline formula:

* Unicode math (``∂ δ ⊙ ℓ ᵀ ≤``) becomes its LaTeX command (:data:`backprop_derive.render.notation.UNICODE_MATH`);
* a name of several letters inside math becomes an operator (``relu'(x)`` → ``\operatorname{relu}'(x)``),
  ``d/dx`` stays a derivative and ``sum_i`` becomes ``\sum_i``;
* braces and underscores of subscripts (``A_{l-1}``) stay LaTeX, so no brace or underscore is printed.

``words`` and ``inline`` are the notation's: :func:`~backprop_derive.render.notation.latex_text` and ``$…$`` for a
LaTeX document, :func:`~backprop_derive.render.notation.markdown_text` and ``$`…`$`` for GitHub's Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from backprop_derive.render.notation import UNICODE_MATH

#: An English word, a catalog name (``softmax_cce``), a possessive (``relu's``) or a dotted name
#: (``sympy.diff``): typeset as words.  Single letters, anything with a digit, a sign, a bracket or
#: a subscript of one letter (``f_l``, ``W_l``) is math.
_WORD = re.compile(r"\(?(?:[a-z]{2,}(?:_[a-z]{2,})*(?:'s)?(?:\.[a-z]{2,})*|[A-Za-z]{2,}(?:'s)?)\)?")
_NAME_IN_MATH = re.compile(r"(?<![\\A-Za-z])([A-Za-z]{2,}(?:_[a-z]{2,})*)(?![A-Za-z{])")


def math_latex(text: str) -> str:
    r"""One run of plain-text math as LaTeX math: ``A_{l-1}ᵀ δ_l`` → ``A_{l-1}^{T} \delta_l``."""
    text = re.sub(r"\bd/d([a-z])\b", r"\\mathrm{d}/\\mathrm{d}\1", text)
    text = re.sub(r"\bsum_", r"\\sum_", text)
    text = _NAME_IN_MATH.sub(lambda m: r"\operatorname{" + m.group(1).replace("_", r"\_") + "}", text)
    out = []
    for ch in text:
        tex = UNICODE_MATH.get(ch, ch)
        out.append(f"{tex} " if tex.startswith("\\") and tex[1:].isalpha() else tex)
    return re.sub(r" +([_^])", r"\1", "".join(out)).strip()


def _balanced(text: str) -> bool:
    """Whether ``text`` can be math: its braces nest and it holds none of LaTeX's other specials."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0 or ch in "$%&#~\\":
            return False
    return depth == 0


def _pieces(token: str) -> list[str]:
    """A token without spaces as (opening parenthesis, core, closing parenthesis and punctuation);
    a parenthesis is peeled off only when the core does not close it itself (``f'(Z)`` keeps its own)."""
    core, before, after = token, "", ""
    while core and core[-1] in ",;:":
        core, after = core[:-1], core[-1] + after
    if core.endswith(")") and core.count(")") > core.count("("):
        core, after = core[:-1], ")" + after
    if core.startswith("(") and core.count("(") > core.count(")"):
        core, before = core[1:], "("
    return [p for p in (before, core, after) if p]


def typeset(text: str, words: Callable[[str], str], inline: Callable[[str], str]) -> str:
    """``text`` with each run of math as one inline formula and the words escaped for the notation."""
    out: list[str] = []
    math: list[str] = []

    def flush() -> None:
        joined = "".join(math)
        if joined.strip() in ("+", "-") or not _balanced(joined):  # a sign between words; or not math
            out.append(words(joined))
        elif joined.strip():
            out.append(inline(math_latex(joined)) + (words(" ") if joined != joined.rstrip() else ""))
        math.clear()

    for token in re.split(r"(\s+)", text):
        if not token:
            continue
        if token.isspace():
            (math if math else out).append(token if math else words(token))
            continue
        for piece in _pieces(token):
            if _WORD.fullmatch(piece) or piece.strip("(),;:") == "":
                flush()
                out.append(words(piece))
            else:
                math.append(piece)
    flush()
    return "".join(out)
