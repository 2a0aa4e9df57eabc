r"""Matrix-form derivations from public sources (SOURCES.md), encoded by hand as :mod:`mexpr` trees.

Conventions of the encodings:

* A loss the source leaves arbitrary ("L is some function of Y") is :func:`generic_loss`,
  :math:`L = \sum H \odot \sin Y + \tfrac12 \sum Y \odot Y` with H a hidden random matrix: smooth, not linear, so
  a backward formula that holds for it holds for the source's L.
* A per-sample derivation (one column vector per layer, ``a^{l-1} \in \mathbb{R}^{n_{l-1}}``) has vectors as
  ``k×1`` matrices and no batch.
* A claim with free indices (``\delta^l_j = …``, ``\partial C/\partial w^l_{jk} = …``) is checked for all values
  of them at once: both sides are the matrices (or vectors) of their entries.  An index formula is an
  :class:`~mexpr.Einsum` (indices that run over different sizes cannot be formed); a factor
  :math:`\partial a_j/\partial z_j` is the diagonal of the Jacobian ``Jac(a, z)``.
"""

from __future__ import annotations

from fractions import Fraction

from mcheck import D, block, chain, derivation, eq, pick
from mexpr import (
    Add,
    Diag,
    Einsum,
    Fn,
    Frob,
    Grad,
    GradOf,
    Had,
    Jac,
    Model,
    Mul,
    Ones,
    Scale,
    Softmax,
    Sub,
    SumAll,
    T,
    Trace,
    Var,
)
from mtex import FNS, NOTATIONS, Notation

G = Grad
HALF = Fraction(1, 2)


def generic_loss(name: str, hidden: str = "H") -> Add:
    return Add(SumAll(Had(Var(hidden), Fn("sin", Var(name)))), Scale(HALF, SumAll(Fn("square", Var(name)))))


def diagonal(out: str, wrt: str, tex: str) -> Einsum:
    """∂out_j/∂wrt_j for column vectors out, wrt: the diagonal of their Jacobian, a column."""
    return Einsum("jaja->ja", (Jac(out, wrt),), tex)


# ---- primer.edge.bond: Y = XW, rows as samples ------------------------------------------------------------


@derivation("edgebond-linear-layer")
def _edgebond(wrong):
    model = Model({"B": None, "D": None, "C": None},
                  {"X": (("B", "D"), "normal"), "W": (("D", "C"), "normal"), "H": (("B", "C"), "normal")},
                  [("Y", Mul(Var("X"), Var("W")))], generic_loss("Y"), batch="B")
    X, W = Var("X"), Var("W")
    return model, [
        block(D()),
        block(D()),
        block(eq(G("W"), Mul(T(X), G("Y")))),
        block(eq(Einsum("bc->bc", (Var("Y"),), "Y_{b,c}"), Einsum("bd,dc->bc", (X, W), r"\sum_d X_{b,d}W_{d,c}"))),
        block(eq(Einsum("bcdc->bcd", (Jac("Y", "W"),), r"\frac{\partial Y_{b,c}}{\partial W_{d,c}}"),
                 Einsum("bd,ca->bcd", (X, Ones("C")), "X_{b,d}"))),
        block(eq(Einsum("dc->dc", (G("W"),), "dW_{d,c}"),
                 Einsum("bd,bc->dc", (X, G("Y")), r"\sum_b X_{b,d} \, dY_{b,c}"))),
        block(eq(G("W"), Mul(T(X), G("Y")))),
        block(eq(G("X"), Mul(G("Y"), pick(wrong, T(W), W)))),
    ]


NOTATIONS["edgebond-linear-layer"] = Notation(grads={"Y": "G"})


# ---- math.SE 4309162: Y = X W^T, and the Frobenius product -----------------------------------------------


