r"""Gradients in denominator layout: :math:`\partial L/\partial V` of a 1×1 L is V's shape, entry (i, j) the
derivative by :math:`V_{ij}`, through every definition, V held as a leaf (its own definition not put in).

* ``mp``: reverse mode over the evaluation's tape (:meth:`.Evaluator.backward`): each construct's
  vector-Jacobian product beside it in :mod:`.evaluate`, checked against finite differences in the tests;
* ``sym``: ``sympy.diff`` by one symbol per entry of V, the symbols then replaced by V's value -- independent
  of that table, so a proof on an instance never rests on it.

:func:`contract` is the chain rule written as a product, :math:`\sum_{rc} G_{rc}\,\partial Z_{rc}/\partial W_{ij}`
for a G of Z's shape held fixed.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.evaluate import ONE, Environment, Evaluator, ShapeError, Value
from backprop_derive.verify.matrix.grid import Grid, total
from backprop_derive.verify.matrix.shapes import shown
from backprop_derive.verify.matrix.values import NOT_A_MATRIX


def gradient(env: Environment, of: str, by: str, text: str) -> Value:
    """∂of/∂by: ``by``'s shape, entry (i, j) the derivative by ``by``'s entry (i, j), through every
    definition (denominator layout)."""
    if (of, by) not in env.gradients:
        env.gradients[of, by] = _gradient(env, of, by, text)
    return env.gradients[of, by]


def _gradient(env: Environment, of: str, by: str, text: str) -> Value:
    def root_of(inner: Evaluator) -> Value:
        root = inner.eval(nd.Name(0, of))
        _scalar_check(root, of, text)
        return root

    return _differentiated(env, by, root_of)


def contract(env: Environment, upstream: Grid, of: str, by: str) -> Value:
    """:math:`\\partial \\langle G, Z\\rangle / \\partial W` with G = ``upstream`` held: Z = ``of``, W = ``by``."""
    def root_of(inner: Evaluator) -> Value:
        z = inner.eval(nd.Name(0, of))
        return inner.value(Grid([[total(upstream * z.entries)]]), (ONE, ONE), [(z, lambda g: g[0, 0] * upstream)])

    return _differentiated(env, by, root_of)


def _differentiated(env: Environment, by: str, root_of) -> Value:
    """The derivative by every entry of ``by`` of the scalar ``root_of(inner)`` evaluates, ``inner`` an
    evaluator that tracks ``by``: by reverse mode (mp backend), or by SymPy with each entry a symbol."""
    at = Evaluator(env).eval(nd.Name(0, by))
    if env.backend == "mp":
        inner = Evaluator(env, track=by)
        held = inner.value(at.entries, at.shape)
        inner.held = held
        return Value(inner.backward(root_of(inner), held), at.shape)
    symbols = Grid([[sp.Symbol(f"∂{by}[{i},{j}]", real=True) for j in range(at.entries.shape[1])]
                    for i in range(at.entries.shape[0])])
    scalar = root_of(Evaluator(env, track=by, held=Value(symbols, at.shape))).entries[0, 0]
    back = dict(zip(symbols.flat(), at.entries.flat(), strict=True))
    return Value(Grid([[sp.diff(scalar, s).xreplace(back) for s in row] for row in symbols]), at.shape)


def _scalar_check(root: Value, of: str, text: str) -> None:
    if not root.scalar:
        raise ShapeError(f"{text} {NOT_A_MATRIX} ({of} is {shown(root.shape)}, not a scalar)")



