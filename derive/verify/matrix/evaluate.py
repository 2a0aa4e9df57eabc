r"""Matrix expressions evaluated at concrete sizes, entry by entry, with the gradients they name.

A value is a numpy object array (rows × columns) of entries from one of two backends:

* ``mp`` -- mpmath numbers at 30 digits at random values (the numeric check);
* ``sym`` -- SymPy expressions in one symbol per entry of every declared matrix (the proof on an
  instance of small sizes).

Beside its entries a value carries its shape in the document's sizes (``n×10``), so that a shape
mismatch is reported in the sizes the author wrote.  The rules:

* a product :math:`(AB)_{ij} = \sum_k A_{ik}B_{kj}` needs A's columns = B's rows; a 1×1 factor scales;
* ``+``: equal shapes, or a 1×c row added to every row of an r×c matrix (a bias row: the report says
  so), or an r×1 column to every column, or a 1×1 scalar to every entry;
* :math:`\mathbf 1` is a column of ones whose length the product or sum around it fixes;
* a gradient :math:`\partial L/\partial V` of a 1×1 L is the matrix of :math:`\partial L/\partial V_{ij}`,
  V's shape (denominator layout).  V's own definition is not put in (V is held as a leaf); every name
  defined from V is, so L is differentiated through the document's definitions.  The ``mp`` backend
  differentiates by reverse mode over the evaluation (a table of vector-Jacobian products, one per
  construct, checked against finite differences in the tests); the ``sym`` backend by ``sympy.diff``
  of each entry, independently of that table.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import mpmath
import numpy as np
import sympy as sp

from derive import functions as fn
from derive.latex import names as latex_names
from derive.verify.matrix import nodes as nd
from derive.verify.matrix.shapes import shown

ONE = sp.Integer(1)
DIGITS = 30
_X = sp.Symbol("x", real=True)


class Exp(sp.Function):
    """exp on an instance: its own derivative, never merged (``exp(x)**2`` stays a power of the one
    application, where SymPy's ``exp`` would write ``exp(2x)``, a new one), so naming applications works."""

    nargs = 1

    def fdiff(self, argindex=1):
        return self


class ShapeError(ValueError):
    """Sides that cannot be formed, or cannot have the same shape: the message has the shapes."""


class MissingShapeError(ValueError):
    """A name with no declared shape and no definition to infer one from."""


@cache
def _scalar_function(name: str, order: int) -> sp.Expr:
    """The function ``name`` (a reader name: ``relu``, ``exp``, ``step``) differentiated ``order`` times, at x."""
    if name == "step":
        expr = sp.Heaviside(_X, 0)
    elif name == "step_at_zero_one":
        expr = sp.Heaviside(_X, 1)
    else:
        build = next(f.build for f in latex_names.FUNCTIONS.values() if f.name == name)
        expr = build(_X)
    return sp.diff(expr, _X, order) if order else expr


@cache
def _mp_function(name: str, order: int) -> Callable:
    expr = fn.unfold(_scalar_function(name, order))
    if expr.has(sp.DiracDelta):
        expr = expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)
    return sp.lambdify(_X, expr, "mpmath")


@dataclass
class Value:
    """Entries (a 2-D object array), the shape in the document's sizes, and how to pass a gradient back."""

    entries: np.ndarray
    shape: tuple
    parents: tuple = ()  # (value, vjp) pairs: vjp maps the gradient of this value to that of the parent
    order: int = 0

    @property
    def scalar(self) -> bool:
        return self.entries.shape == (1, 1)


@dataclass
class Environment:
    """What a side is evaluated in: concrete ``sizes`` of the document's sizes, declared ``shapes``,
    ``definitions`` (key → parsed right side), the ``leaves`` (key → entries) and the ``backend``."""

    sizes: dict
    shapes: dict
    definitions: dict
    leaves: dict
    backend: str = "mp"
    notes: dict = field(default_factory=dict)
    labels: frozenset = frozenset()
    #: On an instance of small sizes: each written size → its small value (for the bounds of sums).
    renamed: dict = field(default_factory=dict)
    #: Gradients worked out in this environment, by (of, by): its values never change.
    gradients: dict = field(default_factory=dict)

    def size(self, dim) -> int:
        return int(sp.sympify(dim).xreplace(self.sizes))


