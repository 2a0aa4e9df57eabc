"""What the evaluator passes around: a :class:`Value` (entries, shape in the document's sizes, its tape links),
the two errors a side can raise (:class:`ShapeError`, :class:`MissingShapeError`), and two small helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from derive.verify.matrix import nodes as nd
from derive.verify.matrix.grid import Grid


class ShapeError(ValueError):
    """Sides that cannot be formed, or cannot have the same shape: the message has the shapes."""


#: The words of a :class:`ShapeError` about a derivative of a non-scalar (a Jacobian, whose layout the
#: matrix mode does not read): where shapes are only inferred, such a side is left undecided, not wrong.
NOT_A_MATRIX = "is not a matrix here"


class MissingShapeError(ValueError):
    """A name with no declared shape and no definition to infer one from."""


@dataclass
class Value:
    """Entries (a 2-D object array), the shape in the document's sizes, and how to pass a gradient back."""

    entries: Grid
    shape: tuple
    parents: tuple = ()  # (value, vjp) pairs: vjp maps the gradient of this value to that of the parent
    order: int = 0

    @property
    def scalar(self) -> bool:
        return self.entries.shape == (1, 1)


def _pick(i: int, j: int) -> Callable:
    return lambda g: Grid([[g[i, j]]])


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
