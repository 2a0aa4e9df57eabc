r"""Convolution and pooling in index form, on explicit grids, and their proof on instances.

The index calculus of :mod:`backprop_derive.network.layers.indices` works on matrix expressions of symbolic sizes;
a convolution's shifted indices (:math:`X_{c,\,s i + p - P}`) and a zero padding need range
reasoning it does not do.  These layers are proved **exactly on explicit instances** instead:
every entry of the input, the parameters and the upstream G a SymPy symbol, the forward written
entry by entry in index form, ``sympy.diff`` of :math:`\langle G, Y\rangle` by every entry of every
input and parameter, minus the claimed backward formula, expanded to 0.  The sizes are named in
the proof's method and in its ``sizes``; it is never called symbolic.

The formulas below work for any number of spatial axes (conv1d: one, conv2d: two), on anything
indexed by tuples with a ``shape``: a ``sympy.Array`` of symbols (the proof) or a numpy array (the
tests evaluate the same formulas at numbers and compare them with the kernels).  Per sample, no batch
axis: x is (C, *spatial), a weight (O, C, *kernel), G (O, *out).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import dataclass

import sympy as sp

from backprop_derive.core.prove import Proof
from backprop_derive.network.layers.base import LayerProof


def array(name: str, shape) -> sp.MutableDenseNDimArray:
    """An array of symbols ``name_i_j…``, one per entry."""
    entries = [sp.Symbol(f"{name}_{'_'.join(map(str, index))}") for index in itertools.product(*map(range, shape))]
    return sp.MutableDenseNDimArray(entries, shape)


def tensor(shape, entry) -> sp.MutableDenseNDimArray:
    """The array whose entry at each index tuple is ``entry(index)``."""
    return sp.MutableDenseNDimArray([entry(index) for index in itertools.product(*map(range, shape))], shape)


def at(grid, channel, spot, zero=0):
    """``grid[channel, *spot]``, or 0 outside the grid (the zero padding)."""
    if all(0 <= u < size for u, size in zip(spot, grid.shape[1:], strict=True)):
        return grid[(channel, *spot)]
    return zero


def out_sizes(sizes, kernel, stride, padding):
    """Output sizes per spatial axis: ⌊(size + 2P − k)/s⌋ + 1."""
    return tuple((size + 2 * padding - k) // stride + 1 for size, k in zip(sizes, kernel, strict=True))


# ----------------------------------------------------------------------------- convolution


def conv_forward(x, W, b, stride=1, padding=0):
    """:math:`Y_{o,i} = b_o + \\sum_{c,p} X_{c,\\, s i + p - P} W_{o,c,p}` (i, p index tuples)."""
    kernel = W.shape[2:]
    out = out_sizes(x.shape[1:], kernel, stride, padding)
    offsets = list(itertools.product(*map(range, kernel)))

    def entry(index):
        o, spot = index[0], index[1:]
        return b[o] + sum(at(x, c, [stride * i + p - padding for i, p in zip(spot, offset, strict=True)])
                          * W[(o, c, *offset)] for c in range(W.shape[1]) for offset in offsets)

    return tensor((W.shape[0], *out), entry)


def conv_input_gradient(G, W, in_sizes, stride=1, padding=0, flips=1, dilate=True):
    """∂L/∂X, the full correlation of the stride-dilated, padded upstream with the flipped kernel.

    :math:`\\partial L/\\partial X_{c,h} = \\sum_{o,p'} \\tilde G_{o,\\, h + P - (k-1) + p'}\\,
    W_{o,c,\\,k-1-p'}`, with :math:`\\tilde G_{o, s i} = G_{o,i}` and 0 elsewhere (dilated by s).
    ``flips`` (1) and ``dilate`` (True) are there to plant mistakes: a kernel not flipped (0) or
    flipped twice (2), the stride forgotten (False).
    """
    kernel = W.shape[2:]
    step = stride if dilate else 1
    offsets = list(itertools.product(*map(range, kernel)))

    def flipped(o, c, offset):
        turned = [k - 1 - p if flips % 2 else p for p, k in zip(offset, kernel, strict=True)]
        return W[(o, c, *turned)]

    def dilated(o, spot):
        if any(u % step for u in spot):
            return 0
        return at(G, o, [u // step for u in spot])

    def entry(index):
        c, spot = index[0], index[1:]
        return sum(dilated(o, [h + padding - (k - 1) + p for h, k, p in zip(spot, kernel, offset, strict=True)])
                   * flipped(o, c, offset) for o in range(W.shape[0]) for offset in offsets)

    return tensor((W.shape[1], *in_sizes), entry)


def conv_weight_gradient(G, x, W, stride=1, padding=0):
    """:math:`\\partial L/\\partial W_{o,c,p} = \\sum_i G_{o,i} X_{c,\\, s i + p - P}`."""
    spots = list(itertools.product(*map(range, G.shape[1:])))

    def entry(index):
        o, c, offset = index[0], index[1], index[2:]
        return sum(G[(o, *spot)] * at(x, c, [stride * i + p - padding for i, p in zip(spot, offset, strict=True)])
                   for spot in spots)

    return tensor(W.shape, entry)


def conv_bias_gradient(G):
    """:math:`\\partial L/\\partial b_o = \\sum_i G_{o,i}`."""
    spots = list(itertools.product(*map(range, G.shape[1:])))
    return tensor((G.shape[0],), lambda index: sum(G[(index[0], *spot)] for spot in spots))


def conv_backward_with(flips=1, stride_in_backward=True):
    """The conv backward, with a mistake planted when ``flips`` != 1 or the stride is forgotten."""

    def backward(G, x, W, b, stride=1, padding=0):
        used = stride if stride_in_backward else 1
        return {"dx": conv_input_gradient(G, W, x.shape[1:], stride, padding, flips, stride_in_backward),
                "dW": conv_weight_gradient(G, x, W, used, padding), "db": conv_bias_gradient(G)}

    return backward


# -------------------------------------------------------------------------------- pooling


def _window(x, c, spot, kernel, stride):
    return [x[(c, *[stride * i + p for i, p in zip(spot, offset, strict=True)])]
            for offset in itertools.product(*[range(kernel)] * len(spot))]


def pool_sizes(x, kernel, stride):
    return out_sizes(x.shape[1:], [kernel] * (len(x.shape) - 1), stride or kernel, 0)


def maxpool_forward(x, kernel=2, stride=None):
    """:math:`Y_{c,i} = \\max_p X_{c,\\, s i + p}` over the k×k window."""
    stride = stride or kernel
    return tensor((x.shape[0], *pool_sizes(x, kernel, stride)),
                  lambda index: sp.Max(*_window(x, index[0], index[1:], kernel, stride)))


def avgpool_forward(x, kernel=2, stride=None):
    """:math:`Y_{c,i} = \\frac{1}{k^2} \\sum_p X_{c,\\, s i + p}`."""
    stride = stride or kernel
    return tensor((x.shape[0], *pool_sizes(x, kernel, stride)),
                  lambda index: sp.Add(*_window(x, index[0], index[1:], kernel, stride)) / kernel ** (len(index) - 1))


def _hits(shape_in, G, kernel, stride):
    """For each input cell, the (output index, window offset) pairs whose window covers it."""
    hits = {index: [] for index in itertools.product(*map(range, shape_in))}
    for index in itertools.product(*map(range, G.shape)):
        c, spot = index[0], index[1:]
        for number, offset in enumerate(itertools.product(*[range(kernel)] * len(spot))):
            hits[(c, *[stride * i + p for i, p in zip(spot, offset, strict=True)])].append((index, number))
    return hits


def maxpool_backward_with(every_cell=False):
    """Each window's G to its first argmax (row-major), as PyTorch; ``every_cell`` plants the mistake."""

    def backward(G, x, kernel=2, stride=None):
        stride = stride or kernel
        first = {}
        for index in itertools.product(*map(range, G.shape)):
            window = _window(x, index[0], index[1:], kernel, stride)
            first[index] = max(range(len(window)), key=lambda n: (window[n], -n))  # first of the maxima
        hits = _hits(x.shape, G, kernel, stride)
        return {"dx": tensor(x.shape, lambda index: sum(G[out] for out, number in hits[index]
                                                        if every_cell or first[out] == number))}

    return backward


