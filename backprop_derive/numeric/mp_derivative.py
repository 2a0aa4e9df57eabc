r"""A symbolic derivative against central finite differences, in mpmath at high precision.

For a scalar function :math:`f` and a claimed derivative :math:`g`, at a point :math:`x_0`:

.. math:: \frac{f(x_0 + h) - f(x_0 - h)}{2h} = f'(x_0) + \frac{h^2}{6} f'''(\xi),

so with 50 significant digits and :math:`h = 10^{-15}` the truncation error is about
:math:`10^{-30}` and rounding about :math:`10^{-35}`: any real mistake (even one of :math:`10^{-9}`)
stands out by twenty orders of magnitude.  Points are drawn from the entry's domain and kept at least
``margin`` away from its kinks, where the two one-sided derivatives differ.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import mpmath
import sympy as sp

from backprop_derive.core.functions import unfold

DIGITS = 50
STEP = mpmath.mpf("1e-15")
#: A claimed derivative is accepted when every relative error is below this (a mistake is > 1e-12).
TOLERANCE = mpmath.mpf("1e-20")


@dataclass(frozen=True)
class Discrepancy:
    """The worst point: where, the finite difference there, the claim there, the relative error."""

    point: dict[str, float]
    finite_difference: float
    claimed: float
    relative_error: float

    @property
    def agrees(self) -> bool:
        return self.relative_error < float(TOLERANCE)


def _evaluator(expr: sp.Expr, symbols: Sequence[sp.Symbol]):
    body = unfold(expr)
    return sp.lambdify(list(symbols), body, modules="mpmath")


def _mpf(value) -> mpmath.mpf:
    """``value`` (a float, or an exact SymPy number such as a Rational) at the working precision."""
    return mpmath.mpf(str(sp.Float(sp.sympify(value), DIGITS + 10)))


def sample_points(n: int, domain: tuple[float, float], kinks: Sequence[float], seed: int, margin: float = 0.05):
    """``n`` reproducible points in ``domain``, each at least ``margin`` from every kink."""
    rng = random.Random(seed)
    points = []
    while len(points) < n:
        x = rng.uniform(*domain)
        if all(abs(x - k) >= margin for k in kinks):
            points.append(x)
    return points


def worst_discrepancy(
    function: sp.Expr,
    derivative: sp.Expr,
    var: sp.Symbol,
    points: Sequence[float],
    fixed: dict[sp.Symbol, float] | None = None,
) -> Discrepancy:
    """Compare ``derivative`` with the central difference of ``function`` in ``var`` at each point.

    ``fixed`` gives values to the other free symbols (e.g. the other logits and the labels).
    Catalog functions are unfolded to their definitions first, so the check does not rely on the
    catalog's own derivative.
    """
    fixed = dict(fixed or {})
    others = list(fixed)
    symbols = [var, *others]
    f = _evaluator(function, symbols)
    g = _evaluator(derivative, symbols)
    worst = None
    with mpmath.workdps(DIGITS):
        rest = [_mpf(fixed[s]) for s in others]
        for x in points:
            x0 = mpmath.mpf(x)
            fd = (f(x0 + STEP, *rest) - f(x0 - STEP, *rest)) / (2 * STEP)
            claim = g(x0, *rest)
            err = abs(fd - claim) / max(abs(fd), mpmath.mpf(1))
            if worst is None or err > worst.relative_error:
                point = {str(var): x, **{str(s): float(fixed[s]) for s in others}}
                worst = Discrepancy(point, float(fd), float(mpmath.re(claim)), float(err))
    return worst
