r"""Random points at which gradients are compared: parameters, inputs and labels of a network.

* :math:`W_l \sim \mathcal N(0, 1/\text{fan\_in})` (pre-activations of order 1), :math:`b_l \sim
  \mathcal N(0, 0.1^2)`, :math:`X \sim \mathcal N(0, 1)`;
* labels: from the loss's own sampler (``Loss.labels``: one-hot rows, 0/1 targets, normal targets);
* **clear of kinks**: for every hidden layer whose activation has a kink (the catalog's
  ``Entry.kinks``), every pre-activation lies at least ``kink_margin`` from each kink.  Rows of X
  (samples are independent) that come too close are drawn again.  At a kink frameworks may pick
  different one-sided derivatives, and finite differences straddle it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from backprop_derive.core import catalog
from backprop_derive.network.losses import get_loss
from backprop_derive.network.spec import NetworkSpec

#: How close (absolute) a pre-activation may come to a kink.  Finite differences move a
#: pre-activation by about 1e-5, so 1e-3 keeps every difference on one side of the kink.
KINK_MARGIN = 1e-3
MAX_REDRAWS = 200


@dataclass(frozen=True)
class Point:
    """``params`` ({"W1": (fan_in, fan_out), "b1": (fan_out,), ...}), inputs ``X`` (n, d0), labels ``Y`` (n, K)."""

    params: dict[str, np.ndarray]
    X: np.ndarray
    Y: np.ndarray


def _activation_numpy(name: str):
    x = catalog.x
    return sp.lambdify(x, catalog.get(name).function(x), modules="numpy")


def labels(spec: NetworkSpec, batch: int, rng: np.random.Generator) -> np.ndarray:
    """Labels Y (batch, K) of the kind ``spec.loss`` expects."""
    return np.asarray(get_loss(spec.loss).labels(rng, batch, spec.outputs), dtype=np.float64)


def parameters(spec: NetworkSpec, rng: np.random.Generator) -> dict[str, np.ndarray]:
    params = {}
    for name, shape in spec.parameter_shapes().items():
        if name.startswith("W"):
            params[name] = rng.standard_normal(shape) / np.sqrt(shape[0])
        else:
            params[name] = 0.1 * rng.standard_normal(shape)
    return params


def _rows_near_kinks(spec: NetworkSpec, activations, params, X, margin: float) -> np.ndarray:
    """A boolean mask of the rows of X with a pre-activation within ``margin`` of a kink."""
    near = np.zeros(X.shape[0], dtype=bool)
    a = X
    for layer, name in enumerate(spec.activations, start=1):
        z = a @ params[f"W{layer}"] + params[f"b{layer}"]
        for kink in catalog.get(name).kinks:
            near |= (np.abs(z - kink) < margin).any(axis=1)
        a = activations[layer - 1](z)
    return near


def sample_point(spec: NetworkSpec, batch: int, seed: int = 0, dtype: str = "float64",
                 kink_margin: float = KINK_MARGIN) -> Point:
    """A reproducible random point for ``spec``; ``dtype`` is ``float64`` or ``float32``.

    Raises :class:`ValueError` for a batch below 1 and :class:`RuntimeError` if no point clear of
    the kinks is found after :data:`MAX_REDRAWS` redraws (never seen at these sizes).
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    rng = np.random.default_rng(seed)
    params = parameters(spec, rng)
    X = rng.standard_normal((batch, spec.inputs))
    Y = labels(spec, batch, rng)
    if kink_margin > 0 and any(catalog.get(name).kinks for name in spec.activations):
        activations = [_activation_numpy(name) for name in spec.activations]
        for _ in range(MAX_REDRAWS):
            near = _rows_near_kinks(spec, activations, params, X, kink_margin)
            if not near.any():
                break
            X[near] = rng.standard_normal((int(near.sum()), spec.inputs))
        else:
            raise RuntimeError(f"no point {kink_margin} clear of the kinks after {MAX_REDRAWS} redraws")
    cast = np.dtype(dtype)
    return Point({k: v.astype(cast) for k, v in params.items()}, X.astype(cast), Y.astype(cast))
