"""``derive verify --html``: writes the pages :mod:`backprop_derive.verify.page` makes (one file: OUT.html; several: a
folder of pages and its ``index.html``).  The page-making lives in the library, so Jupyter can show it too."""

from __future__ import annotations

from pathlib import Path

from backprop_derive.cli.common import UsageError
from backprop_derive.verify.page import STYLE, html_report, latex_mathml, safe_mathml

__all__ = ["STYLE", "html_report", "latex_mathml", "require_latex2mathml", "safe_mathml", "write_html",
           "write_page"]


def require_latex2mathml() -> None:
    """A one-line UsageError when ``latex2mathml`` is not installed (checked before any work is done)."""
    try:
        import latex2mathml  # noqa: F401
    except ImportError:
        raise UsageError("--html needs latex2mathml (pip install -e '.[html]')") from None


def write_page(page: str, target: str | Path) -> None:
    """Write ``page`` to ``target``; a one-line UsageError when the file cannot be written."""
    try:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(page)
    except OSError as err:
        raise UsageError(f"--html {target}: {err.strerror or err}") from None


def write_html(data: dict, name: str, target: str) -> None:
    """Write the page of the report ``data`` (the ``--json`` dict) of the file ``name`` to ``target``."""
    require_latex2mathml()
    write_page(html_report(data, name), target)
