r"""Where the numeric comparison draws its points: at full precision, at many scales, beside kinks.

A coordinate is an exact decimal of :data:`MANTISSA_DIGITS` random significant digits (so a
counterexample can be replayed exactly), never on a grid: a term that vanishes at every n/1000
(``\sin(1000\pi x)``) is seen.  Its magnitude is drawn log-uniformly from one of
:data:`MAGNITUDES` in turn -- ordinary (0.1 to 10), near 0 (down to 1e-8: a bump narrower than
1e-4 is seen), and far out (up to 1e4: ``\max(0, x - 500)`` is seen) -- with a random sign, then
only positive once many points leave a side undefined.  Every third point is moved beside a
real root of a kink that is a polynomial in one coordinate, or beside a number written in the
claim (a bump ``e^{-10^{12}(x - 0.0004)^2}``, a far-out ``\tanh(x + 1200)``), or beside 0, at a
distance in each decade from 1e-8 to 1e-1 in turn (random digits within it), one side and then the
other (a kink moved from 0 to 0.0004 is seen).  The points near 0 take the decades in turn too.

A *kink* is where a piecewise expression switches: the argument of ``|·|``, ``sign``,
``Heaviside``, the differences of the arguments of ``max``/``min``, the two sides of a
``Piecewise`` condition.  Only a point within :data:`KINK_CLEARANCE` of one is not used, where
the derivative is a convention.
"""

from __future__ import annotations

import itertools
import random

import sympy as sp

from backprop_derive.verify.cputime import PointTimeout, time_limit

KINK_CLEARANCE = 1e-30
#: Highest degree of a polynomial kink whose real roots are probed.
MAX_PROBE_DEGREE = 8
#: Errors that SymPy/mpmath raise on a point they cannot evaluate (huge exact powers among them).
EVALUATION_ERRORS = (TypeError, ValueError, ArithmeticError, RecursionError, MemoryError, AttributeError)
#: Significant digits of a drawn coordinate.
MANTISSA_DIGITS = 20
#: Ranges of log10 |coordinate|, taken in turn: ordinary, near 0, far out, small, large (five: the
#: kink probes, every third point, fall on each of them in turn).
NEAR_ZERO = (-8, -2)
#: Magnitudes of a first look (:func:`backprop_derive.verify.numeric.compare` with ``thorough=False``).
FIRST_LOOK = ((-1, 1), (-3, 0), (0, 2))
MAGNITUDES = ((-1, 1), NEAR_ZERO, (2, 4), (-4, -1), (1, 3))
#: Distances (log10) from a kink at which it is probed.
PROBE_DISTANCES = (-8, -1)


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


def _coordinate(rng: random.Random, magnitudes: tuple[int, int], positive: bool = False) -> sp.Rational:
    """A random exact decimal of :data:`MANTISSA_DIGITS` digits in a decade ``10^e``, ``e`` drawn from
    ``magnitudes`` (lowest included, highest not); a random sign unless ``positive``."""
    decade = rng.randrange(*magnitudes)
    mantissa = rng.randrange(10 ** (MANTISSA_DIGITS - 1), 10**MANTISSA_DIGITS)
    value = sp.Rational(mantissa, 10 ** (MANTISSA_DIGITS - 1)) * sp.Rational(10) ** decade
    return value if positive or rng.random() < 0.5 else -value


#: CPU seconds spent solving one kink that is no polynomial with rational coefficients (``x - e^{10}``).
SOLVE_SECONDS = 0.5
_ROOTS: dict = {}


def kink_roots(at: sp.Expr, symbol: sp.Symbol) -> list[sp.Rational] | None:
    """The real roots of ``at`` (a kink in ``symbol`` alone) as exact decimals of 40 digits, sorted; None where
    they cannot be found (then the kink is not probed, and :func:`backprop_derive.verify.numeric.compare` says so)."""
    key = (at, symbol)
    if key in _ROOTS:
        return _ROOTS[key]
    found = None
    try:
        poly = sp.Poly(at, symbol)
        if 1 <= poly.degree() <= MAX_PROBE_DEGREE and all(c.is_Rational for c in poly.coeffs()):
            found = [sp.Rational(str(sp.Float(r, 40))) for r in poly.real_roots()]
    except (sp.PolynomialError, *EVALUATION_ERRORS):
        pass
    if found is None:
        found = _solved(at, symbol)
    _ROOTS[key] = sorted(set(found)) if found is not None else None
    return _ROOTS[key]


