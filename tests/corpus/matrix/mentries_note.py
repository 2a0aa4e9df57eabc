"""The seed note's matrix half (note-matrix-half.md): 70→10→10→3, ReLU, ReLU, softmax + mean cross-entropy.

Rows are samples; the batch size n is symbolic (drawn per context); the bias rows broadcast over the rows.
"""

from __future__ import annotations

from fractions import Fraction

from mcheck import D, block, chain, derivation, eq  # noqa: F401
from mexpr import Add, Einsum, Fn, Grad, Had, Jac, Model, Mul, Ones, Scale, Softmax, Sub, SumAll, T, Var
from mtex import NOTATIONS, Notation

G = Grad


def note_model() -> Model:
    dims = {"n": None, "d0": 70, "d1": 10, "d2": 10, "d3": 3}
    leaves = {
        "X": (("n", "d0"), "normal"),
        "W1": (("d0", "d1"), "normal"), "b1": ((1, "d1"), "normal"),
        "W2": (("d1", "d2"), "normal"), "b2": ((1, "d2"), "normal"),
        "W3": (("d2", "d3"), "normal"), "b3": ((1, "d3"), "normal"),
        "Y": (("n", "d3"), "onehot"),
    }
    defs = [
        ("Z1", Add(Mul(Var("X"), Var("W1")), Var("b1"))),
        ("A1", Fn("relu", Var("Z1"))),
        ("Z2", Add(Mul(Var("A1"), Var("W2")), Var("b2"))),
        ("A2", Fn("relu", Var("Z2"))),
        ("Z3", Add(Mul(Var("A2"), Var("W3")), Var("b3"))),
        ("Yhat", Softmax(Var("Z3"))),
    ]
    loss = Scale(Fraction(-1), SumAll(Had(Var("Y"), Fn("log", Var("Yhat")))), "n", -1)
    return Model(dims, leaves, defs, loss)


ONES_T = T(Ones("n"))
NOTATIONS["note-matrix-half"] = Notation(names={
    "X": "X", "Y": "Y", "Yhat": r"\hat{Y}", **{f"{k}{i}": f"{k}_{i}" for k in "WbZA" for i in (1, 2, 3)}})


@derivation("note-matrix-half")
def _note(wrong):
    resid = Sub(Var("Yhat"), Var("Y"))
    return note_model(), [
        block(eq(G("Z3"), Scale(Fraction(1), resid, "n", -1))),
        block(chain(G("W3"), Mul(G("Z3"), Jac("Z3", "W3")), Mul(T(Var("A2")), G("Z3")), Mul(T(Var("A2")), resid))),
        block(eq(Einsum("jc->jc", (G("W3"),), r"\frac{\partial L}{\partial (W_3)_{jc}}"),
                 Einsum("ij,ic->jc", (Var("A2"), G("Z3")),
                                 r"\sum_{i=1}^{n} (A_2)_{ij} \left(\frac{\partial L}{\partial Z_3}\right)_{ic}"))),
        block(eq(G("b3"), G("Z3"))),
        block(eq(G("A2"), Mul(Jac("Z3", "W3"), T(Var("W3"))))),
        block(chain(G("Z2"), Mul(G("A2"), Jac("A2", "Z2")), Had(G("A2"), Fn("relu_prime", Var("Z2"))))),
        block(eq(G("Z2"), Had(G("A2"), Fn("positive", Var("Z2"))))),
        block(eq(G("W2"), Mul(G("Z2"), T(Var("A1"))))),
        block(eq(G("W2"), Mul(T(Var("A1")), G("Z2")))),
        block(eq(G("b2"), Mul(ONES_T, G("Z2")))),
        block(chain(G("A1"), Mul(G("Z2"), Jac("Z2", "A1")), Mul(G("Z2"), Var("W2")))),
        block(eq(G("Z1"), Mul(G("A1"), Fn("relu_prime", Var("Z1"))))),
        block(eq(G("W1"), Mul(T(Var("X")), G("Z1")))),
        block(eq(G("b1"), Mul(ONES_T, G("Z1")))),
    ]
