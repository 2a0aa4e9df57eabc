r"""Embedding: row lookup of a table E (V × D) by token ids, as ``torch.nn.functional.embedding``.

For T token ids :math:`t_0, \dots, t_{T-1}` the output row r is row :math:`t_r` of E.  Written as a
product with the one-hot matrix S (T × V, :math:`S_{rv} = \delta(v, t_r)`), the lookup is linear in E:

.. math::  Y = S E, \qquad Y_{rc} = \sum_v S_{rv} E_{vc} = E_{t_r c}, \qquad
           \frac{\partial L}{\partial E_{ab}} = \sum_r \sum_c G_{rc} S_{ra} \delta(c, b)
           = \sum_r S_{ra} G_{rb}, \quad\text{that is}\quad \frac{\partial L}{\partial E} = S^T G.

Row a of :math:`S^T G` is the sum of the upstream rows of every position that looked up token a:
the gradient is scattered to the rows used, and a token used twice gets both rows *added*.  S is a
constant of the layer (the ids are integers, not differentiated); the lemma holds for any S, so it
needs nothing of one-hotness.  Sizes: T = n tokens, V = m words, D = d features.
"""

from __future__ import annotations

from backprop_derive.network.layers.base import Layer, Step, m


def _forward(keep, S, E):
    return S * E


def backward_with(transposed: bool = True):
    """The backward formula; ``transposed=False`` writes ∂L/∂E = S G (a planted mistake)."""

    def backward(keep, g, S, E, saved):
        return {"dE": S.T * g if transposed else S * g}

    return backward


LAYER = Layer(
    name="embedding",
    summary="embedding(ids) = S E: row t_r of E for each token id t_r (S the T × V one-hot matrix of the ids)",
    matches="torch.nn.functional.embedding(ids, E) (torch.nn.Embedding(V, D) with weight E)",
    inputs=(),
    constants=("S",),
    parameters=("E",),
    shapes=lambda rows, cols: {"S": (rows, m), "E": (m, cols)},
    forward=_forward,
    backward=backward_with(True),
    steps=(
        Step("S[r,v]", "δ(v, t_r)", "the one-hot row of token t_r"),
        Step("y[r,c]", "Σ_v S[r,v] E[v,c] = E[t_r,c]", "the lookup as a product"),
        Step("∂y[r,c]/∂E[a,b]", "S[r,a] δ(c,b)", "y is linear in E"),
        Step("∂L/∂E[a,b]", "Σ_r Σ_c G[r,c] S[r,a] δ(c,b) = Σ_r S[r,a] G[r,b]", "chain rule; the δ picks c = b"),
        Step("∂L/∂E[a,b]", "Σ_r δ(a, t_r) G[r,b]", "S[r,a] = δ(a, t_r): each position holding token a adds its row"),
    ),
    notes=("the ids are not differentiated: the kernel's dx is None",
           "a token that appears k times gets the sum of its k upstream rows (np.add.at or bincount, "
           "never fancy-index assignment, which keeps only one)",
           "rows of E no token used get zero gradient (torch's dense gradient, sparse=False)"),
)
