r"""A matrix claim proved for symbolic sizes, where the index form reduces
(:mod:`backprop_derive.network.layers.indices`).

For a claim :math:`\partial L/\partial V = R` where V enters L through one definition alone, D = f(V, …)
(``Z_3 = A_2 W_3 + \mathbf 1 b_3``, ``A_2 = \operatorname{ReLU}(Z_2)``), and R is built from names and
:math:`G = \partial L/\partial D`: the chain rule gives :math:`\partial L/\partial V_{ab} =
\partial\langle G, D\rangle/\partial V_{ab}` with :math:`\langle G, D\rangle = \sum_{rc} G_{rc} D_{rc}`, for
every loss.  Both sides are written at one generic entry (a, b) in index notation, every size a symbol (the
sizes the document writes become symbols too, distinct ones distinct), and reduced by the index calculus
that proves the layers' lemmas (Kronecker sums contracted, sums in a canonical form, then ``expand``).  So
the claim holds for every size and every entry.  Anything else returns None: the instance proof follows.
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from backprop_derive.network.layers import indices
from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.evaluate import _scalar_function

_X = sp.Symbol("x", real=True)


class _NoIndexFormError(Exception):
    pass


def prove_symbolic(claim, shapes: dict) -> str | None:
    """The method when the claim reduces for symbolic sizes, else None; ``shapes`` (key → dims) from a draw."""
    lhs, rhs = claim.lhs, claim.rhs
    if not isinstance(lhs, nd.Gradient):
        return None
    by, of = lhs.by.key, lhs.of.key
    users = [k for k, node in claim.definitions.items() if by in nd.names(node)]
    if len(users) != 1 or users[0] == of:
        return None
    through = users[0]
    dims = _symbolic_dims(shapes)
    try:
        upstream = sp.MatrixSymbol("G", *dims[through])
        matrices = {k: sp.MatrixSymbol(k, *d) for k, d in dims.items()}
        built = _build(claim.definitions[through], matrices, claim, dims[through], None, of, through, upstream)
        claimed = _build(rhs, matrices, claim, dims[by], of, of, through, upstream)
    except (_NoIndexFormError, sp.ShapeError, KeyError, TypeError, ValueError):
        return None
    if getattr(claimed, "shape", None) != matrices[by].shape:
        return None
    row = indices.a if matrices[by].shape[0] != 1 else 0
    col = indices.b if matrices[by].shape[1] != 1 else 0
    try:
        true = sp.diff(indices.pairing(upstream, built), indices.entry(matrices[by], row, col))
        method = indices.equal_entries(true, indices.entry(claimed, row, col))
    except (TypeError, ValueError):
        return None
    if method is None:
        return None
    return (f"proved for symbolic sizes: ∂L/∂{by} = ∂⟨G, {through}⟩/∂{by} with G = ∂L/∂{through} (L depends on "
            f"{by} through {through} alone), {method}")


def _symbolic_dims(shapes: dict) -> dict:
    """Each distinct size a positive integer symbol (1 stays 1)."""
    names: dict = {}
    out = {}
    for key, shape in shapes.items():
        dims = []
        for d in shape:
            d = sp.sympify(d)
            if d == 1:
                dims.append(sp.Integer(1))
                continue
            if d not in names:
                names[d] = sp.Symbol(f"s{len(names) + 1}", integer=True, positive=True)
            dims.append(names[d])
        out[key] = tuple(dims)
    return out


def _build(node, matrices, claim, target, loss, of, through, upstream):
    """The SymPy matrix expression of ``node``; ``∂L/∂through`` is G; defined names other than ``through``'s
    inputs are put in only when they are gradients or products of these forms (δ_3 := ∂L/∂Z_3)."""
    def build(n, hint=None):
        if isinstance(n, nd.Gradient):
            if n.of.key == of and n.by.key == through:
                return upstream
            raise _NoIndexFormError
        if isinstance(n, nd.Name):
            if n.key in matrices and n.key not in claim.definitions:
                return matrices[n.key]
            if n.key in claim.definitions and loss is not None:
                definition = claim.definitions[n.key]
                if nd.contains(definition, nd.Gradient):
                    return build(definition, hint)
            if n.key in matrices:
                return matrices[n.key]
            raise _NoIndexFormError
        if isinstance(n, nd.Transpose):
            return build(n.arg, hint[::-1] if hint else None).T
        if isinstance(n, nd.Product):
            if isinstance(n.left, nd.Ones) or (isinstance(n.left, nd.Transpose) and isinstance(n.left.arg, nd.Ones)):
                right = build(n.right)
                if isinstance(n.left, nd.Ones):
                    if hint is None:
                        raise _NoIndexFormError
                    return sp.OneMatrix(hint[0], 1) * right
                return sp.OneMatrix(1, right.shape[0]) * right
            return build(n.left) * build(n.right)
        if isinstance(n, nd.Hadamard):
            return sp.HadamardProduct(build(n.left, hint), build(n.right, hint))
        if isinstance(n, nd.Sum):
            terms = []
            known = None
            for _, term in n.terms:
                try:
                    known = build(term).shape
                    break
                except _NoIndexFormError:
                    continue
            for sign, term in n.terms:
                value = build(term, known or hint)
                if known and value.shape != known and value.shape[0] == 1:
                    value = sp.OneMatrix(known[0], 1) * value  # the bias row added to every row
                terms.append(value if sign > 0 else -value)
            return sp.MatAdd(*terms)
        if isinstance(n, nd.Apply):
            expr = _scalar_function(n.function, n.derivative)
            return ElementwiseApplyFunction(sp.Lambda(_X, expr), build(n.arg, hint))
        raise _NoIndexFormError

    return build(node, target)
