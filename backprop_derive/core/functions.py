r"""The catalog's functions as SymPy objects.

Each class is a :class:`sympy.Function`, so ``sympy.diff``, ``sympy.latex``, ``evalf`` and
``sympy.lambdify`` (numpy printer) work on it directly.  Every class carries three things:

* ``unfold()`` -- the definition in elementary functions (what a textbook writes);
* ``fdiff`` / ``_eval_derivative`` -- the derivative in the form backprop uses, so that
  ``sympy.diff(sigmoid(x), x)`` is ``sigmoid(x)*(1 - sigmoid(x))``.  That this form equals the
  derivative of the definition is *proved* for every entry (see :mod:`backprop_derive.canonical`);
* printing: ``\sigma(x)`` in LaTeX, a numerically stable expression for numpy.

Kinks follow PyTorch: the derivative at a kink is the one of the ``x <= 0`` piece, which the
``Piecewise`` definitions encode by listing the ``x <= 0`` piece first.

Vector functions and losses use SymPy's index notation: ``z`` is an :class:`~sympy.IndexedBase`,
``i`` an index and ``K`` the number of classes (a symbol, or an integer for a concrete K).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

LEAKY_RELU_SLOPE = sp.Rational(1, 100)
ELU_ALPHA = sp.Integer(1)


class CatalogFunction(sp.Function):
    """A catalog function: a SymPy ``Function`` that knows its own definition."""

    #: LaTeX of the function's name, e.g. ``\sigma``.
    latex_name: str = ""
    #: Values of the trailing parameters a call may leave out (leaky_relu's slope): an application without
    #: them has them, evaluated or not (the reader builds applications unevaluated), and prints without them.
    defaults: tuple[sp.Basic, ...] = ()

    def __new__(cls, *args, **options):
        if cls.defaults:
            left_out = max(cls.nargs) - len(args)  # nargs: SymPy's FiniteSet of the arities
            if 0 < left_out <= len(cls.defaults):
                args = (*args, *cls.defaults[len(cls.defaults) - left_out:])
        return super().__new__(cls, *args, **options)

    def unfold(self) -> sp.Expr:
        """The definition of this application in elementary functions."""
        raise NotImplementedError

    def _eval_evalf(self, prec):
        return unfold(self)._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        args = ", ".join(printer._print(a) for a in self._shown_args())
        shown = rf"{self.latex_name}\left({args}\right)"
        return shown if exp is None else rf"{shown}^{{{exp}}}"

    def _sympystr(self, printer):
        """``leaky_relu(x)``: the name and the arguments as written (a parameter at its default left out)."""
        return f"{type(self).__name__}({', '.join(printer._print(a) for a in self._shown_args())})"

    def _shown_args(self) -> tuple[sp.Basic, ...]:
        """The arguments as written: trailing parameters at their default left out."""
        args = self.args
        for default in reversed(self.defaults):
            if len(args) > 1 and args[-1] == default:
                args = args[:-1]
            else:
                break
        return args


def unfold(expr: sp.Basic) -> sp.Basic:
    """Replace every catalog function in ``expr`` by its definition, repeatedly."""
    while True:
        new = expr.replace(lambda e: isinstance(e, CatalogFunction), lambda e: e.unfold())
        if new == expr:
            return new
        expr = new


def _np(printer, name: str) -> str:
    return printer._module_format(f"numpy.{name}")


# --------------------------------------------------------------------------- activations


class identity(CatalogFunction):
    r"""Identity: :math:`f(x) = x`, :math:`f'(x) = 1`."""

    nargs = 1
    latex_name = r"\operatorname{id}"

    def unfold(self):
        return self.args[0]

    def fdiff(self, argindex=1):
        return sp.Integer(1)

    def _numpycode(self, printer):
        return f"(1.0*{printer._print(self.args[0])})"


class sigmoid(CatalogFunction):
    r"""Logistic sigmoid: :math:`\sigma(x) = 1/(1 + e^{-x})`, :math:`\sigma' = \sigma(1-\sigma)`.

    numpy form: ``exp(-logaddexp(0, -x))``, which neither overflows nor loses precision.
    """

    nargs = 1
    latex_name = r"\sigma"

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.S.Half

    def unfold(self):
        return 1 / (1 + sp.exp(-self.args[0]))

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

    def _numpycode(self, printer):
        x = printer._print(self.args[0])
        return f"{_np(printer, 'exp')}(-{_np(printer, 'logaddexp')}(0, -({x})))"


class relu(CatalogFunction):
    r"""ReLU: :math:`\max(0, x)`; :math:`\mathrm{ReLU}'(x) = H(x)` with :math:`H(0) = 0` (PyTorch)."""

    nargs = 1
    latex_name = r"\operatorname{ReLU}"

    def unfold(self):
        x = self.args[0]
        return sp.Piecewise((0, x <= 0), (x, True))

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    def _numpycode(self, printer):
        return f"{_np(printer, 'maximum')}(0, {printer._print(self.args[0])})"


class leaky_relu(CatalogFunction):
    r"""Leaky ReLU: :math:`x` for :math:`x > 0`, :math:`a x` for :math:`x \le 0` (slope a = 0.01).

    :math:`f'(x) = 1` for :math:`x > 0`, :math:`a` for :math:`x \le 0`, so :math:`f'(0) = a` (PyTorch;
    JAX takes 1 at 0).  ``leaky_relu(x)`` means ``leaky_relu(x, 1/100)``.
    """

    nargs = (1, 2)
    latex_name = r"\operatorname{LeakyReLU}"

    defaults = (LEAKY_RELU_SLOPE,)

    def unfold(self):
        x, a = self.args
        return sp.Piecewise((a * x, x <= 0), (x, True))

    def fdiff(self, argindex=1):
        x, a = self.args
        if argindex == 1:
            return sp.Piecewise((a, x <= 0), (1, True))
        return sp.Piecewise((x, x <= 0), (0, True))

    def _numpycode(self, printer):
        x, a = (printer._print(arg) for arg in self.args)
        return f"{_np(printer, 'where')}(({x}) > 0, {x}, ({a})*({x}))"


class elu(CatalogFunction):
    r"""ELU: :math:`x` for :math:`x > 0`, :math:`\alpha(e^x - 1)` for :math:`x \le 0` (α = 1).

    In terms of its output: :math:`f'(x) = 1` for :math:`x > 0`, :math:`f(x) + \alpha` for
    :math:`x \le 0`, so :math:`f'(0) = \alpha` (PyTorch).  ``elu(x)`` means ``elu(x, 1)``.
    """

    nargs = (1, 2)
    latex_name = r"\operatorname{ELU}"

    defaults = (ELU_ALPHA,)

    def unfold(self):
        x, a = self.args
        return sp.Piecewise((a * (sp.exp(x) - 1), x <= 0), (x, True))

    def fdiff(self, argindex=1):
        x, a = self.args
        if argindex == 1:
            return sp.Piecewise((elu(x, a) + a, x <= 0), (1, True))
        return sp.Piecewise((sp.exp(x) - 1, x <= 0), (0, True))

    def _numpycode(self, printer):
        x, a = (printer._print(arg) for arg in self.args)
        neg = f"({a})*{_np(printer, 'expm1')}({_np(printer, 'minimum')}({x}, 0))"
        return f"{_np(printer, 'where')}(({x}) > 0, {x}, {neg})"


class softplus(CatalogFunction):
    r"""Softplus: :math:`\log(1 + e^x)`; :math:`\mathrm{softplus}'(x) = \sigma(x)`.

    numpy form: ``logaddexp(0, x)``, finite for any x.
    """

    nargs = 1
    latex_name = r"\operatorname{softplus}"

    def unfold(self):
        return sp.log(1 + sp.exp(self.args[0]))

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _numpycode(self, printer):
        return f"{_np(printer, 'logaddexp')}(0, {printer._print(self.args[0])})"


class silu(CatalogFunction):
    r"""SiLU (swish): :math:`x\,\sigma(x)`; :math:`f'(x) = \sigma(x)\,(1 + x(1 - \sigma(x)))`."""

    nargs = 1
    latex_name = r"\operatorname{SiLU}"

    def unfold(self):
        x = self.args[0]
        return x / (1 + sp.exp(-x))

    def fdiff(self, argindex=1):
        x = self.args[0]
        return sigmoid(x) * (1 + x * (1 - sigmoid(x)))

    def _numpycode(self, printer):
        return f"(({printer._print(self.args[0])})*{printer._print(sigmoid(self.args[0]))})"


def _erf(printer, arg: str) -> str:
    """numpy has no erf: the math module's, vectorised (exact to double precision)."""
    return f"{_np(printer, 'vectorize')}({printer._module_format('math.erf')}, otypes=[float])({arg})"


