"""pytest as people type it: bare ``pytest`` anywhere in the clone, and ``pytest --derivations``.

Every run here is a real pytest in a child process; outcomes are read from its JUnit XML, one
per test item, so a serial run and a ``-n 2`` run can be compared item by item.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REGISTERED = any(ep.value == "backprop_derive.cli.pytest_plugin" for ep in metadata.entry_points(group="pytest11"))
PLUGIN = [] if REGISTERED else ["-p", "backprop_derive.cli.pytest_plugin"]
#: This clone's code first, so the plugin and the tests under test are the ones of this checkout.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def pytest_run(cwd: Path, *args: str, junit: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", *PLUGIN, "-p", "no:cacheprovider", *args]
    if junit is not None:
        command.append(f"--junitxml={junit}")
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600)


def outcomes(junit: Path) -> dict[str, str]:
    """``{test name: passed|failed|error|skipped}`` from a JUnit XML report."""
    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        found[f"{case.get('classname')}::{case.get('name')}"] = kinds[0] if kinds else "passed"
    return found


def write_course(folder: Path, students: int) -> dict[str, str]:
    """``students`` derivation files, every third one with a wrong step; the expected outcome of each."""
    folder.mkdir(parents=True)
    expected = {}
    for n in range(1, students + 1):
        wrong = n % 3 == 0
        constant = n * n + (1 if wrong else 0)
        (folder / f"student{n:03d}.md").write_text(
            f"Expanding the square:\n\n$$(x + {n})^2 = x^2 + {2 * n} x + {constant}$$\n", encoding="utf-8"
        )
        expected[f"{folder.name}.student{n:03d}.md::line 3"] = "failure" if wrong else "passed"
    return expected


def test_bare_pytest_imports_the_tests_package_from_any_folder_of_the_clone():
    """``from tests.conftest import …`` needs the root on sys.path; plain ``pytest`` (the console
    script, which does not add the current folder) gets it from the ``pythonpath`` setting."""
    script = Path(sys.executable).with_name("pytest")
    if not script.exists():
        pytest.skip(f"no pytest console script beside {sys.executable}")
    env = {key: value for key, value in ENV.items() if key != "PYTHONPATH"}
    for folder in (ROOT, ROOT / "tests", ROOT / "notes"):
        done = subprocess.run([str(script), "--collect-only", "-q", "-p", "no:cacheprovider"], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"in {folder}:\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
        assert "test_catalog.py::" in done.stdout, folder  # the project's tests, from a folder without any
        assert "error" not in done.stdout.splitlines()[-1], done.stdout[-2000:]


def test_derivations_alone_collect_one_test_per_chain_and_nothing_else(tmp_path):
    """Run from the repository root, ``--derivations DIR`` collects DIR's chains, not tests/; run from a
    folder that holds a clone, it collects none of the clone's tests either."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "two.md").write_text("$$x + x = 2x$$\n\ntext\n\n$$x \\cdot x = x^2 = 2x$$\n", encoding="utf-8")
    (docs / "one.tex").write_text("\\[ \\frac{d}{dx} x^3 = 3x^2 \\]\n", encoding="utf-8")
    clone = tmp_path / "clone" / "tests"
    clone.mkdir(parents=True)
    (clone / "test_broken.py").write_text("import no_such_module_anywhere\n", encoding="utf-8")
    for cwd in (ROOT, tmp_path):
        junit = tmp_path / f"report-{cwd.name}.xml"
        done = pytest_run(cwd, "--derivations", str(docs), "-m", "derivation", junit=junit)
        assert done.returncode == 1, done.stdout[-3000:]
        found = outcomes(junit)
        assert len(found) == 3, found
        assert sorted(found.values()) == ["failure", "passed", "passed"], found
        assert "3 deselected" not in done.stdout and "error" not in done.stdout.splitlines()[-1]


def test_derivations_with_test_paths_run_both(tmp_path):
    (tmp_path / "claims.md").write_text("$$x + x = 2x$$\n", encoding="utf-8")
    (tmp_path / "test_small.py").write_text("def test_one():\n    assert 1 + 1 == 2\n", encoding="utf-8")
    junit = tmp_path / "report.xml"
    done = pytest_run(tmp_path, "--rootdir", str(tmp_path), "--derivations", "claims.md", "test_small.py",
                      junit=junit)
    assert done.returncode == 0, done.stdout[-3000:]
    assert sorted(outcomes(junit)) == ["claims.md::line 1", "test_small::test_one"], outcomes(junit)


def test_derivations_assume_passes_assumptions_to_every_chain(tmp_path):
    (tmp_path / "labels.md").write_text("$$y_1 + y_2 = 1 - y_3$$\n", encoding="utf-8")
    without = pytest_run(tmp_path, "--rootdir", str(tmp_path), "--derivations", "labels.md")
    assert without.returncode == 1 and "counterexample" in without.stdout, without.stdout[-3000:]
    given = pytest_run(tmp_path, "--rootdir", str(tmp_path), "--derivations", "labels.md",
                       "--derivations-assume", "y_1+y_2+y_3=1")
    assert given.returncode == 0 and "1 passed" in given.stdout, given.stdout[-3000:]
    bad = pytest_run(tmp_path, "--rootdir", str(tmp_path), "--derivations", "labels.md",
                     "--derivations-assume", "y_1 + = 1")
    assert bad.returncode == 4 and "--derivations-assume" in bad.stderr and "Traceback" not in bad.stderr, bad


