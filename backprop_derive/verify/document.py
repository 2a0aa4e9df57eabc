r"""Find every claim in a Markdown or LaTeX document: display-math regions (found by
:mod:`backprop_derive.verify.regions`), their chains, and what is in force for each (assumptions,
conditions, declared readings, definitions in prose).

**Regions.**  A display-math region is ``$$…$$``, ``\[…\]``, a ```` ```math ```` fence, or an
``equation``/``align``/``gather``/``multline``/``flalign``/``alignat``/``eqnarray``/``displaymath``
environment (starred or not), found by :func:`regions` -- a scanner of our own, not a general
LaTeX walker: in Markdown a ``%`` is text (``50% of $$x = 2x$$`` must not hide the display, as a
LaTeX comment would), code spans and fences are not math, and blockquote markers (``> $$``) are
not part of the formula.  Inside a region, the layout environments ``align``, ``aligned``,
``split``, ``gather``, ``gathered``, ``array`` (and the others above) nest at any depth; their
``\begin``/``\end`` lines, ``\boxed{…}``, MathJax's ``\color{red}{…}``, ``\tag``, ``\label`` and row
spacing ``\\[2pt]`` are layout, not meaning, and are blanked so that every offset stays where it was.

**Nothing is skipped in silence.**  A region that is never closed, a closer without an opener,
display math opened inside display math, or a region whose body holds a relation that no chain
reads (``a \le b``) is a chain with a ``problem``: verify reports it as an ``error``.  Every
region is counted (:class:`Region`), so the report can say how many were found and read.

**Chains.**  Inside a region rows are separated by ``\\``; ``&`` is alignment.  Each row is a
chain ``a = b = c`` split on its top-level ``=``.  A row that begins with ``=`` continues the chain
before it; in a new region (as hand-written notes do) it begins the region's own chain at the last side
before it, so that each step belongs to the display it is written in; a row without ``=`` that begins with
``+``, ``-`` or ``\cdot`` continues the last side (a long right side broken over lines).
``\implies``, ``\Rightarrow``, ``\iff``, ``\therefore``, ``\because`` (:data:`BETWEEN`) end one chain and begin
the next.

**In force.**  ``% assume: y_1 + y_2 = 1`` holds for the document's rest.  A condition attached
to a region or a chain holds for it alone: prose right before the region (``If $i = j$:``,
``For $k \neq i$,``), or ``\text{if } i = j``, ``\text{for } i \ne j``, ``(i = j)`` at the end of a
row.  ``% function: v, g`` and ``% symbol: v`` declare how a letter before a parenthesis is read
(an unknown function, or a factor), for the document's rest.

Everything keeps its place: a :class:`Side` knows the line and column of its first character and
its source text verbatim, so an error inside it is reported where it is in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from backprop_derive.verify.cues import is_value, plain_definitions, worded_premises
from backprop_derive.verify.latex.macros import expand
from backprop_derive.verify.latex.names import DELIMITED
from backprop_derive.verify.prose import (
    asserted,
    clause_begins,
    introduces_definition,
    labelled_definitions,
    paragraphs_around,
    premises_around,
    prose_of,
    said_to_be,
    values_given,
    visible,
    worded_condition,
)
from backprop_derive.verify.regions import (
    LAYOUT_ENVIRONMENTS,
    Positions,
    Region,
    Side,
    blank_span,
    is_latex,
    regions,
    strip_comments,
)

#: Display environments that open a region (a ``*`` may follow each).
#: Prose that states assumptions for the document's rest: "assuming $y_1 + y_2 = 1$, $k \le K$".
_PROSE_ASSUMPTION = re.compile(r"(?i)\b(?:assuming|assume|suppose|we assume)\b"
                               r"(?P<list>(?:[\s,]*(?:and\s+)?\$[^$]+\$)+)")
#: "1 \le i, k \le K": indices in range, which every step with a count assumes already.
_INDEX_RANGE = re.compile(r"\s*1\s*\\leq?\s*[A-Za-z](?:\s*,\s*[A-Za-z])*\s*\\leq?\s*[A-Za-z]\s*")
_DIRECTIVE = re.compile(r"^[ \t]*%[ \t]*(?P<kind>assume|function|symbol)s?:[ \t]*(?P<text>.*?)[ \t]*$",
                        re.MULTILINE)
_LAYOUT = re.compile(
    r"\\begin\s*\{(?:" + "|".join(LAYOUT_ENVIRONMENTS) + r")\*?\}(?:\[[a-z]\])?(?:\{[^{}]*\})?"
    r"|\\end\s*\{(?:" + "|".join(LAYOUT_ENVIRONMENTS) + r")\*?\}"
    r"|\\(?:label|tag\*?|eqref|hspace\*?|vspace\*?)\{[^{}]*\}|\\(?:nonumber|notag)\b"
)
#: Spacing that may stand before a continuing operator (``&\\quad + 1``).
_SPACING = r"(?:\\quad|\\qquad|\\[,;:!]|\s)*"
#: Marks, inside a row, where a second equation of an ``align`` row begins.
_NEXT = "\x00"
#: Relations between equations: a chain ends, the next begins (one table: a new one is one entry here).
BETWEEN = ("\\implies", "\\Rightarrow", "\\Longrightarrow", "\\iff", "\\Leftrightarrow", "\\Longleftrightarrow",
           "\\impliedby", "\\Leftarrow", "\\Longleftarrow", "\\therefore", "\\because")
_CONDITION_WORDS = r"(?:if|for|when|whenever|for\s+all|in\s+the\s+case)"
_PROSE_CONDITION = re.compile(r"(?:^|[\s(])" r"(?i:" + _CONDITION_WORDS + r")\s+\$(?P<cond>[^$]+)\$\s*"
                              r"(?:,[^$\n]{0,40})?[:,.]?\s*$")
#: "First, $i \\neq j$:": a relation of two indices alone, ending the paragraph with a colon.
_PROSE_CASE = re.compile(r"(?:^|[\s(,])\$(?P<cond>\s*[A-Za-z]\s*(?:=|\\neq?|\\ne)\s*[A-Za-z]\s*)\$\s*:\s*$")
_ROW_CONDITION = re.compile(
    r"(?:,|\\quad|\\qquad|\\,|\\;|\s)*(?:\\text\{\s*(?:if|for|when)\s*\}\s*(?P<a>[^{}]+?)"
    r"|\\(?:text|mbox)\{\s*(?:if|for|when)\s+\$(?P<b>[^$]+)\$\s*\}"
    r"|(?<![A-Za-z0-9}\])])\((?P<c>[A-Za-z](?:_[A-Za-z0-9])?\s*(?:=|\\neq?|\\ne|<|>|\\le|\\ge)\s*-?[A-Za-z0-9.]+)\)"
    r"|,?\s*\\q?quad\s*(?P<d>[A-Za-z]\s*(?:=|\\neq?(?![A-Za-z])|\\ne(?![A-Za-z]))\s*[A-Za-z0-9]))\s*[.,;]?\s*$"
)


@dataclass(frozen=True)
class Chain:
    """``sides[0] = sides[1] = …``, what is in force, and ``problem`` if it cannot be read at all.

    ``assumptions`` hold for the document's rest; ``conditions`` for this chain or its region alone;
    ``functions``/``symbols`` are the declared readings; ``region`` indexes :attr:`Document.regions`.
    """

    line: int
    sides: tuple[Side, ...]
    assumptions: tuple[Side, ...] = ()
    problem: str | None = None
    conditions: tuple[Side, ...] = ()
    functions: frozenset[str] = frozenset()
    symbols: frozenset[str] = frozenset()
    region: int | None = None
    defines: bool = False
    #: ``=``, or ``\approx`` for the step ``a \approx b`` of a chain ``… = a \approx b = …``: stated, not judged
    #: (an ``error`` whose method is ``approximation``: the region was read).
    relation: str = "="
    #: Conditions whose scope may or may not reach this chain: a condition in words ("If $i = j$, this gives:")
    #: stated before an earlier display of a run of displays with no words between them.  A step is refuted only
    #: where it is refuted under them too (:func:`backprop_derive.verify.check.verify_chain`).
    uncertain: tuple[Side, ...] = ()

    @property
    def source(self) -> str:
        return " = ".join(" ".join(side.text.split()) for side in self.sides)


@dataclass(frozen=True)
class ProseDefinition:
    """Inline math in prose that defines a name: ``Let $S_i = …$`` (``how`` is the word before it)."""

    lhs: Side
    rhs: Side
    how: str
    #: (line, column) from which it is in force, when not from where it is written: "$$…$$ where $φ(x) = …$"
    #: defines φ for the display before it.
    since: tuple[int, int] | None = None
    #: The sides after ``rhs`` when the prose writes a chain (``y = A = B``): the name means A only where A = B holds
    #: (:func:`backprop_derive.verify.check.verify_text` checks it), else the document gives it two meanings.
    rest: tuple[Side, ...] = ()


@dataclass(frozen=True)
class Document:
    regions: tuple[Region, ...]
    chains: tuple[Chain, ...]
    definitions: tuple[ProseDefinition, ...] = ()
    #: Premises given in words beside a display, which the reader cannot read: (region, the sentence, the names
    #: its inline math writes) (:func:`backprop_derive.verify.cues.worded_premises`).
    worded: tuple[tuple[int, Side, frozenset[str]], ...] = ()
    #: Displays the prose before them says are "the derivative" (or gradient, Jacobian): (region, the word).
    said: tuple[tuple[int, str], ...] = ()


#: Delimiting commands (``\langle u, v \rangle``, :data:`backprop_derive.verify.latex.names.DELIMITED`) that group
# like braces.
_OPENERS = frozenset(o for o, (c, _) in DELIMITED.items() if o != c)
_CLOSERS = frozenset(c for o, (c, _) in DELIMITED.items() if o != c)


def top_level_splits(text: str, separators: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each piece of ``text`` between top-level ``separators``.

    Top level means outside ``{}``, ``()``, ``[]`` and ``\\begin…\\end``; escaped characters and
    command names are skipped (a separator that is a command, ``\\implies``, matches whole).  A
    stray closer never takes the depth below 0.
    """
    pieces, depth, start, pos = [], 0, 0, 0
    while pos < len(text):
        if depth == 0:
            hit = next((s for s in separators if text.startswith(s, pos)
                        and not (s[-1].isalpha() and text[pos + len(s) : pos + len(s) + 1].isalpha())), None)
            if hit is not None:
                pieces.append((start, pos))
                pos += len(hit)
                start = pos
                continue
        ch = text[pos]
        if ch == "\\":
            match = re.match(r"\\(begin|end)\{[^{}]*\}|\\[A-Za-z]+|\\.?", text[pos:], re.DOTALL)
            if match.group(1) == "begin" or match.group() in _OPENERS:
                depth += 1
            elif match.group(1) == "end" or match.group() in _CLOSERS:
                depth = max(depth - 1, 0)
            pos += len(match.group())
            continue
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth = max(depth - 1, 0)
        pos += 1
    pieces.append((start, len(text)))
    return pieces