@derivation("mathse4309162-linear-weight")
def _mathse4309162(wrong):
    dims = {"N": None, "K": None, "J": None, "m": None, "n": None, "r": None}
    leaves = {"X": (("N", "K"), "normal"), "W": (("J", "K"), "normal"), "H": (("N", "J"), "normal"),
              # the answer's A, B (m×n) and, in C:(AB), B2 (n×r, written B) and C (m×r)
              "A": (("m", "n"), "normal"), "B": (("m", "n"), "normal"),
              "B2": (("n", "r"), "normal"), "C": (("m", "r"), "normal")}
    model = Model(dims, leaves, [("Y", Mul(Var("X"), T(Var("W"))))], generic_loss("Y"), batch="N")
    A, B, B2, C = Var("A"), Var("B"), Var("B2"), Var("C")
    sum_ab = Einsum("ij,ij->", (A, B), r"\sum_{i=1}^m\sum_{j=1}^n A_{ij}B_{ij}")
    cbt_a = Frob(Mul(C, pick(wrong, T(B2), B2)), A)
    return model, [
        block(chain(G("W"), Mul(G("Y"), Jac("Y", "W")), Mul(T(G("Y")), Var("X")))),
        block(eq(Einsum("ij->ij", (Var("Y"),), "Y_{ij}"),
                 Einsum("ik,jk->ij", (Var("X"), Var("W")), r"\sum^k X_{i,k}W_{j,k}"))),
        block(chain(Frob(A, B), sum_ab, Trace(Mul(T(A), B))),
              eq(Frob(A, A), Einsum("ij,ij->", (A, A), r"\|A\|^2_F"))),
        block(eq(Frob(A, B), Frob(B, A)), eq(Frob(A, B), Frob(T(A), T(B))),
              chain(Frob(C, Mul(A, B2)), cbt_a, Frob(Mul(T(A), C), B2))),
    ]


NOTATIONS["mathse4309162-linear-weight"] = Notation(names={"B2": "B"})


# ---- math.SE 3979526: Y = X·W for one row X (1×3), W (3×4) ----------------------------------------------


@derivation("mathse3979526-chain-rule")
def _mathse3979526(wrong):
    model = Model({"one": 1, "d": 3, "c": 4},
                  {"X": (("one", "d"), "normal"), "W": (("d", "c"), "normal"), "H": (("one", "c"), "normal")},
                  [("Y", Mul(Var("X"), Var("W")))], generic_loss("Y"), batch=None)
    W = Var("W")
    return model, [
        block(eq(G("X"), Mul(T(W), G("Y")))),
        block(eq(G("W"), Mul(T(Var("X")), G("Y")))),
        block(eq(G("X"), Mul(G("Y"), pick(wrong, T(W), W)))),
    ]


NOTATIONS["mathse3979526-chain-rule"] = Notation(
    grads={v: rf"\frac{{dL}}{{d{v}}}" for v in "XYW"}, transpose=r"^\intercal", product=r" \cdot ")


# ---- per-sample layers, columns: z^l = W^l a^{l-1} + b^l (Nielsen's convention) -------------------------


def two_layers() -> Model:
    """a0 → z1 = W1 a0 + b1 → a1 = σ(z1) → z2 = W2 a1 + b2 → a2 = σ(z2) → C(a2); vectors as columns."""
    leaves = {"a0": (("n0", 1), "normal"), "W1": (("n1", "n0"), "normal"), "b1": (("n1", 1), "normal"),
              "W2": (("n2", "n1"), "normal"), "b2": (("n2", 1), "normal"), "H": (("n2", 1), "normal")}
    defs = [("z1", Add(Mul(Var("W1"), Var("a0")), Var("b1"))), ("a1", Fn("sigmoid", Var("z1"))),
            ("z2", Add(Mul(Var("W2"), Var("a1")), Var("b2"))), ("a2", Fn("sigmoid", Var("z2")))]
    return Model({"n0": None, "n1": None, "n2": None}, leaves, defs, generic_loss("a2"), batch=None)


S1, S2 = Fn("sigmoid_prime", Var("z1")), Fn("sigmoid_prime", Var("z2"))
NIELSEN = Notation(
    names={"a0": "a^{l-1}", "W1": "W^l", "b1": "b^l", "z1": "z^l", "a1": "a^l",
           "W2": "W^{l+1}", "b2": "b^{l+1}", "z2": "z^{l+1}", "a2": "a^{l+1}"},
    grads={"z1": r"\delta^l", "z2": r"\delta^{l+1}"}, loss="C")


