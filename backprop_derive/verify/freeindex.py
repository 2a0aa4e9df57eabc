r"""A chain rule whose index is free on one side only: the batch sum left out, caught without definitions.

The commonest slip in a layer's backward pass is the sum over the batch left out,

.. math:: \frac{\partial f}{\partial \gamma} = \frac{\partial f}{\partial y_i}\,\frac{\partial y_i}{\partial \gamma},

and people write it before (or without) writing what y is.  No definition is needed to see that it is
wrong.  The left side does not depend on i; the right side is the upstream gradient
:math:`g_i = \partial f/\partial y_i` times a cofactor :math:`c_i`.  An upstream gradient is arbitrary
(f is any layer above: the claim must hold for all of them), and its elements are independent, so the claim
"for every i" asks :math:`g_1 c_1 = g_2 c_2` for all :math:`g_1, g_2`: it holds only where
:math:`c_1 = c_2 = 0`, that is only where y does not depend on γ at all and both sides are 0.

:func:`one_sided_index` finds exactly that shape and nothing looser, so that it cannot refute a right step:

* exactly one index i is free on one side and absent from the other (after every sum's own index is made
  a dummy, so ``\sum_i`` on the other side is no i);
* that side is one product (no sum of terms, which could compensate across i: ``g_i + \sum_{j \ne i} g_j``);
* one of its factors is the derivative of a bare, undefined name f by an element ``y_i`` at that very index
  (the upstream gradient), and no other factor holds a derivative of f (whose elements could be tied to
  :math:`g_i`);
* the other side differentiates that same f (the claim is about f's gradient).

What it takes for granted, as the rest of the reader does: a repeated index is not summed by itself (no
Einstein convention), and an undefined f without an index is the whole loss, not one example's (write
:math:`L_i` for that).

The verdict is ``not_equal`` with the diagnosis ``missing_batch_sum``, and the text says the one case
it leaves out (a cofactor that is 0).  It is asked only where the step could not be judged otherwise
(f undefined, what it depends on unknown): with f's definitions in force, the graph decides
(:mod:`backprop_derive.verify.graph`).
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.verify.latex.parser import Readings, parse_expression
from backprop_derive.verify.latex.tokens import LatexError
from backprop_derive.verify.numeric import bound_apart, counts_and_indices


def _indices(expr: sp.Expr) -> set[sp.Symbol]:
    r"""The free indices written in ``expr``, also those of a derivative's variable (``x_i`` of
    :math:`\partial f/\partial x_i`, which SymPy counts as bound): integer symbols that bound no sum and
    count none."""
    counts, _ = counts_and_indices(expr)
    return {s for s in expr.atoms(sp.Symbol) if s.is_integer and not isinstance(s, sp.Dummy) and s not in counts}


def _derivatives_of(expr: sp.Expr, name: sp.Symbol) -> list[sp.Derivative]:
    return [d for d in expr.atoms(sp.Derivative) if d.expr == name]


def one_sided_index(lhs_text: str, rhs_text: str, defined: frozenset[str]) -> dict | None:
    """``{"detail", "diagnosis"}`` when ``lhs = rhs`` is the shape of the module docstring, else None."""
    readings = Readings(defined=defined, any_name=True)
    try:
        sides = [bound_apart(parse_expression(t, readings)) for t in (lhs_text, rhs_text)]
    except LatexError:
        return None
    free = [_indices(side) for side in sides]
    for this, other in ((0, 1), (1, 0)):
        only = free[this] - free[other]
        if len(only) != 1 or free[other]:
            continue
        index = next(iter(only))
        side = sides[this]
        if isinstance(side, sp.Add) or side.has(sp.Sum):
            continue
        for gradient in side.atoms(sp.Derivative):
            f = gradient.expr
            if not (isinstance(f, sp.Symbol) and f.name not in defined and len(gradient.variables) == 1) or \
                    gradient not in sp.Mul.make_args(side):  # a factor of the product: the side is linear in it
                continue
            by = gradient.variables[0]
            if not (isinstance(by, sp.Indexed) and by.indices == (index,)):
                continue
            if len(_derivatives_of(side, f)) != 1 or not _derivatives_of(sides[other], f):
                continue
            factor = sp.Mul(*(a for a in sp.Mul.make_args(side) if a != gradient))
            g = rf"\partial {sp.latex(f)}/\partial {sp.latex(by)}"
            which = "right" if this == 1 else "left"
            where = "never" if factor.is_nonzero else f"only where the factor ${sp.latex(factor)}$ is 0"
            return {
                "detail": f"the {which} side depends on the index {index} through the upstream gradient ${g}$, "
                          f"which is arbitrary for each {index}; the other side has no {index}: for every "
                          f"{index} and every upstream gradient it holds {where}",
                "diagnosis": {"kind": "missing_batch_sum",
                              "text": f"a sum over {index} is missing: the {which} side is one element's term, "
                                      f"the other side the whole gradient"},
            }
    return None
