r"""The proof of a network that is a sequence of layers of any kind
(``backprop_derive.numeric.sequential.spec.Sequential``).

For layers :math:`A_l = f_l(A_{l-1}; \theta_l)` and a scalar loss :math:`\mathcal L(A_L, Y)`, the
backward computes :math:`G_L = \partial\mathcal L/\partial A_L` from the loss head, then for
:math:`l = L, \dots, 1`

.. math::  \partial\mathcal L/\partial\theta_l = J_{\theta_l}^T G_l, \qquad
           G_{l-1} = J_{A_{l-1}}^T G_l,

each layer's VJP fed the gradient of its output -- the chain rule through a sequence, each value
used once.  So the network's gradients are right when

1. every layer's VJP is right: the lemma of ``backprop_derive/network/layers/<kind>.py``
(:func:`~backprop_derive.network.layers.prove_layer`:
   ∂⟨G, out⟩ for symbolic sizes, or on the instances its method names), proved once per kind; a catalog
   activation by the generic elementwise lemma ∂L/∂Z = G ⊙ f'(Z) and its canonical f' proved against
   its definition;
2. the loss head's δ is the derivative of the loss's catalog definition (two rows, three classes:
   the formula is the same for any number of rows, and the rows of a sequence are rows);
3. the composition is the chain rule above (it holds when 1 and 2 do).

The spec is read by its fields (``layers`` with ``kind`` and ``settings``, ``loss``,
``reduction``), so this module imports nothing of ``checks``.
"""

from __future__ import annotations

import time
from functools import cache

from backprop_derive.core.prove import Proof
from backprop_derive.network.backprop import output_loss
from backprop_derive.network.layers import LAYERS, LayerProof, prove_layer
from backprop_derive.network.proof import (
    LOSS_INSTANCE_CLASSES,
    NetworkProof,
    ProofPart,
    activation_layer,
    prove_activation_derivative,
    prove_loss_form,
    prove_output_delta,
)

#: The method of the composition part, stated once.
COMPOSITION = ("the chain rule through a sequence: the backward calls each layer's proved VJP in reverse, "
               "each fed the gradient of the layer after it (G_{l-1} = J_{A_{l-1}}ᵀ G_l, ∂L/∂θ_l = J_{θ_l}ᵀ G_l)")


@cache
def kind_lemma(kind: str) -> LayerProof | None:
    """The lemma of layer kind ``kind`` (proved once per kind), or None without
    ``backprop_derive/network/layers/<kind>.py``."""
    if kind == "activation":
        return prove_layer(activation_layer())
    if kind not in LAYERS:
        return None
    return prove_layer(LAYERS[kind])


@cache
def activation_derivative(name: str) -> Proof:
    return prove_activation_derivative(name)


def _proof_of(lemma: LayerProof | None, kind: str) -> Proof:
    if lemma is None:
        return Proof(False, f"no proved layer: backprop_derive/network/layers/{kind}.py is missing")
    if lemma.proved:
        return Proof(True, lemma.method)
    return Proof(False, "; ".join(f"{name}: {p.method}" for name, p in lemma.gradients if not p.proved))


def layer_parts(position: int, item) -> list[ProofPart]:
    """Layer ``position``'s lemma; for an activation also its f' against its definition."""
    label = item.settings["name"] if item.kind == "activation" else item.kind
    if item.kind == "activation":
        lemma = ProofPart(f"layer {position} ({label}): ∂L/∂x = G ⊙ f'(x), any elementwise f",
                          ("symbolic sizes",), _proof_of(kind_lemma("activation"), "activation"))
        name = item.settings["name"]
        return [lemma, ProofPart(f"layer {position} ({label}): {name}'(x) = d/dx of {name}'s definition",
                                 ("scalar x",), activation_derivative(name))]
    lemma = kind_lemma(item.kind)
    parameters = ", ".join(f"∂L/∂{p}" for p in LAYERS[item.kind].parameters) if item.kind in LAYERS else ""
    claim = f"layer {position} ({label}): its VJP ∂L/∂x{', ' + parameters if parameters else ''}"
    where = ("symbolic sizes",) if lemma is not None and "symbolic" in lemma.method else ("the sizes its method names",)
    return [ProofPart(claim, where, _proof_of(lemma, item.kind))]


def prove_sequential(spec) -> NetworkProof:
    """Every layer's lemma, the loss head's δ and evaluated form, and the composition (see the module docstring)."""
    start = time.perf_counter()
    parts: list[ProofPart] = []
    for position, item in enumerate(spec.layers, start=1):
        parts += layer_parts(position, item)
    out = output_loss(spec.loss, spec.reduction)
    classes = min(spec.outputs, LOSS_INSTANCE_CLASSES)
    where = (f"2 rows, K = {classes}",)
    rows = "N·" + "·".join(map(str, spec.shapes[-1][:-1])) if len(spec.shapes[-1]) > 1 else "N"
    parts.append(ProofPart(f"loss head: δ = ∂L/∂A_L for {spec.loss} ({spec.reduction} over {rows} rows)", where,
                           prove_output_delta(out, 2, classes)))
    parts.append(ProofPart(f"loss head: the evaluated form of {spec.loss} equals its definition", where,
                           prove_loss_form(out, 2, classes)))
    parts.append(ProofPart(f"composition of the {len(spec.layers)} layers and the loss head",
                           (f"{len(spec.layers)} layers",),
                           Proof(all(part.proof.proved for part in parts), COMPOSITION)))
    return NetworkProof(spec, tuple(parts), time.perf_counter() - start)
