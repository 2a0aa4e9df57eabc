r"""Tokens of the LaTeX math subset that :mod:`backprop_derive.verify.latex.parser` reads.

A token is a command (``\frac``, ``\,``), a letter, a number, or one punctuation character; each
carries its 1-based column in the text it came from, so every error can point at its place.
Spacing commands and the sizing prefixes ``\left``/``\right``/``\big…`` are dropped here: they
change how a formula looks, never what it means.  Anything outside printable ASCII (and a few
common Unicode math signs, mapped to their commands) is an error at its column.

**Adding notation.**  A new spelling of notation the reader knows is one entry in one table, and one
test (``tests/test_latex_notation.py``: the reading, and a planted-wrong variant judged ``not_equal``):

* :data:`ALIASES` -- a command that means another command (``\dotsi`` is ``\dots``, ``\lVert`` is ``\|``);
* :data:`NEGATED` -- ``\not`` before a relation (``\not=`` is ``\ne``);
* :data:`FONT_SWITCHES` -- an old TeX font switch (``{\cal C}``) read as the command over its letter;
* :data:`DROPPED` -- layout commands, :data:`UNICODE` -- pasted characters;
* :mod:`backprop_derive.verify.latex.names` -- :data:`~backprop_derive.verify.latex.names.DECORATIONS` (``\dot{x}`` is
``xdot``),
  :data:`~backprop_derive.verify.latex.names.FUNCTIONS` (``\operatorname{LSE}``),
  :data:`~backprop_derive.verify.latex.names.WORD_COMMANDS`,
  :data:`~backprop_derive.verify.latex.names.LAYER_LABELS` (``a^{\ell}`` is a label),
  :data:`~backprop_derive.verify.latex.names.DELIMITED`
  (``\|x\|``, ``\langle u, v \rangle``);
* :data:`backprop_derive.verify.document.BETWEEN` -- relations between equations (``\implies``, ``\therefore``);
* :mod:`backprop_derive.verify.latex.macros` -- the forms of a macro definition (``\newcommand``, ``\def``).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Longest side, in characters, that the reader accepts (input-size bound).
MAX_SIDE_CHARS = 4000
#: Longest run of digits in one number.
MAX_DIGITS = 60


class LatexError(ValueError):
    """Text that cannot be read: ``message`` says what, ``column`` (1-based) says where."""

    def __init__(self, message: str, column: int):
        super().__init__(f"column {column}: {message}")
        self.message = message
        self.column = column


class UndefinedDerivativeError(LatexError):
    """A derivative of a name nothing defines (``\\frac{\\partial f}{\\partial \\gamma}``): readable, but what the
    name is a function of is not known -- ``name`` says which."""

    def __init__(self, message: str, column: int, name: str):
        super().__init__(message, column)
        self.name = name


@dataclass(frozen=True)
class Token:
    """``kind`` is ``cmd`` (text ``\\name``), ``letter``, ``number``, ``punct`` or ``end``."""

    kind: str
    text: str
    column: int

    def is_(self, *texts: str) -> bool:
        return self.text in texts and self.kind != "end"


def words(text: str) -> list[str]:
    """The blank-separated words of ``text`` (for tables of command names)."""
    return text.split()


#: Commands that only change spacing or size: dropped.
DROPPED = frozenset(
    (
        *words(r"\left \right \mleft \mright \big \Big \bigg \Bigg \bigl \bigr \Bigl \Bigr \biggl \biggr"),
        *words(r"\Biggl \Biggr"),
        *words(r"\, \; \: \! \quad \qquad \displaystyle \textstyle \limits \nolimits \nonumber \notag"),
        "\\ ",
    )
)

#: Unicode signs that people paste into LaTeX, read as the command they stand for.
UNICODE = {
    "·": r"\cdot", "⋅": r"\cdot", "×": r"\times", "−": "-", "≤": r"\le", "≥": r"\ge", "∂": r"\partial",
    "σ": r"\sigma", "∑": r"\sum", "√": r"\sqrt", "π": r"\pi",
    "’": "'", "′": "'",  # a typographic apostrophe or a prime sign: the prime
}

#: Commands that mean another command: each is read as the command it stands for.
ALIASES = {
    r"\dotsi": r"\dots", r"\dotsc": r"\dots", r"\dotso": r"\dots",  # amsmath's semantic dots (in a sum)
    r"\lVert": r"\|", r"\rVert": r"\|", r"\Vert": r"\|",  # a norm's bars
    r"\textbf": r"\mathbf", r"\boldsymbol": r"\mathbf", r"\bm": r"\mathbf",  # a bold name (a vector)
    r"\part": r"\partial",  # KaTeX's and MathJax's short name
}

#: ``\not`` before a relation: the relation it negates to (for real numbers).
NEGATED = {"=": r"\ne", r"\equiv": r"\ne", "<": r"\ge", ">": r"\le", r"\lt": r"\ge", r"\gt": r"\le",
           r"\le": ">", r"\ge": "<"}

#: Old TeX font switches (``{\cal C}``, ``\cal L``): read as the command over the one letter that follows.
FONT_SWITCHES = {r"\cal": r"\mathcal", r"\bf": r"\mathbf", r"\mit": r"\mathit", r"\sf": r"\mathsf"}

_PUNCT = set("{}()[]^_+-*/=,|&'<>!.:;")


def _refuse_scientific(text: str, start: int, end: int) -> None:
    r"""Refuse ``1.0e3``, ``2E-5``: a number followed at once by ``e``/``E``, a sign or not, and a digit.

    TeX would typeset ``1.0e3`` as :math:`1.0 \cdot e \cdot 3 = 3e`, but whoever writes it means
    :math:`1.0 \cdot 10^{3}`, or made a typo: either silent reading may be wrong, so it is an error
    at the number's column.  ``2e``, ``2e^{x}``, ``2 e3`` and ``2e - 1`` still read e as Euler's number.
    """
    letter = end
    if letter >= len(text) or text[letter] not in "eE":
        return
    digits = letter + 1 + (letter + 1 < len(text) and text[letter + 1] in "+-")
    stop = digits
    while stop < len(text) and text[stop].isascii() and text[stop].isdigit():
        stop += 1
    if stop == digits:
        return
    mantissa, exponent = text[start:end], text[letter + 1 : stop].lstrip("+")
    raise LatexError(f"'{text[start:stop]}' looks like scientific notation, which LaTeX does not have: "
                     f"write {mantissa} \\cdot 10^{{{exponent}}}", start + 1)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``end`` token; :class:`LatexError` on junk."""
    if len(text) > MAX_SIDE_CHARS:
        raise LatexError(f"expression longer than {MAX_SIDE_CHARS} characters", 1)
    tokens: list[Token] = []
    pos, n = 0, len(text)
    while pos < n:
        ch, col = text[pos], pos + 1
        if ch in " \t\r\n":
            pos += 1
        elif ch == "\\":
            end = pos + 1
            while end < n and text[end].isascii() and text[end].isalpha():
                end += 1
            if end == pos + 1:
                end = min(pos + 2, n)
            name = text[pos:end]
            if name == "\\" and pos > 0 and text[pos - 1] in " \t":
                break  # "x \ " with its last blank trimmed off: the control space
            if name == "\\":
                raise LatexError("a lone backslash at the end", col)
            pos = end
            if name in (r"\left", r"\right") and pos < n and text[pos] == ".":
                pos += 1  # \left. and \right. are invisible delimiters
            if name not in DROPPED:
                tokens.append(Token("cmd", name, col))
        elif (ch.isascii() and ch.isdigit()) or (ch == "." and pos + 1 < n and text[pos + 1].isdigit()):
            end = pos
            while end < n and text[end].isascii() and text[end].isdigit():
                end += 1
            if end < n and text[end] == "." and end + 1 < n and text[end + 1].isdigit():
                end += 1
                while end < n and text[end].isascii() and text[end].isdigit():
                    end += 1
            if end - pos > MAX_DIGITS:
                raise LatexError(f"number with more than {MAX_DIGITS} digits", col)
            _refuse_scientific(text, pos, end)
            tokens.append(Token("number", text[pos:end], col))
            pos = end
        elif ch.isascii() and ch.isalpha():
            tokens.append(Token("letter", ch, col))
            pos += 1
        elif ch in _PUNCT:
            tokens.append(Token("punct", ch, col))
            pos += 1
        elif ch in UNICODE:
            mapped = UNICODE[ch]
            tokens.append(Token("cmd" if mapped.startswith("\\") else "punct", mapped, col))
            pos += 1
        elif ch == "%":
            raise LatexError("a '%' comment inside math", col)
        else:
            shown = ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"U+{ord(ch):04X}"
            raise LatexError(f"unexpected character {shown!r}", col)
    tokens.append(Token("end", "", n + 1))
    return _primes(_notation(tokens))


