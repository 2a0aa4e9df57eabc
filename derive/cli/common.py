"""Shared CLI pieces: a parser whose errors are one line, the usage error, JSON output."""

from __future__ import annotations

import argparse
import json
import sys


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


class OneLineParser(argparse.ArgumentParser):
    """``argparse`` that reports a usage error in one line (``PROG: error: MESSAGE``), exit 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def emit_json(data) -> None:
    """Print ``data`` as indented JSON, keys in the order given."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def math_json(expr) -> dict[str, str]:
    """``{"latex": ..., "text": ...}`` for a SymPy expression: the project's LaTeX (as in the steps
    and the notes), and ``str()`` for ``text``."""
    from derive.render import latex

    return {"latex": latex(expr), "text": str(expr)}
