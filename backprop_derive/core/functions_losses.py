r"""The catalog's further vector functions, losses and penalties, as SymPy functions.

Index-notation classes follow :class:`backprop_derive.core.functions.IndexedFunction`: the first argument is the
vector differentiated by (``z``), and :attr:`classes` is the number of its elements K.  Scalar losses
take the logit (or prediction) x first and the label y second, as :class:`backprop_derive.core.functions.sigmoid_bce`.
``partial``/``fdiff`` give the form backprop uses; its equality with the derivative of ``unfold()`` is
proved by :func:`backprop_derive.core.derivation.derive_entry`.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.core.functions import (
    CatalogFunction,
    IndexedFunction,
    _index_sum,
    _np,
    _sum_index,
    log_softmax,
    relu,
    sigmoid,
    softmax,
)

#: Defaults: softmax's temperature, label smoothing's ε, the focal loss's γ (torchvision's), Huber's δ.
TEMPERATURE, SMOOTHING, FOCAL_GAMMA, HUBER_DELTA = sp.Integer(2), sp.Rational(1, 10), sp.Integer(2), sp.Integer(1)


class softmax_t(IndexedFunction):
    r"""Softmax with temperature T, i-th output: :math:`e^{z_i/T}/\sum_j e^{z_j/T}` = softmax(z/T)_i.

    Jacobian: :math:`\partial s_i/\partial z_k = s_i(\delta_{ik} - s_k)/T`.  Arguments ``(z, i, K, T)``.
    """

    nargs = (3, 4)
    defaults = (TEMPERATURE,)
    latex_name = r"\operatorname{softmax\_T}"

    def unfold(self):
        z, i, K, T = self.args
        j = _sum_index(i, K)
        return sp.exp(z[i] / T) / _index_sum(sp.exp(z[j] / T), j, K)

    def partial(self, k):
        z, i, K, T = self.args
        return softmax_t(z, i, K, T) * (sp.KroneckerDelta(i, k) - softmax_t(z, k, K, T)) / T

    def _latex(self, printer, exp=None):
        """``softmax_T(z)_i`` as the reader reads it back (a temperature other than the default is shown)."""
        z, i, _, T = self.args
        extra = "" if T == TEMPERATURE else f", {printer._print(T)}"
        shown = rf"{self.latex_name}\left({printer._print(z)}{extra}\right)_{{{printer._print(i)}}}"
        return shown if exp is None else rf"\left({shown}\right)^{{{exp}}}"


class logsumexp(IndexedFunction):
    r"""Log-sum-exp: :math:`\log\sum_{j=1}^K e^{z_j}`; :math:`\partial/\partial z_k = \operatorname{softmax}(z)_k`.

    Arguments ``(z, K)``.
    """

    nargs = 2
    latex_name = r"\operatorname{logsumexp}"

    @property
    def classes(self):
        return self.args[1]

    def unfold(self):
        z, K = self.args
        j = _sum_index(K)
        return sp.log(_index_sum(sp.exp(z[j]), j, K))

    def partial(self, k):
        z, K = self.args
        return softmax(z, k, K)


class multiclass_svm(IndexedFunction):
    r"""Multiclass SVM (Weston-Watkins, CS231n), one-hot y, margin 1:
    :math:`L = \sum_i (1 - y_i)\max(0, m_i)`, :math:`m_i = 1 + z_i - \sum_j y_j z_j` (the true class's score).

    :math:`\partial L/\partial z_k = (1 - y_k) H(m_k) - y_k \sum_i (1 - y_i) H(m_i)`, with H(0) = 0: at the
    margin the term gives 0, as ``torch.nn.functional.multi_margin_loss`` (which also divides by K).
    Arguments ``(z, y, K)``.
    """

    nargs = 3
    latex_name = r"\operatorname{SVM}"

    def margin(self, i):
        z, y, K = self.args
        j = _sum_index(i, K)
        return 1 + z[i] - _index_sum(y[j] * z[j], j, K)

    def unfold(self):
        _, y, K = self.args
        i = _sum_index(K)
        return _index_sum((1 - y[i]) * relu(self.margin(i)), i, K)

    def partial(self, k):
        _, y, K = self.args
        i = _sum_index(k, K)
        return (1 - y[k]) * sp.Heaviside(self.margin(k), 0) \
            - y[k] * _index_sum((1 - y[i]) * sp.Heaviside(self.margin(i), 0), i, K)


class kl_div(IndexedFunction):
    r"""KL divergence of p = softmax(z) from a target q = y: :math:`\sum_i y_i(\log y_i - \log p_i)`.

    :math:`\partial/\partial z_k = p_k\sum_i y_i - y_k`, which is :math:`p_k - y_k` under
    :math:`\sum_i y_i = 1`.  As ``F.kl_div(F.log_softmax(z), y, reduction='sum')``.  Arguments ``(z, y, K)``.
    """

    nargs = 3
    latex_name = r"\operatorname{KL}"

    def unfold(self):
        z, y, K = self.args
        i = _sum_index(K)
        return _index_sum(y[i] * (sp.log(y[i]) - log_softmax(z, i, K)), i, K)

    def partial(self, k):
        z, y, K = self.args
        i = _sum_index(k, K)
        return softmax(z, k, K) * _index_sum(y[i], i, K) - y[k]


class smoothed_cce(IndexedFunction):
    r"""Label-smoothed cross-entropy: :math:`-\sum_i t_i \log p_i`, :math:`t_i = (1-\varepsilon) y_i + \varepsilon/K`.

    :math:`\partial/\partial z_k = p_k((1-\varepsilon)\sum_i y_i + \varepsilon) - t_k`, which is
    :math:`p_k - t_k` under :math:`\sum_i y_i = 1`.  As ``F.cross_entropy(z, y, label_smoothing=ε)``.
    Arguments ``(z, y, K, ε)``.
    """

    nargs = (3, 4)
    defaults = (SMOOTHING,)
    latex_name = r"\operatorname{CCE\_smooth}"

    def unfold(self):
        z, y, K, eps = self.args
        i = _sum_index(K)
        return -_index_sum(((1 - eps) * y[i] + eps / K) * log_softmax(z, i, K), i, K)

    def partial(self, k):
        z, y, K, eps = self.args
        i = _sum_index(k, K)
        return softmax(z, k, K) * ((1 - eps) * _index_sum(y[i], i, K) + eps) - ((1 - eps) * y[k] + eps / K)


class cosine(IndexedFunction):
    r"""Cosine similarity of a = z and b = y: :math:`c = a\cdot b/(\|a\|\,\|b\|)`.

    :math:`\partial c/\partial a_k = b_k/(\|a\|\|b\|) - c\,a_k/\|a\|^2`.  As ``F.cosine_similarity`` (whose
    ε only guards zero norms).  Arguments ``(z, y, K)``.
    """

    nargs = 3
    latex_name = r"\operatorname{cossim}"

    def norms(self):
        z, y, K = self.args
        i = _sum_index(K)
        return sp.sqrt(_index_sum(z[i] ** 2, i, K)), sp.sqrt(_index_sum(y[i] ** 2, i, K))

    def unfold(self):
        z, y, K = self.args
        i = _sum_index(K)
        na, nb = self.norms()
        return _index_sum(z[i] * y[i], i, K) / (na * nb)

    def partial(self, k):
        z, y, K = self.args
        na, nb = self.norms()
        return y[k] / (na * nb) - cosine(z, y, K) * z[k] / na**2


class hinge(CatalogFunction):
    r"""Binary hinge loss, labels ±1: :math:`\max(0, 1 - y x)`.

    :math:`\partial/\partial x = -y` where :math:`y x < 1`, 0 where :math:`y x \ge 1`: at the margin
    (:math:`y x = 1`) the 0 of ``F.relu(1 - y*x)`` (``clamp(min=0)`` would give -y there).  Arguments ``(x, y)``.
    """

    nargs = 2
    latex_name = r"\operatorname{hinge}"

    def unfold(self):
        x, y = self.args
        return sp.Piecewise((0, 1 - y * x <= 0), (1 - y * x, True))

    def fdiff(self, argindex=1):
        x, y = self.args
        if argindex == 1:
            return sp.Piecewise((0, 1 - y * x <= 0), (-y, True))
        return sp.Piecewise((0, 1 - y * x <= 0), (-x, True))


class huber(CatalogFunction):
    r"""Huber loss, PyTorch's ``huber_loss(x, y, delta=δ)``: with d = x - y, :math:`d^2/2` for
    :math:`|d| < \delta`, else :math:`\delta(|d| - \delta/2)`.

    :math:`\partial/\partial x = d` for :math:`|d| < \delta`, else :math:`\delta\operatorname{sign}(d)`:
    continuous, so no kink convention is needed.  ``smooth_l1_loss(x, y, beta=β)`` is
    ``huber_loss(x, y, delta=β)/β`` (its gradient: d/β inside, sign(d) outside).  Arguments ``(x, y, δ)``.
    """

    nargs = (2, 3)
    latex_name = r"\operatorname{Huber}"

    defaults = (HUBER_DELTA,)

    def unfold(self):
        x, y, delta = self.args
        d = x - y
        return sp.Piecewise((-delta * (d + delta / 2), d <= -delta), (d**2 / 2, d < delta),
                            (delta * (d - delta / 2), True))

    def fdiff(self, argindex=1):
        x, y, delta = self.args
        d = x - y
        if argindex == 1:
            return sp.Piecewise((-delta, d <= -delta), (d, d < delta), (delta, True))
        raise sp.ArgumentIndexError(self, argindex)


class focal(CatalogFunction):
    r"""Binary focal loss on a logit (torchvision's ``sigmoid_focal_loss``, α = -1): with p = σ(x),
    :math:`-y(1-p)^\gamma\log p - (1-y)p^\gamma\log(1-p)`.

    :math:`\partial/\partial x = y(1-p)^\gamma(\gamma p\log p + p - 1) + (1-y)p^\gamma(p - \gamma(1-p)\log(1-p))`:
    the modulating factor's own derivative gives the γ log terms; γ = 0 gives σ(x) - y.  Arguments ``(x, y, γ)``.
    """

    nargs = (2, 3)
    latex_name = r"\operatorname{FL}"

    defaults = (FOCAL_GAMMA,)

    def unfold(self):
        x, y, g = self.args
        p = 1 / (1 + sp.exp(-x))
        return -y * (1 - p) ** g * sp.log(p) - (1 - y) * p**g * sp.log(1 - p)

    def fdiff(self, argindex=1):
        x, y, g = self.args
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        p = sigmoid(x)
        return y * (1 - p) ** g * (g * p * sp.log(p) + p - 1) + (1 - y) * p**g * (p - g * (1 - p) * sp.log(1 - p))


class l1_penalty(CatalogFunction):
    r"""L1 penalty of one weight: :math:`|w|` (times λ in a loss).

    :math:`\partial/\partial w = \operatorname{sign}(w)`: -1, 0 at w = 0 (PyTorch's ``abs`` backward), 1.
    The definition has the value 0 at 0 as a piece of its own, so its derivative there is 0 too.
    """

    nargs = 1
    latex_name = r"\operatorname{L1}"

    def unfold(self):
        w = self.args[0]
        return sp.Piecewise((-w, w < 0), (0, sp.Eq(w, 0)), (w, True))

    def fdiff(self, argindex=1):
        w = self.args[0]
        return sp.Piecewise((-1, w < 0), (0, sp.Eq(w, 0)), (1, True))

    def _numpycode(self, printer):
        return f"{_np(printer, 'abs')}({printer._print(self.args[0])})"


class l2_penalty(CatalogFunction):
    r"""L2 penalty of one weight: :math:`w^2/2` (times λ in a loss).  :math:`\partial/\partial w = w`, so
    λ‖w‖²/2 adds λw to the gradient: PyTorch's ``weight_decay=λ``.  (With λ‖w‖², the gradient is 2λw.)"""

    nargs = 1
    latex_name = r"\operatorname{L2}"

    def unfold(self):
        return self.args[0] ** 2 / 2

    def fdiff(self, argindex=1):
        return self.args[0]
