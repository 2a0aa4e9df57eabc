r"""The layer protocol: what a layer declares, in one place, and the lemma every layer gets.

A :class:`Layer` declares

* ``forward(keep, x, *params)`` -- its forward pass, a SymPy matrix expression that works on
  ``MatrixSymbol`` objects of any shape (symbolic in the lemma, concrete in a network); each
  intermediate the backward reuses goes through ``keep(name, value)``, which the lemma answers with
  the value itself and a network with a named symbol (so code computes it once);
* ``backward(keep, g, x, *params, saved)`` -- its backward formulas in matrix form, ``{"dx": ...,
  "d<param>": ...}`` for the upstream gradient ``g`` = ∂L/∂out, the forward's intermediates in ``saved``;
* ``parameters`` and their shapes for an input of width d (``shapes``), and ``settings`` (ε);
* ``constants`` -- inputs that are given, not differentiated (an embedding's one-hot token matrix, a
  dropout mask): passed to ``forward``/``backward`` after the inputs, before the parameters, and left
  out of the proof and of the gradients (none by default);
* ``steps`` -- the derivation a person writes, in index notation then in matrix form, as data
  (``(lhs, rhs, rule)`` strings; printing is the CLI's);
* its reference bindings live in ``backprop_derive/numeric/bindings/<name>.py`` (the only other file a layer has).

:func:`prove_layer` is the proof every layer gets: each backward formula, at a generic entry, equals
the derivative of ⟨G, out⟩ for symbolic sizes (:mod:`backprop_derive.network.layers.indices`).

Extensions, unused by the layers that need none of them:

* several outputs (an LSTM cell's h' and c'): ``outputs`` names them, ``forward`` returns one matrix
  per name, the backward's ``g`` is the tuple of upstreams ``G_<name>``, and the lemma's scalar is
  :math:`\sum_o \langle G_o, o\rangle`;
* inputs given, not differentiated (an embedding's one-hot ids, a dropout mask): ``constants``;
* a layer proved otherwise sets ``prove(backward)``, which returns its :class:`LayerProof`, whose ``sizes``
  says what the proof covers: an RNN over T steps by composing its step lemma, or a layer the index
  calculus does not reach (convolution and pooling: shifted indices, zero padding) exactly on explicit
  instances (:mod:`backprop_derive.network.layers.grids`).  Such a layer with ``grid`` set has index-form ``forward``
  and
  ``backward`` on explicit grids, not matrix expressions, and gives its matrix form as data: the steps
  of ``form="matrix"`` (:meth:`Layer.matrix_steps`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from backprop_derive.core.prove import Proof
from backprop_derive.network.layers import indices

#: Symbolic sizes: rows (samples) n, features d (and, for attention, keys m and value width e).
n, d, m, e = sp.symbols("n d m e", integer=True, positive=True)
#: The norms' ε, positive (torch's default 1e-5 in code).
epsilon = sp.Symbol("epsilon", positive=True)


@dataclass(frozen=True)
class Step:
    """One line of a layer's derivation: ``lhs = rhs`` because ``rule``, in index or matrix form."""

    lhs: str
    rhs: str
    rule: str
    form: str = "index"  # or "matrix"

    def to_json(self) -> dict:
        return {"lhs": self.lhs, "rhs": self.rhs, "rule": self.rule, "form": self.form}


@dataclass(frozen=True)
class Layer:
    """One layer kind; see the module docstring.  ``inputs`` names the differentiated inputs (``x``,
    or ``Q, K, V`` for attention) and ``shapes(n, d)`` gives every input's and parameter's shape."""

    name: str
    summary: str
    matches: str
    parameters: tuple[str, ...]
    shapes: Callable[..., dict[str, tuple]]
    forward: Callable[..., list[tuple[str, sp.MatrixExpr]]]
    backward: Callable[..., list[tuple[str, sp.MatrixExpr]]]
    steps: tuple[Step, ...]
    inputs: tuple[str, ...] = ("x",)
    settings: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    constants: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()  # several outputs by name; () for one output with upstream G
    #: ``prove(backward) -> LayerProof``: a proof of the layer's own (by composition, or on instances).
    prove: Callable[..., LayerProof] | None = None
    #: Forward and backward on explicit grids (convolution, pooling): the matrix form is data.
    grid: bool = False

    @property
    def on_instances(self) -> bool:
        """True for a layer on explicit grids, proved on instances, whose matrix form is its steps of
        ``form="matrix"``."""
        return self.grid

    def matrix_steps(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.form == "matrix")

    def upstreams(self, out):
        """The upstream gradient(s) for ``out``: ``G``, or ``(G_h, G_c)`` for outputs ``("h", "c")``."""
        if not self.outputs:
            return sp.MatrixSymbol("G", *out.shape)
        return tuple(sp.MatrixSymbol(f"G_{name}", *o.shape) for name, o in zip(self.outputs, out, strict=True))

    def symbols(self, sizes=(n, d)) -> dict[str, sp.MatrixSymbol]:
        """A MatrixSymbol for every input and parameter, at ``sizes`` (symbolic by default)."""
        return {name: sp.MatrixSymbol(name, *shape) for name, shape in self.shapes(*sizes).items()}

    def arguments(self, symbols) -> list[sp.MatrixSymbol]:
        return [symbols[name] for name in (*self.inputs, *self.constants, *self.parameters)]

    def equations(self, symbols=None, named=None):
        """Forward and backward as named equations, each intermediate kept as its own symbol.

        ``named(name, shape)`` gives the symbol an intermediate is kept as (``MatrixSymbol(name)`` by
        default); returns ``(forward, out, backward, gradients)``: lists of ``(symbol, value)``, the
        output expression, and ``{"dx": ..., "dgamma": ...}``.
        """
        symbols = symbols or self.symbols()
        named = named or (lambda name, shape: sp.MatrixSymbol(name, *shape))
        forward, backward = [], []

        def keeper(into):
            def keep(name, value):
                symbol = named(name, value.shape)
                into.append((symbol, value))
                return symbol
            return keep

        out = self.forward(keeper(forward), *self.arguments(symbols))
        saved = {symbol.name: symbol for symbol, _ in forward}
        upstream = self.upstreams(out)
        gradients = self.backward(keeper(backward), upstream, *self.arguments(symbols), saved=saved)
        return forward, out, backward, gradients


