r"""A reader of matrix expressions, on the tokens of :mod:`backprop_derive.verify.latex.tokens` (text is never
evaluated).

The grammar (recursive descent)::

    expr     := [+|-] hadamard {(+|-) hadamard}
    hadamard := product {(\odot|\circ) product}
    product  := unary {[\cdot|\times|*|/] unary}        juxtaposition is the matrix product
    unary    := -unary | postfix
    postfix  := primary {^T | ^\top | ^{\mathsf{T}} | ^{\intercal} | ^number | _{ij}}
    primary  := number | name | (expr) | \frac{a}{b} | \frac{\partial L}{\partial W} | f(expr) | f'(expr)
              | \mathbf{1} | \mathbf{1}_n | \mathbb{1}[Z > 0] | I | \operatorname{softmax}(Z)
              | \operatorname{diag}(v) | \operatorname{tr}(A) | bmatrix/pmatrix | \sum_{i=1}^{n} term

Names are matrices, vectors or scalars: ``W_3``, ``W_{3}``, ``\hat{Y}``, ``\delta_3``, ``A^{[2]}``,
``b^{(l)}`` (a bracketed or parenthesised superscript is a layer label, not a power).  A subscript
of index letters on a known name is an entry (``W_{ij}``, ``b_j``), as is ``(A^T\delta)_{ij}``.
An elementwise function is any the scalar reader knows (``\sigma``, ``\tanh``, ``\operatorname{ReLU}``,
the catalog's activations); a prime is its derivative (``\operatorname{ReLU}'(Z)``, ``\sigma'(Z)``).
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.verify.latex import names as latex_names
from backprop_derive.verify.latex.parser import merge_words
from backprop_derive.verify.latex.tokens import LatexError, Token, tokenize
from backprop_derive.verify.matrix import nodes as nd

_TRANSPOSE = frozenset(["T", r"\top", r"\intercal", r"\mathsf{T}", r"\mathrm{T}", r"\mathsf", "⊤"])
_ONES_FONTS = frozenset([r"\mathbf", r"\mathbb", r"\boldsymbol", r"\bm"])
_MATRIX_ENVS = ("bmatrix", "pmatrix", "matrix", "Bmatrix", "vmatrix")
_PRODUCT = frozenset([r"\cdot", r"\times", "*", "."])
_HADAMARD = frozenset([r"\odot", r"\circ"])
#: Functions read by name, besides the scalar reader's elementwise ones.
_SPECIAL = {"softmax": nd.Softmax, "diag": nd.Diag, "tr": nd.Trace, "trace": nd.Trace, "Tr": nd.Trace}
_LABEL_OPENERS = ("[", "(")


def _mark_ones(tokens: list[Token]) -> list[Token]:
    r"""``\mathbf{1}``, ``\mathbb{1}`` as one token ``\ones`` (the font pass would make them the number 1)."""
    out, pos = [], 0
    while pos < len(tokens):
        tok = tokens[pos]
        if tok.kind == "cmd" and tok.text in _ONES_FONTS and tokens[pos + 1].is_("{") \
                and tokens[pos + 2].text == "1" and tokens[pos + 3].is_("}"):
            out.append(Token("cmd", r"\ones", tok.column))
            pos += 4
        elif tok.kind == "cmd" and tok.text in (r"\mathsf", r"\mathrm") and tokens[pos + 1].is_("{") \
                and tokens[pos + 2].text in ("T", "t") and tokens[pos + 3].is_("}"):
            out.append(Token("letter", "T", tok.column))
            pos += 4
        else:
            out.append(tok)
            pos += 1
    return out


def tokens_of(text: str) -> list[Token]:
    return merge_words(_mark_ones(tokenize(text)))


def read_matrix(text: str, known: frozenset[str] = frozenset()) -> nd.Node:
    """The matrix expression ``text`` means; ``known`` are the declared and defined names (for entries)."""
    tokens = tokens_of(text)
    if tokens[0].kind == "end":
        raise LatexError("empty expression", 1)
    parser = _Parser(tokens, known)
    try:
        node = parser.expr()
    except RecursionError:
        raise LatexError("nested too deeply", parser.peek().column) from None
    if parser.peek().kind != "end":
        raise LatexError(f"unexpected {parser.peek().text!r}", parser.peek().column)
    return node


def name_key(text: str) -> str | None:
    """The key of a bare name (``W_{3}`` gives ``W_3``), or None when ``text`` is not a bare name."""
    try:
        node = read_matrix(text)
    except LatexError:
        return None
    return node.key if isinstance(node, nd.Name) else None


class _Parser:
    def __init__(self, tokens: list[Token], known: frozenset[str], depth: int = 0):
        self.tokens, self.pos, self.known, self.depth = tokens, 0, known, depth
        if depth > 40:
            raise LatexError("nested too deeply", tokens[0].column)

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.peek()
        self.pos += 1
        return tok

    def expect(self, text: str) -> Token:
        tok = self.take()
        if tok.text != text or tok.kind == "end":
            raise LatexError(f"expected {text!r}, found {tok.text or 'the end'!r}", tok.column)
        return tok

    def group(self) -> list[Token]:
        """The tokens of a braced group (without braces), or of a single token."""
        tok = self.take()
        if not tok.is_("{"):
            if tok.kind == "end":
                raise LatexError("an argument is missing", tok.column)
            return [tok]
        depth, start = 1, self.pos
        while depth:
            t = self.take()
            if t.kind == "end":
                raise LatexError("'{' is never closed", tok.column)
            depth += t.is_("{") - t.is_("}")
        return self.tokens[start : self.pos - 1]

    def sub(self, tokens: list[Token]) -> nd.Node:
        end = Token("end", "", tokens[-1].column + 1 if tokens else self.peek().column)
        parser = _Parser([*tokens, end], self.known, self.depth + 1)
        node = parser.expr()
        if parser.peek().kind != "end":
            raise LatexError(f"unexpected {parser.peek().text!r}", parser.peek().column)
        return node

    # ----------------------------------------------------------------- levels
    def expr(self) -> nd.Node:
        column = self.peek().column
        terms = []
        sign = 1
        if self.peek().is_("+", "-"):
            sign = -1 if self.take().text == "-" else 1
        terms.append((sign, self.hadamard()))
        while self.peek().is_("+", "-"):
            sign = -1 if self.take().text == "-" else 1
            terms.append((sign, self.hadamard()))
        if len(terms) == 1 and terms[0][0] == 1:
            return terms[0][1]
        return nd.Sum(column, tuple(terms))

    def hadamard(self) -> nd.Node:
        node = self.product()
        while self.peek().kind == "cmd" and self.peek().text in _HADAMARD:
            tok = self.take()
            node = nd.Hadamard(tok.column, node, self.product())
        return node

    def product(self) -> nd.Node:
        node = self.unary()
        while True:
            tok = self.peek()
            if tok.text in _PRODUCT and tok.kind != "end":
                self.take()
                node = nd.Product(tok.column, node, self.unary())
            elif tok.is_("/"):
                self.take()
                node = nd.Quotient(tok.column, node, self.unary())
            elif self.starts_primary(tok):
                node = nd.Product(tok.column, node, self.unary())
            else:
                return node

    def unary(self) -> nd.Node:
        tok = self.peek()
        if tok.is_("-"):
            self.take()
            return nd.Sum(tok.column, ((-1, self.unary()),))
        if tok.is_("+"):
            self.take()
            return self.unary()
        return self.postfix(self.primary())

    def starts_primary(self, tok: Token) -> bool:
        if tok.kind in ("letter", "number", "word"):
            return True
        if tok.kind == "cmd":
            return tok.text not in _PRODUCT | _HADAMARD and not tok.text.startswith(r"\end") \
                and tok.text not in ("\\\\", r"\}", r"\right")
        return tok.is_("(", "{")

    # ----------------------------------------------------------------- scripts
    def postfix(self, node: nd.Node) -> nd.Node:
        while True:
            tok = self.peek()
            if tok.is_("^"):
                self.take()
                node = self.superscript(node, self.group(), tok)
            elif tok.is_("'") and isinstance(node, nd.Name):
                raise LatexError(f"a prime on the matrix {node.key}: write the derivative it means", tok.column)
            elif tok.is_("_") and not isinstance(node, nd.Name):
                self.take()
                node = nd.Entry(tok.column, node, self.indices(self.group()))
            else:
                return node

    def superscript(self, node: nd.Node, group: list[Token], caret: Token) -> nd.Node:
        texts = [t.text for t in group]
        if len(group) == 1 and texts[0] in _TRANSPOSE:
            return nd.Transpose(caret.column, node)
        if len(group) == 1 and group[0].kind == "number":
            return nd.Power(caret.column, node, sp.Rational(group[0].text))
        if texts and texts[0] in _LABEL_OPENERS and isinstance(node, nd.Name):
            label, transpose = group, False
            if len(group) >= 2 and group[-2].is_("^") and group[-1].text in _TRANSPOSE:
                label, transpose = group[:-2], True
            named = nd.Name(node.column, f"{node.key}^{''.join(t.text for t in label)}")
            return nd.Transpose(caret.column, named) if transpose else named
        if len(group) == 1 and group[0].kind == "word" and isinstance(node, nd.Name):
            return nd.Name(node.column, f"{node.key}^{group[0].text}")
        if texts == ["-", "1"]:
            raise LatexError("a matrix inverse is not read", caret.column)
        raise LatexError(f"the superscript {''.join(texts)!r} is not a transpose, a power or a layer label",
                         caret.column)

    def indices(self, group: list[Token]) -> tuple[nd.Node, ...]:
        if any(t.is_(",") for t in group):
            parts, current = [], []
            for t in group:
                if t.is_(","):
                    parts.append(current)
                    current = []
                else:
                    current.append(t)
            return tuple(self.sub(p) for p in [*parts, current])
        if all(t.kind == "letter" for t in group):
            return tuple(nd.Index(t.column, t.text) for t in group)
        return (self.sub(group),)

    # ----------------------------------------------------------------- primaries
    def primary(self) -> nd.Node:
        tok = self.take()
        if tok.kind == "number":
            return nd.Number(tok.column, sp.Rational(tok.text))
        if tok.is_("(", "["):
            inner = self.expr()
            self.expect(")" if tok.text == "(" else "]")
            if self.peek().is_("_"):  # (W_3)_{jc}, (A^T\delta)_{ij}: an entry
                under = self.take()
                return nd.Entry(under.column, inner, self.indices(self.group()))
            return inner
        if tok.is_("{"):
            self.pos -= 1
            return self.sub(self.group())
        if tok.kind == "cmd":
            return self.command(tok)
        if tok.kind == "word":
            return self.function(tok.text, tok)
        if tok.kind == "letter":
            return self.name(tok.text, tok)
        raise LatexError(f"unexpected {tok.text or 'end'!r}", tok.column)

    def command(self, tok: Token) -> nd.Node:
        text = tok.text
        if text in (r"\frac", r"\dfrac", r"\tfrac"):
            return self.frac(tok)
        if text == r"\ones":
            return self.ones(tok)
        if text in (r"\sum",):
            return self.index_sum(tok)
        if text.startswith(r"\begin{"):
            return self.literal(tok, text[7:-1])
        if text == r"\partial":
            return self.slash_derivative(tok)
        if text == r"\mathbb" and [t.text for t in self.tokens[self.pos : self.pos + 4]] == ["{", "E", "}", "["]:
            self.pos += 3
            return nd.Statistic(tok.column, "mean", self.argument(tok))
        if text in latex_names.DECORATIONS:
            inner = self.group()
            if len(inner) != 1:
                raise LatexError(f"{text} of more than one letter", tok.column)
            return self.name(inner[0].text.lstrip("\\") + latex_names.DECORATIONS[text], tok)
        key = text.lstrip("\\")
        if key in latex_names.GREEK and not (key == "sigma" and self.peek().is_("(", "'")):
            return self.name(key, tok)
        if key in ("exp", "log", "ln", "tanh", "sigma", "sin", "cos", "sqrt") or key in _SPECIAL:
            return self.function(key, tok)
        raise LatexError(f"{text} is not read in a matrix expression", tok.column)

    def statistic(self, base: str, tok: Token) -> nd.Node | None:
        r"""``E[x]``, ``Var[x]`` (also ``Var(x)``) of a name not declared: the mean or variance of its entries;
        ``\sigma[x]`` is the name ``sigma[x]``, whose definition a reading supplies (:mod:`.infer`)."""
        ahead = [t.text for t in self.tokens[self.pos : self.pos + 3]]
        if base == "E" and ahead[:1] == ["["] and "E" not in self.known:
            return nd.Statistic(tok.column, "mean", self.argument(tok))
        if base == "V" and ahead[:2] == ["a", "r"] and ahead[2:] and ahead[2] in ("[", "(") and "V" not in self.known:
            self.pos += 2
            return nd.Statistic(tok.column, "var", self.argument(tok))
        if base == "sigma" and ahead[:1] == ["["] and "sigma" not in self.known:
            inner = self.argument(tok)
            if not isinstance(inner, nd.Name):
                raise LatexError("\\sigma[…] is read of one name only", tok.column)
            return nd.Name(tok.column, f"sigma[{inner.key}]")
        return None

    def name(self, base: str, tok: Token) -> nd.Node:
        statistic = self.statistic(base, tok)
        if statistic is not None:
            return statistic
        key = base
        if self.peek().is_("_"):
            self.take()
            group = self.group()
            sub = "".join(t.text.lstrip("\\") for t in group if not t.is_("{", "}"))
            if all(t.kind == "letter" for t in group) and f"{base}_{sub}" not in self.known and base in self.known:
                return nd.Entry(tok.column, nd.Name(tok.column, base), tuple(nd.Index(t.column, t.text) for t in group))
            if any(t.is_(",") for t in group) and base in self.known:
                return nd.Entry(tok.column, nd.Name(tok.column, base), self.indices(group))
            key = f"{base}_{sub}"
        if key == "I" and "I" not in self.known:
            return nd.Identity(tok.column)
        if key == "e" and self.peek().is_("^") and "e" not in self.known:
            self.take()
            return nd.Apply(tok.column, "exp", self.sub(self.group()))
        return nd.Name(tok.column, key)

    def function(self, name: str, tok: Token) -> nd.Node:
        primes = 0
        while self.peek().is_("'"):
            self.take()
            primes += 1
        if self.peek().is_("^") and [t.text for t in self.tokens[self.pos + 1 : self.pos + 4]] == ["{", r"\prime", "}"]:
            self.pos += 4
            primes += 1
        key = latex_names.normalise(name)
        if key in ("var", "variance") and not primes:
            return nd.Statistic(tok.column, "var", self.argument(tok))
        if key in ("softmax", "diag", "tr", "trace"):
            return _SPECIAL[key](tok.column, self.argument(tok))
        if key not in latex_names.FUNCTIONS:
            raise LatexError(f"{name} is not an elementwise function the reader knows", tok.column)
        return nd.Apply(tok.column, latex_names.FUNCTIONS[key].name, self.argument(tok), primes)

    def argument(self, tok: Token) -> nd.Node:
        opener = self.peek()
        if opener.is_("(", "["):
            self.take()
            inner = self.expr()
            self.expect(")" if opener.text == "(" else "]")
            return inner
        if opener.is_("{") or (opener.kind == "cmd" and opener.text == r"\{"):
            if opener.text == r"\{":
                self.take()
                inner = self.expr()
                self.expect(r"\}")
                return inner
            return self.sub(self.group())
        return self.postfix(self.primary())

    def ones(self, tok: Token) -> nd.Node:
        if self.peek().is_("[", "(") or (self.peek().is_("_") and self.peek(1).is_("{") and
                                         any(t.is_(">", "<") for t in self.tokens[self.pos:self.pos + 8])):
            return self.indicator(tok)
        length = None
        if self.peek().is_("_"):
            self.take()
            length = self.sub(self.group())
        return nd.Ones(tok.column, length)

    def indicator(self, tok: Token) -> nd.Node:
        r"""``\mathbb{1}[Z > 0]`` (also ``(…)``, ``_{…}``): the Heaviside step of Z, 0 at 0 (``Z \ge 0``: 1 at 0)."""
        opener = self.take()
        if opener.is_("_"):
            inside = self.group()
        else:
            closer = ")" if opener.text == "(" else "]"
            start = self.pos
            while not self.peek().is_(closer):
                if self.peek().kind == "end":
                    raise LatexError(f"{opener.text!r} is never closed", opener.column)
                self.take()
            inside = self.tokens[start : self.pos]
            self.take()
        where = next((k for k, t in enumerate(inside) if t.is_(">", "<") or t.text in (r"\ge", r"\geq", r"\le",
                                                                                       r"\leq", r"\gt", r"\lt")), None)
        if where is None or [t.text for t in inside[where + 1 :]] != ["0"]:
            raise LatexError("an indicator is read only as 1[Z > 0] or 1[Z < 0]", tok.column)
        arg = self.sub(inside[:where])
        relation = inside[where].text
        if relation in ("<", r"\lt", r"\le", r"\leq"):
            arg = nd.Sum(tok.column, ((-1, arg),))
        at_zero = relation in (r"\ge", r"\geq", r"\le", r"\leq")
        return nd.Apply(tok.column, "step_at_zero_one" if at_zero else "step", arg)

    def frac(self, tok: Token) -> nd.Node:
        top, bottom = self.group(), self.group()
        leibniz = top and (top[0].text == r"\partial" or (top[0].text == "d" and bottom and bottom[0].text == "d"))
        if leibniz and bottom and bottom[0].text in (r"\partial", "d"):
            text = f"∂{_plain(top[1:])}/∂{_plain(bottom[1:])}"
            of, by = self.sub(top[1:]), self.sub(bottom[1:])
            if isinstance(by, nd.Entry) and isinstance(by.arg, nd.Name) and isinstance(of, nd.Name):
                return nd.Entry(tok.column, nd.Gradient(tok.column, of, by.arg, f"∂{of.key}/∂{by.arg.key}"), by.indices)
            if not isinstance(by, nd.Name):
                raise LatexError(f"a derivative by {_plain(bottom[1:])}, which is not a name", tok.column)
            if isinstance(of, nd.Name):
                return nd.Gradient(tok.column, of, by, text)
            return nd.Jacobian(tok.column, of, by, text)
        return nd.Quotient(tok.column, self.sub(top), self.sub(bottom))

    def slash_derivative(self, tok: Token) -> nd.Node:
        of = self.postfix(self.primary())
        self.expect("/")
        self.expect(r"\partial")
        by = self.postfix(self.primary())
        text = f"∂{getattr(of, 'key', '?')}/∂{getattr(by, 'key', '?')}"
        if isinstance(of, nd.Name) and isinstance(by, nd.Name):
            return nd.Gradient(tok.column, of, by, text)
        return nd.Jacobian(tok.column, of, by, text)

    def index_sum(self, tok: Token) -> nd.Node:
        index, lower, upper = None, None, None
        if self.peek().is_("_"):
            self.take()
            group = self.group()
            if not group or group[0].kind != "letter":
                raise LatexError("a sum's index must be a letter", tok.column)
            index = group[0].text
            if len(group) > 2 and group[1].is_("="):
                lower = self.sub(group[2:])
        if self.peek().is_("^"):
            self.take()
            upper = self.sub(self.group())
        if index is None:
            raise LatexError("a sum without an index (write \\sum_i or 1^T)", tok.column)
        body = self.product()
        return nd.IndexSum(tok.column, index, lower, upper, body)

    def literal(self, tok: Token, env: str) -> nd.Node:
        if env not in _MATRIX_ENVS:
            raise LatexError(f"the environment {env} is not read in a matrix expression", tok.column)
        rows, row, cell = [], [], []
        while True:
            t = self.take()
            if t.kind == "end":
                raise LatexError(f"\\begin{{{env}}} is never closed", tok.column)
            if t.kind == "cmd" and t.text == f"\\end{{{env}}}":
                break
            if t.is_("&") or t.text == "\\\\":
                row.append(self.sub(cell))
                cell = []
                if t.text == "\\\\":
                    rows.append(tuple(row))
                    row = []
                continue
            cell.append(t)
        if cell:
            row.append(self.sub(cell))
        if row:
            rows.append(tuple(row))
        if not rows or len({len(r) for r in rows}) != 1:
            raise LatexError("a matrix literal's rows differ in length", tok.column)
        return nd.Literal(tok.column, tuple(rows))


def _plain(tokens: list[Token]) -> str:
    return "".join(t.text.lstrip("\\") for t in tokens if not t.is_("{", "}"))
