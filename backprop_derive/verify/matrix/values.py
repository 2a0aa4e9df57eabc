"""What the evaluator passes around: a :class:`Value` (entries, shape in the document's sizes, its tape links),
the two errors a side can raise (:class:`ShapeError`, :class:`MissingShapeError`), two small helpers, and
:func:`compare`, entry by entry, of two values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import sympy as sp

from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.grid import Grid, enumerate_entries
from backprop_derive.verify.matrix.shapes import shown


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


#: Two entries agree within this relative difference (the values carry 30 digits and more).
TOLERANCE = mpmath.mpf(10) ** -20


def compare(lhs: Value, rhs: Value) -> tuple[str, dict | None] | None:
    """None when every entry agrees; else the reason and a counterexample."""
    if lhs.entries.shape != rhs.entries.shape or not _same_shape(lhs.shape, rhs.shape):
        return f"the left side is {shown(lhs.shape)}, the right side {shown(rhs.shape)}", None
    for (i, j), a in enumerate_entries(lhs.entries):
        b = rhs.entries[i, j]
        if abs(a - b) > TOLERANCE * max(1, abs(a), abs(b)):
            return f"entry ({i + 1}, {j + 1}) differs", {"entry": [i + 1, j + 1], "lhs": mpmath.nstr(a, 30),
                                                         "rhs": mpmath.nstr(b, 30),
                                                         "difference": mpmath.nstr(abs(a - b), 3)}
    return None


def _same_shape(a, b) -> bool:
    return all(sp.simplify(sp.sympify(x) - sp.sympify(y)) == 0 for x, y in zip(a, b, strict=True))
