"""``derive verify`` for the people who use it: notebooks, a class of files at once, and Jupyter's ``check``."""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pytest

from backprop_derive.cli import main
from tests.cli import assert_usage_error, run

GOOD = "Expanding:\n\n$$(x + 1)^2 = x^2 + 2x + 1$$\n"
WRONG = "Expanding:\n\n$$(x + 1)^2 = x^2 + 2x + 1 = x^2 + x + 1$$\n"
NO_MATH = "My answer is in the attached photo.\n"
TANH = r"$$\tanh(x) = 2\sigma(2x) - 1 = 2\sigma(x) - 1$$"


def notebook(cells: list[tuple[str, str]]) -> str:
    nbformat = pytest.importorskip("nbformat", reason="nbformat is in the `notebook` and `test` extras")
    made = nbformat.v4.new_notebook()
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    made.cells = [make[kind](text) for kind, text in cells]
    return nbformat.writes(made)


HOMEWORK = [("markdown", "# Homework 3"), ("code", "import numpy as np\nx = 1"),
            ("markdown", f"The derivative of tanh:\n{TANH}\n")]


# --------------------------------------------------------------------------------------- notebooks


def test_a_notebook_is_read_by_its_markdown_cells_and_places_are_cell_and_line(tmp_path, capsys):
    path = tmp_path / "hw3.ipynb"
    path.write_text(notebook(HOMEWORK), encoding="utf-8")
    code, out, _ = run(capsys, "verify", str(path))
    assert code == 1
    assert "read 2 Markdown cell(s)" in out
    assert "chain 1 (cell 3, line 2): " in out and "NOT EQUAL   <-- first wrong step" in out
    assert "cell_type" not in out and "nbformat" not in out  # never the notebook's JSON
    code, out, _ = run(capsys, "verify", str(path), "--json")
    data = json.loads(out)
    (chain,) = data["chains"]
    assert (chain["cell"], chain["line"], chain["position"]) == (3, 2, "cell 3, line 2")
    assert data["notebook"] == {"markdown_cells": 2} and data["regions"]["list"][0]["cell"] == 3
    assert data["summary"]["not_equal"] == 1


def test_a_definition_in_one_cell_holds_in_the_cells_after_it(tmp_path, capsys):
    cells = [("markdown", "Let $z = wx + b$."), ("code", "pass"),
             ("markdown", r"$$\frac{d}{dw} \sigma(z) = \sigma(z)(1 - \sigma(z)) x$$")]
    path = tmp_path / "defs.ipynb"
    path.write_text(notebook(cells), encoding="utf-8")
    code, out, _ = run(capsys, "verify", str(path))
    assert code == 0, out
    assert "chain 1 (cell 3, line 1)" in out


def test_a_notebook_under_another_name_is_still_read_as_a_notebook(tmp_path, capsys):
    path = tmp_path / "hw3.md"
    path.write_text(notebook(HOMEWORK), encoding="utf-8")
    code, out, _ = run(capsys, "verify", str(path))
    assert code == 1 and "chain 1 (cell 3, line 2)" in out


def test_a_broken_notebook_and_a_missing_nbformat_are_one_line_errors(tmp_path, capsys, monkeypatch):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    assert_usage_error(capsys, ["verify", str(broken)], "not a Jupyter notebook")
    good = tmp_path / "hw3.ipynb"
    good.write_text(notebook(HOMEWORK), encoding="utf-8")
    monkeypatch.setitem(sys.modules, "nbformat", None)  # as if it were not installed
    assert_usage_error(capsys, ["verify", str(good)], "pip install 'backprop-derive[notebook]'")


# --------------------------------------------------------------------------------------- a class


def write_class(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"good": folder / "alice.md", "wrong": folder / "bob.md", "none": folder / "carol.md",
             "tex": folder / "sub" / "dave.TEX"}
    files["tex"].parent.mkdir()
    for key, text in (("good", GOOD), ("wrong", WRONG), ("none", NO_MATH)):
        files[key].write_text(text, encoding="utf-8")
    files["tex"].write_text(r"\[ (a+b)^2 = a^2 + 2ab + b^2 \]" "\n", encoding="utf-8")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "copy.md").write_text(WRONG, encoding="utf-8")  # hidden: skipped
    (folder / "notes.txt").write_text("$$1 = 2$$", encoding="utf-8")  # not a document: skipped
    return files