@derivation("brenmcnamara-bp-derivation")
def _brenmcnamara(wrong):
    W2, a0 = Var("W2"), Var("a0")
    eq2 = eq(G("z1"), Had(Mul(T(W2), G("z2")), S2))  # σ'(z^L) where σ'(z^l) belongs: L = l + 1 here
    outer = pick(wrong, Mul(G("z1"), T(a0)), Mul(T(a0), G("z1")))
    return two_layers(), [
        block(D(), eq(G("z2"), Had(G("a2"), S2))),
        block(D()),
        block(eq2),
        block(eq(G("b1"), G("z1"))),
        block(eq(G("W1"), Mul(G("z1"), T(a0)))),
        block(eq(G("z2"), Mul(G("a2"), Jac("a2", "z2")))),
        block(eq2),
        block(eq(G("z1"), Mul(G("z2"), Jac("z2", "z1")))),
        block(eq(Einsum("kaja->kj", (Jac("z2", "z1"),), r"\frac {\partial z_k^{l+1}} {\partial z_j^l}"),
                 T(Mul(Diag(S1), W2)))),  # W_{jk} σ'(z_j): (diag(σ'(z^l)) W)ᵀ, formed only if W is square
        block(eq(G("z1"), Einsum("ka,jk,ka->ja", (G("z2"), W2, S1),
                                 r"\sum_k \delta_k^{l+1} W^{l+1}_{jk} \sigma '(z_k^l)"))),
        block(chain(G("b1"), Had(G("z1"), diagonal("z1", "b1", r"\frac { \partial z^l_j } { \partial b^l_j }")),
                    G("z1"))),
        block(chain(G("W1"),
                    Had(Mul(G("z1"), T(Ones("n0"))),
                        Einsum("jajk->jk", (Jac("z1", "W1"),), r"\frac { \partial z^l_j } { \partial w^l_{jk} }")),
                    Mul(G("z1"), T(a0)))),
        block(eq(G("b1"), G("z1"))),
        block(eq(G("W1"), outer)),
    ]


NOTATIONS["brenmcnamara-bp-derivation"] = NIELSEN


@derivation("zli03-bp1-bp2")
def _zli03(wrong):
    W2 = Var("W2")
    da_dz = diagonal("a2", "z2", r"\frac{\partial a^L_j}{\partial z^L_j}")
    bp2 = Had(Mul(T(pick(wrong, W2, T(W2))), G("z2")), S1)
    return two_layers(), [
        block(D()), block(D()), block(D()),
        block(eq(G("z2"), Had(G("a2"), S2))),
        block(chain(G("z2"), G("z2"), Had(G("a2"), da_dz))),
        block(eq(da_dz, S2)),
        block(eq(G("z2"), Had(G("a2"), S2))),
        block(eq(G("z1"), bp2)),
        block(chain(G("z1"), G("z1"), Mul(G("z2"), Jac("z2", "z1")))),
        block(D()),
        block(eq(Einsum("kaja->kj", (Jac("z2", "z1"),), r"\frac{\partial z^{l+1}_k}{\partial z^l_j}"),
                 Mul(W2, Diag(S1)))),
        block(eq(G("z1"), Had(Mul(T(W2), G("z2")), S1))),
    ]


NOTATIONS["zli03-bp1-bp2"] = Notation(names={**NIELSEN.names, "z2": "z^L", "a2": "a^L", "W2": "w^{l+1}"},
                                      grads={"z1": r"\delta^l", "z2": r"\delta^L"}, loss="C")


# ---- compphysics week 42: z^{l+1}_j = sum_i w_ij a_i + b_j, i.e. z^{l+1} = Wᵀ a^l + b -------------------


@derivation("compphysics-week42-delta")
def _compphysics(wrong):
    leaves = {"z1": (("M1", 1), "normal"), "W": (("M1", "M2"), "normal"), "b": (("M2", 1), "normal"),
              "H": (("M2", 1), "normal")}
    defs = [("a1", Fn("sigmoid", Var("z1"))), ("z2", Add(Mul(T(Var("W")), Var("a1")), Var("b"))),
            ("a2", Fn("sigmoid", Var("z2")))]
    model = Model({"M1": None, "M2": None}, leaves, defs, generic_loss("a2"), batch=None)
    via = Mul(G("z2"), Jac("z2", "z1"))
    return model, [
        block(chain(G("z1"), pick(wrong, via, Scale(Fraction(-1), via)), via)),
        block(D()),
        # sum_k δ_k w_kj σ'(z_j): (Wᵀ δ) ⊙ σ'(z^l), which needs W square; the slide's own z^{l+1} gives (W δ)
        block(eq(G("z1"), Had(Mul(T(Var("W")), G("z2")), Fn("sigmoid_prime", Var("z1"))))),
    ]


