"""The verify report as one self-contained web page (``derive verify FILE --html OUT.html``, and
:func:`backprop_derive.verify.check`'s ``_repr_html_`` in Jupyter); for a class, an index page of the files.

This module makes pages and prints nothing (the CLI writes them: :mod:`backprop_derive.cli.verify_html`).
Built from the same dict as ``derive verify --json`` (:func:`backprop_derive.verify.present.as_json`), so a
field added to the report shows up here without a change: the known ones get their place, and any
other field of a step or a chain is listed under it by name.  The page has no script, no link and
no font or style from elsewhere: it opens offline, from a mail attachment or a CI artifact.

* What was written: the user's LaTeX as MathML (``latex2mathml``).  The MathML is parsed and
  rebuilt from a whitelist of MathML elements and attributes (``latex2mathml`` copies ``\\text{…}``
  verbatim, markup included), so nothing the user wrote can become HTML; LaTeX it cannot convert
  is shown as code.
* What was read: MathML when the report carries it (``lhs_read_mathml``), else the reading's LaTeX
  (``lhs_read_latex``) through ``latex2mathml``, else its text, as code.
* Each step's verdict, the first wrong step of each chain marked, the counterexample, the
  diagnosis, the assumptions and definitions used, and the summary.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

from backprop_derive.verify.present import significant

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
#: MathML presentation elements and attributes that may pass into the page; anything else is dropped.
MATHML_TAGS = frozenset((
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot", "msub", "msup", "msubsup",
    "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror",
    "mfenced", "semantics",
))
MATHML_ATTRIBUTES = frozenset((
    "display", "stretchy", "fence", "form", "separator", "accent", "accentunder", "movablelimits", "largeop",
    "symmetric", "lspace", "rspace", "mathvariant", "mathsize", "columnalign", "columnspacing", "rowspacing",
    "columnlines", "rowlines", "frame", "width", "height", "depth", "linethickness", "notation", "scriptlevel",
    "displaystyle", "open", "close", "separators", "minsize", "maxsize",
))
#: Step fields this page places itself; the others are listed by name under the step.
STEP_FIELDS = {"lhs", "rhs", "verdict", "method", "detail", "counterexample", "lhs_read", "rhs_read",
               "assumptions", "diagnosis", "definitions", "lhs_read_latex", "rhs_read_latex", "lhs_read_mathml",
               "rhs_read_mathml", "lhs_source", "rhs_source"}
#: ``position``/``cell``: where a chain of a notebook is ("cell 3, line 2"), shown in the chain's heading.
CHAIN_FIELDS = {"line", "source", "steps", "definitions", "assumptions", "first_wrong", "position", "cell"}
LABELS = {"equal": "equal", "not_equal": "not equal", "unknown": "unknown", "error": "error"}
MARKS = {"equal": "✓", "not_equal": "✗", "unknown": "?", "error": "!"}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1f2328; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin: 1.8rem 0 .4rem; }
.summary span, .badge { display: inline-block; border-radius: .8rem; padding: .05rem .6rem; margin-right: .3rem;
       font-weight: 600; font-size: .9rem; }
.equal { background: #dafbe1; color: #116329; } .not_equal { background: #ffebe9; color: #a40e26; }
.unknown { background: #fff8c5; color: #7d4e00; } .error { background: #eaeef2; color: #57606a; }
section.chain { border: 1px solid #d0d7de; border-radius: .5rem; padding: .6rem 1rem 1rem; margin: 1rem 0; }
section.chain.wrong { border-color: #cf222e; }
.source { font-size: 1.15rem; margin: .4rem 0 .8rem; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top;
       padding: .45rem .5rem; border-top: 1px solid #eaeef2; } th { font-size: .85rem; color: #57606a; }
tr.first-wrong td { background: #fff5f5; } tr.first-wrong td:first-child { border-left: 4px solid #cf222e; }
.first-wrong-label { color: #cf222e; font-weight: 700; font-size: .85rem; display: block; margin-top: .2rem; }
math { font-size: 1.1rem; } td math { math-style: normal; }
code { font-size: .85rem; background: #f6f8fa; padding: .05rem .25rem;
       border-radius: .2rem; word-break: break-word; }
.detail { font-size: .9rem; } .muted { color: #57606a; font-size: .85rem; } dl { margin: .3rem 0; }
dt { font-weight: 600; font-size: .85rem; } dd { margin: 0 0 .3rem 1rem; font-size: .9rem; }
"""


