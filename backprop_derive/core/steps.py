r"""Differentiation as a tree of rule steps.

Every step is an immutable dataclass holding the expression it differentiates (``expr``), the
variable (``var``), its ``result`` and its sub-steps.  :func:`differentiate` is the one rule chooser;
anything it does not recognise becomes an :class:`Unknown` step whose result is ``sympy.diff``, so
every input gets a tree, and the last line of every tree is the derivative.

The rules, with the math each one applies (``u`` is an inner expression, ``'`` is d/dvar):

* :class:`Constant`: :math:`c' = 0`; :class:`Variable`: :math:`x' = 1`;
  :class:`Index`: :math:`\partial z_i/\partial z_k = \delta_{ik}`
* :class:`SumRule`: :math:`(f + g)' = f' + g'`; :class:`ConstantMultiple`: :math:`(c f)' = c f'`
* :class:`Product`: :math:`(fg)' = f'g + fg'`; :class:`Quotient`: :math:`(f/g)' = (f'g - fg')/g^2`
* :class:`Power`: :math:`(x^n)' = n x^{n-1}`
* :class:`Elementary`: exp, log, hyperbolic, trigonometric, erf -- one table, :data:`ELEMENTARY`
* :class:`Chain`: :math:`f(u)' = f'(u)\,u'`
* :class:`PiecewiseRule`: each piece differentiated on its own condition (kinks keep the
  derivative of the piece that owns them: the ``x <= 0`` piece, as PyTorch)
* :class:`RewriteFirst`: rewrite (``max``, ``|x|`` as piecewise; ``a^u`` as ``e^{u\log a}``), then
  differentiate
* :class:`SumOverIndex`: :math:`\partial_{z_k} \sum_j f_j = \sum_j \partial_{z_k} f_j`, then a
  Kronecker delta picks one term
* :class:`CatalogRule`: unfold a catalog function's definition, differentiate it, and rewrite the
  raw result into the catalog's canonical form -- with a :class:`~backprop_derive.core.prove.Proof`
* :class:`Rewrite`: an equality between two forms, with the proof that licenses it
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from backprop_derive.core.functions import CatalogFunction, IndexedFunction, fresh_symbol
from backprop_derive.core.prove import Assumption, Proof, prove_equal, prove_for_each_index


@dataclass(frozen=True)
class Step:
    """A step: ``result`` is the derivative of ``expr`` by ``var`` (for :class:`Rewrite`, the new form)."""

    expr: sp.Expr
    var: sp.Expr
    result: sp.Expr
    rule: ClassVar[str] = "step"

    @property
    def substeps(self) -> tuple[Step, ...]:
        return ()

    def walk(self):
        """This step and all below it, depth first."""
        yield self
        for sub in self.substeps:
            yield from sub.walk()


@dataclass(frozen=True)
class Constant(Step):
    rule: ClassVar[str] = "constant"


@dataclass(frozen=True)
class Variable(Step):
    rule: ClassVar[str] = "variable"


@dataclass(frozen=True)
class Index(Step):
    rule: ClassVar[str] = "index"


@dataclass(frozen=True)
class SumRule(Step):
    terms: tuple[Step, ...] = ()
    rule: ClassVar[str] = "sum rule"

    @property
    def substeps(self):
        return self.terms


@dataclass(frozen=True)
class ConstantMultiple(Step):
    constant: sp.Expr = sp.S.One
    inner: Step | None = None
    rule: ClassVar[str] = "constant multiple"

    @property
    def substeps(self):
        return (self.inner,)


@dataclass(frozen=True)
class Product(Step):
    factors: tuple[Step, ...] = ()
    rule: ClassVar[str] = "product rule"

    @property
    def substeps(self):
        return self.factors


@dataclass(frozen=True)
class Quotient(Step):
    numerator: Step | None = None
    denominator: Step | None = None
    rule: ClassVar[str] = "quotient rule"

    @property
    def substeps(self):
        return (self.numerator, self.denominator)


@dataclass(frozen=True)
class Power(Step):
    rule: ClassVar[str] = "power rule"


@dataclass(frozen=True)
class Elementary(Step):
    """A table derivative of an elementary function of the variable itself, e.g. exp, tanh."""

    name: str = ""

    @property
    def rule(self) -> str:  # type: ignore[override]
        return self.name


@dataclass(frozen=True)
class Chain(Step):
    """:math:`f(u)' = f'(u)\\,u'`; ``outer`` differentiates f at the placeholder ``u``."""

    u: sp.Symbol = sp.S.Zero
    outer: Step | None = None
    inner: Step | None = None
    rule: ClassVar[str] = "chain rule"

    @property
    def substeps(self):
        return (self.outer, self.inner)


@dataclass(frozen=True)
class PiecewiseRule(Step):
    pieces: tuple[Step, ...] = ()
    rule: ClassVar[str] = "piecewise"

    @property
    def substeps(self):
        return self.pieces


@dataclass(frozen=True)
class Rewrite(Step):
    """``expr`` = ``result``: a change of form, not a derivative; ``proof`` says why it holds."""

    reason: str = ""
    proof: Proof | None = None
    rule: ClassVar[str] = "rewrite"


@dataclass(frozen=True)
class RewriteFirst(Step):
    rewrite: Rewrite | None = None
    derivation: Step | None = None
    rule: ClassVar[str] = "rewrite, then differentiate"

    @property
    def substeps(self):
        return (self.rewrite, self.derivation)


@dataclass(frozen=True)
class SumOverIndex(Step):
    term: Step | None = None
    collapse: Rewrite | None = None
    rule: ClassVar[str] = "differentiate under the sum"

    @property
    def substeps(self):
        return (self.term,) + ((self.collapse,) if self.collapse else ())


@dataclass(frozen=True)
class CatalogRule(Step):
    """Unfold the definition, differentiate it, rewrite into the catalog's canonical form."""

    definition: Rewrite | None = None
    derivation: Step | None = None
    canonical: Rewrite | None = None
    rule: ClassVar[str] = "catalog function"

    @property
    def substeps(self):
        return tuple(s for s in (self.definition, self.derivation, self.canonical) if s is not None)


