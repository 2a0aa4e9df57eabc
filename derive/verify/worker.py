"""Run one check in a child process that can be stopped: a time bound and a memory bound per step.

SymPy can take unbounded time on innocent-looking input (``simplify`` of a large expression, an
expansion that explodes), and no thread-based timeout can interrupt it.  A child process can be
killed, so each step runs in one.  The child reports as it goes -- ``send(message)`` -- and the
parent keeps every message that arrived before the deadline: a numeric verdict found before a
symbolic proof ran out of time is not lost.

Messages are tuples of plain data (strings, numbers, dicts), so they cross the process boundary
whatever the start method (``fork`` where available, ``spawn`` otherwise).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Extra address space a child may use beyond what it starts with.
MEMORY_LIMIT_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class Outcome:
    """What the child said (``messages``), and whether it finished, ran out of time, or crashed."""

    messages: tuple[tuple, ...]
    finished: bool
    timed_out: bool
    crash: str | None = None


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


def _child(connection, target: Callable, args: tuple) -> None:
    _limit_memory()
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


def run_bounded(target: Callable, args: tuple, timeout: float) -> Outcome:
    """Run ``target(send, *args)`` in a child process for at most ``timeout`` seconds."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, target, args), daemon=True)
    child.start()
    sender.close()
    deadline = time.monotonic() + timeout
    messages: list[tuple] = []
    finished = timed_out = False
    crash = None
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            if not receiver.poll(min(remaining, 0.25)):
                if not child.is_alive() and not receiver.poll(0):
                    crash = f"the checker stopped (exit code {child.exitcode})"
                    break
                continue
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                crash = f"the checker stopped (exit code {child.exitcode})"
                break
            if message[0] == "done":
                finished = True
                break
            if message[0] == "crash":
                crash = message[1]
                break
            messages.append(message)
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        receiver.close()
        if hasattr(child, "close") and child.exitcode is not None:
            child.close()
    return Outcome(tuple(messages), finished, timed_out, crash)