# --------------------------------------------------------------------------------------- MathML


def _clean(element: ET.Element) -> ET.Element:
    """A copy of a MathML element tree with only whitelisted elements and attributes (``ValueError`` otherwise)."""
    tag = element.tag.rsplit("}", 1)[-1]
    if tag not in MATHML_TAGS:
        raise ValueError(f"<{tag}> is not MathML")
    copy = ET.Element(tag, {k: v for k, v in element.attrib.items() if k in MATHML_ATTRIBUTES})
    copy.text = element.text
    for child in element:
        cleaned = _clean(child)
        cleaned.tail = child.tail
        copy.append(cleaned)
    return copy


def safe_mathml(markup: str) -> str | None:
    """``markup`` rebuilt from whitelisted MathML, or None when it is not MathML through and through."""
    try:
        root = _clean(ET.fromstring(markup))
    except (ET.ParseError, ValueError):
        return None
    if root.tag != "math":
        return None
    root.set("xmlns", MATHML_NS)
    return ET.tostring(root, encoding="unicode")


def latex_mathml(tex: str, display: bool = False) -> str:
    """The LaTeX ``tex`` as MathML (``latex2mathml``), or as code when it cannot be converted."""
    from latex2mathml.converter import convert

    try:
        markup = safe_mathml(convert(tex, display="block" if display else "inline"))
    except Exception:  # latex2mathml raises its own errors, and IndexError/KeyError, on LaTeX it lacks
        markup = None
    return markup if markup is not None else f"<code>{html.escape(tex)}</code>"


def _reading(step: dict, side: str) -> str:
    """What ``side`` (lhs or rhs) was read as: MathML, LaTeX, or text, whichever the report carries."""
    mathml = step.get(f"{side}_read_mathml")
    if isinstance(mathml, str) and (safe := safe_mathml(mathml)) is not None:
        return safe
    tex = step.get(f"{side}_read_latex")
    if isinstance(tex, str):
        return latex_mathml(tex)
    text = step.get(f"{side}_read")
    return f"<code>{html.escape(text)}</code>" if isinstance(text, str) else '<span class="muted">not read</span>'


# --------------------------------------------------------------------------------------- pieces


def _value(value) -> str:
    """Any JSON value as HTML: text escaped, lists as lines, dicts as ``key: value``."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, list):
        return "<br>".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{html.escape(str(k))}: {_value(v)}" for k, v in value.items())
    return html.escape(json.dumps(value))


def _counterexample(found) -> str:
    if not isinstance(found, dict):
        return _value(found)
    point = found.get("point")
    where = ", ".join(f"{html.escape(str(k))} = {html.escape(significant(v))}" for k, v in point.items()) \
        if isinstance(point, dict) else _value(point)
    values = [f"{side} = {html.escape(significant(found[side]))}" for side in ("lhs", "rhs") if side in found]
    if "difference" in found:
        values.append(f"difference {html.escape(significant(found['difference'], 3))}")
    rest = {k: v for k, v in found.items() if k not in ("point", "lhs", "rhs", "difference")}
    return f"at {where}: {', '.join(values)}" + (f"; {_value(rest)}" if rest else "")


def _definitions(definitions) -> str:
    """Definitions as a list: a dict's ``latex`` (or ``source``) as math, anything else as text."""
    items = []
    for item in definitions if isinstance(definitions, list) else [definitions]:
        tex = (item.get("latex") or item.get("source")) if isinstance(item, dict) else None
        items.append(latex_mathml(tex) if isinstance(tex, str) else _value(item))
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _assumptions(assumptions: list) -> str:
    """Each assumption as math when it is LaTeX (``y_1+y_2+y_3=1``, ``\\sum_{i=1}^K y_i = 1``), as words
    when it holds words (``k in 1..K``); joined by ``;``."""
    shown = []
    for item in assumptions:
        words = isinstance(item, str) and re.search(r"[A-Za-z]{2,}", re.sub(r"\\[A-Za-z]+", "", item))
        shown.append(latex_mathml(item) if isinstance(item, str) and not words else _value(item))
    return "; ".join(shown)