def avgpool_backward_with(scaled=True):
    """G/k² to every cell of its window; ``scaled=False`` forgets the 1/k² (a planted mistake)."""

    def backward(G, x, kernel=2, stride=None):
        hits = _hits(x.shape, G, kernel, stride or kernel)
        share = sp.Integer(kernel) ** (len(x.shape) - 1) if scaled else 1
        return {"dx": tensor(x.shape, lambda index: sum(G[out] for out, _ in hits[index]) / share)}

    return backward


# ----------------------------------------------------------------------------- the proof


def _at_point(grid, where):
    """``grid`` with the symbols of ``where`` replaced by their values."""
    return grid.applyfunc(lambda entry: entry.xreplace(where)) if where else grid


def _monomial_derivative(factors, symbol):
    """∂(Π factors)/∂symbol when one factor holds the symbol: the product rule's one term.

    That factor is the symbol itself (derivative 1), or a ``Max`` with the symbol as one argument
    (SymPy's own partial derivative ``Max.fdiff``: a Heaviside of the argument minus the other
    arguments' max); anything else goes through ``sympy.diff``.
    """
    holding = [factor for factor in factors if symbol in factor.free_symbols]
    rest = sp.Mul(*[factor for factor in factors if symbol not in factor.free_symbols])
    if len(holding) == 1 and holding[0] == symbol:
        return rest
    if len(holding) == 1 and isinstance(holding[0], sp.Max) and list(holding[0].args).count(symbol) == 1 and all(
            symbol not in arg.free_symbols for arg in holding[0].args if arg != symbol):
        return rest * holding[0].fdiff(list(holding[0].args).index(symbol) + 1)
    return sp.diff(sp.Mul(*factors), symbol)


