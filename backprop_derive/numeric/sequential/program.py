r"""A :class:`~backprop_derive.numeric.sequential.spec.Sequential` network as one readable numpy module, and that
module run.

The module is the kernels' own source (``inspect.getsource`` of each ``KERNEL.functions``, and a
kernel's printed ``prelude``: the catalog activations' formulas), then three straight-line functions:

* ``forward(params, X)`` -- :math:`A_l, \text{cache}_l = f_l(A_{l-1}; \theta_l)`, returns :math:`A_L`
  (the logits);
* ``loss(params, X, Y)`` -- the loss head on :math:`A_L`;
* ``gradients(params, X, Y)`` -- the forward, then the backward: the loss head's δ, then each
  layer's backward in reverse, each fed the gradient of its output, :math:`(G_{l-1}, \partial
  \theta_l) = f_l^{\text{back}}(G_l, \text{cache}_l)` -- the chain rule through a sequence.

:func:`compile_sequential` executes exactly :func:`program_source` (the code that is tested is the
code a person reads); ``derive codegen --spec`` writes it under :func:`header`.
"""

from __future__ import annotations

import inspect
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass

from backprop_derive.numeric.compile import released
from backprop_derive.numeric.kernels import KERNELS
from backprop_derive.numeric.sequential.spec import Sequential


def _kernel_sources(spec: Sequential) -> list[str]:
    used = list(dict.fromkeys([*(item.kind for item in spec.layers), spec.loss]))
    blocks = []
    for kind in used:
        kernel = KERNELS[kind]
        if kernel.prelude is not None:
            blocks.append(kernel.prelude([item.settings for item in spec.layers if item.kind == kind]))
        blocks += [textwrap.dedent(inspect.getsource(function)).rstrip() for function in kernel.functions]
    return blocks


def _settings(settings: dict) -> str:
    return "".join(f", {key}={value!r}" for key, value in settings.items())


def _forward_lines(spec: Sequential, caches: bool = True) -> list[str]:
    """``A1, cache1 = conv2d_forward(X, W1, b1, out=6, ...)`` for each layer (``_`` for the cache if not kept)."""
    lines, previous = [], "X"
    for position, item in enumerate(spec.layers, start=1):
        arguments = ", ".join([previous, *spec.parameters_of(position)])
        cache = f"cache{position}" if caches else "_"
        lines.append(f"    A{position}, {cache} = {item.kind}_forward({arguments}{_settings(item.settings)})")
        previous = f"A{position}"
    return lines


def _unpack(spec: Sequential) -> str:
    names = list(spec.parameter_shapes())
    if not names:
        return ""
    return f"    {', '.join(names)} = {', '.join(f'params[{name!r}]' for name in names)}"


def _backward_lines(spec: Sequential) -> list[str]:
    """δ from the loss head, then ``G{l-1}, dW{l}, db{l} = kind_backward(G{l}, cache{l})`` in reverse."""
    depth = len(spec.layers)
    lines = [f"    L, cache_loss = {spec.loss}_forward(A{depth}, Y{_settings(_head_settings(spec))})",
             f"    (G{depth},) = {spec.loss}_backward(1.0, cache_loss)"]
    for position in range(depth, 0, -1):
        into = f"G{position - 1}" if position > 1 else "_"
        grads = [f"d{name}" for name in spec.parameters_of(position)]
        targets = ", ".join([into, *grads]) if grads else f"({into},)"
        lines.append(f"    {targets} = {spec.layers[position - 1].kind}_backward(G{position}, "
                     f"cache{position})")
    return lines


def _head_settings(spec: Sequential) -> dict:
    return {**KERNELS[spec.loss].settings, "reduction": spec.reduction}