@dataclass(frozen=True)
class LayerProof:
    """The lemma: every gradient of the layer proved for symbolic sizes, and how."""

    layer: str
    gradients: tuple[tuple[str, Proof], ...]
    seconds: float
    #: "symbolic", or what else the proof covers ("instances: " and the sizes it was proved at).
    sizes: str = "symbolic"

    @property
    def proved(self) -> bool:
        return all(proof.proved for _, proof in self.gradients)

    @property
    def method(self) -> str:
        methods = [proof.method for _, proof in self.gradients]
        if self.proved:
            return "; ".join(dict.fromkeys(methods))
        return "; ".join(f"{name}: {proof.method}" for name, proof in self.gradients if not proof.proved)

    def to_json(self) -> dict:
        return {"layer": self.layer, "proved": self.proved, "method": self.method, "sizes": self.sizes,
                "gradients": {name: proof.proved for name, proof in self.gradients},
                "seconds": round(self.seconds, 3)}


def _inline(name, value):
    return value


#: The lemma of each layer as declared, proved once per process (an LSTM cell's takes seconds; the CLI, the
#: notes, a network's proof and the tests ask for it again and again).  Keyed by the Layer itself.
_PROVED: dict[int, tuple[Layer, LayerProof]] = {}


def prove_layer(layer: Layer, backward: Callable | None = None, only: tuple[str, ...] | None = None) -> LayerProof:
    """Each backward formula (``backward`` overrides the layer's, to plant a mistake) equals ∂⟨G, out⟩.

    For symbolic sizes by index calculus, or by the layer's own ``prove`` (composition, instances).
    ``only`` names the inputs and parameters to prove (all by default): a test of one planted mistake
    need not prove every gradient.  The layer's own formulas, all of them, are proved once per process.
    """
    if backward is not None or only is not None:
        return _prove(layer, backward, only)
    found = _PROVED.get(id(layer))
    if found is None or found[0] is not layer:
        found = _PROVED[id(layer)] = (layer, _prove(layer, None, None))
    return found[1]


def _prove(layer: Layer, backward: Callable | None, only: tuple[str, ...] | None) -> LayerProof:
    if layer.prove is not None:
        return layer.prove(backward)
    start = time.perf_counter()
    symbols = layer.symbols()
    saved = {}

    def keep(name, value):
        saved[name] = value
        return value

    out = layer.forward(keep, *layer.arguments(symbols))
    upstream = layer.upstreams(out)
    try:
        formulas = (backward or layer.backward)(_inline, upstream, *layer.arguments(symbols), saved=saved)
    except (sp.ShapeError, TypeError, ValueError) as err:
        return LayerProof(layer.name, (("formulas", Proof(False, f"the formulas do not fit the shapes: {err}")),),
                          time.perf_counter() - start)
    if layer.outputs:
        loss = sp.Add(*[indices.pairing(g, o) for g, o in zip(upstream, out, strict=True)])
    else:
        loss = indices.pairing(upstream, out)
    results = []
    for name in (*layer.inputs, *layer.parameters):
        if only is not None and name not in only:
            continue
        target = symbols[name]
        key = f"d{name}"
        if key not in formulas:
            results.append((key, Proof(False, f"no formula for ∂L/∂{name}")))
            continue
        claimed = formulas[key]
        if claimed.shape != target.shape:
            results.append((key, Proof(False, f"∂L/∂{name} has shape {claimed.shape}, {name} has {target.shape}")))
            continue
        row = indices.a if target.shape[0] != 1 else 0
        col = indices.b if target.shape[1] != 1 else 0
        true = sp.diff(loss, indices.entry(target, row, col))
        try:
            method = indices.equal_entries(true, indices.entry(claimed, row, col))
        except TypeError as err:  # a matrix expression with no index form
            method, claimed = None, err
        results.append((key, Proof(True, method) if method else
                        Proof(False, f"∂L/∂{name}[a,b] is not the derivative of ⟨G, out⟩: index calculus "
                                     "left a non-zero difference")))
    return LayerProof(layer.name, tuple(results), time.perf_counter() - start)
