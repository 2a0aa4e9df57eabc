"""Shared CLI pieces: a parser whose errors are one line, the usage error, JSON output."""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Iterable

from backprop_derive.core.safe_text import terminal_safe

__all__ = ["OneLineParser", "UsageError", "did_you_mean", "emit_json", "math_json", "terminal_safe"]


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


class OneLineParser(argparse.ArgumentParser):
    """``argparse`` that reports a usage error in one line (``PROG: error: MESSAGE``), exit 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"did you mean 'sigmoid'? "`` for the closest of ``choices`` (difflib), or ``""`` if none is close.

    Put it where a sentence may start: ``f"unknown entry {name!r}; {did_you_mean(name, names)}valid names: …"``.
    """
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def emit_json(data) -> None:
    """Print ``data`` as indented JSON, keys in the order given; C1 control characters escaped too."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    sys.stdout.write(re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def math_json(expr) -> dict[str, str]:
    """``{"latex": ..., "text": ...}`` for a SymPy expression: the project's LaTeX (as in the steps
    and the notes), and ``str()`` for ``text``."""
    from backprop_derive.core.printing import latex

    return {"latex": latex(expr), "text": str(expr)}
