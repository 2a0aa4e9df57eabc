"""`derive list` and `derive show`: output, JSON contract, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest

from backprop_derive.core.catalog import CATALOG
from tests.cli import assert_usage_error, run


def test_list_json_has_one_row_per_entry(capsys):
    code, out, _ = run(capsys, "list", "--json")
    rows = [row for row in json.loads(out) if row["kind"] != "layer"]  # layers: tests/test_layers_notes.py
    assert code == 0
    assert [row["name"] for row in rows] == list(CATALOG)
    for row in rows:
        assert row["kind"] in ("activation", "vector", "loss")
        assert set(row["definition"]) == {"latex", "text"}


def test_list_text_is_two_lines_per_entry_definition_then_derivative(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    rows = out.strip().splitlines()[:2 * len(CATALOG)]  # then the layers (tests/test_layers_notes.py)
    assert [row.split()[0] for row in rows[::2]] == list(CATALOG)
    assert all(row.split()[0] in ("d/dx", "∂/∂z_k") for row in rows[1::2])


@pytest.mark.parametrize("name", list(CATALOG))
def test_show_json_contract(capsys, name):
    code, out, _ = run(capsys, "show", name, "--json")
    data = json.loads(out)
    assert code == 0
    for key in ("definition", "derivative", "canonical"):
        assert set(data[key]) >= {"latex", "text"}
    assert data["name"] == name
    assert data["proof"] == {"proved": True, "method": data["proof"]["method"]}
    assert isinstance(data["assumptions"], list)
    (root,) = data["steps"]
    assert set(root) >= {"rule", "expr", "result", "substeps"}
    assert root["substeps"], "a catalog derivation has sub-steps"


def test_show_sigmoid_ends_in_sigma_times_one_minus_sigma(capsys):
    code, out, _ = run(capsys, "show", "sigmoid")
    assert code == 0
    assert out.strip().splitlines()[-1].endswith("σ(x)·(1 - σ(x))")
    data = json.loads(run(capsys, "show", "sigmoid", "--json")[1])
    assert data["canonical"]["text"] in ("sigmoid(x)*(1 - sigmoid(x))", "(1 - sigmoid(x))*sigmoid(x)")
    assert data["derivative"]["text"] == "exp(-x)/(1 + exp(-x))**2"


@pytest.mark.parametrize(
    ("name", "ending"),
    [("tanh", "1 - tanh(x)²"), ("softplus", "σ(x)"), ("softmax_cce", "softmax(z)_k - y_k")],
)
def test_show_ends_in_the_form_backprop_uses(capsys, name, ending):
    code, out, _ = run(capsys, "show", name)
    assert code == 0
    assert out.strip().splitlines()[-1].endswith(ending)


def test_show_relu_gives_zero_at_zero(capsys):
    code, out, _ = run(capsys, "show", "relu")
    assert code == 0
    assert "at the kink x = 0: 0 " in out
    data = json.loads(run(capsys, "show", "relu", "--json")[1])
    assert data["kinks"][0]["value"]["text"] == "0"


def test_show_softmax_cce_names_the_label_assumption(capsys):
    data = json.loads(run(capsys, "show", "softmax_cce", "--json")[1])
    assert "sum_i y[i] = 1" in data["assumptions"]
    assert data["canonical"]["text"] == "softmax(z, k, K) - y[k]"


def test_show_concrete_classes(capsys):
    code, out, _ = run(capsys, "show", "softmax_cce", "--classes", "4")
    assert code == 0
    assert "case split k = 1..4" in out


def test_show_latex_is_an_align_environment(capsys):
    code, out, _ = run(capsys, "show", "sigmoid", "--latex")
    assert code == 0
    assert out.startswith("\\begin{align*}")
    assert "\\small chain rule" in out and "\\end{align*}" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "sigmoidd"], "entry 'sigmoidd'; did you mean 'sigmoid'? valid names: identity, sigmoid"),
        (["show", "relu", "--classes", "3"], "--classes applies to"),
        (["show", "softmax", "--classes", "1"], "--classes must be between 2"),
        (["show"], "the following arguments are required: name"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    assert_usage_error(capsys, argv, message)
