r"""The catalog's further activations, as SymPy functions (see :mod:`backprop_derive.core.functions` for the contract).

Each class carries ``unfold()`` (the definition), ``fdiff`` (the form backprop uses, proved equal to the
derivative of the definition by :func:`backprop_derive.core.derivation.derive_entry`) and a numpy form.  Conventions
are PyTorch's (``torch.nn.functional``), kinks included: the ``Piecewise`` definitions list the piece
whose derivative PyTorch takes at a kink first, as :mod:`backprop_derive.core.functions` does for ReLU.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.core.functions import CatalogFunction, _np, leaky_relu, sigmoid, softplus

#: torch.nn.SELU's constants, to the digits PyTorch's source gives.
SELU_ALPHA = sp.Rational("1.6732632423543772848170429916717")
SELU_SCALE = sp.Rational("1.0507009873554804934193349852946")
#: torch.nn.PReLU's initial slope (``init=0.25``): what ``prelu(x)`` means.
PRELU_SLOPE = sp.Rational(1, 4)


class mish(CatalogFunction):
    r"""Mish: :math:`x\tanh(\operatorname{softplus}(x))`;
    :math:`f'(x) = \tanh(\operatorname{sp}(x)) + x\,\sigma(x)\,(1 - \tanh^2(\operatorname{sp}(x)))`."""

    nargs = 1
    latex_name = r"\operatorname{Mish}"

    def unfold(self):
        x = self.args[0]
        return x * sp.tanh(sp.log(1 + sp.exp(x)))

    def fdiff(self, argindex=1):
        x = self.args[0]
        t = sp.tanh(softplus(x))
        return t + x * sigmoid(x) * (1 - t**2)

    def _numpycode(self, printer):
        x = printer._print(self.args[0])
        return f"(({x})*{_np(printer, 'tanh')}({_np(printer, 'logaddexp')}(0, {x})))"


class selu(CatalogFunction):
    r"""SELU: :math:`\lambda x` for :math:`x > 0`, :math:`\lambda\alpha(e^x - 1)` for :math:`x \le 0`
    (PyTorch's λ ≈ 1.0507, α ≈ 1.6733); :math:`f'(x) = \lambda` or :math:`\lambda\alpha e^x`, so
    :math:`f'(0) = \lambda\alpha` (the x ≤ 0 piece, as PyTorch)."""

    nargs = 1
    latex_name = r"\operatorname{SELU}"

    def unfold(self):
        x = self.args[0]
        return sp.Piecewise((SELU_SCALE * SELU_ALPHA * (sp.exp(x) - 1), x <= 0), (SELU_SCALE * x, True))

    def fdiff(self, argindex=1):
        x = self.args[0]
        return sp.Piecewise((SELU_SCALE * SELU_ALPHA * sp.exp(x), x <= 0), (SELU_SCALE, True))

    def _numpycode(self, printer):
        x = printer._print(self.args[0])
        neg = f"{float(SELU_ALPHA)!r}*{_np(printer, 'expm1')}({_np(printer, 'minimum')}({x}, 0))"
        return f"({float(SELU_SCALE)!r}*{_np(printer, 'where')}(({x}) > 0, {x}, {neg}))"


class softsign(CatalogFunction):
    r"""Softsign: :math:`x/(1 + |x|)`; :math:`f'(x) = 1/(1 + |x|)^2` (smooth: both pieces give 1 at 0)."""

    nargs = 1
    latex_name = r"\operatorname{softsign}"

    def unfold(self):
        x = self.args[0]
        return sp.Piecewise((x / (1 - x), x <= 0), (x / (1 + x), True))

    def fdiff(self, argindex=1):
        x = self.args[0]
        return sp.Piecewise((1 / (1 - x) ** 2, x <= 0), (1 / (1 + x) ** 2, True))  # 1/(1 + |x|)^2

    def _numpycode(self, printer):
        x = printer._print(self.args[0])
        return f"(({x})/(1 + {_np(printer, 'abs')}({x})))"


class hard_sigmoid(CatalogFunction):
    r"""Hard sigmoid, PyTorch's: :math:`\operatorname{ReLU6}(x + 3)/6` -- 0 for :math:`x \le -3`,
    :math:`x/6 + 1/2` for :math:`-3 < x < 3`, 1 for :math:`x \ge 3`; :math:`f' = 1/6` strictly inside,
    0 outside, so :math:`f'(\pm 3) = 0` (PyTorch)."""

    nargs = 1
    latex_name = r"\operatorname{hardsigmoid}"

    def unfold(self):
        x = self.args[0]
        return sp.Piecewise((0, x <= -3), (x / 6 + sp.S.Half, x < 3), (1, True))

    def fdiff(self, argindex=1):
        x = self.args[0]
        return sp.Piecewise((0, x <= -3), (sp.Rational(1, 6), x < 3), (0, True))

    def _numpycode(self, printer):
        x = printer._print(self.args[0])
        return f"({_np(printer, 'clip')}(({x}) + 3, 0, 6)/6)"


class hard_swish(CatalogFunction):
    r"""Hard swish, PyTorch's ``hardswish``: :math:`x\,\operatorname{ReLU6}(x + 3)/6`;
    :math:`f' = 0` for :math:`x \le -3`, :math:`(2x + 3)/6` for :math:`-3 < x < 3`, 1 for :math:`x \ge 3`
    (so :math:`f'(-3) = 0`, :math:`f'(3) = 1`, as PyTorch 2.x)."""

    nargs = 1
    latex_name = r"\operatorname{hardswish}"

    def unfold(self):
        x = self.args[0]
        return sp.Piecewise((0, x <= -3), (x * (x + 3) / 6, x < 3), (x, True))

    def fdiff(self, argindex=1):
        x = self.args[0]
        return sp.Piecewise((0, x <= -3), ((2 * x + 3) / 6, x < 3), (1, True))

    def _numpycode(self, printer):
        x = printer._print(self.args[0])
        return f"(({x})*{_np(printer, 'clip')}(({x}) + 3, 0, 6)/6)"


class prelu(leaky_relu):
    r"""PReLU: :math:`x` for :math:`x > 0`, :math:`a x` for :math:`x \le 0`, with a learnable slope a -- leaky
    ReLU's formula, derivatives and code, with a = 1/4 when it is left out.

    :math:`\partial f/\partial x = 1` or :math:`a` (so :math:`a` at 0, as PyTorch), and
    :math:`\partial f/\partial a = 0` or :math:`x`.  ``prelu(x)`` means ``prelu(x, 1/4)``, the initial
    slope of ``torch.nn.PReLU()`` (one slope shared by all channels; ``F.prelu(x, weight)``).
    """

    latex_name = r"\operatorname{PReLU}"
    defaults = (PRELU_SLOPE,)


#: √(2/π) and the cubic coefficient of GELU's tanh approximation.
GELU_C, GELU_A = sp.sqrt(2 / sp.pi), sp.Rational(44715, 1000000)


class gelu_tanh(CatalogFunction):
    r"""GELU, tanh approximation (PyTorch's ``approximate='tanh'``):
    :math:`\tfrac12 x (1 + \tanh u)`, :math:`u = \sqrt{2/\pi}(x + 0.044715 x^3)`;
    :math:`f' = \tfrac12(1 + \tanh u) + \tfrac12 x (1 - \tanh^2 u)\sqrt{2/\pi}(1 + 3\cdot0.044715 x^2)`."""

    nargs = 1
    latex_name = r"\operatorname{GELU\_tanh}"

    @staticmethod
    def inner(x):
        return GELU_C * (x + GELU_A * x**3)

    def unfold(self):
        x = self.args[0]
        return x * (1 + sp.tanh(self.inner(x))) / 2

    def fdiff(self, argindex=1):
        x = self.args[0]
        t = sp.tanh(self.inner(x))
        return (1 + t) / 2 + x * (1 - t**2) * GELU_C * (1 + 3 * GELU_A * x**2) / 2

    def _numpycode(self, printer):
        x = printer._print(self.args[0])
        inner = f"{float(GELU_C)!r}*(({x}) + {float(GELU_A)!r}*({x})**3)"
        return f"(0.5*({x})*(1 + {_np(printer, 'tanh')}({inner})))"
