r"""Definitions in a person's derivation: which lines name something, and putting them into later steps.

A line *defines* a name instead of claiming an equality when

* it says so: ``z := wx + b``, ``\coloneqq``, ``\triangleq``, ``\stackrel{\text{def}}{=}`` (marked by
  :mod:`backprop_derive.verify.document`);
* it is inline math in prose introduced by "let", "where", "with", "define", "denote" or "we write"
  (``where $p_k = \operatorname{softmax}(z)_k$``), found by the document reader; or
* it is a display whose left side is a bare name (``L``, ``S_i``, ``\hat{y}``, a function head
  ``f(x)``) that is not defined before, not constrained by an assumption in force, and not on its
  own right side.

A definition is reported as ``definition`` and not judged.  Later steps use it: each defined name is
replaced by what it stands for -- ``S_i`` defines every index (``S_j`` is the right side with i
set to j, its own summation indices kept apart), ``f(x)`` defines the function -- so
``\frac{\partial L}{\partial o_k}`` differentiates the definition of L, and a prime ``y'`` on a name
defined through one variable is the derivative by that variable.  A later definition of the same
name replaces the earlier one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from backprop_derive.verify.assumptions import Constraints
from backprop_derive.verify.graph import (
    JET,
    as_products,
    defines_element,
    differentiate,
    expand,
    label,
    model,
    names_in,
    scalar_names,
    substitute,
    upstream_gradients,
    upstream_model,
)
from backprop_derive.verify.latex.names import FUNCTIONS, VECTOR_FUNCTIONS
from backprop_derive.verify.latex.parser import PRIME, Readings, parse_expression, read_unevaluated
from backprop_derive.verify.latex.tokens import LatexError, tokenize


@dataclass(frozen=True)
class Definition:
    """``lhs`` stands for ``rhs`` from line ``line`` on; ``name`` is the label (``S`` of ``S_i``)."""

    name: str
    lhs: str
    rhs: str
    line: int
    how: str
    #: ``definition``, or ``upstream``: ``name`` is an unknown function of ``rhs``
    # (:mod:`backprop_derive.verify.upstream`).
    kind: str = "definition"

    @property
    def shown(self) -> str:
        return f"{' '.join(self.lhs.split())} (line {self.line})"


def label_of(expr: sp.Expr) -> str | None:
    """The name a definition's left side defines, when it is a bare name; None otherwise.

    A symbol, an element of a vector with index symbols (``S_i``), or an unknown function applied to
    distinct symbols (``f(x)``).
    """
    if isinstance(expr, sp.Symbol) and not expr.is_integer:
        return expr.name
    if isinstance(expr, sp.Indexed) and all(isinstance(i, sp.Symbol) and i.is_integer for i in expr.indices):
        return str(expr.base.label)
    if isinstance(expr, AppliedUndef) and all(isinstance(a, sp.Symbol) for a in expr.args) and \
            len(set(expr.args)) == len(expr.args):
        return type(expr).__name__
    return None


def defines(lhs_text: str, rhs_text: str, readings: Readings, taken: set[str]) -> str | None:
    """The name ``lhs = rhs`` defines, read as a display whose left side is a bare name; else None.

    ``taken``: names already defined or constrained by an assumption (those are claims, not definitions).
    A left side that is a function head written as a word (:func:`function_head`) defines that function.
    """
    head = function_head(lhs_text) or word_name(lhs_text)
    if head is not None and head not in taken and head not in readings.defined:
        readings = replace(readings, defined=readings.defined | {head})
    try:
        lhs = read_unevaluated(lhs_text, readings)  # as written: x \cdot 1 is no bare name
        rhs = parse_expression(rhs_text, readings)
    except LatexError:
        return None
    name = label_of(lhs) if lhs is not None else None
    if name is None or name in taken:
        return None
    if name in names_in(rhs):
        return None  # x = x + 1 is a claim about x
    return name


def names_a_part(before: str, after: str, readings: Readings, taken: set[str], earlier: str) -> tuple[str, str] | None:
    r"""``(name, part)`` when the side ``after`` is the side ``before`` with one part written as a new name.

    :math:`L = -\sum_j y_j \log p_j = -\sum_j \ell_j` names the summand: :math:`\ell_j` stands for
    :math:`y_j \log p_j`.  The two texts must agree but for one stretch, the new one a bare name
    (:func:`label_of`) that is not ``taken``, not in the old stretch, and not written in ``earlier``
    (the document before the step); the old stretch no bare name itself (``p_i`` written ``q_i`` is a
    slip); and the old side must read the same with its stretch in parentheses (so the stretch is a
    whole part: ``2 \cdot a + b = 2 \cdot c`` names nothing).
    """
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    while start > 0 and (after[start - 1].isalnum() or after[start - 1] == "\\"):
        start -= 1  # the stretch begins where a name does: \ell against \log shares "\l"
    most = 0
    while most < min(len(before), len(after)) - start and before[-1 - most] == after[-1 - most]:
        most += 1
    for end in range(most, -1, -1):  # the longest common tail that leaves a whole name
        found = _named_stretch(before, after, start, end, readings, taken)
        if found is not None:
            break
    else:
        return None
    new, old = found
    written = re.escape(new.split("_")[0].strip()) + (r"(?![A-Za-z])" if new[:1].isalpha() or new[:1] == "\\" else "")
    if re.search(r"(?<![A-Za-z\\])" + written, earlier) or _written_as_token(new, earlier):
        return None  # written before (also inside a word of letters: the x of dx): no new name
    return new, old


def _written_as_token(name: str, text: str) -> bool:
    """Whether the letter or command ``name`` begins with is one of ``text``'s tokens (``x`` in ``\\frac{dL}{dx}``),
    read a stretch between spaces at a time; a stretch that cannot be tokenized holds it where it holds its text."""
    try:
        head = tokenize(name)[0].text
    except LatexError:
        return True
    for chunk in text.split():
        try:
            if any(t.text == head for t in tokenize(chunk)):
                return True
        except LatexError:
            if head in chunk:
                return True
    return False


#: What a new name may look like (checked before it is read): ``\ell_j``, ``q``, ``h_{ij}``, ``\hat{y}_i``.
_LOOKS_LIKE_A_NAME = re.compile(r"(?:\\[A-Za-z]+(?:\{\s*\\?[A-Za-z]+\s*\})?|[A-Za-z])"
                                r"(?:\s*_\s*(?:\{[A-Za-z0-9, ]{1,8}\}|[A-Za-z0-9]))?")


def _named_stretch(before: str, after: str, start: int, end: int, readings: Readings,
                   taken: set[str]) -> tuple[str, str] | None:
    """(new, old): the stretches of ``after`` and ``before`` from ``start`` to ``end`` characters before
    their ends, when the new one is a bare name not ``taken`` and the old one a whole part without it."""
    old, new = before[start : len(before) - end].strip(), after[start : len(after) - end].strip()
    if not old or not _LOOKS_LIKE_A_NAME.fullmatch(new):
        return None
    try:
        named = read_unevaluated(new, readings)
        label = label_of(named) if named is not None else None
        if label is None or label in taken or label in _names(parse_expression(old, readings)):
            return None
        written = read_unevaluated(old, readings)
        if written is None or label_of(written) is not None:
            return None  # a name written as another name is a slip, not a definition
        grouped = before[:start] + "{(" + old + ")}" + before[len(before) - end :]
        if parse_expression(grouped, readings) != parse_expression(before, readings):
            return None
    except LatexError:
        return None
    return new, old


_HEAD = re.compile(r"\s*(?:\\(?:operatorname|mathrm|text|textrm)\s*\{(?P<word>[A-Za-z]{2,})\}|(?P<bare>[A-Za-z]{2,}))"
                   r"\s*(?:\\left\s*)?\(")


def function_head(lhs_text: str) -> str | None:
    r"""The name of the function whose head ``lhs_text`` begins with, when it is written as a word of
    several letters: ``\operatorname{swish}(x)``, ``\text{GELU}(x)``, ``Sig(x)``, ``ReLU(z)``.

    Such a name may be defined by the document, also where the reader knows a function of that name
    (``\operatorname{swish}(x) = x \cdot \operatorname{sigmoid}(\beta x)`` is the author's swish, with its β).
    A LaTeX command (``\tanh``, ``\sigma``) always means the function it names, and a run of letters
    is a name only when it is a function the reader knows or is capitalised (``Sig``, not ``xy``).
    """
    m = _HEAD.match(lhs_text)
    if m is None:
        return None
    word = m.group("word") or m.group("bare")
    key = word.lower()
    if m.group("bare") and key not in FUNCTIONS and not (word[0].isupper() and word[1:].islower()):
        return None
    return key


#: ``\frac{\partial}{\partial w_j}`` (or ``d``) before an operand.
_OPERATOR = re.compile(r"\s*\\[dt]?frac\s*\{\s*(?:\\partial|d)\s*\}\s*\{(?:[^{}]|\{[^{}]*\})*\}")


def defined_by_derivative(lhs_text: str, rhs_text: str, readings: Readings, taken: set[str]) -> tuple[str, str] | None:
    r"""``(name, operand)`` where a chain begins :math:`\partial E/\partial w = \partial/\partial w \, F` for a
    name E that is not defined, not ``taken`` and not in F: the author differentiates E by writing out what
    it stands for, so E stands for F (the step is its definition, not judged)."""
    m = _OPERATOR.match(rhs_text)
    scan = replace(readings, any_name=True)
    try:
        lhs = parse_expression(lhs_text, scan)
        rhs = parse_expression(rhs_text, scan)
        operand = parse_expression(rhs_text[m.end() :], scan) if m else None
    except LatexError:
        return None
    if operand is None or not isinstance(lhs, sp.Derivative) or not isinstance(rhs, sp.Derivative) or \
            rhs != sp.Derivative(operand, *rhs.variables) or lhs.variables != rhs.variables:
        return None
    name = label_of(lhs.expr)
    if not isinstance(lhs.expr, sp.Symbol) or name in taken or name in readings.defined or name in names_in(operand):
        return None
    return name, rhs_text[m.end() :].strip()


_WORD = re.compile(r"\s*\\(?:operatorname|mathrm|text|textrm)\s*\{(?P<word>[A-Za-z]{2,})\}\s*")


def word_name(lhs_text: str) -> str | None:
    r"""The name a left side written as a word alone defines: ``\text{rstd}`` (the reader reads such a word
    only once it is defined).  Not a function the reader knows (``\operatorname{softmax}`` alone is no name)."""
    m = _WORD.fullmatch(lhs_text)
    if m is None or m.group("word").lower() in FUNCTIONS or m.group("word").lower() in VECTOR_FUNCTIONS:
        return None
    return m.group("word")


def _names(expr: sp.Expr) -> set[str]:
    found = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    found |= {str(node.base.label) for node in expr.atoms(sp.Indexed)}
    return found | {type(f).__name__ for f in expr.atoms(AppliedUndef)}


def parse_all(definitions: tuple[tuple[str, ...], ...],
              readings: Readings) -> tuple[list[tuple[sp.Expr, sp.Expr]], dict[str, str]]:
    """Each definition ``(lhs, rhs)`` read; :class:`LatexError` names the first that cannot be.  Also the
    upstream names that cannot be modelled, with why (a step using one cannot be read).

    An upstream name ``(name, lhs, rhs, "upstream")`` -- f as an unknown function of the element (or
    symbol) written in ``rhs`` -- becomes its first-order model (:func:`backprop_derive.verify.graph.upstream_model`);
    a dependent name ``(name, lhs, v, "dependent")`` its model in v (:func:`backprop_derive.verify.graph.model`),
    its value alone where the kind is ``constant``.
    """
    from backprop_derive.verify.numeric import bound_apart

    parsed = [(parse_expression(d[1], readings), bound_apart(parse_expression(d[2], readings)))
              for d in definitions if _kind(d) == "definition"]
    arguments: dict[str, list[sp.Expr]] = {}
    for d in definitions:
        if _kind(d) == "upstream":
            arguments.setdefault(d[0], []).append(parse_expression(d[2], readings))
    dependent = [(lhs, model(lhs, parse_expression(d[2], readings), _kind(d) == "constant"))
                 for d in definitions if _kind(d) in ("dependent", "constant")
                 for lhs in [parse_expression(d[1], readings)]]
    models, refused = [], {}
    for name, args in arguments.items():
        try:
            models.append((sp.Symbol(name, real=True), upstream_model(name, args, parsed)))
        except LatexError as err:  # only a step that uses the name cannot be read
            refused[name] = err.message
    return parsed + dependent + models, refused


def names_of(definitions: tuple[tuple[str, ...], ...], refused: dict[str, str]) -> list[str]:
    """The name of each entry :func:`parse_all` returns, in its order."""
    plain = [d[0] for d in definitions if _kind(d) == "definition"]
    plain += [d[0] for d in definitions if _kind(d) in ("dependent", "constant")]
    return plain + [n for n in dict.fromkeys(d[0] for d in definitions if _kind(d) == "upstream") if n not in refused]


def _kind(definition: tuple[str, ...]) -> str:
    return definition[3] if len(definition) > 3 else "definition"


def upstream_arguments(definitions: tuple[tuple[str, ...], ...], readings: Readings) -> dict[str, list[sp.Expr]]:
    """Each upstream name's arguments (the outputs it is an unknown function of), read."""
    found: dict[str, list[sp.Expr]] = {}
    for d in definitions:
        if _kind(d) == "upstream":
            found.setdefault(d[0], []).append(parse_expression(d[2], readings))
    return found


def put_in(expr: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]], refused: dict[str, str] | None = None,
           kept: frozenset[str] = frozenset(), arguments: dict[str, list[sp.Expr]] | None = None
           ) -> tuple[sp.Expr, set[int]]:
    """``expr`` with its derivatives of defined names worked out (:func:`backprop_derive.verify.graph.differentiate`),
    then every defined name but those ``kept`` replaced by what it stands for; and which definitions were
    used.  An upstream name's derivative by its own argument is its free gradient
    (:func:`backprop_derive.verify.graph.upstream_gradients`; ``arguments``: :func:`upstream_arguments`).
    :class:`LatexError` where ``expr`` still uses an upstream name in ``refused``."""
    used: set[int] = set()
    if arguments:
        before = expr
        expr = upstream_gradients(expr, arguments)
        if expr != before:
            used |= {n for n, (lhs, _) in enumerate(parsed) if label(lhs) in arguments and label(lhs) not in
                     names_in(expr) and label(lhs) in names_in(before)}
    for name in sorted(set(refused or ()) & names_in(expr)):
        raise LatexError(f"{name}: {refused[name]}", 1)
    plain = [lhs for lhs, rhs in parsed if not any(str(s).startswith(JET) for s in rhs.free_symbols)]
    expr = differentiate(as_products(expr, plain), parsed, used)  # an upstream f(a) stays unknown
    primed = expr.replace(lambda n: isinstance(n, sp.Derivative) and n.variables == (PRIME,),
                          lambda n: sp.Derivative(expand(n.expr, parsed, used=used), PRIME))  # y' by y's variable
    return expand(_primes(primed), parsed, keep=kept, used=used), used


