"""The network spec and its matrix-form backprop equations, as data."""

from __future__ import annotations

import pytest
import sympy as sp

from backprop_derive.core import catalog
from backprop_derive.network.backprop import backprop, output_loss
from backprop_derive.network.spec import LOSSES, REDUCTIONS, NetworkSpec


def test_default_network_is_the_notes_network():
    spec = NetworkSpec()
    assert spec.layers == (70, 10, 10, 3)
    assert spec.activations == ("relu", "relu")
    assert (spec.loss, spec.reduction) == ("softmax_cce", "mean")
    assert spec.parameter_shapes() == {"W1": (70, 10), "b1": (10,), "W2": (10, 10), "b2": (10,),
                                       "W3": (10, 3), "b3": (3,)}
    assert spec.parameter_count() == 70 * 10 + 10 + 10 * 10 + 10 + 10 * 3 + 3


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"layers": (70,)}, "at least an input and an output"),
    ({"layers": (70, 0, 3), "activations": ("relu",)}, "size 2 is 0"),
    ({"layers": (70, -4, 3), "activations": ("relu",)}, "size 2 is -4"),
    ({"layers": (70, 10, 3), "activations": ()}, "1 hidden layer"),
    ({"layers": (70, 10, 3), "activations": ("relu", "relu")}, "2 given"),
    ({"layers": (70, 10, 3), "activations": ("swish",)}, "'swish' is not an elementwise catalog activation"),
    ({"layers": (70, 10, 3), "activations": ("softmax",)}, "'softmax' is not an elementwise"),
    ({"loss": "hinge"}, "loss 'hinge'"),
    ({"reduction": "median"}, "reduction 'median'"),
    ({"layers": (70, 2.5, 3), "activations": ("relu",)}, "not an integer"),
])
def test_bad_spec_raises_one_line_value_error(kwargs, words):
    with pytest.raises(ValueError, match=words) as info:
        NetworkSpec(**kwargs)
    assert "\n" not in str(info.value)


def test_equations_of_the_default_network_in_matrix_form():
    bp = backprop(NetworkSpec())
    text = [eq.text for eq in bp.backward]
    assert text[0].startswith("δ3 = (Ŷ - Y)/n")
    assert text[1:5] == ["∂L/∂W3 = A2ᵀ δ3", "∂L/∂b3 = 1ᵀ δ3", "∂L/∂A2 = δ3 W3ᵀ", "δ2 = ∂L/∂A2 ⊙ relu'(Z2)"]
    assert text[-2:] == ["∂L/∂W1 = Xᵀ δ1", "∂L/∂b1 = 1ᵀ δ1"]
    latex = {eq.name: eq.latex for eq in bp.backward}
    assert latex["dW3"] == r"\frac{\partial L}{\partial W_{3}} = A_{2}^{T} \delta_{3}"
    assert latex["delta3"].startswith(r"\delta_{3} = \frac{\hat{Y} - Y}{n}")
    assert all(eq.rule for eq in bp.forward + bp.backward)
    # per layer: dW, db, and (below the top) dL/dA and δ; plus δ_L
    assert len(bp.backward) == 1 + 4 * 3 - 2


@pytest.mark.parametrize("name", catalog.activations())
def test_hidden_delta_uses_the_catalogs_canonical_derivative(name):
    bp = backprop(NetworkSpec((3, 2, 2), (name,), "mse"))
    (act,) = bp.activations
    x = catalog.x
    assert act.derivative == sp.diff(catalog.get(name).function(x), x)
    assert f"{name}'(Z1)" in bp.backward[-3].text


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_output_delta_scale_matches_pytorch_reductions(loss, reduction):
    out = output_loss(loss, reduction)
    n, K = sp.symbols("n K", integer=True, positive=True)
    expected = {"sum": 1, "mean": 1 / n if loss == "softmax_cce" else 1 / (n * K)}[reduction]
    assert out.scale == expected
    assert out.delta.has(n) == (reduction == "mean")
