"""What ``derive verify`` reads: a Markdown or LaTeX file, standard input, or a Jupyter notebook.

A notebook (``.ipynb``, or any input that is a notebook's JSON) is read with ``nbformat`` (the
``notebook`` extra): its Markdown cells, joined by a blank line into one Markdown document, so a
definition in one cell holds in the cells after it.  Every line of that document knows its cell and
its line there (:meth:`Source.where`: ``cell 3, line 2``; cells are numbered from 1 among all the
notebook's cells, code cells included, as they stand in the notebook).  A notebook is never read as
raw JSON.

Errors are :class:`SourceError`, whose message is one line; the CLI prints it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

#: Input-size bound: the largest file read.
MAX_INPUT_BYTES = 1_000_000
NOTEBOOK_SUFFIX = ".ipynb"
#: The error when a notebook is to be read and nbformat is missing.
NEEDS_NBFORMAT = "reading a notebook needs nbformat (pip install 'backprop-derive[notebook]', or pip install nbformat)"


class SourceError(ValueError):
    """An input that cannot be read; the message is one line."""


@dataclass(frozen=True)
class Source:
    """A document to check: its ``name``, its ``text`` (for a notebook, its Markdown cells joined), ``latex``
    (True for ``.tex``, None to guess), and for a notebook ``cells``: (cell, line in the cell) of each line of
    ``text``, and ``markdown_cells``: how many Markdown cells were read."""

    name: str
    text: str
    latex: bool | None = None
    cells: tuple[tuple[int, int], ...] | None = None
    markdown_cells: int | None = None

    @property
    def is_notebook(self) -> bool:
        return self.cells is not None

    def locate(self, line: int) -> tuple[int | None, int]:
        """(cell, line in the cell) of the 1-based ``line`` of :attr:`text`; (None, line) outside a notebook."""
        if self.cells is None or not self.cells:
            return None, line
        return self.cells[min(max(line, 1), len(self.cells)) - 1]

    def where(self, line: int) -> str:
        """``line 12``, or in a notebook ``cell 3, line 2``."""
        cell, in_cell = self.locate(line)
        return f"line {line}" if cell is None else f"cell {cell}, line {in_cell}"

    def relocate(self, text: str) -> str:
        """``text`` (a step's detail, a definition's place) with each ``line N`` said as :meth:`where` says it."""
        if self.cells is None:
            return text
        return re.sub(r"\bline (\d+)\b", lambda m: self.where(int(m.group(1))), text)


def decode(data: bytes, name: str) -> str:
    """``data`` as UTF-8 text; :class:`SourceError` if it is too large, holds a NUL byte or is not UTF-8."""
    if len(data) > MAX_INPUT_BYTES:
        raise SourceError(f"{name} is larger than {MAX_INPUT_BYTES} bytes")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(f"{name} is not text (a NUL byte at offset {nul})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SourceError(f"{name} is not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})") from None


def read_bytes(name: str) -> bytes:
    """The bytes of the file ``name`` (``-``: standard input), at most one more than the size bound."""
    try:
        if name == "-":
            return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        with Path(name).open("rb") as handle:
            return handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise SourceError(f"cannot read {name}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"cannot read {name}: it is a directory") from None
    except OSError as err:
        raise SourceError(f"cannot read {name}: {err.strerror or err}") from None


def looks_like_notebook(text: str) -> bool:
    """Whether ``text`` is a notebook's JSON (whatever the file is called)."""
    head = text.lstrip()
    return head.startswith("{") and '"nbformat"' in text and '"cells"' in text


def read_source(name: str) -> Source:
    """The document in the file ``name`` (``-``: standard input); :class:`SourceError` if it cannot be read."""
    text = decode(read_bytes(name), name)
    if name.lower().endswith(NOTEBOOK_SUFFIX) or looks_like_notebook(text):
        return notebook_source(text, name)
    return Source(name, text, latex=name.endswith(".tex") if name != "-" else None)


def notebook_source(text: str, name: str) -> Source:
    """The Markdown cells of the notebook whose JSON is ``text``."""
    try:
        import nbformat
    except ImportError:
        raise SourceError(NEEDS_NBFORMAT) from None
    try:
        notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT, capture_validation_error={})
        cells = notebook.get("cells") if notebook.get("nbformat", 0) >= 4 else None
        if cells is None:  # an old notebook (worksheets): converted to version 4
            notebook = nbformat.reads(text, as_version=4, capture_validation_error={})
            cells = notebook.get("cells")
    except Exception as err:  # nbformat raises NotJSONError, ValidationError, KeyError, … on what is not a notebook
        first = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        raise SourceError(f"cannot read {name}: not a Jupyter notebook ({first})") from None
    if not isinstance(cells, list):
        raise SourceError(f"cannot read {name}: not a Jupyter notebook (no list of cells)")
    parts: list[str] = []
    where: list[tuple[int, int]] = []
    markdown = 0
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        body = cell.get("source", "")
        body = "".join(body) if isinstance(body, list) else str(body)
        markdown += 1
        lines = body.split("\n")
        if parts:  # a blank line between two cells, counted as the earlier cell's
            parts.append("")
            where.append(where[-1])
        parts.extend(lines)
        where.extend((number, n) for n in range(1, len(lines) + 1))
    return Source(name, "\n".join(parts), latex=False, cells=tuple(where), markdown_cells=markdown)


def text_source(text: str, name: str = "<text>") -> Source:
    """A document given as text (a notebook's JSON is read as a notebook)."""
    if looks_like_notebook(text):
        return notebook_source(text, name)
    return Source(name, text)
