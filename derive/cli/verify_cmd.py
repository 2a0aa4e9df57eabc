"""``derive verify FILE|-``: check each step of a person's derivation; name the first wrong one.

Exit codes: 0 every step equal; 1 some step not equal; 2 the input could not be read at all
(missing file, not text, bad option); 3 otherwise (unknown or unreadable steps, or no chain found).
"""

from __future__ import annotations

import sys
from pathlib import Path

from derive.cli.common import UsageError, emit_json, terminal_safe

#: Input-size bound: the largest file read.
MAX_INPUT_BYTES = 1_000_000
#: Files with at least this many chains show their progress on stderr (unless --quiet).
PROGRESS_FROM = 10
MARKS = {"equal": "✓", "not_equal": "✗", "unknown": "?", "error": "!", "definition": "≔"}


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
            "equal, 2 if the input cannot be read, 3 otherwise."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="a .md or .tex file, or - for standard input")
    parser.add_argument(
        "--assume", action="append", default=[], metavar="LATEX",
        help="an assumption for every chain, e.g. 'y_1+y_2+y_3=1' or 'K=3' (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr (shown for files of many steps)")
    parser.add_argument("--html", metavar="OUT.html",
                        help="also write the report as one self-contained web page (math as MathML; needs "
                             "latex2mathml)")
    parser.add_argument(
        "--timeout", type=float, default=5.0, metavar="S",
        help="seconds of CPU time per step (default 5): the same verdicts however loaded the machine"
    )
    parser.set_defaults(handler=run)