def draw_leaves(env_shapes: dict, sizes: dict, rng: random.Random, backend: str,
                labels: frozenset = frozenset()) -> dict:
    """Entries for every declared name: random 20-digit values in (-2, 2) (``mp``; a label's rows are
    distributions, summing to 1) or one symbol per entry (``sym``; a label's last column is 1 minus the rest)."""
    leaves = {}
    for key, (rows, cols) in env_shapes.items():
        r, c = int(sp.sympify(rows).xreplace(sizes)), int(sp.sympify(cols).xreplace(sizes))
        entries = np.empty((r, c), dtype=object)
        for i in range(r):
            for j in range(c):
                if backend == "mp":
                    entries[i, j] = mpmath.mpf(rng.randrange(-2 * 10**20, 2 * 10**20)) / 10**20
                else:
                    entries[i, j] = sp.Symbol(f"{key}[{i + 1},{j + 1}]", real=True)
        if key in labels and c > 1:
            for i in range(r):
                if backend == "mp":
                    row = [abs(v) + mpmath.mpf("0.01") for v in entries[i]]
                    entries[i] = [v / sum(row) for v in row]
                else:
                    entries[i, c - 1] = 1 - sum(entries[i, :c - 1])
        leaves[key] = entries
    return leaves


class Evaluator:
    """One evaluation (one tape): values are cached per defined name; ``track`` is the leaf held for a gradient."""

    def __init__(self, env: Environment, track: str | None = None, held=None):
        self.env, self.track, self.held = env, track, held
        self.cache: dict[str, Value] = {}
        self.tape: list[Value] = []
        self.indices: dict[str, int] = {}
        self.depth = 0

    # ------------------------------------------------------------ helpers
    def value(self, entries, shape, parents=()) -> Value:
        v = Value(np.asarray(entries, dtype=object).reshape(entries.shape), tuple(shape), tuple(parents),
                  len(self.tape))
        self.tape.append(v)
        return v

    def constant(self, entries, shape) -> Value:
        return Value(entries, tuple(shape))

    def number(self, x) -> Value:
        entry = mpmath.mpf(x.p) / x.q if self.env.backend == "mp" and isinstance(x, sp.Rational) else x
        return self.constant(np.array([[entry]], dtype=object), (ONE, ONE))

    def elementwise(self, f) -> Callable:
        return np.vectorize(f, otypes=[object])

    def function(self, name: str, order: int) -> Callable:
        if self.env.backend == "mp":
            return self.elementwise(_mp_function(name, order))
        expr = _scalar_function(name, order).replace(sp.exp, Exp)
        return self.elementwise(lambda e: expr.xreplace({_X: e}))

    def exp(self, entries):
        return self.elementwise(mpmath.exp if self.env.backend == "mp" else Exp)(entries)

    # ------------------------------------------------------------ evaluation
    def eval(self, node: nd.Node, hint: tuple | None = None) -> Value:
        self.depth += 1
        if self.depth > 200:
            raise ShapeError("definitions that refer to each other without end")
        try:
            method = getattr(self, f"eval_{type(node).__name__}")
            return method(node, hint)
        finally:
            self.depth -= 1

    def eval_Name(self, node: nd.Name, hint) -> Value:
        key = node.key
        if key == self.track:
            return self.held
        if key in self.cache:
            return self.cache[key]
        env = self.env
        if key in env.definitions:
            value = self.eval(env.definitions[key])  # a definition's shape is its own, whatever surrounds it
        elif key in env.leaves:
            value = self.constant(env.leaves[key], env.shapes[key])
        elif sp.Symbol(key, integer=True, positive=True) in env.sizes:
            value = self.number(sp.Integer(env.sizes[sp.Symbol(key, integer=True, positive=True)]))
        else:
            raise MissingShapeError(key)
        self.cache[key] = value
        return value

    def eval_Number(self, node: nd.Number, hint) -> Value:
        return self.number(node.value)

    def eval_Index(self, node: nd.Index, hint) -> Value:
        if node.name not in self.indices:
            raise ShapeError(f"the index {node.name} is not bound by a sum or by the claim")
        return self.number(sp.Integer(self.indices[node.name]))

    def eval_Transpose(self, node: nd.Transpose, hint) -> Value:
        arg = self.eval(node.arg, hint[::-1] if hint else None)
        return self.value(arg.entries.T, arg.shape[::-1], [(arg, lambda g: g.T)])

    def eval_Ones(self, node: nd.Ones, hint) -> Value:
        if node.length is not None:
            length = self.eval(node.length)
            if not length.scalar:
                raise ShapeError("the length of 1 must be a size")
            dim = node.length.key if isinstance(node.length, nd.Name) else length.entries[0, 0]
            dim = sp.Symbol(dim, integer=True, positive=True) if isinstance(dim, str) else sp.Integer(int(dim))
        elif hint is not None and hint[0] is not None:
            dim = hint[0]
        else:
            raise _NeedsContextError()
        size = self.env.size(dim)
        return self.constant(np.full((size, 1), self._one(), dtype=object), (dim, ONE))

    def _one(self):
        return mpmath.mpf(1) if self.env.backend == "mp" else sp.S.One

    def eval_Identity(self, node: nd.Identity, hint) -> Value:
        if hint is None or hint[0] is None:
            raise _NeedsContextError()
        size = self.env.size(hint[0])
        entries = np.empty((size, size), dtype=object)
        for i in range(size):
            for j in range(size):
                entries[i, j] = self._one() if i == j else self._one() * 0
        return self.constant(entries, (hint[0], hint[0]))

    def eval_Product(self, node: nd.Product, hint) -> Value:
        chained = self.chain_rule(node)
        if chained is not None:
            return chained
        try:
            left = self.eval(node.left)
        except _NeedsContextError:
            right = self.eval(node.right, (None, hint[1]) if hint else None)
            left = self.eval(node.left, (hint[0] if hint else None, right.shape[0]) if not right.scalar else hint)
            return self.product(left, right, node)
        right_hint = (left.shape[1], hint[1] if hint else None) if not left.scalar else hint
        return self.product(left, self.eval(node.right, right_hint), node)

    def chain_rule(self, node: nd.Product) -> Value | None:
        r"""``\frac{\partial L}{\partial Z}\frac{\partial Z}{\partial W}`` (either order): the chain rule written as a
        product, read as the contraction over Z's entries, :math:`\sum_{rc} G_{rc}\,\partial Z_{rc}/\partial W_{ij}`
        with G the factor of Z's shape; None when neither factor is such a Jacobian."""
        for jacobian, other in ((node.right, node.left), (node.left, node.right)):
            if isinstance(jacobian, nd.Jacobian | nd.Gradient) and isinstance(jacobian.of, nd.Name) and \
                    isinstance(jacobian.by, nd.Name):
                inner = self.eval(jacobian.of)
                if inner.scalar:
                    continue
                try:
                    upstream = self.eval(other)
                except ShapeError:
                    return None
                if upstream.scalar or not _same(upstream.shape, inner.shape):
                    return None
                self.env.notes[f"{jacobian.text} read as the chain rule: summed over the entries of "
                               f"{jacobian.of.key}"] = None
                return contract(self.env, upstream.entries, jacobian.of.key, jacobian.by.key)
        return None

    def product(self, left: Value, right: Value, node: nd.Node) -> Value:
        if (left.scalar and not right.scalar) or (right.scalar and not left.scalar):
            scalar, matrix = (left, right) if left.scalar else (right, left)
            s = scalar.entries[0, 0]
            return self.value(matrix.entries * s, matrix.shape, [
                (matrix, lambda g: g * s),
                (scalar, lambda g: np.array([[np.sum(g * matrix.entries)]], dtype=object))])
        if left.entries.shape[1] != right.entries.shape[0] or sp.simplify(left.shape[1] - right.shape[0]) != 0:
            raise ShapeError(f"a product of a {shown(left.shape)} matrix by a {shown(right.shape)} matrix: "
                             f"the inner sizes {left.shape[1]} and {right.shape[0]} differ")
        a, b = left.entries, right.entries
        return self.value(a.dot(b), (left.shape[0], right.shape[1]),
                          [(left, lambda g: g.dot(b.T)), (right, lambda g: a.T.dot(g))])

    def eval_Hadamard(self, node: nd.Hadamard, hint) -> Value:
        left, right = self.eval(node.left, hint), self.eval(node.right, hint)
        if not _same(left.shape, right.shape):
            raise ShapeError(f"an elementwise product of {shown(left.shape)} and {shown(right.shape)}")
        a, b = left.entries, right.entries
        return self.value(a * b, left.shape, [(left, lambda g: g * b), (right, lambda g: g * a)])

    def eval_Quotient(self, node: nd.Quotient, hint) -> Value:
        top, bottom = self.eval(node.numerator, hint), self.eval(node.denominator)
        if not bottom.scalar:
            raise ShapeError(f"a division by a {shown(bottom.shape)} matrix")
        s = bottom.entries[0, 0]
        return self.value(top.entries / s, top.shape, [
            (top, lambda g: g / s),
            (bottom, lambda g: np.array([[-np.sum(g * top.entries) / s**2]], dtype=object))])

    def eval_Power(self, node: nd.Power, hint) -> Value:
        base = self.eval(node.base)
        if not base.scalar:
            raise ShapeError(f"a power of a {shown(base.shape)} matrix (write A A, or A ⊙ A elementwise)")
        p = node.exponent
        x = base.entries[0, 0]
        power = mpmath.mpf(p.p) / p.q if self.env.backend == "mp" else p
        return self.value(np.array([[x**power]], dtype=object), base.shape,
                          [(base, lambda g: g * (power * x ** (power - 1)))])

    def eval_Sum(self, node: nd.Sum, hint) -> Value:
        values: list = [None] * len(node.terms)
        waiting = []
        for k, (_, term) in enumerate(node.terms):
            try:
                values[k] = self.eval(term)
            except _NeedsContextError:
                waiting.append(k)
        known = [v for v in values if v is not None and not v.scalar]
        target = known[0].shape if known else hint
        if waiting and target is None:
            raise _NeedsContextError()
        for k in waiting:
            values[k] = self.eval(node.terms[k][1], target)
        shape = max((v.shape for v in values), key=lambda s: (s[0] != ONE) + (s[1] != ONE))
        rows, cols = max(v.entries.shape[0] for v in values), max(v.entries.shape[1] for v in values)
        total = np.full((rows, cols), self._one() * 0, dtype=object)
        parents = []
        for (sign, term), v in zip(node.terms, values, strict=True):
            total = total + sign * self.broadcast(v, shape, (rows, cols), term)
            parents.append((v, _unbroadcast(sign, v.entries.shape)))
        return self.value(total, shape, parents)

    def broadcast(self, v: Value, shape, size, term) -> np.ndarray:
        if v.entries.shape == size and _same(v.shape, shape):
            return v.entries
        r, c = v.shape
        if v.scalar:
            what = "a scalar is added to every entry"
        elif r == ONE and _same((c,), (shape[1],)):
            what = f"the 1×{c} row {_label(term)} is added to every row"
        elif c == ONE and _same((r,), (shape[0],)):
            what = f"the {r}×1 column {_label(term)} is added to every column"
        else:
            raise ShapeError(f"a sum of a {shown(shape)} matrix and a {shown(v.shape)} matrix")
        self.env.notes[what] = None
        return np.broadcast_to(v.entries, size)

    def eval_Apply(self, node: nd.Apply, hint) -> Value:
        arg = self.eval(node.arg, hint)
        f = self.function(node.function, node.derivative)
        df = self.function(node.function, node.derivative + 1)
        return self.value(f(arg.entries), arg.shape, [(arg, lambda g: g * df(arg.entries))])

    def eval_Softmax(self, node: nd.Softmax, hint) -> Value:
        arg = self.eval(node.arg, hint)
        z = arg.entries
        if self.env.backend == "mp":
            z = z - np.array([[max(row)] for row in z], dtype=object)
        e = self.exp(z)
        s = e / np.array([[sum(row)] for row in e], dtype=object)
        self.env.notes["softmax is taken row by row"] = None

        def vjp(g):
            inner = np.array([[sum(row)] for row in g * s], dtype=object)
            return s * (g - inner)

        return self.value(s, arg.shape, [(arg, vjp)])

    def eval_Trace(self, node: nd.Trace, hint) -> Value:
        arg = self.eval(node.arg)
        if arg.entries.shape[0] != arg.entries.shape[1]:
            raise ShapeError(f"the trace of a {shown(arg.shape)} matrix, which is not square")
        size = arg.entries.shape[0]
        eye = np.array([[self._one() if i == j else 0 * self._one() for j in range(size)] for i in range(size)],
                       dtype=object)
        return self.value(np.array([[sum(arg.entries[i, i] for i in range(size))]], dtype=object), (ONE, ONE),
                          [(arg, lambda g: g[0, 0] * eye)])

    def eval_Diag(self, node: nd.Diag, hint) -> Value:
        arg = self.eval(node.arg)
        if ONE not in arg.shape:
            raise ShapeError(f"diag of a {shown(arg.shape)} matrix (diag is read of a vector)")
        v = arg.entries.reshape(-1)
        size, zero = len(v), 0 * self._one()
        entries = np.array([[v[i] if i == j else zero for j in range(size)] for i in range(size)], dtype=object)
        length = arg.shape[0] if arg.shape[1] == ONE else arg.shape[1]
        return self.value(entries, (length, length),
                          [(arg, lambda g: np.array([g[i, i] for i in range(size)], dtype=object)
                            .reshape(arg.entries.shape))])

    def eval_Literal(self, node: nd.Literal, hint) -> Value:
        cells = [[self.eval(c) for c in row] for row in node.rows]
        if any(not c.scalar for row in cells for c in row):
            raise ShapeError("a matrix literal whose entries are not scalars")
        entries = np.array([[c.entries[0, 0] for c in row] for row in cells], dtype=object)
        parents = [(c, _pick(i, j)) for i, row in enumerate(cells) for j, c in enumerate(row)]
        return self.value(entries, (sp.Integer(len(cells)), sp.Integer(len(cells[0]))), parents)

    def eval_Entry(self, node: nd.Entry, hint) -> Value:
        arg = self.eval(node.arg)
        positions = [self.eval(i) for i in node.indices]
        at = [int(p.entries[0, 0]) - 1 for p in positions]
        if len(at) == 1 and ONE in arg.shape:
            at = [0, at[0]] if arg.shape[0] == ONE else [at[0], 0]
        if len(at) != 2 or not (0 <= at[0] < arg.entries.shape[0] and 0 <= at[1] < arg.entries.shape[1]):
            raise ShapeError(f"an entry outside a {shown(arg.shape)} matrix")
        i, j = at

        def vjp(g):
            out = np.full(arg.entries.shape, 0 * self._one(), dtype=object)
            out[i, j] = g[0, 0]
            return out

        return self.value(np.array([[arg.entries[i, j]]], dtype=object), (ONE, ONE), [(arg, vjp)])

    def eval_IndexSum(self, node: nd.IndexSum, hint) -> Value:
        lower = 1 if node.lower is None else int(self.eval(node.lower).entries[0, 0])
        upper = self._upper(node)
        parts = []
        saved = self.indices.get(node.index)
        for k in range(lower, upper + 1):
            self.indices[node.index] = k
            parts.append(self.eval(node.body))
        if saved is None:
            self.indices.pop(node.index, None)
        else:
            self.indices[node.index] = saved
        if any(not p.scalar for p in parts):
            raise ShapeError("a sum over an index of terms that are not scalars")
        total = sum((p.entries[0, 0] for p in parts), 0 * self._one())
        return self.value(np.array([[total]], dtype=object), (ONE, ONE), [(p, lambda g: g) for p in parts])

    def _upper(self, node: nd.IndexSum) -> int:
        if node.upper is not None:
            upper = int(self.eval(node.upper).entries[0, 0])
            return self.env.renamed.get(upper, upper)
        for entry in _entries(node.body):
            for position, index in enumerate(entry.indices):
                if isinstance(index, nd.Index) and index.name == node.index:
                    arg = self.eval(entry.arg)
                    if len(entry.indices) == 1 and ONE in arg.shape:
                        return max(arg.entries.shape)
                    return arg.entries.shape[position]
        raise ShapeError(f"the range of the sum over {node.index} is not written and no entry shows it")

    def eval_Gradient(self, node: nd.Gradient, hint) -> Value:
        return gradient(self.env, node.of.key, node.by.key, node.text)

    def eval_Generic(self, node: nd.Generic, hint) -> Value:
        """ℓ(every entry of ``reads``), ℓ undefined with undefined partials (:mod:`derive.network_proof`'s)."""
        from derive.network_proof import _generic_loss

        values = [self.eval(nd.Name(node.column, key)) for key in node.reads]
        args = [e for v in values for e in v.entries.reshape(-1)]
        loss, _ = _generic_loss(len(args))
        return self.value(np.array([[loss(*args)]], dtype=object), (ONE, ONE), [])

    def eval_Jacobian(self, node: nd.Jacobian, hint) -> Value:
        raise ShapeError(f"{node.text} is not a matrix here (a derivative of a matrix by a matrix has four "
                         "indices)")

    def backward(self, root: Value, leaf: Value) -> np.ndarray:
        """∂root/∂leaf by reverse mode over this evaluation's tape (root 1×1)."""
        grads = {id(root): np.array([[self._one()]], dtype=object)}
        for v in sorted({id(v): v for v in self.tape}.values(), key=lambda v: v.order, reverse=True):
            g = grads.get(id(v))
            if g is None:
                continue
            for parent, vjp in v.parents:
                step = vjp(g)
                grads[id(parent)] = grads[id(parent)] + step if id(parent) in grads else step
        return grads.get(id(leaf), np.full(leaf.entries.shape, 0 * self._one(), dtype=object))