# ------------------------------------------------------------------------- bodies into chains


def flatten(body: str) -> str:
    r"""The body with its layout blanked, offsets unchanged (see the module); ``\intertext`` is a row break."""
    chars = list(strip_comments(body))
    text = "".join(chars)
    for m in _BRACE_ARRAY.finditer(text):  # \left\{ \begin{array}{ll} … \end{array} \right. is a cases block
        for start, end, word in ((m.start(), m.start("body"), r"\begin{cases}"),
                                 (m.end("body"), m.end(), r"\end{cases}")):
            blank_span(chars, start, end)
            chars[start : start + len(word)] = word
    text = "".join(chars)
    for m in _LAYOUT.finditer(text):
        blank_span(chars, m.start(), m.end())
    for m in re.finditer(r"\\\\\*?(\s*\[[^\]\n]*\])?", text):  # \\[2pt], \\*
        blank_span(chars, m.start() + 2, m.end())
    for m in re.finditer(r"\\(?:shortintertext|intertext)\{", text):
        close = _closing_brace(text, m.end() - 1)
        if close > 0:
            blank_span(chars, m.start(), close + 1)
            chars[m.start()], chars[m.start() + 1] = "\\", "\\"
    for m in re.finditer(r"\\boxed\{|\\(?:text)?color\{[A-Za-z!0-9]*\}\s*\{", text):
        close = _closing_brace(text, m.end() - 1)  # \boxed{…}, MathJax's \color{red}{…}: the group's math kept
        if close > 0:
            blank_span(chars, m.start(), m.end())
            chars[close] = " "
    return "".join(chars)


