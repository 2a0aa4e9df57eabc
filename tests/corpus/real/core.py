"""Hand-encoded steps and their independent check (SymPy + mpmath only; no project code).

Each corpus file ``<stem>.md`` (and its one-mistake copy ``<stem>.wrong.md``) has one function here,
registered with ``@derivation(stem)``. The function takes ``wrong`` (False for the transcription, True for
the planted copy) and returns the file's display blocks in order; a block is a list of steps, each either
``D()`` (a definition: not judged) or ``eq(lhs, rhs)`` (a claim, written by hand as SymPy expressions).
``chain(e0, e1, ...)`` gives the steps of ``e0 = e1 = ...``: each step compares neighbours.

A claim is decided two ways: ``simplify(lhs - rhs) == 0`` (proved) and mpmath at 50 digits at random points
(numeric). The numeric answer is the verdict; a claim that simplifies to 0 but differs numerically, or the
reverse with ``proved`` claimed, is reported as a checker disagreement.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import mpmath
import sympy as sp

REGISTRY: dict[str, Callable[[bool], list[Block]]] = {}
DPS = 50
POINTS = 3


@dataclass(frozen=True)
class Step:
    kind: str  # "definition" or "claim"
    lhs: sp.Expr | None = None
    rhs: sp.Expr | None = None


@dataclass
class Block:
    steps: list[Step]
    chains: int = 1
    ranges: dict = field(default_factory=dict)  # symbol -> (lo, hi) sampling interval
    funcs: dict = field(default_factory=dict)  # undefined function -> concrete Lambda for numeric checks


def D() -> Step:
    return Step("definition")


def eq(lhs, rhs) -> Step:
    return Step("claim", _expr(lhs), _expr(rhs))


def _expr(e):
    return e if isinstance(e, sp.MatrixBase) else sp.sympify(e)


def chain(*exprs) -> list[Step]:
    return [eq(a, b) for a, b in itertools.pairwise(exprs)]


def block(*parts, chains: int = 1, ranges: dict | None = None, funcs: dict | None = None) -> Block:
    steps: list[Step] = []
    for part in parts:
        steps.extend(part if isinstance(part, list) else [part])
    return Block(steps, chains, dict(ranges or {}), dict(funcs or {}))


def derivation(stem: str):
    def register(fn):
        assert stem not in REGISTRY, stem
        REGISTRY[stem] = fn
        return fn

    return register


def pick(wrong: bool, right, planted):
    """The transcription's expression, or the planted copy's."""
    return planted if wrong else right


def _concrete(expr: sp.Expr, funcs: dict) -> sp.Expr:
    for f, lam in funcs.items():
        expr = expr.replace(f, lam)
    return expr.doit()


def inst(fn, cases) -> sp.Matrix:
    """A claim about free indices, as a column of concrete instances (one per tuple in ``cases``)."""
    return sp.Matrix([fn(*c) for c in cases])


def decide(step: Step, blk: Block, rng: random.Random) -> tuple[str, bool, float]:
    """(verdict, proved, largest |lhs - rhs| seen) for a claim; a Matrix claim holds when every entry does."""
    if isinstance(step.lhs, sp.MatrixBase) or isinstance(step.rhs, sp.MatrixBase):
        lhs_m, rhs_m = sp.Matrix(step.lhs), sp.Matrix(step.rhs)
        if lhs_m.shape != rhs_m.shape:
            return "not_equal", False, float("inf")
        results = [decide(Step("claim", a, b), blk, rng) for a, b in zip(lhs_m, rhs_m, strict=True)]
        ok = all(r[0] == "equal" for r in results)
        return ("equal" if ok else "not_equal"), ok and all(r[1] for r in results), max(r[2] for r in results)
    key = (step.lhs, step.rhs, tuple(sorted(blk.ranges.items(), key=str)), tuple(sorted(blk.funcs.items(), key=str)))
    if key not in _DECIDED:  # a one-mistake copy repeats most of its transcription's claims
        _DECIDED[key] = _decide_scalar(step, blk, rng)
    return _DECIDED[key]


_DECIDED: dict = {}


def _decide_scalar(step: Step, blk: Block, rng: random.Random) -> tuple[str, bool, float]:
    lhs = _concrete(step.lhs, blk.funcs)
    rhs = _concrete(step.rhs, blk.funcs)
    syms = sorted(lhs.free_symbols | rhs.free_symbols, key=str)
    mpmath.mp.dps = DPS
    worst = 0.0
    equal = True
    for _ in range(POINTS):
        point = {}
        for s in syms:
            lo, hi = blk.ranges.get(s, (0.15, 0.85))
            point[s] = sp.Float(lo + (hi - lo) * rng.random(), DPS)
        left, right = (sp.N(e.xreplace(point), DPS) for e in (lhs, rhs))
        gap = abs(left - right)
        if not gap.is_number:  # pragma: no cover - an encoding left a free symbol behind
            raise ValueError(f"claim did not evaluate to a number: {gap}")
        worst = max(worst, float(gap))
        if gap > sp.Float(10) ** (-(DPS - 15)) * (1 + abs(left) + abs(right)):
            equal = False
    proved = _simplifies_to_zero(lhs - rhs) if equal else False
    return ("equal" if equal else "not_equal"), proved, worst


def _simplifies_to_zero(diff: sp.Expr) -> bool:
    attempts = [sp.expand, sp.cancel, lambda e: sp.cancel(sp.expand(e.rewrite(sp.exp)))]
    if sp.count_ops(diff) < 40:  # full simplify only where it stays quick
        attempts.append(lambda e: sp.simplify(sp.expand(e)))
    for attempt in attempts:
        try:
            if attempt(diff) == 0:
                return True
        except (TypeError, ValueError, NotImplementedError):  # pragma: no cover - SymPy corner cases
            return False
    return False


# ---- shared building blocks -------------------------------------------------------------------------------


def softmax(zs):
    total = sum(sp.exp(z) for z in zs)
    return [sp.exp(z) / total for z in zs]


def sigmoid(x):
    return 1 / (1 + sp.exp(-x))


def d(expr, var):
    return sp.diff(expr, var)


def d_at(fn, at):
    """d fn(u)/du at u = ``at``: a derivative with respect to an intermediate quantity (∂ℓ/∂p, ∂L/∂ŷ)."""
    u = sp.Dummy("u")
    return sp.diff(fn(u), u).subs(u, at)
