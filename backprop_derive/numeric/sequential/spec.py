r"""A network that is a sequence of layers of any kind, on tensors of any rank (the batch axis first).

An MLP is a :class:`~backprop_derive.network.spec.NetworkSpec`; LeNet-5, a character RNN or an embedding
classifier is a :class:`Sequential`: an input shape per sample, then layers applied in order,

.. math::  A_0 = X, \qquad A_l = f_l(A_{l-1}; \theta_l) \quad (l = 1..L), \qquad
           \mathcal L = \text{loss}(A_L, Y),

each :math:`f_l` a kernel of ``backprop_derive/numeric/kernels/<kind>.py`` (its numpy forward and backward) and a
proved layer of ``backprop_derive/network/layers/<kind>.py``; a catalog activation is the layer ``activation`` with
its ``name`` (``kind = "relu"`` is short for ``kind = "activation", name = "relu"``).  The loss
head works on the last axis, every other axis a row (mean over N·T rows for a sequence).

Written as TOML (``examples/networks/*.toml``, read by :func:`load`)::

    name = "lenet5"
    input = [1, 28, 28]        # per-sample shape
    loss = "softmax_cce"       # reduction = "mean" (default) or "sum"
    [[layers]]
    kind = "conv2d"
    out = 6
    kernel = 5
    padding = 2
    [[layers]]
    kind = "relu"

or in Python, the same record: ``Sequential("lenet5", (1, 28, 28), (layer("conv2d", out=6, kernel=5,
padding=2), layer("relu"), ...))``.  Token ids as input: ``tokens = V`` (ids in 0..V-1, int64).

Construction validates everything and propagates shapes with each kernel's ``out_shape``; a
mistake is a one-line :class:`ValueError` naming the layer and the setting, e.g.
``layer 3 (conv2d): conv2d: kernel 7x7 is larger than the padded input 4x4 (input 6×4×4)``.
Parameters are named by the layer's position: ``W1, b1`` for layer 1's ``W`` and ``b``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from math import prod
from pathlib import Path

import tomllib

from backprop_derive.core import catalog
from backprop_derive.network.losses import LOSS_RECORDS
from backprop_derive.numeric.kernels import KERNELS, Kernel

#: The loss heads: an output loss of ``backprop_derive.network.losses`` that has a kernel.
LOSS_HEADS: tuple[str, ...] = tuple(name for name in LOSS_RECORDS if name in KERNELS)
REDUCTIONS: tuple[str, ...] = ("mean", "sum")
#: Layer kinds that take token ids (int64) rather than real numbers.
TOKEN_LAYERS: tuple[str, ...] = ("embedding",)
_SETTING_TYPES = (int, float, str, bool)
_TOP_KEYS = {"name", "input", "tokens", "loss", "reduction", "layers"}


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its kernel's ``kind`` and ``settings`` (every setting of the kernel, defaults filled)."""

    kind: str
    settings: dict = field(default_factory=dict)

    def label(self) -> str:
        """``conv2d(out=6, kernel=5, padding=2)``, ``relu``."""
        if self.kind == "activation":
            return self.settings["name"]
        shown = ", ".join(f"{k}={v}" for k, v in self.settings.items() if v is not None)
        return f"{self.kind}({shown})" if shown else self.kind


def layer(kind: str, **settings) -> LayerSpec:
    """The builder's layer: ``layer("conv2d", out=6, kernel=5)``, ``layer("relu")``."""
    if kind in catalog.activations():
        return LayerSpec("activation", {"name": kind, **settings})
    return LayerSpec(kind, dict(settings))


@dataclass(frozen=True)
class Sequential:
    """``layers`` applied in order to an input of per-sample shape ``input`` (token ids if ``tokens``)."""

    name: str
    input: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    loss: str = "softmax_cce"
    reduction: str = "mean"
    tokens: int | None = None
    #: per-sample shape after each layer (``shapes[0]`` the input's), filled by validation.
    shapes: tuple[tuple[int, ...], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "input", tuple(self.input) if isinstance(self.input, list | tuple) else self.input)
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "shapes", _validate(self))

    @property
    def outputs(self) -> int:
        """K, the size of the last axis the loss head reads."""
        return self.shapes[-1][-1]

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        """``{"W1": ..., "b1": ..., "W4": ...}``: each layer's parameters, suffixed with its position."""
        shapes = {}
        for position, (spec, in_shape) in enumerate(zip(self.layers, self.shapes, strict=False), start=1):
            for name, shape in kernel_of(spec).parameters(in_shape, **spec.settings).items():
                shapes[f"{name}{position}"] = tuple(shape)
        return shapes

    def parameters_of(self, position: int) -> list[str]:
        """The parameter names of layer ``position`` (1-based), in the kernel's order."""
        spec = self.layers[position - 1]
        return [f"{name}{position}" for name in kernel_of(spec).parameters(self.shapes[position - 1], **spec.settings)]

    def parameter_count(self) -> int:
        return sum(prod(shape) for shape in self.parameter_shapes().values())

    def summary(self) -> str:
        """``lenet5: 1×28×28 → conv2d(out=6, ...) → relu → ... → softmax_cce (mean)``."""
        source = f"ids 0..{self.tokens - 1} of " if self.tokens else ""
        steps = [source + _shown(self.input), *(spec.label() for spec in self.layers)]
        return f"{self.name}: {' → '.join(steps)} → {self.loss} ({self.reduction})"

    def to_json(self) -> dict:
        return {
            "name": self.name, "input": list(self.input), **({"tokens": self.tokens} if self.tokens else {}),
            "layers": [{"kind": spec.kind, **spec.settings, "out_shape": list(shape)}
                       for spec, shape in zip(self.layers, self.shapes[1:], strict=True)],
            "loss": self.loss, "reduction": self.reduction,
            "parameters": {name: list(shape) for name, shape in self.parameter_shapes().items()},
        }