_BRACE_ARRAY = re.compile(r"\\left\s*\\\{\s*\\begin\{array\}\{[lcr| ]*\}(?P<body>(?:(?!\\begin\{array\}).)*?)"
                          r"\\end\{array\}\s*\\right\s*\.", re.DOTALL)


def _closing_brace(text: str, opening: int) -> int:
    depth = 0
    pos = opening
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":
            pos += 2
            continue
        depth += (ch == "{") - (ch == "}")
        if depth == 0:
            return pos
        pos += 1
    return -1


_ANNOTATION = re.compile(
    r"(?:\\quad|\\qquad|\\,|\\;|\s)*(?:\\(?:text|mbox|textrm|textit)"
    r"|\\parbox(?:\[[a-z]\])?\{[^{}]*\})\{(?P<note>(?:[^{}]|\{[^{}]*\})*)\}\s*[.,;]?\s*$")


#: ``\quad [\text{chain rule}]``: a reason in brackets after spacing.
_BRACKETED = re.compile(r"(?:\\quad|\\qquad|\\,|\\;)(?:\\quad|\\qquad|\\,|\\;|\s)*[\[(]\s*\\(?:text|mbox|textrm|textit)"
                        r"\{(?P<note>[^{}]*)\}\s*[\])]\s*[.,;]?\s*$")


#: A size written after a row (``&& (n \times h)``, ``\quad (10 \times 3)``, ``\qquad [n, C]``): the shape of what
#: the row computes, an annotation, never a factor.  Spacing or an empty column must stand before it.
_SIZE = r"[A-Za-z0-9]+(?:_\{?[A-Za-z0-9]+\}?)?"
_SHAPE_NOTE = re.compile(r"(?:&\s*&|\\quad|\\qquad)(?:\\quad|\\qquad|\\[,;:]|\s)*[\[(]\s*(?P<note>" + _SIZE
                         + r"(?:\s*(?:\\times|×|,)\s*" + _SIZE + r")+)\s*[\])]\s*[.,;]?\s*$")


#: A membership written after a row's last side (``h_t = \tanh(z_t) \in \mathbb{R}^{1 \times H}``): the shape of
#: what the row computes, an annotation like :data:`_SHAPE_NOTE`, never a relation to judge.
_MEMBERSHIP_NOTE = re.compile(r"\\in\s*(?:\\mathbb\s*\{\s*R\s*\}|\\mathbb\s*R|\\R(?![A-Za-z])|ℝ)"
                              r"(?:\s*\^\s*(?P<size>\{[^{}]*\}|\w))?\s*$")


def _membership(row: str) -> tuple[str, str | None]:
    """``row`` without a trailing ``\\in \\mathbb{R}^{…}`` at its top level, and the shape it states."""
    m = _MEMBERSHIP_NOTE.search(row)
    if m is None or row[: m.start()].count("{") != row[: m.start()].count("}") or "=" not in row[: m.start()]:
        return row, None
    size = (m.group("size") or "1").strip("{}")
    return row[: m.start()] + " " * (len(row) - m.start()), "shape " + " ".join(size.replace("\\times", "×").split())


def _annotation(row: str) -> tuple[str, str | None]:
    """``row`` without a trailing ``\\text{…}`` or ``\\parbox{w}{…}`` that states a reason (``(chain rule)``),
    and the reason.  A ``\\text{if …}``/``\\text{for …}`` is a condition, not a reason (:func:`_row_condition`).
    """
    shape = _SHAPE_NOTE.search(row)
    if shape is not None:
        return row[: shape.start()] + " " * (len(row) - shape.start()), "shape " + " ".join(shape.group("note").split())
    column = _annotation_column(row)
    if column is not None:
        return column
    box = row.rfind("\\parbox")
    if box >= 0:  # its text may hold braces and $…$: matched by brace depth
        after = re.match(r"\\parbox(?:\[[a-z]\])?\{[^{}]*\}\{", row[box:])
        close = _closing_brace(row, box + after.end() - 1) if after else -1
        if close > 0 and not row[close + 1 :].strip(" .,;"):
            note = re.sub(r"\\(?:raggedright|small|footnotesize|scriptsize)\b|\$", " ", row[box + after.end() : close])
            return row[:box] + " " * (len(row) - box), " ".join(note.split())
    m = _BRACKETED.search(row) or _ANNOTATION.search(row) or _nested_annotation(row)
    if m is None or re.match(r"\s*(if|for|when|otherwise)\b", m.group("note")):
        return row, None
    note = re.sub(r"\\(?:raggedright|small|footnotesize|scriptsize)\b", " ", m.group("note"))
    return row[: m.start()] + " " * (len(row) - m.start()), " ".join(note.split()).strip("() ")