@dataclass(frozen=True)
class Unknown(Step):
    """No rule applies; the result is ``sympy.diff``, reported as such."""

    rule: ClassVar[str] = "unknown (sympy.diff)"


# ------------------------------------------------------------------------------ the table

_u = sp.Symbol("u", real=True)

#: Derivatives of elementary functions of one argument: class -> (rule name, f'(u)).
ELEMENTARY: dict[type, tuple[str, sp.Expr]] = {
    sp.exp: ("exp", sp.exp(_u)),
    sp.log: ("log", 1 / _u),
    sp.tanh: ("hyperbolic", 1 - sp.tanh(_u) ** 2),
    sp.sinh: ("hyperbolic", sp.cosh(_u)),
    sp.cosh: ("hyperbolic", sp.sinh(_u)),
    sp.sin: ("trigonometric", sp.cos(_u)),
    sp.cos: ("trigonometric", -sp.sin(_u)),
    sp.tan: ("trigonometric", 1 + sp.tan(_u) ** 2),
    sp.atan: ("trigonometric", 1 / (1 + _u**2)),
    sp.erf: ("erf", 2 * sp.exp(-(_u**2)) / sp.sqrt(sp.pi)),
}


# ---------------------------------------------------------------------------- the chooser


def depends(expr: sp.Expr, var: sp.Expr) -> bool:
    """Whether ``expr`` can change with ``var`` (for ``z[k]``: whenever ``z`` appears)."""
    if isinstance(var, sp.Indexed):
        return expr.has(var.base)
    return expr.has(var)


def _placeholder(*exprs: sp.Expr) -> sp.Symbol:
    """The inner variable of the chain rule (``u``), clashing with nothing in ``exprs``."""
    return fresh_symbol(("u", "v", "w", "s", "t"), exprs, real=True)


def _chain(expr, var, inner_expr, outer_of, assumptions) -> Step:
    """Differentiate ``expr = f(inner_expr)``; ``outer_of(u)`` builds the step for ``f(u)``."""
    u = _placeholder(expr, var)
    outer = outer_of(u)
    inner = differentiate(inner_expr, var, assumptions)
    result = outer.result.subs(u, inner_expr) * inner.result
    return Chain(expr, var, result, u=u, outer=outer, inner=inner)


