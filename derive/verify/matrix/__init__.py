r"""Matrix-form backprop checked: shapes, matrix expressions, gradients in denominator layout.

A document enters the matrix mode when it declares a shape (``X \in \mathbb{R}^{n \times 70}``,
:mod:`.shapes`); a step is judged as a matrix claim when both sides read as matrix expressions
(:mod:`.reader`) and one of them mentions a declared or defined matrix.  Every other step is judged
by the scalar checker exactly as before, so a scalar document behaves as it always did.

What a matrix claim means and how it is decided:

* juxtaposition and ``\cdot`` are the matrix product, ``\odot``/``\circ`` the elementwise one, ``^T``
  the transpose; a 1×c row added to an n×c matrix is added to every row (the report says so);
* :math:`\partial L/\partial W` of a scalar L is W's shape, entry (i, j) = :math:`\partial L/\partial W_{ij}`
  (denominator layout, as the note and ``derive network``); L is differentiated through the
  document's definitions (``Let $Z_3 = A_2 W_3 + b_3$``), the name differentiated by held fixed;
* sides that cannot be formed, or that have different shapes, are ``not_equal``, the shapes in the
  reason; otherwise every entry is compared at random sizes and values (numeric, never "proved"),
  then proved on an instance of small sizes where SymPy finishes in time (:mod:`.decide`);
* a wrong claim gets a matrix diagnosis when one is checked (:mod:`.diagnosis`).
"""

from __future__ import annotations

from derive.latex.tokens import LatexError
from derive.verify.matrix import nodes as nd
from derive.verify.matrix.reader import name_key, read_matrix
from derive.verify.matrix.shapes import Declared, declarations

__all__ = ["Declared", "declarations", "defines_matrix", "is_matrix_step"]


def defines_matrix(lhs_text: str, rhs_text: str, declared: tuple[Declared, ...], taken: set[str]) -> str | None:
    """The name ``lhs = rhs`` defines in a matrix document (a bare name, new, not on its right side), or None."""
    if not declared:
        return None
    key = name_key(lhs_text)
    if key is None or key in taken:
        return None
    known = frozenset(d.key for d in declared) | frozenset(taken)
    try:
        rhs = read_matrix(rhs_text, known)
    except LatexError:
        return None
    if key in nd.names(rhs):
        return None
    return key


def is_matrix_step(lhs_text: str, rhs_text: str, declared: tuple[Declared, ...], defined: set[str]) -> bool:
    """Whether the step is a matrix claim: both sides read, and a declared or defined matrix is in one."""
    if not declared:
        return False
    matrices = {d.key for d in declared if d.dims} | defined
    known = frozenset(d.key for d in declared) | frozenset(defined)
    try:
        sides = [read_matrix(lhs_text, known), read_matrix(rhs_text, known)]
    except LatexError:
        return False
    return any(nd.names(side) & matrices for side in sides)
