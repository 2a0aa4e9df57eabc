"""``derive codegen``: a standalone module that imports only numpy and computes the right gradients."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from backprop_derive.cli import main
from backprop_derive.network.spec import NetworkSpec
from backprop_derive.numeric.codegen import module_text
from backprop_derive.numeric.compare import compare_gradients
from backprop_derive.numeric.points import sample_point
from backprop_derive.numeric.references import autograd_gradients


def _imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module)
    return names


def _load(path):
    namespace: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def test_codegen_writes_a_module_that_imports_only_numpy(tmp_path, capsys):
    target = tmp_path / "backprop_note.py"
    assert main(["codegen", "-o", str(target)]) == 0
    assert "wrote" in capsys.readouterr().out
    source = target.read_text()
    assert _imports(source) == {"numpy"}
    header = ast.get_docstring(ast.parse(source))
    for words in ("70 → 10 → 10 → 3", "relu", "softmax_cce", "rows are samples", "one-hot", "PROVED",
                  "derive codegen --layers 70,10,10,3"):
        assert words in header
    assert "dW3 = A2.T @ delta3" in source and "db3 = delta3.sum(axis=0)" in source


def test_generated_module_runs_standalone_with_the_documented_interface(tmp_path):
    target = tmp_path / "net.py"
    assert main(["codegen", "--layers", "7,5,4", "--activations", "tanh", "--loss", "sigmoid_bce", "-o",
                 str(target)]) == 0
    script = textwrap.dedent(f"""
        import sys, numpy
        sys.path.insert(0, {str(tmp_path)!r})
        import net
        rng = numpy.random.default_rng(0)
        params = {{"W1": rng.standard_normal((7, 5)), "b1": rng.standard_normal(5),
                   "W2": rng.standard_normal((5, 4)), "b2": rng.standard_normal(4)}}
        X, Y = rng.standard_normal((9, 7)), rng.integers(0, 2, (9, 4)).astype(float)
        out = net.forward(params, X)
        assert out.shape == (9, 4) and ((out > 0) & (out < 1)).all()
        assert isinstance(net.loss(params, X, Y), float)
        grads = net.gradients(params, X, Y)
        assert {{k: v.shape for k, v in grads.items()}} == {{k: v.shape for k, v in params.items()}}
        assert set(sys.modules) & {{"derive", "checks", "sympy", "torch", "autograd"}} == set()
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize(("layers", "activations", "loss", "reduction"), [
    ("6,5,4,3", "gelu,leaky_relu", "softmax_cce", "sum"),
    ("6,3", "", "mse", "mean"),
])
def test_generated_gradients_equal_autograd(tmp_path, layers, activations, loss, reduction):
    target = tmp_path / "generated.py"
    argv = ["codegen", "--layers", layers, "--activations", activations, "--loss", loss, "--reduction", reduction,
            "-o", str(target)]
    assert main(argv) == 0
    module = _load(target)
    spec = NetworkSpec(tuple(int(s) for s in layers.split(",")), tuple(filter(None, activations.split(","))),
                       loss, reduction)
    point = sample_point(spec, 10, seed=3)
    grads = module["gradients"](point.params, point.X, point.Y)
    comparison = compare_gradients(grads, autograd_gradients(spec, point.params, point.X, point.Y),
                                   "float64", "autograd")
    assert comparison.passed, comparison.worst
    assert np.isfinite(module["loss"](point.params, point.X, point.Y))


def test_module_text_is_valid_python_for_every_loss():
    for loss in ("softmax_cce", "sigmoid_bce", "mse"):
        ast.parse(module_text(NetworkSpec((4, 3, 2), ("silu",), loss)))


def test_codegen_to_a_missing_directory_is_a_one_line_error(tmp_path, capsys):
    assert main(["codegen", "-o", str(tmp_path / "missing" / "net.py")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err