def _elementary(expr, var, assumptions) -> Step:
    name, table = ELEMENTARY[type(expr)]
    (arg,) = expr.args

    def outer_of(u):
        return Elementary(expr.func(u), u, table.subs(_u, u), name=name)

    if arg == var:
        return outer_of(var)
    return _chain(expr, var, arg, outer_of, assumptions)


def _power(expr, var, assumptions) -> Step:
    base, exponent = expr.args
    if not depends(exponent, var):

        def outer_of(u):
            return Power(u**exponent, u, exponent * u ** (exponent - 1))

        return outer_of(var) if base == var else _chain(expr, var, base, outer_of, assumptions)
    as_exp = sp.exp(exponent * sp.log(base))
    rewrite = Rewrite(expr, var, as_exp, reason="a^u = exp(u log a)", proof=Proof(True, "definition of the power"))
    derivation = differentiate(as_exp, var, assumptions)
    return RewriteFirst(expr, var, derivation.result.subs(as_exp, expr), rewrite=rewrite, derivation=derivation)


def _mul(expr, var, assumptions) -> Step:
    if isinstance(var, sp.Indexed):
        constant, rest = _split_indexed(expr, var)
    else:
        constant, rest = expr.as_independent(var, as_Add=False)
    if constant != 1:
        inner = differentiate(rest, var, assumptions)
        return ConstantMultiple(expr, var, constant * inner.result, constant=constant, inner=inner)
    numerator, denominator = sp.fraction(expr)
    if denominator != 1 and depends(numerator, var) and depends(denominator, var):
        top, bottom = differentiate(numerator, var, assumptions), differentiate(denominator, var, assumptions)
        result = (top.result * denominator - numerator * bottom.result) / denominator**2
        return Quotient(expr, var, result, numerator=top, denominator=bottom)
    factors = expr.args
    steps = tuple(differentiate(f, var, assumptions) for f in factors)
    result = sp.Add(*(
        sp.Mul(*(steps[n].result if n == m else factors[n] for n in range(len(factors))))
        for m in range(len(factors))
    ))
    return Product(expr, var, result, factors=steps)


def _split_indexed(expr, var):
    free = [f for f in expr.args if not depends(f, var)]
    bound = [f for f in expr.args if depends(f, var)]
    return sp.Mul(*free), sp.Mul(*bound)


def _piecewise(expr, var, assumptions) -> Step:
    pieces = tuple(differentiate(piece.expr, var, assumptions) for piece in expr.args)
    result = sp.Piecewise(*((s.result, piece.cond) for s, piece in zip(pieces, expr.args, strict=True)))
    return PiecewiseRule(expr, var, result, pieces=pieces)


def _as_piecewise(expr, var, assumptions) -> Step:
    form = expr.rewrite(sp.Piecewise)
    if isinstance(expr, sp.Max | sp.Min):
        # SymPy's Max(0, x) -> Piecewise((0, x <= 0), (x, True)) already lists the x <= 0 piece first.
        form = sp.piecewise_fold(form)
    rewrite = Rewrite(expr, var, form, reason="as a piecewise function", proof=Proof(True, "definition"))
    derivation = differentiate(form, var, assumptions)
    return RewriteFirst(expr, var, derivation.result, rewrite=rewrite, derivation=derivation)


def _sum(expr: sp.Sum, var, assumptions: Sequence[Assumption]) -> Step:
    term = differentiate(expr.function, var, assumptions)
    raw = sp.Sum(term.result, *expr.limits)
    collapse = None
    result = raw
    if raw.has(sp.KroneckerDelta) and assumptions:
        collapsed = raw
        for assumption in assumptions:
            collapsed = assumption(collapsed)
        if not collapsed.has(sp.KroneckerDelta) and collapsed != raw:
            proof = Proof(True, "sum of a Kronecker delta", tuple(a.text for a in assumptions))
            collapse = Rewrite(raw, var, collapsed, reason="the Kronecker delta picks one term", proof=proof)
            result = collapsed
    return SumOverIndex(expr, var, result, term=term, collapse=collapse)


