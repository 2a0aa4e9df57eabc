"""A small matrix of Python objects (mpmath numbers or SymPy expressions): what numpy's object arrays would
do here, without numpy (``derive`` depends on SymPy only).

Rows × columns, 0-based ``grid[i, j]``; ``+ - * /`` entry by entry with a scalar, a grid of the same shape, or
a 1×c row / r×1 column / 1×1 grid broadcast (as numpy broadcasts); ``dot`` the matrix product; ``T``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator


class Grid:
    __slots__ = ("rows",)

    def __init__(self, rows):
        self.rows = [list(row) for row in rows]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), (len(self.rows[0]) if self.rows else 0)

    @property
    def T(self) -> Grid:
        rows, cols = self.shape
        return Grid([[self.rows[i][j] for i in range(rows)] for j in range(cols)])

    def __getitem__(self, at):
        i, j = at
        return self.rows[i][j]

    def __setitem__(self, at, value) -> None:
        i, j = at
        self.rows[i][j] = value

    def __iter__(self) -> Iterator[list]:
        return iter(self.rows)

    def flat(self) -> list:
        return [value for row in self.rows for value in row]

    def copy(self) -> Grid:
        return Grid(self.rows)

    def map(self, f: Callable) -> Grid:
        return Grid([[f(value) for value in row] for row in self.rows])

    def dot(self, other: Grid) -> Grid:
        columns = list(zip(*other.rows, strict=False)) if other.rows else []
        return Grid([[sum((a * b for a, b in zip(row, column, strict=True)), 0 * row[0] if row else 0)
                      for column in columns] for row in self.rows])

    def _with(self, other, f: Callable) -> Grid:
        if not isinstance(other, Grid):
            return Grid([[f(a, other) for a in row] for row in self.rows])
        (r, c), (r2, c2) = self.shape, other.shape
        rows, cols = max(r, r2), max(c, c2)
        if r not in (1, rows) or r2 not in (1, rows) or c not in (1, cols) or c2 not in (1, cols):
            raise ValueError(f"grids of {r}×{c} and {r2}×{c2} do not broadcast")
        mine, theirs = self.rows, other.rows
        return Grid([[f(mine[i if r > 1 else 0][j if c > 1 else 0], theirs[i if r2 > 1 else 0][j if c2 > 1 else 0])
                      for j in range(cols)] for i in range(rows)])

    def __add__(self, other):
        return self._with(other, lambda a, b: a + b)

    def __radd__(self, other):
        return self._with(other, lambda a, b: b + a)

    def __sub__(self, other):
        return self._with(other, lambda a, b: a - b)

    def __rsub__(self, other):
        return self._with(other, lambda a, b: b - a)

    def __mul__(self, other):
        return self._with(other, lambda a, b: a * b)

    def __rmul__(self, other):
        return self._with(other, lambda a, b: b * a)

    def __truediv__(self, other):
        return self._with(other, lambda a, b: a / b)

    def __neg__(self):
        return self.map(lambda a: -a)


def full(shape: tuple[int, int], value) -> Grid:
    rows, cols = shape
    return Grid([[value] * cols for _ in range(rows)])


def of_flat(values: list, rows: int, cols: int) -> Grid:
    return Grid([values[i * cols : (i + 1) * cols] for i in range(rows)])


def total(grid: Grid):
    """The sum of every entry."""
    values = grid.flat()
    return sum(values[1:], values[0]) if values else 0


def broadcast(grid: Grid, shape: tuple[int, int]) -> Grid:
    """``grid`` (1×c, r×1 or 1×1) repeated to ``shape``."""
    return full(shape, 0)._with(grid, lambda _, b: b)


def enumerate_entries(grid: Grid) -> Iterator[tuple[tuple[int, int], object]]:
    for i, row in enumerate(grid.rows):
        for j, value in enumerate(row):
            yield (i, j), value