class normal_cdf(CatalogFunction):
    r"""Standard normal CDF: :math:`\Phi(x) = \tfrac12\,(1 + \operatorname{erf}(x/\sqrt2))`; :math:`\Phi' = \varphi`."""

    nargs = 1
    latex_name = r"\Phi"

    def unfold(self):
        return (1 + sp.erf(self.args[0] / sp.sqrt(2))) / 2

    def fdiff(self, argindex=1):
        return normal_pdf(self.args[0])

    def _numpycode(self, printer):
        scaled = f"({printer._print(self.args[0])})/{_np(printer, 'sqrt')}(2)"
        return f"(0.5*(1 + {_erf(printer, scaled)}))"


class normal_pdf(CatalogFunction):
    r"""Standard normal density: :math:`\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}`; :math:`\varphi' = -x\varphi`."""

    nargs = 1
    latex_name = r"\varphi"

    def unfold(self):
        x = self.args[0]
        return sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)

    def fdiff(self, argindex=1):
        return -self.args[0] * normal_pdf(self.args[0])

    def _numpycode(self, printer):
        x = printer._print(self.args[0])
        return f"({_np(printer, 'exp')}(-({x})**2/2)/{_np(printer, 'sqrt')}(2*{_np(printer, 'pi')}))"


class gelu(CatalogFunction):
    r"""GELU, exact (erf) form: :math:`x\,\Phi(x)`; :math:`f'(x) = \Phi(x) + x\,\varphi(x)`."""

    nargs = 1
    latex_name = r"\operatorname{GELU}"

    def unfold(self):
        x = self.args[0]
        return x * (1 + sp.erf(x / sp.sqrt(2))) / 2

    def fdiff(self, argindex=1):
        x = self.args[0]
        return normal_cdf(x) + x * normal_pdf(x)

    def _numpycode(self, printer):
        x = self.args[0]
        return f"(({printer._print(x)})*{printer._print(normal_cdf(x))})"


