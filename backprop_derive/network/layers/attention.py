r"""Single-head scaled dot-product attention: :math:`O = \operatorname{softmax}(QK^T/\sqrt d)\,V`.

Q is n × d (queries), K is m × d (keys), V is m × e (values); the softmax is over each row (the keys):

.. math::  S = QK^T/\sqrt d, \qquad P_{ij} = e^{S_{ij}} / \textstyle\sum_k e^{S_{ik}}, \qquad O = P V.

Backward, for :math:`G = \partial L/\partial O`:

.. math::  \frac{\partial L}{\partial V} = P^T G, \quad
           \frac{\partial L}{\partial P} = G V^T, \quad
           \frac{\partial L}{\partial S} = P \odot \Big(\frac{\partial L}{\partial P}
              - \big(\tfrac{\partial L}{\partial P} \odot P\big)\mathbf 1\,\mathbf 1^T\Big), \quad
           \frac{\partial L}{\partial Q} = \frac{\partial L}{\partial S} \frac{K}{\sqrt d}, \quad
           \frac{\partial L}{\partial K} = \Big(\frac{\partial L}{\partial S}\Big)^T \frac{Q}{\sqrt d}.

As ``torch.nn.functional.scaled_dot_product_attention(Q, K, V)`` (no mask, no dropout).
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from backprop_derive.network.layers.base import Layer, Step, e, m


def _forward(keep, Q, K, V):
    keys = K.shape[0]
    across = sp.OneMatrix(keys, 1)
    scores = keep("S", Q * K.T / sp.sqrt(Q.shape[1]))
    exps = keep("E", ElementwiseApplyFunction(sp.exp, scores))
    weights = keep("P", sp.HadamardProduct(exps, sp.HadamardPower(exps * across, -1) * across.T))
    return weights * V


def backward_with(scaled: bool = True):
    """The backward formulas; ``scaled=False`` forgets the 1/√d in ∂L/∂Q and ∂L/∂K (a planted mistake)."""

    def backward(keep, g, Q, K, V, saved):
        P = saved["P"]
        across = sp.OneMatrix(K.shape[0], 1)
        scale = 1 / sp.sqrt(Q.shape[1]) if scaled else sp.S.One
        dP = keep("dP", g * V.T)
        dS = keep("dS", sp.HadamardProduct(P, dP - sp.HadamardProduct(dP, P) * across * across.T))
        return {"dV": P.T * g, "dQ": scale * dS * K, "dK": scale * dS.T * Q}

    return backward


LAYER = Layer(
    name="attention",
    summary="attention(Q, K, V) = softmax(Q Kᵀ/√d) V, single head, softmax over each row",
    matches="torch.nn.functional.scaled_dot_product_attention(Q, K, V), no mask, no dropout",
    parameters=(),
    inputs=("Q", "K", "V"),
    shapes=lambda rows, cols: {"Q": (rows, cols), "K": (m, cols), "V": (m, e)},
    forward=_forward,
    backward=backward_with(True),
    steps=(
        Step("S[i,j]", "(1/√d) Σ_k Q[i,k] K[j,k]", "scaled scores"),
        Step("P[i,j]", "exp(S[i,j]) / Σ_l exp(S[i,l])", "softmax over each row"),
        Step("O[i,c]", "Σ_j P[i,j] V[j,c]", "weighted values"),
        Step("∂L/∂V[a,b]", "Σ_i P[i,a] G[i,b]", "O is linear in V"),
        Step("∂L/∂P[i,j]", "Σ_c G[i,c] V[j,c]", "O is linear in P"),
        Step("∂P[i,j]/∂S[i,l]", "P[i,j] (δ(j,l) - P[i,l])", "the softmax Jacobian, row by row"),
        Step("∂L/∂S[i,l]", "Σ_j ∂L/∂P[i,j] P[i,j] (δ(j,l) - P[i,l]) = P[i,l] (∂L/∂P[i,l] - Σ_j ∂L/∂P[i,j] P[i,j])",
             "chain rule; the δ picks j = l"),
        Step("∂L/∂Q[a,b]", "(1/√d) Σ_j ∂L/∂S[a,j] K[j,b]", "S is linear in Q, with the 1/√d"),
        Step("∂L/∂K[a,b]", "(1/√d) Σ_i ∂L/∂S[i,a] Q[i,b]", "S is linear in K, with the 1/√d"),
    ),
    notes=("the 1/√d scales both ∂L/∂Q and ∂L/∂K: forgetting it is the classic mistake",),
)