def _first_wrong(chain: dict) -> int | None:
    if isinstance(chain.get("first_wrong"), int):
        return chain["first_wrong"]
    return next((n for n, step in enumerate(chain["steps"]) if step.get("verdict") == "not_equal"), None)


def _step_row(number: int, step: dict, first_wrong: bool) -> str:
    verdict = step.get("verdict", "unknown")
    written = f"{latex_mathml(step.get('lhs', ''))} = {latex_mathml(step.get('rhs', ''))}" if step.get("rhs") \
        else latex_mathml(step.get("lhs", ""))
    read = f"{_reading(step, 'lhs')} = {_reading(step, 'rhs')}"
    how = step.get("method", "")
    if verdict == "equal" and how == "numeric":
        how = "numeric, not a proof"
    notes = [f'<span class="badge {html.escape(verdict)}">{MARKS.get(verdict, "")} '
             f'{html.escape(LABELS.get(verdict, verdict))}</span> <span class="muted">{html.escape(how)}</span>']
    if first_wrong:
        notes.append('<span class="first-wrong-label">◀ first wrong step</span>')
    if step.get("detail") and not step.get("counterexample") and (verdict != "equal" or how.startswith("numeric")):
        notes.append(f'<div class="detail">{html.escape(step["detail"])}</div>')
    facts = []
    if step.get("counterexample"):
        facts.append(("counterexample", _counterexample(step["counterexample"])))
    if step.get("diagnosis"):
        facts.append(("diagnosis", _value(step["diagnosis"])))
    if step.get("assumptions"):
        facts.append(("assuming", _assumptions(step["assumptions"])))
    if step.get("definitions"):
        facts.append(("definitions used", _definitions(step["definitions"])))
    for side in ("lhs_source", "rhs_source"):
        if step.get(side):
            facts.append((side.replace("_", " "), f"<code>{html.escape(str(step[side]))}</code>"))
    facts += [(key.replace("_", " "), _value(value)) for key, value in step.items()
              if key not in STEP_FIELDS and value not in (None, "", [], {})]
    if facts:
        notes.append("<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>")
    row_class = ' class="first-wrong"' if first_wrong else ""
    return (f"<tr{row_class}><td>{number}</td><td>{written}</td><td>{read}</td><td>{''.join(notes)}</td></tr>")