NOTATIONS["compphysics-week42-delta"] = Notation(
    names={"z1": "z^l", "z2": "z^{l+1}", "W": "w^{l+1}", "a1": "a^l"},
    grads={"z1": r"\delta^l", "z2": r"\delta^{l+1}"}, loss=r"{\cal C}")


# ---- Qiita (Matchlab): softmax + cross-entropy over m rows ------------------------------------------------


@derivation("qiita-softmax-ce-batch")
def _qiita(wrong):
    X, Tt, Y = Var("X"), Var("T"), Var("Y")
    ones_n = Ones("n")
    lse = Fn("log", Mul(Fn("exp", X), ones_n))  # log sum_k exp(x_ik), a column
    row_t = Mul(Tt, ones_n)  # sum_j t_ij, a column
    first = Scale(Fraction(-1), Einsum("ij,ij->", (Tt, X), r"\sum_{i, j} t_{ij} x_{ij}"), "m", -1)
    second = Scale(Fraction(1), Einsum("ij,ia->", (Tt, lse), r"\sum_{i, j} t_{ij} \log(\sum_{k=1}^n \exp(x_{ik}))"),
                   "m", -1)
    # sum_p (sum_j t_pj) log sum_k exp(x_pk): the row-p formula, summed over p (its p-th term depends on row p only)
    by_rows = Scale(Fraction(1), Einsum("pa,pa->", (row_t, lse),
                                        r"\sum_p \log(\sum_{k=1}^n \exp(x_{pk})) \sum_{j=1}^n t_{pj}"), "m", -1)
    spread = Mul(row_t, T(ones_n))  # sum_j t_pj in every column q
    model = Model({"m": None, "n": None}, {"X": (("m", "n"), "normal"), "T": (("m", "n"), "onehot")},
                  [("Y", Softmax(X)),
                   ("L", Scale(Fraction(-1), SumAll(Had(Tt, Fn("log", Y))), "m", -1))], Var("L"), batch="m")
    final = Scale(Fraction(1), Sub(Y, Tt), "m", -1)
    return model, [
        block(D(), D()),
        block(eq(Var("L"), Add(first, second))),
        block(eq(GradOf(first, "X"), Scale(Fraction(-1), Tt, "m", -1))),
        block(chain(GradOf(second, "X"), GradOf(by_rows, "X"), GradOf(by_rows, "X"),
                    Scale(Fraction(1), Had(Softmax(X), spread), "m", -1),
                    Scale(Fraction(1), Had(Y, spread), "m", -1))),
        block(eq(G("X"), final)),
        block(eq(G("X"), pick(wrong, final, Sub(Y, Tt)))),
    ]


NOTATIONS["qiita-softmax-ce-batch"] = Notation(names={"X": r"\boldsymbol{X}", "Y": r"\boldsymbol{Y}",
                                                      "T": r"\boldsymbol{T}"})


# ---- UvA lecture notes, Bias Block: v = u + b for one example, V = U + 1 bᵀ for a batch ----------------


@derivation("uva-bias-block")
def _uva(wrong):
    leaves = {"u": (("n", 1), "normal"), "b1": (("n", 1), "normal"), "H1": (("n", 1), "normal"),
              "U": (("m", "n"), "normal"), "b2": (("n", 1), "normal"), "H2": (("m", "n"), "normal")}
    # one example (b1) and a batch (b2) are two settings of the text: two biases, one loss of both outputs
    defs = [("v", Add(Var("u"), Var("b1"))), ("V", Add(Var("U"), Mul(Ones("m"), T(Var("b2")))))]
    model = Model({"m": None, "n": None}, leaves, defs, Add(generic_loss("v", "H1"), generic_loss("V", "H2")))
    rows = Einsum("ij,ia->ja", (G("V"), Ones("m")), r"\sum_{i=1}^{m} \frac{\partial \ell}{\partial \mathbf{v}_{(i)}}",
                  indexed=False)
    return model, [
        block(D()),
        block(eq(G("u"), G("v"))),
        block(eq(G("b1"), G("v"))),
        block(D()),
        block(eq(G("U"), G("V"))),
        block(chain(G("b2"), rows, Mul(pick(wrong, T(G("V")), G("V")), Ones("m")))),
    ]


