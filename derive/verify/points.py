r"""Where the numeric comparison draws its points: at several scales, and just beside kinks.

A coordinate is an exact decimal in thousandths (``0.372``), never 0, so a counterexample can be
replayed exactly.  Coordinates are drawn in a symmetric range first, at the scales of
:data:`SCALES` in turn (up to :math:`\pm 120`), then in positive ranges once many points leave
a side undefined (:data:`STRATEGIES`).  Every third point is moved just beside a real root of a
kink that is a polynomial in one coordinate (``x^2 < 10^6`` is probed at 1000).

A *kink* is where a piecewise expression switches: the argument of ``|·|``, ``sign``,
``Heaviside``, the differences of the arguments of ``max``/``min``, the two sides of a
``Piecewise`` condition.  A point where one is within :data:`KINK_CLEARANCE` of 0 is not used:
piecewise derivatives are compared away from their kinks.
"""

from __future__ import annotations

import itertools
import random

import sympy as sp

KINK_CLEARANCE = 1e-6
#: Highest degree of a polynomial kink whose real roots are probed.
MAX_PROBE_DEGREE = 8
#: Errors that SymPy/mpmath raise on a point they cannot evaluate (huge exact powers among them).
EVALUATION_ERRORS = (TypeError, ValueError, ArithmeticError, RecursionError, MemoryError, AttributeError)
#: Where coordinates are drawn, in thousandths: a symmetric range first, positive ones when that
#: leaves a side undefined.  Each range is stretched by a scale from :data:`SCALES` in turn, so a
#: claim that fails only far out (``max(0, x - 5) = 0``) is caught too.
STRATEGIES = ((-3000, 3000), (1, 3000), (1, 999))
SCALES = (1, 1, 4, 1, 12, 1, 40, 1)


def kinks_of(expr: sp.Expr) -> list[sp.Expr]:
    """The expressions whose zeros are the kinks of ``expr``."""
    found: list[sp.Expr] = []
    for node in expr.atoms(sp.Abs, sp.sign, sp.Heaviside):
        found.append(node.args[0])
    for node in expr.atoms(sp.Max, sp.Min):
        found.extend(a - b for a, b in itertools.combinations(node.args, 2))
    for node in expr.atoms(sp.Piecewise):
        for piece in node.args:
            found.extend(rel.lhs - rel.rhs for rel in piece.cond.atoms(sp.core.relational.Relational))
    return found


def _coordinate(rng: random.Random, low: int, high: int) -> sp.Rational:
    """A random exact decimal in [low/1000, high/1000], never 0."""
    return sp.Rational(rng.randint(low, high) or 1, 1000)


def _probe(kink: sp.Expr, symbol: sp.Symbol, point: dict, turn: int, rng: random.Random) -> sp.Rational | None:
    """A coordinate for ``symbol`` just beside a real root of ``kink`` (the other coordinates as in
    ``point``), on one side or the other by ``turn``; None unless the kink is a polynomial in it."""
    try:
        at = kink.xreplace({s: v for s, v in point.items() if s != symbol})
        if at.free_symbols != {symbol}:
            return None
        poly = sp.Poly(at, symbol)
        if not 1 <= poly.degree() <= MAX_PROBE_DEGREE or not all(c.is_Rational for c in poly.coeffs()):
            return None
        roots = poly.real_roots()
    except (sp.PolynomialError, *EVALUATION_ERRORS):
        return None
    if not roots:
        return None
    root = roots[(turn // 2) % len(roots)]
    near = sp.Rational(round(float(root) * 1000), 1000)  # within 0.0005; the step is at least 0.001
    return near + (1 if turn % 2 == 0 else -1) * _coordinate(rng, 1, 1000)


def draw_point(rng, reals, probes, attempt, failures, misses=0) -> dict:
    """Coordinates at one of the scales, or (every third attempt) beside a kink.

    After ten points where an assumption had no real solution (``x^2 + y^2 = 1`` for ``|x| > 1``),
    every other point is drawn in [-1, 1], both signs still.
    """
    low, high = STRATEGIES[min(failures // 10, len(STRATEGIES) - 1)]
    scale = SCALES[attempt % len(SCALES)]
    if misses >= 10 and attempt % 2:
        low, high, scale = -999, 999, 1
    point = {s: _coordinate(rng, low * scale, high * scale) for s in reals}
    if probes and attempt % 3 == 2:  # just beside a kink, one side then the other
        turn = attempt // 3
        kink, symbol = probes[(turn // 2) % len(probes)]
        beside = _probe(kink, symbol, point, turn, rng)
        if beside is not None:
            point[symbol] = beside
    return point


def near_kink(kink: sp.Expr, point: dict) -> bool:
    """Whether ``kink`` is within :data:`KINK_CLEARANCE` of 0 at ``point`` (or cannot be evaluated there)."""
    try:
        at = kink.xreplace(point)
        if not at.is_number:
            return False
        magnitude = abs(at.evalf(15))
    except EVALUATION_ERRORS:
        return True
    return magnitude.is_Number and magnitude < KINK_CLEARANCE