def _solved(at: sp.Expr, symbol: sp.Symbol) -> list[sp.Rational] | None:
    """Real roots of a kink at any magnitude (``x - e^{10}``, ``\\log x - 50``), by ``solve`` within
    :data:`SOLVE_SECONDS`; None where it fails or finds roots it cannot evaluate."""
    plain = sp.Dummy("t", real=True)
    try:
        with time_limit(SOLVE_SECONDS):
            roots = sp.solve(at.xreplace({symbol: plain}), plain)
            found = []
            for root in roots:
                number = sp.N(root, 40)
                if not number.is_Number:
                    return None
                if number.is_real and number.is_finite:
                    found.append(sp.Rational(str(number)))  # an exact decimal: a replayable point
            return found
    except (PointTimeout, NotImplementedError, sp.PolynomialError, *EVALUATION_ERRORS):
        return None


def _probe(kink: sp.Expr, symbol: sp.Symbol, point: dict, turn: int, rng: random.Random,
           rounds: int = 1) -> sp.Rational | None:
    """A coordinate for ``symbol`` beside a real root of ``kink`` (the other coordinates as in ``point``),
    on one side or the other by ``turn``, or halfway between two roots (a window narrower than any distance
    drawn: ``\\max(0, 1 - 10^{20}(x - 1)^2)``); None where no root is found."""
    try:
        at = kink.xreplace({s: v for s, v in point.items() if s != symbol})
    except EVALUATION_ERRORS:
        return None
    if at.free_symbols != {symbol}:
        return None
    roots = kink_roots(at, symbol)
    if not roots:
        return None
    midpoints = [(a + b) / 2 for a, b in itertools.pairwise(roots)]
    rounds = max(rounds, 1)
    spots = sorted([*roots, *midpoints])  # each root and each window between two in turn, left to right
    root = spots[(turn // 2 // rounds) % len(spots)]
    if root in midpoints:
        return root
    decade = PROBE_DISTANCES[0] + (turn // 2 // rounds // len(roots)) % (PROBE_DISTANCES[1] - PROBE_DISTANCES[0])
    distance = _coordinate(rng, (decade, decade + 1), positive=True)  # the decades in turn, nearest first
    return root + (distance if turn % 2 == 0 else -distance)


def unprobed_kinks(kinks: list[sp.Expr], reals: list[sp.Symbol]) -> list[sp.Expr]:
    """The kinks in one real coordinate whose roots could not be found: where such a kink switches is
    not probed, so agreement of values there proves nothing."""
    found = []
    for kink in kinks:
        symbols = kink.free_symbols & set(reals)
        if len(symbols) == 1 and kink.free_symbols == symbols and kink_roots(kink, symbols.pop()) is None:
            found.append(kink)
    return found


def draw_point(rng, reals, probes, attempt, failures, misses=0, near: bool = True) -> dict:
    """Coordinates at one of :data:`MAGNITUDES`, or (every third attempt) one of them beside a kink.

    After ten points where a side was undefined, coordinates are positive; after ten where an
    assumption had no real solution (``x^2 + y^2 = 1`` for ``|x| > 1``), every other point is
    drawn below 1 in magnitude.  ``near=False`` (a first look) draws only ordinary magnitudes.
    """
    magnitudes = MAGNITUDES[attempt % len(MAGNITUDES)] if near else FIRST_LOOK[attempt % len(FIRST_LOOK)]
    if magnitudes == NEAR_ZERO:  # the decades near 0 in turn, smallest first: a bump of width 1e-7 is met
        low = NEAR_ZERO[0] + (attempt // len(MAGNITUDES)) % (NEAR_ZERO[1] - NEAR_ZERO[0])
        magnitudes = (low, low + 1)
    positive = failures >= 10 and attempt % 4 != 0
    if misses >= 10 and attempt % 2:
        magnitudes = (-3, 0)
    point = {s: _coordinate(rng, magnitudes, positive) for s in reals}
    if probes and attempt % 3 == 2:  # beside a kink, one side then the other
        turn = attempt // 3
        kink, symbol = probes[(turn // 2) % len(probes)]
        beside = _probe(kink, symbol, point, turn, rng, len(probes))
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
