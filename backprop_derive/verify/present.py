"""The verify report as the CLI shows it -- the readable text and the ``--json`` dict -- made, not printed.

``as_json`` and ``as_text`` take the :class:`~backprop_derive.verify.sources.Source` the report is of, if any: for a
notebook, places are said as ``cell 3, line 2`` (the JSON gains ``cell`` and ``position`` beside each
``line``, which is then the line in the cell, and ``notebook``: how many Markdown cells were read); for a
Markdown or LaTeX file the output is what it always was.
"""

from __future__ import annotations

import mpmath

from backprop_derive.core.safe_text import terminal_safe
from backprop_derive.verify.sources import Source

MARKS = {"equal": "✓", "not_equal": "✗", "unknown": "?", "error": "!", "definition": "≔"}


def exit_code(report) -> int:
    summary = report.summary
    if summary["not_equal"]:
        return 1
    judged = sum(summary.values()) - summary["definition"]
    if judged and summary["equal"] == judged:
        return 0
    return 3


def as_json(report, source: Source | None = None) -> dict:
    """The report as the documented JSON shape (plus ``lhs_read``/``rhs_read``/``assumptions``)."""
    place = _Places(source)
    chains = []
    for chain in report.chains:
        steps = [
            {
                "lhs": step.lhs,
                "rhs": step.rhs,
                "verdict": step.verdict,
                "method": step.method,
                "detail": place.relocate(step.detail),
                "counterexample": step.counterexample,
                "lhs_read": step.lhs_read,
                "rhs_read": step.rhs_read,
                "assumptions": list(step.assumptions),
                "lhs_source": step.lhs_source,
                "rhs_source": step.rhs_source,
                "readings": list(step.readings),
                "reason": step.reason,
                "definitions": [place.relocate(d) for d in step.definitions],
                "diagnosis": step.diagnosis,
            }
            for step in chain.steps
        ]
        chains.append({**place.line(chain.line), "source": chain.source, "steps": steps,
                       "conditions": list(chain.conditions), "region": chain.region,
                       "first_wrong": chain.first_wrong, "result": chain.result})
    regions = [{**place.line(r.line), "construct": r.construct, "read": r.read} for r in report.regions]
    data = {"chains": chains, "summary": report.summary, "regions": {**report.region_counts, "list": regions}}
    if source is not None and source.is_notebook:
        data["notebook"] = {"markdown_cells": source.markdown_cells}
    return data


class _Places:
    """Where things are: ``line N`` in a file; ``cell C, line L`` in a notebook."""

    def __init__(self, source: Source | None):
        self.source = source if source is not None and source.is_notebook else None

    def line(self, line: int) -> dict:
        if self.source is None:
            return {"line": line}
        cell, in_cell = self.source.locate(line)
        return {"line": in_cell, "cell": cell, "position": self.source.where(line)}

    def where(self, line: int) -> str:
        return f"line {line}" if self.source is None else self.source.where(line)

    def relocate(self, text):
        return text if self.source is None or not isinstance(text, str) else self.source.relocate(text)



def _shorten(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def as_text(report, name: str, color: bool = False, source: Source | None = None) -> str:
    """The readable report: each chain, what each side was read as, each step marked ✓ ✗ ? !."""
    place = _Places(source)
    summary = report.summary
    steps = sum(summary.values())
    regions = report.region_counts
    lines = [
        f"{name}: {regions['found']} display region(s), {regions['read']} read, {regions['not_read']} not read; "
        f"{len(report.chains)} chain(s), {steps} step(s): {summary['equal']} equal, "
        f"{summary['not_equal']} not equal, {summary['unknown']} unknown, {summary['error']} error"
        + (f", {summary['definition']} definition(s)" if summary["definition"] else "")
    ]
    if source is not None and source.is_notebook:
        lines.append(f"read {source.markdown_cells} Markdown cell(s) of the notebook; places are cell and line")
    red: set[int] = set()  # lines shown in red: colour is added after the text is made safe (terminal_safe)
    if not report.chains:
        lines.append("no chain a = b found in display math ($$…$$, \\[…\\], ```math, equation, align, …)")
    for region in report.regions:
        if not region.read:
            lines.append(f"NOT READ: the display region at {place.where(region.line)} ({region.construct})")
    for number, chain in enumerate(report.chains, 1):
        lines += ["", f"chain {number} ({place.where(chain.line)}): {_shorten(chain.source)}"]
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
                lines.append(f"        {place.relocate(step.detail)}")
            if step.diagnosis:
                lines.append(f"        diagnosis ({step.diagnosis['kind']}): {step.diagnosis['text']}")
            if step.reason:
                lines.append(f"        the author's reason: {step.reason}")
            for reading in step.readings:
                lines.append(f"        reading: {reading}")
            if step.assumptions:
                lines.append(f"        assuming: {'; '.join(step.assumptions)}")
            if step.definitions:
                used = "; ".join(place.relocate(d) for d in step.definitions)
                lines.append(f"        using the definition(s) of {used}")
    lines = [terminal_safe(line) for line in lines]
    return "\n".join(f"\x1b[1;31m{line}\x1b[0m" if n in red else line for n, line in enumerate(lines))


def significant(text, digits: int = 6) -> str:
    """A number written with many digits, to ``digits`` significant ones, at any magnitude (mpmath: 1e400
    stays 1e+400); anything else as it is."""
    if str(text).strip().lstrip("-").isdigit():  # a count or an index: as it is
        return str(text).strip()
    try:
        value = mpmath.mpf(str(text).strip())
    except (ValueError, TypeError):
        return str(text)
    if mpmath.isnan(value) or mpmath.isinf(value):
        return str(text)
    return mpmath.nstr(value, digits, min_fixed=-5, max_fixed=6)


def _short_counterexample(example: dict) -> str:
    """The counterexample with 6 significant digits (JSON keeps every digit)."""
    where = ", ".join(f"{k} = {significant(v)}" for k, v in example["point"].items())
    return (f"at {where}: lhs = {significant(example['lhs'])}, rhs = {significant(example['rhs'])} "
            f"(difference {significant(example['difference'], 3)}; every digit in --json)")


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
