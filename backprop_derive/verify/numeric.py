r"""Compare two expressions numerically, at high precision, at random points inside their domain.

The two sides are evaluated with SymPy's ``evalf`` (mpmath underneath, adaptive precision) at
:data:`DIGITS` significant digits, at points whose coordinates are exact decimals such as
``0.372`` (so a counterexample can be replayed exactly).  They *agree* at a point when

.. math:: |a - b| \le 10^{-25} \max(|a|, |b|) + 10^{-40},

a threshold sixteen orders of magnitude below a difference of :math:`10^{-9}`, which is a mistake.
A disagreement is confirmed at twice the precision before it is reported.

No fixed threshold is safe on its own: ``e^x = e^x (1 + 10^{-30})`` or ``10^{30} x = 10^{30} x + 1``
agree to 25 digits.  So where the sides agree, the difference :math:`a - b` itself is evaluated
as one expression at the exact point, with adaptive precision up to :data:`RESIDUAL_DIGITS`
digits (``evalf(strict=True)``): when it comes out as a definite non-zero number (the same at 15
and at 30 digits), the sides differ there, however little.  Only a difference that stays below
what that precision can see (about :math:`10^{-500}` of the terms) is reported as agreement.

Points are drawn by :mod:`backprop_derive.verify.sampling` (several scales, beside kinks) and kept only
where both sides are finite, no kink is near, and every assumption holds
(:mod:`backprop_derive.verify.assumptions` completes each point so that it does).
A point where one side is real and the other is not is skipped too, but named in the verdict:
``log(x^2) = 2 log x`` agrees only for x > 0, and ``equal`` says "holds only where both sides are
real" with such a point.  Sums over a symbolic count ``K`` are
checked for many concrete K (:func:`counts_to_try`: every K up to 7, three drawn at random up to
50, beside every integer written), with every free index drawn from ``1..K``; without a count, a
free index is drawn from 1 to one more than the largest index written anywhere (:func:`index_top`).
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.evalf import PrecisionExhausted
from sympy.core.function import AppliedUndef

from backprop_derive.core.functions import unfold
from backprop_derive.verify.cputime import PointTimeout, time_limit
from backprop_derive.verify.reading import value_text
from backprop_derive.verify.sampling import EVALUATION_ERRORS, draw_point, kinks_of, near_kink, unprobed_kinks

DIGITS = 50
RELATIVE_TOLERANCE = sp.Float("1e-25", DIGITS)
ABSOLUTE_TOLERANCE = sp.Float("1e-40", DIGITS)
#: Precision (digits) up to which the difference of two agreeing sides is resolved.
RESIDUAL_DIGITS = 500
#: Numbers written in a claim near which points are probed (``e^{-10^{12}(x - 0.0004)^2}`` is a
#: bump at 0.0004), and the most points a claim with kinks or such numbers gets.
MAX_WRITTEN = 4
MAX_POINTS = 40
#: CPU seconds one point may take to evaluate (far-out points can need thousands of digits to resolve
#: a cancellation); a slower point is skipped and counted.
POINT_SECONDS = 0.5
#: The numeric phase stops after this many slow points, or after this many seconds once three
#: points agree (twice as long at most; CPU seconds), so the proof that follows keeps its time.
MAX_SLOW = 3
NUMERIC_SECONDS = 2.0
#: Every count up to this is tried for a symbolic count such as K ...
SMALL_COUNTS = 7
#: ... and one drawn at random from each of these ranges, with the integers written in the claim
#: and their neighbours, and one above the largest index written.
RANDOM_COUNTS = ((8, 20), (21, 50))
LARGEST_COUNT = 50
#: Above this count the difference of agreeing sides is not resolved to 500 digits (it costs
#: seconds for a sum of 50 softmax terms); 50-digit agreement still decides there.
RESIDUAL_COUNT = 12


#: The largest integer written in a claim beside which a symbolic count is tried (``\\max(0, K - 99)`` is tried
#: at K = 98, 99, 100); a claim that writes a larger one is ``unknown`` unless proved (its counts are not probed).
COUNT_CAP = 120


def _beside_written(*exprs: sp.Expr) -> set[int]:
    """Every integer up to :data:`COUNT_CAP` written in ``exprs`` (as ``K - 37`` writes 37), and its neighbours."""
    named = {abs(int(n)) for e in exprs for n in e.atoms(sp.Integer) if abs(n) <= COUNT_CAP}
    return {m for n in named for m in (n - 1, n, n + 1) if m >= 1}


def _beyond_counts(*exprs: sp.Expr) -> int | None:
    """The largest integer written in ``exprs`` above :data:`COUNT_CAP` (a count is not tried beyond it), else None."""
    big = [abs(int(n)) for e in exprs for n in e.atoms(sp.Integer) if abs(n) > COUNT_CAP]
    return max(big) if big else None


def index_choices(*exprs: sp.Expr) -> list[int]:
    """The values a free index takes when no count bounds it: 1 to one past the largest index
    written (:func:`index_top`), and beside every integer written (``(i - 20)^2`` is tried at 20)."""
    return sorted(set(range(1, index_top(*exprs) + 2)) | _beside_written(*exprs))


def counts_to_try(rng: random.Random, written: int, *exprs: sp.Expr) -> tuple[int, ...]:
    """The concrete values tried for a symbolic count: 2..7, one drawn from 8..20 and one from 21..50,
    and beside every integer 2..60 written in the claim (a claim wrong only for ``K = 37`` names 37)."""
    beside = {m for m in _beside_written(*exprs) if m >= 2}
    drawn = {rng.randint(low, high) for low, high in RANDOM_COUNTS}
    return tuple(sorted({*range(2, SMALL_COUNTS + 1), *drawn, *beside, written + 1}))

@dataclass(frozen=True)
class NumericOutcome:
    """``verdict`` is ``equal``, ``not_equal`` or ``unknown``; ``detail`` says what was seen."""

    verdict: str
    detail: str
    points: int = 0
    counterexample: dict | None = None
    tried: tuple[str, ...] = field(default=())


def counts_and_indices(*exprs: sp.Expr) -> tuple[set[sp.Symbol], set[sp.Symbol]]:
    """The counts (bounds of sums, the K of softmax) and the free indices among integer symbols."""
    from backprop_derive.core.functions import IndexedFunction

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


def index_top(*exprs: sp.Expr) -> int:
    r"""The largest index written: in an element ``z_5``, a ``\delta_{i4}``, a sum's bounds; 3 if none.

    A free index without a count ranges over ``1..index_top``: a claim such as ``\delta_{i4} = 0``
    must be tried at ``i = 4``, and ``\sum_{j=1}^{5} \delta_{jk} x_j = x_k`` for k up to 5.
    """
    found = [3] if not any(_index_integers(e) for e in exprs) else []
    for expr in exprs:
        found.extend(_index_integers(expr))
    return max(found)


def _index_integers(expr: sp.Expr) -> list[int]:
    numbers = []
    for node in expr.atoms(sp.Indexed, sp.KroneckerDelta, sp.Sum, sp.Product):
        parts = node.indices if isinstance(node, sp.Indexed) else node.args
        if isinstance(node, (sp.Sum, sp.Product)):
            parts = [bound for _, low, high in node.limits for bound in (low, high)]
        numbers.extend(int(n) for part in parts for n in sp.sympify(part).atoms(sp.Integer) if n > 0)
    return numbers


def expand_finite_sums(expr: sp.Expr) -> sp.Expr:
    """Evaluate every sum and product whose bounds are numbers (``doit``), innermost first."""

    def finite(node) -> bool:
        return isinstance(node, (sp.Sum, sp.Product)) and all(
            low.is_Integer and high.is_Integer for _, low, high in node.limits
        )

    return expr.replace(finite, _term_by_term)


def _term_by_term(node: sp.Expr) -> sp.Expr:
    """A sum or product with number bounds written out term by term (what ``doit`` gives, without its
    search for a closed form, which is slow on the nested sums of a batch's statistics)."""
    if any(high < low for _, low, high in node.limits):
        return node.doit()  # the empty and reversed ranges keep SymPy's convention
    body, combine = node.function, (sp.Add if isinstance(node, sp.Sum) else sp.Mul)
    for variable, low, high in node.limits:
        body = combine(*(body.xreplace({variable: sp.Integer(k)}) for k in range(int(low), int(high) + 1)))
    return body


def bound_apart(expr: sp.Expr) -> sp.Expr:
    r"""Give every sum's and product's own index a fresh name (exact: a bound index is a dummy).

    In ``y_i + \sum_{i=1}^{3} x_i`` the ``i`` of ``y_i`` is free and the sum's is bound; setting
    the free ``i`` to 2 must not touch the sum (``xreplace`` would, and build a sum from 2 to 3
    over 2).
    """

    def fresh(node):
        renames = {v: sp.Dummy(v.name, integer=True, positive=True) for v, *_ in node.limits}
        return node.xreplace(renames)

    return expr.replace(lambda e: isinstance(e, (sp.Sum, sp.Product)), fresh)


def concrete(expr: sp.Expr, values: dict) -> sp.Expr:
    """``expr`` with counts and indices set to numbers, finite sums expanded, catalog functions unfolded."""
    if values:
        expr = bound_apart(expr)
    return expand_finite_sums(unfold(expand_finite_sums(expr.xreplace(values))))


def value(expr: sp.Expr, point: dict, digits: int) -> sp.Float | None:
    """``expr`` at ``point`` to ``digits`` digits; ``None`` where it is not a finite real number.

    ``evalf`` gives up on a cancellation once its working precision reaches ``maxn`` and returns a
    number with no correct digit (``cosh(324)^2 - sinh(324)^2`` as ``0.e+206``); such a result is
    tried again with a precision of up to :data:`RESIDUAL_DIGITS` digits, and is no value if it
    still has fewer than half the digits asked for.
    """
    wanted_bits = int(digits * 3.32 / 2)
    at = expr.xreplace(point)
    try:
        result = at.evalf(digits)
        if isinstance(result, sp.Float) and result._prec < wanted_bits:
            result = at.evalf(digits, maxn=4 * RESIDUAL_DIGITS)
    except EVALUATION_ERRORS:
        return None
    if not result.is_Number or result.is_finite is False or result is sp.nan:
        return None
    if isinstance(result, sp.Float) and result._prec < wanted_bits:
        return None
    return sp.Float(result, digits)


def non_real(expr: sp.Expr, point: dict) -> sp.Expr | None:
    """``expr`` at ``point`` (15 digits) when it is a finite number that is certainly not real, else None."""
    try:
        at = expr.xreplace(point)
        imaginary = sp.im(at).evalf(15, strict=True)
        if not imaginary.is_Number or imaginary == 0 or imaginary.is_finite is False:
            return None
        shown = at.evalf(15)
    except (PrecisionExhausted, *EVALUATION_ERRORS):
        return None
    return shown if shown.is_finite else None


def residual(left: sp.Expr, right: sp.Expr, point: dict) -> sp.Float | None:
    """``left - right`` at ``point`` when it is certainly not 0 (15 digits, confirmed at 30), else None.

    ``evalf(strict=True)`` raises when the requested digits cannot be had below
    :data:`RESIDUAL_DIGITS` of working precision, which is what a true identity does.
    """
    try:
        difference = (left - right).xreplace(point)
        if difference == 0:
            return None
        first = difference.evalf(15, strict=True, maxn=RESIDUAL_DIGITS)
        if not first.is_Number or first == 0:
            return None
        second = difference.evalf(30, strict=True, maxn=RESIDUAL_DIGITS)
    except (PrecisionExhausted, *EVALUATION_ERRORS):
        return None
    if not second.is_Number or abs(first - second) > abs(second) * sp.Float("1e-12"):
        return None
    return sp.Float(second, 30)


def agree(a: sp.Float, b: sp.Float) -> bool:
    """Whether ``a`` and ``b`` agree to :data:`RELATIVE_TOLERANCE` (or both are below the absolute one)."""
    return abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)) + ABSOLUTE_TOLERANCE


