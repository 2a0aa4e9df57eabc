r"""A gradient named in prose: "$\frac{\partial L}{\partial Z}$ is 𝛿 (the error signal from the next layer)".

In a matrix document, a line of prose whose inline formula is a derivative fraction of two names, followed
by "is" and one name (in inline math, or a letter such as 𝛿 or δ written as text), names that gradient:
the name is defined as the fraction, from that line on.  Read only so, and only where the fraction means
a gradient of the document's loss:

* ``\frac{\partial L}{\partial Z}`` with L the loss (differentiated in a display, defined nowhere) and Z a
  name a display defines: the name stands for :math:`\partial L/\partial Z`, as written;
* ``\frac{\partial Z}{\partial L}``, the same two names the other way up: Z does not depend on L (L, the
  loss, is what the document differentiates), so the fraction written has no meaning but the gradient
  :math:`\partial L/\partial Z` the document differentiates elsewhere; it is read as that, and the reading
  is shown with the definition, so the user sees exactly what was assumed.

Any other fraction, or a name already defined, defines nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from backprop_derive.verify.latex import names as latex_names
from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.reader import name_key, read_matrix

_FRACTION = re.compile(
    r"\$\s*\\frac\s*\{\s*\\partial\s*(?P<top>[^{}$]+?)\s*\}\s*\{\s*\\partial\s*(?P<bottom>[^{}$]+?)\s*\}\s*\$"
    r"\s+is\s+(?:\$(?P<math>[^$]+)\$|(?P<letter>[^\s$.,;:()]))(?=[\s.,;:(]|$)")


@dataclass(frozen=True)
class NamedGradient:
    """``name`` (LaTeX) stands for ``gradient`` (LaTeX) from ``line``; ``how`` says how it was read."""

    name: str
    gradient: str
    line: int
    column: int
    how: str


def _letter(text: str) -> str | None:
    """The LaTeX of one letter written as text: ``𝛿`` and ``δ`` give ``\\delta``, ``𝑏`` gives ``b``."""
    if len(text) != 1:
        return None
    if text.isascii():
        return text if text.isalpha() else None
    described = unicodedata.name(text, "")
    m = re.fullmatch(r"(?:MATHEMATICAL (?:BOLD |ITALIC |BOLD ITALIC )?)?(?:GREEK )?(SMALL|CAPITAL) (?:LETTER )?"
                     r"([A-Z]+)", described)
    if m is None:
        return None
    word = m.group(2).lower()
    if len(word) == 1:
        return word if m.group(1) == "SMALL" else word.upper()
    word = word if m.group(1) == "SMALL" else word.capitalize()
    return f"\\{word}" if word in latex_names.GREEK else None


def named_gradients(text: str, defined: Iterable[str], losses: Iterable[str]) -> list[NamedGradient]:
    """The gradients ``text`` (a document) names in prose; ``defined``: the keys displays define, ``losses``:
    the keys differentiated in displays and defined nowhere."""
    defined, losses = set(defined), set(losses)
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("$$", "<!--")):
            continue
        for m in _FRACTION.finditer(line):
            name = m.group("math").strip() if m.group("math") else _letter(m.group("letter"))
            key = name_key(name) if name else None
            top, bottom = name_key(m.group("top")), name_key(m.group("bottom"))
            if key is None or key in defined or top is None or bottom is None:
                continue
            if top in losses and bottom in defined:
                gradient, how = (m.group("top"), m.group("bottom")), "named as the gradient it writes"
            elif bottom in losses and top in defined:
                gradient = (m.group("bottom"), m.group("top"))
                how = (f"'∂{top}/∂{bottom} is {key}', read as ∂{bottom}/∂{top}: {top} does not depend on "
                       f"{bottom} (the loss), so the fraction as written means nothing here")
            else:
                continue
            latex = f"\\frac{{\\partial {gradient[0]}}}{{\\partial {gradient[1]}}}"
            if not isinstance(read_matrix(latex), nd.Gradient):
                continue
            found.append(NamedGradient(name, latex, number, m.start() + 1, how))
    return found