def read_input(name: str) -> str:
    """The text of ``name`` (``-`` is standard input); :class:`UsageError` if it is not readable text."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with Path(name).open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"cannot read {name}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"cannot read {name}: it is a directory") from None
    except OSError as err:
        raise UsageError(f"cannot read {name}: {err.strerror or err}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise UsageError(f"{name} is larger than {MAX_INPUT_BYTES} bytes")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UsageError(f"{name} is not text (a NUL byte at offset {nul})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(f"{name} is not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})") from None


def run(args) -> int:
    from derive.verify import Options, read_assumption, verify_text

    if not 0 < args.timeout <= 600:
        raise UsageError(f"--timeout must be between 0 and 600 seconds, not {args.timeout:g}")
    if args.html:
        from derive.cli.verify_html import require_latex2mathml

        require_latex2mathml()
    text = read_input(args.file)
    for assumption in args.assume:
        problem = read_assumption(assumption, args.timeout)
        if problem is not None:
            raise UsageError(f"--assume {assumption!r}: {problem}")
    latex = args.file.endswith(".tex") if args.file != "-" else None
    def progress(done: int, total: int) -> None:
        if not args.quiet and total >= PROGRESS_FROM and (done == total or done % max(1, total // 10) == 0):
            print(f"derive verify: {done}/{total} chains checked", file=sys.stderr, flush=True)

    report = verify_text(text, args.assume, Options(timeout=args.timeout), latex=latex, progress=progress)
    if args.html:
        from derive.cli.verify_html import write_html

        write_html(as_json(report), args.file, args.html)
        print(f"derive verify: wrote {args.html}", file=sys.stderr)
    if args.json:
        emit_json(as_json(report))
    else:
        print(as_text(report, args.file, color=sys.stdout.isatty()))
    return exit_code(report)


def exit_code(report) -> int:
    summary = report.summary
    if summary["not_equal"]:
        return 1
    judged = sum(summary.values()) - summary["definition"]
    if judged and summary["equal"] == judged:
        return 0
    return 3


def as_json(report) -> dict:
    """The report as the documented JSON shape (plus ``lhs_read``/``rhs_read``/``assumptions``)."""
    chains = []
    for chain in report.chains:
        steps = [
            {
                "lhs": step.lhs,
                "rhs": step.rhs,
                "verdict": step.verdict,
                "method": step.method,
                "detail": step.detail,
                "counterexample": step.counterexample,
                "lhs_read": step.lhs_read,
                "rhs_read": step.rhs_read,
                "assumptions": list(step.assumptions),
                "lhs_source": step.lhs_source,
                "rhs_source": step.rhs_source,
                "readings": list(step.readings),
                "reason": step.reason,
                "definitions": list(step.definitions),
                "diagnosis": step.diagnosis,
            }
            for step in chain.steps
        ]
        chains.append({"line": chain.line, "source": chain.source, "steps": steps,
                       "conditions": list(chain.conditions), "region": chain.region,
                       "first_wrong": chain.first_wrong, "result": chain.result})
    regions = [{"line": r.line, "construct": r.construct, "read": r.read} for r in report.regions]
    return {"chains": chains, "summary": report.summary, "regions": {**report.region_counts, "list": regions}}


def _shorten(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def as_text(report, name: str, color: bool = False) -> str:
    """The readable report: each chain, what each side was read as, each step marked ✓ ✗ ? !."""
    summary = report.summary
    steps = sum(summary.values())
    regions = report.region_counts
    lines = [
        f"{name}: {regions['found']} display region(s), {regions['read']} read, {regions['not_read']} not read; "
        f"{len(report.chains)} chain(s), {steps} step(s): {summary['equal']} equal, "
        f"{summary['not_equal']} not equal, {summary['unknown']} unknown, {summary['error']} error"
        + (f", {summary['definition']} definition(s)" if summary["definition"] else "")
    ]
    red: set[int] = set()  # lines shown in red: colour is added after the text is made safe (terminal_safe)
    if not report.chains:
        lines.append("no chain a = b found in display math ($$…$$, \\[…\\], ```math, equation, align, …)")
    for region in report.regions:
        if not region.read:
            lines.append(f"NOT READ: the display region at line {region.line} ({region.construct})")
    for number, chain in enumerate(report.chains, 1):
        lines += ["", f"chain {number} (line {chain.line}): {_shorten(chain.source)}"]
        if chain.conditions:
            lines.append(f"  under the condition(s) {'; '.join(chain.conditions)} (this chain only)")
        reads = _side_reads(chain)
        for side, (source, read) in enumerate(reads, 1):
            shown = read if read is not None else f"(not read) {_shorten(source, 80)}"
            lines.append(f"  [{side}] {shown}")
        first_wrong = chain.first_wrong
        if chain.result:
            lines.append(f"  {chain.result}")
        for n, step in enumerate(chain.steps):
            label = {"equal": "equal", "not_equal": "NOT EQUAL", "unknown": "unknown", "error": "error",
                     "definition": "definition"}[step.verdict]
            how = f" ({step.method})" if step.verdict == "equal" else ""
            if step.verdict == "equal" and step.method == "numeric":
                how = " (numeric, not a proof)"
            line = f"  {MARKS[step.verdict]} [{n + 1}] = [{n + 2}]  {label}{how}"
            if n == first_wrong:
                line += "   <-- first wrong step"
                if color:
                    red.add(len(lines))
            lines.append(line)
            if step.verdict == "not_equal" and step.counterexample and step.counterexample.get("point"):
                lines.append(f"        {_short_counterexample(step.counterexample)}")
            elif step.verdict != "equal" or step.method == "numeric":
                lines.append(f"        {step.detail}")
            if step.diagnosis:
                lines.append(f"        diagnosis ({step.diagnosis['kind']}): {step.diagnosis['text']}")
            if step.reason:
                lines.append(f"        the author's reason: {step.reason}")
            for reading in step.readings:
                lines.append(f"        reading: {reading}")
            if step.assumptions:
                lines.append(f"        assuming: {'; '.join(step.assumptions)}")
            if step.definitions:
                lines.append(f"        using the definition(s) of {'; '.join(step.definitions)}")
    lines = [terminal_safe(line) for line in lines]
    return "\n".join(f"\x1b[1;31m{line}\x1b[0m" if n in red else line for n, line in enumerate(lines))


def _significant(text: str, digits: int = 6) -> str:
    """A number written with many digits, to ``digits`` significant ones (text stays as it is)."""
    try:
        value = float(text)
    except ValueError:
        return text
    return f"{value:.{digits}g}"


def _short_counterexample(example: dict) -> str:
    """The counterexample with 6 significant digits (JSON keeps every digit)."""
    where = ", ".join(f"{k} = {_significant(v)}" for k, v in example["point"].items())
    return (f"at {where}: lhs = {_significant(example['lhs'])}, rhs = {_significant(example['rhs'])} "
            f"(difference {example['difference']}; every digit in --json)")


def _side_reads(chain) -> list[tuple[str, str | None]]:
    """(LaTeX, what it was read as) for each side of the chain, from its steps."""
    if not chain.steps:
        return []
    sides = [(chain.steps[0].lhs, chain.steps[0].lhs_read)]
    for n, step in enumerate(chain.steps):
        if n + 1 < len(chain.steps) and step.rhs_read is None:
            sides.append((step.rhs, chain.steps[n + 1].lhs_read))
        else:
            sides.append((step.rhs, step.rhs_read))
        if sides[n][1] is None and step.lhs_read is not None:
            sides[n] = (step.lhs, step.lhs_read)
    return sides if chain.steps[0].rhs or len(chain.steps) > 1 else sides[:1]
