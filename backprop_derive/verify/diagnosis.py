r"""What kind of mistake a wrong step ``lhs = rhs`` is: a diagnosis, given only where it was checked.

:func:`diagnose` tries each kind below in turn and gives the first that holds.  Every relation is
*checked* before it is named: first numerically, at :data:`POINTS` points (those supplied, then
drawn), each side evaluated with ``evalf`` at :data:`DIGITS` digits, two values agreeing when
:math:`|a - b| \le 10^{-30}\max(|a|, |b|) + 10^{-45}`; a relation that agrees at every point where
both sides are finite reals (three at least) is then proved with :func:`backprop_derive.core.prove.prove_equal`
(within :data:`PROVE_SECONDS`), and the text says which: "proved (method)" or "checked numerically".
Written derivatives are carried out (``sp.diff``); counts such as K take the values 3, 4, 5 in turn
and free indices distinct values in 1..K (every third point all equal); an unknown function f is
replaced, at each point, by a random smooth one (:math:`c_0 + \sum_j a_j \sin(b_j t_j + d_j) + e_j t_j^2`).

The kinds, in the order tried (:math:`L` is the left side, :math:`R` the right one, :math:`L'` the left
side with its derivatives carried out, the point :math:`p` running over the points):

``dropped_inner_derivative``
    :math:`L = \frac{d}{dv} c\,f_1(f_2(\cdots f_n(v)))` with :math:`n \ge 2` nested applications of one
    argument (a power with an exponent free of v counts), so that :math:`L' = c \prod_m f_m'(u_m)\,u_n'`
    with :math:`u_m` the argument of :math:`f_m`.  The kind holds when :math:`R = c \prod_{m \le j} f_m'(u_m)`
    for some :math:`j < n`: the chain rule stopped after the j-th factor.
``known_mistake``
    :math:`L = \frac{\partial}{\partial v} F(u, \ldots)` for a catalog entry F, and
    :math:`R = s(u, \ldots)\,\partial u/\partial v` or :math:`R = s(u, \ldots)` for one of the entry's
    slips s (:class:`backprop_derive.core.catalog.Slip`; for an index-notation entry s also takes the index k of
    :math:`v = z_k`, and no chain factor applies).
``swapped_indices``
    :math:`R = L|_{a \leftrightarrow b}` for two free integer symbols a, b (not counts) of either side,
    where the swap changes L.
``sign``
    :math:`R = -L`; or :math:`R = L' - 2t` for a term t of a sum form of L (below): one term's sign.
``constant_factor``
    :math:`R(p)/L(p)` is the same number c at every point, :math:`c \notin \{0, 1, -1\}`; c is made
    exact (``nsimplify``) and :math:`R = cL'` proved, else the ratio is shown to 6 digits.  For
    :math:`c = 1/q` the text says "a factor q is missing".
``dropped_term``
    A *sum form* of L is L itself, :math:`L'`, or ``expand(L')`` when it is a sum of 2 to
    :data:`MAX_TERMS` terms; the kind holds when :math:`L(p) - R(p) = t(p)` at every point for a term t
    of one of them, i.e. :math:`R = L' - t`.
``extra_term``, ``term_factor`` (and ``sign`` of one term)
    One term r of a sum form of R (R itself, or ``expand(R)``) is off by a constant factor:
    :math:`L'(p) - R(p) = k\,r(p)` at every point, so that :math:`L' = R - r + (1 + k)\,r`: r is not in the
    left side at all (1 + k = 0: ``extra_term``), has the wrong sign (``sign``), or is scaled
    (``term_factor``: a dropped 1/2 or 1/n, a factor 2 too many); the text gives the term as it should read.
``wrong_power``
    :math:`R = L'\,u^k` for a base u of :math:`L'` (a name, or the base of a power) and k in ±1, ±2: an
    exponent written off (:math:`3x^3` for :math:`3x^2`).
``additive_constant``
    :math:`R(p) - L(p)` is the same non-zero number d at every point (:math:`R = L' + d` proved when
    d is made exact).
``other``
    None of the above was found.

A step that holds (:math:`L = R` at every point, or proved) gets ``None``: there is nothing to diagnose.
Precedence follows specificity: :math:`\frac{d}{dx}\sigma(3x) = \sigma(3x)(1-\sigma(3x))` is also a
constant factor 1/3, but ``dropped_inner_derivative`` says why.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from backprop_derive.core.catalog import CATALOG, Entry
from backprop_derive.core.functions import IndexedFunction
from backprop_derive.core.prove import prove_equal
from backprop_derive.verify.cputime import PointTimeout, time_limit
from backprop_derive.verify.numeric import concrete, counts_and_indices, value
from backprop_derive.verify.reading import echo, evaluate_derivatives

KINDS = ("constant_factor", "sign", "additive_constant", "dropped_inner_derivative", "swapped_indices",
         "dropped_term", "extra_term", "term_factor", "wrong_power", "known_mistake", "other")
POINTS = 6
DIGITS = 50
RELATIVE_TOLERANCE = sp.Float("1e-30", DIGITS)
ABSOLUTE_TOLERANCE = sp.Float("1e-45", DIGITS)
#: CPU seconds a proof of one relation may take, and all of one diagnosis (then the rest is skipped).
PROVE_SECONDS = 0.4
TOTAL_SECONDS = 3.0
#: The most terms of a sum whose terms are tried one by one.
MAX_TERMS = 12


@dataclass(frozen=True)
class Diagnosis:
    """``kind`` is one of :data:`KINDS`; ``text`` one line saying what is wrong and how it was checked."""

    kind: str
    text: str


class _Points:
    """The points where both sides are evaluated, each a set of values for counts, indices, reals and
    unknown functions; values are cached per expression and point."""

    def __init__(self, exprs: Sequence[sp.Expr], supplied: Sequence[dict], seed: int = 0):
        self.rng = random.Random(seed)
        counts, indices = counts_and_indices(*exprs)
        self.integers: list[dict] = []
        self.reals: list[dict] = [self._supplied(p) for p in supplied][:POINTS]
        for n in range(max(POINTS, len(self.reals))):
            if n >= len(self.reals):
                self.reals.append({})
            top = 3 + n % 3 if counts else max(4, len(indices))
            given = {s: v for s, v in self.reals[n].items() if s in indices or s in counts}
            values = dict.fromkeys(sorted(counts, key=str), sp.Integer(top))
            ordered = sorted(indices - set(given), key=str)
            if n % 3 == 2 or len(ordered) > top:
                drawn = [1] * len(ordered)
            else:
                drawn = self.rng.sample(range(1, top + 1), len(ordered))
            values.update(zip(ordered, map(sp.Integer, drawn), strict=True))
            self.integers.append(values | given)
        self.functions: list[dict] = [{} for _ in self.reals]
        self.cache: dict = {}

    @staticmethod
    def _supplied(point: dict) -> dict:
        return {k: (sp.Rational(v) if isinstance(v, str) else sp.sympify(v)) for k, v in point.items()
                if not isinstance(k, str)}

    def _real(self, n: int, atom: sp.Basic) -> sp.Rational:
        reals = self.reals[n]
        if atom not in reals:
            magnitude = sp.Rational(self.rng.randrange(2 * 10**11, 25 * 10**11), 10**12)
            reals[atom] = magnitude if n % 2 or self.rng.random() < 0.5 else -magnitude
        return reals[atom]

    def _function(self, n: int, applied: AppliedUndef) -> sp.Expr:
        key = (type(applied).__name__, len(applied.args))
        if key not in self.functions[n]:
            ts = sp.symbols(f"t:{len(applied.args)}", real=True)
            r = [sp.Rational(self.rng.randrange(-2000, 2000), 1000) for _ in range(1 + 4 * len(ts))]
            body = r[0] + sum(r[4 * j + 1] * sp.sin(r[4 * j + 2] * t + r[4 * j + 3]) + r[4 * j + 4] * t**2
                              for j, t in enumerate(ts))
            self.functions[n][key] = sp.Lambda(ts, body)
        return self.functions[n][key](*applied.args)

    def value(self, expr: sp.Expr, n: int) -> sp.Float | None:
        """``expr`` (derivatives carried out) at point ``n``; None where it is not a finite real number."""
        key = (expr, n)
        if key not in self.cache:
            self.cache[key] = self._evaluate(expr, n)
        return self.cache[key]

    def _evaluate(self, expr: sp.Expr, n: int) -> sp.Float | None:
        try:
            at = concrete(evaluate_derivatives(expr), self.integers[n])
            if at.has(AppliedUndef):
                at = at.replace(_by_an_expression, _at_a_point)  # f'(g(x)) as f' at the point g(x)
                at = at.replace(lambda e: isinstance(e, AppliedUndef), lambda e: self._function(n, e)).doit()
                at = concrete(at, {})
            point = {a: self._real(n, a) for a in sorted(at.atoms(sp.Indexed), key=str)}
            at = at.xreplace(point)
            point = {s: self._real(n, s) for s in sorted(at.free_symbols, key=str)}
        except (TypeError, ValueError, ArithmeticError, AttributeError, NotImplementedError, RecursionError):
            return None
        return value(at, point, DIGITS)

    def pairs(self, a: sp.Expr, b: sp.Expr) -> Iterator[tuple[sp.Float, sp.Float]]:
        """The values of ``a`` and ``b`` at each point where both are finite reals."""
        for n in range(len(self.reals)):
            va = self.value(a, n)
            if va is None:
                continue
            vb = self.value(b, n)
            if vb is not None:
                yield va, vb


def _by_an_expression(e) -> bool:
    return isinstance(e, sp.Derivative) and len(e.variables) == 1 and not e.variables[0].is_Symbol


def _at_a_point(e: sp.Derivative) -> sp.Expr:
    """``d f(w)/dw`` for an expression w, as :math:`f'(t)` at :math:`t = w` (so that w can be evaluated)."""
    w, t = e.variables[0], sp.Dummy("t")
    return sp.Subs(sp.Derivative(e.expr.xreplace({w: t}), (t, e.derivative_count)), t, w)


def _close(a, b) -> bool:
    return abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)) + ABSOLUTE_TOLERANCE


class _Check:
    """Relations between expressions, checked at the points and then proved if it can be done in time."""

    def __init__(self, points: _Points, deadline: float):
        self.points = points
        self.deadline = deadline

    def out_of_time(self) -> bool:
        return time.process_time() > self.deadline  # CPU time, as the step's bound

    def how(self, a: sp.Expr, b: sp.Expr, used: int | None) -> str | None:
        """How ``a = b`` was checked ("proved (method)" or "checked numerically at N points"), or None
        where it does not hold.  ``used`` is the number of agreeing points (None: no number could be had)."""
        a, b = evaluate_derivatives(a), evaluate_derivatives(b)
        try:
            with time_limit(PROVE_SECONDS):
                proof = prove_equal(a, b)
        except PointTimeout:
            proof = None
        except Exception:  # SymPy fails in many ways on some inputs (StopIteration in sum_simplify)
            proof = None
        if proof is not None and proof.proved:
            return f"proved ({proof.method})"
        if used is None:
            return None
        return f"checked numerically at {used} points, {DIGITS} digits (no proof within {PROVE_SECONDS} s of CPU time)"

    def equal(self, a: sp.Expr, b: sp.Expr) -> str | None:
        """``a = b`` at every point (three at least), then proved where possible; None otherwise."""
        used = 0
        for va, vb in self.points.pairs(a, b):
            if not _close(va, vb):
                return None
            used += 1
        return self.how(a, b, used if used >= 3 else None)


def diagnose(lhs: sp.Expr, rhs: sp.Expr, point_values: list[dict] | None = None) -> Diagnosis | None:
    """The kind of mistake in the step ``lhs = rhs`` (the two sides as read), or None where it holds.

    ``point_values``: points to evaluate at first (symbol or ``Indexed`` -> number), e.g. the
    counterexample's; more are drawn up to :data:`POINTS`.  See the module docstring for each kind.
    """
    started = time.process_time()
    lhs, rhs = sp.sympify(lhs), evaluate_derivatives(sp.sympify(rhs))
    left = evaluate_derivatives(lhs)
    points = _Points((left, rhs), point_values or ())
    check = _Check(points, started + TOTAL_SECONDS)
    values = list(points.pairs(left, rhs))
    if len(values) >= 3 and all(_close(a, b) for a, b in values):
        return None
    if len(values) < 3 and check.how(left, rhs, None):
        return None
    for tried in (_dropped_inner_derivative, _known_mistake, _swapped_indices, _sign, _constant_factor,
                  _dropped_term, _right_term, _wrong_power, _additive_constant):
        found = tried(lhs, left, rhs, values, check)
        if found is not None:
            return found
        if check.out_of_time():
            return Diagnosis("other", f"no kind of mistake found (the checks stopped after {TOTAL_SECONDS:g} s of "
                             "CPU time)")
    return Diagnosis("other", "none of the known kinds of mistake (constant factor, sign, additive constant, "
                     "inner derivative, swapped indices, a term dropped, added or scaled, a power off, catalog slip) "
                     "fits")


# ----------------------------------------------------------------------------------------- the kinds


def _derivative(lhs: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """``(expression, variable)`` when ``lhs`` is a written first derivative by one variable."""
    if isinstance(lhs, sp.Derivative) and len(lhs.variable_count) == 1 and lhs.variable_count[0][1] == 1:
        return lhs.expr, lhs.variable_count[0][0]
    return None


def _outer(expr: sp.Expr, v: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """``(f'(u), u)`` when ``expr`` is ``f(u)`` with u depending on v (a function of one argument, or a
    power with an exponent free of v), else None."""
    t = sp.Dummy("t")
    if isinstance(expr, sp.Pow) and not expr.exp.has(v) and expr.base.has(v):
        u = expr.base
        return sp.diff(t**expr.exp, t).xreplace({t: u}), u
    if isinstance(expr, sp.Function) and len(expr.args) == 1 and expr.args[0].has(v) \
            and not isinstance(expr, AppliedUndef):
        u = expr.args[0]
        return sp.diff(expr.func(t), t).xreplace({t: u}), u
    if isinstance(expr, AppliedUndef) and len(expr.args) == 1 and expr.args[0].has(v):
        u = expr.args[0]
        return sp.Subs(sp.Derivative(expr.func(t), t), t, u), u
    return None


def _dropped_inner_derivative(lhs, left, rhs, values, check: _Check) -> Diagnosis | None:
    written = _derivative(lhs)
    if written is None:
        return None
    expr, v = written
    coefficient, applied = expr.as_independent(v, as_Add=False)
    factors, arguments, inner = [], [], applied
    while (outer := _outer(inner, v)) is not None:
        factors.append(outer[0])
        arguments.append(outer[1])
        inner = outer[1]
    last = len(factors) - 1 if arguments and arguments[-1] == v else len(factors)
    for j in range(last, 0, -1):  # the chain rule stopped after the j-th factor
        how = check.equal(rhs, coefficient * sp.Mul(*factors[:j]))
        if how:
            dropped = arguments[j - 1]
            factor = evaluate_derivatives(sp.Derivative(dropped, v))
            more = f" (and the {last - j} factor(s) inside it)" if last > j else ""
            return Diagnosis("dropped_inner_derivative",
                             f"the chain rule's inner factor d/d{echo(v)}({echo(dropped)}) = {echo(factor)} is "
                             f"missing{more}: the right side is the outer derivative alone; {how}")
        if check.out_of_time():
            return None
    return None


def _entries() -> dict[type, Entry]:
    return {entry.function: entry for entry in CATALOG.values()}


def _known_mistake(lhs, left, rhs, values, check: _Check) -> Diagnosis | None:
    written = _derivative(lhs)
    if written is None or type(written[0]) not in _entries():
        return None
    applied, v = written
    entry = _entries()[type(applied)]
    args = applied.args
    for slip in entry.slips:
        if issubclass(entry.function, IndexedFunction):
            if not (isinstance(v, sp.Indexed) and v.base == args[0] and len(v.indices) == 1):
                continue
            candidates = [(slip.build(*args, v.indices[0]), "")]
        else:
            inner = evaluate_derivatives(sp.Derivative(args[0], v))
            wrong = slip.build(*args)
            candidates = [(wrong * inner, "")]
            if inner != 1:
                candidates.append((wrong, f", and the inner derivative {echo(inner)} is missing too"))
        for candidate, extra in candidates:
            how = check.equal(rhs, candidate)
            if how:
                return Diagnosis("known_mistake", f"{entry.name}' written as {slip.latex} (a known slip: {slip.note})"
                                 f"{extra}; {how}")
    return None


def _swapped_indices(lhs, left, rhs, values, check: _Check) -> Diagnosis | None:
    _, indices = counts_and_indices(lhs, rhs)
    for atom in sorted(lhs.atoms(sp.Indexed), key=str):  # one entry transposed: a_ij written a_ji
        for m, n in itertools.combinations(range(len(atom.indices)), 2):
            order = list(atom.indices)
            order[m], order[n] = order[n], order[m]
            if order == list(atom.indices):
                continue
            transposed = atom.base[tuple(order)]
            how = check.equal(rhs, lhs.xreplace({atom: transposed}))
            if how:
                return Diagnosis("swapped_indices", f"the indices of {echo(atom)} are exchanged: the right side "
                                 f"has {echo(transposed)} where the left has {echo(atom)}; {how}")
    for a, b in itertools.combinations(sorted(indices, key=str), 2):
        swapped = lhs.xreplace({a: b, b: a})
        if swapped == lhs:
            continue
        how = check.equal(rhs, swapped)
        if how:
            return Diagnosis("swapped_indices", f"the indices {a} and {b} are exchanged: the right side is the "
                             f"left with {a} and {b} swapped; {how}")
        if check.out_of_time():
            return None
    return None


def _safely(combine):
    """``combine`` on a pair of values, None where it divides by zero (a ratio at a point where a side is 0)."""
    def combined(pair):
        try:
            return combine(*pair)
        except ZeroDivisionError:
            return None
    return combined


def _constant(pairs, combine) -> sp.Float | None:
    """The one number ``combine(l, r)`` takes at every point (three at least), else None."""
    numbers = [n for n in map(_safely(combine), pairs) if n is not None]
    if len(numbers) < 3:
        return None
    first = numbers[0]
    scale = max(max(abs(a), abs(b), 1) for a, b in pairs)
    return first if all(abs(n - first) <= RELATIVE_TOLERANCE * scale for n in numbers) else None


def _exact(number: sp.Float) -> sp.Expr:
    """``number`` as a simple exact number when one fits to 40 digits, else the number itself."""
    fraction = sp.Rational(number).limit_denominator(10**9)  # the usual case, without PSLQ's cost
    if abs(fraction - number) <= sp.Float("1e-40", DIGITS) * abs(number):
        return fraction
    guess = sp.nsimplify(number, [sp.pi, sp.E], tolerance=sp.Float("1e-40", DIGITS))
    if sp.count_ops(guess) <= 6 and (not guess.is_Rational or guess.q < 10**9):
        return guess
    return number


def _sign(lhs, left, rhs, values, check: _Check) -> Diagnosis | None:
    if len(values) >= 3 and all(_close(b, -a) and a != 0 for a, b in values):
        how = check.how(rhs, -left, len(values))
        if how:
            return Diagnosis("sign", f"the right side is the negative of the left: a sign is wrong; {how}")
    return None


def _constant_factor(lhs, left, rhs, values, check: _Check) -> Diagnosis | None:
    ratio = _constant([(a, b) for a, b in values if a != 0], lambda a, b: b / a)
    if ratio is None or _close(ratio, 1) or _close(ratio, -1) or _close(ratio, 0):
        return None
    c = _exact(ratio)
    how = check.how(rhs, c * left, len(values))
    if not how:
        return None
    shown = sp.sstr(c) if not c.is_Float else f"{sp.Float(c, 6)}"
    if c.is_Rational and c.p == 1:
        words = f"the right side is {shown} of the left: a factor {c.q} is missing"
    elif c.is_Rational and c.q == 1:
        words = f"the right side is {shown} times the left: a factor {c.p} too many"
    else:
        words = f"the right side is {shown} times the left: a factor {sp.sstr(1 / c) if not c.is_Float else shown}"
        words += " is missing" if not c.is_Float else " apart"
    return Diagnosis("constant_factor", f"{words}; {how}")


def _sum_forms(lhs: sp.Expr, left: sp.Expr) -> list[sp.Expr]:
    forms = [lhs, left]
    if sp.count_ops(left) <= 200:
        forms.append(sp.expand(left))
    unique = list(dict.fromkeys(forms))
    return [f for f in unique if isinstance(f, sp.Add) and 2 <= len(f.args) <= MAX_TERMS]


def _dropped_term(lhs, left, rhs, values, check: _Check) -> Diagnosis | None:
    for form in _sum_forms(lhs, left):
        for term in form.args:
            for kind, times in (("dropped_term", -1), ("sign", -2)):
                if _matches_term(term, times, left, rhs, check):
                    target = form - term if kind == "dropped_term" else form - 2 * term
                    how = check.equal(rhs, target)
                    if how:
                        shown = echo(term)
                        text = (f"the term {shown} of the left side ({echo(form)}) is missing on the right"
                                if kind == "dropped_term" else
                                f"the term {shown} of the left side ({echo(form)}) has the wrong sign on the right")
                        return Diagnosis(kind, f"{text}; {how}")
            if check.out_of_time():
                return None
    return None


def _matches_term(term: sp.Expr, times: int, left: sp.Expr, rhs: sp.Expr, check: _Check) -> bool:
    """A cheap first test of :math:`R - L = times\\cdot t` at the first point where all three have values."""
    t = evaluate_derivatives(term)
    points = check.points
    for n in range(len(points.reals)):
        values = [points.value(e, n) for e in (left, rhs, t)]
        if None in values:
            continue
        a, b, v = values
        return abs((b - a) - times * v) <= RELATIVE_TOLERANCE * max(abs(a), abs(b), abs(v)) + ABSOLUTE_TOLERANCE
    return True  # no numbers: let the proof decide


def _right_term(lhs, left, rhs, values, check: _Check) -> Diagnosis | None:
    r"""One term r of the right side's sum form off by a constant factor: :math:`L' - R = k\,r` at every point,
    so the step holds with r written as :math:`(1 + k)\,r` -- ``extra_term`` where that is 0 (r is not in the
    left side at all), ``sign`` where it is -r, ``term_factor`` otherwise (a dropped 1/2 or 1/n, a 2 too many)."""
    forms = [f for f in dict.fromkeys((rhs, sp.expand(rhs) if sp.count_ops(rhs) <= 200 else rhs))
             if isinstance(f, sp.Add) and 2 <= len(f.args) <= MAX_TERMS]
    for form in forms:
        for term in (t for t in form.args if not t.is_number):  # a number off is an additive constant
            k = _constant(_term_pairs(term, left, rhs, check.points), lambda t, d: d / t)
            if k is None or _close(k, 0):
                continue
            fix = _exact(1 + k) if not _close(1 + k, 0) else sp.S.Zero
            how = check.equal(left, form - term + fix * term)
            if not how:
                continue
            if fix == 0:
                return Diagnosis("extra_term", f"the term {echo(term)} of the right side is not in the left side: "
                                 f"without it the step holds; {how}")
            if fix == -1:
                return Diagnosis("sign", f"the term {echo(term)} of the right side has the wrong sign: with "
                                 f"{echo(-term)} the step holds; {how}")
            return Diagnosis("term_factor", f"the term {echo(term)} of the right side is off by a factor: written "
                             f"as {echo(sp.Mul(fix, term))} the step holds; {how}")
        if check.out_of_time():
            return None
    return None


def _term_pairs(term: sp.Expr, left: sp.Expr, rhs: sp.Expr, points) -> list[tuple]:
    """(value of ``term``, value of L' - R) at every point where all three have values and the term is not 0."""
    pairs = []
    for n in range(len(points.reals)):
        values = [points.value(e, n) for e in (left, rhs, term)]
        if None in values or values[2] == 0:
            continue
        pairs.append((values[2], values[0] - values[1]))
    return pairs


def _wrong_power(lhs, left, rhs, values, check: _Check) -> Diagnosis | None:
    r""":math:`R = L'\,u^k` for a base u of L' (a name, or the base of a power in it) and a whole k, 0 < |k| <= 2:
    an exponent written one or two off (:math:`3x^3` for :math:`3x^2`, a power rule that kept n)."""
    bases = [b for b in dict.fromkeys([*sorted(left.free_symbols, key=str), *sorted(left.atoms(sp.Indexed), key=str),
                                       *(p.base for p in left.atoms(sp.Pow) if p.exp.is_number)])
             if not b.is_number and getattr(b, "is_integer", False) is not True]
    for base in bases:
        for k in (1, -1, 2, -2):
            target = left * base**k
            if _constant(_term_pairs(target, rhs, 0 * rhs, check.points), lambda t, d: d / t) is None:
                continue
            how = check.equal(rhs, target)
            if how:
                off = "too high" if k > 0 else "too low"
                shown = f"({echo(base)})" if isinstance(base, sp.Add) else echo(base)
                times = shown if k == 1 else f"{shown}^{k}"
                return Diagnosis("wrong_power", f"the right side is the left times {times}: a power of "
                                 f"{shown} is {abs(k)} {off}; {how}")
        if check.out_of_time():
            return None
    return None


def _additive_constant(lhs, left, rhs, values, check: _Check) -> Diagnosis | None:
    difference = _constant(values, lambda a, b: b - a)
    if difference is None or abs(difference) <= RELATIVE_TOLERANCE * max(max(abs(a), abs(b), 1) for a, b in values):
        return None
    d = _exact(difference)
    how = check.how(rhs, left + d, len(values))
    if not how:
        return None
    shown = sp.sstr(d) if not d.is_Float else f"{sp.Float(d, 6)}"
    return Diagnosis("additive_constant", f"the right side is the left plus the constant {shown}; {how}")
