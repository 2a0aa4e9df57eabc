"""Compiled numpy backprop against JAX (skipped without jax, the optional extra `jax`)."""

from __future__ import annotations

import pytest

pytest.importorskip("jax", reason="JAX is the optional extra `jax` (pip install -e '.[jax]')")

from checks.compare import compare_gradients
from checks.compile import compile_network
from checks.points import sample_point
from checks.references import jax_gradients
from derive import catalog
from derive.network_spec import LOSSES, NetworkSpec


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", catalog.activations())
def test_float64_gradients_equal_jax(activation, loss):
    spec = NetworkSpec((6, 5, 3), (activation,), loss)
    point = sample_point(spec, 8, seed=21)
    grads = compile_network(spec).gradients(point.params, point.X, point.Y)
    comparison = compare_gradients(grads, jax_gradients(spec, point.params, point.X, point.Y), "float64", "jax")
    assert comparison.passed, comparison.worst
