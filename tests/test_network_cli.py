"""``derive network`` and plain ``derive``: the JSON contract, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest

from backprop_derive.cli import main
from backprop_derive.numeric.references import unavailable
from tests.cli import assert_usage_error


def _json(capsys, argv):
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


def test_network_json_contract(capsys):
    code, data = _json(capsys, ["network", "--layers", "5,4,3", "--activations", "tanh", "--batch", "6",
                                "--check", "autograd,fd", "--json"])
    assert code == 0
    assert data["network"]["layers"] == [5, 4, 3] and data["network"]["activations"] == ["tanh"]
    assert data["network"]["loss"] == "softmax_cce" and data["network"]["reduction"] == "mean"
    assert all(set(eq) >= {"latex", "text"} for eq in data["equations"])
    assert data["proof"]["proved"] is True and isinstance(data["proof"]["method"], str)
    assert set(data["checks"]) == {"autograd", "fd"}
    for reference in data["checks"].values():
        assert set(reference) == {"W1", "b1", "W2", "b2"}
        for error in reference.values():
            assert isinstance(error["max_abs"], float) and isinstance(error["max_rel"], float)
    assert data["holds"] is True


def test_plain_derive_runs_the_default_network_end_to_end(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for words in ("70 → 10 → 10 → 3", "δ3 = (Ŷ - Y)/n", "∂L/∂W3 = A2ᵀ δ3", "Proof: PROVED", "autograd", "fd",
                  "Everything holds."):
        assert words in out
    if unavailable("torch") is None:
        assert "torch      W1" in out


def test_float32_network_reports_float32_tolerances(capsys):
    code, data = _json(capsys, ["network", "--layers", "4,3,2", "--activations", "sigmoid", "--loss", "mse",
                                "--reduction", "sum", "--dtype", "float32", "--check", "autograd", "--json"])
    assert code == 0
    assert data["tolerances"] == {"autograd": 1e-4}


@pytest.mark.parametrize(("argv", "words"), [
    (["network", "--activations", "relu,swish"], "'swish' is not an elementwise catalog activation"),
    (["network", "--loss", "hinge"], "loss 'hinge'"),
    (["network", "--reduction", "max"], "reduction 'max'"),
    (["network", "--layers", "70,10,3"], "2 given"),
    (["network", "--layers", "70,0,10,3"], "size 2 is 0"),
    (["network", "--layers", "70,-3,10,3"], "size 2 is -3"),
    (["network", "--layers", "70,ten,3", "--activations", "relu"], "'ten' is not an integer"),
    (["network", "--batch", "0"], "--batch: 0 is too small"),
    (["network", "--batch", "many"], "--batch: 'many' is not an integer"),
    (["network", "--seed", "-1"], "--seed"),
    (["network", "--dtype", "float16"], "--dtype: 'float16'"),
    (["network", "--check", "autograd,tensorflow"], "unknown reference 'tensorflow'"),
    (["codegen", "--activations", "relu,relu,relu", "-o", "x.py"], "3 given"),
])
def test_bad_input_is_a_one_line_error_with_exit_2(capsys, argv, words):
    assert_usage_error(capsys, argv, words)


@pytest.mark.skipif(unavailable("jax") is None, reason="jax is installed here")
def test_naming_a_reference_that_is_not_installed_is_an_error(capsys):
    assert main(["network", "--check", "jax"]) == 2
    assert "jax is not installed" in capsys.readouterr().err


def test_a_wrong_gradient_makes_network_exit_1(capsys, monkeypatch):
    import backprop_derive.numeric.compile as compile_module

    original = compile_module.compile_network

    def off_by_a_tenth_of_a_percent(spec, *args):
        compiled = original(spec, *args)

        def gradients(params, X, Y):
            grads = compiled.gradients(params, X, Y)
            return {**grads, "W1": grads["W1"] * 1.001}

        return compile_module.CompiledNetwork(spec, compiled.source, compiled.forward, compiled.loss, gradients)

    monkeypatch.setattr(compile_module, "compile_network", off_by_a_tenth_of_a_percent)
    assert main(["network", "--layers", "4,3,2", "--activations", "relu", "--check", "autograd"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_without_autograd_and_torch_the_network_runs_with_finite_differences():
    """``pip install -e . && derive`` has neither: they are skipped with a note, fd still runs."""
    import subprocess
    import sys

    script = ("import sys; sys.modules['autograd'] = None; sys.modules['torch'] = None; sys.modules['jax'] = None\n"
              "from backprop_derive.cli import main\n"
              "sys.exit(main(['network', '--layers', '4,3,2', '--activations', 'gelu', '--batch', '5']))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "autograd: skipped, autograd is not installed" in result.stdout
    assert "torch: skipped" in result.stdout
    assert "fd         W1" in result.stdout and "Everything holds." in result.stdout


def test_network_prints_its_equations_as_latex_on_request(capsys):
    assert main(["network", "--layers", "4,3,2", "--activations", "relu", "--check", "fd", "--latex"]) == 0
    out = capsys.readouterr().out
    assert "\\begin{align*}" in out and "\\frac{\\partial L}{\\partial W_{2}} &= A_{1}^{T} \\delta_{2}" in out
    with pytest.raises(SystemExit) as exit_info:  # argparse: one line, exit 2
        main(["network", "--json", "--latex"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1
