"""``derive export``: write the notes (LaTeX, Markdown, plots, PDF); ``derive export --check``.

``derive export`` writes, for every catalog entry, ``NAME.tex`` and ``NAME.md`` (and ``NAME.png``
for an activation), the combined ``backprop-notes.tex`` and the index ``README.md`` into ``notes/``.
``--check`` compares ``notes/`` with what the generator writes now and names each file that differs
(exit 1), or says it is in sync (exit 0).  Plots are compared by the fingerprint each PNG carries
(see :mod:`backprop_derive.cli.plots`), so the check needs no matplotlib and ignores pixel changes of a new
matplotlib, but does see a changed derivative.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from backprop_derive.cli.common import UsageError, emit_json

DEFAULT_DIR = "notes"
#: Suffixes of the files the generator owns in its directory (``--check`` reports strays among them).
GENERATED_SUFFIXES = (".tex", ".md", ".png")
#: pdfTeX writes this date instead of the current one, so a PDF is the same on every run.
REPRODUCIBLE_TEX_ENV = {"SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
LATEX_TIMEOUT_S = 300


def register(sub) -> None:
    cmd = sub.add_parser(
        "export", help="write the notes: LaTeX, Markdown, plots, PDF; --check that notes/ is in sync",
        description="Write every catalog derivation (or the NAMEs given) as a standalone LaTeX document and as "
                    "Markdown, with a plot of each activation and its derivative, a combined LaTeX document with "
                    "a table of contents and a Markdown index.  --check compares the directory with what would "
                    "be written now (plots by the fingerprint of their curves).")
    cmd.add_argument("names", nargs="*", metavar="NAME", help="catalog entries (default: all)")
    cmd.add_argument("--format", action="append", choices=("latex", "markdown", "pdf", "html"), dest="formats",
                     help="what to write; repeat for several (default: latex and markdown); pdf compiles the "
                          "LaTeX with latexmk (or pdflatex); html writes web pages with MathML (needs latex2mathml)")
    cmd.add_argument("-o", "--output", default=DEFAULT_DIR, metavar="DIR", help=f"directory (default: {DEFAULT_DIR})")
    cmd.add_argument("--check", action="store_true",
                     help="write nothing; exit 1 naming each file of DIR that differs from what would be written")
    cmd.add_argument("--no-plots", action="store_true", help="leave the plots out (they need matplotlib)")
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    cmd.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    from backprop_derive.core.catalog import UnknownEntryError
    from backprop_derive.notes.entries import entry_names

    if args.check:
        if args.names or args.formats or args.no_plots:
            raise UsageError("--check compares the whole directory; give it no NAME, --format or --no-plots")
        return _check(Path(args.output), args.json)
    try:
        entry_names(args.names)
    except UnknownEntryError as err:
        raise UsageError(str(err)) from None
    names = args.names or None
    formats = set(args.formats or ("latex", "markdown"))
    compiler = _latex_compiler() if "pdf" in formats else None
    if "html" in formats:
        from backprop_derive.cli.verify_html import require_latex2mathml

        require_latex2mathml()
    plots = not args.no_plots and _have_matplotlib()
    if not plots and not args.no_plots:
        print("derive export: plots skipped: matplotlib is not installed (pip install 'backprop-derive[plots]')",
              file=sys.stderr)
    out = Path(args.output)
    written = _write(out, names, formats, plots)
    if names is None:
        _prune(out, set(written))
    if compiler is not None:
        written += _compile(out, [f for f in written if f.endswith(".tex")], compiler)
    if args.json:
        emit_json({"directory": str(out), "files": written, "plots": plots})
    else:
        print(f"wrote {len(written)} files to {out}/" + ("" if plots else " (no plots)"))
    return 0


# ------------------------------------------------------------------------------ writing


def _have_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _expected(names, formats, plots: bool) -> tuple[dict[str, bytes], dict[str, object]]:
    """``(text files as bytes, plot file -> catalog entry)`` that the generator writes."""
    from backprop_derive.core.catalog import CATALOG
    from backprop_derive.notes.entries import entry_names, notes, plot_file

    wanted = set(formats) | ({"latex"} if "pdf" in formats else set())
    texts = notes(names, [f for f in ("latex", "markdown") if f in wanted], plots)
    if "html" in wanted:
        from backprop_derive.cli.export_html import html_notes

        texts.update(html_notes(names, plots))
    entries = [CATALOG[name] for name in entry_names(names)[0]]
    figures = {plot_file(e): e for e in entries if plots and plot_file(e) is not None}
    return {name: text.encode("utf-8") for name, text in texts.items()}, figures


def _write(out: Path, names, formats, plots: bool) -> list[str]:
    """Write the files; a plot that already shows the same curves (same fingerprint) is kept as it is,
    so another matplotlib, which draws them a pixel differently, does not rewrite committed PNGs."""
    from backprop_derive.cli.plots import fingerprint, png_fingerprint, render_png

    texts, figures = _expected(names, formats, plots)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in texts.items():
            (out / name).write_bytes(data)
        for name, entry in figures.items():
            path = out / name
            if not (path.is_file() and png_fingerprint(path.read_bytes()) == fingerprint(entry)):
                path.write_bytes(render_png(entry))
    except OSError as err:
        raise UsageError(f"cannot write to {out}: {err.strerror or err}") from None
    return [*texts, *figures]


def _generated(path: Path) -> bool:
    """Whether ``path`` was written by the generator (its marker line, or a plot's fingerprint)."""
    from backprop_derive.cli.plots import png_fingerprint
    from backprop_derive.notes.entries import GENERATED

    data = path.read_bytes()
    if path.suffix == ".png":
        return png_fingerprint(data) is not None
    return GENERATED.encode() in data[:400]


def _prune(out: Path, keep: set[str]) -> None:
    """Remove generated files of ``out`` of the kinds just written that are no longer written (a removed entry's)."""
    kinds = {Path(name).suffix for name in keep}
    for path in sorted(out.iterdir()):
        if path.suffix in kinds and path.name not in keep and path.is_file() and _generated(path):
            path.unlink()
            print(f"derive export: removed {path} (no longer generated)", file=sys.stderr)


def _latex_compiler() -> list[str]:
    if shutil.which("latexmk"):
        return ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-quiet"]
    if shutil.which("pdflatex"):
        return ["pdflatex", "-interaction=nonstopmode", "-halt-on-error"]
    raise UsageError("--format pdf needs latexmk or pdflatex on PATH (Debian: apt-get install latexmk "
                     "texlive-latex-base texlive-latex-recommended); --format latex writes the .tex files")


def _compile(out: Path, sources: list[str], compiler: list[str]) -> list[str]:
    """Compile ``sources`` in ``out``; the PDFs' names.  A failure names the log to read."""
    env = {**os.environ, **REPRODUCIBLE_TEX_ENV}
    passes = 1 if compiler[0] == "latexmk" else 2  # pdflatex: twice, for the table of contents
    for source in sources:
        for _ in range(passes):
            try:
                done = subprocess.run([*compiler, source], cwd=out, env=env, capture_output=True,
                                      timeout=LATEX_TIMEOUT_S, check=False)
            except subprocess.TimeoutExpired:
                raise UsageError(f"{compiler[0]} took over {LATEX_TIMEOUT_S} s on {out / source}") from None
            if done.returncode != 0:
                log = out / Path(source).with_suffix(".log").name
                raise UsageError(f"{compiler[0]} failed on {out / source} (exit {done.returncode}); see {log}")
    if compiler[0] == "latexmk":
        subprocess.run(["latexmk", "-c", *sources], cwd=out, env=env, capture_output=True, check=False)
    return [str(Path(s).with_suffix(".pdf")) for s in sources]


# ------------------------------------------------------------------------------ --check


def differences(out: Path) -> list[tuple[str, str]]:
    """``(file, why)`` for each generated file of ``out`` that is missing, differs, or is a stray."""
    from backprop_derive.cli.plots import fingerprint, png_fingerprint

    texts, figures = _expected(None, ("latex", "markdown"), plots=True)
    found = []
    for name, data in texts.items():
        path = out / name
        if not path.is_file():
            found.append((name, "missing"))
        elif path.read_bytes() != data:
            found.append((name, "differs from what `derive export` writes now"))
    for name, entry in figures.items():
        path = out / name
        if not path.is_file():
            found.append((name, "missing"))
        elif png_fingerprint(path.read_bytes()) != fingerprint(entry):
            found.append((name, "plots other curves than the derivation gives now (or is no generated plot)"))
    expected = set(texts) | set(figures)
    for path in sorted(out.iterdir()):
        if path.suffix in GENERATED_SUFFIXES and path.name not in expected:
            found.append((path.name, "is not written by `derive export` (a removed entry?)"))
    return found


def _check(out: Path, as_json: bool) -> int:
    if not out.is_dir():
        raise UsageError(f"{out} is not a directory (export into it first: derive export -o {out})")
    found = differences(out)
    if as_json:
        emit_json({"directory": str(out), "in_sync": not found,
                   "differing": [{"file": str(out / name), "why": why} for name, why in found]})
        return 1 if found else 0
    for name, why in found:
        print(f"{out / name}: {why}")
    if found:
        print(f"derive export --check: {len(found)} file(s) out of sync; run `derive export -o {out}`",
              file=sys.stderr)
        return 1
    print(f"{out}/ is in sync with the generator (plots compared by the fingerprint of their curves)")
    return 0