def show_value(number: sp.Float, digits: int = 30) -> str:
    """``digits`` significant digits (30 unless more are needed to tell two values apart), no trailing zeros."""
    if number == 0:
        return "0"
    mantissa, _, exponent = str(sp.Float(number, digits)).partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}" if exponent else mantissa


def _instance(lhs, rhs, values, constraints):
    """The concrete sides for ``values``, the unknowns to draw, the kinks, and the solved assumptions.

    The linear assumptions' pivots are put into the sides; the unknowns drawn are the sides' and
    the assumptions' own, less those the assumptions compute (:mod:`backprop_derive.verify.assumptions`).
    """
    solved = constraints(values) if constraints else None
    left, right = concrete(lhs, values), concrete(rhs, values)
    if solved is not None:
        left, right = left.xreplace(solved.pivots), right.xreplace(solved.pivots)
    labels = {node.base.label for node in left.atoms(sp.Indexed) | right.atoms(sp.Indexed)}
    free = (left.free_symbols | right.free_symbols) - labels
    if solved is not None:
        free = (free | solved.parameters()) - solved.solved()
    reals = sorted(free, key=str)
    kinks = kinks_of(left) + kinks_of(right)
    probes = [(k, s) for k in kinks for s in sorted(k.free_symbols & set(reals), key=str)]
    numbers = sorted({abs(n) for n in (left.atoms(sp.Number) | right.atoms(sp.Number))
                      if n.is_real and n.is_finite and abs(n) not in (0, 1, 2) and 1e-12 < abs(n) < 1e6}, key=float)
    probes += [(s - sign * n, s) for n in numbers[:MAX_WRITTEN] for sign in (1, -1) for s in reals]
    probes += [(s, s) for s in reals]  # beside 0 too, on both sides
    return left, right, reals, kinks, probes, solved