class _NeedsContextError(Exception):
    """A 1 or I whose size the surrounding product or sum must give."""


def _pick(i: int, j: int) -> Callable:
    return lambda g: np.array([[g[i, j]]], dtype=object)


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(sp.simplify(sp.sympify(x) - sp.sympify(y)) == 0 for x, y in zip(a, b, strict=True))


def _label(node: nd.Node) -> str:
    return node.key if isinstance(node, nd.Name) else "1 b" if isinstance(node, nd.Product) else "term"


def _unbroadcast(sign: int, shape: tuple) -> Callable:
    def vjp(g):
        g = sign * g
        if g.shape == shape:
            return g
        if shape[0] == 1:
            g = np.array([[sum(g[:, j]) for j in range(g.shape[1])]], dtype=object)
        if shape[1] == 1:
            g = np.array([[sum(row)] for row in g], dtype=object)
        return g
    return vjp


def _entries(node) -> list[nd.Entry]:
    found = []
    if isinstance(node, nd.Entry):
        found.append(node)
    if isinstance(node, nd.Node):
        for v in vars(node).values():
            if isinstance(v, nd.Node):
                found += _entries(v)
            elif isinstance(v, tuple):
                for item in v:
                    parts = [item] if isinstance(item, nd.Node) else list(item) if isinstance(item, tuple) else []
                    found += [e for x in parts if isinstance(x, nd.Node) for e in _entries(x)]
    return found


