r"""Forms of plain-text and TeX-primitive math, rewritten into the tokens of the LaTeX the parser reads.

People who write derivations in a blog's plain text, or in TeX's primitives, write

* ``{a \over b}``: the fraction :math:`\frac{a}{b}` (the TeX primitive ``\over`` splits its group);
* ``d(h(x))/dx``, ``df(x)/dx``, ``dL/dz``, ``\partial L/\partial z_i``: a *slash derivative*, the Leibniz
  :math:`\frac{d h(x)}{dx}` written on one line.  It binds as one factor, as its author means:
  ``(1/2) \cdot d(e^{x})/dx`` is :math:`\frac12 \frac{d e^x}{dx}`;
* ``d/dx (x^2)``, ``\partial/\partial z``: the operator :math:`\frac{d}{dx}`, applied to the rest of its term;
* ``f'(x).g(x)``: ``.`` between two factors for the product (a period that ends the formula is
  stripped before, and ``0.5`` is a number); beside a capital letter (``W^{[l]}.dz``) it is a matrix
  product, which is an error: symbols are scalars;
* ``\frac{\delta y}{\delta x}``: δ for the derivative's d, where both the numerator and a
  denominator of one variable begin with it.

Each rewrite keeps the columns of the tokens it keeps, and is recorded as a note of the reading, so
the report says how the text was read.  A form that matches none of these is left as it is.
"""

from __future__ import annotations

from backprop_derive.verify.latex.tokens import LatexError, Token

_OPEN, _CLOSE = {"(": ")", "{": "}", "[": "]"}, {")", "}", "]"}


def _is_d(tok: Token) -> bool:
    return (tok.kind == "letter" and tok.text == "d") or (tok.kind == "cmd" and tok.text == r"\partial")


def _group_end(tokens: list[Token], start: int) -> int | None:
    """The index just past the group opened at ``start`` (``(``, ``{`` or ``[``), None if never closed."""
    depth = 0
    for pos in range(start, len(tokens)):
        tok = tokens[pos]
        if tok.kind == "punct" and tok.text in _OPEN:
            depth += 1
        elif tok.kind == "punct" and tok.text in _CLOSE:
            depth -= 1
            if depth == 0:
                return pos + 1
        elif tok.kind == "end":
            return None
    return None


def _script_end(tokens: list[Token], pos: int) -> int:
    """Past an optional ``_x`` / ``_{…}`` subscript at ``pos``."""
    if pos < len(tokens) and tokens[pos].is_("_"):
        if tokens[pos + 1].is_("{"):
            return _group_end(tokens, pos + 1) or pos
        if tokens[pos + 1].kind in ("letter", "number"):
            return pos + 2
    return pos


def _name_end(tokens: list[Token], pos: int, applied: bool) -> int | None:
    """Past a name at ``pos`` (a letter but d, a Greek letter or function command, a decorated letter), with its
    subscript and, when ``applied``, its primes and argument ``(…)``; None when no name is there."""
    tok = tokens[pos]
    if tok.kind == "letter" and tok.text != "d":
        end = pos + 1
    elif tok.kind == "cmd" and tok.text in (r"\hat", r"\bar", r"\tilde") and tokens[pos + 1].is_("{"):
        end = _group_end(tokens, pos + 1)
        if end is None:
            return None
    elif (tok.kind == "cmd" and tok.text != r"\partial" and tok.text[1:].isalpha() and not tok.text.startswith(
            (r"\frac", r"\begin", r"\end", r"\sum", r"\prod", r"\cdot", r"\times", r"\left", r"\right"))) \
            or tok.kind == "word":
        end = pos + 1
    else:
        return None
    end = _script_end(tokens, end)
    if not applied:
        return end
    while tokens[end].is_("'"):
        end += 1
    if tokens[end].is_("("):
        end = _group_end(tokens, end) or end
    return end


def _slash_derivative(tokens: list[Token], pos: int) -> tuple[list[Token], int] | None:
    """``d X / d v`` at ``pos``: the tokens of ``\\frac{d X}{d v}`` and the index past it, else None."""
    d = tokens[pos]
    if pos > 0 and tokens[pos - 1].kind == "letter" and tokens[pos - 1].column == d.column - 1:
        return None  # 'and', 'ad': d ends a word or a product of letters
    start = pos + 1
    end = _group_end(tokens, start) if tokens[start].is_("(", "{") else _name_end(tokens, start, applied=True)
    if end is None or end == start or not tokens[end].is_("/") or not _is_d(tokens[end + 1]) \
            or tokens[end + 1].text != d.text:
        return None
    var_end = _name_end(tokens, end + 2, applied=False)
    if var_end is None or tokens[var_end].is_("(", "'", "^") or tokens[var_end].kind == "letter":
        return None
    col = d.column
    frac = [Token("cmd", r"\frac", col), Token("punct", "{", col), *tokens[pos:end], Token("punct", "}", col),
            Token("punct", "{", col), *tokens[end + 1 : var_end], Token("punct", "}", col)]
    return frac, var_end


def _slash_operator(tokens: list[Token], pos: int) -> tuple[list[Token], int] | None:
    """``d/dx`` or ``\\partial/\\partial x`` at ``pos``: the tokens of the operator ``\\frac{d}{dx}`` and the index past
    it (it applies to the rest of its term, as ``\\frac{d}{dx}`` does), else None."""
    d = tokens[pos]
    if pos > 0 and tokens[pos - 1].kind == "letter" and tokens[pos - 1].column == d.column - 1:
        return None
    if not (tokens[pos + 1].is_("/") and _is_d(tokens[pos + 2]) and tokens[pos + 2].text == d.text):
        return None
    var_end = _name_end(tokens, pos + 3, applied=False)
    if var_end is None or tokens[var_end].is_("'", "^", "/"):
        return None
    col = d.column
    frac = [Token("cmd", r"\frac", col), Token("punct", "{", col), d, Token("punct", "}", col),
            Token("punct", "{", col), *tokens[pos + 2 : var_end], Token("punct", "}", col)]
    return frac, var_end


