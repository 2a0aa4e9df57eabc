"""Networks of any layers (backprop_derive.numeric.sequential): spec, proof, generated code, references, planted
mistakes, CLI."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from backprop_derive.cli import main
from backprop_derive.network import sequential as network_sequential
from backprop_derive.network.layers import LAYERS
from backprop_derive.network.sequential import prove_sequential
from backprop_derive.numeric.compare import compare_gradients
from backprop_derive.numeric.kernels import KERNELS
from backprop_derive.numeric.sequential.gradients import (
    autograd_gradients,
    finite_difference_gradients,
    sample_point,
    torch_gradients,
)
from backprop_derive.numeric.sequential.program import compile_sequential, program_source
from backprop_derive.numeric.sequential.spec import Sequential, from_dict, layer, load
from tests.cli import assert_usage_error

HAS_TORCH = importlib.util.find_spec("torch") is not None
EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "networks").glob("*.toml"))

#: A sequence model built from dense and activations only: (N, T=3, 4) → dense(5) → tanh → dense(3) on every step.
STEPS = Sequential("steps", (3, 4), (layer("dense", out=5), layer("tanh"), layer("dense", out=3)))
MLP = Sequential("mlp", (5,), (layer("dense", out=4), layer("relu"), layer("dense", out=6), layer("gelu"),
                               layer("dense", out=3)), reduction="sum")


def _checked(spec: Sequential, batch: int, references=("torch", "autograd", "fd"), seed: int = 0):
    point = sample_point(spec, batch, seed)
    grads = compile_sequential(spec).gradients(point.params, point.X, point.Y)
    found = {"torch": torch_gradients, "autograd": autograd_gradients, "fd": finite_difference_gradients}
    return {name: compare_gradients(grads, found[name](spec, point.params, point.X, point.Y), "float64", name)
            for name in references}


# ------------------------------------------------------------------------------------- spec


def test_the_builder_and_the_toml_give_the_same_record(tmp_path):
    path = tmp_path / "steps.toml"
    path.write_text('name = "steps"\ninput = [3, 4]\n[[layers]]\nkind = "dense"\nout = 5\n'
                    '[[layers]]\nkind = "tanh"\n[[layers]]\nkind = "dense"\nout = 3\n')
    assert load(path) == STEPS
    assert STEPS.shapes == ((3, 4), (3, 5), (3, 5), (3, 3))
    assert STEPS.parameter_shapes() == {"W1": (4, 5), "b1": (5,), "W3": (5, 3), "b3": (3,)}


BAD = {
    "no such layer kind": ({"layers": [{"kind": "conv7d"}]}, "layer 1 (conv7d): no such layer kind"),
    "a missing setting": ({"layers": [{"kind": "dense"}]}, "layer 1 (dense): setting 'out' is required"),
    "an unknown setting": ({"layers": [{"kind": "dense", "out": 3, "stride": 2}]},
                           "layer 1 (dense): unknown setting 'stride'"),
    "an unknown activation": ({"layers": [{"kind": "activation", "name": "relux"}]},
                              "layer 1 (activation): activation 'relux' is not"),
    "a loss as a layer": ({"layers": [{"kind": "softmax_cce"}]}, "layer 1 (softmax_cce): softmax_cce is a loss"),
    "a loss with no head": ({"loss": "hinge"}, "loss 'hinge' has no loss head"),
    "a bad reduction": ({"reduction": "max"}, "reduction 'max' is unknown"),
    "a bad input": ({"input": [4, 0]}, "input: size 2 is 0"),
    "an unknown key": ({"optimizer": "sgd"}, "unknown key 'optimizer'"),
    "no kind": ({"layers": [{"out": 3}]}, "layer 1: kind is missing"),
    "a table as a setting": ({"layers": [{"kind": "dense", "out": [3]}]}, "layer 1 (dense): setting out is [3]"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_spec_is_a_one_line_error_naming_the_layer_and_setting(case):
    change, message = BAD[case]
    data = {"name": "bad", "input": [4], "layers": [{"kind": "dense", "out": 3}], **change}
    with pytest.raises(ValueError) as err:
        from_dict(data)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_bad_file_is_named(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text("name = 'x'\ninput = [3\n")
    with pytest.raises(ValueError, match=r"net\.toml: not TOML"):
        load(path)
    with pytest.raises(ValueError, match=r"missing\.toml: No such file"):
        load(tmp_path / "missing.toml")


# ------------------------------------------------------------------------- proof and code


def test_the_proof_has_a_part_per_layer_the_loss_head_and_the_composition():
    proof = prove_sequential(MLP)
    assert proof.proved, proof.method
    claims = [part.claim for part in proof.parts]
    assert [c.split(":")[0] for c in claims[:3]] == ["layer 1 (dense)", "layer 2 (relu)", "layer 2 (relu)"]
    assert any(c.startswith("loss head: δ") for c in claims)
    assert "chain rule through a sequence" in proof.parts[-1].proof.method


def test_a_planted_mistake_in_a_layer_lemma_fails_the_proof(monkeypatch):
    dense = LAYERS["dense"]

    def no_transpose(keep, g, x, W, b, saved):  # ∂L/∂X = G W instead of G Wᵀ
        return {"dW": x.T * g, "db": dense.backward(keep, g, x, W, b, saved)["db"], "dx": g * W}

    monkeypatch.setitem(LAYERS, "dense", dataclasses.replace(dense, backward=no_transpose))
    network_sequential.kind_lemma.cache_clear()
    try:
        proof = prove_sequential(STEPS)
    finally:
        network_sequential.kind_lemma.cache_clear()
    assert not proof.proved
    failed = [part.claim for part in proof.parts if not part.proof.proved]
    assert failed[0].startswith("layer 1 (dense)") and failed[-1].startswith("composition")


def test_the_generated_module_contains_the_kernels_source_and_runs_standalone(tmp_path):
    source = program_source(STEPS)
    for function in (*KERNELS["dense"].functions, *KERNELS["activation"].functions):
        assert f"def {function.__name__}(" in source
    assert "def tanh_and_derivative(x):" in source and "from checks" not in source and "derive" not in source
    path = tmp_path / "net.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("net", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    point = sample_point(STEPS, 2)
    assert module.forward(point.params, point.X).shape == (2, 3, 3)
    assert np.isclose(module.loss(point.params, point.X, point.Y),
                      compile_sequential(STEPS).loss(point.params, point.X, point.Y))


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
@pytest.mark.parametrize("spec", [STEPS, MLP], ids=["steps", "mlp"])
def test_dense_and_activation_networks_match_torch_autograd_and_fd(spec):
    for name, comparison in _checked(spec, 3).items():
        assert comparison.passed, (name, comparison.to_json())


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
def test_a_planted_kernel_mistake_is_caught_by_every_reference(monkeypatch):
    def dense_backward(g, cache):  # dW 0.1 % too large
        x, W = cache
        rows_x, rows_g = x.reshape(-1, x.shape[-1]), g.reshape(-1, g.shape[-1])
        return g @ W.T, 1.001 * (rows_x.T @ rows_g), rows_g.sum(axis=0)

    kernel = KERNELS["dense"]
    monkeypatch.setitem(KERNELS, "dense", dataclasses.replace(kernel, functions=(kernel.forward, dense_backward)))
    assert "1.001 * (rows_x.T @ rows_g)" in program_source(STEPS)
    for name, comparison in _checked(STEPS, 3).items():
        assert not comparison.passed, name
        assert {e.name for e in comparison.errors if not e.passed} == {"W1", "W3"}, name


# ---------------------------------------------------------------------------- examples


def test_there_are_example_networks():
    assert EXAMPLES and all(path.suffix == ".toml" for path in EXAMPLES)


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_example_loads_proves_compiles_and_matches_torch_and_fd(path):
    spec = load(path)
    proof = prove_sequential(spec)
    assert proof.proved, proof.method
    results = _checked(spec, 2, ("torch", "fd"))
    assert results["torch"].worst.max_rel <= 1e-10, results["torch"].to_json()
    assert results["fd"].worst.max_rel <= 1e-6, results["fd"].to_json()


# ---------------------------------------------------------------------------------- CLI


def _write(tmp_path) -> Path:
    path = tmp_path / "steps.toml"
    path.write_text('name = "steps"\ninput = [3, 4]\n[[layers]]\nkind = "dense"\nout = 5\n'
                    '[[layers]]\nkind = "tanh"\n[[layers]]\nkind = "dense"\nout = 3\n')
    return path


def test_derive_network_spec_json(capsys, tmp_path):
    code = main(["network", "--spec", str(_write(tmp_path)), "--check", "autograd,fd", "--batch", "3", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["holds"] is True and data["proof"]["proved"] is True
    assert data["network"]["layers"][0] == {"kind": "dense", "out": 5, "out_shape": [3, 5]}
    assert set(data["checks"]) == {"autograd", "fd"} and set(data["checks"]["fd"]) == {"W1", "b1", "W3", "b3"}


def test_derive_network_spec_text(capsys, tmp_path):
    assert main(["network", "--spec", str(_write(tmp_path)), "--check", "fd"]) == 0
    out = capsys.readouterr().out
    for words in ("Network: steps: 3×4 → dense(out=5) → tanh → dense(out=3)", "✓ layer 2 (tanh)",
                  "Proof: PROVED", "chain rule through a sequence", "Everything holds."):
        assert words in out


def test_derive_codegen_spec_writes_the_compiled_text(capsys, tmp_path):
    target = tmp_path / "net.py"
    assert main(["codegen", "--spec", str(_write(tmp_path)), "-o", str(target)]) == 0
    text = target.read_text()
    assert text.endswith(program_source(load(_write(tmp_path))))
    assert "Proof that each layer's backward is its VJP, composed by the chain rule: PROVED." in text
    assert "derive codegen --spec" in text


def test_cli_spec_errors_are_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\ninput = [4]\n[[layers]]\nkind = "dense"\n')
    assert_usage_error(capsys, ["network", "--spec", str(bad)], "layer 1 (dense): setting 'out' is required")
    assert_usage_error(capsys, ["codegen", "--spec", str(tmp_path / "none.toml"), "-o", str(tmp_path / "x.py")],
                       "No such file")
    assert_usage_error(capsys, ["network", "--spec", str(_write(tmp_path)), "--dtype", "float32"], "float64 only")