# ------------------------------------------------------------------- vector functions, losses


def _index_sum(body, j: sp.Symbol, K) -> sp.Expr:
    """``Sum(body, (j, 1, K))``, expanded into terms when K is an integer."""
    total = sp.Sum(body, (j, 1, K))
    return total.doit() if getattr(K, "is_Integer", False) else total


def fresh_symbol(names: Sequence[str], taken, **assumptions) -> sp.Symbol:
    """The first of ``names`` (a symbol with ``assumptions``) free in none of ``taken``, else a Dummy
    named ``names[0]``: a new variable that clashes with nothing already written."""
    used = set().union(*(sp.sympify(t).free_symbols for t in taken))
    for name in names:
        candidate = sp.Symbol(name, **assumptions)
        if candidate not in used:
            return candidate
    return sp.Dummy(names[0], **assumptions)


def _sum_index(*taken) -> sp.Symbol:
    """A summation index that clashes with none of ``taken``'s free symbols."""
    return fresh_symbol(("j", "l", "m", "p", "q"), taken, integer=True, positive=True)


def _derivative_index(s, base):
    """The index ``k`` when ``s`` is ``base[k]``, else None."""
    if isinstance(s, sp.Indexed) and s.base == base and len(s.indices) == 1:
        return s.indices[0]
    return None


class IndexedFunction(CatalogFunction):
    """A vector function or loss over an ``IndexedBase``; derivatives only by its elements."""

    @property
    def classes(self) -> sp.Expr:
        """K, the number of elements of the first argument (the third argument, unless a class says)."""
        return self.args[2]

    def _eval_derivative(self, s):
        k = _derivative_index(s, self.args[0])
        if k is None:
            if self.has(s):
                return sp.Derivative(self, s)
            return sp.S.Zero
        return self.partial(k)

    def partial(self, k) -> sp.Expr:
        """The derivative with respect to the k-th element, in the form backprop uses."""
        raise NotImplementedError


