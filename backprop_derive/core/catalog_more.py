r"""The catalog people derive next (issue 19): activations beyond the first nine, softmax with temperature,
log-sum-exp, margin, robust, focal, divergence and similarity losses, penalties, and word2vec's objectives.

Each is one :class:`~backprop_derive.core.catalog_model.Entry`, listed by :data:`backprop_derive.core.catalog.CATALOG`
after the first
entries; its canonical derivative is proved by the same machinery
(:func:`backprop_derive.core.derivation.derive_entry`).
Parameters (PReLU's slope, T, ε, γ, δ) take PyTorch's defaults in the entry; the functions accept others.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.core import functions as fn
from backprop_derive.core import functions_losses as fl
from backprop_derive.core import functions_more as fm
from backprop_derive.core.catalog_model import Entry, Problem, Slip, activation_builder, i, k, x, y, y_scalar, z
from backprop_derive.core.prove import index_in_range, sums_to_one

#: PReLU's slope as a symbol: the derivative by it is the entry's second one.
a = sp.Symbol("a", real=True)


def _prelu(_classes) -> Problem:
    expr = fm.prelu(x)
    by_slope = Problem(fm.prelu(x, a), a, sp.diff(fm.prelu(x, a), a))
    return Problem(expr, x, sp.diff(expr, x), others=(by_slope,))


def _scalar_loss(function):
    def build(_classes) -> Problem:
        expr = function(x, y_scalar)
        return Problem(expr, x, sp.diff(expr, x))

    return build


def _penalty(function):
    def build(_classes) -> Problem:
        expr = function(x)
        return Problem(expr, x, sp.diff(expr, x))

    return build


def _softmax_t(classes) -> Problem:
    expr = fl.softmax_t(z, i, classes, fl.TEMPERATURE)
    return Problem(expr, z[k], expr.diff(z[k]), (index_in_range([i, k], classes),), k, classes)


def _indexed_loss(build_expr, labelled: bool):
    """A loss of z (and y) in index notation; ``labelled``: its canonical form assumes Σ_i y_i = 1."""

    def build(classes) -> Problem:
        expr = build_expr(classes)
        assumptions = (index_in_range([k], classes),) + ((sums_to_one(y, classes),) if labelled else ())
        return Problem(expr, z[k], _canonical(expr, classes) if labelled else expr.diff(z[k]), assumptions, k,
                       classes)

    return build


def _canonical(expr, classes):
    """The labelled losses' form backprop uses, with Σ_i y_i = 1 applied."""
    p_k = fn.softmax(z, k, classes)
    if isinstance(expr, fl.smoothed_cce):
        eps = expr.args[3]
        return p_k - ((1 - eps) * y[k] + eps / classes)
    return p_k - y[k]