def variable_primes(exprs: list[sp.Expr], parsed: list[tuple[sp.Expr, sp.Expr]]) -> list[sp.Expr]:
    r"""The step's sides with each prime on a variable that is not defined (``x'`` in
    :math:`y' = x' \sigma(x) + x \sigma(x)'`, product rule) as 1: the derivative of x by x.  Only where every
    other prime of the step is on a defined name whose definition has that one variable (y' of
    :math:`y = x \sigma(x)` is by x); :class:`LatexError` otherwise, since by another variable x' is 0 or unknown.
    """
    def primed(node) -> bool:
        return isinstance(node, sp.Derivative) and node.variables == (PRIME,)

    defined = {label(lhs) for lhs, _ in parsed}
    marks = {n for e in exprs for n in e.atoms(sp.Derivative) if primed(n)}
    bare = {n for n in marks if isinstance(n.expr, sp.Symbol) and n.expr.name not in defined}
    if not bare:
        return exprs
    variables = set()
    for node in marks - bare:
        inner = expand(node.expr, parsed)
        variables |= {s for s in inner.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer and s != PRIME}
    by = {n.expr for n in bare}
    if len(by) != 1 or variables != by:
        name = sorted(str(s) for s in by)[0]
        raise LatexError(f"a prime on the variable {name}: by which variable? (it is 1 only where the step's other "
                         f"primes are on names defined through {name} alone)", 1)
    return [e.xreplace({n: sp.Integer(1) for n in bare}) for e in exprs]


