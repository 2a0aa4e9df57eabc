"""Plots of each activation and its derivative: deterministic PNGs that carry a fingerprint of their curves."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from backprop_derive.cli import plots
from backprop_derive.core.catalog import CATALOG, activations
from backprop_derive.core.derivation import derive_entry
from backprop_derive.core.functions import unfold


@pytest.mark.parametrize("name", activations())
def test_png_is_byte_identical_on_rerun_and_carries_the_fingerprint_of_its_curves(name):
    pytest.importorskip("matplotlib")
    entry = CATALOG[name]
    first, second = plots.render_png(entry), plots.render_png(entry)
    assert first == second
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    assert plots.png_fingerprint(first) == plots.fingerprint(entry)
    assert b"Software" not in first and b"matplotlib" not in first.lower()


@pytest.mark.parametrize("name", activations())
def test_fingerprint_changes_when_the_derivative_changes(name, monkeypatch):
    entry = CATALOG[name]
    before = plots.fingerprint(entry)

    def build(classes):
        problem = entry.build(classes)
        return dataclasses.replace(problem, canonical=problem.canonical + sp.Rational(1, 1000))

    changed = dataclasses.replace(entry, build=build)
    monkeypatch.setitem(CATALOG, name, changed)
    assert plots.fingerprint(changed) != before


@pytest.mark.parametrize("name", activations())
def test_curves_are_the_definition_and_the_proved_derivative_with_the_kink_convention(name):
    entry = CATALOG[name]
    xs, f, df = plots.curves(entry)
    derivation = derive_entry(name)
    var = derivation.problem.var
    for point in [*entry.kinks, *np.linspace(*entry.domain, 7)]:
        at = int(np.argmin(abs(xs - point)))
        exact = sp.nsimplify(xs[at]) if point in entry.kinks else sp.Float(xs[at], 30)
        assert f[at] == pytest.approx(float(unfold(entry.definition()).subs(var, exact)), rel=1e-12, abs=1e-12)
        assert df[at] == pytest.approx(float(unfold(derivation.canonical).subs(var, exact)), rel=1e-12, abs=1e-12)
    for kink in entry.kinks:
        assert kink in xs, "a kink is a sample point, so its convention shows"


def test_a_png_without_a_fingerprint_reads_as_none():
    assert plots.png_fingerprint(b"not a png") is None
    assert plots.png_fingerprint(b"\x89PNG\r\n\x1a\n" + b"\0\0\0\0IEND\xaeB`\x82") is None