@pytest.mark.parametrize(
    ("keys", "code"),
    [(["good"], 0), (["good", "tex"], 0), (["good", "none"], 3), (["none", "wrong"], 1), (["wrong", "missing"], 2)],
    ids=["one", "all equal", "one undecided", "one wrong", "one unreadable"],
)
def test_the_exit_code_of_a_class_is_the_worst_of_its_files(tmp_path, capsys, keys, code):
    files = {**write_class(tmp_path / "class"), "missing": tmp_path / "class" / "nobody.md"}
    assert run(capsys, "verify", *(str(files[k]) for k in keys))[0] == code


def test_folders_and_globs_are_expanded_and_reports_come_in_the_order_named(tmp_path, capsys):
    files = write_class(tmp_path / "class")
    code, out, err = run(capsys, "verify", str(files["wrong"]), str(tmp_path / "class"), str(tmp_path / "cl*s/*.md"))
    assert code == 1, out + err
    named = re.findall(r"^(\S+\.(?:md|TEX)): \d+ display region", out, re.M)
    assert named == [str(files[k]) for k in ("wrong", "good", "none", "tex")]  # bob first, each once
    assert "copy.md" not in out and "notes.txt" not in out
    assert out.rstrip().splitlines()[-1].startswith("4 file(s): 2 all equal, 1 with a step not equal, 1 undecided")
    assert err == ""


def test_a_file_that_cannot_be_read_is_reported_in_its_place_and_counts(tmp_path, capsys):
    files = write_class(tmp_path / "class")
    missing = tmp_path / "class" / "nobody.md"
    code, out, err = run(capsys, "verify", str(files["good"]), str(missing), str(tmp_path / "empty*"))
    assert code == 2
    assert f"{missing}: not read: cannot read {missing}: no such file" in out
    assert out.index("alice.md") < out.index("nobody.md") < out.index("no file matches")
    assert err.splitlines() == [f"derive: error: cannot read {missing}: no such file",
                                f"derive: error: no file matches {tmp_path / 'empty*'}"]


def test_jobs_give_the_output_of_a_serial_run(tmp_path, capsys):
    files = write_class(tmp_path / "class")
    serial = run(capsys, "verify", str(tmp_path / "class"), "--json")
    parallel = run(capsys, "verify", str(tmp_path / "class"), "--json", "-j", "2")
    assert serial == parallel
    data = json.loads(serial[1])
    assert [f["file"] for f in data["files"]] == [str(files[k]) for k in ("good", "wrong", "none", "tex")]
    assert [f["exit"] for f in data["files"]] == [0, 1, 3, 0] and data["exit"] == 1
    assert data["files"][1]["summary"]["not_equal"] == 1
    assert_usage_error(capsys, ["verify", str(files["good"]), "-j", "0"], "-j must be at least 1")


def test_summary_writes_one_row_per_file_with_partial_credit(tmp_path, capsys):
    files = write_class(tmp_path / "class")
    grades = tmp_path / "grades.csv"
    code, _, _ = run(capsys, "verify", str(tmp_path / "class"), str(tmp_path / "nobody.md"), "--summary", str(grades))
    assert code == 2
    rows = list(csv.DictReader(grades.open(encoding="utf-8")))
    assert list(rows[0]) == ["file", "steps", "equal", "not_equal", "unknown", "error", "definition",
                             "first_wrong_line", "first_wrong_kind", "partial_credit", "exit", "problem"]
    by_name = {Path(row["file"]).name: row for row in rows}
    assert [Path(row["file"]).name for row in rows] == ["alice.md", "bob.md", "carol.md", "dave.TEX", "nobody.md"]
    bob = by_name["bob.md"]
    assert (bob["steps"], bob["equal"], bob["not_equal"], bob["partial_credit"]) == ("2", "1", "1", "0.5")
    assert bob["first_wrong_line"] == "3" and bob["first_wrong_kind"] != "" and bob["exit"] == "1"
    assert by_name["alice.md"]["partial_credit"] == "1.0" and by_name["carol.md"]["partial_credit"] == ""
    assert by_name["nobody.md"]["exit"] == "2" and "no such file" in by_name["nobody.md"]["problem"]
    one = tmp_path / "one.csv"
    run(capsys, "verify", str(files["wrong"]), "--summary", str(one))  # one file: one row
    assert len(list(csv.DictReader(one.open(encoding="utf-8")))) == 1


