r"""The one registry: every activation, vector function and loss, declared once.

An :class:`Entry` says what a function is (its SymPy class), what to differentiate and by what
(:meth:`Entry.problem`), the assumptions the form backprop uses needs, the convention at kinks and
where to sample it numerically.  Everything else -- derivations, proofs, CLI, tests, notes -- is
driven by :data:`CATALOG`; a new entry needs no new code elsewhere.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from backprop_derive.core import catalog_more
from backprop_derive.core import functions as fn
from backprop_derive.core.catalog_model import Entry, K, Problem, Slip, i, k, x, y, y_scalar, z
from backprop_derive.core.catalog_model import activation_builder as _activation
from backprop_derive.core.catalog_model import vector_builder as _vector
from backprop_derive.core.prove import index_in_range, sums_to_one

__all__ = ["CATALOG", "Entry", "K", "Problem", "Slip", "UnknownEntryError", "activations", "get", "i", "k", "x",
           "y", "y_scalar", "z"]

def _softmax_cce(classes) -> Problem:
    expr = fn.softmax_cce(z, y, classes)
    canonical = fn.softmax(z, k, classes) - y[k]
    return Problem(expr, z[k], canonical, (index_in_range([k], classes), sums_to_one(y, classes)), k, classes)


def _mse(classes) -> Problem:
    expr = fn.mse(z, y, classes)
    return Problem(expr, z[k], expr.diff(z[k]), (index_in_range([k], classes),), k, classes)


def _sigmoid_bce(_classes) -> Problem:
    expr = fn.sigmoid_bce(x, y_scalar)
    return Problem(expr, x, sp.diff(expr, x))


def _slips() -> dict[str, tuple[Slip, ...]]:
    """The known slips of each entry, by name."""
    s, t, smax = fn.sigmoid, sp.tanh, fn.softmax
    return {
        "sigmoid": (
            Slip(r"\sigma(x)\sigma(x)", lambda u: s(u) ** 2, "sigma' is sigma(1 - sigma), not sigma times sigma"),
            Slip(r"\sigma(x)(1+\sigma(x))", lambda u: s(u) * (1 + s(u)), "the sign inside is -: sigma(1 - sigma)"),
            Slip(r"1-\sigma(x)", lambda u: 1 - s(u), "the factor sigma of sigma(1 - sigma) is missing"),
        ),
        "tanh": (
            Slip(r"1+\tanh^{2}(x)", lambda u: 1 + t(u) ** 2, "tanh' is 1 - tanh^2: the sign is -"),
            Slip(r"1-\tanh(x)", lambda u: 1 - t(u), "tanh' is 1 - tanh^2: the square is missing"),
        ),
        "relu": (
            Slip(r"\operatorname{ReLU}(x)", lambda u: fn.relu(u), "ReLU' is the step H(x) (0 or 1), not ReLU itself"),
            Slip("1", lambda u: sp.Integer(1), "ReLU' is 1 only for x > 0, and 0 for x <= 0"),
        ),
        "softplus": (
            Slip(r"\operatorname{softplus}(x)", lambda u: fn.softplus(u), "softplus' is sigma(x), not softplus"),
            Slip(r"\frac{1}{1+e^{x}}", lambda u: 1 / (1 + sp.exp(u)), "softplus' is 1/(1 + e^{-x}): the sign "
                 "of the exponent"),
        ),
        "silu": (
            Slip(r"\sigma(x)", lambda u: s(u), "the product rule's term x sigma'(x) is missing"),
            Slip(r"\sigma(x)(1-\sigma(x))", lambda u: s(u) * (1 - s(u)), "that is sigma', not the derivative "
                 "of x sigma(x)"),
        ),
        "gelu": (
            Slip(r"\Phi(x)", lambda u: fn.normal_cdf(u), "the product rule's term x phi(x) is missing"),
        ),
        "softmax": (
            Slip(r"\operatorname{softmax}(z)_i(1-\operatorname{softmax}(z)_i)",
                 lambda z_, i_, K_, k_: smax(z_, i_, K_) * (1 - smax(z_, i_, K_)),
                 "that holds only for i = k; for i != k it is -softmax_i softmax_k (a Kronecker delta is missing)"),
            Slip(r"-\operatorname{softmax}(z)_i\operatorname{softmax}(z)_k",
                 lambda z_, i_, K_, k_: -smax(z_, i_, K_) * smax(z_, k_, K_),
                 "that holds only for i != k; the term delta_ik softmax_i is missing"),
        ),
        "log_softmax": (
            Slip(r"1-\operatorname{softmax}(z)_k", lambda z_, i_, K_, k_: 1 - smax(z_, k_, K_),
                 "that holds only for i = k: the Kronecker delta delta_ik is missing"),
        ),
        "softmax_cce": (
            Slip(r"\operatorname{softmax}(z)_k-y_k", lambda z_, y_, K_, k_: smax(z_, k_, K_) - y_[k_],
                 "right only when the labels sum to 1 (one-hot): state that assumption, sum_i y_i = 1"),
            Slip(r"-\frac{y_k}{\operatorname{softmax}(z)_k}", lambda z_, y_, K_, k_: -y_[k_] / smax(z_, k_, K_),
                 "that is the derivative by softmax_k, not by z_k: the softmax Jacobian is missing"),
        ),
        "sigmoid_bce": (
            Slip(r"-\frac{y}{\sigma(x)}+\frac{1-y}{1-\sigma(x)}",
                 lambda u, y_: -y_ / s(u) + (1 - y_) / (1 - s(u)),
                 "that is the derivative by sigma, not by the logit: the factor sigma(1 - sigma) is missing"),
        ),
    }


def _entries() -> dict[str, Entry]:
    relu_kink = "at 0 the derivative of the x <= 0 piece: ReLU'(0) = 0 (PyTorch, JAX)"
    entries = [
        Entry("identity", "activation", fn.identity, "identity(x) = x", _activation(fn.identity)),
        Entry("sigmoid", "activation", fn.sigmoid, "sigmoid(x) = 1/(1 + exp(-x))", _activation(fn.sigmoid)),
        Entry("tanh", "activation", sp.tanh, "tanh(x) = (exp(x) - exp(-x))/(exp(x) + exp(-x))", _activation(sp.tanh)),
        Entry("relu", "activation", fn.relu, "relu(x) = max(0, x)", _activation(fn.relu), relu_kink, (0.0,)),
        Entry(
            "leaky_relu", "activation", fn.leaky_relu, "leaky_relu(x) = x if x > 0 else 0.01*x",
            _activation(fn.leaky_relu),
            "at 0 the derivative of the x <= 0 piece: the slope 0.01 (PyTorch; JAX gives 1)", (0.0,),
        ),
        Entry(
            "elu", "activation", fn.elu, "elu(x) = x if x > 0 else exp(x) - 1", _activation(fn.elu),
            "at 0 the derivative of the x <= 0 piece: alpha = 1 (PyTorch)", (0.0,),
        ),
        Entry("softplus", "activation", fn.softplus, "softplus(x) = log(1 + exp(x))", _activation(fn.softplus)),
        Entry("silu", "activation", fn.silu, "silu(x) = x*sigmoid(x)", _activation(fn.silu)),
        Entry("gelu", "activation", fn.gelu, "gelu(x) = x*(1 + erf(x/sqrt(2)))/2", _activation(fn.gelu)),
        Entry(
            "softmax", "vector", fn.softmax, "softmax(z)_i = exp(z_i)/sum_j exp(z_j)", _vector(fn.softmax),
            domain=(-3.0, 3.0),
        ),
        Entry(
            "log_softmax", "vector", fn.log_softmax, "log_softmax(z)_i = z_i - log(sum_j exp(z_j))",
            _vector(fn.log_softmax), domain=(-3.0, 3.0),
        ),
        Entry(
            "softmax_cce", "loss", fn.softmax_cce, "softmax_cce(z, y) = -sum_i y_i*log(softmax(z)_i)",
            _softmax_cce, domain=(-3.0, 3.0),
        ),
        Entry(
            "sigmoid_bce", "loss", fn.sigmoid_bce,
            "sigmoid_bce(z, y) = -(y*log(sigmoid(z)) + (1 - y)*log(1 - sigmoid(z)))", _sigmoid_bce,
        ),
        Entry("mse", "loss", fn.mse, "mse(z, y) = sum_i (z_i - y_i)**2/K", _mse, domain=(-3.0, 3.0)),
    ]
    slips = _slips()
    entries = [replace(entry, slips=slips.get(entry.name, ())) for entry in entries]
    return {entry.name: entry for entry in [*entries, *catalog_more.entries()]}


#: name -> Entry, in the order they are listed.
CATALOG: dict[str, Entry] = _entries()


class UnknownEntryError(KeyError):
    """A name that is not in the catalog; the message lists the valid names."""

    def __str__(self) -> str:
        return str(self.args[0])


def get(name: str) -> Entry:
    """The entry called ``name``; :class:`UnknownEntryError` (one line, listing valid names) otherwise."""
    try:
        return CATALOG[name]
    except KeyError:
        raise UnknownEntryError(f"unknown catalog entry {name!r}; valid names: {', '.join(CATALOG)}") from None


def activations() -> list[str]:
    """Names of the elementwise activations (what a hidden layer may use)."""
    return [name for name, entry in CATALOG.items() if entry.kind == "activation"]
