r"""Compare two expressions numerically, at high precision, at random points inside their domain.

The two sides are evaluated with SymPy's ``evalf`` (mpmath underneath, adaptive precision) at
:data:`DIGITS` significant digits, at points whose coordinates are exact decimals such as
``0.372`` (so a counterexample can be replayed exactly).  They *agree* at a point when

.. math:: |a - b| \le 10^{-25} \max(|a|, |b|) + 10^{-40},

a threshold sixteen orders of magnitude below a difference of :math:`10^{-9}`, which is a mistake.
A disagreement is confirmed at twice the precision before it is reported.

Points are kept only where both sides are real and finite and no kink is near (the argument of
``|·|``, ``sign``, ``Heaviside``, ``max``/``min`` differences, a ``Piecewise`` condition's two
sides are all at least :math:`10^{-6}` away from 0): piecewise derivatives are compared away from
their kinks.  Sums over a symbolic count ``K`` are checked for several concrete K, with every free
index drawn from ``1..K``.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy as sp

from derive.functions import unfold

DIGITS = 50
RELATIVE_TOLERANCE = sp.Float("1e-25", DIGITS)
ABSOLUTE_TOLERANCE = sp.Float("1e-40", DIGITS)
KINK_CLEARANCE = 1e-6
#: Concrete values tried for a symbolic count such as K.
COUNTS = (2, 3, 4)
#: Where coordinates are drawn, in thousandths: a symmetric range first, positive ones when that
#: leaves a side undefined.  Each range is stretched by a scale from :data:`SCALES` in turn, so a
#: claim that fails only far out (``max(0, x - 5) = 0``) is caught too.
STRATEGIES = ((-3000, 3000), (1, 3000), (1, 999))
SCALES = (1, 1, 4, 1, 12, 1, 40, 1)


@dataclass(frozen=True)
class NumericOutcome:
    """``verdict`` is ``equal``, ``not_equal`` or ``unknown``; ``detail`` says what was seen."""

    verdict: str
    detail: str
    points: int = 0
    counterexample: dict | None = None
    largest_difference: str | None = None
    tried: tuple[str, ...] = field(default=())


def counts_and_indices(*exprs: sp.Expr) -> tuple[set[sp.Symbol], set[sp.Symbol]]:
    """The counts (bounds of sums, the K of softmax) and the free indices among integer symbols."""
    from derive.functions import IndexedFunction

    counts: set[sp.Symbol] = set()
    for expr in exprs:
        for node in expr.atoms(sp.Sum, sp.Product):
            for _, low, high in node.limits:
                counts |= {s for s in (low.free_symbols | high.free_symbols) if s.is_integer}
        for node in expr.atoms(IndexedFunction):
            if len(node.args) == 3:
                counts |= {s for s in node.args[2].free_symbols if s.is_integer}
    free: set[sp.Symbol] = set().union(*(e.free_symbols for e in exprs))
    indices = {s for s in free if isinstance(s, sp.Symbol) and s.is_integer and s not in counts}
    return counts, indices


def expand_finite_sums(expr: sp.Expr) -> sp.Expr:
    """Evaluate every sum and product whose bounds are numbers (``doit``), innermost first."""

    def finite(node) -> bool:
        return isinstance(node, (sp.Sum, sp.Product)) and all(
            low.is_Integer and high.is_Integer for _, low, high in node.limits
        )

    return expr.replace(finite, lambda node: node.doit())


def concrete(expr: sp.Expr, values: dict) -> sp.Expr:
    """``expr`` with counts and indices set to numbers, finite sums expanded, catalog functions unfolded."""
    return expand_finite_sums(unfold(expand_finite_sums(expr.xreplace(values))))


def _kinks(expr: sp.Expr) -> list[sp.Expr]:
    found: list[sp.Expr] = []
    for node in expr.atoms(sp.Abs, sp.sign, sp.Heaviside):
        found.append(node.args[0])
    for node in expr.atoms(sp.Max, sp.Min):
        found.extend(a - b for a, b in itertools.combinations(node.args, 2))
    for node in expr.atoms(sp.Piecewise):
        for piece in node.args:
            found.extend(rel.lhs - rel.rhs for rel in piece.cond.atoms(sp.core.relational.Relational))
    return found


def value(expr: sp.Expr, point: dict, digits: int) -> sp.Float | None:
    """``expr`` at ``point`` to ``digits`` digits; ``None`` where it is not a finite real number."""
    try:
        result = expr.xreplace(point).evalf(digits)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    if not result.is_Number or result.is_finite is False or result is sp.nan:
        return None
    return sp.Float(result, digits)


def _agree(a: sp.Float, b: sp.Float) -> bool:
    return abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)) + ABSOLUTE_TOLERANCE


def show_value(number: sp.Float) -> str:
    """30 significant digits, without trailing zeros."""
    if number == 0:
        return "0"
    mantissa, _, exponent = str(sp.Float(number, 30)).partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}" if exponent else mantissa


def _coordinate(rng: random.Random, low: int, high: int) -> sp.Rational:
    """A random exact decimal in [low/1000, high/1000], never 0."""
    return sp.Rational(rng.randint(low, high) or 1, 1000)


def _kink_probes(kinks: list[sp.Expr]) -> list[tuple[sp.Symbol, sp.Rational]]:
    """(symbol, where) for each kink linear in one symbol with a rational root: ``x - 5`` gives (x, 5)."""
    probes = []
    for kink in kinks:
        symbols = kink.free_symbols
        if len(symbols) != 1:
            continue
        (symbol,) = symbols
        slope = kink.diff(symbol)
        if slope.is_Rational and slope != 0:
            root = -kink.xreplace({symbol: 0}) / slope
            if root.is_Rational and root != 0:
                probes.append((symbol, root))
    return probes


def _instance(lhs, rhs, values, rewrites):
    """The concrete sides for ``values``, their real unknowns, and their kinks."""
    left, right = concrete(lhs, values), concrete(rhs, values)
    for rewrite in rewrites:
        left, right = rewrite(left, right, values)
    labels = {node.base.label for node in left.atoms(sp.Indexed) | right.atoms(sp.Indexed)}
    reals = sorted((left.free_symbols | right.free_symbols) - labels, key=str)
    kinks = _kinks(left) + _kinks(right)
    return left, right, reals, kinks, _kink_probes(kinks)


def compare(
    lhs: sp.Expr,
    rhs: sp.Expr,
    rewrites: Sequence[Callable[[sp.Expr, sp.Expr, dict], tuple[sp.Expr, sp.Expr]]],
    rng: random.Random,
    namer: Callable[[sp.Expr], str],
    wanted: int = 8,
    attempts: int = 60,
) -> NumericOutcome:
    """Evaluate ``lhs`` and ``rhs`` at ``wanted`` random points; see the module docstring.

    ``rewrites`` apply the assumptions to a concrete instance (given the count/index values used),
    so the sampled points satisfy them.  ``namer`` names a symbol in a counterexample.
    """
    counts, indices = counts_and_indices(lhs, rhs)
    instances: dict[tuple, tuple] = {}
    agreed, failures, largest, unevaluable = 0, 0, sp.Float(0), None
    for attempt in range(attempts):
        values = {c: sp.Integer(COUNTS[(attempt + n) % len(COUNTS)]) for n, c in enumerate(sorted(counts, key=str))}
        top = min((int(v) for v in values.values()), default=3)
        values.update({i: sp.Integer(rng.randint(1, top)) for i in sorted(indices, key=str)})
        key = tuple(sorted((str(k), int(v)) for k, v in values.items()))
        if key not in instances:
            instances[key] = _instance(lhs, rhs, values, rewrites)
        left, right, reals, kinks, probes = instances[key]
        low, high = STRATEGIES[min(failures // 10, len(STRATEGIES) - 1)]
        scale = SCALES[attempt % len(SCALES)]
        point = {s: _coordinate(rng, low * scale, high * scale) for s in reals}
        if probes and attempt % 3 == 2:  # just beside a kink away from 0, one side then the other
            turn = attempt // 3
            symbol, root = probes[(turn // 2) % len(probes)]
            point[symbol] = root + (1 if turn % 2 == 0 else -1) * _coordinate(rng, 1, 1000)
        if any(_near_zero(k, point) for k in kinks):
            failures += 1
            continue
        a, b = value(left, point, DIGITS), value(right, point, DIGITS)
        if a is None or b is None:
            failures += 1
            leftover = (left if a is None else right).xreplace(point).evalf(15)
            if not leftover.is_Number and not leftover.has(sp.I, sp.nan, sp.zoo):
                unevaluable = leftover
            continue
        if not _agree(a, b):
            a2, b2 = value(left, point, 2 * DIGITS), value(right, point, 2 * DIGITS)
            if a2 is not None and b2 is not None and not _agree(a2, b2):
                return _counterexample(point, values, a2, b2, agreed, namer)
        scale = max(abs(a), abs(b))
        largest = max(largest, abs(a - b) / scale if scale else abs(a - b))
        agreed += 1
        if agreed >= wanted:
            break
    if agreed >= min(3, wanted):
        ks = f", each count in {{{', '.join(str(c) for c in COUNTS)}}}" if counts else ""
        skipped = f"; {failures} point(s) skipped: near a kink, or a side not real there" if failures else ""
        return NumericOutcome(
            "equal",
            f"agree at {agreed} random points ({DIGITS} digits{ks}); largest relative difference "
            f"{sp.Float(largest, 3)}{skipped}",
            agreed,
            largest_difference=str(sp.Float(largest, 3)),
        )
    if unevaluable is not None:
        return NumericOutcome("unknown", f"cannot evaluate {namer(unevaluable)}", agreed)
    return NumericOutcome(
        "unknown", f"found only {agreed} of {attempts} random points where both sides are real and finite", agreed
    )


def _counterexample(point, values, a, b, agreed, namer) -> NumericOutcome:
    shown = {namer(s): namer(v) for s, v in {**values, **point}.items()}
    example = {"point": shown, "lhs": show_value(a), "rhs": show_value(b),
               "difference": str(sp.Float(abs(a - b), 3))}
    where = ", ".join(f"{k} = {v}" for k, v in shown.items()) or "every point"
    detail = f"at {where}: lhs = {example['lhs']}, rhs = {example['rhs']} (difference {example['difference']})"
    return NumericOutcome("not_equal", detail, agreed, example)


def _near_zero(kink: sp.Expr, point: dict) -> bool:
    at = kink.xreplace(point)
    if not at.is_number:
        return False
    magnitude = abs(at.evalf(15))
    return magnitude.is_Number and magnitude < KINK_CLEARANCE
