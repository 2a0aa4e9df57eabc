"""Every exported LaTeX document compiles with a real engine (``latexmk -pdf``), without overfull lines.

Outside CI the tests skip when latexmk is absent; with ``CI`` set they run, and fail without it
(``.ci/run`` installs ``latexmk texlive-latex-base texlive-latex-recommended``: the preamble needs
nothing else).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backprop_derive.cli import main
from backprop_derive.core.catalog import CATALOG
from backprop_derive.core.derivation import derive_entry
from backprop_derive.notes import entries as export
from backprop_derive.notes.network import NAME as NETWORK
from backprop_derive.render.notation import UNICODE_MATH

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
#: ``derive show NAME --latex`` as a user pastes it: into a document with the notes' preamble.
SHOWN = [(name, None) for name in CATALOG] + [
    (name, 3) for name, entry in CATALOG.items() if entry.problem().index is not None
]
SHOW_DOCUMENTS = [f"show-{name}{'' if k is None else f'-classes{k}'}.tex" for name, k in SHOWN]
DOCUMENTS = [f"{name}.tex" for name in CATALOG] + [f"{NETWORK}.tex", export.COMBINED_LATEX, "escaping.tex",
                                                    *SHOW_DOCUMENTS]
PDFTOTEXT = shutil.which("pdftotext")

#: Documents of the catalog entries added in stop 23 that do not yet typeset cleanly, with why; strict, so a fix
#: shows as XPASS.  (The notes are right; their layout is not.)
KNOWN_LAYOUT = {
    "selu.tex": "SELU's λ and λα printed as 30- and 63-digit exact fractions overrun the margin",
    "show-selu.tex": "SELU's λ and λα printed as 30- and 63-digit exact fractions overrun the margin",
    "focal.tex": "a 55 pt overfull row: the unfolded focal loss's derivative is one unbreakable product",
    "backprop-notes.tex": "holds selu's and focal's rows (above)",
    "show-kl_div-classes3.tex": "the K = 3 sums written out overrun the margin",
    "show-smoothed_cce-classes3.tex": "the K = 3 sums written out overrun the margin",
    "show-cosine-classes3.tex": "the K = 3 sums written out overrun the margin",
    "plot:softsign": "the plot floats to a page of its own with only the proof's line beside it",
    "plot:hard_swish": "the plot floats to a page of its own with only the proof's line beside it",
    "toc": "the combined document's .toc comes out empty since the catalog grew to 31 entries (not yet understood)",
}


def _known(key: str, value):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_LAYOUT[key])] if key in KNOWN_LAYOUT else []
    return pytest.param(value, marks=marks, id=value)


def _show_document(name: str, classes: int | None) -> str:
    """The output of ``derive show NAME --latex`` in a document with the notes' preamble."""
    argv = ["show", name, "--latex", *([] if classes is None else ["--classes", str(classes)])]
    with contextlib.redirect_stdout(io.StringIO()) as shown:
        assert main(argv) == 0
    return f"{export._PREAMBLE}\\begin{{document}}\n{shown.getvalue()}\\end{{document}}\n"


def _pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (pdftotext), without its page number."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [re.sub(r"(^|\s+)\d+\s*$", "", page.strip()).strip() for page in text.split("\f")[:-1]]


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
    for (name, classes), document in zip(SHOWN, SHOW_DOCUMENTS, strict=True):
        (out / document).write_text(_show_document(name, classes), encoding="utf-8")
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(DOCUMENTS, pool.map(lambda s: _latexmk(out, s), DOCUMENTS), strict=True))
    return out, results


@pytest.mark.parametrize("document", [_known(d, d) for d in DOCUMENTS])
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


@pytest.mark.xfail(strict=True, reason=KNOWN_LAYOUT["toc"])
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


@pytest.mark.parametrize("name", [_known(f"plot:{name}", name) for name in CATALOG if export.plot_file(CATALOG[name])])
def test_a_plot_has_no_caption_that_repeats_its_title_and_no_page_of_its_own_caption(compiled, name):
    out, _ = compiled
    if not (out / f"{name}.png").exists():
        pytest.skip("plots need matplotlib")
    source = (out / f"{name}.tex").read_text()
    assert "and its derivative" not in source  # the plot's own title says it
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pages = _pages((out / f"{name}.tex").with_suffix(".pdf"))
    short = [page for page in pages if 0 < len(page) <= 40]
    assert not short, f"a page holds only {short}"  # a page of the plot alone (no text) is fine


def test_network_proof_is_typeset_as_math_without_literal_braces_or_underscores(compiled):
    out, _ = compiled
    source = (out / f"{NETWORK}.tex").read_text()
    proof = source.split("subsection*{Proof}", 1)[1]
    assert r"\{" not in proof and r"\}" not in proof, "braces escaped as text"
    assert r"$\partial L/\partial W = X^{T} G$" in proof
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = " ".join(_pages((out / f"{NETWORK}.tex").with_suffix(".pdf")))
    printed_proof = text.split("Proof", 1)[1]
    assert "_{" not in printed_proof and "A_" not in printed_proof and "f_l" not in printed_proof, printed_proof


@pytest.mark.parametrize("document", SHOW_DOCUMENTS)
def test_show_latex_keeps_its_nesting(compiled, document):
    """Sub-steps are indented in a left-aligned column (in a right-aligned one the indent would not show)."""
    out, _ = compiled
    body = (out / document).read_text().split("\\begin{align*}\n", 1)[1].split("\\end{align*}")[0]
    rows = body.splitlines()
    assert all(row.startswith("&") for row in rows), "every row in the left-aligned column"
    depths = {float(m.group(1)) if m else 0.0 for row in rows for m in [re.match(r"&\\hspace\{([\d.]+)em\}", row)]}
    assert 0.0 in depths and len(depths) >= 2, "the root flush left, its sub-steps indented"
