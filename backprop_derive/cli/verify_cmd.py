"""``derive verify FILE|DIR|GLOB ... | -``: check each step of a person's derivation; name the first wrong one.

One file: exit codes 0 every step equal; 1 some step not equal; 2 the input could not be read at all
(missing file, not text, bad option); 3 otherwise (unknown or unreadable steps, or no chain found).
Several files (a class: more than one name, a folder, a glob): each file's report in the order named,
then one line for the class; the exit code is the worst of the files', 2 > 1 > 3 > 0
(:mod:`backprop_derive.verify.batch`).  A notebook (``.ipynb``) is read by its Markdown cells.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from backprop_derive.cli.common import UsageError, emit_json

#: Files with at least this many chains show their progress on stderr (unless --quiet).
PROGRESS_FROM = 10
#: Re-exported from :mod:`backprop_derive.verify.present` on first use (importing it loads SymPy).
_PRESENT = ("as_json", "as_text", "exit_code", "MARKS")


def __getattr__(name: str):
    if name in _PRESENT:
        from backprop_derive.verify import present

        return getattr(present, name)
    raise AttributeError(name)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check each step of your own derivation (.md/.tex display math)",
        description=(
            "Read every chain a = b = c in the display math of FILE ($$…$$, \\[…\\], ```math, equation, align, "
            "gather, multline, eqnarray, … and split/aligned/array inside them) and judge each step: equal (proved, "
            "or numeric at high precision), not equal (with a counterexample and a diagnosis), unknown, error "
            "(unreadable, with its line and column), or definition (a line that names something: z := …, 'Let $S_i "
            "= …$'). Exit 0 if every region was read and every step is equal (or a definition), 1 if one is not "
            "equal, 2 if the input cannot be read, 3 otherwise. A notebook (.ipynb) is read by its Markdown "
            "cells (needs nbformat) and places are said as 'cell 3, line 2'. Several files (a class): each report "
            "in the order named, then one line for the class; the exit code is the worst of the files', "
            "2 > 1 > 3 > 0 (a file that cannot be read counts as 2)."
        ),
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE",
        help="a .md, .tex or .ipynb file, - for standard input, or several: files, folders (searched for .md, "
             ".markdown, .tex, .ipynb) and globs ('hw3/*.md', quoted or not)",
    )
    parser.add_argument(
        "--assume", action="append", default=[], metavar="LATEX",
        help="an assumption for every chain, e.g. 'y_1+y_2+y_3=1' or 'K=3' (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr (shown for files of many steps)")
    parser.add_argument("--html", metavar="OUT.html|DIR",
                        help="also write the report as one self-contained web page (math as MathML; needs "
                             "latex2mathml); for several files DIR gets one page per file and index.html")
    parser.add_argument(
        "--summary", metavar="GRADES.csv",
        help="also write one CSV row per file: file, steps, equal, not_equal, unknown, error, definition, "
             "first_wrong_line (the line of the chain with the first wrong step; 'cell C, line L' in a notebook), "
             "first_wrong_kind (its diagnosis), partial_credit = the share of judged steps (definitions excluded) "
             "that are equal, empty when none was judged, exit, problem (why a file could not be read)",
    )
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="check N files at once in local processes (default 1); the output keeps the order")
    parser.add_argument(
        "--timeout", type=float, default=5.0, metavar="S",
        help="seconds of CPU time per step (default 5): the same verdicts however loaded the machine"
    )
    parser.set_defaults(handler=run)


def run(args) -> int:
    from backprop_derive.verify import read_assumption
    from backprop_derive.verify.batch import expand, is_class

    if not 0 < args.timeout <= 600:
        raise UsageError(f"--timeout must be between 0 and 600 seconds, not {args.timeout:g}")
    if args.jobs < 1:
        raise UsageError(f"-j must be at least 1, not {args.jobs}")
    if args.html:
        from backprop_derive.cli.verify_html import require_latex2mathml

        require_latex2mathml()
    several = is_class(args.files)
    if several and "-" in args.files:
        raise UsageError("- (standard input) cannot be checked together with other files")
    source = None if several else _read(args.files[0])
    for assumption in args.assume:
        problem = read_assumption(assumption, args.timeout)
        if problem is not None:
            raise UsageError(f"--assume {assumption!r}: {problem}")
    if several:
        return run_class(args, expand(args.files))
    return run_one(args, source)


def _read(name: str):
    from backprop_derive.verify.sources import SourceError, read_source

    try:
        return read_source(name)
    except SourceError as err:
        raise UsageError(str(err)) from None


def run_one(args, source) -> int:
    """One file, as ``derive verify FILE`` always was."""
    from backprop_derive.verify import Options, verify_text
    from backprop_derive.verify.batch import FileResult
    from backprop_derive.verify.present import as_json, as_text, exit_code

    name = args.files[0]

    def progress(done: int, total: int) -> None:
        if not args.quiet and total >= PROGRESS_FROM and (done == total or done % max(1, total // 10) == 0):
            print(f"derive verify: {done}/{total} chains checked", file=sys.stderr, flush=True)

    report = verify_text(source.text, args.assume, Options(timeout=args.timeout), latex=source.latex,
                         progress=progress)
    if args.html:
        from backprop_derive.cli.verify_html import write_html

        write_html(as_json(report, source), name, args.html)
        print(f"derive verify: wrote {args.html}", file=sys.stderr)
    if args.summary:
        write_summary([FileResult(name, exit_code(report), source, report)], args.summary)
    if args.json:
        emit_json(as_json(report, source))
    else:
        print(as_text(report, name, color=sys.stdout.isatty(), source=source))
    return exit_code(report)


def run_class(args, entries) -> int:
    """Several files: each report in the order named, then the class's line; the worst exit code."""
    from backprop_derive.core.safe_text import terminal_safe
    from backprop_derive.verify.batch import verify_files, worst
    from backprop_derive.verify.present import as_json, as_text

    pages = _page_folder(args.html) if args.html else None
    results, shown = [], []
    for result in verify_files(entries, args.assume, args.timeout, args.jobs):
        results.append(result)
        if result.problem:
            print(f"derive: error: {terminal_safe(result.problem)}", file=sys.stderr, flush=True)
        if args.json:
            shown.append({"file": result.name, "exit": result.exit, "error": result.problem} if result.problem
                         else {"file": result.name, "exit": result.exit, **as_json(result.report, result.source)})
        elif result.problem:
            print(terminal_safe(f"{result.name}: not read: {result.problem}") + "\n", flush=True)
        else:
            print(as_text(result.report, result.name, color=sys.stdout.isatty(), source=result.source) + "\n",
                  flush=True)
    code = worst([r.exit for r in results])
    counts = {n: sum(r.exit == n for r in results) for n in (0, 1, 3, 2)}
    line = (f"{len(results)} file(s): {counts[0]} all equal, {counts[1]} with a step not equal, {counts[3]} "
            f"undecided or unread steps, {counts[2]} not readable; exit {code} (the worst: 2 > 1 > 3 > 0)")
    if pages is not None:
        _write_pages(results, pages)
        print(f"derive verify: wrote {pages / 'index.html'}", file=sys.stderr)
    if args.summary:
        write_summary(results, args.summary)
    if args.json:
        emit_json({"files": shown, "exit": code})
    else:
        print(line)
    return code


