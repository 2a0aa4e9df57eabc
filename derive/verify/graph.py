r"""Derivatives of names defined elsewhere: a document's definitions as a computational graph.

Each definition ``A = e`` (:mod:`derive.verify.definitions`) is a node; the names written in ``e`` are
A's *direct arguments* (``\hat{x}_i = (x_i - \mu)/\sqrt{\sigma^2 + \epsilon}`` has x, μ and σ²).
What :math:`\partial E/\partial B` means, for a name or an expression E and a variable B:

1. A defined name stands for its definition: :math:`\partial A/\partial B = \partial e_A/\partial B`.
2. **A direct argument.**  When B is written in E, the derivative is the partial one: every other
   name written in E is held fixed, also one that itself depends on B.  So
   :math:`\partial \hat{x}_i/\partial \mu = -1/\sqrt{\sigma^2 + \epsilon}` with σ² held, and
   :math:`\partial \sigma^2/\partial x_i = \tfrac{2}{m}(x_i - \mu)` with μ held -- as the sources
   write them, and as the chain rule's factors are meant.
3. **Every path.**  Otherwise the derivative is the total one: every defined name in E is replaced
   by its definition, again and again, except B itself, and the result is differentiated by B.  The
   names below B (the leaves, e.g. the inputs x when B = μ) are held.  So ∂f/∂μ follows μ into
   each x̂_j both directly and through σ², and ∂f/∂x_i follows x_i through x̂_i, μ and σ².

After the derivative is taken every name left in it is put in (its value: μ is the batch's mean),
which is what makes a chain-rule product of such factors comparable with a total derivative.

**Upstream names.**  A name that is never defined but differentiated by the output of the graph
(``\frac{\partial f}{\partial y_i}``, "f is the layer above") is an unknown function of that output
Y only (:func:`upstream_names` decides when the document says so).  It is modelled by its first-order
Taylor polynomial at the point, :math:`f = f_0 + \sum_j g_j Y_j`, with the value :math:`f_0` and the
gradient :math:`g_j = \partial f/\partial Y_j` free symbols.  Every statement about values and first
derivatives of f that holds for all such affine f holds for every differentiable f: the chain rule
:math:`\partial f/\partial B = \sum_j g_j\, \partial Y_j/\partial B` depends on f only through its value
and gradient at the point.  A second derivative of f would need more, and is refused.  The sum runs
over the elements of Y: as many as the definitions' sums count (``\sum_{i=1}^{m}`` gives m); where
they do not agree on one count, the step cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp
from sympy.concrete.delta import deltasummation
from sympy.core.function import AppliedUndef

from derive.latex.parser import PRIME
from derive.latex.tokens import LatexError

#: Rounds of putting definitions in (a definition may use names defined before it).
MAX_ROUNDS = 10
#: The name prefix of the free symbols of an upstream name's model (``∂f/∂y``, ``f₀``): no name the reader
#: makes can start with it.
JET = "∂"


def label(node: sp.Expr) -> str | None:
    """The name of a symbol or vector element (``xhat`` of ``xhat[i]``); None for anything else."""
    if isinstance(node, sp.Indexed):
        return str(node.base.label)
    if isinstance(node, sp.Symbol) and not node.is_integer:
        return node.name
    return None


def names_in(expr: sp.Expr) -> set[str]:
    """The names written in ``expr``: symbols, vector elements, unknown functions."""
    found = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer}
    found |= {str(n.base.label) for n in expr.atoms(sp.Indexed)}
    return found | {type(f).__name__ for f in expr.atoms(AppliedUndef)}


def substitute(expr: sp.Expr, lhs: sp.Expr, rhs: sp.Expr) -> sp.Expr:
    """``expr`` with the name ``lhs`` replaced by ``rhs``: every element of an indexed name (``S_j`` is the
    right side with i set to j), every application of a function name."""
    if isinstance(lhs, sp.Symbol):
        return expr.xreplace({lhs: rhs})
    if isinstance(lhs, sp.Indexed):
        base, indices = lhs.base.label, lhs.indices

        def element(node):
            return isinstance(node, sp.Indexed) and node.base.label == base and len(node.indices) == len(indices)

        return expr.replace(element, lambda node: rhs.xreplace(dict(zip(indices, node.indices, strict=True))))
    function, parameters = type(lhs), lhs.args
    expr = expr.replace(lambda node: type(node) is function and len(node.args) == len(parameters),
                        lambda node: rhs.xreplace(dict(zip(parameters, node.args, strict=True))))
    bare = sp.Symbol(function.__name__, real=True)  # df/dx: the name alone stands for f(x)
    return expr.xreplace({bare: rhs})


def expand(expr: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]], keep: str | None = None,
           used: set[int] | None = None) -> sp.Expr:
    """``expr`` with every defined name put in, repeatedly, except the name ``keep``."""
    for _ in range(MAX_ROUNDS):
        before = expr
        for number, (lhs, rhs) in enumerate(parsed):
            if label(lhs) == keep and keep is not None:
                continue
            after = substitute(expr, lhs, rhs)
            if after != expr:
                if used is not None:
                    used.add(number)
                expr = after
        if expr == before:
            break
    return expr


def differentiate(expr: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]], used: set[int]) -> sp.Expr:
    """Every written derivative in ``expr`` that involves a defined name, worked out by the rule above
    (innermost first); ``used`` collects the definitions it put in."""
    defined = {label(lhs) or type(lhs).__name__ for lhs, _ in parsed}

    def involves(node) -> bool:
        if not isinstance(node, sp.Derivative) or PRIME in node.variables:
            return False
        return bool((names_in(node.expr) | {label(v) for v in node.variables}) & defined)

    def work(node):
        inner = node.expr
        for variable, count in node.variable_count:
            for _ in range(count):
                inner = _partial(inner, variable, parsed, used)
        return inner

    return expr.replace(involves, work)


def _partial(expr: sp.Expr, by: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]], used: set[int]) -> sp.Expr:
    r""":math:`\partial\,\mathrm{expr}/\partial\,\mathrm{by}` by rules 1-3 of the module docstring."""
    if any(str(s).startswith(JET) for s in _jet_atoms(expr)):
        raise LatexError("a second derivative of an upstream name, which is known only through its value and "
                         "first derivatives (write its definition instead)", 1)
    _check_shapes(expr, by, parsed)
    name = label(by)
    for number, (lhs, rhs) in enumerate(parsed):  # 1. a defined name stands for its definition
        if _is_name_of(expr, lhs):
            expr = substitute(expr, lhs, rhs)
            used.add(number)
            break
    if name not in names_in(expr):  # 3. every path from B
        expr = expand(expr, parsed, keep=name, used=used)
    return _collapse_deltas(sp.diff(expr, by))  # 2. (and 3.): the names left are held


def _collapse_deltas(expr: sp.Expr) -> sp.Expr:
    r""":math:`\sum_{j=1}^{m} \delta_{ij} h_j = h_i`, for an index i in the sum's range -- as every step with a
    count assumes of its indices (the proof's ``i in 1..m``).  What keeps the derivative of a sum by one of
    its elements from growing by a factor m at each step."""

    def one(node):
        (variable, low, high), = node.limits
        done = deltasummation(node.function, (variable, low, high))
        if isinstance(done, sp.Piecewise) and len(done.args) == 2 and done.args[1] == (0, True) and \
                _in_range(done.args[0][1]):
            return done.args[0][0]
        return done

    def has_delta(node) -> bool:
        return isinstance(node, sp.Sum) and len(node.limits) == 1 and any(
            node.limits[0][0] in d.free_symbols for d in node.function.atoms(sp.KroneckerDelta))

    return expr.replace(has_delta, one)


def _is_name_of(expr: sp.Expr, lhs: sp.Expr) -> bool:
    if isinstance(lhs, sp.Symbol):
        return expr == lhs
    if isinstance(lhs, sp.Indexed):
        return isinstance(expr, sp.Indexed) and expr.base.label == lhs.base.label and \
            len(expr.indices) == len(lhs.indices)
    return type(expr) is type(lhs) or expr == sp.Symbol(type(lhs).__name__, real=True)


def _jet_atoms(expr: sp.Expr) -> Iterable[sp.Basic]:
    yield from (s for s in expr.free_symbols if isinstance(s, sp.Symbol))
    yield from (n.base.label for n in expr.atoms(sp.Indexed))


def _check_shapes(expr: sp.Expr, by: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]]) -> None:
    """An element ``y_k`` of a name defined as a scalar ``y`` (or the reverse) is not what the definition says:
    its derivative would silently be 0."""
    shapes = {label(lhs): isinstance(lhs, sp.Indexed) for lhs, _ in parsed if label(lhs) is not None}
    elements = expr.atoms(sp.Indexed)
    scalars = expr.atoms(sp.Symbol) - {n.base.label for n in elements}
    written = [n for n in (*elements, *scalars, by) if label(n) in shapes]
    for node in written:
        if isinstance(node, sp.Indexed) != shapes[label(node)]:
            what = "a scalar" if not shapes[label(node)] else "element by element"
            raise LatexError(f"{label(node)} is defined {what}, and written here "
                             f"{'with' if isinstance(node, sp.Indexed) else 'without'} an index: its derivative "
                             "cannot be read", 1)


def _in_range(condition) -> bool:
    """Whether ``condition`` only bounds integer indices (``(1 <= i) & (i <= m)``)."""
    parts = condition.args if isinstance(condition, sp.And) else (condition,)
    return all(isinstance(c, sp.core.relational.Relational) and all(s.is_integer for s in c.free_symbols)
               for c in parts)


def upstream_model(name: str, arguments: list[sp.Expr], parsed: list[tuple[sp.Expr, sp.Expr]]) -> sp.Expr:
    r"""The first-order model :math:`f_0 + \sum_j g_j Y_j` of the upstream name ``name`` over its
    ``arguments`` (each a symbol Y, or an element Y_i of an indexed name)."""
    model = sp.Symbol(f"{JET}{name}₀", real=True)
    for argument in arguments:
        gradient = f"{JET}{name}/{JET}{label(argument)}"
        if isinstance(argument, sp.Indexed):
            if len(argument.indices) != 1:
                raise LatexError(f"{name} as a function of {label(argument)}, which has several indices: "
                                 "write its definition", 1)
            count = _count(parsed, label(argument))
            j = sp.Dummy("j", integer=True, positive=True)
            base = sp.IndexedBase(argument.base.label)
            model += sp.Sum(sp.IndexedBase(gradient)[j] * base[j], (j, 1, count))
        else:
            model += sp.Symbol(gradient, real=True) * argument
    return model


def _count(parsed: list[tuple[sp.Expr, sp.Expr]], of: str) -> sp.Expr:
    """How many elements the indexed name ``of`` has: the one upper bound of the definitions' sums (which
    all run from 1); a step needing it cannot be read where they name none, or several."""
    limits = {(low, high) for _, rhs in parsed for s in rhs.atoms(sp.Sum) for _, low, high in s.limits}
    highs = {high for low, high in limits if low == 1}
    if len(highs) != 1 or len(limits) != len(highs):
        bounds = ", ".join(sorted(str(h) for _, h in limits)) or "no sums"
        raise LatexError(f"how many elements {of} has is not known (the definitions' sums give {bounds}): "
                         f"define {of} with its index range", 1)
    return next(iter(highs))
