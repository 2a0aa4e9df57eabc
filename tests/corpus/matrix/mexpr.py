r"""Matrix-form claims as small expression trees, evaluated in float64 with HIPS autograd (no project code).

A corpus file's claims are encoded by hand as trees of the nodes below; a :class:`Model` holds the file's
forward pass (leaves with their shapes, definitions in order, the scalar loss ``L``).  Evaluating a tree needs a
:class:`Context`: sizes drawn for the symbolic dimensions, random values for the leaves, and every definition
computed from them.

Gradients are **denominator layout**: :class:`Grad` ``(Z)`` is :math:`\partial L/\partial Z`, an array of
Z's shape, computed by ``autograd.grad`` of the function :math:`v \mapsto L` in which Z is replaced by v and
every later definition is recomputed (so an intermediate is differentiated through the definitions after it).
:class:`Jac` ``(Z, W)`` is :math:`\partial Z/\partial W`, an array of shape ``Z.shape + W.shape``.

Products: :class:`Mul` is the matrix product of two 2-D arrays; a 2-D array times a 4-D Jacobian whose first
two axes have its shape is the chain-rule contraction
:math:`(\partial L/\partial Z \cdot \partial Z/\partial W)_{kl} = \sum_{ij} (\partial L/\partial Z)_{ij}\,
\partial Z_{ij}/\partial W_{kl}` (how a matrix chain rule ``∂L/∂Z ∂Z/∂W`` is read).  Anything else is
:class:`IllFormedError`, with the shapes in the message.  :class:`Add` broadcasts a ``1×k`` row to every row of an
``m×k`` matrix (and a ``m×1`` column to every column), as a bias is added; nothing else broadcasts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction

import autograd
import autograd.numpy as anp
import numpy as np


class IllFormedError(Exception):
    """A side that cannot be formed: a product of mismatched shapes, a transpose of a 4-tensor, ..."""


@dataclass(frozen=True)
class Node:
    def children(self) -> tuple[Node, ...]:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self) if isinstance(getattr(self, f.name), Node))

    def rebuild(self, kids: tuple[Node, ...]) -> Node:
        it = iter(kids)
        vals = {f.name: (next(it) if isinstance(getattr(self, f.name), Node) else getattr(self, f.name))
                for f in dataclasses.fields(self)}
        return type(self)(**vals)


@dataclass(frozen=True)
class Var(Node):
    name: str


@dataclass(frozen=True)
class Grad(Node):
    """∂L/∂name (denominator layout)."""

    name: str


@dataclass(frozen=True)
class GradOf(Node):
    """∂f/∂name for a scalar expression f of the network's quantities (a partial sum of L, say)."""

    f: Node
    name: str

    def children(self):  # f is the function differentiated, not a factor: mutations do not enter it
        return ()

    def rebuild(self, kids):
        return self


@dataclass(frozen=True)
class Jac(Node):
    """∂out/∂wrt, a 4-tensor of shape out.shape + wrt.shape."""

    out: str
    wrt: str


@dataclass(frozen=True)
class Mul(Node):
    a: Node
    b: Node


@dataclass(frozen=True)
class Had(Node):
    a: Node
    b: Node


@dataclass(frozen=True)
class T(Node):
    a: Node


@dataclass(frozen=True)
class Add(Node):
    a: Node
    b: Node


@dataclass(frozen=True)
class Sub(Node):
    a: Node
    b: Node


@dataclass(frozen=True)
class Scale(Node):
    """k · size^power · a (k a Fraction; size a dimension name such as the batch size n)."""

    k: Fraction
    a: Node
    size: str | None = None
    power: int = 0


@dataclass(frozen=True)
class Ones(Node):
    """The column of ones of length ``size``."""

    size: str


@dataclass(frozen=True)
class Fn(Node):
    """An elementwise function of a matrix (see :data:`ELEMENTWISE`)."""

    fn: str
    a: Node


@dataclass(frozen=True)
class Softmax(Node):
    """Softmax of each row."""

    a: Node


@dataclass(frozen=True)
class SumAll(Node):
    a: Node


@dataclass(frozen=True)
class Frob(Node):
    """A : B = sum_ij A_ij B_ij."""

    a: Node
    b: Node


@dataclass(frozen=True)
class Trace(Node):
    a: Node


@dataclass(frozen=True)
class Diag(Node):
    """diag(v): the square matrix with the vector v (k×1 or 1×k) on its diagonal."""

    a: Node


@dataclass(frozen=True)
class Einsum(Node):
    """An entrywise formula (sums over indices), evaluated by ``einsum(spec, *args)``; ``tex`` is how the file
    writes it (mutations never look inside); ``indexed``: the LaTeX names free indices (``X_{b,d}``), where a
    sum over whole rows (``\\sum_i \\partial\\ell/\\partial v_{(i)}``) or over everything does not."""

    spec: str
    args: tuple = ()
    tex: str = ""
    indexed: bool = True

    def children(self):
        return ()

    def rebuild(self, kids):
        return self