def bindable(parsed: list[tuple[sp.Expr, sp.Expr]]) -> frozenset[str]:
    r"""The names that stand for one number at a point (:func:`backprop_derive.verify.graph.scalar_names`): kept as
    symbols whose values are computed once per point (:func:`with_bindings`) instead of copied into every
    term that uses them (a batch variance inside each x̂_j would make a sum of m² terms)."""
    return frozenset(scalar_names(parsed))


def bindings(exprs: list[sp.Expr], parsed: list[tuple[sp.Expr, sp.Expr]],
             kept: frozenset[str]) -> tuple[list[tuple[sp.Expr, sp.Expr]], set[int]]:
    """The kept names that ``exprs`` use, each with its definition put in to the leaves, and their numbers."""
    written = set().union(*(names_in(e) for e in exprs)) if exprs else set()
    nodes = {n for e in exprs for n in (*e.atoms(sp.Indexed), *e.atoms(sp.Symbol))}
    bound, numbers = [], set()
    for number, (lhs, rhs) in enumerate(parsed):
        if label(lhs) in kept and label(lhs) in written:
            same = [n for n in nodes if label(n) == label(lhs) and type(n) is type(lhs)
                    and (not isinstance(lhs, sp.Indexed) or defines_element(lhs, rhs, n))]
            for node in sorted(same, key=sp.default_sort_key):
                bound.append((node, expand(substitute(node, lhs, rhs), parsed, used=numbers)))
            numbers.add(number)
    return bound, numbers