def _nested_annotation(row: str):
    """A trailing ``\\text{…}`` whose text holds braces at any depth (``\\ensuremath{^{2}}``, ``\\{…\\}``),
    matched by brace depth; as a match of :data:`_ANNOTATION` would be (``start()``, ``group("note")``)."""
    for opener in reversed(list(re.finditer(r"\\(?:text|mbox|textrm|textit)\{", row))):
        close = _closing_brace(row, opener.end() - 1)
        if close > 0 and not row[close + 1 :].strip(" .,;"):
            return _Found(opener.start(), row[opener.end() : close])
    return None


@dataclass(frozen=True)
class _Found:
    at: int
    note: str

    def start(self) -> int:
        return self.at

    def group(self, _name: str) -> str:
        return self.note


def _annotation_column(row: str) -> tuple[str, str] | None:
    r"""``a &= b && \text{softmax Jacobian, and } \sum_k y_k = 1``: after an empty alignment column, a last column
    that holds prose (``\text``) is the author's reason, math and all; None where the row has none (or it
    begins with a condition: ``&& \text{if } i = j``)."""
    columns = top_level_splits(row, ("&",))
    empty = next((n for n in range(1, len(columns) - 1) if not row[columns[n][0] : columns[n][1]].strip()), None)
    if empty is None:
        return None
    rest = row[columns[empty + 1][0] :]
    if not re.search(r"\\(?:text|mbox|textrm|textit)\s*\{", rest) or \
            re.match(r"\s*\\(?:text|mbox)\s*\{\s*(?:if|for|when|otherwise)\b", rest):
        return None
    note = re.sub(r"\\(?:text|mbox|textrm|textit)\s*\{([^{}]*)\}", r"\1", rest)
    note = re.sub(r"\\(?:textstyle|displaystyle|quad|qquad)\b|[$]", " ", note)
    start = columns[empty][0] - 1  # the first '&' of '&&'
    return row[:start] + " " * (len(row) - start), " ".join(note.split()).strip("() ")


_DEFINE = re.compile(r":=|\\coloneqq(?![A-Za-z])|\\triangleq(?![A-Za-z])|\\equiv(?![A-Za-z])|"
                     r"\\(?:stackrel|overset)\{\s*(?:\\text\{|\\mathrm\{)?\s*def\s*\}?\s*\}\s*\{\s*=\s*\}")


def _definition_mark(row: str) -> tuple[str, bool]:
    """``row`` with its first top-level definition sign (``:=``, ``\\coloneqq``, ``\\stackrel{\\text{def}}{=}``)
    written as ``=``, and whether it had one (the chain's first step then defines its left side)."""
    m = _DEFINE.search(row)
    if m is None:
        return row, False
    return row[: m.start()] + "=" + " " * (len(m.group()) - 1) + row[m.end() :], True


#: How a definition in plain sight is named (:mod:`backprop_derive.verify.cues`): it defines only a new name.
PLAIN = "inline, no cue word"
_PROSE_DEFINITION = re.compile(r"(?i)\b(?P<how>let|where|with|define|defining|denote|we\s+write|here)\b(?::\s*-?)?"
                               r"(?P<between>[^$.;:]{0,40}?)(?:\$(?P<math>[^$]+)\$|\\\((?P<paren>[^$\n]+?)\\\))")
#: Defining words that define only where they begin a clause or follow a display ("With $x = …$, …",
#: "$$…$$ with $σ(z) = …$"); in the middle of a sentence they say something in passing.
_IN_PASSING = ("with", "here")
#: Between a display and a "where" that defines what it uses: blank lines, a colon, a list's dash.
_RIGHT_AFTER = re.compile(r"[\s:,.\-*]*")


def _prose_assumptions(text: str, where: Positions) -> list:
    """Assumptions stated in prose ("assuming $a$, $b$"), each inline formula one assumption; a chained
    inequality ``1 \\le k \\le K`` is two.  ``text`` is what a reader sees
    (:func:`~backprop_derive.verify.prose.visible`);
    an assumption denied in its clause ("we do not assume $a$") is none
    (:func:`~backprop_derive.verify.prose.asserted`)."""
    found = []
    for m in _PROSE_ASSUMPTION.finditer(text):
        if not asserted(text, m.start("list")):
            continue
        for math in re.finditer(r"\$(?P<m>[^$]+)\$", m.group("list")):
            start = m.start("list") + math.start("m")
            formula = math.group("m").strip("`")
            offset = start + (len(math.group("m")) - len(math.group("m").lstrip("`")))
            if _INDEX_RANGE.fullmatch(formula):
                continue
            pieces = top_level_splits(formula, ("\\le", "\\leq", "\\ge", "\\geq", "<", ">"))
            if len(pieces) > 2:  # a chained inequality: each neighbouring pair
                signs = [formula[pieces[n][1] : pieces[n + 1][0]] for n in range(len(pieces) - 1)]
                parts = [f"{formula[a:b]} {sign} {formula[c:d]}" for (a, b), sign, (c, d)
                         in zip(pieces, signs, pieces[1:], strict=False)]
            else:
                parts = [formula]
            found += [(offset, "assume", Side(part.strip(), *where(offset), part.strip())) for part in parts]
    return found


_STANDARD_NORMAL = re.compile(r"\$\s*(?:P\s*\(\s*)?(?P<v>[A-Z])(?:\s*\))?\s*\\sim\s*(?:\\mathcal\s*\{\s*N\s*\}|"
                              r"\\mathcal\s*N|N)\s*\(\s*0\s*,\s*1\s*\)\s*\$")
#: The probabilities of a standard normal X, by relation: P(X \le t) = Φ(t), and so on.
_NORMAL_EVENTS = ((r"\le", r"\Phi(t)"), ("<", r"\Phi(t)"), (r"\ge", r"1 - \Phi(t)"), (">", r"1 - \Phi(t)"))


