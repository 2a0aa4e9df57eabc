"""What a bounded child process is doing, so that a step that runs out of CPU time can say which method it
could not finish (:mod:`backprop_derive.verify.worker`).

A module of its own, importing nothing of the package: :mod:`backprop_derive.core.prove` reports its methods here
without
importing :mod:`backprop_derive.verify` (which imports it).  Outside a bounded child, :func:`stage` does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

#: Set in the child by :func:`backprop_derive.verify.worker.run_bounded`: sends one message to the parent.
_send: Callable[[tuple], None] | None = None


def stage(what: str) -> None:
    """Say that the child now runs ``what`` ("the symbolic proof (expand)"); the last one said is named if
    the step runs out of CPU time."""
    if _send is not None:
        with contextlib.suppress(OSError, ValueError):  # the parent stopped listening: the step is over anyway
            _send(("stage", what))


def listen(send: Callable[[tuple], None] | None) -> None:
    """Where :func:`stage` sends from now on (None: nowhere)."""
    global _send
    _send = send