def test_summary_of_a_notebook_names_cell_and_line(tmp_path, capsys):
    path = tmp_path / "hw3.ipynb"
    path.write_text(notebook(HOMEWORK), encoding="utf-8")
    run(capsys, "verify", str(path), str(tmp_path / "hw3.ipynb"), "--summary", str(tmp_path / "g.csv"))
    (row,) = csv.DictReader((tmp_path / "g.csv").open(encoding="utf-8"))  # the same file named twice: once
    assert row["first_wrong_line"] == "cell 3, line 2"


def test_html_for_a_class_writes_a_page_per_file_and_an_escaped_index(tmp_path, capsys):
    pytest.importorskip("latex2mathml", reason="--html needs latex2mathml")
    folder = tmp_path / "class"
    write_class(folder)
    (folder / "<script>alert(1).md").write_text("$$<b>x</b> = x$$\n", encoding="utf-8")
    out_dir = tmp_path / "pages"
    code, _, err = run(capsys, "verify", str(folder), str(tmp_path / "nobody.md"), "--html", str(out_dir))
    assert code == 2 and f"wrote {out_dir / 'index.html'}" in err
    pages = sorted(p.name for p in out_dir.iterdir())
    assert "index.html" in pages and len(pages) == 6  # five readable files and the index
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    for page in pages:
        text = (out_dir / page).read_text(encoding="utf-8")
        assert "<script" not in text and "<b>x" not in text
        if page != "index.html":
            assert f'href="{page}"' in index
    assert "nobody.md" in index and "no such file" in index and "&lt;script&gt;" in index
    (out_dir / "clash").write_text("")
    assert_usage_error(capsys, ["verify", str(folder), "--html", str(out_dir / "clash")], "names a folder")


def test_help_says_what_partial_credit_is_and_the_exit_rule(capsys):
    code, out, _ = run(capsys, "verify", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "partial_credit = the share of judged steps (definitions excluded) that are equal" in flat
    assert "2 > 1 > 3 > 0" in flat and "-j N" in flat and ".ipynb" in flat


# --------------------------------------------------------------------------------------- Jupyter


def test_check_takes_text_or_a_path_and_shows_the_html_page(tmp_path, capsys):
    pytest.importorskip("latex2mathml", reason="the page needs latex2mathml")
    from backprop_derive.verify import check

    report = check(TANH)
    assert report.exit_code == 1 and report.summary["not_equal"] == 1
    assert "NOT EQUAL" in str(report) and "1 not_equal" in repr(report)
    path, page = tmp_path / "notes.md", tmp_path / "notes.html"
    path.write_text(f"Intro.\n\n{TANH}\n", encoding="utf-8")
    assert main(["verify", str(path), "--html", str(page)]) == 1
    capsys.readouterr()
    assert check(str(path))._repr_html_() == page.read_text(encoding="utf-8")
    assert check(path).as_json()["chains"][0]["line"] == 3


def test_check_reads_a_notebook(tmp_path):
    from backprop_derive.verify import check

    path = tmp_path / "hw3.ipynb"
    path.write_text(notebook(HOMEWORK), encoding="utf-8")
    report = check(path)
    assert report.as_json()["chains"][0]["position"] == "cell 3, line 2"
    assert check(path.read_text(encoding="utf-8")).summary == report.summary  # the notebook's JSON, as text


def test_derive_cell_magic(capsys):
    pytest.importorskip("IPython", reason="the %%derive magic needs IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "backprop_derive.verify")
    report = shell.run_cell_magic("derive", "--assume 'K=3'", "$$K x = 3x$$\n")
    assert report.exit_code == 0 and report.summary["equal"] == 1
    assert shell.run_cell_magic("derive", "", TANH).exit_code == 1