def _normal_definitions(masked: str, spans: list[tuple[int, int]], where: Positions) -> list:
    """"where $X \\sim N(0, 1)$" (also ``\\mathcal{N}``, and ``P(X) \\sim N(0,1)`` as people write it): the
    probabilities ``P(X \\le t)``, ``\\mathbb{P}(X > t)`` … of X as the normal CDF Φ, for the steps after it."""
    found = []
    for m in _STANDARD_NORMAL.finditer(masked):
        if any(a <= m.start() < b for a, b in spans):
            continue
        line, column = where(m.start("v"))
        for head in ("P", r"\mathbb{P}"):
            for sign, value in _NORMAL_EVENTS:
                lhs = f"{head}({m.group('v')} {sign} t)"
                found.append(ProseDefinition(Side(lhs, line, column, m.group()), Side(value, line, column),
                                             f"{m.group('v')} ~ N(0, 1)"))
    return found


def prose_definitions(masked: str, text: str, spans: list[tuple[int, int]], where: Positions) -> list:
    """Inline math introduced by a defining word, outside the display regions (``spans``); a standard normal
    variable's probabilities (:func:`_normal_definitions`)."""
    found = _normal_definitions(masked, spans, where)
    for m in _PROSE_DEFINITION.finditer(masked):
        group = "math" if m.group("math") is not None else "paren"
        if any(a <= m.start() < b for a, b in spans) or masked[m.start(group) - 2 : m.start(group)] == "$$" \
                or not asserted(masked, m.start(group)):
            continue
        chunks = [(m.start(group), m.group(group))]
        since = None
        before = max((r for r in spans if r[1] <= m.start()), default=None, key=lambda r: r[1])
        right_after = before is not None and _RIGHT_AFTER.fullmatch(masked[before[1] : m.start()]) is not None
        if m.group("how").lower() in _IN_PASSING and not right_after and not clause_begins(masked, m.start()):
            continue  # "the layer, with $x = 1$ as in the figure": said in passing, defines nothing
        if m.group("how").lower() == "where" and right_after:
            since = where(before[0])
        tail = re.compile(r"\s*(?:,|and|,\s*and)\s*\$(?P<math>[^$]+)\$")
        pos = m.end()
        while (more := tail.match(masked, pos)) is not None:
            chunks.append((more.start("math"), more.group("math")))
            pos = more.end()
        for start, math in chunks:
            sides = _equation_sides(math, start, text, where)
            if sides is not None:
                lhs, rhs, marked, rest = sides
                found.append(ProseDefinition(lhs, rhs, m.group("how").lower() + (" :=" if marked else ""), since,
                                             rest))
    taken = {(d.lhs.line, d.lhs.column) for d in found}
    for label, start, math in labelled_definitions(prose_of(masked)):
        sides = None if any(a <= start < b for a, b in spans) else _equation_sides(math, start, text, where)
        if sides is not None and (sides[0].line, sides[0].column) not in taken:
            found.append(ProseDefinition(sides[0], sides[1], f"labelled list: {label}" + (" :=" if sides[2] else ""),
                                         rest=sides[3]))
    taken = {(d.lhs.line, d.lhs.column) for d in found}
    for start, math, _ in plain_definitions(masked, spans):
        sides = _equation_sides(math, start, text, where)
        if sides is not None and (sides[0].line, sides[0].column) not in taken and not is_value(sides[1].text):
            found.append(ProseDefinition(sides[0], sides[1], PLAIN + (" :=" if sides[2] else ""), rest=sides[3]))
    return found


def _equation_sides(math: str, start: int, text: str, where: Positions) -> tuple[Side, Side, bool, tuple] | None:
    """The two sides of the inline equation ``math`` found at offset ``start`` of ``text``, and whether it was
    written with a definition sign; None without a top-level ``=``.

    A chain ``y = A = B`` gives y = A, and its later sides (B) as the fourth item: y means A where A = B holds."""
    math, marked = _definition_mark(math)
    pieces = top_level_splits(math, ("=",))
    if len(pieces) < 2:
        return None
    sides = []
    for e, f in pieces:
        lead = len(math[e:f]) - len(math[e:f].lstrip())
        sides.append(Side(math[e:f].strip(), *where(start + e + lead), text[start + e + lead : start + f].strip()))
    return sides[0], sides[1], marked, tuple(sides[2:])


_SEPARATOR = re.compile(r",(?P<space>(?:\s|\\[,;:]|\\q?quad(?![A-Za-z]))+)"
                        r"(?:\\(?:mathrm|text)\{\s*(?P<then>then|and)\s*\}(?:\s|\\[,;:]|\\q?quad(?![A-Za-z]))*)?")
_IF = re.compile(r"\s*(?:\\(?:mathrm|text)\{\s*if\s*\}|if(?=\\[,;:]|\\q?quad|\s))")


def _statements(row: str) -> str:
    r"""``a = 1,\quad b = 0`` and ``if\; y = …,\; \mathrm{then}\; \frac{dy}{dx} = …``: two equations in one row,
    split where a top-level comma and spacing (or "then") stand before an ``=`` (marked as :data:`_NEXT`); a
    leading "if" before such a "then" is blanked.  A comma before no equation is left alone."""
    cuts = []
    for m in _SEPARATOR.finditer(row):
        before = row[: m.start()]
        if before.count("{") != before.count("}") or before.count("(") != before.count(")") or \
                before.count("\\begin{") != before.count("\\end{") or \
                sum(before.count(o) for o in _OPENERS) != sum(before.count(c) for c in _CLOSERS):  # not top level
            continue
        after = row[m.end() :]
        if "=" not in after[: top_level_splits(after, (",",))[0][1]] or "=" not in before:
            continue
        cuts.append(m)
    for m in reversed(cuts):
        row = row[: m.start()] + _NEXT + " " * (m.end() - m.start() - 1) + row[m.end() :]
        if m.group("then") == "then" and (lead := _IF.match(row)) is not None:
            row = " " * lead.end() + row[lead.end() :]
    return row


