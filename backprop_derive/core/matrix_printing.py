r"""Matrix expressions as people write them: the text and LaTeX of the network's and the layers' equations.

SymPy's own printers show the canonical tree: ``(-1) mu 1ᵀ + x``, ``HadamardPower(xc, 2)``,
``Lambda(_d, exp(_d)).(S)``, ``1/sqrt(d) Q Kᵀ``.  These print the same expressions as a derivation writes them:

* a term with a negative coefficient is subtracted, after the others: ``x − mu 1ᵀ``;
* an elementwise power is ``xc∘²`` (``∘(-1/2)`` for other exponents), LaTeX :math:`x_c^{\circ 2}`;
* an elementwise function is applied by name: ``exp(S)``, ``phi'(u)``;
* a matrix of ones is ``1`` (a column), ``1ᵀ`` (a row) or ``1 1ᵀ`` (a square block);
* a Hadamard product keeps its sums in parentheses: ``rstd 1ᵀ ⊙ (gh − …)``;
* square roots are ``√d``.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _signed(term) -> tuple[bool, sp.Basic]:
    """``(negative, the term without its sign)`` for one term of a matrix sum: ``(-1/n) 1 gh`` → ``1/n 1 gh``."""
    first = term.args[0] if isinstance(term, sp.MatMul) else None
    if first is None or getattr(first, "is_Matrix", False) or not first.could_extract_minus_sign():
        return False, term
    size, rest = -term.args[0], term.args[1:]
    if size != 1:
        return True, sp.MatMul(size, *rest)
    return True, rest[0] if len(rest) == 1 else sp.MatMul(*rest)


def _atomic(expr) -> bool:
    return isinstance(expr, (sp.MatrixSymbol, sp.Symbol, sp.Number, sp.OneMatrix))


def _scaled(expr) -> bool:
    """A matrix product with a scalar coefficient (``1/d gh 1 1ᵀ``): parenthesised inside ``⊙``."""
    return isinstance(expr, sp.MatMul) and any(not getattr(a, "is_Matrix", False) for a in expr.args)


def _function_name(function) -> tuple[str, sp.Basic | None]:
    """The name an elementwise function is applied by (``exp``, ``phi'``)."""
    if isinstance(function, sp.Lambda) and len(function.variables) == 1:
        body = function.expr
        if isinstance(body, sp.Function) and body.args == function.variables:
            return type(body).__name__, None
        return None, function
    return getattr(function, "__name__", str(function)), None


class MatrixText(StrPrinter):
    """Plain text; ``names`` maps a MatrixSymbol to the name shown (its code name otherwise)."""

    def __init__(self, names=None):
        super().__init__()
        self.names = names or {}

    def _print_MatrixSymbol(self, expr):
        return self.names.get(expr, expr.name)

    def _print_MatMul(self, expr):
        first, *rest = expr.args
        if isinstance(first, sp.OneMatrix) and first.shape[1] == 1 and rest:
            return " ".join(self._print(a) for a in rest)  # the bias row, added to every sample
        return " ".join(self._scalar(a) if not getattr(a, "is_Matrix", False) else self.parenthesize(
            a, PRECEDENCE["Mul"]) for a in expr.args)

    def _scalar(self, factor) -> str:
        code = self._print(factor)
        return f"({code})" if isinstance(factor, sp.Add) else code

    def _print_MatAdd(self, expr):
        positive, negative = [], []
        for term in expr.args:
            minus, term = _signed(term)
            (negative if minus else positive).append(self.parenthesize(term, PRECEDENCE["Add"]))
        text = " + ".join(positive) if positive else "−" + negative.pop(0)
        return " − ".join([text, *negative])

    def _atom(self, expr) -> str:
        return self._print(expr) if _atomic(expr) else f"({self._print(expr)})"

    def _print_Pow(self, expr):
        if expr.exp == sp.Rational(1, 2):
            return f"√{self._atom(expr.base)}"
        if expr.exp == sp.Rational(-1, 2):
            return f"1/√{self._atom(expr.base)}"
        return super()._print_Pow(expr)

    def _print_Transpose(self, expr):
        return f"{self._atom(expr.arg)}ᵀ"

    def _print_OneMatrix(self, expr):
        rows, cols = expr.shape
        return "1ᵀ" if rows == 1 else "1" if cols == 1 else "1 1ᵀ"

    def _print_HadamardProduct(self, expr):
        return " ⊙ ".join(f"({self._print(a)})" if isinstance(a, (sp.MatAdd, sp.HadamardProduct)) or _scaled(a)
                          else self._print(a) for a in expr.args)

    def _print_HadamardPower(self, expr):
        base = self._atom(expr.base)
        if expr.exp.is_Integer:
            return f"{base}∘{str(expr.exp).translate(_SUPERSCRIPT)}"
        return f"{base}∘({self._print(expr.exp)})"

    def _print_ElementwiseApplyFunction(self, expr):
        name, function = _function_name(expr.function)
        if name is None:
            return f"({self._print(function)}).({self._print(expr.expr)})"
        return f"{name}({self._print(expr.expr)})"


class MatrixLatex(LatexPrinter):
    """LaTeX, with the same conventions as :class:`MatrixText` (``symbol_names`` for the symbols)."""

    def _print_OneMatrix(self, expr):
        rows, cols = expr.shape
        return r"\mathbf{1}^{T}" if rows == 1 else r"\mathbf{1}" if cols == 1 else r"\mathbf{1}\mathbf{1}^{T}"

    def _print_HadamardProduct(self, expr):
        return r" \odot ".join(rf"\left({self._print(a)}\right)"
                               if isinstance(a, (sp.MatAdd, sp.HadamardProduct)) or _scaled(a)
                               else self._print(a) for a in expr.args)

    def _print_MatAdd(self, expr):
        positive, negative = [], []
        for term in expr.args:
            minus, term = _signed(term)
            (negative if minus else positive).append(self._print(term))
        text = " + ".join(positive) if positive else "- " + negative.pop(0)
        return " - ".join([text, *negative])

    def _print_ElementwiseApplyFunction(self, expr):
        name, _ = _function_name(expr.function)
        if name is None:
            return super()._print_ElementwiseApplyFunction(expr)
        shown = {"exp": r"\exp"}.get(name, rf"\operatorname{{{name}}}" if len(name.rstrip("'")) > 1 else name)
        return rf"{shown}\left({self._print(expr.expr)}\right)"