class softmax(IndexedFunction):
    r"""Softmax, i-th output: :math:`\hat y_i = e^{z_i} / \sum_{j=1}^K e^{z_j}`.

    Jacobian: :math:`\partial \hat y_i / \partial z_k = \hat y_i(\delta_{ik} - \hat y_k)`.
    Arguments ``(z, i, K)``.
    """

    nargs = 3
    latex_name = r"\operatorname{softmax}"

    def unfold(self):
        z, i, K = self.args
        j = _sum_index(i, K)
        return sp.exp(z[i]) / _index_sum(sp.exp(z[j]), j, K)

    def partial(self, k):
        z, i, K = self.args
        return softmax(z, i, K) * (sp.KroneckerDelta(i, k) - softmax(z, k, K))

    def _latex(self, printer):
        z, i, _ = self.args
        return rf"\operatorname{{softmax}}\left({printer._print(z)}\right)_{{{printer._print(i)}}}"


class log_softmax(IndexedFunction):
    r"""Log-softmax, i-th output: :math:`z_i - \log \sum_{j=1}^K e^{z_j}`.

    Jacobian: :math:`\delta_{ik} - \hat y_k`.  Arguments ``(z, i, K)``.
    """

    nargs = 3
    latex_name = r"\operatorname{log\,softmax}"

    def unfold(self):
        z, i, K = self.args
        j = _sum_index(i, K)
        return z[i] - sp.log(_index_sum(sp.exp(z[j]), j, K))

    def partial(self, k):
        z, i, K = self.args
        return sp.KroneckerDelta(i, k) - softmax(z, k, K)

    def _latex(self, printer):
        z, i, _ = self.args
        return rf"\log\operatorname{{softmax}}\left({printer._print(z)}\right)_{{{printer._print(i)}}}"


class softmax_cce(IndexedFunction):
    r"""Categorical cross-entropy on logits: :math:`L = -\sum_{i=1}^K y_i \log \hat y_i`, ŷ = softmax(z).

    :math:`\partial L/\partial z_k = \hat y_k \sum_i y_i - y_k`, which is :math:`\hat y_k - y_k`
    under :math:`\sum_i y_i = 1` (one-hot or any distribution).  Arguments ``(z, y, K)``.
    """

    nargs = 3
    latex_name = r"\operatorname{CCE}"

    def unfold(self):
        z, y, K = self.args
        i = _sum_index(K)
        return -_index_sum(y[i] * log_softmax(z, i, K), i, K)

    def partial(self, k):
        z, y, K = self.args
        i = _sum_index(k, K)
        return softmax(z, k, K) * _index_sum(y[i], i, K) - y[k]


class sigmoid_bce(CatalogFunction):
    r"""Binary cross-entropy on a logit: :math:`-(y\log\sigma(z) + (1-y)\log(1-\sigma(z)))`.

    :math:`\partial L / \partial z = \sigma(z) - y`.  Arguments ``(z, y)``.
    """

    nargs = 2
    latex_name = r"\operatorname{BCE}"

    def unfold(self):
        z, y = self.args
        s = 1 / (1 + sp.exp(-z))
        return -(y * sp.log(s) + (1 - y) * sp.log(1 - s))

    def fdiff(self, argindex=1):
        z, y = self.args
        if argindex == 1:
            return sigmoid(z) - y
        return -z


class mse(IndexedFunction):
    r"""Mean squared error over K outputs: :math:`L = \frac1K \sum_{i=1}^K (z_i - y_i)^2`.

    :math:`\partial L/\partial z_k = \frac2K (z_k - y_k)`.  Arguments ``(z, y, K)``.
    """

    nargs = 3
    latex_name = r"\operatorname{MSE}"

    def unfold(self):
        z, y, K = self.args
        i = _sum_index(K)
        return _index_sum((z[i] - y[i]) ** 2, i, K) / K

    def partial(self, k):
        z, y, K = self.args
        return 2 * (z[k] - y[k]) / K
