r"""What a reader never sees as math, found by the markup's own rules: CommonMark's (markdown-it-py) and TeX's.

**Markdown.**  A regex cannot tell a ``<!--`` typed in a code span from one that opens an HTML comment, nor a
fence closed by a longer fence, nor an indented ```` ``` ```` in a paragraph (paragraph text) from a fence: a
wrong guess hides every display up to the next ``-->`` or ```` ``` ````.  :func:`markdown_hidden` asks a
CommonMark parser (markdown-it-py, the ``commonmark`` preset) instead: its block tokens say where each fence,
code block and HTML block is (``.map``, lines); its inline rules, rerun on each paragraph or heading with
their ``backticks`` and ``html_inline`` rules watched, say where each code span and inline HTML comment is,
mapped back to the document's offsets.  An HTML comment is one in raw HTML only: an HTML block's
``<!--`` … ``-->``, or an inline ``<!--`` … ``-->`` within one paragraph.

Two readers use the result, and each errs on its own safe side where the markup is broken:

* display finding (:mod:`backprop_derive.verify.regions`) blanks only what surely hides: closed comments, closed
  fences (other than ```` ```math ````), code spans.  A fence or comment never closed in its block hides
  nothing from it: a display after it is judged, not skipped in silence.
* prose (:func:`backprop_derive.verify.prose.visible`) blanks each comment from its raw ``<!--`` to the first ``-->``
  after it, or to the end (as a browser does), so that nothing a reader never sees puts anything in force.

**TeX.**  ``%`` begins a comment, except as ``\%`` (while ``\\%`` is a line break, then a comment), inside
``\verb|…|`` or ``\verb*|…|``, in the argument of ``\url`` or ``\href`` (whose URLs may hold ``%``), and inside
a verbatim environment (:data:`VERBATIM`): :func:`tex_comments`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

#: Environments whose body TeX reads verbatim: a ``%`` there is a character, not a comment.
VERBATIM = ("verbatim", "verbatim*", "Verbatim", "Verbatim*", "lstlisting", "minted", "BVerbatim", "LVerbatim")
_VERBATIM_BEGIN = re.compile(r"\\begin\s*\{(" + "|".join(re.escape(v) for v in VERBATIM) + r")\}")
_URL = re.compile(r"\\(?:url|href|path)\s*\{")
_VERB = re.compile(r"\\verb\*?([^A-Za-z\s*])")


@dataclass
class MarkdownHidden:
    """Spans (start, end) of a Markdown document that are not math, as CommonMark reads it."""

    code_spans: list[tuple[int, int]] = field(default_factory=list)
    #: Closed fenced code blocks other than ```math (whole, fence lines included).
    fences: list[tuple[int, int]] = field(default_factory=list)
    #: ```math fences: (start, end, body_start, body_end).
    math_fences: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: HTML comments closed within their block or paragraph.
    comments: list[tuple[int, int]] = field(default_factory=list)
    #: Every raw-HTML ``<!--``, up to the first ``-->`` after it or the end of the text (what a browser hides).
    comments_to_close: list[tuple[int, int]] = field(default_factory=list)


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    for name, kind in (("backticks", "code_inline"), ("html_inline", "html_inline")):
        rule = next(r.fn for r in md.inline.ruler.__rules__ if r.name == name)
        md.inline.ruler.at(name, _watched(rule, kind))
    return md


def _watched(rule, kind):
    def watched(state, silent):
        start, count = state.pos, len(state.tokens)
        done = rule(state, silent)
        if done and not silent and len(state.tokens) > count and state.tokens[-1].type == kind:
            seen = state.env.setdefault("derive_spans", [])
            if kind == "code_inline" or state.tokens[-1].content.startswith("<!--"):
                seen.append((kind, start, state.pos))
        return done

    return watched


def _content_offsets(text: str, starts: list[int], content: str, first_line: int) -> list[int] | None:
    """The document offset of each character of an inline token's ``content`` (its lines stripped of container
    marks and indentation by the parser), or None where its lines cannot be found in the document's."""
    offsets = []
    for k, line in enumerate(content.split("\n")):
        n = first_line + k
        if n >= len(starts):
            return None
        source = text[starts[n] : starts[n + 1] - 1 if n + 1 < len(starts) else len(text)].rstrip("\r \t")
        core = line.strip()
        lead = len(line) - len(line.lstrip())
        base = source.rfind(core) if core else len(source)
        if base < 0:
            return None
        offsets += [starts[n] + max(base - (lead - j), 0) for j in range(lead)]
        offsets += [starts[n] + base + j for j in range(len(line) - lead)]
        offsets.append(starts[n] + base + len(line) - lead)  # the newline (or the end)
    return offsets


