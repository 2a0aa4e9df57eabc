r"""The named constructs of :mod:`backprop_derive.verify.latex.parser`: symbols with subscripts, functions, ``\frac``
(and the derivative operators written with it), ``\sqrt``, powers, sums, ``cases``.

Each reader takes the parser positioned at the construct's first token and returns a SymPy
expression, or an :class:`~backprop_derive.verify.latex.parser.Operator` for a prefix that applies to the rest
of its term.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from backprop_derive.verify.latex import names
from backprop_derive.verify.latex.parser import (
    IMPLICIT,
    IMPLIED,
    MAX_DIGITS_BUILT,
    MAX_EXPONENT,
    MAX_FINITE_TERMS,
    PRIME,
    Operator,
    Parser,
    describe,
    exponent_digits,
)
from backprop_derive.verify.latex.tokens import LatexError, Token, UndefinedDerivativeError

FRACS = (r"\frac", r"\dfrac", r"\tfrac", r"\cfrac")


def starts_primary(cmd: str) -> bool:
    """Whether the command ``cmd`` can begin a factor (for implicit multiplication)."""
    return (
        cmd[1:] in names.GREEK
        or cmd in names.FUNCTION_COMMANDS
        or cmd in names.DECORATIONS
        or cmd in FRACS
        or cmd in names.DELIMITED
        or cmd in (r"\sqrt", r"\sum", r"\prod", r"\int", r"\pi", r"\begin{cases}", r"\lvert", r"\{", r"\partial")
    )


def named(p: Parser, tok: Token):
    """A letter, word or command at the start of a factor."""
    text = tok.text
    if tok.kind == "letter":
        word = _bare_function_word(p)
        if word is not None and word in p.context.readings.defined:
            p.take()
            return _defined_function(p, word, tok)
        if word is not None:
            return _function(p, word, tok)
        p.take()
        if text == "d" and p.context.readings.gradient_of and _name_follows(p, tok):
            return _gradient(p)
        if text == "e" and not p.peek().is_("_") and "e" not in p.context.readings.symbols:
            return sp.E
        if text == "H" and p.peek().is_("(") and "H" not in p.context.readings.symbols:
            return _heaviside(p, tok)
        if text == "P" and _holds_relation(p):
            return _probability(p, "P", tok)
        return _name_or_application(p, text, tok)
    if tok.kind == "word":
        p.take()
        key = names.normalise(text)
        named_gradient = next((g for g in p.context.readings.gradient_words if g[0] == key), None)
        if named_gradient is not None:
            return _named_gradient(p, text, *named_gradient[1:])
        if key in p.context.readings.defined and len(key) > 1:
            return _defined_function(p, key, tok)
        if key in names.FUNCTIONS or key in names.VECTOR_FUNCTIONS:
            return _function(p, key, tok, taken=True)
        raise LatexError(f"unknown name '{text}' (not a function the reader knows)", tok.column)
    if text in FRACS:
        return _frac(p)
    if text == r"\sqrt":
        p.take()
        index = None
        if p.peek().is_("["):
            opener = p.take()
            index = p.group_until("]", opener)
        radicand = p.sub(p.argument()).parse_all()
        return sp.sqrt(radicand) if index is None else sp.root(radicand, index)
    if text in (r"\sum", r"\prod") or (text == r"\Sigma" and _sum_scripts(p)):
        return _big_operator(p)
    if text == r"\int":
        return _integral(p, tok)
    if text == r"\begin{cases}":
        return _cases(p)
    if text == r"\pi":
        p.take()
        return sp.pi
    if text == r"\lvert":
        p.take()
        inner = p.expr()
        p.expect(r"\rvert", tok)
        return sp.Abs(inner)
    if text in names.DECORATIONS:
        p.take()
        group = p.argument()
        if len(group) > 2 and group[1].is_("_"):  # \hat{y_i} is \hat{y}_i: the subscript moves out
            p.tokens[p.pos : p.pos] = group[1:]
            group = group[:1]
        if text == r"\vec" and len(group) == 1 and group[0].text == "1":
            p.context.note("\\vec{1}, the vector of ones, read element by element as 1 (symbols are scalars)")
            return sp.Integer(1)
        if len(group) != 1 or group[0].kind not in ("letter", "cmd") or (group[0].kind == "cmd" and (
            group[0].text[1:] not in names.GREEK
        )):
            raise LatexError(f"{text} must decorate one letter", tok.column)
        name = group[0].text.lstrip("\\") + names.DECORATIONS[text]
        if name == "Pbb" and _holds_relation(p):
            return _probability(p, name, tok)
        if text in (r"\mathbb", r"\mathcal") and p.peek().is_("["):
            raise LatexError(f"{text}{{{group[0].text}}}[…] (an expectation?) is not supported", tok.column)
        return _name_or_application(p, name, tok)
    if text in names.APPLIED_ONLY:
        p.take()
        if p.peek().is_("(", "'", r"\{") or p.peek().is_("{") or _power_then_argument(p):
            return _function(p, names.APPLIED_ONLY[text], tok, taken=True)
        if p.peek().kind in ("letter", "number") and text[1:] not in p.context.readings.symbols:  # \sigma x
            p.context.ambiguity(f"{text} before a letter: the function {text}(…), or the symbol {text[1:]} times it")
            if not p.context.readings.alternate:
                return _function(p, names.APPLIED_ONLY[text], tok, taken=True)
        if p.peek().is_("^") and text[1:] not in p.context.readings.squares:
            p.context.note(f"{text}^… read as a power of the symbol {text[1:]}: no argument follows it")
        return _with_subscript(p, text[1:], tok)
    if text in names.FUNCTION_COMMANDS:
        return _function(p, text[1:], tok)
    if text[1:] in names.GREEK:
        p.take()
        if text == r"\delta" and p.peek().is_("_") and "delta" not in p.context.readings.symbols | \
                p.context.readings.defined and not _layer_label_follows(p) and _two_indices_follow(p):
            return _kronecker(p, tok)  # the document's own δ (it defines one, or labels a layer) is a name
        return _name_or_application(p, text[1:], tok)
    if text in names.DELIMITED:
        return _delimited(p, tok)
    if text == r"\partial" and p.peek(1).is_("_"):
        from backprop_derive.verify.latex.partial import partial_operator

        return partial_operator(p, tok)
    if text in names.UNSUPPORTED:
        raise LatexError(names.UNSUPPORTED[text], tok.column)
    if text.startswith(r"\begin"):
        raise LatexError(f"environment {text[6:]} is not supported (only cases)", tok.column)
    raise LatexError(f"unknown command {text}", tok.column)


def _name_follows(p: Parser, d: Token) -> bool:
    """Whether a name is written right after the letter ``d`` (``dy_i``, ``d\\hat{x}_j``, ``d\\sigma^2``)."""
    nxt = p.peek()
    if nxt.column != d.column + 1:
        return False
    return nxt.kind == "letter" or nxt.text in names.DECORATIONS or (nxt.kind == "cmd" and nxt.text[1:] in names.GREEK)


def _gradient(p: Parser) -> sp.Expr:
    """``dy_i`` in a document that writes the gradient of its loss L so: :math:`\\partial L/\\partial y_i`."""
    var = p.primary()
    if p.peek().is_("^") and _square_of(var, _peek_group(p), p.context.readings) is not None:
        var = raise_to(p, var, p.take())
    if not isinstance(var, (sp.Symbol, sp.Indexed)):
        raise LatexError("d before an expression: the gradient notation dy takes a name", p.peek().column)
    return _gradient_of(p, p.context.readings.gradient_of, var, f"d{_name(var)}", "as the document writes it")


def _gradient_of(p: Parser, loss: str, var: sp.Expr, written: str, how: str) -> sp.Expr:
    r""":math:`\partial L/\partial v` for a gradient written as a name (``dy``, ``\text{gradInput}``).  As
    ``\frac{\partial L}{\partial y}`` is, an L the document never says the function of is an error, never a
    constant: its derivatives would all be 0, and every claim between gradients an identity."""
    readings = p.context.readings
    if loss not in readings.defined and not readings.any_name:
        raise UndefinedDerivativeError(f"{written} is the gradient ∂{loss}/∂{_name(var)}, and what {loss} is a "
                                       "function of is not known", p.peek().column, loss)
    p.context.note(f"{written} read as the gradient ∂{loss}/∂{_name(var)}, {how}")
    return sp.Derivative(names.real_symbol(loss), var)


def _named_gradient(p: Parser, word: str, loss: str, variable: str) -> sp.Expr:
    """``\\text{gradInput}_i`` where the document names the word the gradient by x: :math:`\\partial L/\\partial x_i`
    (:attr:`~backprop_derive.verify.latex.parser.Readings.gradient_words`); without a subscript, by x itself."""
    var = names.real_symbol(variable)
    if p.peek().is_("_"):
        p.take()
        var = names.vector(variable)[tuple(_indices(p, p.argument()))]
    return _gradient_of(p, loss, var, word, "as the prose names it")


def _bare_function_word(p: Parser) -> str | None:
    """``ReLU(`` or ``softmax(`` written without a backslash (``tanh[`` too): the normalised name, else None.

    A name the document defines as a function (``Sig(x) = …``, see :func:`_defined_function`) is found
    also before ``'`` or ``^`` and alone (``\\delta Sig``: the function's name for its value).
    """
    run, col = [], p.peek().column
    ahead = 0
    while p.peek(ahead).kind == "letter" and p.peek(ahead).column == col + ahead:
        run.append(p.peek(ahead).text)
        ahead += 1
    key = "".join(run).lower()
    if len(run) < 2:
        return None
    if key in p.context.readings.defined:
        if p.peek(ahead).kind == "letter":
            return None
    elif not p.peek(ahead).is_("(", "[") or (key not in names.FUNCTIONS and key not in names.VECTOR_FUNCTIONS):
        return None
    p.pos += ahead - 1  # leave the last letter for _function to take
    return key


def _defined_function(p: Parser, key: str, tok: Token) -> sp.Expr:
    r"""A function the document defines under a name of several letters (``\operatorname{swish}(x) = …``,
    ``Sig(x) = …``: :func:`backprop_derive.verify.definitions.function_head`), the name already taken.

    ``W(a)``, ``W'(a)``, ``W^2(a)`` (the square of the value) and ``W`` alone (the value, as in
    ``\frac{dW}{dx}``) are the unknown function ``key``, which the definition replaces.
    """
    if p.peek().is_("'"):
        return _unknown_function(p, key, tok)
    power = None
    if p.peek().is_("^") and _power_then_argument(p):
        p.take()
        power = p.sub(p.argument()).parse_all()
    if not p.peek().is_("(", "["):
        if power is not None:
            raise LatexError(f"a power of {tok.text} without its argument", tok.column)
        return names.real_symbol(key)
    opener = p.take()
    if opener.is_("["):
        (arg,) = p.arguments(opener)
        result = sp.Function(key, real=True)(arg)
    else:
        p.pos -= 1
        result = _unknown_function(p, key, tok)
    return result if power is None else result**power


def _heaviside(p: Parser, tok: Token) -> sp.Expr:
    """``H(x)``: the Heaviside step, 0 for x ≤ 0 and 1 for x > 0 (the convention of the catalog's ReLU';
    declare ``% symbol: H`` for a product)."""
    opener = p.take()
    args = p.arguments(opener)
    if len(args) != 1:
        raise LatexError("H(x), the step function, takes one argument", tok.column)
    p.context.note("H(…) read as the Heaviside step, H(0) = 0 (declare '% symbol: H' for a product)")
    return sp.Heaviside(args[0], 0)


def _holds_relation(p: Parser) -> bool:
    """Whether ``(`` follows, and a relation stands inside the parentheses at their top level (``P(X \\le x)``)."""
    if not p.peek().is_("("):
        return False
    depth, ahead = 0, 0
    while p.peek(ahead).kind != "end":
        tok = p.peek(ahead)
        depth += tok.is_("(", "{", "[") - tok.is_(")", "}", "]")
        if depth == 0:
            return False
        if depth == 1 and tok.text in names.RELATIONS and tok.kind != "word":
            return True
        ahead += 1
    return False


def _probability(p: Parser, name: str, tok: Token) -> sp.Expr:
    r"""``P(X \le x)``, ``\mathbb{P}(X < x)``: the probability of an event, an unknown function of the two sides
    (one for each relation and variable); "where $X \\sim N(0, 1)$" defines it as the normal CDF
    (:func:`backprop_derive.verify.document.prose_definitions`).  Else a step with it is decided only where it cancels,
    and stays ``unknown`` otherwise."""
    opener = p.take()
    left = p.expr()
    relation = p.take()
    right = p.expr()
    p.expect(")", opener)
    sign = {r"\leq": r"\le", r"\geq": r"\ge", r"\leqslant": r"\le", r"\geqslant": r"\ge", r"\lt": "<",
            r"\gt": ">", r"\neq": r"\ne"}.get(relation.text, relation.text)
    p.context.note(f"{tok.text}(… {relation.text} …) read as a probability: an unknown function")
    if isinstance(left, sp.Symbol):  # P(X \le x): a function of x for this X (X \sim N(0, 1) defines it)
        return sp.Function(f"{name}({left.name} {sign})", real=True)(right)
    return sp.Function(f"{name}({sign})", real=True)(left, right)


def _power_then_argument(p: Parser) -> bool:
    """Whether ``^{…}`` follows and then ``(``: ``\\sigma^2(x)`` is σ(x)², ``\\sigma^2`` alone a symbol squared."""
    if not p.peek().is_("^"):
        return False
    saved = p.pos
    try:
        p.take()
        p.argument()
        return p.peek().is_("(")
    except LatexError:
        return False
    finally:
        p.pos = saved


def _name_or_application(p: Parser, name: str, tok: Token) -> sp.Expr:
    r"""A name, or -- when ``(`` or ``'`` follows it -- perhaps a function applied to an argument.

    ``v(x)`` is ``v`` applied to ``x`` when ``v`` is declared a function (``% function: v``), has a
    prime, or is one of :data:`~backprop_derive.verify.latex.names.UNKNOWN_FUNCTIONS`; the product :math:`v \cdot x`
    when declared a symbol.  Undeclared, it is read as a function and recorded in the context: the
    step then weighs the product reading too (:func:`backprop_derive.verify.decide.decide_step`).
    """
    readings, context = p.context.readings, p.context
    primes = 0
    while p.peek(primes).is_("'"):
        primes += 1
    applied = primes and p.peek(primes).is_("(")  # f'(x) with f defined: the derivative of its definition
    if primes == 1 and not applied and tok.kind == "letter" and name not in readings.symbols | readings.defined \
            and name not in names.UNKNOWN_FUNCTIONS and not p.peek(1).is_("_", "^"):
        p.take()  # x' of a variable: by the variable the step's other primes are by (definitions.variable_primes)
        context.note(f"{name}' read as the derivative of the variable {name} by itself (1): the step's other "
                     f"primes are by {name}")
        return sp.Derivative(names.real_symbol(name), PRIME)
    if p.peek().is_("'") and name not in readings.symbols and (name not in readings.defined or applied):
        context.primed.add(name)
        return _unknown_function(p, name, tok)
    expr = _with_subscript(p, name, tok)
    if name == "D" and isinstance(expr, sp.Indexed) and len(expr.indices) == 1 and p.peek().kind == "letter" \
            and p.peek(1).is_("_") and name not in readings.symbols | readings.defined:
        raise LatexError("D_j before a name (D_jS_i): the derivative by the j-th entry, or a product? write "
                         "\\frac{\\partial S_i}{\\partial z_j}, or D_j \\cdot S_i for the product", tok.column)
    if not p.peek().is_("(") or name in readings.symbols:
        if readings.implicit and name in names.UNKNOWN_FUNCTIONS and isinstance(expr, sp.Symbol) \
                and name not in readings.symbols:
            return sp.Function(name, real=True)(IMPLICIT)  # f beside f': the function, of the same variable
        context.bare.add(name)
        return expr
    head = name if isinstance(expr, sp.Symbol) else _name(expr)
    if name not in readings.functions and head not in readings.functions and name not in names.UNKNOWN_FUNCTIONS:
        context.heads.add(name)  # a function defined before (S_i(z) = …, named S_i) is in readings.functions
    return _unknown_function(p, head, tok)


def _with_subscript(p: Parser, name: str, tok: Token) -> sp.Expr:
    """``name``, or ``name_{…}``: an element of the vector ``name`` (or ``name_text`` for a word)."""
    if p.peek().is_("'"):
        if name in p.context.readings.defined:  # y' with y defined: d/dx of its definition
            p.take()
            return sp.Derivative(names.real_symbol(name), PRIME)
        raise LatexError(f"a prime on the symbol {name} (only functions take primes)", p.peek().column)
    if not p.peek().is_("_"):
        return names.real_symbol(name)
    p.take()
    group = p.argument()
    if len(group) == 1 and group[0].kind == "word":
        return names.real_symbol(f"{name}_{names.normalise(group[0].text)}")
    indices = _indices(p, group)
    return names.vector(name)[tuple(indices)]


def _indices(p: Parser, group: list[Token]) -> list[sp.Expr]:
    """``ij`` → (i, j); ``i,j`` → (i, j); ``12`` → (12,); ``l-1`` → (l - 1,)."""
    if not group:
        raise LatexError("an empty subscript", p.peek().column)
    indices: list[sp.Expr] = []
    pos = 0
    while pos < len(group):
        tok = group[pos]
        if tok.is_(","):
            pos += 1
            continue
        value = _index_atom(tok)
        pos += 1
        if tok.kind == "letter" and pos + 1 < len(group) and group[pos].is_("_"):
            value, pos = _label_index(tok, group, pos)
        while pos + 1 < len(group) and group[pos].is_("+", "-"):
            other = _index_atom(group[pos + 1])
            value = value + other if group[pos].text == "+" else value - other
            pos += 2
        indices.append(value)
    return indices


def _label_index(tok: Token, group: list[Token], pos: int) -> tuple[sp.Expr, int]:
    r"""``f_{y_i}``: the index is the label :math:`y_i` of sample i, an index of its own (a whole number
    in 1..K, named ``y_i``; ``\delta_{h_{t-1}}`` is δ at the label ``h_{t-1}``); ``group[pos]`` is the inner ``_``.
    Returns the index and the position after it."""
    after = group[pos + 1]
    if after.is_("{") and pos + 3 < len(group) and group[pos + 3].is_("}"):
        inner, end = group[pos + 2], pos + 4
    elif after.is_("{") and "}" in [g.text for g in group[pos + 2 :]]:
        # h_{t-1}: a label of its own, named by what it writes (letters, numbers, + and -)
        close = next(k for k in range(pos + 2, len(group)) if group[k].is_("}"))
        inside = group[pos + 2 : close]
        if inside and all((g.kind in ("letter", "number") and "." not in g.text) or g.is_("+", "-") for g in inside):
            return names.index_symbol(f"{tok.text}_{{{''.join(g.text for g in inside)}}}"), close + 1
        inner, end = inside[0] if inside else after, close + 1
    else:
        inner, end = after, pos + 2
    if inner.kind not in ("letter", "number") or "." in inner.text:
        raise LatexError(f"a subscript must be indices (letters, numbers), found {describe(inner)}", inner.column)
    return names.index_symbol(f"{tok.text}_{inner.text}"), end


def _index_atom(tok: Token) -> sp.Expr:
    if tok.kind == "number" and "." not in tok.text:
        return sp.Integer(int(tok.text))
    if tok.kind == "letter":
        return names.index_symbol(tok.text)
    if tok.kind == "cmd" and tok.text[1:] in names.GREEK:
        return names.index_symbol(tok.text[1:])
    raise LatexError(f"a subscript must be indices (letters, numbers), found {describe(tok)}", tok.column)


def _layer_label_follows(p: Parser) -> bool:
    """Whether ``_{…}^{label}`` follows, the superscript a layer's label (``\\delta_j^l``, ``\\delta_j^{(2)}``)."""
    saved = p.pos
    try:
        p.take()
        p.argument()
        if not p.peek().is_("^"):
            return False
        p.take()
        return _label(names.real_symbol("delta"), p.argument(), p.context) is not None
    except LatexError:
        return False
    finally:
        p.pos = saved


def _delimited(p: Parser, tok: Token) -> sp.Expr:
    r"""``\|x\|`` (also ``\lVert x \rVert``, ``\|x\|_2``, ``\|x\|_1``), ``\langle u, v \rangle``
    (:data:`~backprop_derive.verify.latex.names.DELIMITED`): of the vectors named by the letters inside, over their K
    elements.

    Every name inside is a vector (``\|y - \hat{y}\|`` is :math:`\sqrt{\sum_k (y_k - \hat y_k)^2}`); an element
    (``\|z_i\|``) or no name at all is an error, never read as a scalar's absolute value."""
    closer, what = names.DELIMITED[tok.text]
    p.take()
    p.closers.append(closer)
    try:
        parts = [p.expr()]
        while what == "inner product" and p.peek().is_(",") and len(parts) < 2:
            p.take()
            parts.append(p.expr())
    finally:
        p.closers.pop()
    p.expect(closer, tok)
    if len(parts) != (2 if what == "inner product" else 1):
        raise LatexError(f"an {what} takes two vectors: \\langle u, v \\rangle", tok.column)
    k = sp.Dummy("k", integer=True, positive=True)
    elements = []
    for part in parts:
        if part.atoms(sp.Indexed) or part.atoms(AppliedUndef):
            raise LatexError(f"a {what} of an element or a function (symbols inside are read as vectors)", tok.column)
        scalars = {s for s in part.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer}
        if not scalars:
            raise LatexError(f"a {what} of no vector name (write |x| for an absolute value)", tok.column)
        elements.append(part.xreplace({s: names.vector(s.name)[k] for s in scalars}))
    if what == "inner product":
        p.context.note("\\langle u, v \\rangle read as the sum over k of u_k v_k (u, v vectors of K elements)")
        return sp.Sum(elements[0] * elements[1], (k, 1, names.CLASSES))
    order = 2
    if p.peek().is_("_"):
        p.take()
        script = "".join(t.text for t in p.argument())
        if script not in ("1", "2"):
            raise LatexError(f"the norm \\|…\\|_{script} is not supported (only _1 and _2)", tok.column)
        order = int(script)
    p.context.note(f"\\|…\\| read as the {'Euclidean' if order == 2 else 'L1'} norm over the K elements of "
                   "the vectors named inside")
    if order == 1:
        return sp.Sum(sp.Abs(elements[0]), (k, 1, names.CLASSES))
    return sp.sqrt(sp.Sum(elements[0] ** 2, (k, 1, names.CLASSES)))


def _two_indices_follow(p: Parser) -> bool:
    """Whether the subscript at the parser's position holds two indices (``\\delta_{ij}``, ``\\delta_{i,k}``):
    Kronecker's δ takes two; ``\\delta_o``, ``\\delta_{z_t}`` name a quantity (a gradient, as people write it)."""
    saved = p.pos
    try:
        p.take()
        return len(_indices(p, p.argument())) == 2
    except LatexError:
        return False
    finally:
        p.pos = saved


def _kronecker(p: Parser, tok: Token) -> sp.Expr:
    p.take()
    indices = _indices(p, p.argument())
    if len(indices) != 2:
        raise LatexError("\\delta_{ij} takes two indices", tok.column)
    return sp.KroneckerDelta(*indices)


def _function(p: Parser, key: str, tok: Token, taken: bool = False):
    """A function application: name, primes, an optional power, then the argument(s)."""
    if not taken:
        p.take()
    primes = 0
    while p.peek().is_("'"):
        p.take()
        primes += 1
    power = None
    if p.peek().is_("^"):
        caret = p.take()
        power = p.sub(p.argument()).parse_all()
        if power == -1:
            raise LatexError("inverse-function notation ^{-1} is not supported", caret.column)
    opener = p.peek()
    if opener.is_("(", "[", r"\{"):
        p.take()
        args = p.arguments(opener)
    elif opener.is_("{"):
        args = [p.sub(p.argument()).parse_all()]
    elif p.starts_factor(opener):
        args = [p.apply_if_operator(p.power())]
        if p.peek().kind in ("letter", "number"):  # \sin x y (but \sin x \cos x is sin(x) cos(x))
            p.context.ambiguity(f"{tok.text} without parentheses, before a product: of its first factor (TeX), "
                                "or of the whole product")
            if p.context.readings.alternate:
                while p.starts_factor(p.peek()):
                    args[0] = args[0] * p.apply_if_operator(p.power())
    else:
        raise LatexError(f"the function {tok.text} has no argument", tok.column)
    if key in names.VECTOR_FUNCTIONS:
        result = _vector_function(p, key, args, tok)
    else:
        known = names.FUNCTIONS[key]
        if len(args) not in known.arity:
            raise LatexError(f"{known.name} takes {known.arity[0]} argument(s), got {len(args)}", tok.column)
        result = known.build(*args) if primes == 0 else _prime(known, args, primes, tok)
    _no_code_index(p, tok)
    if power is not None:
        result = result**power
    return result


def _no_code_index(p: Parser, tok: Token) -> None:
    """An application followed by ``[k]`` (one letter or number) is an error: the element k, as code indexes
    (``softmax(y)[k]``), or the product with k?  The reader does not choose (``σ(x)[1 - σ(x)]`` is a product)."""
    if p.peek().is_("[") and p.peek(1).kind in ("letter", "number") and p.peek(2).is_("]"):
        k = p.peek(1).text
        raise LatexError(f"{tok.text}(…)[{k}]: the element {k} of {tok.text}(…), as code indexes, or a product? "
                         f"write {tok.text}(…)_{k}, or a \\cdot before the bracket", p.peek().column)


def _unknown_function(p: Parser, name: str, tok: Token) -> sp.Expr:
    r"""``f(x)``, ``g'(z)``, ``\phi(a, b)``: an application of a function the reader does not know.

    Never the product ``f \cdot (x)``: read so, ``f(x + y) = f(x) + f(y)`` would be "proved" by
    expanding.  An unknown function cannot be evaluated, so a step with one is decided by a proof
    (the chain rule ``\frac{d}{dx} f(g(x)) = f'(g(x)) g'(x)`` is) or stays ``unknown``.
    ``f'(a)`` is :math:`\frac{d}{dt} f(t)` at :math:`t = a`.
    """
    primes = 0
    while p.peek().is_("'"):
        p.take()
        primes += 1
    opener = p.peek()
    if not opener.is_("(") and primes and name in names.UNKNOWN_FUNCTIONS:  # f' in (f g)' = f' g + f g'
        p.context.implicit = True
        return sp.diff(sp.Function(name, real=True)(IMPLICIT), IMPLICIT, primes)
    if not opener.is_("("):
        raise LatexError(f"the function {tok.text} needs its argument in parentheses", tok.column)
    p.take()
    args = p.arguments(opener)
    _no_code_index(p, tok)
    function = sp.Function(name, real=True)
    if primes == 0:
        return function(*args)
    if len(args) != 1:
        raise LatexError(f"a prime on {tok.text}, which takes several arguments", tok.column)
    t = sp.Dummy("t", real=True)
    return sp.Derivative(function(t), (t, primes)).subs(t, args[0])


def _prime(known: names.FunctionName, args: list[sp.Expr], primes: int, tok: Token) -> sp.Expr:
    """``f'(a)``: the derivative of f, evaluated at a."""
    if len(args) != 1:
        raise LatexError(f"a prime on {known.name}, which takes several arguments", tok.column)
    t = sp.Dummy("t", real=True)
    with sp.evaluate(True):  # the derivative is computed, also when the rest is read unevaluated
        return sp.diff(known.build(t), t, primes).subs(t, args[0])


def _vector_function(p: Parser, key: str, args: list[sp.Expr], tok: Token) -> sp.Expr:
    """``\\operatorname{softmax}(z)_i``: the i-th output, over ``K`` classes."""
    if len(args) != 1 or not isinstance(args[0], sp.Symbol):
        raise LatexError(f"{key} takes one vector name, e.g. {key}(z)_i", tok.column)
    if not p.peek().is_("_"):
        raise LatexError(f"{key}(…) needs an output index, e.g. {key}(z)_i", tok.column)
    p.take()
    (index,) = _indices(p, p.argument()) or [None]
    return names.VECTOR_FUNCTIONS[key](names.vector(args[0].name), index, names.CLASSES)


def raise_to(p: Parser, base: sp.Expr, caret: Token) -> sp.Expr:
    """``base^{…}``; a label such as ``x^{(i)}``, ``W^{[2]}`` or ``a^{l-1}`` names a symbol; a transpose or a
    number too large is an error."""
    group = p.argument()
    if len(group) == 1 and group[0].text in ("T", r"\top", r"\intercal", r"\prime", "*", "'"):
        raise LatexError(f"'^{group[0].text}' (transpose/prime) is not supported: symbols are scalars", caret.column)
    label = _label(base, group, p.context)
    if label is not None:
        written = f"{_name(base) if isinstance(base, sp.Indexed) else base}^{{{label}}}"
        p.context.note(f"{written} read as a label, not a power")
        if isinstance(base, sp.Indexed):
            return names.vector(f"{base.base.label}^{{{label}}}")[base.indices]
        return _with_subscript(p, f"{base.name}^{{{label}}}", caret)
    square = _square_of(base, group, p.context.readings)
    if square is not None:
        return square if isinstance(square, sp.Indexed) else _with_subscript(p, square.name, caret)
    exponent = p.sub(group).parse_all()
    if exponent.is_Integer and abs(exponent) > MAX_EXPONENT and not base.is_Number:
        raise LatexError(f"exponent {exponent} is larger than {MAX_EXPONENT}", caret.column)
    if exponent_digits(base, exponent) > MAX_DIGITS_BUILT:
        raise LatexError(f"the number {base}^{exponent} has more than {MAX_DIGITS_BUILT} digits", caret.column)
    if base.is_Number and exponent.is_Number and exponent.is_Integer is False and abs(exponent) > MAX_EXPONENT:
        raise LatexError(f"exponent {exponent} is larger than {MAX_EXPONENT}", caret.column)
    if isinstance(base, sp.Symbol) and not isinstance(base, sp.Dummy) and not base.is_integer and p.peek().is_("_"):
        return _with_subscript(p, base.name, caret) ** exponent  # \lambda^2_i is (λ_i)², as TeX sets it
    return base**exponent


def _square_of(base: sp.Expr, group: list[Token], readings) -> sp.Expr | None:
    """``\\sigma^2`` as the one symbol ``sigma^2`` (``\\sigma_B^2`` as its element B) where the document makes
    the square a variable of its own (:attr:`~backprop_derive.verify.latex.parser.Readings.squares`); None otherwise."""
    if len(group) != 1 or group[0].text != "2" or not isinstance(base, (sp.Symbol, sp.Indexed)):
        return None
    if isinstance(base, sp.Indexed):
        label = str(base.base.label)
        return names.vector(f"{label}^2")[base.indices] if label in readings.squares else None
    return names.real_symbol(f"{base.name}^2") if base.name in readings.squares else None


_OUTPUT_LAYER = frozenset(["L", "L-1", "L+1"])


def _label(base: sp.Expr, group: list[Token], p_context) -> str | None:
    """The label text when the superscript ``group`` on ``base`` is a label rather than an exponent.

    ``x^{(i)}``, ``x^{[l]}`` (an index-like group in parentheses or brackets) and a layer name
    (:data:`~backprop_derive.verify.latex.names.LAYER_LABELS`) on a symbol or a vector element.  ``a^{L}`` and
    ``a^0`` may be either: a power unless the alternate reading is asked for, and recorded as an ambiguity.
    ``e^{(x+1)}`` stays a power: ``e``
    is a number here.
    """
    if not isinstance(base, (sp.Symbol, sp.Indexed)) or isinstance(base, sp.Dummy):
        return None
    text = "".join(t.text for t in group)
    if text in names.LAYER_LABELS:
        return text
    if text in _OUTPUT_LAYER:
        p_context.ambiguity(f"^{{{text}}}: a power, or the label of the output layer")
        return text if p_context.readings.alternate else None
    if text == "0":  # a^0 = w x^0 + b: step 0 of a sequence, as RNN notes write it, or the power that is 1
        p_context.ambiguity("^0: a power (1), or the label of step 0")
        return text if p_context.readings.alternate else None
    if len(group) >= 3 and ((group[0].is_("(") and group[-1].is_(")")) or (group[0].is_("[") and group[-1].is_("]"))):
        inner = group[1:-1]
        index_like = all(t.kind in ("letter", "number") or t.is_("+", "-", ",") for t in inner)
        if index_like and inner and inner[0].kind in ("letter", "number") and len(inner) <= 5:
            return text
    return None


def _frac(p: Parser):
    """``\\frac{a}{b}``, or a derivative operator ``\\frac{d}{dx}`` / Leibniz ``\\frac{\\partial f}{\\partial x}``."""
    tok = p.take()
    numerator, denominator = p.argument(), p.argument()
    if numerator and _is_d(numerator[0]) and denominator and _is_d(denominator[0]):
        return _derivative(p, numerator, denominator, tok)
    num = p.sub(numerator).parse_all() if numerator else None
    den = p.sub(denominator).parse_all() if denominator else None
    if num is None or den is None:
        raise LatexError("\\frac with an empty part", tok.column)
    return num / den


def _is_d(tok: Token) -> bool:
    return tok.is_("d", r"\partial") and tok.kind in ("letter", "cmd")


def _derivative(p: Parser, numerator: list[Token], denominator: list[Token], tok: Token):
    order, rest = 1, numerator[1:]
    if rest and rest[0].is_("^"):
        order, used = _order(rest[1:], tok)
        rest = rest[1 + used :]
    variables = _differentials(p, denominator)
    if len(variables) != order:
        raise LatexError(f"derivative of order {order} by {len(variables)} variable(s)", tok.column)
    what = "d/d" + ",".join(_name(v) for v in variables)

    def apply(operand: sp.Expr, column: int) -> sp.Expr:
        if isinstance(operand, (sp.Symbol, sp.Indexed)) and operand not in variables:
            label = str(operand.base.label) if isinstance(operand, sp.Indexed) else operand.name
            elements = {v.base.label for v in variables if isinstance(v, sp.Indexed)}
            readings = p.context.readings
            if label not in readings.defined and not readings.any_name and not (
                    isinstance(operand, sp.Indexed) and operand.base.label in elements):
                written = _name(operand)
                raise UndefinedDerivativeError(f"derivative of the name {written}: write the expression it stands for, "
                                               f"or define {label} (e.g. 'Let ${written} = …$' or '{written} := …')",
                                               column, label)
        elif not p.context.readings.any_name:
            _held_constant(operand, variables, p.context.readings.defined | p.context.readings.variables, column)
        return sp.Derivative(operand, *variables)

    if rest:
        operand = p.sub(rest).parse_all()
        if _function_alone(operand, variables, p.context.readings):  # dσ/dx: σ of the one variable
            operand = p.sub([*rest, Token("punct", "(", rest[0].column), *denominator[1:],
                             Token("punct", ")", rest[-1].column)]).parse_all()
        return apply(operand, rest[0].column)
    return Operator(apply, what, tok.column)


def _function_alone(operand: sp.Expr, variables: list, readings) -> bool:
    r"""Whether ``operand`` is a function's name written without its argument (``\sigma`` of ``d\sigma/dx``): a
    function of the catalog or one the document declares, differentiated by one variable, and no name of its own
    the document defines.  ``d\sigma/dx`` then means :math:`d\sigma(x)/dx`, as ``\sigma'`` does."""
    return isinstance(operand, sp.Symbol) and len(variables) == 1 and operand.name not in readings.defined and (
        operand.name in names.FUNCTIONS or operand.name in readings.functions)


def _held_constant(operand: sp.Expr, variables: list[sp.Expr], known: frozenset[str], column: int) -> None:
    r"""Refuse :math:`\partial/\partial w\,(t - o)^2`: an expression of names none of which is ``known``
    (defined, or a variable the document differentiates by) and none of which is a variable it is
    differentiated by.  Read with its names held, it is 0 -- but nobody differentiates a constant: the
    names stand for something that depends on w, which the document does not say
    (:mod:`backprop_derive.verify.dependents` reads it where it can)."""
    bases = {str(v.base.label) if isinstance(v, sp.Indexed) else str(v) for v in variables}
    elements = operand.atoms(sp.Indexed)
    names = {str(n.base.label) for n in elements} | {type(f).__name__ for f in operand.atoms(AppliedUndef)}
    names |= {s.name for s in operand.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer} - \
        {str(i) for n in elements for i in n.indices} - {str(n.base.label) for n in elements}
    if not names or names & (bases | known):
        return
    written = ", ".join(sorted(names))
    by = ", ".join(_name(v) for v in variables)
    are, depend = ("is", "depends") if len(names) == 1 else ("are", "depend")
    raise UndefinedDerivativeError(f"derivative by {by} of an expression of {written}, which {are} not defined and "
                                   f"{'holds' if len(names) == 1 else 'hold'} no {by}: held constant it is 0; define "
                                   f"how {written} {depend} on {by}", column, sorted(names)[0])


def _name(var: sp.Expr) -> str:
    """``z_i`` for the element ``z[i]``, the name otherwise (for messages)."""
    if isinstance(var, sp.Indexed):
        return f"{var.base.label}_{','.join(str(i) for i in var.indices)}"
    return str(var)


def _peek_group(p: Parser) -> list[Token]:
    """The superscript group after the ``^`` at the parser's position, without taking it."""
    saved = p.pos
    try:
        p.take()
        return p.argument()
    except LatexError:
        return []
    finally:
        p.pos = saved


#: The highest order of a derivative read.
MAX_ORDER = 4


def _order(tokens: list[Token], tok: Token) -> tuple[int, int]:
    """The order in ``d^2`` or ``d^{2}`` from the tokens after ``^``: (order, tokens used).  The digits are read
    whole (``d^{10}`` is of order 10, never 1); an order above :data:`MAX_ORDER` is an error that names it, and so is
    ``d^10`` without braces (TeX reads it as ``d^1 0``: the author meant ``d^{10}``)."""
    braced = bool(tokens) and tokens[0].is_("{")
    digits = tokens[1:2] if braced else tokens[:1]
    if not digits or digits[0].kind != "number" or not digits[0].text.isdigit():
        raise LatexError(f"the order of a derivative must be 1 to {MAX_ORDER}", tok.column)
    if braced and (len(tokens) < 3 or not tokens[2].is_("}")):
        raise LatexError(f"the order of a derivative must be 1 to {MAX_ORDER}", tok.column)
    order = int(digits[0].text)
    if not 1 <= order <= MAX_ORDER:
        raise LatexError(f"a derivative of order {order}: the order must be 1 to {MAX_ORDER}", tok.column)
    if not braced and len(digits[0].text) > 1:
        raise LatexError(f"the order ^{digits[0].text} without braces reads as ^{digits[0].text[0]} followed by "
                         f"{digits[0].text[1:]}: write ^{{{digits[0].text}}}", tok.column)
    return order, 3 if braced else 1


def _differentials(p: Parser, tokens: list[Token]) -> list[sp.Expr]:
    """``dx``, ``\\partial z_i``, ``dx^2``, ``\\partial x \\partial y`` → the variables, with repeats."""
    sub = p.sub(tokens)
    variables: list[sp.Expr] = []
    while sub.peek().kind != "end":
        d = sub.take()
        if not _is_d(d):
            raise LatexError(f"expected d or \\partial in a derivative's denominator, found {describe(d)}", d.column)
        var = sub.primary()
        if not isinstance(var, (sp.Symbol, sp.Indexed)):
            raise LatexError("a derivative is taken by a variable (x, z_i, W_3)", d.column)
        if sub.peek().is_("^") and (_label(var, _peek_group(sub), sub.context) is not None  # \partial a^{(1)}
                                    or _square_of(var, _peek_group(sub), sub.context.readings) is not None):
            var = raise_to(sub, var, sub.take())
        times = 1
        if sub.peek().is_("^"):
            sub.take()
            times, used = _order(sub.tokens[sub.pos :], d)
            sub.pos += used
        variables.extend([var] * times)
    return variables


#: The name of ``\sum`` written alone as a value (``e^{a_i} \times \sum``), when the document defines it
#: (:mod:`backprop_derive.verify.check`: the one sum defined before).
BARE_SUM = "Σ"


def _sum_scripts(p: Parser) -> bool:
    """Whether ``\\Sigma`` at the parser's position carries a sum's index (``\\Sigma^m_{i=1}``, ``\\Sigma_{i=1}^m``):
    a capital sigma whose subscript says ``index =`` is the sum sign, as some authors write it."""
    saved = p.pos
    try:
        p.take()
        for _ in range(2):
            if not p.peek().is_("_", "^"):
                return False
            script = p.take()
            group = p.argument()
            if script.is_("_"):
                return len(group) > 2 and group[0].kind == "letter" and group[1].is_("=")
        return False
    except LatexError:
        return False
    finally:
        p.pos = saved


def _ends_a_value(tok: Token) -> bool:
    r"""Whether ``tok`` may follow a complete value: ``\sum`` before it stands alone (``e^{a_i} \times \sum - …``),
    where ``\sum`` before an operand (``\sum e^{x_d}``) sums that operand over its index."""
    return tok.kind == "end" or tok.is_("+", "-", ")", "]", "}", "=", "&", ",", "/", r"\times", r"\cdot", r"\right",
                                        "\\\\")


def _big_operator(p: Parser) -> Operator:
    """``\\sum_{i=1}^{K}`` (``\\sum_i`` means i = 1..K) as an operator on the rest of the term."""
    tok = p.take()
    lower_tokens = upper_tokens = None
    for _ in range(2):
        if p.peek().is_("_") and lower_tokens is None:
            p.take()
            lower_tokens = p.argument()
        elif p.peek().is_("^") and upper_tokens is None:
            p.take()
            upper_tokens = p.argument()
    if lower_tokens is None and tok.text == r"\sum" and BARE_SUM in p.context.readings.defined \
            and _ends_a_value(p.peek()):
        whole = names.real_symbol(BARE_SUM)  # \sum alone, for the one sum defined before; \sum^2 its square
        return whole ** p.sub(upper_tokens).parse_all() if upper_tokens else whole
    if lower_tokens is None and upper_tokens is None and tok.text == r"\sum":
        # \sum t_i: over the one index of its summand written nowhere else (resolved once all is read)
        return Operator(lambda operand, column: sp.Sum(operand, (IMPLIED, 1, names.CLASSES)), tok.text, tok.column)
    if not lower_tokens or lower_tokens[0].kind not in ("letter", "cmd"):
        raise LatexError(f"{tok.text} needs an index, e.g. {tok.text}_{{i=1}}^{{K}}", tok.column)
    index = _index_atom(lower_tokens[0])
    skipped = None
    if len(lower_tokens) > 1 and lower_tokens[1].is_(r"\ne", r"\neq") and tok.text != r"\prod":
        # \sum_{k \neq i} f(k): every k from 1 to K but i, that is, the whole sum less the term k = i
        if len(lower_tokens) != 3:
            raise LatexError(f"expected one index after '\\neq' in {tok.text}", lower_tokens[1].column)
        skipped, lower = _index_atom(lower_tokens[2]), sp.Integer(1)
    elif len(lower_tokens) > 1:
        if not lower_tokens[1].is_("="):
            raise LatexError(f"expected '=' after the index of {tok.text}", lower_tokens[1].column)
        lower = _as_count(p.sub(lower_tokens[2:]).parse_all())
    else:
        lower = sp.Integer(1)
    upper = _as_count(p.sub(upper_tokens).parse_all()) if upper_tokens else names.CLASSES
    if (upper - lower).is_Integer and not 0 <= upper - lower < MAX_FINITE_TERMS:
        raise LatexError(f"{tok.text} from {lower} to {upper}: at most {MAX_FINITE_TERMS} terms", tok.column)
    kind = sp.Product if tok.text == r"\prod" else sp.Sum

    def apply(operand: sp.Expr, column: int) -> sp.Expr:
        operand = operand.xreplace({names.real_symbol(index.name): index})
        whole = kind(operand, (index, lower, upper))
        return whole if skipped is None else whole - operand.xreplace({index: skipped})

    return Operator(apply, f"{tok.text}_{index}", tok.column)


def _bound(p: Parser, group: list[Token]) -> sp.Expr:
    """A bound of an integral: ``-\\infty``, ``\\infty`` or an expression."""
    texts = [t.text for t in group]
    if texts in ([r"\infty"], ["+", r"\infty"]):
        return sp.oo
    if texts == ["-", r"\infty"]:
        return -sp.oo
    return p.sub(group).parse_all()


def _integral(p: Parser, tok: Token) -> sp.Expr:
    r"""``\int_{a}^{b} f(t) \, dt``: the definite integral, its integrand ending at ``d`` and the variable, before
    the end of the term (``\int_{-\infty}^{x} \frac{1}{\sqrt{2\pi}} e^{-t^2/2} dt`` is Φ(x)).  An integral
    without both bounds, or whose ``dt`` is not found, is an error."""
    p.take()
    lower = upper = None
    for _ in range(2):
        if p.peek().is_("_") and lower is None:
            p.take()
            lower = p.argument()
        elif p.peek().is_("^") and upper is None:
            p.take()
            upper = p.argument()
    if lower is None or upper is None:
        raise LatexError("integrals without both bounds are not supported: write \\int_{0}^{x} f(t) dt", tok.column)
    depth, ahead = 0, 0
    while True:
        t = p.peek(ahead)
        if t.kind == "end" or (depth == 0 and t.is_(")", "]", "}", "=", "&", ",")):
            raise LatexError("an integral without its 'dt' (the variable of integration)", tok.column)
        depth += t.is_("(", "[", "{") - t.is_(")", "]", "}")
        after = p.peek(ahead + 2)
        if depth == 0 and ahead and t.is_("d") and t.kind == "letter" and p.peek(ahead + 1).kind == "letter" and (
                after.kind == "end" or after.is_("+", "-", ")", "]", "}", "=", "&", ",")):
            break
        ahead += 1
    integrand = p.sub(p.tokens[p.pos : p.pos + ahead]).parse_all()
    variable = names.real_symbol(p.peek(ahead + 1).text)
    p.pos += ahead + 2
    low, high = _bound(p, lower), _bound(p, upper)
    if variable in low.free_symbols | high.free_symbols:
        raise LatexError(f"the bounds of an integral hold its variable {variable}", tok.column)
    p.context.note("\\int_a^b … dt read as a definite integral")
    return sp.Integral(integrand, (variable, low, high))


def _as_count(expr: sp.Expr) -> sp.Expr:
    """A bound of a sum: its symbols are positive integers (``K``, ``n``)."""
    return expr.xreplace({s: names.index_symbol(s.name) for s in expr.free_symbols if isinstance(s, sp.Symbol)})


def _cases(p: Parser) -> sp.Piecewise:
    """``\\begin{cases} v_1 & \\text{if } c_1 \\\\ … \\end{cases}`` → ``Piecewise((v_1, c_1), …)``."""
    tok = p.take()
    pieces = []
    while True:
        value = p.expr()
        while p.peek().is_(",", "&"):
            p.take()
        condition = _condition(p)
        pieces.append((value, condition))
        while p.peek().is_(",", ".", ";") or (p.peek().kind == "word" and names.normalise(p.peek().text) in
                                               ("and", "or") and p.peek(1).is_(r"\\", r"\end{cases}")):
            p.take()  # punctuation, or a word that joins this row to the next ("if m = k, and")
        if p.peek().is_(r"\\"):
            p.take()
            if p.peek().is_(r"\end{cases}"):
                break
            continue
        break
    p.expect(r"\end{cases}", tok)
    return sp.Piecewise(*pieces)


def _condition(p: Parser):
    while p.peek().kind == "word" and names.normalise(p.peek().text) in ("if", "for", "when", ""):
        p.take()
    if p.peek().kind == "word" and names.normalise(p.peek().text) in ("otherwise", "else", "elsewhere"):
        p.take()
        return sp.true
    left = p.expr()
    condition = sp.true
    while p.peek().text in names.RELATIONS and p.peek().kind != "word":
        relation = names.RELATIONS[p.take().text]
        right = p.expr()
        condition = sp.And(condition, relation(left, right))
        left = right
    if condition is sp.true:
        raise LatexError(f"expected a condition such as x > 0, found {describe(p.peek())}", p.peek().column)
    return condition