def _notation(tokens: list[Token]) -> list[Token]:
    r"""Apply :data:`ALIASES`, :data:`NEGATED` and :data:`FONT_SWITCHES`: each rewrites tokens into ones the
    parser reads, at the column of what was written."""
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        token = tokens[k]
        if token.kind == "cmd" and token.text in ALIASES:
            token = Token("cmd", ALIASES[token.text], token.column)
        if token.is_(r"\not"):
            negated = tokens[k + 1].text if tokens[k + 1].kind != "end" else None
            if negated not in NEGATED:
                raise LatexError(f"\\not before {negated or 'the end'!r}: only a relation can be negated "
                                 f"({', '.join(NEGATED)})", token.column)
            mapped = NEGATED[negated]
            out.append(Token("cmd" if mapped.startswith("\\") else "punct", mapped, token.column))
            k += 2
            continue
        if token.kind == "cmd" and token.text in FONT_SWITCHES:
            letter = tokens[k + 1]
            if letter.kind != "letter":
                raise LatexError(f"{token.text} must be followed by one letter ({token.text} L)", token.column)
            column = token.column
            out += [Token("cmd", FONT_SWITCHES[token.text], column), Token("punct", "{", column), letter,
                    Token("punct", "}", column)]
            k += 2
            continue
        out.append(token)
        k += 1
    return out


def _primes(tokens: list[Token]) -> list[Token]:
    r"""``f^\prime``, ``f^{\prime}`` and ``f^{\prime\prime}`` written as the primes ``f'`` and ``f''`` they typeset."""
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        token = tokens[k]
        if token.is_("^") and k + 1 < len(tokens):
            if tokens[k + 1].text == r"\prime":
                out.append(Token("punct", "'", token.column))
                k += 2
                continue
            stop = k + 2
            while stop < len(tokens) and tokens[stop].text == r"\prime":
                stop += 1
            if tokens[k + 1].is_("{") and stop > k + 2 and stop < len(tokens) and tokens[stop].is_("}"):
                out += [Token("punct", "'", token.column)] * (stop - k - 2)
                k = stop + 1
                continue
        out.append(token)
        k += 1
    return out
