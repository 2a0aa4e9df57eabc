r"""Index calculus: a layer's VJP proved for symbolic sizes.

A layer maps an input X (n × d, n and d symbols) and parameters θ to an output Y.  Its backward
formulas claim the vector-Jacobian products: for an upstream gradient G = ∂L/∂Y,

.. math::  \frac{\partial L}{\partial X_{ab}} = \sum_{r,c} G_{rc}\,\frac{\partial Y_{rc}}{\partial X_{ab}}
           = \frac{\partial}{\partial X_{ab}} \langle G, Y(X, \theta)\rangle

(and the same for every parameter), because L depends on X only through Y.  The proof works on
one generic entry (a, b) with symbolic sizes, so it holds for every n, d and every entry:

1. :func:`entry` writes entry (a, b) of a matrix expression in index notation -- a product becomes
   :math:`\sum_k A_{ak} B_{kb}`, a row of ones a sum -- without evaluating anything;
2. ``sympy.diff`` differentiates :math:`\langle G, Y\rangle = \sum_r\sum_c G_{rc} Y_{rc}` by the entry,
   which leaves Kronecker deltas :math:`\delta_{ra}` under the sums;
3. :func:`canonical` contracts every :math:`\sum_j \delta_{jt} f(j) = f(t)` (t in the sum's range: the
   delta says which), splits each sum into sums of monomials with the factors free of the index
   pulled out (:math:`\sum_j 1 = d`), merges nested sums into one multiple sum, and names its
   bound indices by depth in the order that prints first, so equal sums are identical;
4. each distinct sum is named by a symbol and the difference of the two sides is reduced by
   ``expand``, then ``together + cancel`` (:func:`equal_entries`).  Exact throughout.
"""

from __future__ import annotations

import itertools

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.matrices.expressions.slice import MatrixSlice

#: The generic entry (a, b) the lemmas are proved at, and the summation indices.
a, b = sp.symbols("a b", integer=True, nonnegative=True)
r, c = sp.symbols("r c", integer=True, nonnegative=True)

METHOD = ("index calculus for symbolic sizes: one generic entry of the pairing sum(G ⊙ Y) differentiated, "
          "Kronecker sums contracted, sums split into monomials, bound indices renamed, then ")


def _fresh(name: str = "k") -> sp.Dummy:
    return sp.Dummy(name, integer=True, nonnegative=True)


def entry(expr, i, j) -> sp.Expr:
    """Entry (i, j) of the matrix expression ``expr`` in index notation (sums left unevaluated)."""
    if isinstance(expr, sp.MatrixSymbol):
        return MatrixElement(expr, i, j)
    if isinstance(expr, sp.OneMatrix):
        return sp.S.One
    if isinstance(expr, sp.ZeroMatrix):
        return sp.S.Zero
    if isinstance(expr, sp.Identity):
        return sp.KroneckerDelta(i, j)
    if isinstance(expr, sp.Transpose):
        return entry(expr.arg, j, i)
    if isinstance(expr, sp.MatAdd):
        return sp.Add(*[entry(term, i, j) for term in expr.args])
    if isinstance(expr, sp.HadamardProduct):
        return sp.Mul(*[entry(term, i, j) for term in expr.args])
    if isinstance(expr, sp.HadamardPower):
        return entry(expr.base, i, j) ** expr.exp
    if isinstance(expr, ElementwiseApplyFunction):
        return expr.function(entry(expr.expr, i, j))
    if isinstance(expr, sp.MatMul):
        scalars = [f for f in expr.args if not getattr(f, "is_Matrix", False)]
        matrices = [f for f in expr.args if getattr(f, "is_Matrix", False)]
        return sp.Mul(*scalars) * _product_entry(matrices, i, j)
    if isinstance(expr, MatrixSlice):
        (row0, _, row_step), (col0, _, col_step) = expr.rowslice, expr.colslice
        return entry(expr.parent, row0 + i * row_step, col0 + j * col_step)
    if isinstance(expr, sp.MatrixBase):
        return expr[i, j]
    raise TypeError(f"no index form for {type(expr).__name__}")


def _product_entry(matrices, i, j) -> sp.Expr:
    if len(matrices) == 1:
        return entry(matrices[0], i, j)
    first, rest = matrices[0], matrices[1:]
    inner = first.shape[1]
    if inner == 1:  # an outer product: nothing to sum
        return entry(first, i, 0) * _product_entry(rest, 0, j)
    k = _fresh()
    return sp.Sum(entry(first, i, k) * _product_entry(rest, k, j), (k, 0, inner - 1))