def _slips() -> dict[str, tuple[Slip, ...]]:
    s, smax = fn.sigmoid, fn.softmax
    return {
        "selu": (Slip("1", lambda u: sp.Integer(1),
                      "for x > 0 SELU' is the scale lambda = 1.0507..., not 1 as ELU's"),),
        "softsign": (Slip(r"\frac{1}{(1+x)^{2}}", lambda u: 1 / (1 + u) ** 2,
                          "the denominator is (1 + |x|)^2: without |x| it is wrong for x < 0"),),
        "hard_sigmoid": (Slip(r"\frac{x+3}{6}", lambda u: (u + 3) / 6,
                              "that is hard_sigmoid's middle piece itself; its derivative is 1/6 there, 0 outside"),),
        "hard_swish": (Slip(r"\frac{x+3}{6}", lambda u: (u + 3) / 6,
                            "the product rule's term x/6 is missing: (2x + 3)/6 for -3 < x < 3"),),
        "prelu": (Slip("1", lambda u, a_: sp.Integer(1),
                       "1 only for x > 0; for x <= 0 the derivative is the slope a"),),
        "mish": (Slip(r"\tanh(\operatorname{softplus}(x))", lambda u: sp.tanh(fn.softplus(u)),
                      "the product rule's term x sigma(x)(1 - tanh^2(softplus(x))) is missing"),),
        "gelu_tanh": (Slip(r"\frac{1}{2}(1+\tanh(\sqrt{\frac{2}{\pi}}(x+\frac{8943}{200000}x^{3})))",
                           lambda u: (1 + sp.tanh(fm.gelu_tanh.inner(u))) / 2,
                           "the product rule's term x (1 - tanh^2 u) u'/2 is missing"),),
        "softmax_t": (Slip(r"-\operatorname{softmax}(z)_i\operatorname{softmax}(z)_k",
                           lambda z_, i_, K_, T_, k_: -smax(z_, i_, K_) * smax(z_, k_, K_),
                           "that is the plain softmax's Jacobian (for i != k): the temperature T is missing"),),
        "logsumexp": (Slip(r"e^{z_k}", lambda z_, K_, k_: sp.exp(z_[k_]),
                           "the derivative of the log is missing: divide by sum_j e^{z_j} (it is softmax_k)"),),
        "hinge": (Slip("-y", lambda u, y_: -y_, "-y only inside the margin (y x < 1); beyond it the gradient is 0"),),
        "multiclass_svm": (Slip(r"\sum_i (1-y_i) H(m_i)",
                                lambda z_, y_, K_, k_: (1 - y_[k_]) * sp.Heaviside(
                                    fl.multiclass_svm(z_, y_, K_).margin(k_), 0),
                                "the true class's own gradient -sum_i H(m_i) (through every margin) is missing"),),
        "huber": (Slip(r"x-y", lambda u, y_, delta_: u - y_,
                       "x - y only for |x - y| < delta; outside the gradient is delta sign(x - y)"),),
        "focal": (Slip(r"(1-\sigma(x))^{2}(\sigma(x)-y)", lambda u, y_, g_: (1 - s(u)) ** g_ * (s(u) - y_),
                       "the derivative of the modulating factor (1 - p)^gamma (the gamma log p terms) is missing"),),
        "kl_div": (Slip(r"-\frac{y_k}{\operatorname{softmax}(z)_k}", lambda z_, y_, K_, k_: -y_[k_] / smax(z_, k_, K_),
                        "that is the derivative by p_k, not by z_k: the softmax Jacobian is missing"),),
        "smoothed_cce": (Slip(r"\operatorname{softmax}(z)_k-y_k",
                              lambda z_, y_, K_, eps_, k_: smax(z_, k_, K_) - y_[k_],
                              "the target is the smoothed (1 - eps) y_k + eps/K, not y_k"),),
        "cosine": (Slip("y_k", lambda z_, y_, K_, k_: y_[k_],
                        "that is the derivative of a.b alone: the division by ||a|| ||b|| and the norm's own "
                        "derivative (- cos a_k/||a||^2) are missing"),),
        "l1_penalty": (Slip("1", lambda u: sp.Integer(1), "|w|' is sign(w): -1 for w < 0 (and 0 at 0)"),),
        "l2_penalty": (Slip("2x", lambda u: 2 * u, "for w^2/2 the gradient is w; 2w is the gradient of w^2"),),
    }


