r"""The matrix expressions :mod:`.reader` builds: small frozen dataclasses, one per construct.

Every node has a shape once the document's shapes are known (:mod:`.evaluate` works it out):

* :class:`Name` -- a matrix, vector or scalar the document declares (``X \in \mathbb{R}^{n\times 70}``)
  or defines (``Z_3 = A_2 W_3 + b_3``); a size such as ``n`` is a scalar name;
* :class:`Product` -- juxtaposition, ``\cdot``, ``\times``: the matrix product :math:`(AB)_{ij} =
  \sum_k A_{ik} B_{kj}`, or a scalar times a matrix where one factor is 1×1;
* :class:`Hadamard` -- ``\odot``, ``\circ``: :math:`(A \odot B)_{ij} = A_{ij} B_{ij}`;
* :class:`Sum` -- ``+``/``-``; a 1×c row added to an r×c matrix is added to every row (the bias
  broadcast, which the report names);
* :class:`Transpose`, :class:`Ones` (``\mathbf 1``, a column of ones, its length from context or
  ``\mathbf 1_n``), :class:`Identity`, :class:`Apply` (an elementwise function, or its derivative),
  :class:`Softmax` (row by row), :class:`Trace`, :class:`Diag`, :class:`Literal` (``bmatrix``),
  :class:`Entry` (``W_{ij}``), :class:`IndexSum` (``\sum_{i=1}^{n}``), :class:`Gradient`
  (:math:`\partial L/\partial W`, W's shape: denominator layout) and :class:`Jacobian`
  (:math:`\partial Z/\partial W` of a matrix by a matrix, which is no matrix).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class Node:
    column: int


@dataclass(frozen=True)
class Name(Node):
    key: str  # "W_3", "Yhat", "delta_3"


@dataclass(frozen=True)
class Number(Node):
    value: sp.Rational


@dataclass(frozen=True)
class Index(Node):
    """A summation or entry index (``i`` in ``\\sum_i`` or ``W_{ij}``)."""

    name: str


@dataclass(frozen=True)
class Product(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Hadamard(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Quotient(Node):
    """``\\frac{A}{s}`` with s a scalar: each entry divided by s."""

    numerator: Node
    denominator: Node


@dataclass(frozen=True)
class Sum(Node):
    terms: tuple[tuple[int, Node], ...]  # (+1 or -1, term)


@dataclass(frozen=True)
class Transpose(Node):
    arg: Node


@dataclass(frozen=True)
class Ones(Node):
    length: Node | None = None


@dataclass(frozen=True)
class Identity(Node):
    size: Node | None = None


@dataclass(frozen=True)
class Apply(Node):
    """An elementwise function (``derivative`` times differentiated): ``function`` is the reader's name."""

    function: str
    arg: Node
    derivative: int = 0


@dataclass(frozen=True)
class Power(Node):
    """A scalar (1×1) raised to a number; of a matrix it is an error (write ``A \\odot A``)."""

    base: Node
    exponent: sp.Rational


@dataclass(frozen=True)
class Softmax(Node):
    arg: Node


@dataclass(frozen=True)
class Trace(Node):
    arg: Node


@dataclass(frozen=True)
class Diag(Node):
    arg: Node


@dataclass(frozen=True)
class Literal(Node):
    rows: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True)
class Entry(Node):
    arg: Node
    indices: tuple[Node, ...]


@dataclass(frozen=True)
class IndexSum(Node):
    index: str
    lower: Node | None
    upper: Node | None
    body: Node


@dataclass(frozen=True)
class Gradient(Node):
    """:math:`\\partial f/\\partial x` of a scalar by a matrix (x's shape); ``of`` and ``by`` are names."""

    of: Name
    by: Name
    text: str


@dataclass(frozen=True)
class Jacobian(Node):
    """:math:`\\partial Z/\\partial W` with Z not a scalar: no matrix (an error names it in the claim)."""

    of: Node
    by: Node
    text: str


@dataclass(frozen=True)
class Statistic(Node):
    """``E[x]`` (``mean``) or ``Var[x]`` (``var``, the biased variance, 1/N) of all N entries of ``arg``: 1×1."""

    kind: str
    arg: Node


@dataclass(frozen=True)
class Generic(Node):
    """An undefined scalar function of every entry of the names ``reads`` (the proof's loss ℓ)."""

    reads: tuple[str, ...]


def names(node: Node) -> set[str]:
    """Every :class:`Name` key in ``node`` (gradients count their numerator and denominator)."""
    found: set[str] = set()

    def walk(n) -> None:
        if isinstance(n, Name):
            found.add(n.key)
        elif isinstance(n, Node):
            for value in vars(n).values():
                walk(value)
        elif isinstance(n, tuple):
            for item in n:
                walk(item)

    walk(node)
    return found


def contains(node: Node, kind: type) -> bool:
    """Whether a node of ``kind`` is anywhere in ``node``."""
    if isinstance(node, kind):
        return True
    values = vars(node).values() if isinstance(node, Node) else node if isinstance(node, tuple) else ()
    return any(contains(v, kind) for v in values if isinstance(v, Node | tuple))