def _row_condition(row: str) -> tuple[str, str | None, int]:
    """``row`` without a trailing condition (``\\text{if } i = j``, ``(i = j)``), the condition, its offset."""
    m = _ROW_CONDITION.search(row)
    if m is None:
        return row, None, 0
    name = next(g for g in ("a", "b", "c", "d") if m.group(g))
    return row[: m.start()] + " " * (len(row) - m.start()), m.group(name).strip(), m.start(name)


@dataclass
class _Reader:
    text: str
    where: Positions
    directives: list = field(default_factory=list)
    chains: list = field(default_factory=list)
    current: list | None = None
    current_line: int = 0
    current_start: int = 0
    current_region: int | None = None
    current_conditions: tuple = ()
    defining: bool = False
    current_defines: bool = False
    #: The region's first chain is written as a definition: the prose before it says so ("It is defined as").
    introduced: bool = False
    #: The prose conditions of the region whose first row is being read (a case of a split, see :meth:`fork`).
    entering: tuple = ()
    #: The side (and conditions) the cases of the current chain's split start from.
    base: tuple | None = None

    def in_force(self, offset: int, kind: str = "assume") -> tuple:
        return tuple(side for start, k, side in self.directives if k == kind and start < offset)

    def declared(self, offset: int, kind: str) -> frozenset[str]:
        return frozenset(n.strip().lstrip("\\") for side in self.in_force(offset, kind)
                         for n in side.text.split(",") if n.strip())

    def side(self, row: str, a: int, b: int, offset: int) -> Side:
        text = row[a:b]
        lead = len(text) - len(text.lstrip())
        start = offset + a + lead
        stripped = text.strip()
        return Side(stripped, *self.where(start), self.text[start : start + len(stripped)])

    def close(self) -> None:
        if self.current is not None and len(self.current) > 1:
            start = self.current_start
            self.chains.append(Chain(self.current_line, tuple(self.current), self.in_force(start), None,
                                     self.current_conditions, self.declared(start, "function"),
                                     self.declared(start, "symbol"), self.current_region, self.current_defines))
        self.current = None

    def problem(self, line: int, side: Side, message: str, region: int) -> None:
        self.close()
        self.chains.append(Chain(line, (side,), (), message, region=region))

    def row(self, row: str, offset: int, region: int, conditions: tuple, construct: str = "") -> bool:
        """Read one row; whether it held an ``=`` at its top level.

        In an ``align``-like layout a row ``a &= b & c &= d`` holds two equations; a row whose first
        column is empty and whose second begins with an operator (``&\\quad + 1``), or any row of a
        ``multline``, continues the side before it.
        """
        continues = "multline" in construct  # elsewhere only a row without '=' continues a side
        row = re.sub(r"[.,;]\s*$", lambda m: " " * len(m.group()), row)
        row, note = _annotation(row)
        columns = top_level_splits(row, ("&",))
        if re.search(r"align|flalign|alignat", construct) and len(columns) >= 4:
            for n in range(2, len(columns) - 1, 2):  # a new equation at each odd-numbered '&' before an '='
                if row[columns[n][0] : columns[n][1]].strip() and \
                        row[columns[n + 1][0] : columns[n + 1][1]].lstrip().startswith("="):
                    row = row[: columns[n][0] - 1] + _NEXT + row[columns[n][0] :]
        for _, amp in top_level_splits(row, ("&",))[:-1]:
            row = row[:amp] + " " + row[amp + 1 :]  # alignment only
        row, self.defining = _definition_mark(row)
        row, condition, at = _row_condition(row)
        row, membership = _membership(row)
        note = note or membership
        row = _statements(row)
        if condition is not None:
            line, column = self.where(offset + at)
            conditions = (*conditions, Side(condition, line, column, condition))
        held = False
        for n, (a, b) in enumerate(top_level_splits(row, (*BETWEEN, _NEXT))):
            if n:
                self.close()
            for k, (c, d) in enumerate(top_level_splits(row[:b], ("\\approx",))):
                c = max(c, a)
                last = self.current[-1] if k and self.current else None
                if k:
                    self.close()
                held |= self.piece(" " * c + row[c:d], offset, region, conditions, continues and n == k == 0)
                if last is not None and self.current:  # a ≈ b: a step stated, not judged (Chain.relation)
                    self.chains.append(Chain(last.line, (last, self.current[0]), region=region,
                                             conditions=conditions, relation="\\approx"))
                    held = True
        if note and self.current:
            self.current[-1] = replace(self.current[-1], note=note)
        return held

    def piece(self, row: str, offset: int, region: int, conditions: tuple, continues: bool = False) -> bool:
        """Read one chain piece ``a = b = …`` of a row; whether it held an ``=``.

        Where a parenthesis is never closed (``d((e^x/2 + e^{-x}/2)/dx = …``, a slip of the author's),
        the row is split on the ``=`` outside braces: the side with the slip is an error, the others are read.
        """
        pieces = top_level_splits(row, ("=",))
        if row.count("(") != row.count(")"):
            pieces = top_level_splits(re.sub(r"[()]", " ", row), ("=",))
        if len(pieces) > 2 and not row[pieces[-1][0] : pieces[-1][1]].strip():
            pieces.pop()  # "= a =": the chain goes on in the next row or block, which begins with '='
            row = row[: pieces[-1][1]]
        if not row.strip():
            return False
        sides = [self.side(row, a, b, offset) for a, b in pieces]
        first = row[pieces[0][0] : pieces[0][1]].strip()
        if re.fullmatch(_SPACING, first):
            first = ""  # "&\qquad = …" begins with '='
        operator = re.match(_SPACING + r"(\+|-|\\cdot|\\times)", first)
        if not first and len(pieces) > 1:  # the row begins with '='
            if self.current is None:
                self.problem(sides[1].line, sides[1], "the chain begins with '=' but no earlier block precedes it",
                             region)
                return True
            if self.entering and region != self.current_region:
                self.fork(sides, offset, region)
                return True
            if region != self.current_region:  # a new display goes on from the last side: its steps are its own
                last = self.current[-1]
                self.close()
                self.current, self.current_line, self.current_start = [last], sides[1].line, offset
                self.current_region, self.current_conditions, self.current_defines = region, conditions, False
            self.current.extend(sides[1:])
            self.current_conditions = tuple(dict.fromkeys((*self.current_conditions, *conditions)))
        elif operator and self.current and (len(pieces) == 1 or continues):
            last = self.current[-1]
            joined = f"{last.text} {first}"
            segment = (len(last.text) + 1, sides[0].line, sides[0].column)
            source = (last.source or last.text) + "\n" + (sides[0].source or first)
            self.current[-1] = Side(joined, last.line, last.column, source, (*last.segments, segment))
            self.current.extend(sides[1:])
        else:
            self.close()
            self.current, self.current_line, self.current_start = sides, sides[0].line, offset
            self.current_region, self.current_conditions = region, conditions
            self.current_defines, self.introduced = self.defining or self.introduced, False
            self.base = None
        return len(pieces) > 1

    def fork(self, sides: list, offset: int, region: int) -> None:
        """A region that begins with '=' under a condition of its own ("If $i = j$," before it) is one case
        of a case split: it continues the side written before the first such case of the chain (each case
        starts from the common expression), under its condition alone, as a chain of its own region."""
        if self.base is None:
            self.base = (self.current[-1], self.current_conditions)
        side, before = self.base
        base = self.base
        self.close()
        self.current, self.current_line, self.current_start = [side, *sides[1:]], sides[1].line, offset
        self.current_region, self.current_conditions = region, tuple(dict.fromkeys((*before, *self.entering)))
        self.current_defines, self.base = False, base