def _page_folder(name: str) -> Path:
    folder = Path(name)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--html {name}: for several files --html names a folder, and this is a file")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"--html {name}: {err.strerror or err}") from None
    return folder


def _write_pages(results, folder: Path) -> None:
    """One page per readable file (``001-hw3.md.html``: numbered, so two files of one name do not collide) and
    ``index.html`` for the class."""
    from backprop_derive.cli.verify_html import write_page
    from backprop_derive.verify.batch import summary_row
    from backprop_derive.verify.page import class_index, html_report
    from backprop_derive.verify.present import as_json

    rows = []
    for number, result in enumerate(results, 1):
        row = summary_row(result)
        if result.report is not None:
            page = f"{number:03d}-{re.sub(r'[^A-Za-z0-9._-]+', '_', Path(result.name).name)[:80]}.html"
            write_page(html_report(as_json(result.report, result.source), result.name), folder / page)
            row["page"] = page
        rows.append(row)
    write_page(class_index(rows), folder / "index.html")


def write_summary(results, target: str) -> None:
    """``--summary``: one CSV row per file (:data:`backprop_derive.verify.batch.SUMMARY_COLUMNS`)."""
    from backprop_derive.verify.batch import SUMMARY_COLUMNS, summary_row

    try:
        with open(target, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=SUMMARY_COLUMNS)
            writer.writeheader()
            for result in results:
                writer.writerow(summary_row(result))
    except OSError as err:
        raise UsageError(f"--summary {target}: {err.strerror or err}") from None