def pairing(upstream, output) -> sp.Expr:
    """⟨G, Y⟩ = Σ_r Σ_c G[r, c] Y[r, c], the scalar whose derivative is the VJP."""
    rows, cols = output.shape
    term = entry(upstream, r, c) * entry(output, r, c)
    term = sp.Sum(term, (c, 0, cols - 1)) if cols != 1 else term.subs(c, 0)
    if rows != 1:
        return sp.Sum(term, (r, 0, rows - 1))
    return term.subs(r, 0)


# ------------------------------------------------------------------------------- canonical form


def _expand(expr: sp.Expr) -> sp.Expr:
    return sp.expand(expr, deep=False, power_base=False, power_exp=False, log=False)


def _sum_of_term(term: sp.Expr, j, lo, hi) -> sp.Expr:
    """Σ_{j=lo}^{hi} of one monomial: a Kronecker delta contracted, factors free of j pulled out."""
    free, bound = term.as_independent(j, as_Add=False)
    factors = sp.Mul.make_args(bound)
    for factor in factors:
        if isinstance(factor, sp.KroneckerDelta) and j in factor.args[:2]:
            other = factor.args[1] if factor.args[0] == j else factor.args[0]
            in_range = len(factor.args) < 3 or tuple(factor.args[2]) == (lo, hi)
            if j not in other.free_symbols and in_range:
                rest = sp.Mul(*[f for f in factors if f is not factor])
                return free * rest.xreplace({j: other})
    if bound == 1:
        return free * (hi - lo + 1)
    inner = [f for f in factors if isinstance(f, sp.Sum)]
    if not inner:
        return free * sp.Sum(bound, (j, lo, hi))
    # Σ_j f(j) Σ_k g(j, k) = Σ_{j,k} f(j) g(j, k): one sum over all the indices (finite, constant ranges)
    body, limits = sp.Mul(*[f for f in factors if not isinstance(f, sp.Sum)]), [(j, lo, hi)]
    for inner_sum in inner:
        fresh = {limit[0]: _fresh("j") for limit in inner_sum.limits}
        body *= inner_sum.function.xreplace(fresh)
        limits += [(fresh[v], low, high) for v, low, high in inner_sum.limits]
    return free * sp.Sum(body, *limits)


def _normal(expr: sp.Expr) -> sp.Expr:
    if isinstance(expr, sp.Sum):
        body = _normal(expr.function)
        for j, lo, hi in expr.limits:  # innermost first
            body = sp.Add(*[_sum_of_term(t, j, lo, hi) for t in sp.Add.make_args(_expand(body))])
        return body
    if not expr.args or isinstance(expr, (MatrixElement, sp.Indexed, sp.KroneckerDelta)):
        return expr
    return expr.func(*[_normal(arg) for arg in expr.args])


def _rename(expr: sp.Expr, level: int = 0) -> sp.Expr:
    if isinstance(expr, sp.Sum):
        # the order of a multiple sum's indices is free (finite sums, constant ranges): of all the ways
        # to name them by depth, take the one that prints first, so equal sums come out identical
        candidates = []
        for order in itertools.permutations(expr.limits):
            body, limits = expr.function, []
            for depth, (j, lo, hi) in enumerate(order):
                new = sp.Symbol(f"j{level + depth}", integer=True)
                body = body.xreplace({j: new})
                limits.append((new, lo, hi))
            renamed = sp.Sum(_rename(body, level + len(limits)), *reversed(limits))
            candidates.append((sp.srepr(renamed), renamed))
        return min(candidates, key=lambda pair: pair[0])[1]
    if not expr.args or isinstance(expr, (MatrixElement, sp.Indexed)):
        return expr
    return expr.func(*[_rename(arg, level) for arg in expr.args])


def canonical(expr: sp.Expr, passes: int = 4) -> sp.Expr:
    """Kronecker sums contracted, sums of monomials with free factors outside, indices renamed by depth."""
    previous = None
    for _ in range(passes):
        expr = _expand(_rename(_normal(expr)))
        if expr == previous:
            break
        previous = expr
    return expr


def equal_entries(lhs: sp.Expr, rhs: sp.Expr) -> str | None:
    """The method that reduces ``lhs - rhs`` to 0 after :func:`canonical`, or None."""
    difference = canonical(lhs) - canonical(rhs)
    names = {s: sp.Dummy() for s in difference.atoms(sp.Sum)}
    named = difference.xreplace(names)
    if sp.expand(named) == 0:
        return METHOD + "expand"
    if sp.cancel(sp.together(named)) == 0:
        return METHOD + "together + cancel"
    return None
