r"""Symbolic proofs that two expressions are equal.

A proof is a chain of exact SymPy transformations that reduces ``lhs - rhs`` to ``0``; the
:class:`Proof` names the transformation that got there.  Nothing here evaluates numbers: when no
transformation reaches 0, the answer is ``proved=False`` (which means "not proved", never "unequal").

Assumptions are explicit objects (:class:`Assumption`): each one rewrites an expression in a way
that is exact *under* the assumption, and says so in words that end up in the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from backprop_derive.core.functions import unfold
from backprop_derive.core.stage import stage as report_stage


@dataclass(frozen=True)
class Proof:
    """Outcome of :func:`prove_equal`: ``proved`` and the method that reduced the difference to 0."""

    proved: bool
    method: str
    assumptions: tuple[str, ...] = ()
    #: When not proved: the non-zero number some method reduced ``lhs - rhs`` to, if any (a disproof).
    constant: sp.Expr | None = None


@dataclass(frozen=True)
class Assumption:
    """A named hypothesis, with the exact rewrite it licenses.

    ``about_indices`` marks the bookkeeping kind (indices lie in 1..K), which a derivation may use
    as it goes; the others (such as labels summing to 1) are used only in a final, named rewrite.
    """

    text: str
    latex: str
    apply: Callable[[sp.Expr], sp.Expr]
    about_indices: bool = False

    def __call__(self, expr: sp.Expr) -> sp.Expr:
        return self.apply(expr)


def index_in_range(indices: Sequence[sp.Symbol], K) -> Assumption:
    r"""Assume every index in ``indices`` lies in :math:`1..K`.

    Licenses two rewrites: a Kronecker sum :math:`\sum_j \delta_{jk} f(j) = f(k)` (``Sum.doit``
    leaves a ``Piecewise`` on :math:`k \le K`), and dropping any ``Piecewise`` branch whose condition
    only relates indices and K and holds for every in-range index.
    """
    K = sp.sympify(K)
    names = ", ".join(str(i) for i in indices)

    def holds(cond) -> bool:
        """Whether ``cond`` is true for every in-range value of the one index it mentions."""
        if cond is sp.true:
            return True
        mentioned = [i for i in indices if i in cond.free_symbols]
        if len(mentioned) != 1 or not cond.free_symbols <= {mentioned[0], K}:
            return False
        (i,) = mentioned
        if K.is_Integer:
            return all(bool(cond.subs(i, v)) for v in range(1, int(K) + 1))
        # i = 1 + t and K = i + s, with t, s >= 0 integers, reach every pair 1 <= i <= K
        t, s = sp.Dummy("t", integer=True, nonnegative=True), sp.Dummy("s", integer=True, nonnegative=True)
        return cond.subs(K, i + s).subs(i, 1 + t) is sp.true

    def drop_branches(expr):
        def simplify_piecewise(pw):
            cond = pw.args[0].cond
            return pw.args[0].expr if holds(cond) else pw

        return expr.replace(lambda e: isinstance(e, sp.Piecewise), simplify_piecewise)

    def apply(expr):
        return drop_branches(_doit_sums(drop_branches(expr)))

    return Assumption(f"{names} in 1..{K}", rf"1 \le {names} \le {sp.latex(K)}", apply, about_indices=True)


def sums_to_one(y: sp.IndexedBase, K) -> Assumption:
    r"""Assume :math:`\sum_{i=1}^K y_i = 1` (labels are one-hot, or any probability vector)."""
    K = sp.sympify(K)
    if K.is_Integer:
        last = K
        rest = sum((y[i] for i in range(1, int(K))), sp.S.Zero)

        def apply(expr):
            return sp.expand(expr.subs(y[last], 1 - rest))

    else:

        def apply(expr):
            def is_label_sum(e):
                return (
                    isinstance(e, sp.Sum)
                    and len(e.limits) == 1
                    and e.function == y[e.limits[0][0]]
                    and e.limits[0][1:] == (1, K)
                )

            return expr.replace(is_label_sum, lambda e: sp.S.One)

    return Assumption(f"sum_i {y}[i] = 1", rf"\sum_{{i=1}}^{{{sp.latex(K)}}} {sp.latex(y)}_i = 1", apply)


#: The name every single sum's index gets, so that sums equal up to renaming compare equal.
#: A sum in which this name already occurs free keeps its own index (renaming would capture it).
_SUM_INDEX = sp.Symbol("i", integer=True, positive=True)


def _rename_sum_indices(expr: sp.Expr) -> sp.Expr:
    """Rename every single sum's index to one name (exact: a bound index is a dummy)."""

    def rename(s: sp.Sum) -> sp.Expr:
        if len(s.limits) != 1 or _SUM_INDEX in s.free_symbols:
            return s
        j = s.limits[0][0]
        return sp.Sum(s.function.xreplace({j: _SUM_INDEX}), (_SUM_INDEX, *s.limits[0][1:]))

    return expr.replace(lambda e: isinstance(e, sp.Sum), rename)


