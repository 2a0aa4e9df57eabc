r"""The registry's model: a :class:`Problem` (what to differentiate), a :class:`Slip` (a wrong derivative
people write) and an :class:`Entry` (one catalog function), with the symbols every derivation uses.

:mod:`backprop_derive.core.catalog` declares the entries; :mod:`backprop_derive.core.catalog_more` the further ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from backprop_derive.core.prove import Assumption, index_in_range

#: The symbols every derivation uses.  Symbols are real unless a user says otherwise.
x = sp.Symbol("x", real=True)
z = sp.IndexedBase("z", real=True)
y = sp.IndexedBase("y", real=True)
y_scalar = sp.Symbol("y", real=True)
i, k = sp.symbols("i k", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)


@dataclass(frozen=True)
class Problem:
    """What to differentiate (``expr``), by what (``var``), and under which assumptions.

    ``index``/``classes`` are set for the index-notation entries: the derivative is taken by
    ``z[index]`` for a K of ``classes`` (a symbol, or an integer).
    """

    expr: sp.Expr
    var: sp.Expr
    canonical: sp.Expr
    assumptions: tuple[Assumption, ...] = ()
    index: sp.Symbol | None = None
    classes: sp.Expr | None = None
    #: The same function's derivatives by its other inputs (PReLU's slope; word2vec's U, u_o, u_k), each
    #: derived and proved as this one is; ``derive show`` lists them after the first.
    others: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Slip:
    r"""A wrong derivative people write for an entry, e.g. :math:`\sigma' = \sigma\cdot\sigma`.

    ``latex`` is the slip as written, in the entry's symbols (x; or z, y, i, k, K); ``build`` gives the
    same as SymPy from the application's arguments (``build(u)`` for ``sigmoid(u)``), followed, for an
    index-notation entry, by the index k of the derivative's variable :math:`z_k`; ``note`` says what
    went wrong.  :mod:`backprop_derive.verify.diagnosis` names a step ``known_mistake`` when it matches one.
    """

    latex: str
    build: Callable[..., sp.Expr]
    note: str


@dataclass(frozen=True)
class Entry:
    """One catalog function.

    ``kind`` is ``activation`` (elementwise, one real argument), ``vector`` (a vector function,
    Jacobian in index notation) or ``loss`` (a scalar of logits and labels).  ``kinks`` lists the
    points where the derivative jumps; ``kink_convention`` says which one-sided value is used there.
    """

    name: str
    kind: str
    function: type[sp.Function]
    summary: str
    build: Callable[[sp.Expr], Problem]
    kink_convention: str = "smooth: no kink"
    kinks: tuple[float, ...] = ()
    domain: tuple[float, float] = (-4.0, 4.0)
    notes: tuple[str, ...] = field(default=())
    #: Typical wrong derivatives (:class:`Slip`).
    slips: tuple[Slip, ...] = ()

    @property
    def latex_name(self) -> str:
        return getattr(self.function, "latex_name", "") or rf"\{self.name}"

    def problem(self, classes: int | None = None) -> Problem:
        """The differentiation problem; ``classes`` picks a concrete K for index-notation entries."""
        return self.build(K if classes is None else sp.Integer(classes))

    @property
    def indexed(self) -> bool:
        """Whether the entry is in index notation (a vector function or a multi-class loss: K applies)."""
        return self.problem().index is not None

    def definition(self) -> sp.Expr:
        """The entry applied to its symbols, e.g. ``sigmoid(x)``."""
        return self.problem().expr


def activation_builder(function) -> Callable[[sp.Expr], Problem]:
    def build(_classes) -> Problem:
        expr = function(x)
        return Problem(expr, x, sp.diff(expr, x))

    return build


def vector_builder(function) -> Callable[[sp.Expr], Problem]:
    def build(classes) -> Problem:
        expr = function(z, i, classes)
        return Problem(expr, z[k], expr.diff(z[k]), (index_in_range([i, k], classes),), k, classes)

    return build
