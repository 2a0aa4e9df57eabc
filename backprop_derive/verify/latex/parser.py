r"""A reader of our own for the LaTeX that people write in backprop derivations.

It turns one side of an equation into a SymPy expression, building SymPy objects directly from
tokens -- input text is never handed to ``sympify``, ``parse_expr`` or ``eval``.  The grammar
(recursive descent, one method per rule)::

    expr    := [+|-] term {(+|-) term}
    term    := unary {[\cdot|\times|*|/] factor}       implicit product when a factor follows
    unary   := -unary | +unary | power
    power   := primary {^ script}
    primary := number | symbol[_script] | (expr) | [expr] | {expr} | \{expr\} | |expr|
             | \frac{a}{b} | \sqrt[n]{a} | function['..][^script] argument | cases | operator
    operator:= \frac{d}{dx} | \frac{\partial^2}{\partial x \partial y} | \sum_{i=1}^{K} | \prod_{i=1}^{K}

An *operator* applies to the rest of its term: ``\frac{d}{dx} x^2 \sigma(x) + 1`` is
``d/dx (x^2 σ(x)) + 1``.  Symbols are real; a letter subscript makes an element of a vector
(``z_i`` is ``z[i]`` with ``i`` a positive integer; ``z_{1}`` and ``z_1`` are the same ``z[1]``);
``\hat{y}_i`` is ``yhat[i]``.  Sizes are bounded: nesting, exponents and numbers too large to
build are errors, not hangs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import sympy as sp

from backprop_derive.verify.latex import names, plain
from backprop_derive.verify.latex.tokens import LatexError, Token, tokenize

MAX_DEPTH = 40
MAX_EXPONENT = 1000
MAX_DIGITS_BUILT = 10_000
MAX_FINITE_TERMS = 1000


#: The variable of a prime on a defined name (``y'`` with ``y = \sigma(x)``): replaced by the one
#: variable of the definition once it is put in.
PRIME = sp.Symbol("′", real=True)
#: The variable of ``f'`` written without an argument, and of every ``f`` beside it (the product rule
#: ``(f g)' = f' g + f g'``): one unnamed variable for the whole step.
IMPLICIT = sp.Symbol("ν", real=True)
#: The index of ``\sum t_i`` written without one: replaced, once the side is read, by the one index of the
#: summand written nowhere else (:func:`implied_indices`).
IMPLIED = sp.Symbol("?", integer=True, positive=True)


@dataclass(frozen=True)
class Readings:
    r"""How a name directly before ``(`` is read, as a document declares it.

    ``functions`` (``% function: v``): ``v(x)`` is the unknown function v applied to x.
    ``symbols`` (``% symbol: v``): ``v(x)`` is the product :math:`v \cdot x`.
    An undeclared name before ``(`` is read as a function (:class:`Context` records it, so that the
    step can weigh the product reading too: :func:`backprop_derive.verify.decide.decide_step`).
    """

    functions: frozenset[str] = frozenset()
    symbols: frozenset[str] = frozenset()
    #: The other reading of notation that can be read two ways (``\sin x y``, ``2\frac12``, ``a^L``).
    alternate: bool = False
    #: Names the document defines (``L``, ``S`` of ``S_i``, ``f`` of ``f(x)``): their derivatives and
    #: primes are read, to be worked out through the definition (:mod:`backprop_derive.verify.definitions`).
    defined: frozenset[str] = frozenset()
    #: Names whose square is a variable of its own (``\sigma^2``, ``\sigma^2_B``): the document
    #: differentiates by it (``\partial \sigma^2``) or defines it.  Then every ``\sigma^2`` is the
    #: one symbol ``sigma^2``, and σ standing alone is an error (:func:`square_names`).
    squares: frozenset[str] = frozenset()
    #: Read the derivative of every name, defined or not (to find what a document differentiates:
    #: :mod:`backprop_derive.verify.upstream`); never used to judge a step.
    any_name: bool = False
    #: ``dy_i`` is ``\partial L/\partial y_i`` where the document says so ("dy is the upstream gradient
    #: ∂L/∂y"): the name L (:func:`backprop_derive.verify.upstream.gradient_notation`); None otherwise.
    gradient_of: str | None = None
    #: ``\text{gradInput}_i`` is :math:`\partial L/\partial x_i` where the prose names the word so ("we name
    #: gradInput the gradient w.r.t. input", :func:`backprop_derive.verify.prose.named_gradients`): (word, L, x) each.
    gradient_words: tuple[tuple[str, str, str], ...] = ()
    #: ``f``, ``g`` (:data:`~backprop_derive.verify.latex.names.UNKNOWN_FUNCTIONS`) without argument are functions of
    #: :data:`IMPLICIT`: the side holds ``f'`` without one (``(f g)' = f' g + f g'``), see :func:`read`.
    implicit: bool = False
    #: Names the document differentiates by (``z`` of :math:`d/dz`): independent variables, held where a
    #: derivative is by another (:func:`backprop_derive.verify.latex.constructs._held_constant`).
    variables: frozenset[str] = frozenset()


@dataclass
class Context:
    """What one reading found out, shared by a parser and its sub-parsers.

    ``heads``: undeclared names read as functions because ``(`` followed them; ``bare``: names that
    also stand alone; ``primed``: names with a prime; ``notes``: readings to show the user.
    """

    readings: Readings = field(default_factory=Readings)
    heads: set[str] = field(default_factory=set)
    bare: set[str] = field(default_factory=set)
    primed: set[str] = field(default_factory=set)
    notes: dict[str, None] = field(default_factory=dict)
    ambiguous: dict[str, None] = field(default_factory=dict)
    #: A prime on ``f`` without an argument was read (:attr:`Readings.implicit`).
    implicit: bool = False
    #: The indices that ``\sum`` written without one was read to run over (:func:`implied_indices`).
    implied: set[str] = field(default_factory=set)

    def note(self, text: str) -> None:
        self.notes[text] = None

    def ambiguity(self, text: str) -> None:
        """Notation with two plausible readings (:attr:`Readings.alternate` takes the second)."""
        self.ambiguous[text] = None


@dataclass(frozen=True)
class Operator:
    """A prefix that applies to the rest of its term (a derivative, a sum)."""

    apply: Callable[[sp.Expr, int], sp.Expr]
    what: str
    column: int


def merge_words(tokens: list[Token]) -> list[Token]:
    r"""Fold ``\text{…}``-like groups into ``word`` tokens and ``\begin{env}`` into one command.

    ``\mathrm{d}``/``\mathrm{e}`` become the letters d and e; font commands are dropped with their
    braces around a single letter (``\mathbf{z}`` is ``z``).
    """
    out: list[Token] = []
    pos = 0
    while pos < len(tokens):
        tok = tokens[pos]
        wants_word = tok.text in names.WORD_COMMANDS or tok.text in (r"\begin", r"\end")
        if tok.kind == "cmd" and wants_word:
            if not tokens[pos + 1].is_("{"):
                raise LatexError(f"{tok.text} needs a braced argument", tok.column)
            close = pos + 2
            while not tokens[close].is_("}"):
                if tokens[close].kind == "end" or tokens[close].is_("{"):
                    raise LatexError(f"{tok.text}{{…}} is not closed by a simple '}}'", tok.column)
                close += 1
            word = "".join(t.text for t in tokens[pos + 2 : close])
            condition = _condition_in_text(tokens[pos + 2 : close]) if tok.text in names.TEXT_COMMANDS else None
            if condition is not None:  # \text{if z < 0}: the word, then the condition as math
                out.append(Token("word", condition[0], tok.column))
                out.extend(condition[1])
            elif tok.text in (r"\begin", r"\end"):
                out.append(Token("cmd", f"{tok.text}{{{word}}}", tok.column))
            elif tok.text == r"\mathrm" and word in ("d", "e"):
                out.append(Token("letter", word, tok.column))
            else:
                out.append(Token("word", word, tok.column))
            pos = close + 1
        elif tok.kind == "cmd" and tok.text in (r"\color", r"\textcolor") and tokens[pos + 1].is_("{"):
            close = pos + 2  # \color{red}: how it looks; the colour's name is dropped, the math kept
            while not tokens[close].is_("}") and tokens[close].kind != "end":
                close += 1
            pos = close + 1
        elif tok.kind == "cmd" and tok.text in (r"\underbrace", r"\overbrace") and tokens[pos + 1].is_("{"):
            depth, close = 0, pos + 1  # \underbrace{x}_{\text{note}}: the x; the note is dropped
            while True:
                depth += tokens[close].is_("{") - tokens[close].is_("}")
                if depth == 0 or tokens[close].kind == "end":
                    break
                close += 1
            out.extend(tokens[pos + 1 : close + 1])
            pos = close + 1
            if tokens[pos].is_("_", "^") and tokens[pos + 1].is_("{"):
                depth, skip = 0, pos + 1
                while True:
                    depth += tokens[skip].is_("{") - tokens[skip].is_("}")
                    if depth == 0 or tokens[skip].kind == "end":
                        break
                    skip += 1
                pos = skip + 1
        elif tok.kind == "cmd" and tok.text in names.FONTS:
            pos += 1
            if tokens[pos].is_("{") and tokens[pos + 2].is_("}") and tokens[pos + 1].kind in ("letter", "cmd"):
                out.append(tokens[pos + 1])
                pos += 3
        else:
            out.append(tok)
            pos += 1
    return out


_CONDITION_WORDS = ("if", "for", "when")
_RELATION_SIGNS = frozenset(["<", ">", "=", r"\le", r"\leq", r"\ge", r"\geq", r"\ne", r"\neq", r"\lt", r"\gt"])


def _condition_in_text(group: list[Token]) -> tuple[str, list[Token]] | None:
    r"""``\text{if z < 0}``: the word ``if`` and the tokens of ``z < 0``, where the text is one of the words
    if/for/when, a space, and a relation between letters and numbers; else None (prose stays a word)."""
    run = 0
    while run < len(group) and group[run].kind == "letter" and group[run].column == group[0].column + run:
        run += 1
    word = "".join(t.text for t in group[:run])
    rest = group[run:]
    if word.lower() not in _CONDITION_WORDS or not rest or rest[0].column == group[run - 1].column + 1:
        return None
    if not any(t.text in _RELATION_SIGNS for t in rest):
        return None
    plain = all(t.kind in ("letter", "number") or t.text in _RELATION_SIGNS or t.is_("+", "-") for t in rest)
    return (word, rest) if plain else None


def parse_expression(text: str, readings: Readings | None = None) -> sp.Expr:
    """The SymPy expression ``text`` means; :class:`LatexError` with a column otherwise."""
    return read(text, readings)[0]


def read(text: str, readings: Readings | None = None, context: Context | None = None) -> tuple[sp.Expr, Context]:
    """``text`` read into SymPy, and what the reading found out (:class:`Context`).

    A name read as a function before ``(`` that also stands alone (``x(1-x)``) is a factor: the
    text is read again with it declared a symbol.
    """
    expr, found = _read_once(text, readings or Readings(), context)
    if found.implicit and context is None and not (readings or Readings()).implicit:
        expr, found = _read_once(text, replace(readings or Readings(), implicit=True), None)
    both = found.heads & found.bare
    if both and context is None:
        readings = readings or Readings()
        expr, found = _read_once(text, replace(readings, symbols=readings.symbols | both), None)
        found.bare |= both
    return expr, found


def _read_once(text: str, readings: Readings, context: Context | None) -> tuple[sp.Expr, Context]:
    tokens = merge_words(tokenize(text))
    if tokens[0].kind == "end":
        raise LatexError("empty expression", 1)
    context = context or Context(readings)
    tokens = plain.rewrite(tokens, context.note)
    parser = Parser(tokens, context=context)
    try:
        expr = parser.parse_all()
    except LatexError:
        raise
    except RecursionError:
        raise LatexError("nested too deeply", parser.peek().column) from None
    except (TypeError, ValueError, AttributeError, IndexError, ArithmeticError, sp.SympifyError) as err:
        raise LatexError(f"cannot build this expression ({type(err).__name__}: {err})", parser.peek().column) from None
    if not isinstance(expr, sp.Expr):
        raise LatexError("not an expression", 1)
    expr = implied_indices(expr, context)
    bounded = expr.replace(lambda e: isinstance(e, sp.Integral), lambda e: e.function)  # its bounds may be ±∞
    if bounded.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise LatexError("the expression is undefined (division by zero?)", 1)
    alone = sorted(n for n in readings.squares if _stands_alone(expr, n))
    if alone:
        raise LatexError(f"{alone[0]} stands alone, while {alone[0]}^2 is a variable of its own in this document "
                         f"(it is differentiated by or defined): write {alone[0]}^2", 1)
    return expr, context


def written_indices(expr: sp.Expr) -> set[sp.Symbol]:
    """The letters written as subscripts in ``expr`` (``i`` of ``z_i``, ``k`` of ``W_{k,i+1}``)."""
    return {s for node in expr.atoms(sp.Indexed) for i in node.indices for s in i.free_symbols if s is not IMPLIED}


def implied_indices(expr: sp.Expr, context: Context) -> sp.Expr:
    r"""Each ``\sum`` written without an index (``\sum t_i \log y_i``, ``\frac{e^{x_i}}{\sum e^{x_d}}``) as the sum
    over the one index of its summand that is written nowhere else in the side (the summands of the other sums
    without an index aside), innermost first; none, or more than one, is an error: the reader does not guess which
    index runs."""
    while True:
        inner = next((s for s in expr.atoms(sp.Sum) if any(limit[0] is IMPLIED for limit in s.limits)
                      and not any(t.has(IMPLIED) for t in s.function.atoms(sp.Sum))), None)
        if inner is None:
            return expr
        at = next(n for n, limit in enumerate(inner.limits) if limit[0] is IMPLIED)  # SymPy nests as more limits
        inside = {limit[0] for limit in inner.limits[:at]}
        enclosing = {limit[0] for limit in inner.limits[at + 1 :]} | {
            s.limits[0][0] for s in expr.atoms(sp.Sum, sp.Product) if s.function.has(inner)}  # \sum_i \sum x_{ij}
        # a sum beside this one binds its own index (written or still to be found): what only it binds is not
        # written outside (\frac{\sum e^{x_d} e^{x_i} - …}{(\sum e^{x_d})^2}: each sum runs over d)
        beside = [s for s in expr.atoms(sp.Sum, sp.Product) if s != inner and not s.has(inner)]
        outside = written_indices(expr.xreplace({inner: sp.Dummy(), **{s: sp.Dummy() for s in beside}})) | enclosing
        for other in beside:
            bound = {limit[0] for limit in other.limits}
            if IMPLIED not in bound:  # one still to be found may bind any index of its summand
                outside |= written_indices(other.function) - bound
        runs = sorted(written_indices(inner.function) - inside - outside, key=str)
        if len(runs) != 1:
            which = "no index" if not runs else "the indices " + ", ".join(map(str, runs))
            raise LatexError(f"\\sum without an index, and its summand has {which} written nowhere else: write "
                             f"\\sum_i", 1)
        (index,) = runs
        context.note(f"\\sum without an index read as the sum over {index}, the one index of its summand written "
                     "nowhere else")
        context.implied.add(index.name)
        limits = list(inner.limits)
        limits[at] = (index, *limits[at][1:])
        expr = expr.xreplace({inner: sp.Sum(inner.function, *limits)})


def _stands_alone(expr: sp.Expr, name: str) -> bool:
    symbols = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return name in symbols or any(str(n.base.label) == name for n in expr.atoms(sp.Indexed))


#: ``\partial \sigma^2`` (also ``^{2}``, and ``\sigma_B^2``): the square is the variable.
_BY_SQUARE = re.compile(r"\\partial\s*(\\[A-Za-z]+|[A-Za-z])\s*(?:_\s*(?:\{[^{}]*\}|\w)\s*)?\^\s*(?:2|\{\s*2\s*\})")
#: A left side that is a square (``\sigma^2``, ``\sigma^2_B``, ``\sigma_B^2``).
_SQUARE = re.compile(r"^\s*(\\[A-Za-z]+|[A-Za-z])\s*(?:_\s*(?:\{[^{}]*\}|\w)\s*)?\^\s*(?:2|\{\s*2\s*\})"
                     r"\s*(?:_\s*(?:\{[^{}]*\}|\w))?\s*$")


def _second_order(text: str, at: int) -> bool:
    """Whether the derivative whose denominator holds ``text[at:]`` has an order (``\\partial^2 f``)."""
    opened = text.rfind("\\frac", 0, at)
    return re.search(r"(?:\\partial|\bd)\s*\^", text[opened if opened >= 0 else 0 : at]) is not None


def square_names(texts, definitions=()) -> frozenset[str]:
    r"""The names whose square is a variable of its own (:attr:`Readings.squares`).

    A first-order derivative by ``\sigma^2`` (``\frac{\partial f}{\partial \sigma^2}``) takes the
    variance σ² as its variable; a definition ``(lhs, rhs)`` with ``lhs`` ``\sigma^2 = …`` names it, when
    σ is not written in ``rhs`` (``\sigma^2 = \sigma(x)^2`` is a claim about the function σ).  Reading
    every σ² of such a step as the one symbol ``sigma^2`` is then the only consistent reading (σ itself
    never occurs).
    """
    found = {m.group(1).lstrip("\\") for text in texts for m in _BY_SQUARE.finditer(text)
             if not _second_order(text, m.start())}
    for lhs, rhs in definitions:
        m = _SQUARE.match(lhs)
        if m and re.search(re.escape(m.group(1)) + r"(?![A-Za-z])", rhs) is None:
            found.add(m.group(1).lstrip("\\"))
    return frozenset(found)


def read_unevaluated(text: str, readings: Readings | None = None) -> sp.Expr | None:
    """``text`` as written, before SymPy's automatic simplification (``evaluate=False``), for the echo;
    None where a construct cannot be built unevaluated."""
    try:
        with sp.evaluate(False):
            return read(text, readings)[0]
    except (LatexError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError, RecursionError):
        return None


def _number(text: str) -> sp.Rational:
    whole, _, frac = text.partition(".")
    return sp.Rational(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac))


class Parser:
    """Recursive descent over a token list (see the module docstring for the grammar)."""

    def __init__(self, tokens: list[Token], depth: int = 0, context: Context | None = None):
        self.tokens, self.pos, self.depth, self.in_abs = tokens, 0, depth, 0
        #: The closing commands of the delimited constructs open here (``\|`` of ``\|x\|``): none starts a factor.
        self.closers: list[str] = []
        self.context = context or Context()
        from backprop_derive.verify.latex import constructs

        self.constructs = constructs

    # ---------------------------------------------------------------- token helpers
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.peek()
        self.pos += 1
        return tok

    def expect(self, text: str, opened: Token | None = None) -> Token:
        tok = self.peek()
        if not tok.is_(text):
            where = f" to close {opened.text!r} at column {opened.column}" if opened else ""
            raise LatexError(f"expected {text!r}{where}, found {describe(tok)}", tok.column)
        return self.take()

    def error(self, message: str, tok: Token | None = None) -> LatexError:
        return LatexError(message, (tok or self.peek()).column)

    def sub(self, tokens: list[Token]) -> Parser:
        """A parser for a group's tokens, one level deeper."""
        if self.depth + 1 > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep", tokens[0] if tokens else None)
        end = Token("end", "", (tokens[-1].column + len(tokens[-1].text)) if tokens else self.peek().column)
        return Parser([*tokens, end], self.depth + 1, self.context)

    def argument(self) -> list[Token]:
        """A TeX argument: a braced group's tokens, or one token (``\\frac12``, ``x^2``)."""
        tok = self.peek()
        if tok.is_("{"):
            start = self.pos + 1
            depth = 0
            while True:
                t = self.take()
                if t.kind == "end":
                    raise LatexError("'{' is never closed", tok.column)
                depth += t.is_("{") - t.is_("}")
                if depth == 0:
                    return self.tokens[start : self.pos - 1]
        if tok.kind == "end" or tok.is_("}", ")", "]", "^", "_", "=", "&", ","):
            raise self.error(f"expected an argument, found {describe(tok)}")
        self.take()
        if tok.kind == "number" and len(tok.text) > 1:  # x^23 is x^2 * 3 in TeX
            self.pos -= 1
            self.tokens[self.pos] = Token("number", tok.text[1:], tok.column + 1)
            return [Token("number", tok.text[0], tok.column)]
        return [tok]

    def parse_all(self) -> sp.Expr:
        result = self.expr()
        if self.peek().kind != "end":
            raise self.error(f"unexpected {describe(self.peek())}")
        return result

    # ---------------------------------------------------------------- grammar rules
    def expr(self) -> sp.Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep")
        try:
            terms = [self.term()]
            dots = None
            while self.peek().is_("+", "-"):
                sign = self.take().text
                if self.peek().is_(*_DOTS) and sign == "+" and dots is None and self.peek(1).is_("+"):
                    dots = (len(terms), self.take())  # a_1 + \dots + a_n
                    self.take()
                term = self.term()
                terms.append(term if sign == "+" else -term)
            if dots is not None:
                return elided_sum(terms, *dots)
            return sp.Add(*terms) if len(terms) > 1 else terms[0]
        finally:
            self.depth -= 1

    def term(self) -> sp.Expr:
        product = self.apply_if_operator(self.unary())
        while True:
            tok = self.peek()
            if tok.is_(r"\cdot", r"\times", "*", r"\ast"):
                self.take()
                product = product * self.apply_if_operator(self.unary())
            elif tok.is_("/", r"\div"):
                self.take()
                product = product / self.apply_if_operator(self.unary())
            elif self.starts_factor(tok):
                product = product * self.apply_if_operator(self.power())
            else:
                return product

    def apply_if_operator(self, factor):
        if not isinstance(factor, Operator):
            return factor
        if not self.starts_factor(self.peek()) and not self.peek().is_("-", "+"):
            raise LatexError(f"{factor.what} is applied to nothing", factor.column)
        return factor.apply(self.term(), factor.column)

    def unary(self):
        tok = self.peek()
        if tok.is_("-", "+"):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error(f"more than {MAX_DEPTH} signs in a row", tok)
            try:
                inner = self.unary()
            finally:
                self.depth -= 1
            if isinstance(inner, Operator):
                if tok.text == "+":
                    return inner
                return Operator(lambda e, col, op=inner: -op.apply(e, col), inner.what, inner.column)
            return -inner if tok.text == "-" else inner
        return self.power()

    def power(self):
        base = self.primary()
        if self.peek().is_("'") and isinstance(base, sp.Expr):
            base = self.postfix_prime(base)
        raised = False
        while self.peek().is_("^"):
            caret = self.take()
            if isinstance(base, Operator):
                raise self.error(f"a power of the operator {base.what}", caret)
            if raised:
                raise self.error("a double superscript (TeX refuses x^2^3): write {x^2}^3 or x^{2^3}", caret)
            base = self.constructs.raise_to(self, base, caret)
            raised = True
        return base

    def postfix_prime(self, base: sp.Expr) -> sp.Expr:
        r"""``(\tanh z)'``, ``\sigma(x)'``: the derivative of ``base`` by its one variable.

        ``(\tanh z)'`` is by z also where z is defined (z = wx + b): the author differentiates by what is
        written.  A defined name alone, ``(y)'``, is by the variable of its definition, put in later
        (:data:`PRIME`); an expression of several variables, or of none, takes no prime.
        """
        tok = self.peek()
        primes = 0
        while self.peek().is_("'"):
            self.take()
            primes += 1
        variables = [s for s in base.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer]
        if variables and all(v.name in names.UNKNOWN_FUNCTIONS for v in variables):
            self.context.implicit = True  # (f \cdot g)': of f and g, functions of one unnamed variable
            base = base.xreplace({v: sp.Function(v.name, real=True)(IMPLICIT) for v in variables})
            variables = [IMPLICIT]
        if len(variables) != 1 or base.atoms(sp.Indexed):
            raise self.error("a prime on an expression of several variables (or none): write d/dx of it", tok)
        if base == variables[0] and variables[0].name in self.context.readings.defined:
            return sp.Derivative(base, (PRIME, primes))  # (y)' with y defined: by the variable of its definition
        self.context.note("a prime after an expression read as its derivative by its one variable")
        with sp.evaluate(True):
            return sp.diff(base, variables[0], primes)

    def starts_factor(self, tok: Token) -> bool:
        if tok.kind in ("number", "letter", "word"):
            return True
        if tok.is_("|"):
            return self.in_abs == 0
        if self.closers and tok.is_(self.closers[-1]):
            return False
        if tok.kind == "punct":
            return tok.text in "([{"
        return tok.kind == "cmd" and self.constructs.starts_primary(tok.text)

    def primary(self):
        tok = self.peek()
        if tok.kind == "number":
            self.take()
            if self.peek().is_(r"\frac") and "." not in tok.text:  # 2\frac{1}{2}: 2·½, or the mixed number 2½
                self.context.ambiguity(f"{tok.text}\\frac…: a product (TeX), or a mixed number")
                if self.context.readings.alternate:
                    return _number(tok.text) + self.constructs.named(self, self.peek())
            return _number(tok.text)
        if tok.is_("(", "[", "{", r"\{"):
            self.take()
            closer = {"(": ")", "[": "]", "{": "}", r"\{": r"\}"}[tok.text]
            inner = self.group_until(closer, tok)
            if inner is None:
                raise self.error("a tuple or list (','-separated) is not an expression", tok)
            if tok.is_("{") and isinstance(inner, sp.Symbol) and self.peek().is_("_"):  # {z}_{i} is z_i
                return self.constructs._with_subscript(self, inner.name, tok)
            return inner
        if tok.is_("|"):
            self.take()
            self.in_abs += 1
            inner = self.expr()
            self.in_abs -= 1
            self.expect("|", tok)
            return sp.Abs(inner)
        if tok.kind in ("letter", "word", "cmd"):
            return self.constructs.named(self, tok)
        if tok.kind == "end":
            raise self.error("expected an expression, found the end")
        raise self.error(f"expected an expression, found {describe(tok)}")

    def group_until(self, closer: str, opener: Token) -> sp.Expr | None:
        """The expression up to ``closer``; ``None`` if it is a comma-separated tuple."""
        saved = self.in_abs
        self.in_abs = 0
        inner = self.expr()
        self.in_abs = saved
        if self.peek().is_(","):
            return None
        self.expect(closer, opener)
        return inner

    def arguments(self, opener: Token) -> list[sp.Expr]:
        """``(a, b, …)`` after a function name, the ``(`` already taken."""
        closer = {"(": ")", "[": "]", "{": "}", r"\{": r"\}"}[opener.text]
        args = [self.expr()]
        while self.peek().is_(","):
            self.take()
            args.append(self.expr())
        self.expect(closer, opener)
        return args


#: The dots of an elided sum.
_DOTS = (r"\dots", r"\ldots", r"\cdots", r"\dotsb")


def elided_sum(terms: list[sp.Expr], at: int, dots: Token) -> sp.Expr:
    r""":math:`a_1 + \dots + a_n` (or :math:`a_1 + a_2 + \dots + a_n`) as :math:`\sum_{k=1}^{n} a_k`: the last term
    with one index n is the first with n set to a number c (and the second, if written, with n set to c + 1);
    the sum runs from c to n.  Exactly one such index and number, or an error: the reader does not guess
    the pattern of a sum it does not see."""
    before, after = terms[:at], terms[at:]
    if len(after) != 1 or len(before) not in (1, 2):
        raise LatexError("an elided sum a_1 + \\dots + a_n needs one or two terms before the dots and one after",
                         dots.column)
    last = after[0]
    numbers = {i for node in before[0].atoms(sp.Indexed) for i in node.indices if i.is_Integer}
    found = [(index, number) for index in sorted((s for s in last.free_symbols if s.is_integer), key=str)
             for number in sorted(numbers) if last.xreplace({index: number}) == before[0]
             and (len(before) == 1 or last.xreplace({index: number + 1}) == before[1])]
    if len(found) != 1:
        raise LatexError("an elided sum whose terms do not differ in one index from a number to a letter "
                         "(a_1 + \\dots + a_n): write it with \\sum", dots.column)
    (index, number), = found
    k = sp.Dummy("k", integer=True, positive=True)
    return sp.Sum(last.xreplace({index: k}), (k, number, index))


def describe(tok: Token) -> str:
    if tok.kind == "end":
        return "the end"
    if tok.kind == "word":
        return f"'{tok.text}'"
    return repr(tok.text)


def exponent_digits(base: sp.Expr, exponent: sp.Expr) -> float:
    """How many decimal digits ``base**exponent`` has, for numbers (0 when cheap or symbolic)."""
    if not (base.is_Rational and exponent.is_Integer) or base == 0:
        return 0.0
    magnitude = max(abs(math.log10(abs(base.p))), abs(math.log10(abs(base.q))))
    return magnitude * abs(int(exponent))