def _prose_condition(text: str, before: int, floor: int, where: Positions) -> tuple[Side, ...]:
    """A condition in the prose right before offset ``before`` (``If $i = j$:``), not before ``floor``."""
    prose = re.sub(r"<!--.*?-->", lambda c: " " * len(c.group()), text[floor:before], flags=re.DOTALL).rstrip()
    start = max(prose.rfind("\n\n"), 0)
    m = _PROSE_CONDITION.search(prose[start:]) or _PROSE_CASE.search(prose[start:])
    if m is not None and not asserted(prose, start + m.start("cond")):
        return ()  # "except for $x = 0$:", "not if $x = 1$:"
    if m is None:
        return tuple(worded_condition(prose[start:], floor + start, where))
    if not re.search(r"=|\\neq?\b|\\ne\b|<|>|\\[lg]eq?\b", m.group("cond")):
        return ()
    offset = floor + start + m.start("cond")
    return (Side(m.group("cond").strip(), *where(offset), m.group("cond")),)


#: What may stand between two displays of one run: blank space and comments (HTML, TeX), no words.
_NOTHING_BETWEEN = re.compile(r"(?:\s|<!--.*?-->|(?<![\\])%[^\n]*)*", re.S)


def read_document(text: str, latex: bool | None = None) -> Document:
    """Every region and chain in ``text`` (a Markdown or LaTeX document), in order; see the module.

    The document's own macros are expanded first (:func:`backprop_derive.verify.latex.macros.expand`)."""
    text = expand(text)
    latex = is_latex(text) if latex is None else latex
    where = Positions(text)
    reader = _Reader(text, where)
    reader.directives = [(m.start("text"), m.group("kind"), Side(m.group("text"), *where(m.start("text"))))
                         for m in _DIRECTIVE.finditer(text) if m.group("text")]
    reader.directives += _prose_assumptions(visible(text, latex), where)
    reader.directives.sort(key=lambda d: d[0])
    masked, found = regions(text, latex)
    prose = prose_of(text, latex)
    previous_end = 0
    region_list = []
    worded: list[tuple[int, Side, frozenset[str]]] = []
    said: list[tuple[int, str]] = []
    carried: tuple[Side, ...] = ()  # the worded conditions of the run of displays being read
    uncertain: dict[int, tuple[Side, ...]] = {}
    for number, (region, start, end) in enumerate(found):
        region_list.append(region)
        if region.problem is not None:
            side = Side(text[start:end].strip()[:200] or region.construct, region.line, region.column)
            reader.problem(region.line, side, region.problem, number)
            previous_end = region.end
            continue
        conditions = _prose_condition(prose, region.start, previous_end, where)
        if conditions:
            carried = conditions
        elif carried and _NOTHING_BETWEEN.fullmatch(text[previous_end : region.start]):
            uncertain[number] = carried
        else:
            carried = ()
        introduced = introduces_definition(prose, region.start, previous_end)
        what = said_to_be(prose, region.start, previous_end)
        if what is not None:
            said.append((number, what))
        ceiling = found[number + 1][0].start if number + 1 < len(found) else len(text)
        premises = tuple(premises_around(prose, (region.start, region.end), previous_end, ceiling, where))
        beside = paragraphs_around(prose, (region.start, region.end), previous_end, ceiling)[:1]  # what leads in
        worded += [(number, Side(sentence, *where(offset), sentence), names)
                   for offset, sentence, names in worded_premises(prose, beside)]
        premises += tuple(values_given(prose, region.start, previous_end, where))
        conditions += premises
        previous_end = region.end
        body = flatten(masked[start:end])
        held = False
        reader.entering = tuple(c for c in conditions if c not in premises)
        reader.introduced = introduced
        top = None
        for row_start, row_end in top_level_splits(body, ("\\\\",)):
            row_held = reader.row(body[row_start:row_end], start + row_start, number, conditions, region.construct)
            held |= row_held
            reader.entering, reader.introduced = (), False
            top = top or (None if row_held else _top_relation(body[row_start:row_end]))
        inner = None if held or top else _any_relation(body)
        if top or inner:
            side = Side(" ".join(body.split())[:200], region.line, region.column, text[start:end].strip())
            why = (f"holds the relation '{top}', which verify does not check (only chains a = b = c are judged)"
                   if top else f"holds '{inner}' only inside a group (a brace never closed?), so no chain a = b "
                   "could be split from it")
            reader.problem(region.line, side, why, number)
    reader.close()
    spans = [(r.start, r.end) for r in region_list]
    definitions = tuple(prose_definitions(masked, text, spans, where))
    chains = tuple(replace(c, uncertain=uncertain[c.region]) if c.region in uncertain and not c.conditions else c
                   for c in reader.chains)
    if _defines_delta(chains, definitions):  # the author's own δ: never Kronecker's
        chains = tuple(replace(c, symbols=c.symbols | {"delta"}) for c in chains)
    return Document(tuple(region_list), chains, definitions, tuple(worded), tuple(said))


