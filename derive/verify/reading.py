"""What was read, shown back to the user, and the two rewrites every step gets before it is judged."""

from __future__ import annotations

import sympy as sp
from sympy.printing.str import StrPrinter


class _Echo(StrPrinter):
    """SymPy's text form, with ``z_1``/``yhat_i`` for vector elements and ``d/dx(…)`` for derivatives."""

    printmethod = "_derive_echo"  # Indexed's own _sympystr would win otherwise

    def _print_Indexed(self, expr):
        indices = ",".join(self._print(i) for i in expr.indices)
        simple = all(i.is_Symbol or i.is_Integer for i in expr.indices) and len(expr.indices) == 1
        return f"{expr.base.label}_{indices}" if simple else f"{expr.base.label}_({indices})"

    def _print_IndexedBase(self, expr):
        return str(expr.label)

    def _print_softmax(self, expr):
        z, i, _ = expr.args
        return f"{type(expr).__name__}({self._print(z)})_{self._print(i)}"

    _print_log_softmax = _print_softmax

    def _print_Rational(self, expr):
        places = next((k for k in range(80) if 10**k % expr.q == 0), None)
        if places is not None:  # the sample points: exact decimals, every digit
            digits = str(abs(expr.p) * (10**places // expr.q)).rjust(places + 1, "0")
            whole, fraction = digits[: len(digits) - places], digits[len(digits) - places :].rstrip("0")
            return ("-" if expr.p < 0 else "") + whole + (f".{fraction}" if fraction else "")
        return super()._print_Rational(expr)

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


def echo(expr: sp.Basic) -> str:
    """The text shown for what was read (so that a mis-read is visible)."""
    return _Echo({"order": "none"}).doprint(expr)


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