def with_bindings(constraints, bound: list[tuple[sp.Expr, sp.Expr]]):
    """``constraints`` (:meth:`backprop_derive.verify.assumptions.System.constraints`) that also compute each bound
    name's value from the point's coordinates (exactly: the definition at the point)."""
    from backprop_derive.verify.assumptions import unknowns
    from backprop_derive.verify.numeric import concrete

    def solve(values: dict | None = None):
        solved = constraints(values)
        values = values or {}
        derived = {k.xreplace(values): concrete(v, values) for k, v in bound}
        needed = frozenset().union(*(unknowns(v) for v in derived.values()))
        return _Bound(solved.pivots, solved.branches, {**solved.derived, **derived}, solved.checks, solved.declined,
                      solved.clash, needed)

    return solve


@dataclass(frozen=True)
class _Bound(Constraints):
    """Constraints whose ``derived`` values include bound names; the coordinates they need are drawn."""

    needed: frozenset = frozenset()

    def parameters(self) -> set:
        return (super().parameters() | self.needed) - self.solved()


def written_in(expr: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]]) -> sp.Expr:
    """``expr`` with every defined name replaced by what it stands for, its derivatives not worked out: the step as
    written, for a diagnosis (``d/dw σ(wx + b)`` written as ``σ'(wx + b)`` drops the inner derivative)."""
    try:
        return _primes(expand(expr, parsed))
    except (TypeError, ValueError, AttributeError):
        return expr


