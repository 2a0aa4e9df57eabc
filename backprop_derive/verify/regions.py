r"""Find every display-math region of a Markdown or LaTeX document, with its position and its construct.

A scanner of our own, not a general LaTeX walker: in Markdown a ``%`` is text (``50% of $$x = 2x$$``
must not hide the display, as a LaTeX comment would in pylatexenc), code spans and fences are not
math, and blockquote markers (``> $$``) are not part of the formula.  A region is ``$$…$$``, ``\[…\]``,
a ```` ```math ```` fence, or a display environment (:data:`DISPLAY_ENVIRONMENTS`, starred or not,
``\begin {align*}`` too); one that is never closed, a closer without an opener, and display math
inside display math are regions with a ``problem``, never passed over.  A :class:`Side` is one side of
an equation found in them, with the file position of its every character.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from backprop_derive.verify.markup import markdown_hidden, tex_comments, tex_verbatim

DISPLAY_ENVIRONMENTS = ("equation", "align", "gather", "multline", "flalign", "alignat", "eqnarray", "displaymath",
                        "math")
#: Layout environments inside a region: their ``\begin``/``\end`` (and column arguments) are blanked.
LAYOUT_ENVIRONMENTS = (*DISPLAY_ENVIRONMENTS, "aligned", "alignedat", "split", "gathered", "array", "subequations",
                       "multlined")
_ENV = r"\\(?P<be>begin|end)\s*\{(?P<env>[A-Za-z]+\*?)\}"


@dataclass(frozen=True)
class Region:
    """One display-math region: where it is, what opened it, and the layouts found inside it."""

    line: int
    column: int
    construct: str
    start: int
    end: int
    problem: str | None = None


class Positions:
    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def blank_span(chars: list[str], start: int, end: int) -> None:
    for n in range(start, end):
        if chars[n] != "\n":
            chars[n] = " "


class Paragraphs:
    """Where ``text``'s paragraph breaks (a line of only spacing between two newlines) are, to ask in O(log n)
    whether a span crosses one: inline math (``$…$``, ``\\(…\\)``) never does."""

    def __init__(self, text: str):
        self.breaks = [(m.start(), m.end()) for m in re.finditer(r"\n[ \t\r\f\v]*(?=\n)", text)]
        self.starts = [a for a, _ in self.breaks]

    def crosses(self, start: int, end: int) -> bool:
        """Whether a paragraph break lies wholly inside ``[start, end)``."""
        n = bisect.bisect_left(self.starts, start)
        return n < len(self.breaks) and self.breaks[n][1] + 1 <= end


def inline_pairs(text: str, opener: str, closer: str) -> list[tuple[int, int]]:
    """(start, end) of each ``opener … closer`` within one paragraph, left to right, in linear time: an opener
    whose next closer lies past a paragraph break (or that has none) opens nothing."""
    paragraphs = Paragraphs(text)
    closers = [m.start() for m in re.finditer(re.escape(closer), text)]
    found, pos = [], 0
    for m in re.finditer(re.escape(opener), text):
        if m.start() < pos:
            continue
        n = bisect.bisect_left(closers, m.end())
        if n == len(closers):
            break  # no closer after this opener, nor after any later one
        if not paragraphs.crosses(m.end(), closers[n]):
            found.append((m.start(), closers[n] + len(closer)))
            pos = closers[n] + len(closer)
    return found


def strip_comments(body: str) -> str:
    """Blank TeX's ``%`` comments so that offsets stay where they were: not ``\\%``, nor a ``%`` in ``\\verb``, a URL
    or a verbatim environment (:func:`backprop_derive.verify.markup.tex_comments`)."""
    if "%" not in body:
        return body
    chars = list(body)
    for start, end in tex_comments(body):
        blank_span(chars, start, end)
    return "".join(chars)


# ------------------------------------------------------------------------- the scanner


def _markdown_mask(text: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    """``text`` with what is not math in Markdown blanked, and the ```` ```math ```` fences found.

    Blanked, as CommonMark reads the document (:func:`backprop_derive.verify.markup.markdown_hidden`): closed fenced
    code blocks, inline code spans, closed HTML comments; and blockquote markers.  A fence is
    ``(start, end, body_start, body_end)``.
    """
    chars = list(text)
    hidden = markdown_hidden(text)
    for start, end in [*hidden.comments, *hidden.fences, *hidden.code_spans]:
        blank_span(chars, start, end)
    for m in re.finditer(r"^[ \t]*(?:>[ \t]?)+", text, re.MULTILINE):
        blank_span(chars, m.start(), m.end())
    for start, end, body_start, body_end in hidden.math_fences:
        blank_span(chars, start, body_start)
        blank_span(chars, body_end, end)
    return "".join(chars), sorted(hidden.math_fences)


def _latex_mask(text: str) -> str:
    """``text`` with ``%`` comments blanked (LaTeX: a commented-out display is not displayed), and the contents
    of ``\\verb`` and verbatim environments (code, not math)."""
    masked = strip_comments(text)
    chars = list(masked)
    for start, end in tex_verbatim(masked):
        blank_span(chars, start, end)
    return "".join(chars)


def is_latex(text: str) -> bool:
    """Whether ``text`` is a LaTeX document rather than Markdown (no file name to go by)."""
    return bool(re.search(r"\\documentclass|\\begin\{document\}", text))


def regions(text: str, latex: bool | None = None) -> tuple[str, list[tuple[Region, int, int]]]:
    """``text`` with what is not math blanked, and every display-math region with its body's (start, end)."""
    latex = is_latex(text) if latex is None else latex
    if latex:
        masked, fences = _latex_mask(text), []
    else:
        masked, fences = _markdown_mask(text)
    where = Positions(text)
    found: list[tuple[Region, int, int]] = []

    def add(start, end, body_start, body_end, construct, problem=None):
        line, column = where(start)
        found.append((Region(line, column, construct, start, end, problem), body_start, body_end))

    for start, end, body_start, body_end in fences:
        add(start, end, body_start, body_end, "```math")
    token = re.compile(r"\\\\|\\\$|\$\$|\$|\\\[|\\\]|\\\(|\\\)|" + _ENV)
    parens = dict(inline_pairs(masked, "\\(", "\\)"))
    pos = 0
    while True:
        m = token.search(masked, pos)
        if m is None:
            break
        tok = m.group()
        if tok in ("\\\\", "\\$"):
            pos = m.end()
            continue
        if tok == "$":  # inline math: skip to its closing $ within the paragraph
            close = re.compile(r"(?<!\\)\$").search(masked, m.end())
            if close is not None and "\n\n" not in masked[m.end() : close.start()] and \
                    not masked.startswith("$$", close.start()):
                pos = close.end()
            else:
                pos = m.end()
            continue
        if tok == "\\(":  # inline math: skip to its closing \) within the paragraph
            pos = parens.get(m.start(), m.end())
            continue
        if tok in ("\\]", "\\)") or (m.group("be") == "end" and _is_display(m.group("env"))):
            add(m.start(), m.end(), m.start(), m.start(), tok, f"{tok} closes display math that was never opened")
            pos = m.end()
            continue
        if m.group("be") and not _is_display(m.group("env")):  # cases, pmatrix, …: part of a formula
            pos = m.end()
            continue
        fence = next((f for f in fences if f[0] <= m.start() < f[1]), None)
        if fence is not None:  # a ```math fence is a region of its own
            pos = fence[1]
            continue
        if m.group("be") == "begin":
            env = m.group("env")
            closer = _matching_end(masked, env, m.end())
            construct = f"\\begin{{{env}}}"
            closer_len = re.compile(r"\\end\s*\{" + re.escape(env) + r"\}").match(masked, closer).end() - closer \
                if closer >= 0 else 0
            argument = re.match(r"\s*\{[^{}]*\}", masked[m.end() :]) if env.rstrip("*") == "alignat" else None
            if argument:  # alignat{2}: the column count is layout
                masked = masked[: m.end()] + " " * len(argument.group()) + masked[m.end() + len(argument.group()) :]
        else:
            construct = tok
            wanted = "$$" if tok == "$$" else "\\]"
            closer = _find_unescaped(masked, wanted, m.end())
            closer_len = 2
        if closer < 0:
            add(m.start(), len(text), m.end(), m.end(), construct,
                f"display math opened with {construct} is never closed")
            pos = m.end()
            continue
        body = masked[m.end() : closer]
        inner = _inner_display(body, construct)
        problem = f"{inner} inside display math opened with {construct}" if inner else None
        add(m.start(), closer + closer_len, m.end(), closer, construct + _layouts(body), problem)
        pos = closer + closer_len
    found.sort(key=lambda r: r[0].start)
    return masked, found