def markdown_hidden(text: str) -> MarkdownHidden:
    """Code spans, fences, ```math fences and HTML comments of ``text``, by CommonMark's rules."""
    md = _parser()
    starts = _line_starts(text)
    found = MarkdownHidden()

    def at(line: int) -> int:
        return starts[line] if line < len(starts) else len(text)

    def line_end(line: int) -> int:  # end of line ``line``, its newline excluded
        return at(line + 1) - 1 if line + 1 < len(starts) else len(text)

    for token in md.parse(text):
        if token.map is None:
            continue
        first, last = token.map[0], token.map[1] - 1
        if token.type == "fence":
            mark = re.escape(token.markup[0]) + "{" + str(len(token.markup)) + ",}"
            closed = last > first and re.fullmatch(r"[ \t>]*" + mark + r"[ \t]*", text[at(last) : line_end(last)])
            if token.info.strip().lower() == "math":
                found.math_fences.append((at(first), line_end(last) if closed else len(text), at(first + 1),
                                          at(last) if closed else len(text)))
            elif closed:
                found.fences.append((at(first), line_end(last)))
        elif token.type == "html_block":
            block = text[at(first) : line_end(last)]
            for m in re.finditer(r"<!--(?:-?>|.*?-->)", block, re.DOTALL):
                found.comments.append((at(first) + m.start(), at(first) + m.end()))
            for m in re.finditer(r"<!--", block):
                if not any(a <= at(first) + m.start() < b for a, b in found.comments_to_close):
                    close = text.find("-->", at(first) + m.end())
                    found.comments_to_close.append((at(first) + m.start(),
                                                    close + 3 if close >= 0 else len(text)))
        elif token.type == "inline":
            env: dict = {}
            md.inline.parse(token.content, md, env, [])
            spans = env.get("derive_spans", [])
            if not spans:
                continue
            offsets = _content_offsets(text, starts, token.content, first)
            if offsets is None:
                continue
            for kind, a, b in spans:
                span = (offsets[a], offsets[b - 1] + 1)
                if kind == "code_inline":
                    found.code_spans.append(span)
                else:
                    found.comments.append(span)
                    found.comments_to_close.append(span)
    return found


def tex_comments(text: str) -> list[tuple[int, int]]:
    r"""(start, end) of each ``%`` comment of TeX ``text`` (its newline excluded), by TeX's rules (see the module)."""
    found = []
    pos, n = 0, len(text)
    while pos < n:
        ch = text[pos]
        if ch == "%":
            end = text.find("\n", pos)
            end = n if end < 0 else end
            found.append((pos, end))
            pos = end
            continue
        if ch != "\\":
            pos += 1
            continue
        if (m := _VERB.match(text, pos)) is not None:
            close = text.find(m.group(1), m.end())
            newline = text.find("\n", m.end())
            if close >= 0 and (newline < 0 or close < newline):
                pos = close + 1
                continue
        if (m := _URL.match(text, pos)) is not None:
            depth, k = 1, m.end()
            while k < n and depth:
                if text[k] == "\\":
                    k += 2
                    continue
                depth += {"{": 1, "}": -1}.get(text[k], 0)
                k += 1
            if depth == 0:
                pos = k
                continue
        if (m := _VERBATIM_BEGIN.match(text, pos)) is not None:
            end = re.compile(r"\\end\s*\{" + re.escape(m.group(1)) + r"\}").search(text, m.end())
            if end is not None:
                pos = end.end()
                continue
        pos += 2  # a control symbol (\%, \\, \$) or the first letter of a control word
    return found


def tex_verbatim(text: str) -> list[tuple[int, int]]:
    r"""(start, end) of the contents of each closed ``\verb`` and verbatim environment of TeX ``text``: code,
    not math (only where TeX's own comments do not hide them)."""
    found = []
    for m in _VERB.finditer(text):
        close = text.find(m.group(1), m.end())
        newline = text.find("\n", m.end())
        if close >= 0 and (newline < 0 or close < newline):
            found.append((m.end(), close))
    for m in _VERBATIM_BEGIN.finditer(text):
        end = re.compile(r"\\end\s*\{" + re.escape(m.group(1)) + r"\}").search(text, m.end())
        if end is not None:
            found.append((m.end(), end.start()))
    return found