def kernel_of(spec: LayerSpec) -> Kernel:
    return KERNELS[spec.kind]


def _shown(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) or "scalar"


def _positive(what: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{what} is {value!r}; it must be a positive integer")


def _layer_settings(position: int, spec: LayerSpec) -> dict:
    """The kernel's settings, defaults filled; one-line errors for an unknown kind or setting."""
    where = f"layer {position} ({spec.kind})"
    if spec.kind in LOSS_RECORDS:
        raise ValueError(f"{where}: {spec.kind} is a loss; give it as loss = {spec.kind!r}, after the layers")
    if spec.kind not in KERNELS:
        kinds = sorted({*KERNELS, *catalog.activations()} - set(LOSS_RECORDS))
        raise ValueError(f"{where}: no such layer kind; choose from: {', '.join(kinds)}")
    known = KERNELS[spec.kind].settings
    for key, value in spec.settings.items():
        if key not in known:
            raise ValueError(f"{where}: unknown setting {key!r}; it takes: {', '.join(known) or 'none'}")
        if not isinstance(value, _SETTING_TYPES):
            raise ValueError(f"{where}: setting {key} is {value!r}; give a number, a string or true/false")
    missing = [key for key in _required(KERNELS[spec.kind]) if key not in spec.settings]
    if missing:
        raise ValueError(f"{where}: setting {missing[0]!r} is required")
    return {**known, **spec.settings}


def _required(kernel: Kernel) -> list[str]:
    """The settings a kernel's shape rule takes without a default (``out`` of dense, ``vocab`` of embedding)."""
    rule = inspect.signature(kernel.out_shape).parameters
    return [name for name, p in list(rule.items())[1:] if p.default is inspect.Parameter.empty
            and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)]


def _validate(spec: Sequential) -> tuple[tuple[int, ...], ...]:
    if not isinstance(spec.name, str) or not spec.name:
        raise ValueError(f"name is {spec.name!r}; give the network a name")
    if not isinstance(spec.input, tuple) or not spec.input:
        raise ValueError(f"input is {spec.input!r}; give the per-sample shape as a list of sizes, e.g. [1, 28, 28]")
    for axis, size in enumerate(spec.input, start=1):
        _positive(f"input: size {axis}", size)
    if spec.tokens is not None:
        _positive("tokens", spec.tokens)
    if not spec.layers:
        raise ValueError("layers: none given; a network needs at least one layer")
    if spec.loss not in LOSS_HEADS:
        raise ValueError(f"loss {spec.loss!r} has no loss head; choose from: {', '.join(LOSS_HEADS)}")
    if spec.reduction not in REDUCTIONS:
        raise ValueError(f"reduction {spec.reduction!r} is unknown; choose from: {', '.join(REDUCTIONS)}")
    shapes = [spec.input]
    for position, item in enumerate(spec.layers, start=1):
        if not isinstance(item, LayerSpec):
            raise ValueError(f"layer {position}: {item!r} is not a layer (use layer(kind, **settings))")
        settings = _layer_settings(position, item)
        object.__setattr__(item, "settings", settings)
        where = f"layer {position} ({item.kind})"
        if (item.kind in TOKEN_LAYERS) != (position == 1 and spec.tokens is not None):
            raise ValueError(f"{where}: takes token ids, so it must come first and the input needs tokens = V"
                             if item.kind in TOKEN_LAYERS else
                             f"{where}: the input is token ids (tokens = {spec.tokens}); the first layer must "
                             f"be one of: {', '.join(TOKEN_LAYERS)}")
        kernel = KERNELS[item.kind]
        try:
            kernel.parameters(shapes[-1], **settings)
            out = tuple(kernel.out_shape(shapes[-1], **settings))
        except (ValueError, TypeError, IndexError) as err:
            raise ValueError(f"{where}: {err} (input {_shown(shapes[-1])})") from None
        if not out or any(not isinstance(s, int) or s <= 0 for s in out):
            raise ValueError(f"{where}: the input {_shown(shapes[-1])} gives an empty output {out}")
        shapes.append(out)
    return tuple(shapes)


def from_dict(data: dict, source: str = "spec") -> Sequential:
    """The record a TOML table describes (see the module docstring); one-line errors naming the key."""
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ValueError(f"{source}: unknown key {unknown[0]!r}; a network has: {', '.join(sorted(_TOP_KEYS))}")
    for key in ("name", "input", "layers"):
        if key not in data:
            raise ValueError(f"{source}: {key!r} is missing")
    if not isinstance(data["layers"], list) or not all(isinstance(t, dict) for t in data["layers"]):
        raise ValueError(f"{source}: layers must be [[layers]] tables, each with a kind")
    layers = []
    for position, table in enumerate(data["layers"], start=1):
        table = dict(table)
        kind = table.pop("kind", None)
        if not isinstance(kind, str):
            raise ValueError(f"{source}: layer {position}: kind is missing (e.g. kind = \"conv2d\")")
        layers.append(layer(kind, **table))
    return Sequential(data["name"], data["input"], tuple(layers), data.get("loss", "softmax_cce"),
                      data.get("reduction", "mean"), data.get("tokens"))


def load(path: str | Path) -> Sequential:
    """Read and validate a TOML spec; a ValueError names the file and what is wrong, on one line."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except OSError as err:
        raise ValueError(f"{path}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not TOML: {err}") from None
    try:
        return from_dict(data, str(path))
    except ValueError as err:
        text = str(err)
        raise ValueError(text if text.startswith(str(path)) else f"{path}: {text}") from None
