r"""Proof that a network's matrix-form backprop equals the derivative of its scalar loss.

The proof is made of lemmas for symbolic sizes, composed by the chain rule, so it costs the same at
any depth and width (:func:`prove_network`):

* each layer kind the network uses -- dense (with the ``formulas`` given), a generic elementwise
  activation f (δ = ∂L/∂A ⊙ f'(Z)), the norm, the skip connection -- has its VJP proved for symbolic
  n and widths by index calculus (:mod:`backprop_derive.network.layers`);
* the reverse sweep of :func:`backprop_derive.network.backprop.backprop` applies each proved backward to the gradient
  of that layer's output and adds the gradients of a value used twice (the skip): the chain rule;
* δ_L, the loss's evaluated form and each f' are proved as below (parts 2 and 3).

The instance proof of earlier versions stays, as an independent cross-check the tests run:

1. **Matrix backprop, for any activations and any loss.**  On small explicit instances (every
   weight, bias and input a symbol; batch ≥ 2; several shapes of the network's depth), with a
   generic, undefined activation :math:`f_l` per hidden layer and a generic loss
   :math:`\ell(Z_L)` of all n·K logits, ``sympy.diff`` of the scalar loss by every entry of every
   :math:`W_l` and :math:`b_l` equals the matching entry of the matrix formulas, started from
   :math:`\delta_L = (\partial\ell/\partial Z_L[r,c])`.  Undefined functions keep the
   expressions small, so this is fast, and it holds for every activation and loss at once.
2. **δ_L for the network's loss and reduction.**  Each entry of the formula (for softmax_cce with
   mean: :math:`(\hat Y - Y)/n`) equals the derivative of the loss built from the catalog's
   definitions, unfolded; and the stable elementwise form the code evaluates (for BCE:
   :math:`\operatorname{softplus}(z) - yz`) equals that definition.
3. **f' for each hidden activation**: the catalog's canonical derivative equals the derivative of
   the activation's definition.

Parts 1 and 3 together say the formulas hold with :math:`f_l` the real activations: substituting a
function and its proved derivative for :math:`f_l` and :math:`f_l'` keeps an identity an identity.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from backprop_derive.core import catalog
from backprop_derive.core import functions as fn
from backprop_derive.core.functions import CatalogFunction, unfold
from backprop_derive.core.prove import Proof, prove_equal
from backprop_derive.network.backprop import (
    MATRIX_FORMULAS,
    MatrixFormulas,
    OutputLoss,
    output_loss,
    p,
    pre_activation,
    q,
    y,
    z,
)
from backprop_derive.network.backprop import K as K_SYMBOL
from backprop_derive.network.backprop import n as n_symbol
from backprop_derive.network.layers import LAYERS, Layer, LayerProof, prove_layer
from backprop_derive.network.losses import get_loss
from backprop_derive.network.spec import NetworkSpec

#: The loss part is proved for a batch of 2 and at most this many classes (the formula is the same for all K).
LOSS_INSTANCE_CLASSES = 3


@dataclass(frozen=True)
class ProofPart:
    """One claim of the network proof, the instances it was proved on, and how."""

    claim: str
    instances: tuple[str, ...]
    proof: Proof

    def to_json(self) -> dict:
        return {"claim": self.claim, "instances": list(self.instances), "proved": self.proof.proved,
                "method": self.proof.method, "assumptions": list(self.proof.assumptions)}


@dataclass(frozen=True)
class NetworkProof:
    """All parts; ``proved`` only if every part is."""

    spec: NetworkSpec
    parts: tuple[ProofPart, ...]
    seconds: float

    @property
    def proved(self) -> bool:
        return all(part.proof.proved for part in self.parts)

    @property
    def method(self) -> str:
        if self.proved:
            return "; ".join(f"{part.claim}: {part.proof.method}" for part in self.parts)
        failed = [part for part in self.parts if not part.proof.proved]
        return "; ".join(f"NOT PROVED {part.claim}: {part.proof.method}" for part in failed)

    def to_json(self) -> dict:
        return {"proved": self.proved, "method": self.method, "seconds": round(self.seconds, 3),
                "parts": [part.to_json() for part in self.parts]}


# ------------------------------------------------------------------- part 1: matrix backprop


def _generic_activation(layer: int) -> type[sp.Function]:
    """An undefined activation f_l whose derivative is the undefined f_l' (no Subs objects)."""
    prime = sp.Function(f"f{layer}'")
    return type(f"f{layer}", (sp.Function,), {"nargs": 1, "fdiff": lambda self, argindex=1: prime(self.args[0])})


