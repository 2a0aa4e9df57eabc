r"""What the recurrent cells share: the logistic sigmoid as a SymPy function, and matrix helpers.

The cells (``rnn_cell``, ``lstm_cell``, ``gru_cell``) and the unrolled ``rnn`` are written once with
these helpers, so the same formulas run on ``MatrixSymbol`` objects (the lemma, symbolic sizes) and on
explicit ``sympy.Matrix`` objects (the instance proofs of BPTT, the kernels' check):

* :class:`sigmoid` -- :math:`\sigma(u) = 1/(1 + e^{-u})`, printed by name, whose derivative SymPy
  takes as :math:`\sigma(1-\sigma)`: that identity is proved from the definition by
  :func:`sigmoid_derivative_is_proved` (exact; the catalog's ``sigmoid`` entry proves it too), so a
  lemma through the gates stays polynomial in σ and tanh and ``expand`` decides it;
* :func:`apply` (an elementwise function), :func:`hadamard` (⊙), :func:`ones` (a matrix of ones),
  :func:`one_minus_square` (:math:`1 - h^{\circ 2}`, tanh's derivative written through its output).
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction


class sigmoid(sp.Function):
    """The logistic sigmoid, kept by name in the matrix forms; ``definition`` is what it means."""

    nargs = 1

    @staticmethod
    def definition(u):
        return 1 / (1 + sp.exp(-u))

    def fdiff(self, argindex=1):
        """σ' = σ (1 − σ) (:func:`sigmoid_derivative_is_proved`)."""
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))


def sigmoid_derivative_is_proved() -> bool:
    """d/du of σ's definition minus σ(1 − σ) at the definition reduces to exactly 0."""
    u = sp.Symbol("u", real=True)
    s = sigmoid.definition(u)
    return sp.simplify(sp.diff(s, u) - s * (1 - s)) == 0


def explicit(matrix) -> bool:
    return isinstance(matrix, sp.MatrixBase)


def ones(rows, cols, like):
    """A matrix of ones: explicit for explicit ``like``, ``OneMatrix`` for symbolic."""
    return sp.ones(rows, cols) if explicit(like) else sp.OneMatrix(rows, cols)


def apply(function, matrix):
    """``function`` entry by entry: ``tanh(A)``, ``sigmoid(A)``."""
    if explicit(matrix):
        return matrix.applyfunc(function)
    return ElementwiseApplyFunction(function, matrix)


def hadamard(*matrices):
    """The elementwise product ``A ⊙ B ⊙ …``."""
    if all(explicit(m) for m in matrices):
        out = matrices[0]
        for m in matrices[1:]:
            out = out.multiply_elementwise(m)
        return out
    return sp.HadamardProduct(*matrices)


def square(matrix):
    """``A ⊙ A``, written ``A∘²``."""
    return matrix.multiply_elementwise(matrix) if explicit(matrix) else sp.HadamardPower(matrix, 2)


def one_minus_square(h):
    r""":math:`1 - h^{\circ 2}`: tanh'(a) through its output h = tanh(a)."""
    return ones(*h.shape, h) - square(h)


def one_minus(s):
    r""":math:`1 - s`, entry by entry."""
    return ones(*s.shape, s) - s


def bias_row(b, rows, like):
    r""":math:`\mathbf 1 b`: the bias row added to every sample."""
    return ones(rows, 1, like) * b


def column_sums(delta):
    r""":math:`\mathbf 1^T \delta`: the bias gradient, summed over the samples."""
    return ones(1, delta.shape[0], delta) * delta
