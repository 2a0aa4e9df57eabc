"""Calling the CLI in-process from tests: exit code and output, argparse's own exits included."""

from __future__ import annotations

from backprop_derive.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """``derive ARGV...`` in-process: ``(exit code, stdout, stderr)``."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own usage errors exit
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_usage_error(capsys, argv: list[str], message: str) -> None:
    """Bad input: exit 2 and one line on stderr that contains ``message``, no traceback."""
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
