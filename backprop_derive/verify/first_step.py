r"""What a chain's first step is when it is no plain claim, beyond :mod:`backprop_derive.verify.definitions`: a
definition
written again (a restatement), a definition of a function the reader knows, one element of a name never defined,
and a name defined through an unknown function that the chain then writes out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import sympy as sp
from sympy.core.function import AppliedUndef

from backprop_derive.verify.definitions import Definition
from backprop_derive.verify.document import Chain, Side
from backprop_derive.verify.latex.parser import Readings, parse_expression, read_unevaluated
from backprop_derive.verify.latex.tokens import LatexError
from backprop_derive.verify.report import StepVerdict


def written_step(lhs: Side, rhs: Side) -> str:
    return "".join(lhs.text.split()) + "=" + "".join(rhs.text.split())


def restated(chain: Chain, stated: dict[str, tuple[int, str | None]], definitions: list[Definition]) -> str | None:
    """Why the chain's first step is a definition written before once more, as it was written (spaces aside), with
    that definition still the one in force; else None.  It claims nothing new: reported as ``definition``."""
    key = written_step(chain.sides[0], chain.sides[1])
    if key not in stated:
        return None
    line, name = stated[key]
    if name is not None:
        latest = {d.name: d for d in definitions}.get(name)
        if latest is None or latest.line != line or \
                written_step(Side(latest.lhs, 0, 0), Side(latest.rhs, 0, 0)) != key:
            return None
    return f"restates the definition of line {line}"


def undefined_element(chain: Chain, in_force: Sequence[Side], definitions: list[Definition]) -> str | None:
    """Why the chain's first step is not judged when its left side is one numbered element (``z_1``) of a name
    the document never defines nor constrains, absent from the right side: the step says what z_1 stands for
    (a definition of one element, which the reader does not make), and judged with z_1 drawn at random it
    would be refuted whatever it says.  None for any other step."""
    lhs, rhs = chain.sides[0], chain.sides[1]
    readings = Readings(chain.functions, chain.symbols, defined=frozenset(d.name for d in definitions))
    try:
        written = read_unevaluated(lhs.text, readings)
        other = parse_expression(rhs.text, readings)
    except LatexError:
        return None
    if not isinstance(written, sp.Indexed) or not all(i.is_Integer for i in written.indices):
        return None
    name = str(written.base.label)
    constrained = {n for side in in_force for n in side_names(side.text)}
    if name in {d.name for d in definitions} | constrained or any(
            isinstance(n, sp.Indexed) and str(n.base.label) == name for n in other.atoms(sp.Indexed)):
        return None
    return (f"{lhs.text} is an element of {name}, which is defined nowhere before: the step says what it stands for "
            "(the reader defines whole names, not one element), so it is not judged")


def known_function(chain: Chain) -> str | None:
    r"""The function a reader knows (``\sigma``, ``\tanh``) that the chain's first side applies to distinct
    variables, when it is no more than that (``\sigma(x)``); else None."""
    try:
        written = read_unevaluated(chain.sides[0].text, Readings(chain.functions, chain.symbols))
    except LatexError:
        return None
    if not isinstance(written, sp.Function) or isinstance(written, AppliedUndef) or not written.args:
        return None
    args = written.args
    if not all(isinstance(a, sp.Symbol) and not a.is_integer for a in args) or len(set(args)) != len(args):
        return None
    return type(written).__name__


def known_definition(step: StepVerdict, stated: dict[str, tuple[int, str | None]], lhs: Side,
                      rhs: Side) -> StepVerdict:
    r"""A definition written (``:=``, or "It is defined as" before it) of a function the reader knows (a LaTeX
    command always names its function): a ``definition`` where it is the reader's (the step is equal); else
    the step as judged -- ``\sigma(x) := 1/(1 + e^{x})`` is not the sigmoid, and the steps after it are judged
    with the reader's."""
    if step.verdict != "equal":
        return step
    stated[written_step(lhs, rhs)] = (lhs.line, None)
    return replace(step, verdict="definition", method="definition",
                   detail=f"defines {lhs.text} as the reader knows it ({step.method})")


def through_unknown(chain: Chain, readings: Readings, definitions: list[Definition]) -> str | None:
    r"""The unknown function ``f`` when a chain ``y_i = f(x_i) = A …`` defines its first side as ``f`` applied
    and f is known nowhere but in the next side: then y_i stands for A (the step ``f(x_i) = A`` is not judged
    true: with f unknown it stays ``unknown``).  None for any other chain."""
    if len(chain.sides) < 3:
        return None
    try:
        through = parse_expression(chain.sides[1].text, readings)
        written = parse_expression(chain.sides[2].text, readings)
    except LatexError:
        return None
    if not isinstance(through, AppliedUndef) or through.free_symbols - written.free_symbols - {
            s for i in through.atoms(sp.Indexed) for s in i.indices}:
        return None
    name = type(through).__name__
    if name in {d.name for d in definitions} or name in chain.functions or written.atoms(AppliedUndef):
        return None
    return name


def side_names(text: str) -> set[str]:
    """The names an assumption mentions (in it, they are constrained, so a display about them is a claim)."""
    import re

    return {name.lstrip("\\") for name in re.findall(r"\\[A-Za-z]+|[A-Za-z]", text)}
