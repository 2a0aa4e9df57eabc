"""Layers in `derive list` and in the notes (`derive export`, kept in sync by `derive export --check`).

Driven by the registry: every layer of ``backprop_derive.network.layers`` is listed and exported without code of its
own.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
import sympy as sp

from backprop_derive.network.layers import LAYERS, layernorm
from backprop_derive.notes import entries as export
from backprop_derive.render.notation import latex_text, markdown_text
from tests.cli import run

NOTES = Path(__file__).resolve().parents[1] / "notes"


@pytest.fixture(scope="module")
def all_notes() -> dict[str, str]:
    return export.notes()


def test_list_shows_every_layer_with_its_matrix_form(capsys):
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out) if row["kind"] == "layer"}
    assert list(rows) == list(LAYERS)
    for name, layer in LAYERS.items():
        lhs = {form["lhs"] for form in rows[name]["matrix_form"]}
        assert lhs == {f"∂L/∂{p}" for p in (*layer.inputs, *layer.parameters)}
        assert rows[name]["definition"]["text"] == layer.summary
    code, out, _ = run(capsys, "list")
    lines = out.splitlines()
    for name in LAYERS:
        at = next(i for i, line in enumerate(lines) if line.split()[:2] == [name, "layer"])
        assert lines[at + 1].strip().startswith("∂L/∂")


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_has_a_latex_and_a_markdown_note_in_the_index_and_the_combined_document(all_notes, name):
    layer = LAYERS[name]
    tex, md = all_notes[f"{name}.tex"], all_notes[f"{name}.md"]
    for note in (tex, md):
        assert export.GENERATED in note
        proved = "proved exactly on instances" if layer.on_instances else "proved for symbolic sizes"
        assert proved in note and "NOT proved" not in note
    steps, matrix = (part.split("\\end{itemize}")[0] for part in tex.split("\\begin{itemize}")[1:3])
    assert steps.count("\\item $") == len(layer.steps)  # one item per index-notation step
    assert md.count("```math") == matrix.count("\\item $")  # the same matrix form
    shown = markdown_text(name)  # gru\_cell: Markdown escapes the underscore
    index = [line for line in all_notes[export.INDEX_MARKDOWN].splitlines() if line.startswith(f"| {shown} |")]
    assert index and "| layer |" in index[0] and f"({name}.md)" in index[0] and f"({name}.tex)" in index[0]
    assert f"\\section{{{latex_text(name)}}}" in all_notes[export.COMBINED_LATEX]


def test_export_takes_a_layer_name(tmp_path, capsys):
    code, _, err = run(capsys, "export", "layernorm", "--no-plots", "-o", str(tmp_path))
    assert code == 0, err
    assert {"layernorm.md", "layernorm.tex"} <= {path.name for path in tmp_path.iterdir()}


def test_check_fails_when_a_layers_backward_changes(tmp_path, capsys, monkeypatch):
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    wrong = dataclasses.replace(LAYERS["layernorm"], backward=layernorm.backward_with(sp.Rational(-1, 4)))
    monkeypatch.setitem(LAYERS, "layernorm", wrong)
    code, out, _ = run(capsys, "export", "--check", "-o", str(notes))
    assert code == 1
    named = sorted(Path(line.split(":", 1)[0]).name for line in out.splitlines())
    assert named == sorted([export.COMBINED_LATEX, export.INDEX_MARKDOWN, "layernorm.md", "layernorm.tex"])


def test_matrix_form_reads_as_people_write_it(capsys):
    from backprop_derive.network.backprop import backprop
    from backprop_derive.network.spec import NetworkSpec

    shown = {}
    for name in LAYERS:
        code, out, _ = run(capsys, "show", name)
        assert code == 0
        shown[name] = out.split("Matrix form:")[1].split("\nproof:")[0]
    for text in shown.values():
        for raw in ("HadamardPower", "Lambda", "(-1)", "sqrt(", "+ (-", "(K)ᵀ"):
            assert raw not in text, (raw, text)
    assert "xc = x − mu 1ᵀ" in shown["layernorm"] and "var = 1/d xc∘² 1" in shown["layernorm"]
    assert "dS = P ⊙ (dP − (P ⊙ dP) 1 1ᵀ)" in shown["attention"] and "dQ = 1/√d dS K" in shown["attention"]
    assert "dx = (phi'(u) ⊙ G) Wᵀ + G" in shown["residual"]
    equations = [eq.text for eq in backprop(NetworkSpec(norm="batchnorm")).forward]
    assert "xc1 = Z1 − mu1" in equations and "var1 = 1/n 1ᵀ xc1∘²" in equations
