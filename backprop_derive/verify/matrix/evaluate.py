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
import sympy as sp

from backprop_derive.core import functions as fn
from backprop_derive.verify.latex import names as latex_names
from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.entries import EntryRules
from backprop_derive.verify.matrix.grid import Grid, broadcast, full, total
from backprop_derive.verify.matrix.shapes import shown
from backprop_derive.verify.matrix.values import NOT_A_MATRIX, MissingShapeError, ShapeError, Value, _entries, _pick  # noqa: F401

ONE = sp.Integer(1)
DIGITS = 30
_X = sp.Symbol("x", real=True)


class Exp(sp.Function):
    """exp on an instance: its own derivative, never merged (``exp(x)**2`` stays a power of the one
    application, where SymPy's ``exp`` would write ``exp(2x)``, a new one), so naming applications works."""

    nargs = 1

    def fdiff(self, argindex=1):
        return self


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


def warm_functions(text: str) -> None:
    """The functions ``text`` (a document) names -- catalog activations by name or LaTeX name, exp, log, the
    step -- and their derivatives, built for mpmath once (a step's child process inherits them)."""
    from backprop_derive.core.catalog import CATALOG

    plain = latex_names.normalise(text)
    named = [e.name for e in CATALOG.values() if e.kind == "activation" and
             (latex_names.normalise(e.name) in plain or latex_names.normalise(e.latex_name) in plain)]
    for name in (*named, "exp", "log", "step"):
        for order in range(2):
            _mp_function(name, order)


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
    #: Values of defined names worked out in this environment with nothing held (constants).
    values: dict = field(default_factory=dict)

    def size(self, dim) -> int:
        return int(sp.sympify(dim).xreplace(self.sizes))


def draw_leaves(env_shapes: dict, sizes: dict, rng: random.Random, backend: str,
                labels: frozenset = frozenset()) -> dict:
    """Entries for every declared name: random 20-digit values in (-2, 2) (``mp``; a label's rows are
    distributions, summing to 1) or one symbol per entry (``sym``; a label's last column is 1 minus the rest)."""
    leaves = {}
    for key, (rows, cols) in env_shapes.items():
        r, c = int(sp.sympify(rows).xreplace(sizes)), int(sp.sympify(cols).xreplace(sizes))
        entries = full((r, c), None)
        for i in range(r):
            for j in range(c):
                if backend == "mp":
                    entries[i, j] = mpmath.mpf(rng.randrange(-2 * 10**20, 2 * 10**20)) / 10**20
                else:
                    entries[i, j] = sp.Symbol(f"{key}[{i + 1},{j + 1}]", real=True)
        if key in labels and c > 1:
            for i in range(r):
                if backend == "mp":
                    row = [abs(v) + mpmath.mpf("0.01") for v in entries.rows[i]]
                    entries.rows[i] = [v / sum(row) for v in row]
                else:
                    entries[i, c - 1] = 1 - sum(entries.rows[i][: c - 1])
        leaves[key] = entries
    return leaves