def compare(
    lhs: sp.Expr,
    rhs: sp.Expr,
    constraints: Callable[[dict], object] | None,
    rng: random.Random,
    namer: Callable[[sp.Expr], str],
    wanted: int = 8,
    attempts: int = 90,
    context: Sequence[sp.Expr] = (),
    thorough: bool = True,
    deadline: float | None = None,
) -> NumericOutcome:
    """Evaluate ``lhs`` and ``rhs`` at ``wanted`` random points; see the module docstring.

    ``deadline`` (``time.process_time()``, CPU seconds): stop drawing once three points agree after it.
    ``thorough=False`` is a first look, cheap and quick to find the usual mistake: counts 2..7 only,
    ``wanted`` points however many kinks, nothing far out.  Only a thorough comparison (or a proof)
    may make a step equal; :func:`backprop_derive.verify.decide.decide_step` runs the first look, then the
    proof, then the thorough comparison if the proof did not succeed.

    ``constraints(values)`` solves the assumptions for the count/index values used
    (:class:`backprop_derive.verify.assumptions.Constraints`): each drawn point is completed by it and kept
    only where every assumption holds, and a counterexample is reported only where every
    assumption in force holds, declined ones included.  ``context`` (the assumptions' sides) adds
    counts and indices to draw.  ``namer`` names a symbol in a counterexample.
    """
    unknown = sorted({str(type(f)) for f in (lhs + rhs).atoms(AppliedUndef)})
    if unknown:
        return NumericOutcome("unknown", f"no numbers to compare: functions the reader does not know "
                              f"({', '.join(unknown)})")
    unseen = _beyond_resolution(lhs, rhs)
    if unseen is not None:
        return NumericOutcome("unknown", f"the step writes a number of {unseen} digits, finer than the "
                              f"{RESIDUAL_DIGITS} digits a comparison of values resolves: only a proof decides it")
    counts, indices = counts_and_indices(lhs, rhs, *context)
    written = index_top(lhs, rhs, *context)
    tried_counts = counts_to_try(rng, written, lhs, rhs, *context) if counts else ()
    if counts and not thorough:
        tried_counts = tuple(sorted({*range(2, SMALL_COUNTS + 1), written + 1}))
    if counts and thorough:
        wanted = max(wanted, len(tried_counts))  # every count at least once
    ordered = sorted(indices, key=str)
    combinations = list(itertools.product(index_choices(lhs, rhs, *context), repeat=len(ordered)))
    if not counts and ordered:
        rng.shuffle(combinations)
        wanted = max(wanted, min(MAX_POINTS, len(combinations))) if thorough else wanted
    instances: dict[tuple, tuple] = {}
    agreed, failures, misses, largest, unevaluable, partly, clash, declined = 0, 0, 0, sp.Float(0), None, None, None, ()
    slow, counts_seen = 0, set()
    began = time.process_time()  # CPU time: the same points however loaded the machine
    for attempt in range(attempts):
        spent = time.process_time() - began
        late = deadline is not None and time.process_time() > deadline
        if slow >= MAX_SLOW or ((spent > NUMERIC_SECONDS or late) and agreed >= min(3, wanted)) \
                or spent > 2 * NUMERIC_SECONDS:
            break  # leave the proof its time, and the step its verdict: a point more would not change what was seen
        values = {c: sp.Integer(tried_counts[(attempt + n) % len(tried_counts)])
                  for n, c in enumerate(sorted(counts, key=str))}
        top = min((int(v) for v in values.values()), default=None)
        if top is None:  # every combination of the index values in turn, as for counts
            combination = combinations[attempt % len(combinations)]
            values.update({i: sp.Integer(v) for i, v in zip(ordered, combination, strict=True)})
        else:
            choices = sorted({*range(1, top + 1)} | {n for n in _beside_written(lhs, rhs) if n <= top})
            values.update({i: sp.Integer(rng.choice(choices)) for i in ordered})
        key = tuple(sorted((str(k), int(v)) for k, v in values.items()))
        if key not in instances:
            instances[key] = _instance(lhs, rhs, values, constraints)
            if thorough:
                wanted = max(wanted, min(MAX_POINTS, 6 * len(instances[key][4]) + 2))  # each probe, both sides
        left, right, reals, kinks, probes, solved = instances[key]
        point = draw_point(rng, reals, probes, attempt, failures, misses, near=thorough)
        if solved is not None:
            if solved.clash:
                clash, misses = solved.clash, misses + 1
                continue
            declined = solved.declined
            point = solved.fill(point, agreed)
            if point is None or solved.violated(point) is not None:
                misses += 1
                continue
        if any(near_kink(k, point) for k in kinks):
            failures += 1
            continue
        try:
            with time_limit(POINT_SECONDS):
                a, b = value(left, point, DIGITS), value(right, point, DIGITS)
                if a is None or b is None:
                    failures += 1
                    if (a is None) != (b is None) and partly is None:  # one side real, the other perhaps not
                        other = non_real(left if a is None else right, point)
                        if other is not None:
                            where = ", ".join(f"{namer(s)} = {value_text(v)}" for s, v in {**values, **point}.items())
                            real_side, other_side = ("rhs", "lhs") if a is None else ("lhs", "rhs")
                            partly = (f"; holds only where both sides are real: at {where} the {real_side} is "
                                      f"{show_value(a if b is None else b)} but the {other_side} is {namer(other)}")
                    leftover = _leftover(left if a is None else right, point)
                    if leftover is not None:
                        unevaluable = leftover
                    continue
                if not agree(a, b):
                    a2, b2 = value(left, point, 2 * DIGITS), value(right, point, 2 * DIGITS)
                    if a2 is None or b2 is None or not (agree(a, a2) and agree(b, b2)) or \
                            not _resolved(left, right, point, a2, b2):
                        failures += 1  # a value that moves with the precision has no correct digit: no evidence
                        continue
                    if not agree(a2, b2):
                        return _valid(_counterexample(point, values, a2, b2, agreed, namer), solved, point)
                small = all(int(values[c]) <= RESIDUAL_COUNT for c in counts)
                tiny = residual(left, right, point) if small else None
                if tiny is not None:
                    return _valid(_tiny_counterexample(left, right, point, values, tiny, agreed, namer), solved, point)
        except PointTimeout:
            slow += 1
            continue
        scale = max(abs(a), abs(b))
        largest = max(largest, abs(a - b) / scale if scale else abs(a - b))
        agreed += 1
        counts_seen.update(int(values[c]) for c in counts)
        if agreed >= wanted and (not thorough or not counts or set(tried_counts) <= counts_seen):
            break
    if agreed >= min(3, wanted) and thorough:
        unprobed = _unprobed(lhs, rhs, instances, counts, tried_counts, counts_seen, namer)
        if unprobed is not None:
            return NumericOutcome("unknown", f"agree at {agreed} random points, but {unprobed}: only a proof "
                                  "decides it", agreed)
    if agreed >= min(3, wanted):
        ks = f", each count in {{{', '.join(map(str, tried_counts))}}}" if counts else ""
        ks += f", free indices in {{{', '.join(map(str, index_choices(lhs, rhs, *context)))}}}" \
            if indices and not counts else ""
        skipped = f"; {failures} point(s) skipped: near a kink, or a side not real there" if failures else ""
        skipped += f"; {misses} point(s) where the assumptions have no real solution" if misses else ""
        skipped += f"; {slow} point(s) skipped: slower than {POINT_SECONDS:g} s of CPU time to evaluate" if slow else ""
        resolved = f" for counts up to {RESIDUAL_COUNT}" if counts else ""
        without = "".join(f"; holds without the assumption '{text}' (no complete real solution of it to draw "
                          f"points from), so under it too" for text in declined)
        return NumericOutcome(
            "equal",
            f"agree at {agreed} random points ({DIGITS} digits{ks}; lhs - rhs not distinguishable from 0 "
            f"at up to {RESIDUAL_DIGITS} digits{resolved}); largest relative difference {sp.Float(largest, 3)}{skipped}"
            f"{partly or ''}{without}",
            agreed,
        )
    if unevaluable is not None:
        return NumericOutcome("unknown", f"cannot evaluate {namer(unevaluable)}", agreed)
    if clash is not None and agreed == 0:
        return NumericOutcome("unknown", f"no point satisfies the assumptions for the counts tried: {clash}", agreed)
    return NumericOutcome(
        "unknown", f"found only {agreed} of {attempts} random points where both sides are real and finite"
        f"{' and every assumption holds' if constraints else ''}", agreed
    )


