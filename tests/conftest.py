"""Shared helpers: catalog entries as plain scalar functions, ready for mpmath."""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy as sp

from backprop_derive.core.catalog import Entry
from backprop_derive.core.functions import unfold

#: Classes used when an index-notation entry is evaluated numerically.
NUMERIC_CLASSES = 3


@dataclass(frozen=True)
class ScalarCase:
    """``function`` of ``var`` (other symbols ``fixed``) and the ``claimed`` derivative."""

    label: str
    function: sp.Expr
    claimed: sp.Expr
    var: sp.Symbol
    fixed: dict


def scalar_cases(entry: Entry, seed: int = 0) -> list[ScalarCase]:
    """The entry's derivative claims as scalar functions of one plain symbol.

    Activations (and the binary loss): f(x) and its canonical derivative.  Index-notation entries:
    every (i, k) pair for K = 3, with ``z[n]``, ``y[n]`` replaced by plain symbols; the labels form a
    probability vector, as the canonical form of the cross-entropy assumes (Σy = 1).
    """
    problem = entry.problem(NUMERIC_CLASSES if entry.indexed else None)
    if problem.index is None:
        fixed = {sp.Symbol("y", real=True): 0.3} if problem.expr.has(sp.Symbol("y", real=True)) else {}
        return [ScalarCase(entry.name, problem.expr, problem.canonical, problem.var, fixed)]
    rng = random.Random(seed)
    K = NUMERIC_CLASSES
    z, y = problem.var.base, sp.IndexedBase("y", real=True)
    plain_z = {n: sp.Symbol(f"z{n}", real=True) for n in range(1, K + 1)}
    plain_y = {n: sp.Symbol(f"y{n}", real=True) for n in range(1, K + 1)}
    plain = {**{z[n]: s for n, s in plain_z.items()}, **{y[n]: s for n, s in plain_y.items()}}
    weights = [rng.randint(1, 100) for _ in range(K)]
    labels = {plain_y[n]: sp.Rational(weights[n - 1], sum(weights)) for n in plain_y}  # exactly Σy = 1
    logits = {plain_z[n]: rng.uniform(*entry.domain) for n in plain_z}
    outputs = [s for s in problem.expr.free_symbols if s.name == "i"]
    cases = []
    for k in range(1, K + 1):
        for i in range(1, K + 1) if outputs else [None]:
            subs = {problem.index: k, **({outputs[0]: i} if outputs else {})}
            function = unfold(problem.expr.subs(subs)).doit().xreplace(plain)
            claimed = unfold(problem.canonical.subs(subs)).doit().xreplace(plain)
            fixed = {s: v for s, v in {**logits, **labels}.items() if s != plain_z[k]}
            cases.append(ScalarCase(f"{entry.name}[i={i},k={k}]", function, claimed, plain_z[k], fixed))
    return cases