def _case_split_index(expr: sp.Expr, var: sp.Expr):
    """``(k, K)`` when the derivative is by ``z[k]`` with symbolic k, of a function of a concrete K."""
    if isinstance(expr, IndexedFunction) and isinstance(var, sp.Indexed) and expr.classes.is_Integer:
        index = var.indices[0]
        if index.is_Symbol:
            return index, expr.classes
    return None


def catalog_step(expr: sp.Function, var: sp.Expr, assumptions: Sequence[Assumption] = (),
                 canonical: sp.Expr | None = None) -> CatalogRule:
    """Unfold ``expr``'s definition, differentiate, and prove the canonical form equal to the raw one.

    The canonical form is ``canonical`` when given (a form that needs ``assumptions``), else
    ``sympy.diff(expr, var)``.  For a concrete K and a symbolic index k, the proof is by cases
    k = 1..K.
    """
    definition = expr.unfold() if isinstance(expr, CatalogFunction) else expr.rewrite(sp.exp)
    unfolded = Rewrite(expr, var, definition, reason="unfold the definition", proof=Proof(True, "definition"))
    derivation = differentiate(definition, var, [a for a in assumptions if a.about_indices])
    raw = derivation.result
    target = sp.diff(expr, var) if canonical is None else canonical
    split = _case_split_index(expr, var)
    if split is not None:
        proof = prove_for_each_index(raw, target, *split, assumptions)
    else:
        proof = prove_equal(raw, target, assumptions)
    if not proof.proved:
        return CatalogRule(expr, var, raw, definition=unfolded, derivation=derivation, canonical=None)
    rewrite = Rewrite(raw, var, target, reason="the form backprop uses", proof=proof)
    return CatalogRule(expr, var, target, definition=unfolded, derivation=derivation, canonical=rewrite)


def _catalog(expr: CatalogFunction, var, assumptions) -> Step:
    if isinstance(expr, IndexedFunction):
        if any(depends(a, var) for a in expr.args[1:]):
            return Unknown(expr, var, sp.diff(expr, var))
        return catalog_step(expr, var, assumptions)
    arg, rest = expr.args[0], expr.args[1:]
    if any(depends(a, var) for a in rest):
        return Unknown(expr, var, sp.diff(expr, var))
    if arg == var:
        return catalog_step(expr, var, assumptions)
    return _chain(expr, var, arg, lambda u: catalog_step(expr.func(u, *rest), u), assumptions)


def differentiate(expr: sp.Expr, var: sp.Expr, assumptions: Sequence[Assumption] = ()) -> Step:
    """The step tree of d(expr)/d(var).  ``assumptions`` license Kronecker-sum collapses."""
    expr = sp.sympify(expr)
    if not depends(expr, var):
        return Constant(expr, var, sp.S.Zero)
    if expr == var:
        return Variable(expr, var, sp.S.One)
    if isinstance(expr, sp.Indexed) and isinstance(var, sp.Indexed) and expr.base == var.base:
        # one Kronecker delta per index: dU_{jw}/dU_{mn} = delta_jm delta_wn
        return Index(expr, var, sp.Mul(*(sp.KroneckerDelta(a, b) for a, b in zip(expr.indices, var.indices,
                                                                                   strict=True))))
    if isinstance(expr, sp.Add):
        terms = tuple(differentiate(t, var, assumptions) for t in expr.args)
        return SumRule(expr, var, sp.Add(*(t.result for t in terms)), terms=terms)
    if isinstance(expr, sp.Mul):
        return _mul(expr, var, assumptions)
    if isinstance(expr, sp.Pow):
        return _power(expr, var, assumptions)
    if isinstance(expr, CatalogFunction):
        return _catalog(expr, var, assumptions)
    if type(expr) in ELEMENTARY:
        return _elementary(expr, var, assumptions)
    if isinstance(expr, sp.Piecewise):
        return _piecewise(expr, var, assumptions)
    if isinstance(expr, sp.Max | sp.Min | sp.Abs):
        return _as_piecewise(expr, var, assumptions)
    if isinstance(expr, sp.Sum) and len(expr.limits) == 1:
        return _sum(expr, var, assumptions)
    return Unknown(expr, var, sp.diff(expr, var))
