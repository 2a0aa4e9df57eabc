"""Every exported LaTeX document compiles with a real engine (``latexmk -pdf``), without overfull lines.

Outside CI the tests skip when latexmk is absent; with ``CI`` set they run, and fail without it
(``.ci/run`` installs ``latexmk texlive-latex-base texlive-latex-recommended``: the preamble needs
nothing else).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from derive import export
from derive.catalog import CATALOG
from derive.cli import main
from derive.derivation import derive_entry
from derive.export_network import NAME as NETWORK
from derive.render import UNICODE_MATH

LATEXMK = shutil.which("latexmk")
pytestmark = pytest.mark.skipif(
    LATEXMK is None and not os.environ.get("CI"),
    reason="latexmk is not installed (CI installs it: apt-get install latexmk texlive-latex-base "
           "texlive-latex-recommended)",
)
#: An overfull line wider than this (in pt) runs visibly into the margin.
OVERFULL_PT = 10.0
#: A name and texts with every character LaTeX treats specially.
WEIRD = " ".join(["a_b", "%c", "&d", "#e", "$f", "^g", "~h", "\\i", "{j}", "<k>", "|l", '"m"', *UNICODE_MATH])
DOCUMENTS = [f"{name}.tex" for name in CATALOG] + [f"{NETWORK}.tex", export.COMBINED_LATEX, "escaping.tex"]


def _latexmk(directory: Path, source: str) -> subprocess.CompletedProcess:
    return subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", source],
                          cwd=directory, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> tuple[Path, dict[str, subprocess.CompletedProcess]]:
    """The notes exported as LaTeX (with plots when matplotlib is there) and compiled, two at a time."""
    assert LATEXMK is not None, "CI is set but latexmk is not installed"
    out = tmp_path_factory.mktemp("latex")
    assert main(["export", "--format", "latex", "-o", str(out)]) == 0
    entry = dataclasses.replace(CATALOG["relu"], name=WEIRD, summary=WEIRD, kink_convention=WEIRD)
    weird = dataclasses.replace(derive_entry("relu"), entry=entry)
    (out / "escaping.tex").write_text(export.entry_latex(weird), encoding="utf-8")
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(DOCUMENTS, pool.map(lambda s: _latexmk(out, s), DOCUMENTS), strict=True))
    return out, results


@pytest.mark.parametrize("document", DOCUMENTS)
def test_exported_latex_compiles_with_latexmk_without_overfull_lines(compiled, document):
    out, results = compiled
    result = results[document]
    log = (out / document).with_suffix(".log").read_text(errors="replace")
    assert result.returncode == 0, log[-3000:]
    assert (out / document).with_suffix(".pdf").stat().st_size > 0
    overfull = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert all(w <= OVERFULL_PT for w in overfull), f"lines run into the margin by {overfull} pt"
    assert "undefined references" not in log
    assert not re.findall(r"Font shape .* undefined|Missing character", log), "a character without its glyph"


def test_the_combined_document_has_a_table_of_contents_with_every_entry(compiled):
    out, _ = compiled
    toc = (out / export.COMBINED_LATEX).with_suffix(".toc").read_text()
    for name in CATALOG:
        assert export.latex_text(name) in toc


def test_pdf_export_writes_a_reproducible_pdf(tmp_path, capsys):
    assert LATEXMK is not None
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        assert main(["export", "identity", "--format", "pdf", "--no-plots", "-o", str(out)]) == 0
    capsys.readouterr()
    assert (first / "identity.pdf").read_bytes() == (second / "identity.pdf").read_bytes()
    assert not list(first.glob("*.aux")), "latexmk -c cleans up"
