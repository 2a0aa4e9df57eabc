r"""A document's own macros, expanded textually before anything is read, and ``\not`` before a relation.

``\newcommand{\R}{\mathbb{R}}``, ``\newcommand{\pd}[2]{\frac{\partial #1}{\partial #2}}``, ``\def\x{…}``,
``\DeclareMathOperator{\LSE}{LSE}``: each form is one row of :data:`DEFINITIONS` (a pattern, and how its
body is written out).  A definition is blanked where it stands (its newlines kept); each use is replaced by
the body, its ``#1``… by the arguments.  Nothing is executed: a body is text, put in where the name is.
Expansion is bounded (:data:`MAX_EXPANSIONS` uses, :data:`MAX_GROWTH` characters): a macro that uses
itself stops there, and the rest is read as written (an unknown command, an error at its place).

Lines stay where they are (a body's newlines become blanks); columns after an expanded use on its line
move by the difference.  ``\not=`` and the other negations of :data:`backprop_derive.verify.latex.tokens.NEGATED` are
rewritten in place, padded with blanks so that every offset stays (the document splits relations in text).
"""

from __future__ import annotations

import re

from backprop_derive.verify.latex.tokens import NEGATED

#: Most uses expanded in one document.
MAX_EXPANSIONS = 2000
#: Most characters the expansion may add to a document.
MAX_GROWTH = 200_000
#: Most arguments of one macro (TeX's own limit).
MAX_ARGUMENTS = 9

_NAME = r"\\(?P<name>[A-Za-z]+)"
_BODY = r"\{(?P<body>(?:[^{}]|\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})*)\}"  # braces nested 3 deep
#: How a macro is defined: a pattern (with groups name, optional count, body) and how its body is written.
DEFINITIONS = (
    (re.compile(r"\\(?:re|provide)?newcommand\*?\s*(?:\{\s*" + _NAME + r"\s*\}|" + _NAME.replace("name", "name2")
                + r")\s*(?:\[(?P<count>[1-9])\])?\s*" + _BODY), "{body}"),
    (re.compile(r"\\def\s*" + _NAME + r"(?P<params>(?:#[1-9])*)\s*" + _BODY), "{body}"),
    (re.compile(r"\\DeclareMathOperator\*?\s*\{\s*" + _NAME + r"\s*\}\s*" + _BODY), r"\operatorname{{{body}}}"),
)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "".join("\n" if c == "\n" else " " for c in text[start:end]) + text[end:]


def definitions(text: str) -> tuple[str, dict[str, tuple[int, str]]]:
    """``text`` with its macro definitions blanked, and the macros: name -> (argument count, body)."""
    found: dict[str, tuple[int, str]] = {}
    for pattern, form in DEFINITIONS:
        for m in list(pattern.finditer(text)):
            groups = m.groupdict()
            name = groups.get("name") or groups.get("name2")
            count = int(groups.get("count") or 0) or len(groups.get("params") or "") // 2
            found[name] = (min(count, MAX_ARGUMENTS), form.format(body=" ".join(m.group("body").split())))
            text = _blank(text, m.start(), m.end())
    return text, found


def _argument(text: str, pos: int) -> tuple[str, int] | None:
    """The TeX argument at ``pos`` (blanks skipped): a braced group's inside, or one character or command."""
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    if pos >= len(text):
        return None
    if text[pos] == "{":
        depth = 0
        for end in range(pos, len(text)):
            depth += (text[end] == "{") - (text[end] == "}")
            if depth == 0:
                return text[pos + 1 : end], end + 1
        return None
    m = re.match(r"\\[A-Za-z]+|\\.|[^\s{}]", text[pos:])
    return (m.group(), pos + len(m.group())) if m else None


def expand(text: str) -> str:
    """``text`` with its macros expanded and its definitions blanked (see the module)."""
    text, macros = definitions(text)
    text = negations(text)
    if not macros:
        return text
    use = re.compile(r"\\(" + "|".join(sorted(map(re.escape, macros), key=len, reverse=True)) + r")(?![A-Za-z])")
    budget, limit = MAX_EXPANSIONS, len(text) + MAX_GROWTH
    pos = 0
    while budget > 0:
        m = use.search(text, pos)
        if m is None:
            break
        count, body = macros[m.group(1)]
        end, args = m.end(), []
        for _ in range(count):
            got = _argument(text, end)
            if got is None:
                break
            args.append(got[0])
            end = got[1]
        if len(args) < count:
            pos = m.end()  # read as written: an error at its place
            continue
        body = re.sub(r"#([1-9])", lambda a, args=args: args[int(a.group(1)) - 1] if int(a.group(1)) <= len(args)
                      else a.group(), body)
        if body[-1:].isalpha() and text[end : end + 1].isalpha():
            body += " "  # \x y: the body's last letter must not run into the next word
        if len(text) - (end - m.start()) + len(body) > limit:
            break
        text = text[: m.start()] + body + text[end:]
        pos = m.start()  # a body may use other macros: read it again
        budget -= 1
    return negations(text)


_NEGATION = re.compile(r"\\not\s*(" + "|".join(re.escape(r) + (r"(?![A-Za-z])" if r[-1].isalpha() else "")
                                                 for r in sorted(NEGATED, key=len, reverse=True)) + ")")


def negations(text: str) -> str:
    r"""``\not=`` as ``\ne`` (and every :data:`~backprop_derive.verify.latex.tokens.NEGATED` relation), padded to the
    same length."""
    return _NEGATION.sub(lambda m: NEGATED[m.group(1)].ljust(len(m.group())), text)