#: The most digits :func:`_resolved` works at: a point whose exponentials need more is no evidence.
MOST_DIGITS = 6000


def _resolved(left: sp.Expr, right: sp.Expr, point: dict, a: sp.Float, b: sp.Float) -> bool:
    """Whether the values ``a``, ``b`` of the sides at ``point`` (at ``2 * DIGITS``) are what the sides are there.

    An exponential of a large argument (``1 - \\sigma(4260)`` is ``e^{-4260}``) cancels below any fixed precision
    and evaluates to 0 with every digit claimed.  Where the arguments of the point's exponentials need more
    digits than were used, the sides are evaluated again with that many (up to :data:`MOST_DIGITS`); a
    difference stands only if it is seen there too."""
    try:
        exponents = [abs(value(e.args[0], point, 15) or 0) for e in unfold(left - right).atoms(sp.exp)]
    except EVALUATION_ERRORS:
        return False
    needed = int(max(exponents, default=0) / 2.302585) + 2 * DIGITS
    if needed <= 2 * DIGITS:
        return True
    if needed > MOST_DIGITS:
        return False
    wide = [value(unfold(side), point, needed) for side in (left, right)]
    return None not in wide and not agree(*wide) and agree(wide[0], a) and agree(wide[1], b)


def _unprobed(lhs, rhs, instances, counts, tried_counts, counts_seen, namer) -> str | None:
    """What the difference's structure says could differ and no point probed, or None: a kink whose roots
    could not be found, a count written beyond :data:`COUNT_CAP`, a count to try that no point reached."""
    for _, _, reals, kinks, *_ in instances.values():
        missed = unprobed_kinks(kinks, reals)
        if missed:
            return f"where {namer(missed[0])} changes sign was not probed (its roots could not be found)"
    if counts:
        big = _beyond_counts(lhs, rhs)
        if big is not None:
            return f"the claim writes {big}, and counts that large were not tried"
        left_out = sorted(set(tried_counts) - counts_seen)
        if left_out:
            return f"the counts {', '.join(map(str, left_out))} were not reached in the time given"
    return None