def generic_loss(arguments: int) -> tuple[type[sp.Function], list[type[sp.Function]]]:
    """An undefined scalar loss ℓ of ``arguments`` logits and its undefined partials ∂ℓ/∂z_k."""
    partials = [sp.Function(f"ell_{k}") for k in range(1, arguments + 1)]
    loss = type("ell", (sp.Function,), {"nargs": arguments,
                                        "fdiff": lambda self, argindex=1: partials[argindex - 1](*self.args)})
    return loss, partials


def _reduces_to_zero(difference: sp.Expr, names: dict[sp.Expr, sp.Dummy]) -> bool:
    """``expand`` after naming each applied undefined function by a symbol (``names``): exact.

    ``names`` maps every f_l(Z), f_l'(Z) and ∂ℓ(Z_L) of the instance to a symbol, so ``expand``
    works on a polynomial and never descends into the functions' (large) arguments.
    """
    return sp.expand(difference.xreplace(names)) == 0


def _applied(activations, pre, partials, logits) -> dict[sp.Expr, sp.Dummy]:
    """Every applied undefined function the derivatives and formulas can contain, each named."""
    applied = [partial(*logits) for partial in partials]
    for f, z_matrix in zip(activations, pre, strict=False):
        applied += [f(e) for e in z_matrix] + [f(e).fdiff() for e in z_matrix]
    return {expr: sp.Dummy() for expr in applied}


def _derivative(loss: sp.Expr, variable: sp.Symbol) -> sp.Expr:
    """``sympy.diff(loss, variable)`` for ``loss`` an applied function (ℓ of the logits).

    The same chain rule ``Derivative(...).doit()`` runs, entered at ``Function._eval_derivative``,
    which skips re-scanning the whole loss for the variable (a third of the time on these instances).
    """
    return loss._eval_derivative(variable)


def matrix_instances(depth: int) -> tuple[tuple[tuple[int, ...], int], ...]:
    """Small instances ``(widths, batch)`` of a network with ``depth`` dense layers.

    The first alternates widths 2, 3 so no weight matrix is square (a transposed formula has the
    wrong shape); the second has a batch of 3 and other widths (3, 2, ... for shallow networks;
    all 2 for deeper ones, which keeps the default network's proof under 2 s).
    """
    first = tuple(2 + (i % 2) for i in range(depth + 1))
    second = tuple(3 - (i % 2) for i in range(depth + 1)) if depth <= 2 else (2,) * (depth + 1)
    return (first, 2), (second, 3)


def prove_matrix_backprop(widths: tuple[int, ...], batch: int,
                          formulas: MatrixFormulas = MATRIX_FORMULAS) -> Proof:
    """Every entry of ∂L/∂W_l and ∂L/∂b_l from ``formulas`` equals ``sympy.diff`` of the loss."""
    depth = len(widths) - 1
    x = sp.Matrix(batch, widths[0], lambda r, c: sp.Symbol(f"x_{r + 1}_{c + 1}"))
    weights, biases = [], []
    for layer in range(1, depth + 1):
        fan_in, fan_out = widths[layer - 1], widths[layer]
        weights.append(sp.Matrix(fan_in, fan_out, lambda i, j, k=layer: sp.Symbol(f"w{k}_{i + 1}_{j + 1}")))
        biases.append(sp.Matrix(1, fan_out, lambda _, j, k=layer: sp.Symbol(f"b{k}_{j + 1}")))
    activations = [_generic_activation(layer) for layer in range(1, depth)]
    # index i holds layer i + 1: pre[i] = Z_{i+1}, inputs[i] = A_i (inputs[0] = X)
    a, inputs, pre = x, [x], []
    for i in range(depth):
        pre.append(pre_activation(a, weights[i], biases[i]))
        if i < depth - 1:
            a = pre[i].applyfunc(activations[i])
            inputs.append(a)
    ell, partials = generic_loss(batch * widths[-1])
    logits = list(pre[-1])
    loss = ell(*logits)
    delta = sp.Matrix(batch, widths[-1], [partial(*logits) for partial in partials])
    names = _applied(activations, pre, partials, logits)
    for layer in range(depth, 0, -1):
        i = layer - 1
        try:
            gradients = {f"W{layer}": (weights[i], formulas.weight_gradient(inputs[i], delta)),
                         f"b{layer}": (biases[i], formulas.bias_gradient(delta))}
        except sp.ShapeError as err:
            return Proof(False, f"the formulas for layer {layer} do not fit the shapes: {err}")
        for name, (parameter, formula) in gradients.items():
            if formula.shape != parameter.shape:
                return Proof(False, f"∂L/∂{name} has shape {formula.shape}, {name} has {parameter.shape}")
            for index, (entry, claimed) in enumerate(zip(parameter, formula, strict=True)):
                if not _reduces_to_zero(_derivative(loss, entry) - claimed, names):
                    row, col = divmod(index, parameter.shape[1])
                    return Proof(False, f"∂L/∂{name}[{row + 1},{col + 1}] differs from sympy.diff of the loss")
        if layer > 1:
            z_prev = pre[i - 1]
            derivative = sp.Matrix(*z_prev.shape, [activations[i - 1](e).fdiff() for e in z_prev])
            try:
                upstream = formulas.input_gradient(delta, weights[i])
                delta = formulas.hidden_delta(upstream, derivative)
            except sp.ShapeError as err:
                return Proof(False, f"the formulas for δ{i} do not fit the shapes: {err}")
            if delta.shape != z_prev.shape:
                return Proof(False, f"δ{i} has shape {delta.shape}, Z{i} has {z_prev.shape}")
    return Proof(True, "sympy.diff of the loss by every entry, minus the formula, expands to 0 "
                       "(f_l, f_l', ℓ, ∂ℓ undefined functions)")


