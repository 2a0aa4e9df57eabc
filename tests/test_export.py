"""`derive export`: the notes as documents, their determinism, `--check`, errors, Jupyter's reprs.

Driven by the registry: every catalog entry is exported and checked without code of its own.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backprop_derive.cli import main
from backprop_derive.core.catalog import CATALOG
from backprop_derive.core.derivation import derive_entry
from backprop_derive.notes import entries as export
from backprop_derive.notes import network as net
from backprop_derive.notes.typeset import typeset
from backprop_derive.render.notation import GITHUB_MARKDOWN, latex_text, lines, markdown_text
from tests.cli import assert_usage_error, run

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "notes"


@pytest.fixture(scope="module")
def all_notes() -> dict[str, str]:
    return export.notes()


# ------------------------------------------------------------------------------ documents


@pytest.mark.parametrize("name", list(CATALOG))
def test_latex_note_has_one_align_row_per_step_with_its_rule_then_the_result(all_notes, name):
    tex = all_notes[f"{name}.tex"]
    derivation = derive_entry(name)
    steps = list(lines(derivation.tree))
    align = tex.split("\\begin{align*}\n", 1)[1].split("\\end{align*}", 1)[0]
    box = "\\parbox[t]{0.3\\linewidth}{\\raggedright\\small "
    rules = align.split(box)[1:]
    assert len(rules) == len(steps)
    for rule, step in zip(rules, steps, strict=True):
        assert rule.startswith(latex_text(step.rule))
    ending = tex.split("\\end{align*}", 1)[1]
    assert export.result_tex(derivation) in ending
    assert latex_text(derivation.proof.method) in ending
    assert tex.isascii() and "?" not in tex, "every character written for pdfLaTeX, none replaced"
    assert tex.startswith("% " + export.GENERATED)
    assert tex.rstrip().endswith("\\end{document}")


@pytest.mark.parametrize("name", list(CATALOG))
def test_markdown_note_has_a_math_block_per_step_the_definition_and_the_result(all_notes, name):
    md = all_notes[f"{name}.md"]
    derivation = derive_entry(name)
    fences = [line.strip() for line in md.splitlines() if line.strip().startswith("```")]
    assert fences == ["```math", "```"] * (len(list(lines(derivation.tree))) + 2)
    assert "$$" not in md, "GitHub applies Markdown escapes inside $$ (\\\\ -> \\); math fences are verbatim"
    assert export.result_tex(derivation) in md.split("Result", 1)[1]
    plot = export.plot_file(derivation.entry)
    assert (f"]({plot})" in md) == (plot is not None)


def test_index_lists_every_entry_with_links_and_the_combined_document_has_a_contents(all_notes):
    index = all_notes[export.INDEX_MARKDOWN]
    combined = all_notes[export.COMBINED_LATEX]
    assert "\\tableofcontents" in combined
    for name in [*CATALOG, net.NAME]:
        assert f"]({name}.md)" in index and f"]({name}.tex)" in index
    for name in CATALOG:
        assert f"\\section{{{latex_text(name)}}}" in combined
    assert f"\\section{{{net.TITLE}}}" in combined


def test_network_note_has_each_equation_of_the_default_network_with_its_rule_and_the_proof(all_notes):
    note = net.network_note()
    tex, md = all_notes[f"{net.NAME}.tex"], all_notes[f"{net.NAME}.md"]
    equations = note.equations.forward + note.equations.backward
    assert len(equations) == (2 * note.spec.depth - 1) + (4 * note.spec.depth - 1)  # forward, backward
    box = "\\parbox[t]{0.3\\linewidth}{\\raggedright\\small "
    assert tex.count(box) == len(equations)
    for equation in equations:
        lhs, _, rhs = equation.latex.partition(" = ")
        assert lhs in tex and rhs in tex
        assert f"{box}{latex_text(equation.rule)}" in tex
        assert f"- {markdown_text(equation.rule)}\n\n  ```math\n  {equation.latex}\n  ```" in md
    assert note.proof.proved
    for part in note.proof.parts:
        assert typeset(part.proof.method, latex_text, lambda m: f"${m}$") in tex.split("Proof", 1)[1]
        assert typeset(part.proof.method, markdown_text, GITHUB_MARKDOWN.inline) in md.split("# Proof", 1)[1]


def test_notes_are_byte_identical_on_rerun_and_under_another_hash_seed(all_notes):
    assert export.notes() == all_notes
    code = ("import sys; from backprop_derive.notes.entries import notes; "
            "sys.stdout.buffer.write(repr(notes()).encode())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=300, check=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=ROOT)
    assert other.stdout.decode() == repr(all_notes)


def test_names_are_escaped_in_latex_and_markdown():
    weird = "a_b%c&d#e$f^g~h\\i{j}<k>|l"
    entry = dataclasses.replace(CATALOG["sigmoid"], name=weird, summary=weird, kink_convention=weird, kinks=(0.0,))
    original = derive_entry("sigmoid")
    derivation = dataclasses.replace(original, entry=entry)
    tex = export.entry_latex(derivation)
    assert weird not in tex
    assert r"a\_b\%c\&d\#e\$f\textasciicircum{}g\textasciitilde{}h\textbackslash{}i\{j\}\textless{}k\textgreater{}" \
           r"\textbar{}l" in tex
    md = export.entry_markdown(derivation)
    assert r"# a\_b%c&d\#e\$f^g~h\\i{j}\<k\>\|l" in md


def test_an_unproved_canonical_form_says_so(monkeypatch):
    monkeypatch.setitem(CATALOG, "tanh", _changed(CATALOG["tanh"]))
    bad = derive_entry("tanh")
    assert not bad.proof.proved
    assert "NOT proved" in export.entry_latex(bad)
    assert "NOT proved" in export.entry_markdown(bad)


def _changed(entry):
    """``entry`` with a wrong canonical form (twice the true one): its derivation changes."""
    def build(classes):
        problem = entry.build(classes)
        return dataclasses.replace(problem, canonical=2 * problem.canonical)

    return dataclasses.replace(entry, build=build)


# ------------------------------------------------------------------------------ CLI and --check


def test_check_passes_on_the_committed_notes(capsys):
    code, out, err = run(capsys, "export", "--check", "-o", str(NOTES))
    assert code == 0, out + err
    assert "in sync" in out


def test_check_needs_no_matplotlib(capsys, monkeypatch):
    for module in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    code, out, err = run(capsys, "export", "--check", "-o", str(NOTES))
    assert code == 0, out + err


def test_check_fails_naming_every_file_of_each_changed_derivation(tmp_path, capsys, monkeypatch):
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    for name, entry in CATALOG.items():
        monkeypatch.setitem(CATALOG, name, _changed(entry))
    code, out, err = run(capsys, "export", "--check", "-o", str(notes))
    assert code == 1
    named = {Path(line.split(":", 1)[0]).name for line in out.splitlines()}
    for name, entry in CATALOG.items():
        assert {f"{name}.tex", f"{name}.md"} <= named
        plot = export.plot_file(entry)
        assert plot is None or plot in named
    assert len(err.strip().splitlines()) == 1


def test_check_fails_when_the_networks_backprop_changes(tmp_path, capsys, monkeypatch):
    from backprop_derive.network.backprop import MATRIX_FORMULAS, MatrixFormulas, backprop
    from backprop_derive.network.proof import prove_network

    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    wrong = MatrixFormulas(weight_gradient=lambda a, delta: 2 * MATRIX_FORMULAS.weight_gradient(a, delta))
    monkeypatch.setattr(net, "backprop", lambda spec: backprop(spec, wrong))
    monkeypatch.setattr(net, "prove_network", lambda spec: prove_network(spec, wrong))
    code, out, _ = run(capsys, "export", "--check", "-o", str(notes))
    assert code == 1
    named = sorted(Path(line.split(":", 1)[0]).name for line in out.splitlines())
    assert named == sorted([export.COMBINED_LATEX, export.INDEX_MARKDOWN, "network.md", "network.tex"])


def test_check_names_a_missing_an_edited_and_a_stray_file(tmp_path, capsys):
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    (notes / "sigmoid.md").write_text((notes / "sigmoid.md").read_text() + "edited\n")
    (notes / "relu.tex").unlink()
    (notes / "tanh.png").write_bytes((notes / "relu.png").read_bytes())  # a plot of other curves
    (notes / "removed_entry.md").write_text("old\n")
    code, out, _ = run(capsys, "export", "--check", "-o", str(notes))
    assert code == 1
    assert sorted(Path(line.split(":", 1)[0]).name for line in out.splitlines()) == [
        "relu.tex", "removed_entry.md", "sigmoid.md", "tanh.png"]


def test_export_then_check_round_trips_and_prunes_a_removed_entrys_files(tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, _, _ = run(capsys, "export", "--no-plots", "-o", str(out_dir))
    assert code == 0
    stale = out_dir / "gone.md"
    stale.write_text(f"<!-- {export.GENERATED} -->\n")
    keep = out_dir / "mine.md"
    keep.write_text("written by a person\n")
    code, _, err = run(capsys, "export", "--no-plots", "-o", str(out_dir))
    assert not stale.exists() and keep.exists()
    assert "removed" in err
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([*export.notes(plots=False), "mine.md"])


def test_export_keeps_a_plot_that_shows_the_same_curves_and_redraws_one_that_does_not(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    same = (NOTES / "relu.png").read_bytes() + b"other pixels"  # the same curves, drawn by another matplotlib
    (tmp_path / "relu.png").write_bytes(same)
    (tmp_path / "elu.png").write_bytes((NOTES / "relu.png").read_bytes())  # other curves
    assert main(["export", "relu", "elu", "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    assert (tmp_path / "relu.png").read_bytes() == same
    assert (tmp_path / "elu.png").read_bytes() == (NOTES / "elu.png").read_bytes()


def test_json_output_of_export_and_check(tmp_path, capsys):
    code, out, _ = run(capsys, "export", "mse", "--no-plots", "--json", "-o", str(tmp_path))
    assert code == 0
    assert json.loads(out) == {"directory": str(tmp_path), "files": ["mse.tex", "mse.md", export.COMBINED_LATEX,
                                                                      export.INDEX_MARKDOWN], "plots": False}
    code, out, _ = run(capsys, "export", "--check", "--json", "-o", str(tmp_path))
    report = json.loads(out)
    assert code == 1 and report["in_sync"] is False
    assert {Path(d["file"]).name for d in report["differing"]} >= {"relu.md", "relu.png", "network.tex"}


def test_export_of_names_writes_only_their_files_in_the_format_asked(tmp_path, capsys):
    code, out, _ = run(capsys, "export", "relu", "softmax", "network", "--format", "markdown", "--no-plots",
                       "-o", str(tmp_path))
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "network.md", "relu.md", "softmax.md"]
    assert "wrote 4 files" in out


def test_export_without_matplotlib_skips_plots_with_a_message(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("backprop_derive.cli.export_cmd._have_matplotlib", lambda: False)
    code, _, err = run(capsys, "export", "relu", "-o", str(tmp_path))
    assert code == 0
    assert "plots skipped: matplotlib is not installed" in err
    assert not list(tmp_path.glob("*.png"))
    assert "includegraphics" not in (tmp_path / "relu.tex").read_text()


@pytest.mark.parametrize("argv, message", [
    (["export", "relu", "no_such_entry"], "unknown name 'no_such_entry'; valid names: identity,"),
    (["export", "--check", "relu"], "--check compares the whole directory"),
    (["export", "--format", "docx"], "invalid choice"),
    (["export", "--check", "-o", "/no/such/dir"], "is not a directory"),
])
def test_bad_input_is_a_one_line_error_with_exit_2(capsys, argv, message):
    assert_usage_error(capsys, argv, message)


def test_pdf_without_a_latex_engine_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, _, err = run(capsys, "export", "relu", "--format", "pdf", "-o", str(tmp_path / "out"))
    assert code == 2
    assert "needs latexmk or pdflatex" in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------------------ Jupyter


def test_repr_latex_of_identity_is_pinned():
    assert derive_entry("identity")._repr_latex_() == (
        "$$\\begin{aligned}\n"
        r"&\frac{d}{d x}\left[\operatorname{id}\left(x\right)\right] = 1 &&\text{catalog function} \\" "\n"
        r"&\quad \operatorname{id}\left(x\right) = x &&\text{unfold the definition} \\" "\n"
        r"&\quad \frac{d}{d x}\left[x\right] = 1 &&\text{variable} \\" "\n"
        r"&\quad 1 = 1 &&\text{the form backprop uses; proved: identical} \\[1ex]" "\n"
        r"&\frac{d}{d x}\left[\operatorname{id}\left(x\right)\right] = 1 &&\text{canonical form, proved by identical}"
        "\n\\end{aligned}$$"
    )


@pytest.mark.parametrize("name", list(CATALOG))
def test_jupyter_reprs_show_every_step_and_the_result(name):
    derivation = derive_entry(name)
    steps = list(lines(derivation.tree))
    tex = derivation._repr_latex_()
    assert tex.startswith("$$\\begin{aligned}\n") and tex.endswith("\n\\end{aligned}$$")
    assert tex.count(" &&\\text{") == len(steps) + 1  # a row per step, then the result
    assert "\\parbox" not in tex and "\\textless" not in tex  # MathJax reads neither
    assert export.result_tex(derivation) in tex
    md = derivation._repr_markdown_()
    assert md.startswith(f"### {export.markdown_text(name)}\n")
    assert md.count("$$\n") == 2 * (len(steps) + 2)
    assert export.result_tex(derivation) in md
