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
from dataclasses import dataclass, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.latex.names import FUNCTIONS
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
    A left side that is a function head written as a word (:func:`function_head`) defines that function.
    """
    head = function_head(lhs_text)
    if head is not None and head not in taken and head not in readings.defined:
        readings = replace(readings, defined=readings.defined | {head})
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


_HEAD = re.compile(r"\s*(?:\\(?:operatorname|mathrm|text|textrm)\s*\{(?P<word>[A-Za-z]{2,})\}|(?P<bare>[A-Za-z]{2,}))"
                   r"\s*(?:\\left\s*)?\(")


def function_head(lhs_text: str) -> str | None:
    r"""The name of the function whose head ``lhs_text`` begins with, when it is written as a word of
    several letters: ``\operatorname{swish}(x)``, ``\text{GELU}(x)``, ``Sig(x)``, ``ReLU(z)``.

    Such a name may be defined by the document, also where the reader knows a function of that name
    (``\operatorname{swish}(x) = x \cdot \operatorname{sigmoid}(\beta x)`` is the author's swish, with its β).
    A LaTeX command (``\tanh``, ``\sigma``) always means the function it names, and a run of letters
    is a name only when it is a function the reader knows or is capitalised (``Sig``, not ``xy``).
    """
    m = _HEAD.match(lhs_text)
    if m is None:
        return None
    word = m.group("word") or m.group("bare")
    key = word.lower()
    if m.group("bare") and key not in FUNCTIONS and not (word[0].isupper() and word[1:].islower()):
        return None
    return key


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
