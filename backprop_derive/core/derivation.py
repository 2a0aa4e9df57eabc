r"""A catalog entry's derivation: the step tree, the canonical form and its proof, as one object.

``derive_entry("sigmoid")`` differentiates :math:`\sigma(x)` step by step, ending in
:math:`\sigma(x)(1-\sigma(x))` with the proof that it equals the derivative of the definition.
A :class:`Derivation` shows itself as math in Jupyter (``_repr_latex_``, ``_repr_markdown_``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from backprop_derive.core.catalog import Entry, Problem, get
from backprop_derive.core.functions import unfold
from backprop_derive.core.prove import Proof
from backprop_derive.core.steps import CatalogRule, catalog_step


@dataclass(frozen=True)
class Derivation:
    """``entry`` differentiated: ``tree`` ends in the canonical form when ``proof.proved``."""

    entry: Entry
    problem: Problem
    tree: CatalogRule

    @property
    def definition(self) -> sp.Expr:
        """The entry's definition in elementary functions (the right side of ``f(x) = ...``)."""
        return self.tree.definition.result

    @property
    def raw(self) -> sp.Expr:
        """The derivative of the definition, as the differentiation rules produce it."""
        return self.tree.derivation.result

    @property
    def canonical(self) -> sp.Expr:
        """The form backprop uses (``problem.canonical``)."""
        return self.problem.canonical

    @property
    def partial(self) -> bool:
        """Whether the derivative is by one element of a vector (written with ∂)."""
        return isinstance(self.problem.var, sp.Indexed)

    def kink_values(self) -> list[tuple[float, sp.Expr]]:
        """``(at, value)`` for each kink of the entry: the canonical derivative there (the convention)."""
        var, body = self.problem.var, unfold(self.canonical)
        return [(at, body.subs(var, sp.nsimplify(at))) for at in self.entry.kinks]

    @property
    def others(self) -> tuple[Derivation, ...]:
        """The derivatives by the entry's other inputs (``Problem.others``: PReLU's slope), each derived and proved."""
        return tuple(Derivation(self.entry, other, catalog_step(other.expr, other.var, other.assumptions,
                                                                other.canonical)) for other in self.problem.others)

    @property
    def proof(self) -> Proof:
        if self.tree.canonical is None:
            return Proof(False, "the canonical form was not proved equal to the raw derivative")
        return self.tree.canonical.proof

    def _repr_latex_(self) -> str | None:
        """Jupyter's math (see :data:`DISPLAYS`); None (Jupyter shows the repr) where no display is registered."""
        show = DISPLAYS.get("latex")
        return show(self) if show else None

    def _repr_markdown_(self) -> str | None:
        """Jupyter's Markdown (see :data:`DISPLAYS`)."""
        show = DISPLAYS.get("markdown")
        return show(self) if show else None


#: How a :class:`Derivation` shows itself in Jupyter, by kind (``"latex"``, ``"markdown"``).  The core holds the
#: math, not its typesetting: :mod:`backprop_derive.notes.entries`, a layer above, fills this table when it is
#: imported, which ``import backprop_derive`` does.
DISPLAYS: dict[str, Callable[[Derivation], str]] = {}


def derive_entry(name: str, classes: int | None = None) -> Derivation:
    """Derive catalog entry ``name``; ``classes`` picks a concrete K for index-notation entries."""
    entry = get(name)
    problem = entry.problem(classes)
    tree = catalog_step(problem.expr, problem.var, problem.assumptions, problem.canonical)
    return Derivation(entry, problem, tree)