class Evaluator(EntryRules):
    """One evaluation (one tape): values are cached per defined name; ``track`` is the leaf held for a gradient."""

    def __init__(self, env: Environment, track: str | None = None, held=None):
        self.env, self.track, self.held = env, track, held
        self.cache: dict[str, Value] = {}
        self.tape: list[Value] = []
        self.indices: dict[str, int] = {}
        self.depth = 0

    # ------------------------------------------------------------ helpers
    def value(self, entries, shape, parents=()) -> Value:
        v = Value(entries, tuple(shape), tuple(parents),
                  len(self.tape))
        self.tape.append(v)
        return v

    def constant(self, entries, shape) -> Value:
        return Value(entries, tuple(shape))

    def number(self, x) -> Value:
        entry = mpmath.mpf(x.p) / x.q if self.env.backend == "mp" and isinstance(x, sp.Rational) else x
        return self.constant(Grid([[entry]]), (ONE, ONE))

    def elementwise(self, f) -> Callable:
        return lambda grid: grid.map(f)

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
        if self.track is None and key in env.values:
            return env.values[key]
        if key in env.definitions:
            value = self.eval(env.definitions[key])  # a definition's shape is its own, whatever surrounds it
        elif key in env.leaves:
            value = self.constant(env.leaves[key], env.shapes[key])
        elif sp.Symbol(key, integer=True, positive=True) in env.sizes:
            value = self.number(sp.Integer(env.sizes[sp.Symbol(key, integer=True, positive=True)]))
        else:
            raise MissingShapeError(key)
        self.cache[key] = value
        if self.track is None and not self.indices:
            env.values[key] = Value(value.entries, value.shape)  # a constant from now on: no tape behind it
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
        return self.constant(full((size, 1), self._one()), (dim, ONE))

    def _one(self):
        return mpmath.mpf(1) if self.env.backend == "mp" else sp.S.One

    def eval_Identity(self, node: nd.Identity, hint) -> Value:
        if hint is None or hint[0] is None:
            raise _NeedsContextError()
        size = self.env.size(hint[0])
        entries = full((size, size), None)
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
                from backprop_derive.verify.matrix.gradient import contract

                return contract(self.env, upstream.entries, jacobian.of.key, jacobian.by.key)
        return None

    def product(self, left: Value, right: Value, node: nd.Node) -> Value:
        if (left.scalar and not right.scalar) or (right.scalar and not left.scalar):
            scalar, matrix = (left, right) if left.scalar else (right, left)
            s = scalar.entries[0, 0]
            return self.value(matrix.entries * s, matrix.shape, [
                (matrix, lambda g: g * s),
                (scalar, lambda g: Grid([[total(g * matrix.entries)]]))])
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
            (bottom, lambda g: Grid([[-total(g * top.entries) / s**2]]))])

    def eval_Power(self, node: nd.Power, hint) -> Value:
        base = self.eval(node.base)
        if not base.scalar:
            raise ShapeError(f"a power of a {shown(base.shape)} matrix (write A A, or A ⊙ A elementwise)")
        p = node.exponent
        x = base.entries[0, 0]
        power = mpmath.mpf(p.p) / p.q if self.env.backend == "mp" else p
        return self.value(Grid([[x**power]]), base.shape,
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
        total = full((rows, cols), self._one() * 0)
        parents = []
        for (sign, term), v in zip(node.terms, values, strict=True):
            total = total + sign * self.broadcast(v, shape, (rows, cols), term)
            parents.append((v, _unbroadcast(sign, v.entries.shape)))
        return self.value(total, shape, parents)

    def broadcast(self, v: Value, shape, size, term) -> Grid:
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
        return broadcast(v.entries, size)

    def eval_Apply(self, node: nd.Apply, hint) -> Value:
        arg = self.eval(node.arg, hint)
        f = self.function(node.function, node.derivative)
        df = self.function(node.function, node.derivative + 1)
        return self.value(f(arg.entries), arg.shape, [(arg, lambda g: g * df(arg.entries))])

    def eval_Softmax(self, node: nd.Softmax, hint) -> Value:
        arg = self.eval(node.arg, hint)
        z = arg.entries
        if self.env.backend == "mp":
            z = z - Grid([[max(row)] for row in z])
        e = self.exp(z)
        s = e / Grid([[sum(row)] for row in e])
        self.env.notes["softmax is taken row by row"] = None

        def vjp(g):
            inner = Grid([[sum(row)] for row in g * s])
            return s * (g - inner)

        return self.value(s, arg.shape, [(arg, vjp)])


    def eval_Gradient(self, node: nd.Gradient, hint) -> Value:
        from backprop_derive.verify.matrix.gradient import gradient

        return gradient(self.env, node.of.key, node.by.key, node.text)

    def eval_Generic(self, node: nd.Generic, hint) -> Value:
        """ℓ(every entry of ``reads``): on an instance (``sym``) ℓ undefined with undefined partials
        (:mod:`backprop_derive.network.proof`'s); at random values (``mp``) a drawn smooth ℓ (:func:`drawn_loss`),
        with its gradient on the tape, so a gradient through it is no vacuous 0."""
        values = [self.eval(nd.Name(node.column, key)) for key in node.reads]
        args = [e for v in values for e in v.entries.flat()]
        if self.env.backend == "mp":
            loss, partials = drawn_loss(len(args))
            parents = []
            start = 0
            for v in values:
                size = len(v.entries.flat())
                rows, cols = v.entries.shape

                def vjp(g, start=start, rows=rows, cols=cols):
                    return Grid([[g[0, 0] * partials(args, start + i * cols + j) for j in range(cols)]
                                 for i in range(rows)])
                parents.append((v, vjp))
                start += size
            return self.value(Grid([[loss(args)]]), (ONE, ONE), parents)
        from backprop_derive.network.proof import generic_loss

        loss, _ = generic_loss(len(args))
        return self.value(Grid([[loss(*args)]]), (ONE, ONE), [])

    def eval_Jacobian(self, node: nd.Jacobian, hint) -> Value:
        raise ShapeError(f"{node.text} {NOT_A_MATRIX} (a derivative of a matrix by a matrix has four "
                         "indices)")

    def backward(self, root: Value, leaf: Value) -> Grid:
        """∂root/∂leaf by reverse mode over this evaluation's tape (root 1×1)."""
        grads = {id(root): Grid([[self._one()]])}
        for v in sorted({id(v): v for v in self.tape}.values(), key=lambda v: v.order, reverse=True):
            g = grads.get(id(v))
            if g is None:
                continue
            for parent, vjp in v.parents:
                step = vjp(g)
                grads[id(parent)] = grads[id(parent)] + step if id(parent) in grads else step
        return grads.get(id(leaf), full(leaf.entries.shape, 0 * self._one()))


@cache
def _loss_coefficients(arguments: int) -> tuple[tuple, tuple, tuple]:
    rng = random.Random(f"drawn loss {arguments}")

    def draw():
        return tuple(mpmath.mpf(rng.randrange(-10**20, 10**20)) / 10**20 for _ in range(arguments))
    return draw(), draw(), draw()


def drawn_loss(arguments: int) -> tuple[Callable, Callable]:
    r"""A smooth loss of ``arguments`` entries v with coefficients c, e, f drawn once (20 digits in (-1, 1)):
    :math:`\ell(v) = \sum_k c_k v_k + \tfrac12 (\sum_k e_k v_k)^2 + \sum_k f_k \sin v_k`, and its partial
    :math:`\partial\ell/\partial v_k = c_k + e_k \sum_m e_m v_m + f_k \cos v_k`.  Nonlinear and with every
    partial depending on every entry, it stands for "any loss": an identity that holds for every loss holds
    for it, and a wrong one fails at it (at random values) as it fails at a generic loss."""
    c, e, f = _loss_coefficients(arguments)

    def loss(v):
        return sum(ck * vk for ck, vk in zip(c, v, strict=True)) + \
            sum(ek * vk for ek, vk in zip(e, v, strict=True)) ** 2 / 2 + \
            sum(fk * mpmath.sin(vk) for fk, vk in zip(f, v, strict=True))

    def partial(v, k):
        return c[k] + e[k] * sum(em * vm for em, vm in zip(e, v, strict=True)) + f[k] * mpmath.cos(v[k])
    return loss, partial


class _NeedsContextError(Exception):
    """A 1 or I whose size the surrounding product or sum must give."""


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
            g = Grid([[sum(column) for column in g.T]])
        if shape[1] == 1:
            g = Grid([[sum(row)] for row in g])
        return g
    return vjp


