r"""Find the claims in a Markdown or LaTeX file: display-math blocks, chains, assumptions.

A display-math block is ``$$…$$``, ``\[…\]`` or an ``equation``/``align``/``gather``/``multline``
environment (starred or not).  Inside a block, rows are separated by ``\\`` and ``&`` is only
alignment.  Each row is a chain ``a = b = c`` split on its top-level ``=`` (not inside braces,
brackets or an environment such as ``cases``).  A row -- or a whole block -- that begins with ``=``
continues the chain before it: hand-written notes do this.  A chain of one side is not a claim and
is dropped.  Prose between blocks is ignored; a line ``% assume: y_1 + y_2 = 1`` is an assumption
for every chain after it.

Everything keeps its place: a :class:`Side` knows the line and column of its first character, so a
reading error inside it can be reported at its position in the file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_OPENER = re.compile(r"\$\$|\\\[|\\begin\{(equation|align|gather|multline|eqnarray)(\*?)\}")
_ASSUME = re.compile(r"^[ \t]*%[ \t]*assume:[ \t]*(?P<text>.*?)[ \t]*$", re.MULTILINE)
_BLANKED = re.compile(r"\\(?:label|tag)\{[^{}]*\}|\\(?:nonumber|notag)\b|\\(?:begin|end)\{(?:aligned|split)\}")


@dataclass(frozen=True)
class Side:
    """One side of an equation: its text and where its first character is in the file (1-based)."""

    text: str
    line: int
    column: int

    def position(self, column_in_text: int) -> tuple[int, int]:
        """File (line, column) of the 1-based ``column_in_text``."""
        before = self.text[: max(column_in_text - 1, 0)]
        newlines = before.count("\n")
        if newlines == 0:
            return self.line, self.column + len(before)
        return self.line + newlines, len(before) - before.rfind("\n")


@dataclass(frozen=True)
class Chain:
    """``sides[0] = sides[1] = …``, the assumptions in force, and ``problem`` if it cannot be read at all."""

    line: int
    sides: tuple[Side, ...]
    assumptions: tuple[Side, ...] = ()
    problem: str | None = None

    @property
    def source(self) -> str:
        return " = ".join(" ".join(side.text.split()) for side in self.sides)


class _Positions:
    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _strip_comments(body: str) -> str:
    """Blank ``%`` comments (not ``\\%``) so that offsets stay where they were."""
    return re.sub(r"(?<!\\)%[^\n]*", lambda m: " " * len(m.group()), body)


def top_level_splits(text: str, separators: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each piece of ``text`` between top-level ``separators``.

    Top level means outside ``{}``, ``()``, ``[]`` and ``\\begin…\\end``; escaped characters and
    command names are skipped.  A stray closer never takes the depth below 0.
    """
    pieces, depth, start, pos = [], 0, 0, 0
    while pos < len(text):
        if depth == 0:
            hit = next((s for s in separators if text.startswith(s, pos)), None)
            if hit is not None:
                pieces.append((start, pos))
                pos += len(hit)
                start = pos
                continue
        ch = text[pos]
        if ch == "\\":
            match = re.match(r"\\(begin|end)\{[^{}]*\}|\\[A-Za-z]+|\\.?", text[pos:], re.DOTALL)
            if match.group(1) == "begin":
                depth += 1
            elif match.group(1) == "end":
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


def _block_spans(text: str) -> list[tuple[int, int, str | None]]:
    """(start, end, problem) of each display-math body; ``problem`` when it is never closed."""
    spans, pos = [], 0
    while True:
        match = _OPENER.search(text, pos)
        if match is None:
            return spans
        if match.group() == "$$":
            closer = "$$"
        elif match.group() == r"\[":
            closer = r"\]"
        else:
            closer = rf"\end{{{match.group(1)}{match.group(2)}}}"
        end = text.find(closer, match.end())
        if end < 0:
            spans.append((match.end(), len(text), f"display math opened with {match.group()} is never closed"))
            return spans
        spans.append((match.end(), end, None))
        pos = end + len(closer)


def _side(row: str, a: int, b: int, offset: int, where: _Positions) -> Side:
    """``row[a:b]`` without surrounding blanks, placed at its first character."""
    text = row[a:b]
    lead = len(text) - len(text.lstrip())
    return Side(text.strip(), *where(offset + a + lead))


def read_chains(text: str) -> list[Chain]:
    """Every chain in ``text`` (a Markdown or LaTeX document), in order, with its assumptions."""
    where = _Positions(text)
    assumptions = [
        (m.start("text"), Side(m.group("text"), *where(m.start("text"))))
        for m in _ASSUME.finditer(text)
        if m.group("text")
    ]
    chains: list[Chain] = []
    current: list[Side] | None = None
    current_line = current_start = 0

    def in_force(offset: int) -> tuple[Side, ...]:
        return tuple(side for start, side in assumptions if start < offset)

    def close() -> None:
        nonlocal current
        if current is not None and len(current) > 1:
            chains.append(Chain(current_line, tuple(current), in_force(current_start)))
        current = None

    for start, end, problem in _block_spans(text):
        line = where(start)[0]
        if problem is not None:
            close()
            chains.append(Chain(line, (Side(text[start:end].strip()[:200], *where(start)),), (), problem))
            continue
        body = _BLANKED.sub(lambda m: " " * len(m.group()), _strip_comments(text[start:end]))
        for row_start, row_end in top_level_splits(body, ("\\\\",)):
            row = body[row_start:row_end]
            row = re.sub(r"[.,;]\s*$", lambda m: " " * len(m.group()), row)
            for _, amp in top_level_splits(row, ("&",))[:-1]:
                row = _blank(row, amp, amp + 1)  # alignment only
            pieces = top_level_splits(row, ("=",))
            if not row.strip():
                continue
            sides = [_side(row, a, b, start + row_start, where) for a, b in pieces]
            if not row[pieces[0][0] : pieces[0][1]].strip():  # the row begins with '='
                if current is None:
                    first = sides[0]
                    chains.append(Chain(first.line, tuple(sides[1:]), in_force(start),
                                        "the chain begins with '=' but no earlier block precedes it"))
                    continue
                current.extend(sides[1:])
            else:
                close()
                current, current_line, current_start = sides, sides[0].line, start
    close()
    return chains
