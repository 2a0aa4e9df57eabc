r"""Shapes inferred where a document declares none but defines a name by a matrix expression.

``z^{[l]} = W^{[l]} \cdot a^{[l-1]} + b^{[l]}`` or ``Z = X \cdot W + b`` means something only as matrices (a
capital weight times a name, a transpose, ⊙, a column of ones :math:`\mathbb 1`): the document is then read in
matrix mode with shapes inferred from its definitions, every size a symbol, by unification:

* a product :math:`AB` makes A's columns equal B's rows; a factor that is a number (a quotient of numbers,
  ``E[x]``, a lowercase Greek letter other than δ: ``\\eta W``) scales; a quotient :math:`A/s` needs a 1×1 s;
* ⊙ and a sum make shapes equal -- except that a lowercase name added alone to a product (a bias) is read
  three ways: of the product's shape, a 1×c row added to every row, or an r×1 column added to every column
  (broadcast), every bias of the document the same way.  Every reading is kept
  (:attr:`InferredShapes.readings`), and a claim is ``equal``/``not_equal`` only where all of them agree;
* a transpose swaps the sizes, an elementwise function keeps them, :math:`I` is square, :math:`\mathbf 1_d`
  is a d×1 column;
* a lowercase name is a vector, a column (k×1) unless its columns are tied to a capital's size (then a
  row, 1×k); one the definitions make a matrix (``W a`` and ``a W`` together) gives no inference, except a
  bias read of its sum's shape; a capital is a matrix, never of a size 1.

A reading in which a bias broadcast is no broadcast (the product has one row) or makes the bias 1×1 is
dropped.  Anything the inference cannot follow (an entry, a sum over an index, a literal, a definition
that contradicts the others) gives no inference: the document stays scalar, with its guard.  What was
read is shown: ``shapes inferred: W h×k, a k×1, b h×1``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

import sympy as sp

from backprop_derive.verify.latex import names as latex_names
from backprop_derive.verify.latex.tokens import LatexError
from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.loss import gradients
from backprop_derive.verify.matrix.reader import name_key, read_matrix, tokens_of
from backprop_derive.verify.matrix.shapes import Declared, size_symbol

_SIZE_LETTERS = "nkhmpqrsuvw"
_SCALAR_CAPITALS = frozenset("CEJKLNRST")


class InferredShapes(tuple):
    """The first reading's declarations (a tuple of :class:`Declared`, usable wherever declared shapes are),
    with every reading in :attr:`readings` and how each is shown in :attr:`shown`."""

    readings: tuple[tuple[Declared, ...], ...]
    shown: tuple[str, ...]
    #: Per reading, definitions ``(name, lhs, rhs)`` it supplies (``\\sigma[x] = \\sqrt{Var[x]}``).
    extra: tuple[tuple[tuple[str, str, str], ...], ...]

    def __new__(cls, readings, shown, extra=None):
        made = super().__new__(cls, readings[0])
        made.readings, made.shown = tuple(readings), tuple(shown)
        made.extra = tuple(extra) if extra is not None else ((),) * len(made.readings)
        return made

    def __reduce__(self):
        return (InferredShapes, (self.readings, self.shown, self.extra))


class _ContradictionError(Exception):
    pass


class _NotFollowedError(Exception):
    pass


class _Sizes:
    """Union-find over size variables; the constant ``1`` and named sizes (``d`` of ``\\mathbb{1}_d``) are
    variables too.  A class may hold at most one named size, and a named size is never 1."""

    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, v: str) -> str:
        self.parent.setdefault(v, v)
        while self.parent[v] != v:
            self.parent[v] = self.parent[self.parent[v]]
            v = self.parent[v]
        return v

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        fixed = [r for r in (ra, rb) if _fixed(r)]
        if len(fixed) == 2:
            raise _ContradictionError(f"{ra} = {rb}")
        if fixed and fixed[0] == rb:
            ra, rb = rb, ra
        self.parent[rb] = ra

    def copy(self) -> _Sizes:
        other = _Sizes()
        other.parent = dict(self.parent)
        return other


def _fixed(v: str) -> bool:
    return v == "1" or v.startswith("=")


def _lowercase(key: str) -> bool:
    base = key.split("_")[0].split("^")[0]
    return base[:1].islower()


def _capital(key: str) -> bool:
    base = key.split("_")[0].split("^")[0]
    return len(base) == 1 and base.isupper() and base not in _SCALAR_CAPITALS


def evidence(node: nd.Node) -> bool:
    """Whether ``node`` means something only as matrices: a transpose, ⊙, a column of ones, or a capital
    weight times a name (``W a``, ``X W``)."""
    if isinstance(node, nd.Transpose | nd.Hadamard | nd.Ones):
        return True
    factors = (node.left, node.right) if isinstance(node, nd.Product) else ()
    if factors and any(isinstance(f, nd.Name) and _capital(f.key) for f in factors) \
            and all(isinstance(f, nd.Name | nd.Transpose) for f in factors):
        return True
    return any(evidence(v) for v in _children(node))


def _children(node) -> Iterable[nd.Node]:
    for value in vars(node).values():
        if isinstance(value, nd.Node):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                for part in item if isinstance(item, tuple) else (item,):
                    if isinstance(part, nd.Node):
                        yield part


class _Unifier:
    """The shapes of one reading: ``broadcast`` are the bias names read as broadcast rows (``axis`` row) or
    columns (``axis`` column)."""

    def __init__(self, definitions: dict[str, nd.Node], broadcast: frozenset[str], axis: str = "row"):
        self.definitions, self.broadcast, self.axis = definitions, broadcast, axis
        self.sizes = _Sizes()
        self.memo: dict[str, tuple[str, str]] = {}
        self.fresh = itertools.count()
        self.size_names = size_names(definitions)

    def new(self) -> str:
        return f"_{next(self.fresh)}"

    def leaf(self, key: str) -> tuple[str, str]:
        return (f"{key}.r", f"{key}.c")

    def same(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        self.sizes.union(a[0], b[0])
        self.sizes.union(a[1], b[1])

    def shape(self, node: nd.Node) -> tuple[str, str] | None:
        """(rows, columns) as size variables, or None for a number (a scalar that scales anything)."""
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise _NotFollowedError(type(node).__name__)
        return method(node)

    def _Number(self, node):
        return None

    def _Name(self, node):
        key = node.key
        if key in self.size_names:
            return None
        if key in self.definitions:
            if key not in self.memo:
                self.memo[key] = ("…", "…")  # a definition that refers to itself: no inference
                found = self.shape(self.definitions[key])
                self.memo[key] = found if found is not None else ("1", "1")
            if self.memo[key] == ("…", "…"):
                raise _NotFollowedError("a definition that refers to itself")
            return self.memo[key]
        return self.leaf(key)

    def _Product(self, node):
        a, b = self.shape(node.left), self.shape(node.right)
        for factor, shape in ((node.left, a), (node.right, b)):
            if shape is not None and self._greek_scalar(factor):
                self.same(shape, ("1", "1"))  # α X, η W: a Greek letter beside a product is a number
                a, b = (None, b) if factor is node.left else (a, None)
        if a is None or b is None:
            return b if a is None else a
        self.sizes.union(a[1], b[0])
        return (a[0], b[1])

    def _Hadamard(self, node):
        a, b = self.shape(node.left), self.shape(node.right)
        if a is None or b is None:
            raise _NotFollowedError("⊙ with a number")
        self.same(a, b)
        return a

    def _Quotient(self, node):
        a, b = self.shape(node.numerator), self.shape(node.denominator)
        if b is not None:
            self.same(b, ("1", "1"))
        return a

    def _Sum(self, node):
        shapes = [(term, self.shape(term)) for _, term in node.terms]
        known = [(t, s) for t, s in shapes if s is not None]
        if not known:
            return None
        base = next(((t, s) for t, s in known if not self._bias(t)), known[0])
        for term, s in known:
            if term is base[0]:
                continue
            if self._bias(term) and self.axis == "row":
                self.sizes.union(s[0], "1")
                self.sizes.union(s[1], base[1][1])
            elif self._bias(term):
                self.sizes.union(s[0], base[1][0])
                self.sizes.union(s[1], "1")
            else:
                self.same(s, base[1])
        return base[1]

    def _greek_scalar(self, node) -> bool:
        """A lowercase Greek leaf (not δ, the error signal): a factor of a product, it scales."""
        if not isinstance(node, nd.Name) or node.key in self.definitions:
            return False
        base = node.key.split("_")[0].split("^")[0]
        return base in latex_names.GREEK and base[:1].islower() and base != "delta"

    def _bias(self, term) -> bool:
        return isinstance(term, nd.Name) and term.key in self.broadcast

    def _Transpose(self, node):
        a = self.shape(node.arg)
        return None if a is None else (a[1], a[0])

    def _Apply(self, node):
        return self.shape(node.arg)

    _Softmax = _Apply

    def _Power(self, node):
        base = self.shape(node.base)
        if base is not None:
            self.same(base, ("1", "1"))
        return base

    def _Statistic(self, node):
        self.shape(node.arg)
        return None  # 1×1: a scalar that scales, as a number

    def _Identity(self, node):
        side = self.new()
        return (side, side)

    def _Ones(self, node):
        if node.length is None:
            return (self.new(), "1")
        if isinstance(node.length, nd.Name):
            return (f"={node.length.key}", "1")
        raise _NotFollowedError("a column of ones of a length that is no name")


def size_names(definitions: dict[str, nd.Node]) -> set[str]:
    """Names that are sizes: the length of a column of ones (``d`` of ``\\mathbb{1}_d``)."""
    return {sub.length.key for node in definitions.values() for sub in _walk(node)
            if isinstance(sub, nd.Ones) and isinstance(sub.length, nd.Name)}


def bias_names(definitions: dict[str, nd.Node]) -> list[str]:
    """Lowercase names added alone to a product in a definition (``b`` of ``X W + b``): read two ways."""
    found = []
    for node in definitions.values():
        for sub in _walk(node):
            if isinstance(sub, nd.Sum) and any(isinstance(t, nd.Product) for _, t in sub.terms):
                for _, term in sub.terms:
                    if isinstance(term, nd.Name) and term.key not in definitions and _lowercase(term.key) \
                            and term.key not in found:
                        found.append(term.key)
    return found


def _in_order(node) -> list[str]:
    """The names of ``node`` left to right (so sizes are named in reading order: X n×k, W k×h)."""
    return [sub.key for sub in sorted((s for s in _walk(node) if isinstance(s, nd.Name)), key=lambda s: s.column)]


def _walk(node):
    yield node
    for child in _children(node):
        yield from _walk(child)


def infer_shapes(pairs: Iterable[tuple[str, str]]) -> InferredShapes | None:
    """The shapes of a document without declarations, from its definitions ``(lhs, rhs)`` in order, or None
    when no definition means something only as matrices, or the inference cannot follow one."""
    pairs = list(pairs)
    definitions: dict[str, nd.Node] = {}
    for lhs, rhs in pairs:
        key = name_key(lhs)
        if key is None or key in definitions:
            continue
        try:
            node = read_matrix(rhs)
        except LatexError:
            continue
        if key in nd.names(node) or gradients(node):
            continue
        definitions[key] = node
    if not any(evidence(node) for node in definitions.values()):
        return None
    definitions = _connected(definitions)
    biases = bias_names(definitions)
    sizes = size_names(definitions)
    leaves = list(dict.fromkeys(k for node in definitions.values() for k in _in_order(node)
                                if k not in definitions and k not in sizes))
    written = letters_of(pairs)
    readings: list[tuple[tuple[Declared, ...], str]] = []
    # a document's biases are read one way, all of them: of their sums' shapes, as rows, as columns
    for broadcast, axis in ((frozenset(), "row"), (frozenset(biases), "row"), (frozenset(biases), "column")):
        made = _reading(definitions, broadcast, leaves, written, axis)
        if made is not None and made[0] not in [r[0] for r in readings]:
            readings.append(made)
    if not readings:
        return None
    spreads = _spread_readings(definitions, [k for k in leaves if _SPREAD.fullmatch(k)])
    if spreads is None:
        return None
    combined = [(declared, f"{shown}{'; ' + said if said else ''}", extra)
                for declared, shown in readings for said, extra in spreads]
    return InferredShapes(*zip(*combined, strict=True))


#: ``\sigma[x]``: the spread of x, read as its standard deviation (:func:`_spread_readings`).
_SPREAD = re.compile(r"sigma\[(?P<of>[^\]]+)\]")


def _latex(key: str) -> str | None:
    if len(key) == 1 and key.isalpha():
        return key
    return f"\\{key}" if key in latex_names.GREEK else None


def _spread_readings(definitions: dict[str, nd.Node], spreads: list[str]) -> list[tuple[str, tuple]] | None:
    r"""The readings of each ``\sigma[x]`` the definitions use: :math:`\sqrt{\operatorname{Var}[x]}`, and, where a
    definition divides by :math:`\sqrt{\operatorname{Var}[x] + \epsilon}` (the layer's denominator), that too;
    as (what is shown, the definitions supplied).  None when a σ[x] cannot be written (its x is no plain name)."""
    per_name = []
    for key in spreads:
        of = _SPREAD.fullmatch(key).group("of")
        x = _latex(of)
        if x is None:
            return None
        options = [(f"σ[{of}] read as √Var[{of}]", (key, f"\\sigma[{x}]", f"\\sqrt{{Var[{x}]}}"))]
        for node in definitions.values():
            for sub in _walk(node):
                added = _plus_constant(sub, of)
                if added is not None and _latex(added) is not None:
                    shown = f"σ[{of}] read as √(Var[{of}] + {added}), the denominator of a definition"
                    option = (shown, (key, f"\\sigma[{x}]", f"\\sqrt{{Var[{x}] + {_latex(added)}}}"))
                    if option not in options:
                        options.append(option)
        per_name.append(options)
    return [("; ".join(o[0] for o in choice), tuple(o[1] for o in choice)) for choice in itertools.product(*per_name)]


def _plus_constant(node: nd.Node, of: str) -> str | None:
    r"""``e`` when ``node`` is :math:`\sqrt{\operatorname{Var}[x] + e}` of x = ``of`` and a name e."""
    if not (isinstance(node, nd.Apply) and node.function == "sqrt" and isinstance(node.arg, nd.Sum)):
        return None
    terms = node.arg.terms
    if len(terms) != 2 or any(sign != 1 for sign, _ in terms):
        return None
    var = [t for _, t in terms if isinstance(t, nd.Statistic) and t.kind == "var" and
           isinstance(t.arg, nd.Name) and t.arg.key == of]
    other = [t for _, t in terms if isinstance(t, nd.Name)]
    return other[0].key if var and other else None


def _connected(definitions: dict[str, nd.Node]) -> dict[str, nd.Node]:
    """The definitions that mean something only as matrices and those that share a name with them."""
    keep = {k for k, node in definitions.items() if evidence(node)}
    while True:
        names = {n for k in keep for n in nd.names(definitions[k])} | keep
        more = {k for k, node in definitions.items() if k not in keep and (k in names or nd.names(node) & names)}
        if not more:
            return {k: v for k, v in definitions.items() if k in keep}
        keep |= more


def letters_of(pairs) -> set[str]:
    """Every letter the definitions write (a size is never named by one: ``n`` of ``\\frac{1}{n}`` is the author's)."""
    found = set()
    for pair in pairs:
        for text in pair:
            try:
                found |= {t.text for t in tokens_of(text) if t.kind == "letter"}
            except LatexError:
                continue
    return found


def _reading(definitions, broadcast, leaves, written=frozenset(), axis="row") -> tuple[tuple, str] | None:
    unifier = _Unifier(definitions, broadcast, axis)
    try:
        for key in definitions:
            unifier.shape(nd.Name(0, key))
        sizes = unifier.sizes
        for key in leaves:
            if _lowercase(key):
                r, c = unifier.leaf(key)
                for side in (c, r):
                    trial = sizes.copy()
                    try:
                        trial.union(side, "1")
                    except _ContradictionError:
                        continue
                    if _keeps_capitals(trial, leaves, unifier):
                        sizes = trial
                        break
        unifier.sizes = sizes
        if not _keeps_capitals(sizes, leaves, unifier):
            return None
        one = sizes.find("1")
        biases = set(bias_names(definitions))
        if any(_lowercase(k) and k not in biases and one not in {sizes.find(v) for v in unifier.leaf(k)}
               for k in leaves):
            return None  # a lowercase name the definitions make a matrix: not followed
    except (_ContradictionError, _NotFollowedError):
        return None
    along = 0 if axis == "row" else 1
    for key in broadcast:
        if sizes.find(unifier.leaf(key)[1 - along]) == sizes.find("1"):
            return None  # a 1×1 bias: no broadcast row or column
        user = _user_shape(definitions, key, unifier)
        if user is not None and sizes.find(user[along]) == sizes.find("1"):
            return None  # added to a single row (column): no broadcast
    taken = {k.split("_")[0].split("^")[0] for k in leaves} | set(definitions) | set(written)
    letters = iter([c for c in _SIZE_LETTERS if c not in taken] + [f"s{k}" for k in range(1, 20)])
    names: dict[str, str] = {sizes.find("1"): "1"}
    declared, shown = [], []
    for key in leaves:
        if _SPREAD.fullmatch(key):
            continue  # defined by a reading (_spread_readings)
        dims = []
        for v in unifier.leaf(key):
            root = sizes.find(v)
            if root not in names:
                names[root] = root[1:] if root.startswith("=") else next(letters)
            dims.append(names[root])
        declared.append(Declared(key, tuple(size_symbol(d) if d != "1" else sp.Integer(1) for d in dims), "inferred"))
        shown.append(f"{key} {dims[0]}×{dims[1]}")
    notes = [f"{b} a 1×… row added to every row" if axis == "row" else f"{b} a …×1 column added to every column"
             for b in sorted(broadcast)]
    text = "shapes inferred: " + ", ".join(shown) + ("; " + "; ".join(notes) if notes else "")
    return tuple(declared), text


def _keeps_capitals(sizes: _Sizes, leaves, unifier: _Unifier) -> bool:
    """No capital's size is 1 (a capital is a matrix)."""
    one = sizes.find("1")
    return all(sizes.find(v) != one for key in leaves if _capital(key) for v in unifier.leaf(key))


def _user_shape(definitions, bias: str, unifier: _Unifier) -> tuple[str, str] | None:
    """The shape of the sum a bias is added to (for a broadcast that would be none)."""
    for node in definitions.values():
        for sub in _walk(node):
            if isinstance(sub, nd.Sum) and any(isinstance(t, nd.Name) and t.key == bias for _, t in sub.terms):
                other = next((t for _, t in sub.terms if not (isinstance(t, nd.Name) and t.key == bias)), None)
                if other is not None:
                    return unifier.shape(other)
    return None
