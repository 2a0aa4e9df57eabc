r"""What the prose around a display says about it, beyond the conditions of :mod:`backprop_derive.verify.document`.

**Inline math written** ``\(…\)`` is read as ``$…$`` is (:func:`as_dollars`): ``If \(i = j\),`` is
the same condition as ``If $i = j$,``.  The rewrite keeps every offset: ``\(`` becomes `` $`` and
``\)`` becomes ``$ ``.

**Premises about the labels.**  A derivation of softmax cross-entropy often uses that the labels sum
to one, and says so in a sentence beside the display that needs it: "given that
:math:`\sum_k y_k = 1`", ":math:`\sum_i y_i = 1` because :math:`y` is a one-hot vector".
:func:`premises` finds such a sentence: inline math that equates a sum (``\sum …``) with a number,
introduced by "given that", "since", "because" or "as", or followed by "because", "since" or "as".
Like a condition, a premise holds only where it was written: for the display right before the
paragraph and the display right after it (the report names it on each chain, and lists it on each
step that used it).  Other equations in such sentences ("Since $e^x + e^{-x} = 2\cosh x$") are
reasons, not premises: they are not read.

**A labelled list of definitions.**  "Mean: :math:`\\mu = …`; Variance: :math:`\\sigma^2 = …`; Output:
:math:`y_j = …`" (also one item a line, after a list's dash) names each part of a computation: each item is
a label of capitalised words (a parenthesised abbreviation may follow: "Inverse Standard Deviation
(rstd):"), a colon, and inline math alone up to the item's end (``;``, ``,``, ``.`` or the line's end).
:func:`labelled_definitions` finds them where a paragraph holds two items or more: one "Result: $y = 2x$"
is a claim the author states, a list of them the steps of a computation.  The definition is then read as
any prose definition is: only where its left side is a bare name not on its right.

**Values given for an example.**  "Here $z_1 = 2$ gives ReLU'(z1) = 1, while $z_2 = -1$ gives
ReLU'(z2) = 0", and then a display that evaluates at those values: a name set to a number in inline
math, followed by "gives" (or "yields"), is the value the display right after the paragraph is
evaluated at (:func:`values_given`).  It holds for that display alone, as a condition does, and the
report names it; nowhere else is the name fixed (a later general step about :math:`z_1` stays general).

**Conditions in words.**  "And for k different than i:" ending the paragraph before a display is the
condition :math:`k \neq i` for that display, as "For $k \neq i$:" is (:func:`worded_condition`): two
single letters and "different than/from", "other than" or "not equal to", and nothing after but a colon
or comma.

**Gradients named in words.**  "If we name gradInput the gradient w.r.t input and gradOutput the gradient
w.r.t output", where the prose also says which letter each noun is ("with x = input vector, y = output
vector", or the noun written ``$x$``): ``\text{gradInput}_i`` is :math:`\partial L/\partial x_i` and
``\text{gradOutput}_j`` is :math:`\partial L/\partial y_j`, of one loss L that the document leaves unnamed
(a letter it does not write), an upstream name (:mod:`backprop_derive.verify.upstream`).  Only a word the document
writes in math as ``\text{…}``, and only a noun bound to exactly one letter (:func:`named_gradients`).

**A display introduced as a definition.**  "It is defined as" (or "… is defined by", "we define it as")
ending the paragraph right before a display: the display's first step is written as a definition, as
if with ``:=`` (:func:`introduces_definition`).  "The derivative is given by" is no such cue: it
introduces a claim.

**Only what is asserted, and only what a reader sees.**  Every reader above, and the assumptions,
conditions and definitions of :mod:`backprop_derive.verify.document`, take a formula from prose only where
:func:`asserted` says so: no word of :data:`NEGATIONS` ("not", "never", "except", "unless", "wrong",
"instead of", …) stands in the same clause before it ("We do not assume $x = 0$", "except for
$x = 0$:", "it is wrong to assume $x = 0$").  Text a reader never sees -- HTML comments in Markdown,
``%`` comments in LaTeX (the ``% assume:`` directives are read apart, from the raw text) -- is blanked
first (:func:`visible`), so it never puts anything in force.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from backprop_derive.verify.cues import NEGATING
from backprop_derive.verify.markup import markdown_hidden
from backprop_derive.verify.regions import Positions, Side, blank_span, inline_pairs, strip_comments

#: Words that, in the clause before a formula, mean the prose does not assert it, for every reader of prose
#: (assumptions, premises, conditions, definitions, values given): the negating words of
#: :data:`backprop_derive.verify.cues.NEGATING` and the exceptions among its conditional words.
NEGATIONS = (*NEGATING, "n't", "except", "unless")
_NEGATION = re.compile(r"(?i)n[\'’]t\b|\b(?:" + "|".join(w.replace(" ", r"\s+") for w in NEGATIONS if "'" not in w)
                       + r")\b")
#: Where a clause ends: a sentence's or clause's punctuation before a space, a blank line.
_CLAUSE_END = re.compile(r"[.;:!?](?=\s|$)|\n[ \t]*\n")
#: The marks of math in prose: ``$$``, ``\[``, ``\]``, ``$`` (``\$`` is a dollar sign).
_MATH_MARK = re.compile(r"\\\$|\$\$|\\\[|\\\]|\$")


def visible(text: str, latex: bool = False) -> str:
    """``text`` with what a reader never sees blanked, offsets kept: HTML comments (Markdown), ``%`` comments
    (LaTeX).  Nothing hidden may assume, define or condition anything."""
    if latex:
        return strip_comments(text)
    if "<!--" not in text:
        return text
    chars = list(text)
    for start, end in markdown_hidden(text).comments_to_close:
        blank_span(chars, start, end)
    return "".join(chars)


@lru_cache(maxsize=8)
def _clauses(text: str) -> tuple[list[int], list[int]]:
    """The offsets where clauses end, and where negation words stand (outside math), in ``text``: one pass over
    the marks of math (a display's end also ends a clause), one over the words."""
    chars, ends, opened = list(text), [], None
    for m in _MATH_MARK.finditer(text):
        mark = m.group()
        if mark == "\\$":
            continue
        if opened is None:
            if mark != "\\]":
                opened = m
            continue
        if (opened.group(), mark) in (("$$", "$$"), ("\\[", "\\]"), ("$", "$")):
            chars[opened.start() : m.end()] = " " * (m.end() - opened.start())
            if mark != "$":
                ends.append(m.end())
            opened = None
    words = "".join(chars)
    ends = sorted([*ends, *(m.end() for m in _CLAUSE_END.finditer(words))])
    return ends, [m.start() for m in _NEGATION.finditer(words)]


def asserted(text: str, at: int, floor: int = 0) -> bool:
    """Whether prose asserts what stands at offset ``at`` of ``text``: no word of :data:`NEGATIONS` between the
    start of its clause (or ``floor``) and ``at``.  Each look-up is a binary search (the document is scanned once)."""
    ends, negations = _clauses(text)
    k = bisect.bisect_right(ends, at)
    start = max(floor, ends[k - 1] if k else 0)
    n = bisect.bisect_left(negations, start)
    return n == len(negations) or negations[n] >= at


def clause_begins(text: str, at: int) -> bool:
    """Whether nothing but spacing or a list mark stands between the start of ``at``'s clause and ``at``."""
    ends, _ = _clauses(text)
    k = bisect.bisect_right(ends, at)
    start = ends[k - 1] if k else 0
    return re.fullmatch(r"[\s\-*>]*", text[start:at]) is not None

#: A sum set equal to a number: ``\sum_k y_k = 1``.
_SUM = r"\s*\\sum(?![A-Za-z])[^=$]*"
_NUMBER = r"\s*-?\d+(?:\.\d+)?\s*"
_SUM_IS_NUMBER = re.compile(f"{_SUM}={_NUMBER}|{_NUMBER}={_SUM}")
_PREMISE = re.compile(r"(?i)\b(?:given\s+that|since|because|as)\s+\$(?P<a>[^$]+)\$"
                      r"|\$(?P<b>[^$]+)\$\s+(?i:because|since|as)\b")


#: ``$z_1 = 2$ gives``: a name (a letter or command, one subscript) set to a number, then "gives"/"yields".
_VALUE_GIVEN = re.compile(r"\$(?P<v>\s*(?:\\[A-Za-z]+|[A-Za-z])(?:\s*_\s*(?:\{\s*[A-Za-z0-9]{1,3}\s*\}|[A-Za-z0-9]))?"
                          r"\s*=\s*-?\d+(?:\.\d+)?\s*)\$\s+(?:gives|yields)\b")


def values_given(prose: str, before: int, floor: int, where: Positions) -> list:
    """The values given for an example (see the module) in the last paragraph after ``floor`` before offset
    ``before`` (a display's start); each a :class:`~backprop_derive.verify.regions.Side`.  ``prose`` is the document as
    :func:`prose_of` gives it."""
    text = prose[floor:before].rstrip()
    start = floor + (text.rfind("\n\n") + 1 if "\n\n" in text else 0)
    found = []
    for m in _VALUE_GIVEN.finditer(prose, start, floor + len(text)):
        if not asserted(prose, m.start(), start):
            continue
        value = m.group("v")
        offset = m.start("v") + len(value) - len(value.lstrip())
        found.append(Side(value.strip(), *where(offset), value.strip()))
    return found


_DEFINED_AS = re.compile(r"(?i)\b(?:defined|define\s+(?:it|them|this|these))\s+(?:as|by)\s*:?\s*$")


_WORDED = re.compile(r"(?i)(?:^|\s)for\s+(?P<a>[a-z])\s+(?:different\s+(?:than|from)|other\s+than|not\s+equal\s+to)"
                     r"\s+(?P<b>[a-z])\s*[:,.]?\s*$")


def worded_condition(paragraph: str, offset: int, where: Positions) -> list:
    """The condition in words (see the module) that ends ``paragraph`` (which begins at ``offset``), as a
    :class:`~backprop_derive.verify.regions.Side` ``k \\neq i``; empty where there is none."""
    m = _WORDED.search(paragraph)
    if m is None or not asserted(paragraph, m.start("a")):
        return []
    text = f"{m.group('a')} \\neq {m.group('b')}"
    return [Side(text, *where(offset + m.start("a")), m.group().strip())]


_WRT = (r"\s+the\s+gradient\s+(?:w\.?\s?r\.?\s?t\.?|with\s+respect\s+to)\s+(?:the\s+)?"
        r"(?:\$(?P<{v}>[A-Za-z])\$|(?P<{n}>[A-Za-z]+)\b)")
_NAMED_GRADIENT = re.compile(r"(?i)\b(?:name|call|denote)\s+(?P<w>[A-Za-z][A-Za-z0-9]+)" + _WRT.format(v="v", n="n")
                             + r"(?:\s+and\s+(?P<w2>[A-Za-z][A-Za-z0-9]+)" + _WRT.format(v="v2", n="n2") + ")?")
#: A loss name for gradients named in words: the first the document does not write.
_LOSS_NAMES = ("L", "E", "J", "C")


def named_gradients(text: str) -> list[tuple[str, str, str]]:
    """The gradients named in words (see the module): (the word normalised, the loss, the letter) each."""
    from backprop_derive.verify.latex.names import FUNCTIONS, VECTOR_FUNCTIONS, normalise

    found = []
    for m in _NAMED_GRADIENT.finditer(text):
        for w, v, n in (("w", "v", "n"), ("w2", "v2", "n2")):
            word = m.group(w)
            if word is None or normalise(word) in FUNCTIONS or normalise(word) in VECTOR_FUNCTIONS or \
                    not re.search(r"\\(?:text|mathrm|operatorname)\s*\{\s*" + re.escape(word) + r"\s*\}", text):
                continue
            letter = m.group(v)
            if letter is None:
                bound = set(re.findall(r"(?<![A-Za-z\\$_^])([A-Za-z])\s*=\s*(?:the\s+|an?\s+)?" + re.escape(m.group(n))
                                       + r"\b", text, flags=re.IGNORECASE))
                letter = bound.pop() if len(bound) == 1 else None
            if letter is not None:
                found.append((normalise(word), letter))
    if not found:
        return []
    loss = next((n for n in _LOSS_NAMES if re.search(r"(?<![A-Za-z\\])" + n + r"(?![A-Za-z])", text) is None), None)
    return [(word, loss, letter) for word, letter in found] if loss else []


#: "the derivative is", "its gradient is:", "The partial derivatives are" ending the paragraph before a display:
#: what the display's new name stands for is said in words.
_SAID_TO_BE = re.compile(r"(?i)\b(?:the|its|their)\s+(?:partial\s+)?(?P<what>derivatives?|gradients?|jacobians?)"
                         r"\b[^.$\n]{0,40}?\b(?:is|are)\s*:?\s*$")


def said_to_be(prose: str, before: int, floor: int) -> str | None:
    """What the paragraph right before offset ``before`` (after ``floor``) says the display is, when it ends with
    "the derivative is" (also gradient, Jacobian); else None."""
    m = _SAID_TO_BE.search(prose[floor:before].rstrip())
    return m.group("what").lower() if m else None


def introduces_definition(prose: str, before: int, floor: int) -> bool:
    """Whether the paragraph right before offset ``before`` (after ``floor``) ends with "defined as" (see the
    module)."""
    m = _DEFINED_AS.search(prose[floor:before].rstrip())
    return m is not None and asserted(prose, floor + m.start(), floor)


def as_dollars(text: str) -> str:
    r"""``text`` with every ``\(…\)`` (within a paragraph) written ``$…$``, each character where it was; linear time
    (:func:`~backprop_derive.verify.regions.inline_pairs`)."""
    chars = list(text)
    for start, end in inline_pairs(text, "\\(", "\\)"):
        chars[start : start + 2], chars[end - 2 : end] = " $", "$ "
    return "".join(chars)


def prose_of(text: str, latex: bool = False) -> str:
    """``text`` as a reader sees it (:func:`visible`: comments blanked) with ``\\(…\\)`` written ``$…$``
    (:func:`as_dollars`), offsets kept."""
    return as_dollars(visible(text, latex))


def paragraphs_around(prose: str, around: tuple[int, int], floor: int, ceiling: int) -> list[tuple[int, int]]:
    """The spans of the last paragraph after ``floor`` before the display at ``around`` and of the first paragraph
    after it, before ``ceiling``: the prose that speaks of the display."""
    before = prose[floor : around[0]].rstrip()
    after = prose[around[1] : ceiling]
    lead = len(after) - len(after.lstrip())
    stop = after.find("\n\n", lead)
    return [(floor + before.rfind("\n\n") + 1 if "\n\n" in before else floor, floor + len(before)),
            (around[1] + lead, around[1] + (stop if stop >= 0 else len(after)))]


def premises_around(prose: str, around: tuple[int, int], floor: int, ceiling: int, where: Positions) -> list:
    """The premises (see the module) of the display at ``around`` (start, end): those stated in the last
    paragraph after ``floor`` before it and in the first paragraph after it, before ``ceiling``; each a
    :class:`~backprop_derive.verify.regions.Side`.  ``prose`` is the document as :func:`prose_of` gives it."""
    found = []
    for start, end in paragraphs_around(prose, around, floor, ceiling):
        for m in _PREMISE.finditer(prose, start, end):
            if not asserted(prose, m.start(), start):
                continue
            group = "a" if m.group("a") is not None else "b"
            formula = m.group(group)
            if _SUM_IS_NUMBER.fullmatch(formula):
                offset = m.start(group) + len(formula) - len(formula.lstrip())
                found.append(Side(formula.strip(), *where(offset), formula.strip()))
    return found


#: One item of a labelled list: "Normalized Input: \\(\\hat{x}_j = …\\)" (after :func:`as_dollars`, ``$…$``).
_ITEM = re.compile(r"(?:^|(?<=[;:.,])|(?<=\n))[ \t]*(?:[-*][ \t]+)?"
                   r"(?P<label>[A-Z][A-Za-z]*(?:[ -][A-Za-z]+){0,4}(?:[ \t]*\([A-Za-z ]{1,20}\))?)[ \t]*:[ \t]*"
                   r"\$(?P<math>[^$]+)\$[ \t]*(?=[;,.]|\n|$)", re.MULTILINE)


def labelled_definitions(prose: str) -> list[tuple[str, int, str]]:
    """``(label, offset, formula)`` of each item of a labelled list (see the module) in ``prose``
    (:func:`prose_of`'s text, displays blanked by the caller): items of paragraphs that hold two or more."""
    found = []
    start = 0
    for paragraph in re.split(r"(\n[ \t]*\n)", prose):
        items = [(m.group("label"), start + m.start("math"), m.group("math")) for m in _ITEM.finditer(paragraph)
                 if "=" in m.group("math") and asserted(paragraph, m.start("label"))]
        if len(items) >= 2:
            found += items
        start += len(paragraph)
    return found
