r"""Definitions in a person's derivation: which lines name something, and putting them into later steps.

A line *defines* a name instead of claiming an equality when

* it says so: ``z := wx + b``, ``\coloneqq``, ``\triangleq``, ``\stackrel{\text{def}}{=}`` (marked by
  :mod:`derive.verify.document`);
* it is inline math in prose introduced by "let", "where", "with", "define", "denote" or "we write"
  (``where $p_k = \operatorname{softmax}(z)_k$``), found by the document reader; or
* it is a display whose left side is a bare name (``L``, ``S_i``, ``\hat{y}``, a function head
  ``f(x)``) that is not defined before, not constrained by an assumption in force, and not on its
  own right side.

A definition is reported as ``definition`` and not judged.  Later steps use it: each defined name is
replaced by what it stands for -- ``S_i`` defines every index (``S_j`` is the right side with i
set to j, its own summation indices kept apart), ``f(x)`` defines the function -- so
``\frac{\partial L}{\partial o_k}`` differentiates the definition of L, and a prime ``y'`` on a name
defined through one variable is the derivative by that variable.  A later definition of the same
name replaces the earlier one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.latex.parser import PRIME, Readings, parse_expression, read_unevaluated
from derive.latex.tokens import LatexError

#: Rounds of replacement (a definition may use names defined before it).
MAX_ROUNDS = 10


@dataclass(frozen=True)
class Definition:
    """``lhs`` stands for ``rhs`` from line ``line`` on; ``name`` is the label (``S`` of ``S_i``)."""

    name: str
    lhs: str
    rhs: str
    line: int
    how: str

    @property
    def shown(self) -> str:
        return f"{' '.join(self.lhs.split())} (line {self.line})"


def label_of(expr: sp.Expr) -> str | None:
    """The name a definition's left side defines, when it is a bare name; None otherwise.

    A symbol, an element of a vector with index symbols (``S_i``), or an unknown function applied to
    distinct symbols (``f(x)``).
    """
    if isinstance(expr, sp.Symbol) and not expr.is_integer:
        return expr.name
    if isinstance(expr, sp.Indexed) and all(isinstance(i, sp.Symbol) and i.is_integer for i in expr.indices):
        return str(expr.base.label)
    if isinstance(expr, AppliedUndef) and all(isinstance(a, sp.Symbol) for a in expr.args) and \
            len(set(expr.args)) == len(expr.args):
        return type(expr).__name__
    return None


def defines(lhs_text: str, rhs_text: str, readings: Readings, taken: set[str]) -> str | None:
    """The name ``lhs = rhs`` defines, read as a display whose left side is a bare name; else None.

    ``taken``: names already defined or constrained by an assumption (those are claims, not definitions).
    """
    try:
        lhs = read_unevaluated(lhs_text, readings)  # as written: x \cdot 1 is no bare name
        rhs = parse_expression(rhs_text, readings)
    except LatexError:
        return None
    name = label_of(lhs) if lhs is not None else None
    if name is None or name in taken:
        return None
    if name in _names(rhs):
        return None  # x = x + 1 is a claim about x
    return name


def names_a_part(before: str, after: str, readings: Readings, taken: set[str], earlier: str) -> tuple[str, str] | None:
    r"""``(name, part)`` when the side ``after`` is the side ``before`` with one part written as a new name.

    :math:`L = -\sum_j y_j \log p_j = -\sum_j \ell_j` names the summand: :math:`\ell_j` stands for
    :math:`y_j \log p_j`.  The two texts must agree but for one stretch, the new one a bare name
    (:func:`label_of`) that is not ``taken``, not in the old stretch, and not written in ``earlier``
    (the document before the step); the old stretch no bare name itself (``p_i`` written ``q_i`` is a
    slip); and the old side must read the same with its stretch in parentheses (so the stretch is a
    whole part: ``2 \cdot a + b = 2 \cdot c`` names nothing).
    """
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    while start > 0 and (after[start - 1].isalnum() or after[start - 1] == "\\"):
        start -= 1  # the stretch begins where a name does: \ell against \log shares "\l"
    most = 0
    while most < min(len(before), len(after)) - start and before[-1 - most] == after[-1 - most]:
        most += 1
    for end in range(most, -1, -1):  # the longest common tail that leaves a whole name
        found = _named_stretch(before, after, start, end, readings, taken)
        if found is not None:
            break
    else:
        return None
    new, old = found
    written = re.escape(new.split("_")[0].strip()) + (r"(?![A-Za-z])" if new[:1].isalpha() or new[:1] == "\\" else "")
    if re.search(r"(?<![A-Za-z\\])" + written, earlier):
        return None
    return new, old


def _named_stretch(before: str, after: str, start: int, end: int, readings: Readings,
                   taken: set[str]) -> tuple[str, str] | None:
    """(new, old): the stretches of ``after`` and ``before`` from ``start`` to ``end`` characters before
    their ends, when the new one is a bare name not ``taken`` and the old one a whole part without it."""
    old, new = before[start : len(before) - end].strip(), after[start : len(after) - end].strip()
    if not old or not new or new.count("{") != new.count("}") or new[-1] in "_^\\":
        return None
    try:
        named = read_unevaluated(new, readings)
        label = label_of(named) if named is not None else None
        if label is None or label in taken or label in _names(parse_expression(old, readings)):
            return None
        written = read_unevaluated(old, readings)
        if written is None or label_of(written) is not None:
            return None  # a name written as another name is a slip, not a definition
        grouped = before[:start] + "{(" + old + ")}" + before[len(before) - end :]
        if parse_expression(grouped, readings) != parse_expression(before, readings):
            return None
    except LatexError:
        return None
    return new, old


def _names(expr: sp.Expr) -> set[str]:
    found = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    found |= {str(node.base.label) for node in expr.atoms(sp.Indexed)}
    return found | {type(f).__name__ for f in expr.atoms(AppliedUndef)}


def parse_all(definitions: tuple[tuple[str, str], ...], readings: Readings) -> list[tuple[sp.Expr, sp.Expr]]:
    """Each definition ``(lhs, rhs)`` read; :class:`LatexError` names the first that cannot be."""
    from derive.verify.numeric import bound_apart

    return [(parse_expression(lhs, readings), bound_apart(parse_expression(rhs, readings)))
            for lhs, rhs in definitions]


def put_in(expr: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]]) -> tuple[sp.Expr, set[int]]:
    """``expr`` with every defined name replaced by what it stands for, and which definitions were used."""
    used: set[int] = set()
    expr = _by_defined_names(expr, parsed, used)
    for _ in range(MAX_ROUNDS):
        before = expr
        for number, (lhs, rhs) in enumerate(parsed):
            after = _replace(expr, lhs, rhs)
            if after != expr:
                used.add(number)
                expr = after
        if expr == before:
            break
    return _primes(expr), used


def _defines(lhs: sp.Expr, node: sp.Expr) -> bool:
    """Whether the definition with left side ``lhs`` is of the name ``node`` (``p_i`` defines ``p_j``)."""
    if isinstance(lhs, sp.Symbol):
        return node == lhs
    return isinstance(lhs, sp.Indexed) and isinstance(node, sp.Indexed) and node.base.label == lhs.base.label \
        and len(node.indices) == len(lhs.indices)


def _by_defined_names(expr: sp.Expr, parsed: list, used: set[int]) -> sp.Expr:
    r"""Each derivative *by* a defined name carried out with that name held as a variable.

    :math:`\partial \ell_j / \partial p_j` with :math:`\ell_j = y_j \log p_j` and :math:`p_j` defined
    through :math:`o`: every other definition is put into the expression differentiated, :math:`p`
    is held apart (a fresh name, so :math:`\partial p_k / \partial p_j = \delta_{kj}`), the derivative
    is taken (:math:`y_j / p_j`), and only then does :math:`p` stand for its definition again.
    """

    def by_defined(node: sp.Derivative) -> sp.Expr:
        held = [n for n, (lhs, _) in enumerate(parsed) if any(_defines(lhs, v) for v in node.variables)]
        if not held:
            return node
        rest = [d if n not in held else (sp.Dummy(), sp.Dummy()) for n, d in enumerate(parsed)]
        inner, inner_used = put_in(node.expr, rest)
        used.update(inner_used)
        apart: dict = {}
        for n in held:
            lhs = parsed[n][0]
            if isinstance(lhs, sp.Symbol):
                apart[lhs] = sp.Dummy(lhs.name, real=True)
            else:
                apart[lhs.base] = sp.IndexedBase(sp.Dummy(str(lhs.base.label)))
        back = {v: k for k, v in apart.items()}
        counts = [(v.xreplace(apart), k) for v, k in node.variable_count]
        return sp.diff(inner.xreplace(apart), *counts).xreplace(back)

    return expr.replace(lambda n: isinstance(n, sp.Derivative), by_defined)


def _replace(expr: sp.Expr, lhs: sp.Expr, rhs: sp.Expr) -> sp.Expr:
    if isinstance(lhs, sp.Symbol):
        return expr.xreplace({lhs: rhs})
    if isinstance(lhs, sp.Indexed):
        label, indices = lhs.base.label, lhs.indices

        def element(node):
            return isinstance(node, sp.Indexed) and node.base.label == label and len(node.indices) == len(indices)

        return expr.replace(element, lambda node: rhs.xreplace(dict(zip(indices, node.indices, strict=True))))
    function, parameters = type(lhs), lhs.args
    expr = expr.replace(lambda node: type(node) is function and len(node.args) == len(parameters),
                        lambda node: rhs.xreplace(dict(zip(parameters, node.args, strict=True))))
    bare = sp.Symbol(function.__name__, real=True)  # df/dx: the name alone stands for f(x)
    return expr.xreplace({bare: rhs})


def _primes(expr: sp.Expr) -> sp.Expr:
    """``y'`` (a derivative by :data:`PRIME`) as the derivative by the one variable y's definition has."""

    def by_its_variable(node):
        inner = node.expr
        variables = sorted((s for s in inner.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer
                            and s != PRIME), key=str)
        if len(variables) != 1:
            return node
        return sp.Derivative(inner, variables[0])

    return expr.replace(lambda n: isinstance(n, sp.Derivative) and n.variables == (PRIME,), by_its_variable)


#: ``\sum`` written alone, as a value: no index after it (``\sum -``, ``\sum^2``, ``{\sum}``).
_BARE_SUM = re.compile(r"\\sum(?![A-Za-z])(?!\s*_)(?!\s*\^\s*(?:\{[^{}]*\}|\w)\s*_)")


def bare_sum(chain, definitions) -> Definition | None:
    r"""A definition of ``\sum`` written alone (``\frac{e^{a_i} \times \sum - …}{\sum^2}``) as the one sum
    the definitions in force hold (:math:`\sum_k e^{a_k}` of :math:`S_i`), when ``chain`` writes it so
    and the definitions hold exactly one sum (up to the name of its index); else None, and the
    reader says that ``\sum`` needs an index."""
    from derive.latex.constructs import BARE_SUM

    if not any(_BARE_SUM.search(side.text) for side in chain.sides) or any(d.name == BARE_SUM for d in definitions):
        return None
    readings = Readings(defined=frozenset(d.name for d in definitions))
    found = {}
    for d in definitions:
        try:
            rhs = parse_expression(d.rhs, readings)
        except LatexError:
            continue
        for total in rhs.atoms(sp.Sum):
            if len(total.limits) == 1:
                index, low, high = total.limits[0]
                found.setdefault((total.function.xreplace({index: _INDEX}), low, high), (total, d.line))
    if len(found) != 1:
        return None
    (total, line), = found.values()
    text = sp.latex(total)
    return Definition(BARE_SUM, "\\sum", text, line, f"\\sum alone: the one sum defined before, {text}")


_INDEX = sp.Symbol("k_", integer=True)