def entries() -> list[Entry]:
    """The further entries, slips attached, in the order ``derive list`` shows them."""
    found = [
        Entry("mish", "activation", fm.mish, "mish(x) = x*tanh(softplus(x))", activation_builder(fm.mish),
              notes=("F.mish",)),
        Entry("selu", "activation", fm.selu, "selu(x) = scale*x if x > 0 else scale*alpha*(exp(x) - 1)",
              activation_builder(fm.selu), "at 0 the derivative of the x <= 0 piece: scale*alpha (PyTorch)", (0.0,),
              notes=("F.selu; scale = 1.0507009873554804934, alpha = 1.6732632423543772848",)),
        Entry("softsign", "activation", fm.softsign, "softsign(x) = x/(1 + |x|)", activation_builder(fm.softsign),
              notes=("F.softsign; smooth at 0 (both pieces give 1)",)),
        Entry("hard_sigmoid", "activation", fm.hard_sigmoid, "hard_sigmoid(x) = relu6(x + 3)/6",
              activation_builder(fm.hard_sigmoid), "at x = -3 and x = 3 the derivative is 0 (PyTorch's hardsigmoid)",
              (-3.0, 3.0), (-5.0, 5.0), notes=("F.hardsigmoid",)),
        Entry("hard_swish", "activation", fm.hard_swish, "hard_swish(x) = x*relu6(x + 3)/6",
              activation_builder(fm.hard_swish), "f'(-3) = 0 and f'(3) = 1 (PyTorch 2.x's hardswish)", (-3.0, 3.0),
              (-5.0, 5.0), notes=("F.hardswish",)),
        Entry("prelu", "activation", fm.prelu, "prelu(x) = x if x > 0 else a*x (a = 0.25, learnable)", _prelu,
              "at 0 the derivative of the x <= 0 piece: the slope a (PyTorch)", (0.0,),
              notes=("torch.nn.PReLU(num_parameters=1, init=0.25): F.prelu(x, weight) with weight = [a]; "
                     "derive show also proves the derivative by the slope a, 0 if x > 0 else x",)),
        Entry("gelu_tanh", "activation", fm.gelu_tanh,
              "gelu_tanh(x) = x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))/2", activation_builder(fm.gelu_tanh),
              notes=("F.gelu(x, approximate='tanh')",)),
        Entry("softmax_t", "vector", fl.softmax_t, "softmax_t(z)_i = exp(z_i/T)/sum_j exp(z_j/T) (T = 2)",
              _softmax_t, domain=(-3.0, 3.0), notes=("F.softmax(z / T)",)),
        Entry("logsumexp", "vector", fl.logsumexp, "logsumexp(z) = log(sum_j exp(z_j))",
              _indexed_loss(lambda K: fl.logsumexp(z, K), labelled=False), domain=(-3.0, 3.0),
              notes=("torch.logsumexp; its gradient is softmax(z)",)),
        Entry("hinge", "loss", fl.hinge, "hinge(x, y) = max(0, 1 - y*x), y in {-1, +1}", _scalar_loss(fl.hinge),
              "at the margin y*x = 1 the gradient is 0 (F.relu(1 - y*x); clamp(min=0) gives -y)", domain=(-3.0, 3.0),
              notes=("the kink is at x = 1/y, so it moves with y",)),
        Entry("huber", "loss", fl.huber, "huber(x, y) = d**2/2 if |d| < 1 else |d| - 1/2, d = x - y",
              _scalar_loss(fl.huber), domain=(-3.0, 3.0),
              notes=("F.huber_loss(x, y, delta=δ); F.smooth_l1_loss(x, y, beta=β) = huber_loss(delta=β)/β",)),
        Entry("focal", "loss", fl.focal, "focal(x, y) = -y(1-p)**2 log p - (1-y)p**2 log(1-p), p = sigmoid(x)",
              _scalar_loss(fl.focal),
              notes=("torchvision.ops.sigmoid_focal_loss(x, y, alpha=-1, gamma=2)",)),
        Entry("kl_div", "loss", fl.kl_div, "kl_div(z, y) = sum_i y_i*(log(y_i) - log(softmax(z)_i))",
              _indexed_loss(lambda K: fl.kl_div(z, y, K), labelled=True), domain=(-3.0, 3.0),
              notes=("F.kl_div(F.log_softmax(z), y, reduction='sum')",)),
        Entry("smoothed_cce", "loss", fl.smoothed_cce,
              "smoothed_cce(z, y) = cce(z, (1 - eps) y + eps/K), eps = 0.1",
              _indexed_loss(lambda K: fl.smoothed_cce(z, y, K, fl.SMOOTHING), labelled=True), domain=(-3.0, 3.0),
              notes=("F.cross_entropy(z, y, label_smoothing=eps)",)),
        Entry("cosine", "loss", fl.cosine, "cosine(a, b) = sum_i a_i*b_i/(|a|*|b|), a = z, b = y",
              _indexed_loss(lambda K: fl.cosine(z, y, K), labelled=False), domain=(0.5, 3.0),
              notes=("F.cosine_similarity(a, b, dim=0)",)),
        Entry("l1_penalty", "loss", fl.l1_penalty, "l1_penalty(w) = |w| (times lambda)", _penalty(fl.l1_penalty),
              "at 0 the gradient is sign(0) = 0 (PyTorch's abs)", (0.0,), notes=("lambda * w.abs().sum()",)),
        Entry("l2_penalty", "loss", fl.l2_penalty, "l2_penalty(w) = w**2/2 (times lambda)", _penalty(fl.l2_penalty),
              notes=("lambda/2 * (w**2).sum(): adds lambda*w to the gradient, as SGD's weight_decay=lambda",)),
    ]
    slips = _slips()
    return [Entry(**{**entry.__dict__, "slips": slips.get(entry.name, ())}) for entry in found]
