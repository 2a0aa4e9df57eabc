r"""``derive verify`` in Jupyter: :func:`check` returns a report that a notebook shows as the ``--html`` page.

    >>> from backprop_derive.verify import check
    >>> check(r"$$\frac{d}{dx}\tanh x = 1 - \tanh^2 x$$")      # text: Markdown (or LaTeX)
    >>> check("hw3.md"); check("hw3.ipynb")                     # a path: read as `derive verify PATH` reads it

The object shows itself in a notebook as the same page ``derive verify FILE --html OUT.html`` writes
(``_repr_html_``; it needs ``latex2mathml``, else the text report is shown), and as the text report
in a terminal (``str``).  ``report.exit_code`` is what ``derive verify`` would exit with.

The cell magic ``%%derive`` (after ``%load_ext backprop_derive.verify.jupyter``) checks the cell's text, which is
Markdown/LaTeX; options as on the command line: ``%%derive --assume 'K=3' --timeout 10``.
"""

from __future__ import annotations

import html
import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backprop_derive.verify.report import DEFAULT_TIMEOUT, Options, Report
from backprop_derive.verify.sources import Source, read_source, text_source


@dataclass(frozen=True)
class CheckReport:
    """The verdicts on one document: ``report`` (:class:`~backprop_derive.verify.report.Report`) and its ``source``."""

    report: Report
    source: Source

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def summary(self) -> dict[str, int]:
        return self.report.summary

    @property
    def chains(self):
        return self.report.chains

    @property
    def exit_code(self) -> int:
        from backprop_derive.verify.present import exit_code

        return exit_code(self.report)

    def as_json(self) -> dict:
        """The ``derive verify --json`` dict."""
        from backprop_derive.verify.present import as_json

        return as_json(self.report, self.source)

    def text(self) -> str:
        """The ``derive verify`` text report."""
        from backprop_derive.verify.present import as_text

        return as_text(self.report, self.name, source=self.source)

    __str__ = text

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in self.summary.items() if n)
        return f"<derive verify {self.name}: {len(self.chains)} chain(s); {counts or 'no step'}>"

    def _repr_html_(self) -> str:
        """The page ``derive verify FILE --html OUT.html`` writes (the text report, when latex2mathml is absent)."""
        try:
            import latex2mathml  # noqa: F401
        except ImportError:
            return (f"<p>(install latex2mathml for the full page)</p><pre>{html.escape(self.text())}</pre>")
        from backprop_derive.verify.page import html_report

        return html_report(self.as_json(), self.name)


def _is_path(value) -> bool:
    if isinstance(value, os.PathLike):
        return True
    return isinstance(value, str) and "\n" not in value and len(value) < 4096 and "$" not in value \
        and Path(value).is_file()


def check(text_or_path, assume: Sequence[str] = (), timeout: float = DEFAULT_TIMEOUT) -> CheckReport:
    """Verdicts on a document given as text (Markdown/LaTeX, or a notebook's JSON) or as a path (an existing
    ``.md``/``.tex``/``.ipynb`` file); ``assume`` and ``timeout`` as ``derive verify --assume/--timeout``.
    A file that cannot be read raises :class:`~backprop_derive.verify.sources.SourceError` (a ``ValueError``)."""
    from backprop_derive.verify.check import verify_text

    source = read_source(os.fspath(text_or_path)) if _is_path(text_or_path) else text_source(str(text_or_path))
    report = verify_text(source.text, list(assume), Options(timeout=timeout), latex=source.latex)
    return CheckReport(report, source)


def _magic(line: str, cell: str):
    """``%%derive [--assume LATEX]... [--timeout S]``: the cell's report."""
    words = shlex.split(line)
    assume, timeout = [], DEFAULT_TIMEOUT
    while words:
        word = words.pop(0)
        if word == "--assume" and words:
            assume.append(words.pop(0))
        elif word == "--timeout" and words:
            timeout = float(words.pop(0))
        else:
            raise ValueError(f"%%derive: unknown option {word!r} (--assume LATEX, --timeout S)")
    return check(cell, assume, timeout)


def load_ipython_extension(ipython) -> None:
    """``%load_ext backprop_derive.verify.jupyter``: registers the ``%%derive`` cell magic."""
    ipython.register_magic_function(_magic, magic_kind="cell", magic_name="derive")
