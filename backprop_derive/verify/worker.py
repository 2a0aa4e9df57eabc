"""Run one check in a child process that can be stopped: a CPU-time bound and a memory bound per step.

SymPy can take unbounded time on innocent-looking input (``simplify`` of a large expression, an
expansion that explodes), and no thread-based timeout can interrupt it.  A child process can be
killed, so each step runs in one.  The child reports as it goes -- ``send(message)`` -- and the
parent keeps every message that arrived before the bound: a numeric verdict found before a
symbolic proof ran out of time is not lost.

The bound is the child's *CPU time* (user + system, read from ``/proc/<pid>/stat``), not wall time:
a step gets the same computation however loaded the machine is, so a verdict does not depend on what
else runs beside it.  The child's own deadlines (:mod:`backprop_derive.verify.decide`, :mod:`.numeric`,
:mod:`.diagnosis`, :mod:`.matrix.decide`) count CPU time too (``time.process_time``, ``ITIMER_PROF``).
Where ``/proc`` cannot be read (not Linux), the bound falls back to wall time, as it was before, and
the message says so.  Besides the CPU bound there is a generous wall-clock backstop,
``max(60 s, 20 × the bound)`` (:func:`backstop`), only against a child that hangs without computing
(blocked, asleep): a child that computes meets its CPU bound long before it.

The child says what it is doing (:func:`backprop_derive.core.stage.stage`); a step that runs out names the last
method it started.  Messages are tuples of plain data (strings, numbers, dicts), so they cross the
process boundary whatever the start method (``fork`` where available, ``spawn`` otherwise).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from backprop_derive.core import stage as stages

#: Extra address space a child may use beyond what it starts with.
MEMORY_LIMIT_BYTES = 2 * 1024**3
#: The wall-clock backstop: at least this many seconds, and at least :data:`BACKSTOP_FACTOR` × the CPU bound.
BACKSTOP_SECONDS = 60.0
BACKSTOP_FACTOR = 20.0
#: Longest wait between two readings of the child's CPU time.
POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Outcome:
    """What the child said (``messages``), and whether it finished, ran out of time, or crashed.

    ``bound`` says what stopped a child that ran out (``"the time bound of 5 s of CPU time"``, the
    wall-clock backstop, or wall time where CPU time cannot be read); ``stage`` the last thing it said it was doing
    (:func:`backprop_derive.core.stage.stage`), or None.
    """

    messages: tuple[tuple, ...]
    finished: bool
    timed_out: bool
    crash: str | None = None
    bound: str = ""
    stage: str | None = None


def backstop(timeout: float) -> float:
    """Wall seconds after which a child is stopped whatever its CPU time: ``max(60, 20 × timeout)``."""
    return max(BACKSTOP_SECONDS, BACKSTOP_FACTOR * timeout)


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/status") as status:
            vm = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (vm + MEMORY_LIMIT_BYTES, vm + MEMORY_LIMIT_BYTES))
    except (ImportError, OSError, ValueError, StopIteration):
        pass  # no such limit on this platform; the time bound still holds


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) process ``pid`` has used, from ``/proc/<pid>/stat``; None where that
    cannot be read (no ``/proc``, or the process is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()  # the name, in parentheses, may hold spaces
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks  # fields 14 and 15: utime, stime
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _child(connection, target: Callable, args: tuple) -> None:
    _limit_memory()
    stages.listen(connection.send)
    try:
        target(connection.send, *args)
        connection.send(("done",))
    except MemoryError:
        connection.send(("crash", "ran out of memory (limit 2 GiB)"))
    except RecursionError:
        connection.send(("crash", "expression nested too deeply for the checker"))
    except Exception as err:  # a checker bug must become a verdict, never a traceback
        connection.send(("crash", f"{type(err).__name__}: {err}"[:300]))
    finally:
        connection.close()


def run_bounded(target: Callable, args: tuple, timeout: float, wall_limit: float | None = None) -> Outcome:
    """Run ``target(send, *args)`` in a child process for at most ``timeout`` seconds of its CPU time.

    Time the child spends waiting (for a busy machine's cores, asleep, blocked) does not count; a
    wall-clock backstop, ``wall_limit`` seconds (default :func:`backstop`: ``max(60, 20 × timeout)``),
    stops a child that hangs without computing.  Where the child's CPU time cannot be read (no
    ``/proc``), ``timeout`` bounds wall time instead.
    """
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, target, args), daemon=True)
    started = time.monotonic()
    child.start()
    sender.close()
    wall_limit = backstop(timeout) if wall_limit is None else wall_limit
    by_cpu = cpu_seconds(child.pid) is not None
    messages: list[tuple] = []
    state = {"finished": False, "crash": None, "stage": None}

    def take(message: tuple) -> bool:
        """Keep one message; True when it ends the step."""
        if message[0] == "done":
            state["finished"] = True
        elif message[0] == "crash":
            state["crash"] = message[1]
        elif message[0] == "stage":
            state["stage"] = message[1]
        else:
            messages.append(message)
        return message[0] in ("done", "crash")

    timed_out = False
    bound = ""
    used = 0.0
    try:
        while True:
            elapsed = time.monotonic() - started
            # cpu_seconds is None once the child is gone: then what it had used
            used = (cpu_seconds(child.pid) or used) if by_cpu else elapsed
            if used >= timeout or elapsed >= wall_limit:
                if _drained(receiver, take):  # it finished (or failed) just as the bound came
                    break
                timed_out = True
                if used >= timeout:
                    bound = f"the time bound of {timeout:g} s of CPU time" if by_cpu else \
                        f"the time bound of {timeout:g} s (wall time: CPU time cannot be read on this platform)"
                else:
                    bound = f"the wall-clock backstop of {wall_limit:g} s (the checker waited without " \
                            f"computing: {used:.1f} s of CPU time used)"
                break
            # CPU time grows no faster than wall time in a one-thread child: waiting what is left of the
            # bound cannot overshoot it
            wait = max(0.01, min(timeout - used, wall_limit - elapsed, POLL_SECONDS))
            if not receiver.poll(wait):
                if not child.is_alive() and not receiver.poll(0):
                    state["crash"] = f"the checker stopped (exit code {child.exitcode})"
                    break
                continue
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                state["crash"] = f"the checker stopped (exit code {child.exitcode})"
                break
            if take(message):
                break
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        receiver.close()
        if hasattr(child, "close") and child.exitcode is not None:
            child.close()
    return Outcome(tuple(messages), state["finished"], timed_out, state["crash"], bound, state["stage"])


def _drained(receiver, take: Callable[[tuple], bool]) -> bool:
    """Take the messages already sent; True when one of them ended the step."""
    try:
        while receiver.poll(0):
            if take(receiver.recv()):
                return True
    except (EOFError, OSError):
        pass
    return False