def _over(tokens: list[Token]) -> list[Token] | None:
    """``{a \\over b}`` as ``\\frac{a}{b}`` (the innermost group first); None when no ``\\over`` is left."""
    at = next((n for n, t in enumerate(tokens) if t.is_(r"\over") and t.kind == "cmd"), None)
    if at is None:
        return None
    depth, left = 0, -1
    for pos in range(at - 1, -1, -1):
        if tokens[pos].is_("}"):
            depth += 1
        elif tokens[pos].is_("{"):
            if depth == 0:
                left = pos
                break
            depth -= 1
    depth, right = 0, len(tokens) - 1  # the end token, when \over is at the top level
    for pos in range(at + 1, len(tokens)):
        if tokens[pos].is_("{"):
            depth += 1
        elif tokens[pos].is_("}") or tokens[pos].kind == "end":
            if depth == 0:
                right = pos
                break
            depth -= 1
    col = tokens[at].column
    if (left < 0) != (tokens[right].kind == "end"):
        return [*tokens[:at], Token("punct", "/", col), *tokens[at + 1 :]]  # unbalanced: a plain division
    inner = [Token("cmd", r"\frac", col), Token("punct", "{", col), *tokens[left + 1 : at],
             Token("punct", "}", col), Token("punct", "{", col), *tokens[at + 1 : right], Token("punct", "}", col)]
    if left < 0:
        return [*inner, *tokens[right:]]
    return [*tokens[:left], Token("punct", "{", col), *inner, Token("punct", "}", col), *tokens[right + 1 :]]


def _delta_fraction(tokens: list[Token], pos: int) -> bool:
    """Whether ``\\frac`` at ``pos`` is ``\\frac{\\delta X}{\\delta v}`` with v one variable."""
    if not (tokens[pos + 1].is_("{") and tokens[pos + 2].is_(r"\delta")):
        return False
    mid = _group_end(tokens, pos + 1)
    if mid is None or not (tokens[mid].is_("{") and tokens[mid + 1].is_(r"\delta")) or mid == pos + 3:
        return False
    var_end = _name_end(tokens, mid + 2, applied=False)
    return var_end is not None and tokens[var_end].is_("}")


def _starts_factor(cmd: str) -> bool:
    from backprop_derive.verify.latex.constructs import (
        starts_primary,  # the parser's own table (constructs imports the parser)
    )

    return starts_primary(cmd)


def _base_before(out: list[Token]) -> Token | None:
    """The letter a factor ending at ``out[-1]`` is built on (``W`` of ``W^{[l]}``, ``G`` of ``G(x)``), if any."""
    pos = len(out) - 1
    while pos >= 0:
        tok = out[pos]
        if tok.kind == "punct" and tok.text in _CLOSE:
            depth = 0
            while pos >= 0:
                depth += out[pos].is_(*_CLOSE) - out[pos].is_(*_OPEN)
                if depth == 0:
                    break
                pos -= 1
            pos -= 1
        elif tok.is_("^", "_", "'"):
            pos -= 1
        else:
            return tok if tok.kind == "letter" else None
    return None


def rewrite(tokens: list[Token], note) -> list[Token]:
    """``tokens`` with the plain forms of the module written as the LaTeX the parser reads; ``note(text)``
    records each kind of rewrite made."""
    for _ in range(100):  # each pass removes one \over
        done = _over(tokens)
        if done is None:
            break
        note("'\\over' read as a fraction")
        tokens = done
    out: list[Token] = []
    pos = 0
    factor_end = {")", "}", "]", "'"}
    while pos < len(tokens):
        tok = tokens[pos]
        if _is_d(tok):
            found = _slash_derivative(tokens, pos) or _slash_operator(tokens, pos)
            if found is not None:
                frac, pos = found
                note(f"{tok.text}…/{tok.text}… read as a derivative")
                out.extend(frac)
                continue
        if tok.is_(r"\frac") and _delta_fraction(tokens, pos):
            note("\\frac{\\delta …}{\\delta …} read as a derivative (δ for d)")
            mid = _group_end(tokens, pos + 1)
            tokens = [*tokens[: pos + 2], Token("letter", "d", tokens[pos + 2].column), *tokens[pos + 3 : mid + 1],
                      Token("letter", "d", tokens[mid + 1].column), *tokens[mid + 2 :]]
        if tok.is_(".") and tok.kind == "punct" and out and (out[-1].kind in ("letter", "number")
                                                               or out[-1].text in factor_end) \
                and (tokens[pos + 1].kind in ("letter", "word") or tokens[pos + 1].is_("(", "{")
                     or (tokens[pos + 1].kind == "cmd" and _starts_factor(tokens[pos + 1].text))):
            for name in (_base_before(out), tokens[pos + 1]):
                if name is not None and name.kind == "letter" and name.text.isupper():
                    raise LatexError(f"'.' beside {name.text}, a matrix by the convention Z = AW + b: a matrix "
                                     "product, which verify does not read (symbols are scalars); write \\cdot for a "
                                     "product of numbers", tok.column)
            note("'.' between two factors read as a product")
            out.append(Token("cmd", r"\cdot", tok.column))
            pos += 1
            continue
        out.append(tok)
        pos += 1
    return out
