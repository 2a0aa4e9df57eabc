"""What was read, shown back to the user, and the two rewrites every step gets before it is judged."""

from __future__ import annotations

import sympy as sp
from sympy.printing.str import StrPrinter

from backprop_derive.core.printing import UnicodePrinter


def _exact_decimal(printer, expr) -> str:
    """A rational with a finite decimal expansion (the sample points) as that decimal, every digit."""
    places = next((k for k in range(80) if 10**k % expr.q == 0), None)
    if places is None:
        return StrPrinter._print_Rational(printer, expr)
    digits = str(abs(expr.p) * (10**places // expr.q)).rjust(places + 1, "0")
    whole, fraction = digits[: len(digits) - places], digits[len(digits) - places :].rstrip("0")
    return ("-" if expr.p < 0 else "") + whole + (f".{fraction}" if fraction else "")


class _Value(StrPrinter):
    """A number of a counterexample as SymPy reads it back (``sympify``): exact decimals, ``sqrt(2)/10``."""

    def _print_Rational(self, expr):
        return _exact_decimal(self, expr)


class _Echo(UnicodePrinter):
    """What was read in the one-line Unicode of ``derive show`` -- σ(x)·(1 - σ(x)), Σ_{j=1..K} exp(z_j),
    d/dx(σ(x)) -- kept as written: nothing simplified, so a mis-read is visible; the sample points' exact
    decimals in full."""

    def _print_Indexed(self, expr):
        indices = ",".join(self._print(i) for i in expr.indices)
        simple = all(i.is_Symbol or i.is_Integer for i in expr.indices) and len(expr.indices) == 1
        return f"{expr.base.label}_{indices}" if simple else f"{expr.base.label}_({indices})"

    def _print_IndexedBase(self, expr):
        return str(expr.label)

    def _print_Mul(self, expr):
        """An unevaluated product as read, without the factors 1 the reader's sums carry (Σ 1·exp(z_j))."""
        kept = [a for a in expr.args if a != 1]
        if len(kept) != len(expr.args):
            return self._print(sp.Mul(*kept, evaluate=False)) if len(kept) > 1 else self._print(kept[0] if kept else 1)
        return StrPrinter._print_Mul(self, expr).replace("*", "·")  # the factors in the order written

    def _print_softmax(self, expr):
        z, i, _ = expr.args
        return f"{type(expr).__name__}({self._print(z)})_{self._print(i)}"

    _print_log_softmax = _print_softmax

    def _print_Rational(self, expr):
        return _exact_decimal(self, expr)

    def _print_Pow(self, expr, rational=False):
        """``exp(x)`` for ``E**x``, as SymPy's own ``exp`` prints (an unevaluated reading keeps the power)."""
        if expr.base is sp.E:
            return f"exp({self._print(expr.exp)})"
        return super()._print_Pow(expr, rational)

    def _print_Subs(self, expr):
        """``f'(a)`` for the derivative of an unknown function f evaluated at a."""
        inner, (t,), (at,) = expr.args
        if isinstance(inner, sp.Derivative) and len(inner.variables) == 1 and inner.expr.args == (t,):
            return f"{type(inner.expr).__name__}{chr(39) * inner.derivative_count}({self._print(at)})"
        return super()._print_Subs(expr)

    def _print_Derivative(self, expr):
        by = "".join(f"d{self._print(v)}" if n == 1 else f"d{self._print(v)}^{n}" for v, n in expr.variable_count)
        order = sum(n for _, n in expr.variable_count)
        top = "d" if order == 1 else f"d^{order}"
        return f"{top}/{by}({self._print(expr.expr)})"


def value_text(value: sp.Expr) -> str:
    """A sample value in a counterexample: text that ``sympify`` reads back to the same number."""
    return _Value().doprint(value)


def echo(expr: sp.Basic) -> str:
    """The text shown for what was read (so that a mis-read is visible)."""
    try:
        return _Echo({"order": "none"}).doprint(expr)
    except (TypeError, ValueError, IndexError, AttributeError):  # a construct the printer does not know
        return StrPrinter({"order": "none"}).doprint(expr)


def unify_symbols(*exprs: sp.Expr) -> list[sp.Expr]:
    """One symbol per name: a real ``K`` becomes the integer ``K`` that bounds a sum elsewhere.

    The indices of the variables of derivatives count (``i`` in :math:`\\partial/\\partial a_i` of a sum
    over k): SymPy leaves them out of a derivative's free symbols."""
    written = [s for e in exprs for s in e.free_symbols] + \
        [s for e in exprs for d in e.atoms(sp.Derivative) for v in d.variables for s in v.free_symbols]
    integers = {s.name: s for s in written if isinstance(s, sp.Symbol) and s.is_integer}
    swap = {
        s: integers[s.name]
        for e in exprs
        for s in e.free_symbols
        if isinstance(s, sp.Symbol) and s.name in integers and not s.is_integer and s.is_real
    }
    return [e.xreplace(swap) for e in exprs]


def evaluate_derivatives(expr: sp.Expr) -> sp.Expr:
    """Carry out every ``Derivative`` that was written, innermost first (and every integral: :func:`_integrate`).

    ``sp.diff`` rather than ``Derivative.doit``: the latter answers 0 for ``d/dz_k`` of a sum over
    ``z_j`` (it sees no ``z_k`` among the free symbols), which would be a wrong verdict.
    """
    done = expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: sp.diff(e.expr, *e.variable_count))
    done = done.replace(lambda e: isinstance(e, sp.Subs), lambda e: e.doit())
    return done.replace(lambda e: isinstance(e, sp.Integral), _integrate)


def _integrate(integral: sp.Integral) -> sp.Expr:
    """A definite integral carried out where SymPy finds it in closed form (the Gaussian's is the normal CDF);
    left as written otherwise, which no number can be had of (the step is then not decided by numbers)."""
    done = integral.doit()
    return integral if done.has(sp.Integral) else done
