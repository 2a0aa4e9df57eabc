r"""Dependent names: undefined names a document differentiates by a variable it does not write beside them.

:math:`\frac{\partial}{\partial w_j} (t_i - o_i)^2` is a derivative by :math:`w_j` of an expression that holds
no :math:`w_j` and no defined name.  With t and o held it would be 0, and nobody differentiates a constant:
the author means that t and o *depend on* :math:`w_j` in a way the document does not write (o the output of
a network, t the targets).  Such a name N is read as an unknown function of the variable v, modelled -- as
an upstream name is (:mod:`backprop_derive.verify.graph`) -- by its first-order Taylor polynomial at the point,

.. math:: N_i = N_{0,i} + G_{i} \, v,

with the value :math:`N_{0}` and the slope :math:`G = \partial N/\partial v` free (an element's slope also
carries v's indices).  A statement about values and first derivatives of N that holds for every such
affine N holds for every differentiable N, so **equal** is sound.

**Not equal** is not, on its own: the author's N is one function, and a step may use what is true of it
but is not written (the targets t do not depend on the weights: :math:`\partial t_i/\partial w_j = 0`).
So a step found not equal is reported so only where

* each dependent slope written on one side is also on the other (a step that drops or invents a
  :math:`\partial N/\partial v` states something about N itself), and
* it is also not equal in every reading where some of the dependent names are constants and the
  others functions of v (one at least: the document differentiates them);

else it is ``unknown``, naming the reading in which it would hold (:func:`backprop_derive.verify.decide.decide_step`).

A name is read so only where every derivative the document writes of it is by that one variable v, v is
never written beside it in a differentiated expression (there its names are held, as the document's
partial derivatives are), and it is written with one index at most; else it stays undefined, and its
derivatives cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sympy as sp

from backprop_derive.verify.definitions import Definition
from backprop_derive.verify.graph import JET, SLOPE, label, names_in
from backprop_derive.verify.latex.names import GREEK
from backprop_derive.verify.latex.parser import Readings, parse_expression, square_names
from backprop_derive.verify.latex.tokens import LatexError

#: The most dependent names one step is judged with (each reading is judged again with some held constant).
MOST = 3


@dataclass(frozen=True)
class Written:
    """A first-order derivative written in the document: its operand, its variable, the line."""

    operand: sp.Expr
    variable: sp.Expr
    line: int
    text: str = ""


def written(sides: Iterable[tuple[str, int]], readings: Readings) -> list[Written]:
    """Every first-order derivative by one name in the texts ``sides`` (text, line), read in the scan mode
    that reads a derivative of any name."""
    sides = list(sides)
    scan = Readings(readings.functions, readings.symbols, defined=readings.defined,
                    squares=square_names([t for t, _ in sides]), any_name=True, gradient_of=readings.gradient_of)
    found = []
    for text, line in sides:
        try:
            expr = parse_expression(text, scan)
        except LatexError:
            continue
        for node in expr.atoms(sp.Derivative):
            if len(node.variables) == 1 and _simple(node.variables[0]) is not None:
                found.append(Written(node.expr, node.variables[0], line, text))
    return found


def dependents(found: Sequence[Written], definitions: Sequence[Definition]) -> list[Definition]:
    """The dependent names (module docstring) given the definitions in force, each a :class:`Definition` of
    kind ``dependent``: ``lhs`` the name as written (``t_{i}``), ``rhs`` the variable (``w_{j}``)."""
    defined = {d.name for d in definitions} | {label(w.variable) for w in found}
    counts = {s.name for w in found for s in w.operand.free_symbols if isinstance(s, sp.Symbol) and s.is_integer}
    candidates: dict[str, Written] = {}
    again = Readings(functions=frozenset(d.name for d in definitions if "(" in d.lhs), defined=frozenset(defined))
    for w in found:
        if not _compound(w, defined) or not any(_compound(v, defined) for v in written([(w.text, w.line)], again)):
            continue  # read with the names defined so far (Tanh defined, not T·a·n·h), it is no such derivative
        for name in sorted(_names(w.operand) - counts):  # n of 1/(2n) before a sum to n is the count
            candidates.setdefault(name, w)
    made = []
    for name, first in sorted(candidates.items()):
        uses = [w for w in found if name in _names(w.operand)]
        forms = {_shape(n) for w in uses for n in _nodes(w.operand, name)}
        if any(label(w.variable) in _names(w.operand) for w in uses) or len({w.variable for w in uses}) != 1 \
                or len(forms) != 1 or next(iter(forms)) > 1:
            continue
        node = next(n for n in _nodes(first.operand, name))
        lhs, rhs = _simple(node), _simple(first.variable)
        if lhs is None or rhs is None or name == label(first.variable):
            continue
        made.append(Definition(name, lhs, rhs, first.line, f"dependent: {lhs} is taken to be an unknown function of "
                               f"{rhs} (the document differentiates it by {rhs})", "dependent"))
    return made


def variables(found: Sequence[Written]) -> list[Definition]:
    r"""The names the document treats as independent, each a :class:`Definition` of kind ``variable``: those it
    differentiates by, and those it holds beside the variable of a partial derivative (y of
    :math:`\partial/\partial z_k [z_j - y_j]`).  They are held where a derivative is by another:
    :math:`d/dx\,\mathrm{ReLU}(z)` is 0 where the document also differentiates by z, and
    :math:`\partial/\partial z_k [-y_j]` is 0 beside that partial."""
    held = {n for w in found if label(w.variable) in _names(w.operand) for n in _names(w.operand)}
    names = sorted({label(w.variable) for w in found} | held)
    return [Definition(name, "", "", 1, "a variable the document differentiates by", "variable") for name in names]


def slopes(expr: sp.Expr, variables: Iterable[sp.Expr] = ()) -> set[str]:
    """The dependent slopes :math:`\\partial N/\\partial v` in ``expr`` where it is not a value (at v = 0 a
    model is its value :math:`N_0` alone: what remains comes of a derivative), as ``N/v``."""
    expr = expr.xreplace({v: 0 for v in variables})
    found = {str(n.base.label) for n in expr.atoms(sp.Indexed)} | {s.name for s in expr.free_symbols
                                                                    if isinstance(s, sp.Symbol)}
    return {f.removeprefix(SLOPE).replace(JET, "") for f in found if f.startswith(SLOPE)}


def _compound(w: Written, defined: set[str]) -> bool:
    """Whether ``w`` differentiates an expression of undefined names none of which is its variable."""
    names = _names(w.operand)
    return bool(names) and not isinstance(w.operand, (sp.Symbol, sp.Indexed)) and label(w.variable) not in names \
        and not names & defined


def _names(expr: sp.Expr) -> set[str]:
    return names_in(expr)


def _nodes(expr: sp.Expr, name: str) -> list[sp.Expr]:
    return sorted((n for n in (*expr.atoms(sp.Indexed), *expr.atoms(sp.Symbol)) if label(n) == name
                   and not (isinstance(n, sp.Symbol) and n in {i.base.label for i in expr.atoms(sp.Indexed)})),
                  key=str)


def _shape(node: sp.Expr) -> int:
    return len(node.indices) if isinstance(node, sp.Indexed) else 0


def _simple(node: sp.Expr) -> str | None:
    """``node`` as the reader writes it back -- a letter or a Greek name, with one index letter at most
    (``t_{i}``, ``\\sigma``) -- or None."""
    name = label(node)
    if name is None:
        return None
    if len(name) == 1 and name.isalpha() and name.isascii():
        text = name
    elif name in GREEK:
        text = "\\" + name
    else:
        return None
    if isinstance(node, sp.Indexed):
        if len(node.indices) != 1 or not isinstance(node.indices[0], sp.Symbol) or len(str(node.indices[0])) != 1:
            return None
        return f"{text}_{{{node.indices[0]}}}"
    return text


def judged(send, judge, definitions: tuple[tuple[str, ...], ...]) -> bool:
    """``judge(send, definitions)`` -- one reading of a step judged -- with the dependent names' readings
    (module docstring): a not-equal verdict stands only where each dependent slope is on both sides or on
    neither, and every reading that holds some of the names constant finds the step not equal too; else the
    step is ``undecided``.  Returns what ``judge`` returns (False after an error)."""
    names = [d[0] for d in definitions if len(d) > 3 and d[3] == "dependent"]
    if not names:
        return judge(send, definitions)
    messages: list[tuple] = []
    ok = judge(messages.append, definitions)
    if not ok or not _not_equal(messages):
        for message in messages:
            send(message)
        return ok
    shown = {d[0]: f"{d[1]} as a function of {d[2]}" for d in definitions if len(d) > 3 and d[3] == "dependent"}
    every = "; ".join(shown[n] for n in names)
    one_side = sorted({s for m in messages if m[0] == "slopes" for s in m[2]})
    if one_side:
        return _undecided(send, messages, f"not equal for every function ({every}), but the step writes the "
                          f"derivative {', '.join(_slope(s) for s in one_side)} on one side only: it states "
                          "something about that function which the document does not define")
    if len(names) > MOST:
        return _undecided(send, messages, f"not equal for every function ({every}); with more than {MOST} such "
                          "names the readings that hold some of them constant are not tried")
    for size in range(1, len(names)):
        for varying in _subsets(names, size):
            held = [n for n in names if n not in varying]
            reading = tuple((*d[:3], "constant") if len(d) > 3 and d[3] == "dependent" and d[0] in held else d
                            for d in definitions)
            found: list[tuple] = []
            if not judge(found.append, reading) or not _not_equal(found):
                return _undecided(send, messages, f"not equal for every function ({every}), but not shown to "
                                  f"differ where {', '.join(held)} {'is' if len(held) == 1 else 'are'} constant "
                                  "(the document does not say which of them depend on it)")
    for message in messages:
        send(message)
    return True


def _not_equal(messages: list[tuple]) -> bool:
    return any(m[0] == "numeric" and m[2] == "not_equal" for m in messages)


def _undecided(send, messages: list[tuple], why: str) -> bool:
    for message in messages:
        if message[0] in ("notes", "definitions", "read"):
            send(message)
    send(("undecided", why))
    return False


def _slope(written: str) -> str:
    name, variable = written.split("/")
    return f"∂{name}/∂{variable}"


def _subsets(names: list[str], size: int):
    from itertools import combinations

    return combinations(names, size)