def _doit_sums(expr: sp.Expr) -> sp.Expr:
    """Split single sums over their terms, pull out factors free of the index, and ``doit``.

    :math:`\\sum_j (a\\,f_j + g_j) = a \\sum_j f_j + \\sum_j g_j`; ``doit`` then evaluates what
    it can in closed form (Kronecker deltas, finite ranges).
    """

    def split(s: sp.Sum) -> sp.Expr:
        if len(s.limits) != 1:
            return s.doit()
        j = s.limits[0][0]
        total = sp.S.Zero
        for term in sp.Add.make_args(sp.expand(s.function)):
            free, bound = term.as_independent(j, as_Add=False)
            total += free * sp.Sum(bound, *s.limits).doit()
        return total

    return _rename_sum_indices(expr.replace(lambda e: isinstance(e, sp.Sum), split))


#: Rationals with more digits than this are taken as positive symbols while a proof is sought.
BIG_DIGITS = 30


def _abstract_numbers(expr: sp.Expr) -> tuple[sp.Expr, dict]:
    """``expr`` with every rational of over :data:`BIG_DIGITS` digits (``10^{-600}``) replaced by a positive
    symbol, and the replacement back.  Exact: what is 0 for every positive value is 0 for this one; and
    SymPy's simplifications stall on such numbers."""
    big = [n for n in expr.atoms(sp.Rational) if max(len(str(abs(n.p))), len(str(n.q))) > BIG_DIGITS]
    if not big:
        return expr, {}
    symbols = {n: sp.Dummy(f"c{k}", positive=True) for k, n in enumerate(sorted(big, key=abs))}
    return expr.xreplace({n: s for n, s in symbols.items()} | {-n: -s for n, s in symbols.items()}), \
        {s: n for n, s in symbols.items()}


def _reduce_by(method: Callable[[sp.Expr], sp.Expr], expr: sp.Expr) -> sp.Expr | None:
    """``method(expr)``, or None where the method fails on it."""
    try:
        return method(expr)
    except (TypeError, ValueError, NotImplementedError, AttributeError, RecursionError, StopIteration, IndexError):
        # StopIteration: SymPy's sum_simplify on a Piecewise of sums (sympy 1.13)
        return None


def _under_index_condition(piece: sp.Expr, condition) -> sp.Expr:
    r"""``piece`` where ``condition`` holds, when that is a relation of two integer symbols: under
    :math:`i = k`, k is i; under :math:`i \neq k`, :math:`\delta_{ik}` is 0 (exact either way)."""
    if isinstance(condition, (sp.Eq, sp.Ne)) and all(isinstance(a, sp.Symbol) and a.is_integer
                                                     for a in condition.args):
        a, b = condition.args
        if isinstance(condition, sp.Eq):
            return piece.xreplace({b: a})
        return piece.replace(lambda d: isinstance(d, sp.KroneckerDelta) and set(d.args) == {a, b},
                             lambda d: sp.S.Zero)
    return piece