NOTATIONS["uva-bias-block"] = Notation(
    names={"u": r"\mathbf{u}", "v": r"\mathbf{v}", "b1": r"\mathbf{b}", "b2": r"\mathbf{b}"}, loss=r"\ell",
    transpose=r"^\top")


# ---- nndl-solutions, chapter 2 problem 1: BP1 and BP2 with Σ'(z) = diag(σ'(z)) --------------------------


@derivation("nndl-solutions-problem1")
def _nndl(wrong):
    model = two_layers()
    model.dims["nx"] = None
    model.leaves.update({"X": (("nx", 1), "normal"), "Y": (("nx", 1), "normal")})
    X, Y, W2 = Var("X"), Var("Y"), Var("W2")
    bp2 = pick(wrong, Mul(Mul(Diag(S1), T(W2)), G("z2")), Mul(Mul(T(W2), Diag(S1)), G("z2")))
    return model, [
        block(eq(G("z2"), Had(S2, G("a2")))),
        block(eq(G("z2"), Mul(Diag(S2), G("a2")))),
        block(chain(Had(X, Y), Had(Y, X), Einsum("ka,ka->", (X, Y), r"\sum\limits_{k=1}^n x_k y_k"), Mul(Diag(X), Y))),
        block(eq(G("z1"), bp2)),
        block(eq(G("b1"), G("z1"))),
    ]


NOTATIONS["nndl-solutions-problem1"] = Notation(
    names={**NIELSEN.names, "z2": "z^L", "a2": "a^L", "W2": "w^{l+1}"},
    grads={"z1": r"\delta^l", "z2": r"\delta^L", "a2": r"\nabla_a C"}, loss="C")


# ---- compphysics week 41: the output layer, C = ½ Σ (a_i − t_i)², a = σ(z), z_j = Σ_k w_jk a_k + b_j ------


@derivation("compphysics-week41-output-layer")
def _compphysics41(wrong):
    leaves = {"a0": (("nk", 1), "normal"), "W": (("nj", "nk"), "normal"), "b": (("nj", 1), "normal"),
              "t": (("nj", 1), "normal")}
    a, t, a0 = Var("a"), Var("t"), Var("a0")
    cost = Scale(HALF, SumAll(Fn("square", Sub(a, t))))
    model = Model({"nj": None, "nk": None}, leaves,
                  [("z", Add(Mul(Var("W"), a0), Var("b"))), ("a", Fn("sigmoid", Var("z")))], cost, batch=None)
    da_dw = Einsum("jajk->jk", (Jac("a", "W"),), r"\frac{\partial a_j^L}{\partial w_{jk}^{L}}")
    dz_dw = Einsum("jajk->jk", (Jac("z", "W"),), r"\frac{\partial z_j^L}{\partial w_{jk}^{L}}")
    across = T(Ones("nk"))  # a column's entry j repeated along k
    slope = Had(a, Sub(Ones("nj"), a))  # a_j (1 - a_j)
    first = Had(Mul(Sub(a, t), across), da_dw)
    return model, [
        block(D(), eq(cost, cost)),
        block(eq(G("W"), pick(wrong, first, Scale(Fraction(2), first)))),
        block(chain(da_dw, Had(Mul(diagonal("a", "z", r"\frac{\partial a_j^L}{\partial z_{j}^{L}}"), across), dz_dw),
                    Mul(slope, T(a0)))),
        block(eq(G("W"), Mul(Had(Sub(a, t), slope), T(a0)))),
        block(D(), eq(Had(slope, Sub(a, t)), Had(Fn("sigmoid_prime", Var("z")), G("a")))),
        block(eq(G("z"), Had(Fn("sigmoid_prime", Var("z")), G("a")))),
        block(eq(G("W"), Mul(G("z"), T(a0)))),
    ]


NOTATIONS["compphysics-week41-output-layer"] = Notation(
    names={"a0": r"\hat{a}^{L-1}", "W": r"\hat{W}^L", "z": r"\hat{z}^L", "a": r"\hat{a}^L", "t": r"\hat{t}"},
    grads={"z": r"\hat{\delta}^L"}, hadamard=r"\circ", loss=r"{\cal C}",
    fns={**FNS, "sigmoid_prime": r"f'(%s)"})