def _is_display(env: str) -> bool:
    return env.rstrip("*") in DISPLAY_ENVIRONMENTS


def _find_unescaped(text: str, wanted: str, start: int) -> int:
    pos = start
    while True:
        found = text.find(wanted, pos)
        if found < 0:
            return -1
        backslashes = len(text[:found]) - len(text[:found].rstrip("\\"))
        if wanted == "$$" and backslashes % 2 == 1:
            pos = found + 1
            continue
        if wanted == "\\]" and (len(text[:found + 1]) - len(text[:found + 1].rstrip("\\"))) % 2 == 0:
            pos = found + 1  # "\\]" where the backslash is part of "\\\\" (a row break then ']')
            continue
        return found


def _matching_end(text: str, env: str, start: int) -> int:
    """Offset of the ``\\end{env}`` that closes the ``\\begin{env}`` before ``start``, or -1."""
    depth = 1
    pattern = re.compile(r"\\(begin|end)\s*\{" + re.escape(env) + r"\}")
    for m in pattern.finditer(text, start):
        depth += 1 if m.group(1) == "begin" else -1
        if depth == 0:
            return m.start()
    return -1


def _inner_display(body: str, construct: str) -> str | None:
    """A display opener that may not stand inside this region (``$$`` in ``\\[``, ``\\[`` in ``$$``)."""
    if construct != "$$" and re.search(r"(?<!\\)\$\$", body):
        return "$$"
    if re.search(r"(?<!\\)\\\[", body.replace("\\\\", "  ")):
        return "\\["
    return None


