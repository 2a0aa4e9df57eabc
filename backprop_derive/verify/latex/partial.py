r"""``\partial_j F``: the derivative of F by the j-th entry of the one vector F is about.

People write :math:`\partial_j S_i(\mathbf z)` for :math:`\partial S_i / \partial z_j`, and in the
same display :math:`\partial_j e^{z_i}` and :math:`\partial_j \sum_k e^{z_k}`.  The vector is read
from F itself, and only where there is one candidate:

* F applies functions to one name alone (:math:`S_i(\mathbf z)`): the entries of that name, z_j;
* otherwise, F holds the entries of one vector (:math:`e^{z_i}`, :math:`\sum_k e^{z_k}`) and no
  defined name or function of the reader's own (whose variables it cannot see): that vector.

Anything else (:math:`\partial_j S_i` with S defined, :math:`\partial_j (a_i b_i)`) is an error
that says to write :math:`\frac{\partial}{\partial z_j}`: the reader does not guess the vector.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from backprop_derive.verify.latex import names
from backprop_derive.verify.latex.parser import Operator
from backprop_derive.verify.latex.tokens import LatexError


def partial_operator(p, tok) -> Operator:
    """``\\partial_j`` at the parser's position (``\\partial`` not yet taken) as an operator on the rest of the term."""
    from backprop_derive.verify.latex.constructs import _indices

    p.take()
    p.expect("_")
    indices = _indices(p, p.argument())
    if len(indices) != 1:
        raise LatexError("\\partial_j takes one index (the entry of the vector)", tok.column)
    (index,) = indices

    def apply(operand: sp.Expr, column: int) -> sp.Expr:
        base = _vector_of(operand, p.context.readings.defined)
        if base is None:
            raise LatexError(f"\\partial_{index}: by the entries of which vector? write \\frac{{\\partial}}"
                             f"{{\\partial z_{index}}} (the operand names no single vector)", column)
        return sp.Derivative(operand, base[index])

    return Operator(apply, f"\\partial_{index}", tok.column)


def _vector_of(operand: sp.Expr, defined: frozenset[str]) -> sp.IndexedBase | None:
    """The one vector ``operand`` is about (see the module), or None."""
    applied = operand.atoms(AppliedUndef)
    arguments = {a for f in applied for a in f.args}
    if applied:
        if len(arguments) != 1 or not isinstance(next(iter(arguments)), sp.Symbol):
            return None
        (name,) = arguments
        others = {str(n.base.label) for n in operand.atoms(sp.Indexed)} - {name.name}
        return names.vector(name.name) if not others else None
    bases = {n.base for n in operand.atoms(sp.Indexed)}
    written = {s.name for s in operand.free_symbols if isinstance(s, sp.Symbol)}
    if len(bases) != 1 or {str(b.label) for b in bases} & defined or written & defined:
        return None
    return next(iter(bases))