def _beyond_resolution(*exprs: sp.Expr) -> int | None:
    r"""The digit count of a written number too fine for :data:`RESIDUAL_DIGITS` (``1 + 10^{-600}``:
    its 10^{-600} is below what 500 digits see beside the 1), else None.  Agreement of values says
    nothing about such a step, whatever the time left for its proof (a loaded machine cuts proofs short)."""
    margin = RESIDUAL_DIGITS - 50
    for expr in exprs:
        for number in expr.atoms(sp.Rational):
            digits = max(len(str(abs(number.p))), len(str(number.q)))
            if digits > margin:
                return digits
    return None


def _valid(outcome: NumericOutcome, solved, point: dict) -> NumericOutcome:
    """``outcome`` (a counterexample at ``point``) if every assumption in force holds there, else
    ``unknown``: a difference where an assumption fails says nothing about the step under it."""
    broken = solved.violated(point, declined_too=True) if solved is not None else None
    if broken is None:
        return outcome
    why = (" and points satisfying it could not be drawn (no complete real solution of it)"
           if broken in solved.declined else "")
    return NumericOutcome("unknown", f"the sides differ {outcome.detail}, but the assumption '{broken}' does not "
                          f"hold there{why}", outcome.points)


def _leftover(expr: sp.Expr, point: dict) -> sp.Expr | None:
    """What is left of ``expr`` at ``point`` when it is not a number (an unknown function), else None."""
    try:
        leftover = expr.xreplace(point).evalf(15)
    except EVALUATION_ERRORS:
        return None
    if leftover.is_Number or leftover.has(sp.I, sp.nan, sp.zoo):
        return None
    return leftover


