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

from backprop_derive.verify.latex.tokens import LatexError
from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.reader import name_key, read_matrix
from backprop_derive.verify.matrix.shapes import Declared, declarations

__all__ = ["Declared", "declarations", "declared_matrices", "defines_matrix", "is_matrix_step", "matrix_like", "warm"]

#: Capital letters that name scalars as often as matrices (a loss, a cost, a count): never taken for matrices.
_SCALAR_CAPITALS = frozenset("CEJKLNRST")


def matrix_like(lhs_text: str, rhs_text: str, definitions) -> dict[str, str]:
    """Names of a step that the document uses as matrices although it declares no shape, and why: transposed in
    the step or in a definition in force (``W^T``), a factor of ⊙, or a capital letter times a name in a dense
    layer's definition (``z = W a + b``).  Such a step read as scalars proves nothing about the matrices."""
    sides = []
    for text in (lhs_text, rhs_text, *(d.rhs for d in definitions)):
        try:
            sides.append(read_matrix(text))
        except LatexError:
            continue
    why: dict[str, str] = {}
    for side in sides:
        for node in _walk(side):
            if isinstance(node, nd.Transpose | nd.Hadamard):
                for arg in (node.arg,) if isinstance(node, nd.Transpose) else (node.left, node.right):
                    if isinstance(arg, nd.Name):
                        why.setdefault(arg.key, "transposed" if isinstance(node, nd.Transpose) else "a factor of ⊙")
            if isinstance(node, nd.Sum) and len(node.terms) >= 2:
                for _, term in node.terms:
                    if isinstance(term, nd.Product) and isinstance(term.left, nd.Name) and \
                            isinstance(term.right, nd.Name) and _weight_letter(term.left.key):
                        why.setdefault(term.left.key, "a weight matrix in a layer's definition")
    step = set()
    for text in (lhs_text, rhs_text):
        try:
            step |= nd.names(read_matrix(text))
        except LatexError:
            continue
    return {key: reason for key, reason in why.items() if key in step}


def _weight_letter(key: str) -> bool:
    """A single Latin capital (``W``, ``W_1``, ``W^[l]``), not one that often names a scalar, nor a Greek
    capital (``\\Phi`` is the normal CDF)."""
    base = key.split("_")[0].split("^")[0]
    return len(base) == 1 and base.isupper() and base not in _SCALAR_CAPITALS


def _walk(node):
    yield node
    for value in vars(node).values():
        if isinstance(value, nd.Node):
            yield from _walk(value)
        elif isinstance(value, tuple):
            for item in value:
                for part in item if isinstance(item, tuple) else (item,):
                    if isinstance(part, nd.Node):
                        yield from _walk(part)


def warm(text: str) -> None:
    """Build the elementwise functions ``text`` names once, in the parent: every step's child inherits them."""
    from backprop_derive.verify.matrix.evaluate import warm_functions

    warm_functions(text)


def defines_matrix(lhs_text: str, rhs_text: str, declared: tuple[Declared, ...], taken: set[str]) -> str | None:
    """The name ``lhs = rhs`` defines in a matrix document (a bare name, new, not on its right side), or None."""
    if not declared:
        return None
    known = frozenset(d.key for d in declared) | frozenset(taken)
    key = name_key(lhs_text) or gradient_name(lhs_text, rhs_text, known)
    if key is None or key in taken:
        return None
    try:
        rhs = read_matrix(rhs_text, known)
    except LatexError:
        return None
    if key in nd.names(rhs):
        return None
    return key


def gradient_name(lhs_text: str, rhs_text: str, known: frozenset[str]) -> str | None:
    r"""``d`` + X when ``lhs = rhs`` is ``dX = \frac{\partial J}{\partial X}`` (the course notation "dX" for
    the gradient of the cost by X, ``db^{[l]} = \partial J/\partial b^{[l]}``) and d is no name of the
    document: a definition of the name dX, never a product d·X judged as a claim.  Else None."""
    try:
        lhs, rhs = read_matrix(lhs_text, known), read_matrix(rhs_text, known)
    except LatexError:
        return None
    if isinstance(lhs, nd.Product) and isinstance(lhs.left, nd.Name) and lhs.left.key == "d" and "d" not in known \
            and isinstance(lhs.right, nd.Name) and isinstance(rhs, nd.Gradient) and rhs.by.key == lhs.right.key:
        return f"d{lhs.right.key}"
    return None


def is_matrix_step(lhs_text: str, rhs_text: str, declared: tuple[Declared, ...], defined: set[str],
                   upstream: frozenset[str] = frozenset()) -> bool:
    """Whether the step is a matrix claim: both sides read, and a declared or defined matrix is in one.

    A step that names an ``upstream`` name without a declared shape (``f``, "the layer above", differentiated
    by an element ``y_i``) is no matrix claim: f is a scalar of the graph's elements, and the step is the
    per-element derivation the scalar checker reads (:mod:`backprop_derive.verify.upstream`)."""
    if not declared:
        return False
    matrices = {d.key for d in declared if d.dims} | defined
    known = frozenset(d.key for d in declared) | frozenset(defined)
    try:
        sides = [read_matrix(lhs_text, known), read_matrix(rhs_text, known)]
    except LatexError:
        return False
    named = set().union(*(nd.names(side) for side in sides))
    if named & (set(upstream) - {d.key for d in declared}):
        return False
    return bool(named & matrices)


def declared_matrices(lhs_text: str, rhs_text: str, declared: tuple[Declared, ...]) -> set[str]:
    """The names of a step declared with two or more sizes (matrices, not vectors of features)."""
    matrices = {d.key for d in declared if len(d.dims) >= 2}
    found = set()
    for text in (lhs_text, rhs_text):
        try:
            found |= nd.names(read_matrix(text, frozenset(d.key for d in declared))) & matrices
        except LatexError:
            continue
    return found