def test_xdist_gives_the_outcomes_of_a_serial_run_on_a_folder_of_many_files(tmp_path):
    pytest.importorskip("xdist", reason="pytest-xdist is in the `test` extra")
    expected = write_course(tmp_path / "course", 24)
    serial, parallel = tmp_path / "serial.xml", tmp_path / "parallel.xml"
    pytest_run(tmp_path, "--rootdir", str(tmp_path), "--derivations", "course", junit=serial)
    done = pytest_run(tmp_path, "--rootdir", str(tmp_path), "--derivations", "course", "-n", "2", junit=parallel)
    assert "gw1" in done.stdout or "2 workers" in done.stdout, done.stdout[-2000:]
    assert outcomes(serial) == outcomes(parallel)
    assert outcomes(serial) == expected


def test_a_chain_is_judged_in_its_document_with_the_definitions_before_it(tmp_path):
    """``Let $z = wx + b$`` and a display defining S_i hold for the chains after them, as in ``derive verify``;
    a definition passes, and a wrong step under a definition still fails."""
    text = ("Let $z = wx + b$.\n\n$$\\frac{d}{dw} \\sigma(z) = \\sigma(z)(1 - \\sigma(z)) SLOT$$\n\n"
            "$$S_i = \\frac{e^{a_i}}{\\sum_{j=1}^{K} e^{a_j}}$$\n\n"
            "$$\\frac{\\partial S_i}{\\partial a_i} = S_i(1 - S_i)$$\n")
    for slot, want in (("x", ["passed"] * 3), ("w", ["failure", "passed", "passed"])):
        folder = tmp_path / slot
        folder.mkdir()
        (folder / "notes.md").write_text(text.replace("SLOT", slot), encoding="utf-8")
        pytest_run(folder, "--derivations", str(folder), junit=folder / "out.xml")
        found = outcomes(folder / "out.xml")
        assert [found[name] for name in sorted(found, key=lambda n: int(n.rsplit(" ", 1)[-1]))] == want, found


def test_a_class_folder_failure_headers_name_file_and_line_and_show_the_diagnosis(tmp_path):
    """The header of a failure is ``FILE::line N``; its text has the counterexample and the diagnosis.  An empty
    submission and an unreadable one are one failing test each, ``no derivation found in FILE``; a definition is
    collected and passes (telling one needs the document judged: collection would do that in every xdist
    worker), marked ``verdict = definition`` in the JUnit XML."""
    hw = tmp_path / "hw3"
    hw.mkdir()
    (hw / "alice.md").write_text("Expanding:\n\n$$S_i = \\frac{e^{a_i}}{\\sum_{j=1}^{K} e^{a_j}}$$\n\n"
                                 "$$(x + 1)^2 = x^2 + 2x + 1$$\n", encoding="utf-8")
    (hw / "bob.md").write_text("Intro.\n\n$$\\tanh(x) = 2\\sigma(2x) - 1 = 2\\sigma(x) - 1$$\n", encoding="utf-8")
    (hw / "carol.md").write_text("My answer is in the photo.\n", encoding="utf-8")
    (hw / "dave.md").write_bytes(b"$$x = caf\xe9$$\n")
    (hw / ".ipynb_checkpoints").mkdir()
    (hw / ".ipynb_checkpoints" / "copy.md").write_text("$$1 = 2$$\n", encoding="utf-8")
    junit = tmp_path / "grades.xml"
    done = pytest_run(tmp_path, "--rootdir", str(tmp_path), "--derivations", "hw3", junit=junit)
    assert done.returncode == 1, done.stdout[-3000:]
    assert outcomes(junit) == {"hw3.alice.md::line 3": "passed", "hw3.alice.md::line 5": "passed",
                               "hw3.bob.md::line 3": "failure", "hw3.carol.md::no derivation": "failure",
                               "hw3.dave.md::no derivation": "failure"}
    assert "_ hw3/bob.md::line 3 _" in done.stdout
    assert "diagnosis (" in done.stdout and "counterexample" in done.stdout
    assert "no derivation found in hw3/carol.md" in done.stdout
    assert "no derivation found in hw3/dave.md" in done.stdout and "not UTF-8" in done.stdout
    properties = {case.get("name"): [(p.get("name"), p.get("value")) for p in case.iter("property")]
                  for case in ET.parse(junit).getroot().iter("testcase") if case.get("classname") == "hw3.alice.md"}
    assert properties == {"line 3": [("verdict", "definition")], "line 5": []}


def test_a_notebook_gives_one_test_per_chain_named_by_cell_and_line(tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="nbformat is in the `notebook` and `test` extras")
    made = nbformat.v4.new_notebook()
    made.cells = [nbformat.v4.new_markdown_cell("# HW 3"), nbformat.v4.new_code_cell("x = 1"),
                  nbformat.v4.new_markdown_cell("Then\n$$\\tanh(x) = 2\\sigma(2x) - 1 = 2\\sigma(x) - 1$$")]
    (tmp_path / "hw3.ipynb").write_text(nbformat.writes(made), encoding="utf-8")
    junit = tmp_path / "out.xml"
    done = pytest_run(tmp_path, "--rootdir", str(tmp_path), "--derivations", "hw3.ipynb", junit=junit)
    assert outcomes(junit) == {"hw3.ipynb::cell 3, line 2": "failure"}, done.stdout[-3000:]
    assert "_ hw3.ipynb::cell 3, line 2 _" in done.stdout and "chain at cell 3, line 2" in done.stdout


def test_plugin_help_documents_junitxml_for_gradebooks(tmp_path):
    done = pytest_run(tmp_path, "--help")
    assert "--junitxml=grades.xml for a gradebook" in " ".join(done.stdout.split())
    from backprop_derive.cli import pytest_plugin

    assert "--junitxml=grades.xml" in pytest_plugin.__doc__