def _primes(expr: sp.Expr) -> sp.Expr:
    """``y'`` (a derivative by :data:`PRIME`) as the derivative by the one variable y's definition has."""

    def by_its_variable(node):
        inner = node.expr
        variables = sorted((s for s in inner.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer
                            and s != PRIME), key=str)
        if len(variables) != 1:
            return node
        return sp.Derivative(inner, variables[0])

    return expr.replace(lambda n: isinstance(n, sp.Derivative) and n.variables == (PRIME,), by_its_variable)


#: ``\sum`` written alone, as a value: no index after it (``\sum -``, ``\sum^2``, ``{\sum}``).
_BARE_SUM = re.compile(r"\\sum(?![A-Za-z])(?!\s*_)(?!\s*\^\s*(?:\{[^{}]*\}|\w)\s*_)")


def bare_sum(chain, definitions) -> Definition | None:
    r"""A definition of ``\sum`` written alone (``\frac{e^{a_i} \times \sum - …}{\sum^2}``) as the one sum
    the definitions in force hold (:math:`\sum_k e^{a_k}` of :math:`S_i`), when ``chain`` writes it so
    and the definitions hold exactly one sum (up to the name of its index); else None, and the
    reader says that ``\sum`` needs an index."""
    from backprop_derive.verify.latex.constructs import BARE_SUM

    if not any(_BARE_SUM.search(side.text) for side in chain.sides) or any(d.name == BARE_SUM for d in definitions):
        return None
    readings = Readings(defined=frozenset(d.name for d in definitions))
    found = {}
    for d in definitions:
        try:
            rhs = parse_expression(d.rhs, readings)
        except LatexError:
            continue
        for total in rhs.atoms(sp.Sum):
            if len(total.limits) == 1:
                index, low, high = total.limits[0]
                found.setdefault((total.function.xreplace({index: _INDEX}), low, high), (total, d.line))
    if len(found) != 1:
        return None
    (total, line), = found.values()
    text = sp.latex(total)
    return Definition(BARE_SUM, "\\sum", text, line, f"\\sum alone: the one sum defined before, {text}")


_INDEX = sp.Symbol("k_", integer=True)
