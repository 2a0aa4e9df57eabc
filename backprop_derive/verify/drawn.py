r"""Counterexamples for steps about functions the reader does not know: draw concrete ones.

A step such as the quotient rule :math:`f'(x) = \frac{g'(x) h(x) - h'(x) g(x)}{h(x)}` (its square
forgotten), with g and h unknown, claims an identity for *every* g and h.  Its sides cannot be
evaluated, and a proof does not come, so without more it stays ``unknown``.  Drawing concrete
functions -- :math:`g(t) = a + b t + c t^2 + d \sin t` with random rational a in [3/2, 5/2] and
b, c, d in [-1/2, 1/2], a different one for each unknown function -- and comparing the sides at
random points finds the mistake: the sides differ for these functions, so the step is no identity.

Only a difference is used (a ``not_equal`` with the functions named in its counterexample);
agreement for the drawn functions proves nothing about all functions, so it never makes a step
equal.  And only for the author's placeholders: unknown functions that a definition in force is
written in (``f(x) = \frac{g(x)}{h(x)}``), each differentiated in the step (a prime or a
derivative): there the claim is a rule of calculus meant for any g and h.  An unknown function
that is no placeholder may be one the reader cannot see (``f(x_i) = \log(…)`` with "f =
logsoftmax" said in words, ``f(x + h) - f(x) = h f'(x)`` for some f): those steps stay ``unknown``.
"""

from __future__ import annotations

import random

import sympy as sp
from sympy.core.function import AppliedUndef


def differentiated_unknowns(expr: sp.Expr, placeholders: set) -> set | None:
    """The unknown functions of ``expr`` when each is a placeholder and differentiated in it, else None."""
    applied = {type(f) for f in expr.atoms(AppliedUndef)}
    if not applied or not applied <= placeholders:
        return None
    differentiated = {type(f) for d in expr.atoms(sp.Derivative) for f in d.expr.atoms(AppliedUndef)}
    differentiated |= {type(f) for s in expr.atoms(sp.Subs) for d in s.expr.atoms(sp.Derivative)
                       for f in d.expr.atoms(AppliedUndef)}
    return applied if applied <= differentiated else None


def _draw(rng: random.Random, arity: int) -> sp.Lambda:
    def rational(low: float, high: float) -> sp.Rational:
        return sp.Rational(round(rng.uniform(low, high) * 16), 16)

    ts = sp.symbols(f"t1:{arity + 1}", real=True) if arity > 1 else (sp.Symbol("t", real=True),)
    body = rational(1.5, 2.5) + sum(rational(-0.5, 0.5) * t + rational(-0.5, 0.5) * t**2
                                    + rational(-0.5, 0.5) * sp.sin(t) for t in ts)
    return sp.Lambda(ts, body)


def with_drawn_functions(lhs: sp.Expr, rhs: sp.Expr, rng: random.Random,
                         placeholders: set) -> tuple[sp.Expr, sp.Expr, dict] | None:
    """Both sides with each unknown function replaced by a drawn one, and the functions as shown
    (``{"g(t)": "…"}``); None unless every unknown function is a placeholder and differentiated (see
    the module), or where SymPy cannot put the drawn functions in."""
    functions = differentiated_unknowns(lhs - rhs, placeholders)
    if functions is None:
        return None
    arities = {type(f): len(f.args) for f in (lhs - rhs).atoms(AppliedUndef)}
    drawn = {f: _draw(rng, arities[f]) for f in sorted(functions, key=str)}
    try:
        for function, body in drawn.items():
            lhs, rhs = lhs.subs(function, body), rhs.subs(function, body)
        lhs, rhs = lhs.doit(), rhs.doit()
    except (ValueError, TypeError, NotImplementedError, AttributeError):
        return None
    if (lhs - rhs).atoms(AppliedUndef):
        return None
    shown = {f"{f}({', '.join(map(str, lam.variables))})": str(lam.expr) for f, lam in drawn.items()}
    return lhs, rhs, shown