def _tiny_counterexample(left, right, point, values, difference, agreed, namer) -> NumericOutcome:
    """Both sides with enough digits to see a difference that agreed to 25 digits."""
    scale = max(abs(value(left, point, 15) or 0), abs(value(right, point, 15) or 0), abs(difference))
    orders = sp.ceiling(sp.log(scale / abs(difference), 10).evalf(15))
    digits = int(min(30 + max(0, orders), RESIDUAL_DIGITS + 30))
    a, b = value(left, point, digits + 10), value(right, point, digits + 10)
    if a is None or b is None:
        a, b = value(left, point, DIGITS), value(right, point, DIGITS)
    return _counterexample(point, values, a, b, agreed, namer, digits=digits, difference=difference)


def _counterexample(point, values, a, b, agreed, namer, digits=30, difference=None) -> NumericOutcome:
    shown = {namer(s): value_text(v) for s, v in {**values, **point}.items()}
    gap = difference if difference is not None else abs(a - b)
    example = {"point": shown, "lhs": show_value(a, digits), "rhs": show_value(b, digits),
               "difference": str(sp.Float(abs(gap), 3))}
    where = ", ".join(f"{k} = {v}" for k, v in shown.items()) or "every point"
    detail = f"at {where}: lhs = {example['lhs']}, rhs = {example['rhs']} (difference {example['difference']})"
    return NumericOutcome("not_equal", detail, agreed, example)
