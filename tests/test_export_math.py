"""Plain-text math in the network proof's words, typeset as math: what is math, what stays words."""

from __future__ import annotations

import pytest

from backprop_derive.network.spec import NetworkSpec
from backprop_derive.notes import network as net
from backprop_derive.notes.typeset import math_latex, typeset
from backprop_derive.render.notation import latex_text


def tex(text: str) -> str:
    return typeset(text, latex_text, lambda m: f"${m}$")


@pytest.mark.parametrize(("text", "expected"), [
    ("∂L/∂W_l = A_{l-1}ᵀ δ_l, any f_l and loss",
     r"$\partial L/\partial W_l = A_{l-1}^{T} \delta_l$, any $f_l$ and loss"),
    ("δ_L = ∂L/∂Z_L for softmax_cce (mean)", r"$\delta_L = \partial L/\partial Z_L$ for softmax\_cce (mean)"),
    ("relu'(x) = d/dx of relu's definition",
     r"$\operatorname{relu}'(x) = \mathrm{d}/\mathrm{d}x$ of relu's definition"),
    ("leaky_relu'(x) = d/dx of leaky_relu's definition",
     r"$\operatorname{leaky\_relu}'(x) = \mathrm{d}/\mathrm{d}x$ of leaky\_relu's definition"),
    ("sum_i y1[i] = 1", r"$\sum_i y1[i] = 1$"),
    ("unfold definitions + expand", "unfold definitions + expand"),
    ("expands to 0 (f_l, f_l', ℓ undefined functions)", r"expands to $0$ ($f_l$, $f_l'$, $\ell$ undefined functions)"),
])
def test_math_runs_become_formulas_and_words_stay_words(text, expected):
    assert tex(text) == expected


def test_text_that_cannot_be_math_stays_escaped_words():
    """An unbalanced brace (a piecewise in words) is not made math: it would not compile."""
    written = tex("{1/100 if x ≤ 0; 1 otherwise}")
    assert r"\{" in written and r"\}" in written and written.count("$") % 2 == 0, written
    for formula in written.split("$")[1::2]:
        assert formula.count("{") == formula.count("}"), written


@pytest.mark.parametrize("spec", [NetworkSpec(), NetworkSpec((4, 3, 3, 2), ("gelu", "leaky_relu"), "sigmoid_bce",
                                                             "sum"), NetworkSpec((3, 2, 2), ("elu",), "mse")])
def test_no_proof_of_any_network_prints_a_brace_or_underscore_as_text(spec):
    body = net.network_latex_body(net.network_note(spec))
    proof = body.split("{Proof}", 1)[1]
    outside_math = proof.split("$")[::2]
    assert not any(r"\{" in part or r"\_{" in part for part in outside_math), proof
    for part in proof.split("$")[1::2]:
        assert part.count("{") == part.count("}"), part


def test_unicode_math_becomes_commands():
    assert math_latex("δ_l W_lᵀ ⊙ f'(Z)") == r"\delta_l W_l^{T} \odot  f'(Z)"