def _chain(number: int, chain: dict) -> str:
    first_wrong = _first_wrong(chain)
    rows = "".join(_step_row(n + 1, step, n == first_wrong) for n, step in enumerate(chain.get("steps", [])))
    extra = []
    if chain.get("definitions"):
        extra.append(f"<dt>definitions</dt><dd>{_definitions(chain['definitions'])}</dd>")
    if chain.get("assumptions"):
        extra.append(f"<dt>assumptions</dt><dd>{_value(chain['assumptions'])}</dd>")
    extra += [f"<dt>{html.escape(k.replace('_', ' '))}</dt><dd>{_value(v)}</dd>" for k, v in chain.items()
              if k not in CHAIN_FIELDS and v not in (None, "", [], {})]
    wrong = " wrong" if first_wrong is not None else ""
    return (
        f'<section class="chain{wrong}" id="chain-{number}"><h2>Chain {number} '
        f'<span class="muted">{html.escape(_where(chain))}</span></h2>'
        f'<div class="source">{latex_mathml(chain.get("source", ""), display=True)}</div>'
        + (f"<dl>{''.join(extra)}</dl>" if extra else "")
        + "<table><thead><tr><th>step</th><th>as written</th><th>as read</th><th>verdict</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _where(chain: dict) -> str:
    """``line 12``, or in a notebook ``cell 3, line 2``."""
    position = chain.get("position")
    return position if isinstance(position, str) else f"line {chain.get('line', '?')}"


def _summary(summary: dict) -> str:
    parts = [f'<span class="{html.escape(key)}">{html.escape(str(count))} {html.escape(LABELS.get(key, key))}'
             "</span>" for key, count in summary.items()]
    return f'<p class="summary">{"".join(parts)}</p>'


def html_report(data: dict, name: str) -> str:
    """The page for the report ``data`` (the ``--json`` dict) of the file ``name``."""
    chains = data.get("chains", [])
    steps = sum(len(chain.get("steps", [])) for chain in chains)
    used = sorted({a for chain in chains for step in chain.get("steps", []) for a in step.get("assumptions", [])})
    body = [f"<h1>derive verify: {html.escape(name)}</h1>",
            f'<p class="muted">{len(chains)} chain(s), {steps} step(s). Each side as written (MathML of your '
            "LaTeX) and as read; a step is equal when proved or when it agrees numerically at high precision "
            "(said so: numeric is not a proof).</p>",
            _summary(data.get("summary", {}))]
    notebook = data.get("notebook")
    if isinstance(notebook, dict):
        body.insert(2, f'<p class="muted">A notebook: read its {html.escape(str(notebook.get("markdown_cells")))} '
                       "Markdown cell(s); places are given as cell and line.</p>")
    if used:
        body.append(f"<p><strong>Assumptions in force:</strong> {_assumptions(used)}</p>")
    if data.get("definitions"):
        body.append(f"<p><strong>Definitions:</strong></p>{_definitions(data['definitions'])}")
    if not chains:
        body.append("<p>No chain a = b found in display math ($$…$$, \\[…\\], equation, align).</p>")
    body += [_chain(n, chain) for n, chain in enumerate(chains, 1)]
    body += [f"<h2>Summary</h2>{_summary(data.get('summary', {}))}"]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>derive verify: {html.escape(name)}</title><style>{STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")


#: The columns of a class's index page (and of ``--summary``), after the file's name.
INDEX_COLUMNS = ("steps", "equal", "not_equal", "unknown", "error", "definition", "first_wrong_line",
                 "first_wrong_kind", "partial_credit", "exit")


def class_index(rows: list[dict], title: str = "derive verify: the class") -> str:
    """The index page of a class: one row per file (``file``, ``page`` -- the file's own page, or None when the
    file could not be read --, the :data:`INDEX_COLUMNS`, and ``problem`` for a file that could not be read).
    Everything from the input is escaped; no script."""
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in ("file", *INDEX_COLUMNS))
    body = []
    for row in rows:
        name = html.escape(str(row.get("file", "")))
        page = row.get("page")
        cell = f'<a href="{html.escape(page, quote=True)}">{name}</a>' if isinstance(page, str) else name
        if row.get("problem"):
            cell += f'<div class="detail">{html.escape(str(row["problem"]))}</div>'
        values = "".join(f"<td>{html.escape(str(row.get(c, '')))}</td>" for c in INDEX_COLUMNS)
        wrong = ' class="first-wrong"' if row.get("not_equal") or row.get("problem") else ""
        body.append(f"<tr{wrong}><td>{cell}</td>{values}</tr>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p class=\"muted\">{len(rows)} file(s). partial credit: the share of the "
            "judged steps (definitions excluded) that are equal; empty when no step was judged. exit: the file's "
            "own exit code (0 all equal, 1 a step not equal, 2 not readable, 3 otherwise).</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></body></html>\n")