def _piecewise_zero(expr: sp.Expr) -> sp.Expr:
    folded = sp.piecewise_fold(expr.rewrite(sp.Piecewise))
    if isinstance(folded, sp.Piecewise):
        pieces = [sp.simplify(sp.cancel(_under_index_condition(p.expr, p.cond))) for p in folded.args]
        return sp.S.Zero if all(p == 0 for p in pieces) else folded
    return sp.simplify(folded)


#: Transformations tried in order, cheapest first; the first that gives 0 proves the identity.
METHODS: tuple[tuple[str, Callable[[sp.Expr], sp.Expr]], ...] = (
    ("expand", sp.expand),
    ("together + cancel", lambda e: sp.cancel(sp.together(e))),
    ("rewrite in exp + cancel", lambda e: sp.cancel(sp.together(e.rewrite(sp.exp)))),
    ("piecewise, piece by piece", _piecewise_zero),
)

#: The expensive last resort, tried once everything is unfolded.
LAST_RESORT: tuple[tuple[str, Callable[[sp.Expr], sp.Expr]], ...] = (
    ("simplify", lambda e: sp.simplify(e.rewrite(sp.exp))),
)


def prove_equal(lhs: sp.Expr, rhs: sp.Expr, assumptions: Sequence[Assumption] = ()) -> Proof:
    """Try to prove ``lhs == rhs`` exactly, under ``assumptions``.

    ``lhs - rhs`` is first taken as it is, then with every catalog function unfolded to its
    definition; the assumptions rewrite it; then each of :data:`METHODS` is tried in turn.  Returns
    the first way that reaches 0.  ``proved=False`` means only that none did.
    """
    used = tuple(a.text for a in assumptions)
    diff = sp.sympify(lhs) - sp.sympify(rhs)
    if diff == 0:
        return Proof(True, "identical", ())
    diff = _rename_sum_indices(diff)
    if diff == 0:
        return Proof(True, "identical up to the names of summation indices", ())
    tried, constant = [], None
    diff, numbers = _abstract_numbers(diff)
    stage_of = "numbers of over 30 digits as symbols + " if numbers else ""
    stages = ((stage_of, diff, METHODS[:2]), (stage_of + "unfold definitions + ", None, METHODS + LAST_RESORT))
    for stage, candidate, methods in stages:
        if candidate is None:
            candidate = _rename_sum_indices(unfold(diff))
        if assumptions:
            for assumption in assumptions:
                candidate = assumption(candidate)
            stage += "assumptions + "
            if candidate == 0:
                return Proof(True, stage.removesuffix(" + "), used)
        for name, method in methods:
            report_stage(f"the symbolic proof ({stage}{name})")
            reduced = _reduce_by(method, candidate)
            if reduced == 0:
                return Proof(True, stage + name, used)
            if reduced is not None and numbers and reduced.free_symbols <= set(numbers):
                reduced = reduced.xreplace(numbers)
            if constant is None and reduced is not None and reduced.is_number and reduced.is_zero is False \
                    and not reduced.has(sp.I):
                constant = reduced
        tried.append(stage + "/".join(name for name, _ in methods))
    return Proof(False, "tried: " + "; ".join(tried), used, constant)


def prove_for_each_index(
    lhs: sp.Expr, rhs: sp.Expr, index: sp.Symbol, K: int, assumptions: Sequence[Assumption] = ()
) -> Proof:
    """Prove ``lhs == rhs`` for each ``index = 1..K`` (a concrete K), by cases."""
    methods = []
    for value in range(1, int(K) + 1):
        proof = prove_equal(lhs.subs(index, value), rhs.subs(index, value), assumptions)
        if not proof.proved:
            return Proof(False, f"case {index} = {value}: {proof.method}", proof.assumptions)
        methods.append(proof.method)
    unique = sorted(set(methods), key=methods.index)
    return Proof(True, f"case split {index} = 1..{K}: " + "; ".join(unique), tuple(a.text for a in assumptions))