def gradient(env: Environment, of: str, by: str, text: str) -> Value:
    """∂of/∂by: ``by``'s shape, entry (i, j) the derivative by ``by``'s entry (i, j), through every
    definition (denominator layout)."""
    if (of, by) not in env.gradients:
        env.gradients[of, by] = _gradient(env, of, by, text)
    return env.gradients[of, by]


def _gradient(env: Environment, of: str, by: str, text: str) -> Value:
    outer = Evaluator(env)
    at = outer.eval(nd.Name(0, by))
    if env.backend == "mp":
        inner = Evaluator(env, track=by)
        held = inner.value(at.entries, at.shape)
        inner.held = held
        root = inner.eval(nd.Name(0, of))
        _scalar_check(root, of, text)
        return Value(inner.backward(root, held), at.shape)
    symbols = np.array([[sp.Symbol(f"∂{by}[{i},{j}]", real=True) for j in range(at.entries.shape[1])]
                        for i in range(at.entries.shape[0])], dtype=object)
    inner = Evaluator(env, track=by, held=Value(symbols, at.shape))
    root = inner.eval(nd.Name(0, of))
    _scalar_check(root, of, text)
    loss = root.entries[0, 0]
    back = dict(zip(symbols.reshape(-1), at.entries.reshape(-1), strict=True))
    entries = np.array([[sp.diff(loss, s).xreplace(back) for s in row] for row in symbols], dtype=object)
    return Value(entries, at.shape)