def _layouts(body: str) -> str:
    names = list(dict.fromkeys(m.group("env") for m in re.finditer(_ENV, body) if m.group("be") == "begin"))
    extra = [n for n in names if n.rstrip("*") in LAYOUT_ENVIRONMENTS]
    boxed = ["\\boxed"] if "\\boxed" in body else []
    return "".join(f" > {n}" for n in [*extra, *boxed])


@dataclass(frozen=True)
class Side:
    """One side of an equation: its text, where its first character is (1-based), its source verbatim.

    ``segments`` maps the text back to the file when a side was joined from several rows:
    ``(offset in text, line, column)`` for each row after the first.  ``note`` is the reason the
    author wrote beside the row that ends with this side (``&& \\text{(chain rule)}``).
    """

    text: str
    line: int
    column: int
    source: str | None = None
    segments: tuple[tuple[int, int, int], ...] = ()
    note: str | None = None

    def position(self, column_in_text: int) -> tuple[int, int]:
        """File (line, column) of the 1-based ``column_in_text``."""
        offset, line, column = 0, self.line, self.column
        for start, seg_line, seg_column in self.segments:
            if column_in_text - 1 >= start:
                offset, line, column = start, seg_line, seg_column
        before = self.text[offset : max(column_in_text - 1, offset)]
        newlines = before.count("\n")
        if newlines == 0:
            return line, column + len(before)
        return line + newlines, len(before) - before.rfind("\n")

    @property
    def verbatim(self) -> str:
        return self.source if self.source is not None else self.text
