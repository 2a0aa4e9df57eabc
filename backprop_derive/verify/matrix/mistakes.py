r"""What kind of mistake a wrong matrix step makes, each kind checked before it is named.

The right side R is changed in one way at a time, and the changed R' is evaluated at the same sizes
and values as the left side L (:mod:`.evaluate`); a kind is given only when :math:`R' = L` in every
entry there (the text says "checked numerically at the same random sizes and values").  In order:

``missing_batch_sum``
    :math:`L = \mathbf 1^T R`: a bias gradient (a row) written without the sum over the batch.
``missing_transpose``
    :math:`L = R` with one factor transposed (or a transpose removed): :math:`\delta W` for
    :math:`\delta W^T`, :math:`A \delta` for :math:`A^T\delta`.
``wrong_order``
    :math:`L = R` with the two factors of one product swapped (:math:`\delta A^T` for :math:`A^T\delta`),
    each factor's transpose toggled or not.
``hadamard_vs_matrix_product``
    :math:`L = R` with one ⊙ made a matrix product, or one matrix product made ⊙.
``missing_mean_factor``
    :math:`L = R / s` for a symbolic size s (the batch n of a mean loss): the 1/s is missing; or
    :math:`L = s R`: a 1/s too many.
``sign``, ``constant_factor``
    :math:`R = cL` entry by entry for one number c (−1: the sign).
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy as sp

from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.echo import echo
from backprop_derive.verify.matrix.evaluate import Environment, Evaluator, MissingShapeError, ShapeError, Value
from backprop_derive.verify.matrix.values import compare

CHECKED = "checked numerically at the same random sizes and values"


def diagnose(claim, env: Environment, lhs: Value) -> tuple[str, str] | None:
    """(kind, text) of the first kind whose changed right side equals the left side, or None."""
    rhs = claim.rhs
    candidates = [("missing_batch_sum", nd.Product(0, nd.Transpose(0, nd.Ones(0)), rhs),
                   "the sum over the batch is missing: {} equals the left side")]
    candidates += [("missing_transpose", changed, f"{what}: {{}} with it equals the left side")
                   for changed, what in _transposes(rhs)]
    candidates += [("wrong_order", changed, "the factors of a product are in the wrong order: {} equals the left side")
                   for changed in _swaps(rhs)]
    candidates += [("hadamard_vs_matrix_product", changed, f"{what}: {{}} equals the left side")
                   for changed, what in _products(rhs)]
    for size in claim.sizes:
        name = nd.Name(0, str(size))
        candidates.append(("missing_mean_factor", nd.Quotient(0, rhs, name),
                           f"the factor 1/{size} of the mean over the batch is missing: {{}} equals the left side"))
        candidates.append(("missing_mean_factor", nd.Product(0, name, rhs),
                           f"a factor 1/{size} too many: {{}} equals the left side"))
    for kind, changed, text in candidates:
        try:
            value = Evaluator(env).eval(changed, lhs.shape)
        except (ShapeError, MissingShapeError, ValueError, TypeError, IndexError):
            continue
        if compare(lhs, value) is None:
            return kind, f"{text.format(echo(changed) if '{}' in text else '')} ({CHECKED})"
    return _factor(claim, env, lhs) or ("other", "no one change of the right side (a transpose, the order of a "
                                         "product, ⊙ for a product, 1ᵀ, 1/n, a constant factor) makes it equal the "
                                         f"left side ({CHECKED})")


def _factor(claim, env, lhs) -> tuple[str, str] | None:
    try:
        rhs = Evaluator(env).eval(claim.rhs, lhs.shape)
    except (ShapeError, MissingShapeError, ValueError, TypeError):
        return None
    if rhs.entries.shape != lhs.entries.shape:
        return None
    ratios = {sp.nsimplify(float(b / a), rational=True, tolerance=1e-12) for a, b in
              zip(lhs.entries.flat(), rhs.entries.flat(), strict=True) if abs(a) > 1e-12}
    if len(ratios) != 1 or len(lhs.entries.flat()) < 2:
        return None
    c = ratios.pop()
    if c == -1:
        return "sign", f"the right side is the left side with the opposite sign ({CHECKED})"
    if c in (0, 1) or abs(c.q) > 1000 or abs(c.p) > 1000:
        return None
    missing = f": a factor {1 / c} is missing" if c.p == 1 else ""
    return "constant_factor", f"the right side is {c} times the left{missing} ({CHECKED})"


def _rebuild(node: nd.Node, change) -> Iterator[nd.Node]:
    """Every copy of ``node`` with one sub-node replaced by each of ``change(sub)``'s results."""
    yield from change(node)
    if isinstance(node, nd.Product | nd.Hadamard):
        for left in _rebuild(node.left, change):
            yield type(node)(node.column, left, node.right)
        for right in _rebuild(node.right, change):
            yield type(node)(node.column, node.left, right)
    elif isinstance(node, nd.Quotient):
        for top in _rebuild(node.numerator, change):
            yield nd.Quotient(node.column, top, node.denominator)
    elif isinstance(node, nd.Sum):
        for k, (sign, term) in enumerate(node.terms):
            for changed in _rebuild(term, change):
                terms = list(node.terms)
                terms[k] = (sign, changed)
                yield nd.Sum(node.column, tuple(terms))
    elif isinstance(node, nd.Transpose | nd.Apply | nd.Softmax):
        for arg in _rebuild(node.arg, change):
            yield type(node)(**{**vars(node), "arg": arg})


def _transposes(rhs: nd.Node):
    def change(node):
        if isinstance(node, nd.Transpose) and isinstance(node.arg, nd.Name | nd.Gradient):
            yield node.arg, f"{echo(node)} should not be transposed"
        elif isinstance(node, nd.Name | nd.Gradient):
            yield nd.Transpose(0, node), f"{echo(node)} lacks a transpose"
    seen = set()
    for changed in _rebuild(rhs, lambda n: (c for c, _ in change(n))):
        if changed not in seen:
            seen.add(changed)
            yield changed, next((w for c, w in _all(rhs, change) if c == changed), "a transpose is missing")


def _all(rhs, change):
    found = []
    for node in _walk(rhs):
        for c, what in change(node):
            for changed in _rebuild(rhs, lambda n, node=node, c=c: iter([c]) if n is node else iter(())):
                found.append((changed, what))
    return found


def _walk(node):
    yield node
    for v in vars(node).values():
        if isinstance(v, nd.Node):
            yield from _walk(v)
        elif isinstance(v, tuple):
            for item in v:
                if isinstance(item, tuple):
                    yield from (x for part in item if isinstance(part, nd.Node) for x in _walk(part))
                elif isinstance(item, nd.Node):
                    yield from _walk(item)


def _swaps(rhs: nd.Node):
    def change(node):
        if isinstance(node, nd.Product):
            yield nd.Product(0, node.right, node.left)
            yield nd.Product(0, _toggle(node.right), _toggle(node.left))
    yield from _rebuild(rhs, change)


def _toggle(node: nd.Node) -> nd.Node:
    return node.arg if isinstance(node, nd.Transpose) else nd.Transpose(0, node)


def _products(rhs: nd.Node):
    def change(node):
        if isinstance(node, nd.Hadamard):
            yield nd.Product(0, node.left, node.right)
        elif isinstance(node, nd.Product):
            yield nd.Hadamard(0, node.left, node.right)
    for changed in _rebuild(rhs, change):
        yield changed, "⊙ and the matrix product are confused"