def contract(env: Environment, upstream: np.ndarray, of: str, by: str) -> Value:
    """:math:`\\partial \\langle G, Z\\rangle / \\partial W` with G = ``upstream`` held: Z = ``of``, W = ``by``."""
    outer = Evaluator(env)
    at = outer.eval(nd.Name(0, by))
    if env.backend == "mp":
        inner = Evaluator(env, track=by)
        held = inner.value(at.entries, at.shape)
        inner.held = held
        z = inner.eval(nd.Name(0, of))
        root = inner.value(np.array([[np.sum(upstream * z.entries)]], dtype=object), (ONE, ONE),
                           [(z, lambda g: g[0, 0] * upstream)])
        return Value(inner.backward(root, held), at.shape)
    symbols = np.array([[sp.Symbol(f"∂{by}[{i},{j}]", real=True) for j in range(at.entries.shape[1])]
                        for i in range(at.entries.shape[0])], dtype=object)
    inner = Evaluator(env, track=by, held=Value(symbols, at.shape))
    pairing = np.sum(upstream * inner.eval(nd.Name(0, of)).entries)
    back = dict(zip(symbols.reshape(-1), at.entries.reshape(-1), strict=True))
    return Value(np.array([[sp.diff(pairing, s).xreplace(back) for s in row] for row in symbols], dtype=object),
                 at.shape)


def _scalar_check(root: Value, of: str, text: str) -> None:
    if not root.scalar:
        raise ShapeError(f"{text} is not a matrix here ({of} is {shown(root.shape)}, not a scalar)")