#: A left side that names δ (``\delta``, ``\delta_{ij}``, ``\delta^{(l)}_j``): the document defines its own δ.
_DELTA_NAME = re.compile(r"\\delta(?![A-Za-z])\s*(?:[_^]\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+)\s*)*")


def _defines_delta(chains: tuple, definitions: tuple) -> bool:
    r"""Whether the document defines δ (in prose, ``Let $\delta_{ij} = …$``, or by a display's ``:=``): then
    ``\delta_{ij}`` is the author's δ, an indexed name, everywhere -- never Kronecker's delta."""
    sides = [d.lhs.text for d in definitions] + [c.sides[0].text for c in chains if c.defines and c.sides]
    return any(_DELTA_NAME.fullmatch(side.strip()) for side in sides)


#: Every relation verify does not judge where it stands alone in a row (a row without a chain ``a = b``): the
#: region is then an ``error``, never "read".  One table: order, equivalence, arrows, definitions written another
#: way, ``=`` as text (``\\text{=}``), and the same signs as Unicode characters (a full-width ＝ too).
_RELATION_COMMANDS = (
    "le", "ge", "leq", "geq", "leqq", "geqq", "leqslant", "geqslant", "lt", "gt", "ll", "gg", "neq", "ne", "approx",
    "approxeq", "propto", "sim", "simeq", "cong", "equiv", "doteq", "doteqdot", "eqsim", "backsim", "thicksim",
    "thickapprox", "asymp", "bumpeq", "Bumpeq", "circeq", "eqcirc", "triangleq", "coloneqq", "eqqcolon", "risingdotseq",
    "fallingdotseq", "prec", "succ", "preceq", "succeq", "nleq", "ngeq", "nless", "ngtr", "to", "gets", "rightarrow",
    "leftarrow", "Rightarrow", "Leftarrow", "longrightarrow", "Longrightarrow", "longleftarrow", "Longleftarrow",
    "leftrightarrow", "Leftrightarrow", "longleftrightarrow", "Longleftrightarrow", "implies", "impliedby", "iff",
    "mapsto", "longmapsto", "models", "vdash")
_RELATION_CHARACTERS = "<>=＝﹦⩵≠≤≥⩽⩾≦≧≪≫≈≊≡≐≑≅≃∼∝≺≻→←⇒⇐⟹⟸⟶⟵↔⇔⟺↦⟼≔≕≜≝"
_RELATION_TOKENS = (*_RELATION_CHARACTERS, *(f"\\{name}" for name in _RELATION_COMMANDS))
#: ``=`` written as text, or over a mark (``\\text{=}``, ``\\mbox{=}``, ``\\stackrel{?}{=}``).
_TEXT_RELATION = re.compile(r"\\(?:text|mbox|textrm|mathrm|hbox)\s*\{\s*(?P<r>[" + _RELATION_CHARACTERS + r"]|"
                            r"\\(?:" + "|".join(_RELATION_COMMANDS) + r"))\s*\}"
                            r"|\\(?:stackrel|overset|underset)\s*\{[^{}]*\}\s*\{\s*(?P<s>=)\s*\}")


def _any_relation(body: str) -> str | None:
    """A relation anywhere in ``body`` (inside an unbalanced group, say), outside prose ``\\text{}``."""
    text_relation = _TEXT_RELATION.search(body)
    if text_relation:
        return text_relation.group()
    plain = re.sub(r"\\(?:text|mbox|textrm)\{[^{}]*\}", " ", body)
    m = re.search("[" + _RELATION_CHARACTERS + r"]|\\(?:" + "|".join(_RELATION_COMMANDS) + r")(?![A-Za-z])", plain)
    return m.group() if m else None


def _top_relation(body: str) -> str | None:
    """A relation other than a chain's ``=`` at the top level of a row of ``body`` (not inside ``cases``), if any:
    one of :data:`_RELATION_TOKENS`, or ``=`` written as text."""
    text_relation = _TEXT_RELATION.search(body)
    if text_relation:
        return text_relation.group()
    for a, b in top_level_splits(body, ("\\\\",)):
        row = body[a:b]
        pieces = top_level_splits(row, _RELATION_TOKENS)
        if len(pieces) > 1:
            after = row[pieces[0][1] :]
            return next(t for t in sorted(_RELATION_TOKENS, key=len, reverse=True) if after.startswith(t))
    return None


def read_chains(text: str, latex: bool | None = None) -> list[Chain]:
    """Every chain in ``text`` (a Markdown or LaTeX document), in order, with what is in force."""
    return list(read_document(text, latex).chains)