def program_source(spec: Sequential) -> str:
    """The module's source: ``import numpy``, the kernels, ``forward``, ``loss`` and ``gradients``."""
    depth = len(spec.layers)
    blocks = ["import math  # noqa: F401 - a printed formula may use math.erf\n\nimport numpy\nimport numpy as np",
              *_kernel_sources(spec)]
    unpack = [line for line in [_unpack(spec)] if line]
    blocks.append("\n".join([
        "def forward(params, X):",
        f'    """The logits A{depth}, (N, {", ".join(map(str, spec.shapes[-1]))}), layer by layer."""',
        *unpack, *released(_forward_lines(spec, caches=False), keep={f"A{depth}", "_"}), f"    return A{depth}"]))
    blocks.append("\n".join([
        "def loss(params, X, Y):", f'    """The scalar loss: {spec.loss} ({spec.reduction}) of forward(params, X)."""',
        f"    L, _ = {spec.loss}_forward(forward(params, X), Y{_settings(_head_settings(spec))})", "    return L"]))
    results = {f"d{name}" for name in spec.parameter_shapes()}
    grads = ", ".join(f'"{name}": d{name}' for name in spec.parameter_shapes())
    body = released([*_forward_lines(spec), *_backward_lines(spec)], keep=results | {"_"})
    blocks.append("\n".join([
        "def gradients(params, X, Y):",
        '    """∂L/∂(every parameter): the forward, then each layer\'s backward in reverse, fed the gradient of '
        'its output."""', *unpack, *body, f"    return {{{grads}}}"]))
    return "\n\n\n".join(blocks) + "\n"


def header(spec: Sequential, proof=None, command: str = "") -> str:
    """The module docstring: the network, shapes, conventions, interface, proof, how to regenerate."""
    from backprop_derive import __version__

    verdict = "not run" if proof is None else ("PROVED" if proof.proved else "NOT PROVED")
    layers = [f"    {position:>2}. {item.label():<44} -> {'×'.join(map(str, shape))}"
              for position, (item, shape) in enumerate(zip(spec.layers, spec.shapes[1:], strict=True), start=1)]
    shapes = ", ".join(f"{name} {shape}" for name, shape in spec.parameter_shapes().items())
    x_kind = f"int64 token ids in 0..{spec.tokens - 1}" if spec.tokens else "float64"
    lines = [
        f"Backprop for the network {spec.summary()}.", "",
        f"Generated by backprop-derive {__version__} from the layers' proved kernels; do not edit, regenerate:",
        f"    {command or 'derive codegen --spec FILE.toml -o FILE'}", "",
        "Layers (per-sample output shape; the batch axis N comes first everywhere):",
        f"     0. input {x_kind:<38} -> {'×'.join(map(str, spec.input))}", *layers, "",
        f"Loss: {spec.loss} on the last axis, every other axis a row ({spec.reduction} over the rows, as",
        "torch.nn.functional.cross_entropy on logits reshaped to (rows, K)); Y has the logits' shape, one-hot.",
        "",
        f"forward(params, X)      -> the logits, (N, {', '.join(map(str, spec.shapes[-1]))})",
        "loss(params, X, Y)      -> float",
        "gradients(params, X, Y) -> dict with the keys and shapes of params:",
        *textwrap.wrap(shapes or "(none)", 96, initial_indent="    ", subsequent_indent="    "), "",
        "Each <kind>_forward(x, *params, **settings) returns (y, cache); <kind>_backward(g, cache) returns",
        "(dx, *dparams) for g = dL/dy: the backward runs the layers in reverse, each fed the gradient of its output.",
        f"Proof that each layer's backward is its VJP, composed by the chain rule: {verdict}.",
    ]
    return '"""' + "\n".join(lines) + '\n"""\n\n'


@dataclass(frozen=True)
class CompiledSequential:
    """``forward(params, X)``, ``loss(params, X, Y)`` and ``gradients(params, X, Y)`` of ``spec``."""

    spec: Sequential
    source: str
    forward: Callable
    loss: Callable
    gradients: Callable


def compile_sequential(spec: Sequential) -> CompiledSequential:
    """Execute :func:`program_source` as a fresh module and return its three functions."""
    source = program_source(spec)
    module = types.ModuleType(f"backprop_{spec.name}")
    exec(compile(source, f"<backprop {spec.name}>", "exec"), module.__dict__)  # our own source, built above
    return CompiledSequential(spec, source, module.forward, module.loss, module.gradients)