# ------------------------------------------------------------------------------ part 2: δ_L


def _rows(name: str, batch: int) -> list[sp.IndexedBase]:
    return [sp.IndexedBase(f"{name}{r}", real=True) for r in range(1, batch + 1)]


def loss_definition(out: OutputLoss, logits, labels, batch: int, classes: int) -> sp.Expr:
    """The scalar loss from the catalog's definitions: ``logits``/``labels`` are rows of IndexedBase."""
    scale = out.scale.subs({n_symbol: batch, K_SYMBOL: classes})
    return scale * get_loss(out.loss).definition(logits, labels, classes)


def _elementwise(expr: sp.Expr, zr, yr, c: int, batch: int, classes: int) -> sp.Expr:
    """An elementwise formula at row ``zr``/``yr``, column ``c``: p = softmax, q = log softmax."""
    return expr.subs({p: fn.softmax(zr, c, classes), q: fn.log_softmax(zr, c, classes), z: zr[c], y: yr[c],
                      n_symbol: batch, K_SYMBOL: classes})


def prove_output_delta(out: OutputLoss, batch: int, classes: int) -> Proof:
    """Each entry of δ_L equals the derivative of the loss's unfolded definition by that logit."""
    logits, labels = _rows("z", batch), _rows("y", batch)
    definition = unfold(loss_definition(out, logits, labels, batch, classes))
    assumptions = get_loss(out.loss).assumptions(labels, classes)
    methods = []
    for zr, yr in zip(logits, labels, strict=True):
        for c in range(1, classes + 1):
            claimed = unfold(_elementwise(out.delta, zr, yr, c, batch, classes))
            proof = prove_equal(claimed, sp.diff(definition, zr[c]), assumptions)
            if not proof.proved:
                return Proof(False, f"δ[{zr.label},{c}]: {proof.method}", proof.assumptions)
            methods.append(proof.method)
    used = tuple(a.text for a in assumptions)
    return Proof(True, "definitions unfolded on both sides, then " + _methods(methods), used)


def prove_loss_form(out: OutputLoss, batch: int, classes: int) -> Proof:
    """The elementwise form the code evaluates, scale·Σ term, equals the loss's definition."""
    logits, labels = _rows("z", batch), _rows("y", batch)
    scale = out.scale.subs({n_symbol: batch, K_SYMBOL: classes})
    stable = scale * sum(_elementwise(out.term, zr, yr, c, batch, classes)
                         for zr, yr in zip(logits, labels, strict=True) for c in range(1, classes + 1))
    record = get_loss(out.loss)
    if record.termwise:  # the sum is termwise: prove one element, the rest are the same claim
        zr, yr = logits[0], labels[0]
        return prove_equal(_elementwise(out.term, zr, yr, 1, batch, classes), record.definition([zr], [yr], 1))
    return prove_equal(stable, loss_definition(out, logits, labels, batch, classes))


# ------------------------------------------------------------------------------ part 3: f'


def prove_activation_derivative(name: str) -> Proof:
    """The catalog's canonical f'(x) equals d/dx of f's definition."""
    entry = catalog.get(name)
    x = catalog.x
    applied = entry.function(x)
    definition = unfold(applied) if isinstance(applied, CatalogFunction) else applied.rewrite(sp.exp)
    return prove_equal(sp.diff(applied, x), sp.diff(definition, x))


