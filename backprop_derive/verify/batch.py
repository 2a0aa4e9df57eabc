"""A class at once: many files, folders and globs checked file by file, in local processes.

Each file's report is made on its own (nothing is shared between files), so a file gets the verdicts it
gets alone, and the results come back in the order the files were named.  A folder is searched
recursively for ``.md``, ``.markdown``, ``.tex`` and ``.ipynb`` files (any case: ``NOTES.MD``), skipping
hidden folders (``.ipynb_checkpoints``, ``.git``); a glob (``hw*/*.md``, ``**`` allowed) is expanded
here, so it works quoted and on every shell.

Exit code over several files: the worst of the files', worst first **2 > 1 > 3 > 0** -- a file that
could not be read (2: a submission nobody has graded) over a step not equal (1: a mistake found) over
an undecided or unreadable step (3) over all equal (0).  See :func:`worst`.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from backprop_derive.verify.sources import Source, SourceError, read_source

SUFFIXES = (".md", ".markdown", ".tex", ".ipynb")  # compared lower-cased
_GLOB = re.compile(r"[*?\[]")
#: Exit codes from the best to the worst (see the module's docstring).
SEVERITY = (0, 3, 1, 2)
#: The columns of ``--summary`` (one row per file).
SUMMARY_COLUMNS = ("file", "steps", "equal", "not_equal", "unknown", "error", "definition", "first_wrong_line",
                   "first_wrong_kind", "partial_credit", "exit", "problem")


@dataclass(frozen=True)
class Entry:
    """A file to check, or (``problem``) a name that gave no file: a folder without any, a glob matching none."""

    name: str
    problem: str | None = None


@dataclass(frozen=True)
class FileResult:
    """One file's outcome: its source and report, or the one-line ``problem`` that kept it from being read."""

    name: str
    exit: int
    source: Source | None = None
    report: object = None
    problem: str | None = None


def is_class(names: Sequence[str]) -> bool:
    """Whether ``names`` asks for several files: more than one name, a folder, or a glob that names no file."""
    return len(names) > 1 or any(_folder_or_glob(name) for name in names)


def _folder_or_glob(name: str) -> bool:
    if name == "-":
        return False
    path = Path(name)
    return path.is_dir() or (bool(_GLOB.search(name)) and not path.exists())


def _in_folder(folder: Path) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if not hidden and path.suffix.lower() in SUFFIXES and path.is_file():
            found.append(str(path))
    return sorted(found)


def expand(names: Sequence[str]) -> list[Entry]:
    """The files ``names`` stand for, in the order named (a folder's and a glob's sorted), each once."""
    entries: list[Entry] = []
    for name in names:
        path = Path(name)
        if name != "-" and path.is_dir():
            files = _in_folder(path)
            none = f"no .md, .markdown, .tex or .ipynb file under {name}"
            entries += [Entry(f) for f in files] or [Entry(name, none)]
        elif name != "-" and _GLOB.search(name) and not path.exists():
            files = []
            for match in sorted(glob.glob(name, recursive=True)):
                files += _in_folder(Path(match)) if Path(match).is_dir() else [match]
            entries += [Entry(f) for f in files] or [Entry(name, f"no file matches {name}")]
        else:
            entries.append(Entry(name))
    seen: set[str] = set()
    unique = []
    for entry in entries:
        key = entry.name if entry.problem or entry.name == "-" else str(Path(entry.name).resolve())
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    return unique


def verify_file(name: str, assumptions: Sequence[str] = (), timeout: float = 5.0) -> FileResult:
    """The report on the file ``name``, as ``derive verify FILE`` makes it."""
    from backprop_derive.verify.check import verify_text
    from backprop_derive.verify.present import exit_code
    from backprop_derive.verify.report import Options

    try:
        source = read_source(name)
    except SourceError as err:
        return FileResult(name, 2, problem=str(err))
    report = verify_text(source.text, list(assumptions), Options(timeout=timeout), latex=source.latex)
    return FileResult(name, exit_code(report), source, report)


def _verify(job: tuple[str, tuple[str, ...], float]) -> FileResult:
    return verify_file(*job)


def verify_files(entries: Sequence[Entry], assumptions: Sequence[str] = (), timeout: float = 5.0,
                 jobs: int = 1) -> Iterator[FileResult]:
    """Each entry's result, in order; ``jobs`` > 1 checks that many files at once in local processes."""
    work = [(entry.name, tuple(assumptions), timeout) for entry in entries if entry.problem is None]
    if jobs > 1 and len(work) > 1:
        # Not a multiprocessing.Pool: its workers are daemons, and a step runs in a child of its own.
        executor = ProcessPoolExecutor(max_workers=min(jobs, len(work)))
        results = executor.map(_verify, work)
    else:
        executor, results = None, map(_verify, work)
    try:
        for entry in entries:
            yield FileResult(entry.name, 2, problem=entry.problem) if entry.problem else next(results)
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


def worst(codes: Sequence[int]) -> int:
    """The exit code of several files: the worst of theirs, 2 > 1 > 3 > 0 (2 when there is none)."""
    return max(codes, key=SEVERITY.index) if codes else 2


def partial_credit(summary: dict[str, int]) -> float | None:
    """The share of judged steps (every step but definitions) that are equal; None when none was judged."""
    judged = sum(summary.values()) - summary.get("definition", 0)
    return summary.get("equal", 0) / judged if judged else None


def summary_row(result: FileResult) -> dict:
    """The file's row of ``--summary`` (and of the class's index page): :data:`SUMMARY_COLUMNS`."""
    row = dict.fromkeys(SUMMARY_COLUMNS, "")
    row.update(file=result.name, exit=result.exit, problem=result.problem or "")
    if result.report is None:
        return row
    summary = result.report.summary
    row.update(summary, steps=sum(summary.values()))
    credit = partial_credit(summary)
    row["partial_credit"] = "" if credit is None else round(credit, 4)
    for chain in result.report.chains:
        if chain.first_wrong is not None:
            step = chain.steps[chain.first_wrong]
            row["first_wrong_line"] = result.source.where(chain.line).removeprefix("line ") \
                if result.source is not None else chain.line
            row["first_wrong_kind"] = (step.diagnosis or {}).get("kind", "")
            break
    return row