def _gradient(pairing) -> dict:
    """``{symbol: ∂pairing/∂symbol}``, monomial by monomial, summed.

    Each monomial through :func:`_monomial_derivative`."""
    parts = {}
    for term in sp.Add.make_args(sp.expand(pairing)):
        factors = sp.Mul.make_args(term)
        for symbol in term.free_symbols:
            parts.setdefault(symbol, []).append(_monomial_derivative(factors, symbol))
    return {symbol: sp.Add(*terms) for symbol, terms in parts.items()}


@dataclass(frozen=True)
class Instance:
    """One explicit size: per-sample shapes of the inputs and parameters, the settings, a label."""

    shapes: dict
    settings: dict
    label: str


def prove_on_instances(name, forward, backward, instances, points=0) -> LayerProof:
    """Each gradient of ``backward`` equals ∂⟨G, forward⟩ by every entry, exactly, on every instance.

    ``points`` = 0: every entry a symbol.  ``points`` = m > 0 (max-pooling, differentiable only where
    a window's entries differ): G symbolic, x at m points of distinct integers in seeded random
    orders; ``sympy.diff`` of the forward's ``Max`` there, against the formula evaluated there.
    """
    start = time.perf_counter()
    failures = {}
    keys = [f"d{key}" for key in instances[0].shapes]
    for instance in instances:
        arrays = {key: array(key, shape) for key, shape in instance.shapes.items()}
        out = forward(*arrays.values(), **instance.settings)
        G = array("G", out.shape)
        true = _gradient(sp.Add(*[G[index] * out[index] for index in itertools.product(*map(range, out.shape))]))
        orders = [None] if not points else [random.Random(seed).sample(range(1, math.prod(arrays["x"].shape) + 1),
                                                                       math.prod(arrays["x"].shape))
                                            for seed in range(points)]
        for order in orders:
            where = {} if order is None else dict(zip(sp.flatten(arrays["x"].tolist()), map(sp.Integer, order),
                                                      strict=True))
            values = {key: _at_point(value, where) for key, value in arrays.items()}
            claimed = backward(G, *values.values(), **instance.settings)
            for key, value in arrays.items():
                formula = claimed.get(f"d{key}")
                wrong = formula is None or tuple(formula.shape) != tuple(value.shape) or any(
                    sp.expand(true.get(value[index], sp.S.Zero).xreplace(where) - formula[index]) != 0
                    for index in itertools.product(*map(range, value.shape)))
                if wrong:
                    failures.setdefault(f"d{key}", instance.label)
    how = ("exactly on instances (every entry a SymPy symbol; sympy.diff of ⟨G, out⟩ by every entry minus the "
           "formula expands to 0)" if not points else
           f"exactly on instances (G symbolic; x at {points} points of distinct integers in seeded random orders; "
           "sympy.diff of the forward's Max there minus the formula is 0)")
    sizes = "instances: " + "; ".join(instance.label for instance in instances)
    method = f"{how}: {sizes[len('instances: '):]}"
    gradients = tuple((key, Proof(key not in failures, method if key not in failures else
                                  f"∂L/∂{key[1:]} differs from the derivative of ⟨G, out⟩ at {failures[key]}"))
                      for key in keys)
    return LayerProof(name, gradients, time.perf_counter() - start, sizes)
