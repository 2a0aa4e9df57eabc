r"""How SymPy expressions print: one line of Unicode math for a terminal, and LaTeX.

Both write a plain product with its sums last -- :math:`\sigma(x)(1 - \sigma(x))`, not
:math:`(1 - \sigma(x))\sigma(x)` -- the form backprop is read in.  Everything that prints math (the
step renderers of :mod:`backprop_derive.render`, a network's equations, the checker's echo of a reading)
prints with these, so a formula looks the same wherever it is shown.
"""

from __future__ import annotations

from typing import ClassVar

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter


def _factors_first(expr: sp.Mul) -> list[sp.Basic] | None:
    """Factors of a plain product with the sums last -- σ(x)(1 - σ(x)) -- or None if not plain."""
    factors = expr.as_ordered_factors()
    if not expr.is_commutative or any(f.is_Number or (f.is_Pow and f.exp.is_negative) for f in factors):
        return None
    return sorted(factors, key=lambda f: isinstance(f, sp.Add))


class UnicodePrinter(StrPrinter):
    """One-line Unicode math for a terminal: σ(x), x², a·b, δ(i,k), H(x), Σ_{j=1..K}."""

    printmethod = "_unicode_text"  # not ``_sympystr``, which Indexed and others define for str()

    names: ClassVar[dict[str, str]] = {
        "sigmoid": "σ", "normal_cdf": "Φ", "normal_pdf": "φ", "relu": "ReLU", "leaky_relu": "LeakyReLU",
        "elu": "ELU", "softplus": "softplus", "silu": "SiLU", "gelu": "GELU", "identity": "id",
        "softmax_cce": "CCE", "sigmoid_bce": "BCE", "mse": "MSE",
    }
    superscripts = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in ("softmax", "log_softmax"):
            z, i, _ = expr.args
            return f"{name}({self._print(z)})_{self._print(i)}"
        shown = getattr(expr, "_shown_args", lambda: expr.args)()
        return f"{self.names.get(name, name)}({', '.join(self._print(a) for a in shown)})"

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.args
        if exponent.is_Integer and exponent > 1 and not isinstance(base, sp.Sum):
            return self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Pow"]) + str(exponent).translate(
                self.superscripts
            )
        if exponent == sp.S.Half:
            return f"√({self._print(base)})"
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Mul(self, expr):
        factors = _factors_first(expr)
        if factors is None:
            return super()._print_Mul(expr).replace("*", "·")
        return "·".join(self.parenthesize(f, sp.printing.precedence.PRECEDENCE["Mul"]) for f in factors)

    def _print_exp(self, expr):
        return f"exp({self._print(expr.args[0])})"

    def parenthesize(self, item, level, strict=False):
        if isinstance(item, sp.Sum) and level >= sp.printing.precedence.PRECEDENCE["Mul"]:
            return f"({self._print(item)})"
        return super().parenthesize(item, level, strict)

    def _print_IndexedBase(self, expr):
        return self._print(expr.label)

    def _print_KroneckerDelta(self, expr):
        return f"δ({self._print(expr.args[0])},{self._print(expr.args[1])})"

    def _print_Heaviside(self, expr):
        return f"H({self._print(expr.args[0])})"

    def _print_Indexed(self, expr):
        return f"{self._print(expr.base.label)}_{','.join(self._print(i) for i in expr.indices)}"

    def _print_Sum(self, expr):
        """Σ_{j=1..K} f, the outermost sum first (SymPy lists a multiple sum's limits innermost first)."""
        limits = " ".join(f"Σ_{{{self._print(j)}={self._print(lo)}..{self._print(hi)}}}"
                          for j, lo, hi in reversed(expr.limits))
        return f"{limits} {self.parenthesize(expr.function, 45)}"

    def _print_Piecewise(self, expr):
        pieces = []
        for piece in expr.args:
            cond = "otherwise" if piece.cond is sp.true else f"if {self._print(piece.cond)}"
            pieces.append(f"{self._print(piece.expr)} {cond}")
        return "{" + "; ".join(pieces) + "}"

    def _print_Relational(self, expr):
        ops = {"<=": "≤", ">=": "≥", "!=": "≠"}
        return f"{self._print(expr.lhs)} {ops.get(expr.rel_op, expr.rel_op)} {self._print(expr.rhs)}"

    def _print_pi(self, expr):
        return "π"


class LatexMath(LatexPrinter):
    """SymPy's LaTeX, with plain products written with their sums last: σ(x)(1 - σ(x))."""

    def _print_Mul(self, expr):
        factors = _factors_first(expr)
        if factors is None:
            return super()._print_Mul(expr)
        return " ".join(self.parenthesize(f, sp.printing.precedence.PRECEDENCE["Mul"]) for f in factors)

    def _print_Heaviside(self, expr, exp=None):
        # H(0) = 0: the convention at the kink is stated with the catalog entry
        tex = rf"H\left({self._print(expr.args[0])}\right)"
        return tex if exp is None else rf"{tex}^{{{exp}}}"

    def _print_Symbol(self, expr, style="plain"):
        # SymPy renames a bound summation index j to ``_j``; printed raw, that is a stray subscript.
        if expr.name.startswith("_") and len(expr.name) > 1:
            expr = sp.Symbol(expr.name.lstrip("_"), **expr.assumptions0)
        return super()._print_Symbol(expr, style)


def latex(expr: sp.Basic) -> str:
    """``expr`` in LaTeX."""
    return LatexMath().doprint(expr)


def unicode(expr: sp.Basic) -> str:
    """``expr`` as one line of Unicode math."""
    return UnicodePrinter().doprint(expr)
