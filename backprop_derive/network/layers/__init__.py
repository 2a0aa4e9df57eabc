"""Layers of kind ``layer`` in the catalog: one module each, found by name (no list to edit).

Each module ``backprop_derive/network/layers/<name>.py`` defines ``LAYER``, a
:class:`~backprop_derive.network.layers.base.Layer`;
its reference bindings are ``backprop_derive/numeric/bindings/<name>.py``.  :data:`LAYERS` maps names to layers in
:data:`ORDER`, then any other module alphabetically.
"""

from __future__ import annotations

import importlib
import pkgutil

from backprop_derive.network.layers.base import Layer, LayerProof, Step, prove_layer

__all__ = ["LAYERS", "Layer", "LayerProof", "Step", "get_layer", "prove_layer"]

#: Where the layers listed first stand (the order a course meets them); new modules follow.
ORDER = ("dense", "layernorm", "batchnorm", "attention", "residual")
_NOT_LAYERS = {"base", "bptt", "gates", "grids", "indices"}


def _discover() -> dict[str, Layer]:
    names = [info.name for info in pkgutil.iter_modules(__path__) if info.name not in _NOT_LAYERS]
    names.sort(key=lambda name: (ORDER.index(name) if name in ORDER else len(ORDER), name))
    found = {}
    for name in names:
        layer = importlib.import_module(f"{__name__}.{name}").LAYER
        found[layer.name] = layer
    return found


#: name -> Layer.
LAYERS: dict[str, Layer] = _discover()


def get_layer(name: str) -> Layer:
    try:
        return LAYERS[name]
    except KeyError:
        raise ValueError(f"unknown layer {name!r}; choose from: {', '.join(LAYERS)}") from None