ELEMENTWISE = {
    "relu": lambda x: anp.maximum(x, 0.0),
    "relu_prime": lambda x: (x > 0) * 1.0,
    "positive": lambda x: (x > 0) * 1.0,  # the indicator 1[x > 0], written apart from ReLU'(x)
    "sigmoid": lambda x: 1.0 / (1.0 + anp.exp(-x)),
    "sigmoid_prime": lambda x: anp.exp(-x) / (1.0 + anp.exp(-x)) ** 2,
    "tanh": anp.tanh,
    "tanh_prime": lambda x: 1.0 - anp.tanh(x) ** 2,
    "exp": anp.exp,
    "log": anp.log,
    "sin": anp.sin,
    "square": lambda x: x**2,
}


@dataclass
class Model:
    """A file's forward pass.  ``dims``: size name -> fixed int, or None for a symbolic size (drawn per context);
    ``leaves``: name -> (shape as size names or ints, sampler: "normal", "onehot" rows, "positive");
    ``defs``: (name, tree) in order; ``loss``: the scalar L; ``batch``: the size a batch sum or a 1/n runs over."""

    dims: dict[str, int | None]
    leaves: dict[str, tuple[tuple, str]]
    defs: list[tuple[str, Node]] = field(default_factory=list)
    loss: Node | None = None
    batch: str | None = "n"


@dataclass
class Context:
    model: Model
    sizes: dict[str, int]
    values: dict[str, np.ndarray]
    cache: dict = field(default_factory=dict)


def make_context(model: Model, rng: np.random.Generator) -> Context:
    """Sizes for the symbolic dimensions (2..9, all distinct and unlike every fixed size), leaves at random."""
    sizes = {k: v for k, v in model.dims.items() if v is not None}
    free = [s for s in range(2, 10) if s not in sizes.values()]
    for name in (k for k, v in model.dims.items() if v is None):
        pick = int(rng.choice(free))
        free.remove(pick)
        sizes[name] = pick
    values: dict[str, np.ndarray] = {}
    for name, (shape, sampler) in model.leaves.items():
        dims = tuple(sizes[s] if isinstance(s, str) else s for s in shape)
        if sampler == "onehot":
            v = np.zeros(dims)
            v[np.arange(dims[0]), rng.integers(0, dims[1], dims[0])] = 1.0
        elif sampler == "positive":
            v = rng.uniform(0.2, 2.0, dims)
        else:
            v = rng.normal(0.0, 1.0, dims)
        values[name] = v
    ctx = Context(model, sizes, values)
    for name, tree in model.defs:
        values[name] = evaluate(tree, ctx)
    return ctx


def _recompute(ctx: Context, name: str, v, upto: str | None = None, f: Node | None = None):
    """L (or ``upto``, or the expression ``f``) with ``name`` replaced by v and every later definition recomputed."""
    vals = dict(ctx.values)
    vals[name] = v
    sub = Context(ctx.model, ctx.sizes, vals)
    order = [n for n, _ in ctx.model.defs]
    start = order.index(name) + 1 if name in order else 0
    for n, tree in ctx.model.defs[start:]:
        vals[n] = evaluate(tree, sub)
        if n == upto:
            return vals[n]
    if upto:
        return vals[upto]
    return evaluate(f if f is not None else ctx.model.loss, sub)


def _grad(ctx: Context, name: str):
    key = ("grad", name)
    if key not in ctx.cache:
        if name not in ctx.values:
            raise IllFormedError(f"∂L/∂{name}: {name} is not a quantity of the network")
        ctx.cache[key] = autograd.grad(lambda v: _recompute(ctx, name, v))(ctx.values[name])
    return ctx.cache[key]


def _jac(ctx: Context, out: str, wrt: str):
    key = ("jac", out, wrt)
    if key not in ctx.cache:
        ctx.cache[key] = autograd.jacobian(lambda v: _recompute(ctx, wrt, v, upto=out))(ctx.values[wrt])
    return ctx.cache[key]


def _shape(x) -> str:
    return "×".join(str(s) for s in anp.shape(x)) or "scalar"


def _matmul(a, b):
    if anp.ndim(a) == 2 and anp.ndim(b) == 2 and a.shape[1] == b.shape[0]:
        return anp.dot(a, b)
    if anp.ndim(a) == 2 and anp.ndim(b) == 4 and tuple(b.shape[:2]) == tuple(a.shape):
        return anp.tensordot(a, b, axes=2)
    if anp.ndim(a) == 0 or anp.ndim(b) == 0:
        return a * b
    raise IllFormedError(f"a product of {_shape(a)} by {_shape(b)} is undefined")


