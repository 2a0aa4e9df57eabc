r"""numpy kernels of the layers a network is built from, one module each, found by name.

A network that is not a stack of dense layers (LeNet-5, an RNN over T steps, an embedding
classifier) is compiled from the kernels of its layers: each is the numpy form of a layer's
*proved* forward and backward (``backprop_derive/network/layers/<name>.py`` holds the SymPy formulas and the
lemma; the tests check each kernel against them and against PyTorch).  The contract, for a
module ``backprop_derive/numeric/kernels/<name>.py``:

* ``<name>_forward(x, *params, **settings) -> (y, cache)`` -- ``x`` batched, the batch axis first
  (``(N, *in_shape)``), float64 (or int64 token ids for an embedding); ``cache`` is whatever the
  backward needs;
* ``<name>_backward(g, cache) -> (dx, *dparams)`` -- ``g`` = ∂L/∂y of ``y``'s shape; ``dx`` of
  ``x``'s shape (``None`` where ``x`` is not differentiable, token ids), then one gradient per
  parameter, in ``params`` order, each of that parameter's shape;
* ``KERNEL`` -- a :class:`Kernel`: the parameters' shapes and the output's shape from the input's
  per-sample shape and the settings, and the functions a generated module must contain.

The functions import nothing but ``numpy as np`` (and ``math``) and call nothing of this project,
so ``derive codegen`` copies their source into the generated module as it is: the code that is
tested is the code a person reads.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Kernel:
    """One layer kind's numpy kernels and shape rules.

    ``parameters(in_shape, **settings)`` -> ``{name: shape}`` in the order the kernels take them;
    ``out_shape(in_shape, **settings)`` -> the per-sample output shape (both without the batch axis);
    ``settings`` names the settings a spec may give, with their defaults; ``functions`` are every
    function the generated module needs (forward, backward and their helpers), in source order.
    ``prelude(uses)``, where a kernel has one, gives source the functions need that is printed, not
    written (the catalog activations' formulas), for ``uses``: the settings of every use in a network.
    """

    name: str
    parameters: Callable[..., dict[str, tuple[int, ...]]]
    out_shape: Callable[..., tuple[int, ...]]
    forward: Callable
    backward: Callable
    settings: dict[str, object]
    functions: tuple[Callable, ...] = ()
    summary: str = ""
    prelude: Callable[[list[dict]], str] | None = None


def _discover() -> dict[str, Kernel]:
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        kernel = importlib.import_module(f"{__name__}.{info.name}").KERNEL
        found[kernel.name] = kernel
    return found


#: name -> Kernel, every module of this package.
KERNELS: dict[str, Kernel] = _discover()


def get_kernel(name: str) -> Kernel:
    try:
        return KERNELS[name]
    except KeyError:
        raise ValueError(f"no kernel for layer {name!r}; choose from: {', '.join(KERNELS)}") from None
