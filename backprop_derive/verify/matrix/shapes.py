r"""Shapes a document declares: ``X \in \mathbb{R}^{n \times 70}``, ``b_1 \in \mathbb{R}^{1\times 10}``,
``\mathbb{R}^{10}``, in prose or in display math.

A size is a number or a name (``n``, ``d``, ``K``): a symbolic size is a positive integer symbol,
drawn at random by the numeric check and set to small values by the proof on instances.  A
declaration of one size, :math:`\mathbb{R}^{k}`, is a vector; :class:`Shapes` makes every vector a
row (1×k, the convention of rows as samples, where a bias is a row) unless the document reads only
with columns (``z = W a + b``, columns as samples; :mod:`.evaluate` tries both).  ``X, Y \in …``
declares several names; ``L \in \mathbb{R}`` a scalar.  A later declaration of a name replaces
an earlier one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from backprop_derive.verify.latex.tokens import LatexError
from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.reader import read_matrix, tokens_of

_DECLARATION = re.compile(
    r"\\in\s*\\mathbb\s*\{?\s*R\s*\}?(?:\s*\^\s*(?P<dims>\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|[0-9A-Za-z]))?")
#: Longest text before ``\in`` searched for the names declared.
_NAMES_BEFORE = 200
_DIM_SEPARATORS = re.compile(r"\\times|×|\\cdot|(?<![A-Za-z])x(?![A-Za-z])|,")

#: A size: a number or a positive integer symbol.
Dim = sp.Expr


def size_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True, positive=True)


@dataclass(frozen=True)
class Declared:
    """``key`` has ``dims`` (one size: a vector; none: a scalar), declared on ``line``."""

    key: str
    dims: tuple[Dim, ...]
    text: str


def _dim(text: str) -> Dim:
    tokens = [t for t in tokens_of(text) if t.kind != "end"]
    if len(tokens) == 1 and tokens[0].kind == "number" and tokens[0].text.isdigit():
        return sp.Integer(tokens[0].text)
    node = read_matrix(text)
    if isinstance(node, nd.Name):
        return size_symbol(node.key)
    raise LatexError(f"the size {text.strip()!r} is not a number or a name", 1)


def declarations(text: str) -> tuple[Declared, ...]:
    """Every shape declaration in ``text`` (a whole document), in order."""
    found = []
    for m in _DECLARATION.finditer(text):
        names = text[max(m.start() - _NAMES_BEFORE, 0) : m.start()]
        previous = names.rfind("\\in")
        names = names[max(names.rfind("$") + 1, names.rfind("\n") + 1, previous + 3 if previous >= 0 else 0) :]
        names = re.split(r"(?i)\b(?:let|where|with|and|for|is|are|the|of)\b|[:;]", names)[-1]
        dims_text = (m.group("dims") or "").strip()
        dims_text = dims_text[1:-1] if dims_text.startswith("{") else dims_text
        try:
            dims = tuple(_dim(d) for d in _DIM_SEPARATORS.split(dims_text)) if dims_text else ()
        except LatexError:
            continue
        for piece in names.split(","):
            piece = piece.strip()
            if not piece:
                continue
            try:
                node = read_matrix(piece)
            except LatexError:
                continue
            if isinstance(node, nd.Name):
                found.append(Declared(node.key, dims, m.group().strip()))
    return tuple(found)


def as_matrix_shape(dims: tuple[Dim, ...], vectors: str = "row") -> tuple[Dim, Dim]:
    """The (rows, columns) of a declaration: a vector is a row or a column as ``vectors`` says."""
    if not dims:
        return sp.Integer(1), sp.Integer(1)
    if len(dims) == 1:
        return (sp.Integer(1), dims[0]) if vectors == "row" else (dims[0], sp.Integer(1))
    if len(dims) == 2:
        return dims[0], dims[1]
    raise ValueError("a shape of more than two sizes")


def shown(shape: tuple[Dim, Dim]) -> str:
    return "×".join(str(d) for d in shape)