def _same_or_broadcast(a, b, what: str):
    sa, sb = anp.shape(a), anp.shape(b)
    if sa == sb or anp.ndim(a) == 0 or anp.ndim(b) == 0:
        return
    if len(sa) == len(sb) == 2:
        for x, y in ((sa, sb), (sb, sa)):
            if (x[0] == 1 and x[1] == y[1]) or (x[1] == 1 and x[0] == y[0]):
                return
    raise IllFormedError(f"{what} of {_shape(a)} and {_shape(b)} is undefined")


def evaluate(node: Node, ctx: Context):
    """The value of ``node`` in ``ctx`` (an autograd-traceable array); :class:`IllFormedError` where it has none."""
    ev = lambda n: evaluate(n, ctx)  # noqa: E731
    match node:
        case Var(name):
            if name not in ctx.values:
                raise IllFormedError(f"{name} is not defined")
            return ctx.values[name]
        case Grad(name):
            return _grad(ctx, name)
        case Jac(out, wrt):
            return _jac(ctx, out, wrt)
        case GradOf(f, name):
            if anp.ndim(ev(f)) != 0:
                raise IllFormedError(f"∂/∂{name} of a {_shape(ev(f))} array is not a gradient")
            return autograd.grad(lambda v: _recompute(ctx, name, v, f=f))(ctx.values[name])
        case Mul(a, b):
            return _matmul(ev(a), ev(b))
        case Had(a, b):
            x, y = ev(a), ev(b)
            if anp.shape(x) != anp.shape(y):
                raise IllFormedError(f"a Hadamard product of {_shape(x)} and {_shape(y)} is undefined")
            return x * y
        case T(a):
            x = ev(a)
            if anp.ndim(x) != 2:
                raise IllFormedError(f"a transpose of a {_shape(x)} array is not a matrix transpose")
            return anp.transpose(x)
        case Add(a, b):
            x, y = ev(a), ev(b)
            _same_or_broadcast(x, y, "a sum")
            return x + y
        case Sub(a, b):
            x, y = ev(a), ev(b)
            _same_or_broadcast(x, y, "a difference")
            return x - y
        case Scale(k, a, size, power):
            return float(k) * (ctx.sizes[size] ** power if size else 1) * ev(a)
        case Ones(size):
            return anp.ones((ctx.sizes[size], 1))
        case Fn(fn, a):
            return ELEMENTWISE[fn](ev(a))
        case Softmax(a):
            x = ev(a)
            e = anp.exp(x - anp.max(x, axis=1, keepdims=True))
            return e / anp.sum(e, axis=1, keepdims=True)
        case SumAll(a):
            return anp.sum(ev(a))
        case Frob(a, b):
            x, y = ev(a), ev(b)
            if anp.shape(x) != anp.shape(y):
                raise IllFormedError(f"A:B of {_shape(x)} and {_shape(y)} is undefined")
            return anp.sum(x * y)
        case Trace(a):
            x = ev(a)
            if anp.ndim(x) != 2 or x.shape[0] != x.shape[1]:
                raise IllFormedError(f"the trace of a {_shape(x)} array is undefined")
            return anp.trace(x)
        case Diag(a):
            x = ev(a)
            if anp.ndim(x) != 2 or 1 not in x.shape:
                raise IllFormedError(f"diag of a {_shape(x)} array: not a vector")
            return anp.diag(anp.ravel(x))
        case Einsum(spec, args, _):
            values = [ev(a) for a in args]
            try:
                return anp.einsum(spec, *values)
            except ValueError as e:  # indices that run over different sizes
                raise IllFormedError(f"the index sum {spec} over {', '.join(map(_shape, values))}: {e}") from e
    raise TypeError(f"no evaluation for {node!r}")  # pragma: no cover - an encoding error


def compare(lhs: Node, rhs: Node, ctx: Context) -> tuple[bool, str]:
    """(equal here, why not): sides that cannot be formed or that differ in shape are unequal, with the shapes."""
    try:
        left = np.asarray(evaluate(lhs, ctx), dtype=float)
    except IllFormedError as e:
        return False, f"the left side cannot be formed: {e}"
    try:
        right = np.asarray(evaluate(rhs, ctx), dtype=float)
    except IllFormedError as e:
        return False, f"the right side cannot be formed: {e}"
    if left.shape != right.shape:
        return False, f"the left side is {_shape(left)}, the right side {_shape(right)}"
    scale = 1.0 + max(float(np.max(np.abs(left), initial=0.0)), float(np.max(np.abs(right), initial=0.0)))
    gap = float(np.max(np.abs(left - right), initial=0.0))
    if gap > 1e-9 * scale:
        return False, f"entries differ by up to {gap:.3g} ({_shape(left)})"
    return True, ""
