"""Reference bindings: how each framework computes each catalog function, loss and layer.

Frameworks are :data:`FRAMEWORKS`: plain ``numpy`` (what finite differences differentiate),
HIPS ``autograd`` (``autograd.numpy``), ``torch`` (``torch.nn.functional``) and ``jax``.  Each binding
is a table ``framework -> builder``; a builder imports its framework when called, so this package
imports without PyTorch or JAX.

* ``activations.BINDINGS[framework]()`` -> {activation name: f(tensor)};
* ``losses.BINDINGS[framework]()`` -> {loss name: f(logits, Y, reduction) -> scalar};
* a layer ``NAME`` of :data:`backprop_derive.network.layers.LAYERS` is bound by the module
``backprop_derive/numeric/bindings/NAME.py``:
  ``BINDINGS[framework]()`` -> its forward, ``f(x, *parameters, **settings)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

FRAMEWORKS: tuple[str, ...] = ("numpy", "autograd", "torch", "jax")


def builders(kind: str) -> dict[str, Callable[[], object]]:
    """The ``BINDINGS`` table of ``kind``: ``activations``, ``losses`` or a layer's name."""
    try:
        module = importlib.import_module(f"{__name__}.{kind}")
    except ModuleNotFoundError:
        raise KeyError(f"no reference binding for {kind!r}: add backprop_derive/numeric/bindings/{kind}.py") from None
    return module.BINDINGS


def bound(kind: str, framework: str):
    """The built binding of ``kind`` in ``framework`` (imports the framework)."""
    table = builders(kind)
    if framework not in table:
        raise KeyError(f"{kind!r} has no {framework} binding in backprop_derive/numeric/bindings/{kind}.py")
    return table[framework]()
