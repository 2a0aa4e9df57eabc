r"""A catalog entry's derivation: the step tree, the canonical form and its proof, as one object.

``derive_entry("sigmoid")`` differentiates :math:`\sigma(x)` step by step, ending in
:math:`\sigma(x)(1-\sigma(x))` with the proof that it equals the derivative of the definition.
A :class:`Derivation` shows itself as math in Jupyter (``_repr_latex_``, ``_repr_markdown_``).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.catalog import Entry, Problem, get
from derive.functions import unfold
from derive.prove import Proof
from derive.steps import CatalogRule, catalog_step


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

    def _repr_latex_(self) -> str:
        r"""Jupyter's math: ``$$\begin{aligned}`` with one row per step (sub-steps indented, the rule
        beside each), then the canonical form and its proof -- LaTeX that MathJax and nbconvert both read.
        """
        from derive.export import proof_words, result_tex
        from derive.render import text_for_mathjax
        from derive.render_latex import LATEX_TREE

        rows = LATEX_TREE.render(self.tree)
        result = rf"&{result_tex(self)} &&\text{{{text_for_mathjax('canonical form, ' + proof_words(self))}}}"
        return f"$$\\begin{{aligned}}\n{rows} \\\\[1ex]\n{result}\n\\end{{aligned}}$$"

    def _repr_markdown_(self) -> str:
        """Jupyter's Markdown: the note of ``derive export`` without its plot, headed at level 3, its
        math in ``$`` and ``$$`` (which Jupyter reads; the notes use GitHub's math fences)."""
        from derive.export import entry_markdown_body
        from derive.render import MARKDOWN

        return entry_markdown_body(self, plot=None, level=3, notation=MARKDOWN)


def derive_entry(name: str, classes: int | None = None) -> Derivation:
    """Derive catalog entry ``name``; ``classes`` picks a concrete K for index-notation entries."""
    entry = get(name)
    problem = entry.problem(classes)
    tree = catalog_step(problem.expr, problem.var, problem.assumptions, problem.canonical)
    return Derivation(entry, problem, tree)
