"""Compiled numpy backprop against JAX (skipped without jax, the optional extra `jax`)."""

from __future__ import annotations

import pytest

pytest.importorskip("jax", reason="JAX is the optional extra `jax` (pip install -e '.[jax]')")

from backprop_derive.core import catalog
from backprop_derive.network.spec import LOSSES, NetworkSpec
from backprop_derive.numeric.compare import compare_gradients
from backprop_derive.numeric.compile import compile_network
from backprop_derive.numeric.points import sample_point
from backprop_derive.numeric.references import jax_gradients


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", catalog.activations())
def test_float64_gradients_equal_jax(activation, loss):
    spec = NetworkSpec((6, 5, 3), (activation,), loss)
    point = sample_point(spec, 8, seed=21)
    grads = compile_network(spec).gradients(point.params, point.X, point.Y)
    comparison = compare_gradients(grads, jax_gradients(spec, point.params, point.X, point.Y), "float64", "jax")
    assert comparison.passed, comparison.worst
