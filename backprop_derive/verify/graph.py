r"""Derivatives of names defined elsewhere: a document's definitions as a computational graph.

Each definition ``A = e`` (:mod:`backprop_derive.verify.definitions`) is a node; the names written in ``e`` are
A's *direct arguments* (``\hat{x}_i = (x_i - \mu)/\sqrt{\sigma^2 + \epsilon}`` has x, μ and σ²).
What :math:`\partial E/\partial B` means, for a name or an expression E and a variable B:

1. A defined name stands for its definition: :math:`\partial A/\partial B = \partial e_A/\partial B`.
2. **A direct argument.**  When B is written in E, the derivative is the partial one: every other
   name written in E is held fixed, also one that itself depends on B.  So
   :math:`\partial \hat{x}_i/\partial \mu = -1/\sqrt{\sigma^2 + \epsilon}` with σ² held, and
   :math:`\partial \sigma^2/\partial x_i = \tfrac{2}{m}(x_i - \mu)` with μ held -- as the sources
   write them, and as the chain rule's factors are meant.
3. **Every path.**  Otherwise the derivative is the total one: every defined name in E is replaced
   by its definition, again and again, except B itself, and the result is differentiated by B.  The
   names below B (the leaves, e.g. the inputs x when B = μ) are held.  So ∂f/∂μ follows μ into
   each x̂_j both directly and through σ², and ∂f/∂x_i follows x_i through x̂_i, μ and σ².

After the derivative is taken every name left in it is put in (its value: μ is the batch's mean),
which is what makes a chain-rule product of such factors comparable with a total derivative.

**Upstream names.**  A name that is never defined but differentiated by the output of the graph
(``\frac{\partial f}{\partial y_i}``, "f is the layer above") is an unknown function of that output
Y only (:func:`upstream_names` decides when the document says so).  It is modelled by its first-order
Taylor polynomial at the point, :math:`f = f_0 + \sum_j g_j Y_j`, with the value :math:`f_0` and the
gradient :math:`g_j = \partial f/\partial Y_j` free symbols.  Every statement about values and first
derivatives of f that holds for all such affine f holds for every differentiable f: the chain rule
:math:`\partial f/\partial B = \sum_j g_j\, \partial Y_j/\partial B` depends on f only through its value
and gradient at the point.  A second derivative of f would need more, and is refused.  The sum runs
over the elements of Y: as many as the definitions' sums count (``\sum_{i=1}^{m}`` gives m); where
they do not agree on one count, the step cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp
from sympy.core.function import AppliedUndef

from backprop_derive.verify.latex.parser import PRIME
from backprop_derive.verify.latex.tokens import LatexError

#: Rounds of putting definitions in (a definition may use names defined before it).
MAX_ROUNDS = 10
#: The name prefix of the free symbols of an upstream name's model (``∂f/∂y``, ``f₀``): no name the reader
#: makes can start with it.
JET = "∂"
#: The name prefix of a dependent name's slope :math:`\partial N/\partial v` (the upstream models' prefix twice).
SLOPE = JET + JET


def label(node: sp.Expr) -> str | None:
    """The name of a symbol or vector element (``xhat`` of ``xhat[i]``); None for anything else."""
    if isinstance(node, sp.Indexed):
        return str(node.base.label)
    if isinstance(node, sp.Symbol) and not node.is_integer:
        return node.name
    return None


def names_in(expr: sp.Expr) -> set[str]:
    """The names written in ``expr``: symbols, vector elements, unknown functions."""
    found = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer}
    found |= {str(n.base.label) for n in expr.atoms(sp.Indexed)}
    return found | {type(f).__name__ for f in expr.atoms(AppliedUndef)}


def substitute(expr: sp.Expr, lhs: sp.Expr, rhs: sp.Expr) -> sp.Expr:
    """``expr`` with the name ``lhs`` replaced by ``rhs``: every element of an indexed name (``S_j`` is the
    right side with i set to j), every application of a function name."""
    if isinstance(lhs, sp.Symbol):
        return as_products(expr, [lhs]).xreplace({lhs: rhs})
    if isinstance(lhs, sp.Indexed):
        indices = lhs.indices
        return expr.replace(lambda node: defines_element(lhs, rhs, node),
                            lambda node: rhs.xreplace(dict(zip(indices, element_indices(lhs, node), strict=True))))
    function, parameters = type(lhs), lhs.args
    expr = expr.replace(lambda node: type(node) is function and len(node.args) == len(parameters),
                        lambda node: rhs.xreplace(dict(zip(parameters, node.args, strict=True))))
    bare = sp.Symbol(function.__name__, real=True)  # df/dx: the name alone stands for f(x)
    return expr.xreplace({bare: rhs})


def element_indices(lhs: sp.Indexed, node: sp.Basic) -> tuple[sp.Expr, ...] | None:
    """The indices of ``node`` as an element of the name ``lhs`` defines, or None where it is none.  A number of as
    many digits as the name takes indices is one index a digit (``\\delta_{12}`` of ``\\delta_{ij}`` is δ_{1,2})."""
    if not isinstance(node, sp.Indexed) or node.base.label != lhs.base.label:
        return None
    indices = node.indices
    if len(indices) == len(lhs.indices):
        return indices
    digits = str(indices[0]) if len(indices) == 1 and indices[0].is_Integer and indices[0] > 0 else ""
    if len(lhs.indices) > 1 and len(digits) == len(lhs.indices) and "0" not in digits:
        return tuple(sp.Integer(int(d)) for d in digits)
    return None


def defines_element(lhs: sp.Indexed, rhs: sp.Expr, node: sp.Basic) -> bool:
    """Whether the definition ``lhs = rhs`` of an indexed name gives the element ``node``.

    ``S_i = e^{z_i}/…`` gives every element (``S_j`` is the right side with i set to j).  A subscript the right side
    does not use is a label, not an index: ``\\delta_o = \\hat y - y`` gives δ_o alone, and says nothing of
    ``\\delta_{h_t}``, which a reader must not take to be ŷ - y too."""
    indices = element_indices(lhs, node)
    if indices is None:
        return False
    used = rhs.free_symbols
    return all(mine == theirs for mine, theirs in zip(lhs.indices, indices, strict=True) if mine not in used)


def as_products(expr: sp.Expr, names: Iterable[sp.Expr]) -> sp.Expr:
    """``y(1 - y)``, where y is defined as a symbol (one of ``names``), is the product y·(1 - y)."""
    for name in names:
        if isinstance(name, sp.Symbol):
            expr = expr.replace(lambda n, s=name.name: isinstance(n, AppliedUndef) and type(n).__name__ == s
                                and len(n.args) == 1, lambda n, s=name: s * n.args[0])
    return expr


def expand(expr: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]], keep: Iterable[str] = (),
           used: set[int] | None = None) -> sp.Expr:
    """``expr`` with every defined name put in, repeatedly, except the names ``keep``."""
    keep = set(keep)
    for _ in range(MAX_ROUNDS):
        before = expr
        for number, (lhs, rhs) in enumerate(parsed):
            if label(lhs) in keep:
                continue
            after = substitute(expr, lhs, rhs)
            if after != expr:
                if used is not None:
                    used.add(number)
                expr = after
        if expr == before:
            break
    return expr


def differentiate(expr: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]], used: set[int]) -> sp.Expr:
    """Every written derivative in ``expr`` that involves a defined name, worked out by the rule above
    (innermost first); ``used`` collects the definitions it put in."""
    defined = {label(lhs) or type(lhs).__name__ for lhs, _ in parsed}

    def involves(node) -> bool:
        if not isinstance(node, sp.Derivative) or PRIME in node.variables:
            return False
        return bool((names_in(node.expr) | {label(v) for v in node.variables}) & defined)

    def work(node):
        inner = node.expr
        for variable, count in node.variable_count:
            for _ in range(count):
                inner = _partial(inner, variable, parsed, used)
        return inner

    return expr.replace(involves, work)


def _partial(expr: sp.Expr, by: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]], used: set[int]) -> sp.Expr:
    r""":math:`\partial\,\mathrm{expr}/\partial\,\mathrm{by}` by rules 1-3 of the module docstring."""
    if any(str(s).startswith(JET) for s in _jet_atoms(expr)):
        raise LatexError("a second derivative of an upstream name, which is known only through its value and "
                         "first derivatives (write its definition instead)", 1)
    _check_shapes(expr, by, parsed)
    name = label(by)
    if name not in set().union(*(names_in(rhs) | {label(lhs)} for lhs, rhs in parsed)) and \
            any(str(s).startswith(JET) for s in _jet_atoms(expand(expr, parsed))):
        raise LatexError(f"a derivative by {name}, which no definition holds, of a name known only as a function "
                         "of the graph's outputs: it cannot be read", 1)
    for number, (lhs, rhs) in enumerate(parsed):  # 1. a defined name stands for its definition
        if _is_name_of(expr, lhs):
            expr = substitute(expr, lhs, rhs)
            used.add(number)
            break
    if name not in names_in(expr):  # 3. every path from B
        return _total(expr, by, parsed, used)
    return _collapse_deltas(sp.diff(expr, by))  # 2.: the names left are held


def _total(expr: sp.Expr, by: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]], used: set[int],
           depth: int = 0) -> sp.Expr:
    r"""The total derivative :math:`d\,\mathrm{expr}/d\,\mathrm{by}` along every path, by the chain rule over
    the graph: the names B does not reach are constants; the element-wise names on a path are put in; each
    scalar name S on a path (μ, σ²) is kept and contributes :math:`\partial e/\partial S \cdot dS/dB`
    (so that the batch's statistics are not copied into every term)."""
    if depth > MAX_ROUNDS:
        raise LatexError("the definitions depend on each other in a circle", 1)
    name = label(by)
    on_path = reached_from(name, parsed)
    scalars = scalar_names(parsed) & on_path - {name}
    keep = {name} | (set(_closures(parsed)) - on_path) | scalars
    expr = expand(expr, parsed, keep=keep, used=used)
    result = sp.diff(expr, by)
    for node in sorted((n for n in (*expr.atoms(sp.Indexed), *expr.atoms(sp.Symbol)) if label(n) in scalars
                        and not (isinstance(n, sp.Symbol) and n in {i.base.label for i in expr.atoms(sp.Indexed)})),
                       key=str):
        number, (lhs, rhs) = next((k, d) for k, d in enumerate(parsed) if label(d[0]) == label(node))
        used.add(number)
        result += sp.diff(expr, node) * _total(substitute(node, lhs, rhs), by, parsed, used, depth + 1)
    return _collapse_deltas(result)


def scalar_names(parsed: list[tuple[sp.Expr, sp.Expr]]) -> set[str]:
    r"""The defined names that stand for one number at a point: a symbol (``\mu``, ``\sigma^2``) or one element
    whose definition does not use its index (``\mu_B``); not the upstream names' models."""
    found: set[str] = set()
    for _ in range(MAX_ROUNDS):  # σ²_B is one number when μ_B is: its B is only μ_B's
        before = set(found)
        for lhs, rhs in parsed:
            if any(str(s).startswith(JET) for s in _jet_atoms(rhs)):
                continue
            held = rhs.xreplace({n: sp.Dummy() for n in rhs.atoms(sp.Indexed) if label(n) in found})
            if isinstance(lhs, sp.Symbol) or (isinstance(lhs, sp.Indexed) and not set(lhs.indices) & held.free_symbols):
                found.add(label(lhs))
        if found == before:
            break
    return found


def _collapse_deltas(expr: sp.Expr) -> sp.Expr:
    r""":math:`\sum_{j=1}^{m} \delta_{ij} h_j = h_i`, for an index i in the sum's range -- as every step with a
    count assumes of its indices (the proof's ``i in 1..m``).  What keeps the derivative of a sum by one of
    its elements from growing by a factor m at each step.  A term whose delta is not a plain factor stays in
    the sum."""

    def one(node):
        (variable, low, high), = node.limits
        collapsed, rest = [], []
        for term in sp.Add.make_args(node.function):
            delta = next((f for f in sp.Mul.make_args(term) if isinstance(f, sp.KroneckerDelta)
                          and _solved_for(f, variable) is not None), None)
            if delta is None:
                rest.append(term)
            else:
                collapsed.append((term / delta).xreplace({variable: _solved_for(delta, variable)}))
        return sp.Add(*collapsed) + (sp.Sum(sp.Add(*rest), (variable, low, high)) if rest else 0)

    def has_delta(node) -> bool:
        return isinstance(node, sp.Sum) and len(node.limits) == 1 and any(
            node.limits[0][0] in d.free_symbols for d in node.function.atoms(sp.KroneckerDelta))

    return expr.replace(has_delta, one)


def _solved_for(delta: sp.KroneckerDelta, variable: sp.Symbol) -> sp.Expr | None:
    """The index ``delta`` sets ``variable`` to, where one side is the variable itself and the other does
    not hold it (δ_{ij} by j gives i); None otherwise."""
    a, b = delta.args
    if a == variable and variable not in b.free_symbols:
        return b
    if b == variable and variable not in a.free_symbols:
        return a
    return None


def _closures(parsed: list[tuple[sp.Expr, sp.Expr]]) -> dict[str, set[str]]:
    """Each defined name and every name its definition depends on, directly or through other definitions."""
    direct = {label(lhs) or type(lhs).__name__: names_in(rhs) for lhs, rhs in parsed}
    closed = {}
    for name in direct:
        seen, todo = set(), [name]
        while todo:
            for other in direct.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        closed[name] = seen
    return closed


def reached_from(name: str, parsed: list[tuple[sp.Expr, sp.Expr]]) -> set[str]:
    """The defined names that depend on ``name``: those on a path from it."""
    return {n for n, below in _closures(parsed).items() if name in below}


def _is_name_of(expr: sp.Expr, lhs: sp.Expr) -> bool:
    if isinstance(lhs, sp.Symbol):
        return expr == lhs
    if isinstance(lhs, sp.Indexed):
        return isinstance(expr, sp.Indexed) and expr.base.label == lhs.base.label and \
            len(expr.indices) == len(lhs.indices)
    return type(expr) is type(lhs) or expr == sp.Symbol(type(lhs).__name__, real=True)


def _jet_atoms(expr: sp.Expr) -> Iterable[sp.Basic]:
    yield from (s for s in expr.free_symbols if isinstance(s, sp.Symbol))
    yield from (n.base.label for n in expr.atoms(sp.Indexed))


def _check_shapes(expr: sp.Expr, by: sp.Expr, parsed: list[tuple[sp.Expr, sp.Expr]]) -> None:
    """An element ``y_k`` of a name defined as a scalar ``y`` (or the reverse) is not what the definition says:
    its derivative would silently be 0."""
    shapes = {label(lhs): isinstance(lhs, sp.Indexed) for lhs, _ in parsed if label(lhs) is not None}
    elements = expr.atoms(sp.Indexed)
    scalars = expr.atoms(sp.Symbol) - {n.base.label for n in elements}
    written = [n for n in (*elements, *scalars, by) if label(n) in shapes]
    for node in written:
        if isinstance(node, sp.Indexed) != shapes[label(node)]:
            what = "a scalar" if not shapes[label(node)] else "element by element"
            raise LatexError(f"{label(node)} is defined {what}, and written here "
                             f"{'with' if isinstance(node, sp.Indexed) else 'without'} an index: its derivative "
                             "cannot be read", 1)


def bare_elements(exprs: list[sp.Expr], parsed: list[tuple[sp.Expr, sp.Expr]]) -> tuple[list[sp.Expr], list[str]]:
    r"""A name the definitions write only element by element (``\hat{x}_i = …``, or an input ``x_i``), written in a
    step without an index, read as its element: at the step's one free index where it has one (``\partial
    f/\partial x = … (x_i - \mu)`` is about x_i), else at the definition's own index, free, so that the claim
    must hold for every element (``\partial\hat{x}/\partial\sigma^2 = \sum_i …`` claims each
    :math:`\partial\hat{x}_i/\partial\sigma^2` is that sum).  Not read so, and left to the error of
    :func:`_check_shapes`: a step with several free indices, and one where two factors of a product hold such
    names (``\frac{\partial f}{\partial\hat{x}} \cdot \frac{\partial\hat{x}}{\partial\sigma^2}``: a dot
    product, or a product of elements?).  Returns the sides and the notes that say what was read."""
    indexed: dict[str, sp.Indexed] = {}
    plain: set[str] = set()
    for lhs, rhs in parsed:
        for node in (lhs, *rhs.atoms(sp.Indexed)):
            if isinstance(node, sp.Indexed) and len(node.indices) == 1 and isinstance(node.indices[0], sp.Symbol):
                indexed.setdefault(str(node.base.label), node)
        plain |= {s.name for s in _bare_symbols(lhs) | _bare_symbols(rhs)}
    elementwise = set(indexed) - plain
    bare = {s for e in exprs for s in _bare_symbols(e) if s.name in elementwise}
    from backprop_derive.core.functions import IndexedFunction

    vectors = {s for e in exprs for f in e.atoms(IndexedFunction, AppliedUndef) for s in _bare_symbols(f)}
    if not bare or bare & vectors:  # softmax(z), g(x): a function of the whole vector
        return exprs, []
    for expr in exprs:
        for product in expr.atoms(sp.Mul):
            if sum(1 for factor in product.args if _bare_symbols(factor) & bare) > 1:
                return exprs, []
    from backprop_derive.verify.numeric import counts_and_indices

    _, free = counts_and_indices(*exprs)
    if len(free) > 1:
        return exprs, []
    notes, out = [], list(exprs)
    for symbol in sorted(bare, key=str):
        element = indexed[symbol.name]
        index = next(iter(free)) if free else element.indices[0]
        out = [e.xreplace({symbol: element.base[index]}) for e in out]
        how = "the step's index" if free else "every element: the claim must hold for each"
        notes.append(f"{symbol.name} written without an index, read as {symbol.name}_{index} ({how}; the "
                     f"definitions write {symbol.name} element by element)")
    return out, notes


def _bare_symbols(expr: sp.Expr) -> set[sp.Symbol]:
    """The symbols written in ``expr`` outside any element (the ``x`` of ``x_i`` is its base, not a bare x)."""
    if isinstance(expr, sp.Indexed):
        return set()
    if isinstance(expr, sp.Symbol):
        return {expr} if not expr.is_integer else set()
    return set().union(set(), *(_bare_symbols(a) for a in expr.args if isinstance(a, sp.Basic)))


def model(lhs: sp.Expr, variable: sp.Expr, constant: bool = False) -> sp.Expr:
    r"""The first-order model :math:`N_0 + G\,v` of the dependent name ``lhs`` (a symbol or an element) of
    ``variable``; its value alone where the reading holds it ``constant``."""
    name = label(lhs)
    if isinstance(lhs, sp.Indexed):
        value = sp.IndexedBase(f"{JET}{name}₀")[lhs.indices]
    else:
        value = sp.Symbol(f"{JET}{name}₀", real=True)
    if constant:
        return value
    own = tuple(lhs.indices) if isinstance(lhs, sp.Indexed) else ()
    more = tuple(i for i in (variable.indices if isinstance(variable, sp.Indexed) else ()) if i not in own)
    slope_name = f"{SLOPE}{name}/{JET}{label(variable)}"
    slope = sp.IndexedBase(slope_name)[(*own, *more)] if own or more else sp.Symbol(slope_name, real=True)
    return value + slope * variable


def upstream_model(name: str, arguments: list[sp.Expr], parsed: list[tuple[sp.Expr, sp.Expr]]) -> sp.Expr:
    r"""The first-order model :math:`f_0 + \sum_j g_j Y_j` of the upstream name ``name`` over its
    ``arguments`` (each a symbol Y, or an element Y_i of an indexed name)."""
    model = sp.Symbol(f"{JET}{name}₀", real=True)
    for argument in arguments:
        gradient = f"{JET}{name}/{JET}{label(argument)}"
        if isinstance(argument, sp.Indexed):
            if len(argument.indices) != 1:
                raise LatexError(f"{name} as a function of {label(argument)}, which has several indices: "
                                 "write its definition", 1)
            count = _count(parsed, label(argument))
            j = sp.Dummy("j", integer=True, positive=True)
            base = sp.IndexedBase(argument.base.label)
            model += sp.Sum(sp.IndexedBase(gradient)[j] * base[j], (j, 1, count))
        else:
            model += sp.Symbol(gradient, real=True) * argument
    return model


def upstream_gradients(expr: sp.Expr, arguments: dict[str, list[sp.Expr]]) -> sp.Expr:
    r""":math:`\partial f/\partial Y_k` of an upstream name f (``arguments``: each name's, as in
    :func:`upstream_model`) by an element of its argument Y is the free gradient :math:`g_k`, as the model
    gives it -- with no sum over Y, so also where how many elements Y has is not known, and for an argument
    of several indices (:math:`\partial L/\partial D_{ij}`)."""

    def argument_of(node) -> sp.Expr | None:
        if not (isinstance(node, sp.Derivative) and isinstance(node.expr, sp.Symbol) and node.expr.name in arguments
                and len(node.variable_count) == 1 and node.variable_count[0][1] == 1):
            return None
        by = node.variables[0]
        for argument in arguments[node.expr.name]:
            if by == argument or (isinstance(by, sp.Indexed) and isinstance(argument, sp.Indexed) and
                                  by.base.label == argument.base.label and len(by.indices) == len(argument.indices)):
                return by
        return None

    def gradient(node) -> sp.Expr:
        by = argument_of(node)
        name = f"{JET}{node.expr.name}/{JET}{label(by)}"
        return sp.IndexedBase(name)[by.indices] if isinstance(by, sp.Indexed) else sp.Symbol(name, real=True)

    return expr.replace(lambda n: argument_of(n) is not None, gradient)


def _count(parsed: list[tuple[sp.Expr, sp.Expr]], of: str) -> sp.Expr:
    """How many elements the indexed name ``of`` has: the one upper bound of the definitions' sums (which
    all run from 1) over a name of as many elements (:func:`_alike`); a step needing it cannot be read
    where they name none, or several."""
    family = _alike(parsed, of)
    limits = {(low, high) for _, rhs in parsed for s in rhs.atoms(sp.Sum) if len(s.limits) == 1
              and _sums_over(s, family) for _, low, high in s.limits}
    highs = {high for low, high in limits if low == 1}
    if len(highs) != 1 or len(limits) != len(highs):
        bounds = ", ".join(sorted(str(h) for _, h in limits)) or "no sums"
        raise LatexError(f"how many elements {of} has is not known (the definitions' sums give {bounds}): "
                         f"define {of} with its index range", 1)
    return next(iter(highs))


def _alike(parsed: list[tuple[sp.Expr, sp.Expr]], of: str) -> set[str]:
    r"""The names with as many elements as ``of``: itself, and every name whose element the definition of one
    of them writes with its own index alone (:math:`y_i = \gamma \hat{x}_i + \beta` gives x̂, and
    :math:`\hat{x}_i = x_i - \mu` gives x).  Not :math:`x_i` in :math:`y_j = b_j + \sum_i x_i w_{ij}`: there are
    as many y as b, and the sum over i counts the x."""
    family, todo = {of}, [of]
    while todo:
        name = todo.pop()
        for lhs, rhs in parsed:
            if not (isinstance(lhs, sp.Indexed) and label(lhs) == name and len(lhs.indices) == 1):
                continue
            for node in rhs.atoms(sp.Indexed):
                if node.indices == lhs.indices and label(node) not in family:
                    family.add(label(node))
                    todo.append(label(node))
    return family


def _sums_over(total: sp.Sum, family: set[str]) -> bool:
    """Whether the sum ``total`` runs over the elements of a name in ``family`` (one is written with the sum's
    own index alone)."""
    index = total.limits[0][0]
    return any(n.indices == (index,) and label(n) in family for n in total.function.atoms(sp.Indexed))
