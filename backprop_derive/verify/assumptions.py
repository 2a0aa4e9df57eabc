r"""Assumptions of a step, solved together, so that every sampled point satisfies all of them.

An assumption is an equation ``lhs = rhs`` (:class:`Hypothesis`).  Those in force for a step are
resolved in three layers, each of them exact:

1. **Values** -- ``K = 3``, ``x = 1``, ``y_1 = \sin z``: a symbol alone on one side and absent from
   the other is replaced, in the step and in every other assumption (in order; a value named
   earlier is rewritten by the later ones).
2. **Linear equations** -- those whose difference is a polynomial of degree at most 1 in its
   unknowns (real symbols, vector elements with number indices) with number coefficients -- form
   one system :math:`A u = b`, solved at once by ``sympy.linsolve``: each pivot :math:`u_p` becomes
   :math:`c_p - \sum_f m_{pf} u_f` in the free unknowns :math:`u_f`.  The free unknowns are
   sampled and the pivots computed from them, so every point satisfies every linear equation
   together (``x + y = 1`` and ``x - y = 1`` give ``x = 1, y = 0``, not two separate rewrites).
   Pivots are the step's own unknowns first, the latest name first (``y_3 = 1 - y_1 - y_2``).
   A system without solution is a contradiction (:func:`contradiction`).
3. **Other equations** (``xy = 1``, ``x^2 = 1``), with the pivots substituted, are solved one at a
   time, each for one unknown, by ``sympy.solveset`` over the reals.  Only a complete answer is
   used: a finite set of candidates (possibly to be intersected with the reals).  At each point
   one real candidate is drawn (``x = -1`` or ``x = 1``).  An equation without such an answer
   (``\sin y = x``) is *declined*: points need not satisfy it, so a difference found at a point
   where it fails is no counterexample (:meth:`Constraints.violated` says so), while agreement
   at all points still holds where it holds.

Every point is checked against every assumption in force before it is used.  For a proof,
the linear solution and any unique candidate that is a rational function of the other unknowns
are exact rewrites, as is replacing ``\sum_{i=1}^{K} y_i`` by its value for a symbolic ``K``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sympy as sp

from backprop_derive.verify.document import top_level_splits
from backprop_derive.verify.latex.parser import parse_expression
from backprop_derive.verify.latex.tokens import LatexError
from backprop_derive.verify.numeric import DIGITS, EVALUATION_ERRORS, agree, concrete, value

#: Most candidates kept for one unknown of a non-linear assumption.
MAX_BRANCHES = 6


#: The relations an assumption or condition may state, as written, and what each means.
RELATIONS = {
    "=": "=", "\\neq": "!=", "\\ne": "!=", "\\leq": "<=", "\\le": "<=", "\\geq": ">=", "\\ge": ">=",
    "\\lt": "<", "\\gt": ">", "<": "<", ">": ">",
}
_TESTS = {
    "!=": lambda a, b: not agree(a, b), "<": lambda a, b: a < b and not agree(a, b),
    ">": lambda a, b: a > b and not agree(a, b), "<=": lambda a, b: a <= b or agree(a, b),
    ">=": lambda a, b: a >= b or agree(a, b),
}


def split_relation(text: str) -> tuple[str, str, str]:
    """``lhs REL rhs`` as (lhs, relation, rhs); :class:`LatexError` unless there is exactly one top-level relation."""
    pieces = top_level_splits(text, tuple(RELATIONS))
    if len(pieces) != 2:
        raise LatexError("an assumption is one relation: 'lhs = rhs', 'i \\neq j', 'x > 0'", 1)
    between = text[pieces[0][1] : pieces[1][0]]
    return text[pieces[0][0] : pieces[0][1]], RELATIONS[between], text[pieces[1][0] : pieces[1][1]]


@dataclass(frozen=True)
class Hypothesis:
    """An assumption ``lhs REL rhs`` as written (``text``) and read; ``relation`` is ``=`` for an equation.

    An equation is used to compute (layers 1 to 3 of the module); any other relation (``i \\neq j``,
    ``x > 0``) is a *condition*: every point drawn satisfies it, and for indices ``i \\neq j`` the
    proof may rewrite :math:`\\delta_{ij}` to 0.
    """

    text: str
    lhs: sp.Expr
    rhs: sp.Expr
    relation: str = "="

    @classmethod
    def read(cls, text: str, readings=None) -> Hypothesis:
        left, relation, right = split_relation(text)
        return cls(" ".join(text.split()), parse_expression(left, readings), parse_expression(right, readings),
                   relation)

    def with_sides(self, lhs: sp.Expr, rhs: sp.Expr) -> Hypothesis:
        return Hypothesis(self.text, lhs, rhs, self.relation)

    def about_indices(self) -> bool:
        """Whether it relates indices only (``i \\neq j``): a condition on every step that has them."""
        symbols = (self.lhs - self.rhs).free_symbols
        return bool(symbols) and all(getattr(s, "is_integer", False) for s in symbols)

    def holds(self, a: sp.Float, b: sp.Float) -> bool:
        """Whether the relation holds between the values ``a`` and ``b`` of the two sides."""
        return agree(a, b) if self.relation == "=" else _TESTS[self.relation](a, b)

    def substitution(self) -> dict | None:
        """``{K: 3}`` for an assumption that names a value for one symbol, else None."""
        for name, val in ((self.lhs, self.rhs), (self.rhs, self.lhs)):
            if isinstance(name, (sp.Symbol, sp.Indexed)) and not val.has(name):
                return {name: val}
        return None

    def replaced(self, values: dict) -> Hypothesis:
        return Hypothesis(self.text, self.lhs.xreplace(values), self.rhs.xreplace(values), self.relation)

    def names(self) -> set[str]:
        return names(self.lhs - self.rhs)


def names(expr: sp.Expr) -> set[str]:
    """The real symbols and vectors ``expr`` is about, by name."""
    found = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer}
    return found | {str(node.base.label) for node in expr.atoms(sp.Indexed)}


def unknowns(expr: sp.Expr) -> set:
    """The real symbols and vector elements in ``expr`` (not the vectors' names, not integers)."""
    elements = expr.atoms(sp.Indexed)
    labels = {node.base.label for node in elements}
    return elements | {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer} - labels


def _preferred(candidates, among: set) -> list:
    """The step's own unknowns first, then the others; the latest name first within each."""
    return sorted(sorted(candidates, key=str, reverse=True), key=lambda u: u not in among)


def _is_linear(difference: sp.Expr, gens: set) -> bool:
    if any(not i.is_Integer for node in difference.atoms(sp.Indexed) for i in node.indices):
        return False
    try:
        poly = sp.Poly(difference, *sorted(gens, key=str))
    except (sp.PolynomialError, *EVALUATION_ERRORS):
        return False
    return poly.total_degree() <= 1 and all(c.is_number for c in poly.coeffs())


def _reads(lhs: sp.Expr, rhs: sp.Expr, substitution: dict) -> str:
    from backprop_derive.verify.reading import echo

    return f"{echo(sp.expand(lhs.xreplace(substitution)))} = {echo(sp.expand(rhs.xreplace(substitution)))}"


def _real_solutions(difference: sp.Expr, unknown) -> tuple | None:
    """Every real ``u`` with ``difference = 0`` (candidates, some perhaps not real at a point), or
    None when ``solveset`` gives no finite answer for it -- or an answer that is not the whole truth: where
    a factor without ``unknown`` may vanish (``w x = 0`` holds for every w where x = 0), solving for one
    factor (``w = 0``) would drop the other case, so the equation is left unsolved (declined)."""
    if _other_factor(difference, unknown):
        return None
    u = sp.Dummy("u", real=True)
    try:
        found = sp.solveset(difference.xreplace({unknown: u}), u, sp.S.Reals)
    except (NotImplementedError, *EVALUATION_ERRORS):
        return None
    if isinstance(found, sp.Intersection):
        parts = [a for a in found.args if a != sp.S.Reals]
        found = parts[0] if len(parts) == 1 else found
    if found is sp.S.EmptySet:
        return ()
    if not isinstance(found, sp.FiniteSet) or len(found) > MAX_BRANCHES:
        return None
    if any(c.has(u, sp.I) or c.is_finite is False for c in found):
        return None
    return tuple(found)


def _other_factor(difference: sp.Expr, unknown) -> bool:
    """Whether ``difference`` is a product with a factor free of ``unknown`` that may be 0 (not a number)."""
    try:
        factored = sp.factor(difference)
    except (NotImplementedError, sp.PolynomialError, *EVALUATION_ERRORS):
        return True
    for factor in sp.Mul.make_args(factored):
        base = factor.base if isinstance(factor, sp.Pow) and factor.exp.is_positive else factor
        if not base.has(unknown) and unknowns(base) and not isinstance(base, sp.exp):
            return True
    return False


@dataclass(frozen=True)
class Constraints:
    """The assumptions of one step for one choice of counts and indices, solved (see the module).

    ``pivots`` and ``branches`` say how to complete a point drawn over the free unknowns;
    ``checks`` are every assumption in force, concrete; ``declined`` the texts points need not
    satisfy; ``clash`` says why no point can satisfy them all.
    """

    pivots: dict = field(default_factory=dict)
    branches: tuple = ()
    derived: dict = field(default_factory=dict)
    checks: tuple = ()
    declined: tuple[str, ...] = ()
    clash: str | None = None

    def solved(self) -> set:
        return set(self.pivots) | {s for s, _ in self.branches} | set(self.derived)

    def parameters(self) -> set:
        """The unknowns to draw: every one the assumptions mention that is not computed from others."""
        found = set().union(*(unknowns(h.lhs - h.rhs) for h in self.checks))
        return found - self.solved()

    def fill(self, point: dict, turn: int) -> dict | None:
        """``point`` completed with a real candidate for each branch, the pivots and the values.

        The candidates are taken in turn (``turn`` counts the points used so far, as digits of a
        mixed radix), so that consecutive points cover every combination of branches: ``x = 1``
        under ``x^2 = 1`` meets ``x = -1`` at the second point, not by luck.
        """
        full, stride = dict(point), 1
        for unknown, candidates in self.branches:
            real = [c for c in (c.xreplace(full) for c in candidates) if value(c, {}, 30) is not None]
            if not real:
                return None
            full[unknown] = real[(turn // stride) % len(real)]
            stride *= len(candidates)
        full.update({p: e.xreplace(full) for p, e in self.pivots.items()})
        full.update({k: v.xreplace(full) for k, v in self.derived.items() if k not in full})
        return full

    def violated(self, point: dict, declined_too: bool = False) -> str | None:
        """The first assumption that does not hold at ``point`` (evaluated at 50 digits), else None.

        An assumption about unknowns the point does not assign is not about this point.
        """
        for hypothesis in self.checks:
            if hypothesis.text in self.declined and not declined_too:
                continue
            left, right = hypothesis.lhs.xreplace(point), hypothesis.rhs.xreplace(point)
            if unknowns(left - right):
                continue
            a, b = value(left, {}, DIGITS), value(right, {}, DIGITS)
            if a is None or b is None or not hypothesis.holds(a, b):
                return hypothesis.text
        return None


@dataclass(frozen=True)
class System:
    """Every assumption in force (``hypotheses``), with the values of layer 1 resolved."""

    hypotheses: tuple[Hypothesis, ...]
    values: dict
    valued: tuple[Hypothesis, ...]
    equations: tuple[Hypothesis, ...]
    clash: str | None = None
    conditions: tuple[Hypothesis, ...] = ()

    @classmethod
    def of(cls, hypotheses: Sequence[Hypothesis]) -> System:
        values: dict = {}
        valued, rest = [], []
        conditions = [h for h in hypotheses if h.relation != "="]
        for hypothesis in hypotheses:
            if hypothesis.relation != "=":
                continue
            now = hypothesis.replaced(values)
            gap = sp.expand(now.lhs - now.rhs)
            if gap.is_number and gap.is_zero is False:
                return cls(tuple(hypotheses), values, tuple(valued), tuple(rest),
                           (hypothesis.text, _reads(now.lhs, now.rhs, {})), tuple(conditions))
            substitution = now.substitution()
            if substitution:
                values = {k: v.xreplace(substitution) for k, v in values.items()} | substitution
                valued.append(hypothesis)
            else:
                rest.append(hypothesis)
        equations = tuple(h.replaced(values) for h in rest)
        return cls(tuple(hypotheses), values, tuple(valued), equations, None,
                   tuple(h.replaced(values) for h in conditions))

    def relevant(self, expr: sp.Expr) -> System:
        """Only the equations connected to ``expr`` through shared names (the others constrain
        unknowns that neither the step nor these equations mention)."""
        about, kept, left = names(expr), [], list(self.equations)
        grew = True
        while grew:
            grew = False
            for equation in list(left):
                if equation.names() & about:
                    about |= equation.names()
                    kept.append(equation)
                    left.remove(equation)
                    grew = True
        order = {h.text: n for n, h in enumerate(self.equations)}
        written = {h.text: h for h in self.hypotheses}
        about = about.union(*(written[h.text].names() for h in kept))
        valued = tuple(h for h in self.valued if h.names() & about)
        conditions = tuple(h for h in self.conditions if names(h.lhs - h.rhs) & about or h.about_indices())
        return System(self.hypotheses, self.values, valued, tuple(sorted(kept, key=lambda h: order[h.text])),
                      self.clash, conditions)

    def substitute(self, lhs: sp.Expr, rhs: sp.Expr) -> tuple[sp.Expr, sp.Expr, tuple[str, ...]]:
        """The step with the values of layer 1 put in, and the texts of those that occurred."""
        hit = [h.text for h in self.valued if any(lhs.has(k) or rhs.has(k) for k in h.substitution() or {})]
        return lhs.xreplace(self.values), rhs.xreplace(self.values), tuple(hit)

    def constraints(self, values: dict | None = None, among: set | None = None) -> Constraints:
        """Solve the equations for counts and indices ``values`` (none: ``K`` as written); see the module."""
        if self.clash:
            return Constraints(clash=f"'{self.clash[0]}' reads {self.clash[1]}")

        values = dict(values or {})
        values.update({k: v.xreplace(values) for k, v in self.values.items()
                       if isinstance(k, sp.Symbol) and k.is_integer and k not in values})

        def made(expr):
            return concrete(expr, values)

        equations = [(h.text, made(h.lhs), made(h.rhs)) for h in self.equations]
        among = among or set()
        linear, other = [], []
        for text, lhs, rhs in equations:
            difference = sp.expand(lhs - rhs)
            gens = unknowns(difference)
            if not gens:
                if difference.is_zero is False:
                    return Constraints(clash=f"'{text}' reads {_reads(lhs, rhs, {})}")
                continue
            (linear if _is_linear(difference, gens) else other).append((text, lhs, rhs, difference))
        pivots, clash = _solve_linear(linear, among)
        if clash:
            return Constraints(clash=clash)
        branches, declined = [], []
        solved = set(pivots)
        for text, lhs, rhs, _ in sorted(other, key=lambda e: len(unknowns(e[3]))):
            difference = (lhs - rhs).xreplace(pivots)
            free = unknowns(difference) - solved
            if not free and difference.is_number:
                if difference.is_zero is False:
                    return Constraints(clash=f"'{text}' reads {_reads(lhs, rhs, pivots)}")
                continue
            if difference.has(sp.Sum, sp.Product):
                declined.append(text)
                continue
            for unknown in _preferred(free, among):
                candidates = _real_solutions(difference, unknown)
                if candidates == () and len(unknowns(difference)) == 1:
                    return Constraints(clash=f"'{text}' has no real solution")
                if candidates:
                    branches.append((unknown, candidates))
                    solved.add(unknown)
                    break
            else:
                declined.append(text)
        kept = {h.text for h in (*self.valued, *self.equations, *self.conditions)}
        checks = tuple(h.with_sides(made(h.lhs), made(h.rhs)) for h in self.hypotheses if h.text in kept)
        named = set().union(*(h.names() for h in self.valued))
        derived = {k: made(v) for k, v in self.values.items() if names(k) & named}
        return Constraints(pivots, tuple(branches), derived, checks, tuple(declined))

    def rewrite(self, among: set):
        """The exact rewrite these equations license for a proof (``K`` as written)."""
        solution = self.constraints(None, among)
        exact = dict(solution.pivots)
        for unknown, candidates in solution.branches:
            others = unknowns(sp.Add(*candidates)) - {unknown}
            if len(candidates) == 1 and candidates[0].is_rational_function(*others):
                exact[unknown] = candidates[0]
        sums = [(h.lhs, h.rhs) for h in self.equations if isinstance(h.lhs, sp.Sum)
                and not h.lhs.limits[0][2].is_Integer]

        def apply(expr: sp.Expr) -> sp.Expr:
            for pattern, replacement in sums:
                expr = expr.replace(lambda e, p=pattern: _same_sum(e, p), lambda e, r=replacement: r)
            return expr.xreplace(exact) if solution.clash is None else expr

        return apply


def _solve_linear(linear: list, among: set) -> tuple[dict, str | None]:
    """The pivots of the linear equations solved as one system, or the first equation that the
    ones before it make false (as ``'text' reads a = b``)."""
    if not linear:
        return {}, None
    gens = _preferred(set().union(*(unknowns(d) for *_, d in linear)), among)
    solution = _linsolve([d for *_, d in linear], gens)
    if solution is None:
        for n in range(1, len(linear)):
            if _linsolve([d for *_, d in linear[: n + 1]], gens) is None:
                before = _linsolve([d for *_, d in linear[:n]], gens) or {}
                text, lhs, rhs, _ = linear[n]
                return {}, f"'{text}' reads {_reads(lhs, rhs, before)}"
        text, lhs, rhs, _ = linear[0]
        return {}, f"'{text}' reads {_reads(lhs, rhs, {})}"
    return solution, None


def _linsolve(differences: list, gens: list) -> dict | None:
    found = sp.linsolve(differences, gens)
    if found is sp.S.EmptySet or not found:
        return None
    (row,) = found
    return {g: sp.expand(e) for g, e in zip(gens, row, strict=True) if e != g}


def _same_sum(node, pattern: sp.Sum) -> bool:
    """Whether ``node`` is ``pattern`` up to the name of its index."""
    if not isinstance(node, sp.Sum) or len(node.limits) != 1 or len(pattern.limits) != 1:
        return False
    (j, low, high), (i, plow, phigh) = node.limits[0], pattern.limits[0]
    return (low, high) == (plow, phigh) and node.function.xreplace({j: i}) == pattern.function


def contradiction(hypotheses: Sequence[Hypothesis]) -> tuple[str, str, int] | None:
    """(which, message, column) for the first assumption that the ones before it make false.

    ``x = 1`` then ``x = 2``: the second reads ``1 = 2``; ``x + y = 1``, ``x - y = 1``, ``x = 3``:
    the linear system has no solution.  Under contradictory assumptions every step would be
    vacuously true, so they are an error rather than silently half-used.
    """
    for number in range(len(hypotheses)):
        clash = System.of(hypotheses[: number + 1]).constraints().clash
        if clash is not None:
            prefix = f"'{hypotheses[number].text}' "
            reading = f"it {clash.removeprefix(prefix)}" if clash.startswith(prefix) else clash
            message = f"contradicts the assumptions before it: with them {reading}" if number else \
                f"cannot hold: {reading}"
            return (f"assumption {number}", message, 1)
    return None
