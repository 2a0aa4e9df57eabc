r"""What a network is: layer sizes, one activation per hidden layer, an output loss and its reduction.

Conventions (``DESIGN.md``): rows are samples; layer :math:`l = 1..L` computes

.. math::  Z_l = A_{l-1} W_l + b_l, \qquad A_l = f_l(Z_l) \quad (l < L), \qquad A_0 = X,

with :math:`W_l` of shape (fan_in, fan_out) and :math:`b_l` of shape (fan_out,).  The last layer is
linear: the loss takes its logits :math:`Z_L` and the labels :math:`Y` (n, K).  Reductions match
PyTorch's defaults for the same loss: ``softmax_cce`` averages over samples (``cross_entropy``),
``sigmoid_bce`` and ``mse`` average over all n·K elements (``binary_cross_entropy_with_logits``,
``mse_loss``); ``sum`` adds everything up.
"""

from __future__ import annotations

from dataclasses import dataclass

from backprop_derive.core import catalog
from backprop_derive.network.losses import LOSS_RECORDS

#: Output losses a network may end in; each takes the logits of the last (linear) layer.
LOSSES: tuple[str, ...] = tuple(LOSS_RECORDS)

#: How the per-element losses are combined into the scalar L.
REDUCTIONS: tuple[str, ...] = ("mean", "sum")

#: Norms a hidden layer may have, after its linear layer and before its activation (``backprop_derive.network.layers``).
NORMS: tuple[str, ...] = ("layernorm", "batchnorm")

#: The note's network: 70 inputs, two hidden layers of 10 (ReLU), 3 classes, softmax cross-entropy.
DEFAULT_LAYERS: tuple[int, ...] = (70, 10, 10, 3)
DEFAULT_ACTIVATIONS: tuple[str, ...] = ("relu", "relu")


@dataclass(frozen=True)
class NetworkSpec:
    """A multilayer perceptron: ``layers`` = (inputs, hidden..., outputs), one activation per hidden layer.

    Construction validates everything and raises :class:`ValueError` with a one-line message naming
    what is wrong, so a spec that exists is a network that can be derived, compiled and checked.
    """

    layers: tuple[int, ...] = DEFAULT_LAYERS
    activations: tuple[str, ...] = DEFAULT_ACTIVATIONS
    loss: str = "softmax_cce"
    reduction: str = "mean"
    norm: str | None = None
    residual: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "activations", tuple(self.activations))
        _validate(self)

    @property
    def depth(self) -> int:
        """L, the number of dense layers (weight matrices)."""
        return len(self.layers) - 1

    @property
    def inputs(self) -> int:
        return self.layers[0]

    @property
    def outputs(self) -> int:
        """K, the number of logits (classes for ``softmax_cce``)."""
        return self.layers[-1]

    def blocks(self) -> tuple[Block, ...]:
        """The forward pass, block by block: dense, then (hidden blocks) norm, activation, skip."""
        found = []
        for layer in range(1, self.depth + 1):
            hidden = layer < self.depth
            found.append(Block(
                layer, self.activations[layer - 1] if hidden else None, self.norm if hidden else None,
                hidden and self.residual and self.layers[layer - 1] == self.layers[layer]))
        return tuple(found)

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        """``{"W1": (fan_in, fan_out), "b1": (fan_out,), "gamma1": (fan_out,), ...}`` in layer order."""
        shapes: dict[str, tuple[int, ...]] = {}
        for block in self.blocks():
            layer = block.layer
            fan_in, fan_out = self.layers[layer - 1], self.layers[layer]
            shapes[f"W{layer}"] = (fan_in, fan_out)
            shapes[f"b{layer}"] = (fan_out,)
            if block.norm:
                shapes[f"gamma{layer}"] = (fan_out,)
                shapes[f"beta{layer}"] = (fan_out,)
        return shapes

    def parameter_count(self) -> int:
        return sum(_product(shape) for shape in self.parameter_shapes().values())

    def summary(self) -> str:
        """One line, e.g. ``70 → 10 → 10 → 3, relu, relu, softmax_cce (mean)``."""
        extras = [f"{self.norm} before each activation"] if self.norm else []
        extras += ["residual"] if self.residual else []
        parts = [" → ".join(str(size) for size in self.layers), *self.activations, *extras,
                 f"{self.loss} ({self.reduction})"]
        return ", ".join(parts)

    def to_json(self) -> dict:
        return {
            "layers": list(self.layers),
            "activations": list(self.activations),
            "loss": self.loss,
            "reduction": self.reduction,
            **({"norm": self.norm} if self.norm else {}),
            **({"residual": True} if self.residual else {}),
            "parameters": {name: list(shape) for name, shape in self.parameter_shapes().items()},
        }


@dataclass(frozen=True)
class Block:
    """Dense layer ``layer``, then for a hidden one its ``norm`` (or None) and ``activation``;
    ``residual``: the block's output is added to its input (equal widths)."""

    layer: int
    activation: str | None
    norm: str | None
    residual: bool


def _product(shape: tuple[int, ...]) -> int:
    total = 1
    for size in shape:
        total *= size
    return total


def _validate(spec: NetworkSpec) -> None:
    if len(spec.layers) < 2:
        raise ValueError(f"layers: need at least an input and an output size, got {len(spec.layers)} size(s)")
    for position, size in enumerate(spec.layers, start=1):
        if isinstance(size, bool) or not isinstance(size, int):
            raise ValueError(f"layers: size {position} is {size!r}, not an integer")
        if size <= 0:
            raise ValueError(f"layers: size {position} is {size}; sizes must be positive")
    hidden = len(spec.layers) - 2
    if len(spec.activations) != hidden:
        raise ValueError(
            f"activations: {len(spec.activations)} given, but layers {','.join(map(str, spec.layers))} "
            f"have {hidden} hidden layer(s), which need one activation each"
        )
    allowed = catalog.activations()
    for name in spec.activations:
        if name not in allowed:
            raise ValueError(f"activation {name!r} is not an elementwise catalog activation; "
                             f"choose from: {', '.join(allowed)}")
    if spec.loss not in LOSSES:
        raise ValueError(f"loss {spec.loss!r} is not an output loss; choose from: {', '.join(LOSSES)}")
    if spec.norm is not None and spec.norm not in NORMS:
        raise ValueError(f"norm {spec.norm!r} is unknown; choose from: {', '.join(NORMS)}")
    if spec.residual and not any(block.residual for block in spec.blocks()):
        raise ValueError(f"residual: layers {','.join(map(str, spec.layers))} have no hidden block of equal "
                         "input and output width to skip around")
    if spec.reduction not in REDUCTIONS:
        raise ValueError(f"reduction {spec.reduction!r} is unknown; choose from: {', '.join(REDUCTIONS)}")