# ----------------------------------------------------------------------------- the network


def _methods(methods: list[str]) -> str:
    return "; ".join(sorted(set(methods), key=methods.index))


def _shape(widths: tuple[int, ...], batch: int) -> str:
    return f"{'-'.join(map(str, widths))}, batch {batch}"


def _generic_elementwise():
    prime = sp.Function("f'")
    f = type("f", (sp.Function,), {"nargs": 1, "fdiff": lambda self, argindex=1: prime(self.args[0])})
    return f, prime


def activation_layer(formulas: MatrixFormulas = MATRIX_FORMULAS) -> Layer:
    """A generic elementwise activation A = f(Z) as a layer, its backward ``formulas.hidden_delta``."""
    f, prime = _generic_elementwise()
    return Layer(
        "activation", "A = f(Z), f any elementwise function", "any catalog activation", (),
        lambda rows, cols: {"x": (rows, cols)},
        lambda keep, x: ElementwiseApplyFunction(f, x),
        lambda keep, g, x, saved: {"dx": formulas.hidden_delta(g, ElementwiseApplyFunction(prime, x))}, ())


def dense_backward(formulas: MatrixFormulas):
    def backward(keep, g, x, W, b, saved):
        return {"dW": formulas.weight_gradient(x, g), "db": formulas.bias_gradient(g),
                "dx": formulas.input_gradient(g, W)}
    return backward


def _lemma_part(claim: str, proof: LayerProof) -> ProofPart:
    method = proof.method if proof.proved else "; ".join(
        f"{name}: {p.method}" for name, p in proof.gradients if not p.proved)
    return ProofPart(claim, ("symbolic n and widths",), Proof(proof.proved, method))


def prove_network(spec: NetworkSpec, formulas: MatrixFormulas = MATRIX_FORMULAS) -> NetworkProof:
    """Prove ``spec``'s backprop: each layer's VJP for symbolic sizes, composed; δ_L; f' per activation."""
    start = time.perf_counter()
    parts = [_lemma_part("dense: ∂L/∂W = Xᵀ G, ∂L/∂b = 1ᵀ G, ∂L/∂X = G Wᵀ",
                         prove_layer(LAYERS["dense"], dense_backward(formulas)))]
    if spec.depth > 1:
        parts.append(_lemma_part("activation: ∂L/∂Z = ∂L/∂A ⊙ f'(Z), any elementwise f",
                                 prove_layer(activation_layer(formulas))))
    if spec.norm:
        layer = LAYERS[spec.norm]
        parts.append(_lemma_part(f"{spec.norm}: ∂L/∂x, ∂L/∂γ, ∂L/∂β", prove_layer(layer)))
    if spec.residual:
        parts.append(_lemma_part("residual: ∂L/∂x = G + J_fᵀ G", prove_layer(LAYERS["residual"])))
    parts.append(ProofPart(
        "composition: backprop applies each layer's proved backward to the gradient of its output, "
        "summing the gradients of each value used more than once", (f"{spec.depth} dense layers",),
        Proof(all(part.proof.proved for part in parts), "the chain rule")))
    out = output_loss(spec.loss, spec.reduction)
    classes = min(spec.outputs, LOSS_INSTANCE_CLASSES)
    where = (f"batch 2, K = {classes}",)
    parts.append(ProofPart(f"δ_L = ∂L/∂Z_L for {spec.loss} ({spec.reduction})", where,
                           prove_output_delta(out, 2, classes)))
    parts.append(ProofPart(f"the evaluated form of {spec.loss} equals its definition", where,
                           prove_loss_form(out, 2, classes)))
    for name in dict.fromkeys(spec.activations):
        parts.append(ProofPart(f"{name}'(x) = d/dx of {name}'s definition", ("scalar x",),
                               prove_activation_derivative(name)))
    return NetworkProof(spec, tuple(parts), time.perf_counter() - start)


def prove_network_on_instances(spec: NetworkSpec, formulas: MatrixFormulas = MATRIX_FORMULAS) -> Proof:
    """The earlier instance proof of a dense network's matrix formulas: an independent cross-check."""
    proofs = [prove_matrix_backprop(widths, batch, formulas) for widths, batch in matrix_instances(spec.depth)]
    failed = [p for p in proofs if not p.proved]
    return failed[0] if failed else proofs[0]
