"""CPU-time limits for one computation inside a step: the same input gives the same verdicts whatever the
machine's load, because what is bounded is the CPU time the process spent, not the wall clock.

A module of its own, importing nothing of the package, so that :mod:`backprop_derive.verify.sampling` (solving for
kinks) and :mod:`backprop_derive.verify.numeric` (evaluating points) share it without importing each other.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class PointTimeout(BaseException):
    """A computation ran past its CPU-time limit (a BaseException: SymPy's ``except Exception`` must not
    swallow it)."""


@contextmanager
def time_limit(seconds: float):
    """Raise :class:`PointTimeout` in the block after ``seconds`` of the process's CPU time (``ITIMER_PROF``:
    user + system, so a loaded machine does not cut a computation short; main thread only, elsewhere no
    limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise PointTimeout

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
