r"""What the names in a formula mean: Greek letters, constants, and the functions the reader knows.

A function name (``\tanh``, ``\operatorname{ReLU}``, ``\mathrm{softplus}``, bare ``ReLU(``) is
normalised -- lower case, no ``\``, ``_``, spaces -- and looked up in :data:`FUNCTIONS`.  The
catalog's activations are found by their catalog name and by their LaTeX name, so a new catalog
entry is readable without a change here.  ``\sigma``, ``\Phi`` and ``\varphi`` are functions only
when an argument follows them; alone they are symbols.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from backprop_derive.core import functions as fn
from backprop_derive.core.catalog import CATALOG
from backprop_derive.verify.latex.tokens import words

GREEK = frozenset(
    words(
        "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi rho sigma "
        "tau upsilon phi varphi chi psi omega ell Gamma Delta Theta Lambda Xi Sigma Phi Psi Omega"
    )
)

#: Commands that decorate a letter; the symbol's name gets the suffix (``\hat{y}`` is ``yhat``).
#: ``\hat{y_i}`` is ``\hat{y}_i``: a decoration over a letter and its subscript decorates the letter.
DECORATIONS = {r"\hat": "hat", r"\bar": "bar", r"\tilde": "tilde", r"\vec": "vec", r"\widehat": "hat",
               r"\widetilde": "tilde", r"\overline": "bar", r"\check": "check", r"\breve": "breve",
               r"\dot": "dot", r"\ddot": "ddot",  # \dot{x} is a name of its own (a time derivative, unread)
               r"\mathcal": "cal", r"\mathbb": "bb", r"\mathscr": "scr", r"\mathfrak": "frak"}
# \mathcal{L} is a name of its own, not L
#: Font commands that do not change which symbol a letter is (``\mathbf{z}`` is ``z``).
FONTS = frozenset([r"\mathbf", r"\boldsymbol", r"\bm", r"\mathit", r"\mathsf", r"\mathnormal"])
#: Commands whose braced argument is a word (a function name, or prose in ``cases``).
#: The commands among them that hold prose (``\text{if z < 0}`` may hold a condition).
TEXT_COMMANDS = frozenset([r"\text", r"\textrm", r"\textit", r"\textnormal", r"\mbox"])
WORD_COMMANDS = frozenset([r"\operatorname", r"\mathrm", r"\rm", r"\text", r"\textrm", r"\textit", r"\textnormal",
                           r"\mbox"])

RELATIONS = {
    "<": sp.StrictLessThan, ">": sp.StrictGreaterThan, r"\lt": sp.StrictLessThan, r"\gt": sp.StrictGreaterThan,
    r"\le": sp.LessThan, r"\leq": sp.LessThan, r"\leqslant": sp.LessThan,
    r"\ge": sp.GreaterThan, r"\geq": sp.GreaterThan, r"\geqslant": sp.GreaterThan,
    "=": sp.Eq, r"\ne": sp.Ne, r"\neq": sp.Ne,
}

#: Commands the reader knows but will not read, with the reason given to the user.
UNSUPPORTED = {
    r"\partial": "'\\partial' is read only in \\frac{\\partial}{\\partial x}",
    r"\infty": "infinity is not supported",
    r"\nabla": "gradients of vectors are not supported; write one partial derivative",
    r"\odot": "matrix and elementwise products are not supported (symbols are scalars)",
    r"\otimes": "tensor products are not supported (symbols are scalars)",
    r"\approx": "'\\approx' is not an equality that can be checked",
    r"\to": "limits are not supported",
    r"\lim": "limits are not supported",
    r"\in": "set membership is not supported",
}


#: Superscripts that name a layer: ``a^{l}``, ``\delta^{\ell}_j``, ``a^{l-1}`` are labels, not powers (and a δ
#: with one is a layer's error, never Kronecker's delta).
LAYER_LABELS = frozenset(["l", "l-1", "l+1", r"\ell", r"\ell-1", r"\ell+1"])

#: Delimited constructs: the opening command, its closing command, and what it reads as -- the Euclidean
#: norm ``\|x\|`` (:math:`\sqrt{\sum_k x_k^2}`) or the inner product ``\langle u, v \rangle``
#: (:math:`\sum_k u_k v_k`) of vectors named by the letters inside
# (:func:`backprop_derive.verify.latex.constructs._delimited`).
DELIMITED = {r"\|": (r"\|", "norm"), r"\langle": (r"\rangle", "inner product")}


@dataclass(frozen=True)
class FunctionName:
    """A function the reader knows: ``build(*args)`` makes the application; ``arity`` its argument count."""

    name: str
    build: Callable[..., sp.Expr]
    arity: tuple[int, ...] = (1,)


def normalise(name: str) -> str:
    """``\\operatorname{Leaky\\,ReLU}`` and ``leaky_relu`` both give ``leakyrelu``."""
    name = name.replace(r"\operatorname", "").replace(r"\,", "").replace(r"\mathrm", "")
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _catalog_functions() -> dict[str, FunctionName]:
    """Every catalog entry by its catalog name and its LaTeX name, read as its definition's arguments say:
    scalars (``hinge(x, y)``), vectors and a count (``\\operatorname{KL}(z, y, K)``, the count optional), a
    vector and a count (``logsumexp(z)``); trailing numeric parameters (a slope, δ, γ) optional.  Vector
    functions with an output index (``softmax(z)_i``) are :data:`VECTOR_FUNCTIONS`."""
    table = {}
    for entry in CATALOG.values():
        args = entry.definition().args
        if entry.kind == "vector" and len(args) >= 3 and isinstance(args[0], sp.IndexedBase) and args[1].is_Symbol:
            continue  # softmax(z)_i: read with its output index
        required = sum(1 for a in args if not a.is_number)
        arity = tuple(range(required, len(args) + 1))
        if isinstance(args[0], sp.IndexedBase):
            vectors = sum(1 for a in args if isinstance(a, sp.IndexedBase))
            found = FunctionName(entry.name, _loss(entry.function, True, vectors), tuple(range(vectors, len(args) + 1)))
        else:
            found = FunctionName(entry.name, entry.function, arity)
        for name in (entry.name, entry.latex_name):
            table[normalise(name)] = found
    return table


def _loss(function, vectors: bool, count: int = 2):
    """A catalog function of ``count`` vectors (z, y) and the count K read as a function:
    ``\\operatorname{CCE}(z, y, K)``, K optional, any parameters after it passed on."""

    def build(*args):
        if not vectors:
            return function(*args)
        if not all(isinstance(a, sp.Symbol) for a in args[:count]):
            names = ", ".join("zyuvw"[:count])
            raise TypeError(f"{function.__name__} takes {count} vector name(s) and a count, e.g. ({names}, K)")
        size = args[count] if len(args) > count else CLASSES
        size = size.xreplace({s: index_symbol(s.name) for s in size.free_symbols})
        return function(*(vector(a.name) for a in args[:count]), size, *args[count + 1:])

    return build


def _reduction(name: str, body: Callable[[sp.Expr], sp.Expr]):
    r"""A function of one vector name, ``\operatorname{LSE}(z)``: ``body`` of the sum over its K elements."""

    def build(arg, count=None):
        if not isinstance(arg, sp.Symbol) or arg.is_integer:
            raise TypeError(f"{name} takes one vector name, e.g. {name}(z)")
        count = CLASSES if count is None else count.xreplace({s: index_symbol(s.name) for s in count.free_symbols})
        k = sp.Dummy("k", integer=True, positive=True)
        return body(sp.Sum(sp.exp(vector(arg.name)[k]), (k, 1, count)))

    return build


def _max(*args):
    return sp.Max(*args)


def _min(*args):
    return sp.Min(*args)


FUNCTIONS: dict[str, FunctionName] = {
    **_catalog_functions(),
    "sigma": FunctionName("sigmoid", fn.sigmoid),
    "exp": FunctionName("exp", sp.exp),
    "log": FunctionName("log", sp.log),
    "ln": FunctionName("log", sp.log),
    "sqrt": FunctionName("sqrt", sp.sqrt),
    "tanh": FunctionName("tanh", sp.tanh),
    "sinh": FunctionName("sinh", sp.sinh),
    "cosh": FunctionName("cosh", sp.cosh),
    "sin": FunctionName("sin", sp.sin),
    "cos": FunctionName("cos", sp.cos),
    "tan": FunctionName("tan", sp.tan),
    "arctan": FunctionName("atan", sp.atan),
    "arcsin": FunctionName("asin", sp.asin),
    "arccos": FunctionName("acos", sp.acos),
    "arsinh": FunctionName("asinh", sp.asinh),
    "arcsinh": FunctionName("asinh", sp.asinh),
    "arcosh": FunctionName("acosh", sp.acosh),
    "arccosh": FunctionName("acosh", sp.acosh),
    "artanh": FunctionName("atanh", sp.atanh),
    "arctanh": FunctionName("atanh", sp.atanh),
    "sech": FunctionName("sech", sp.sech),
    "csch": FunctionName("csch", sp.csch),
    "coth": FunctionName("coth", sp.coth),
    "cot": FunctionName("cot", sp.cot),
    "sec": FunctionName("sec", sp.sec),
    "csc": FunctionName("csc", sp.csc),
    "lg": FunctionName("log10", lambda x: sp.log(x, 10)),
    "erf": FunctionName("erf", sp.erf),
    "phi": FunctionName("normal_cdf", fn.normal_cdf),
    "varphi": FunctionName("normal_pdf", fn.normal_pdf),
    "max": FunctionName("max", _max, (2, 3, 4)),
    "min": FunctionName("min", _min, (2, 3, 4)),
    "swish": FunctionName("silu", fn.silu),
    # log-sum-exp written out (log Σ_k exp(z_k)), as the catalog entry unfolds: the vector is read by its
    # elements, so exp(x - logsumexp(x)) is no vector equation
    "logsumexp": FunctionName("logsumexp", _reduction("logsumexp", sp.log), (1, 2)),
    "lse": FunctionName("logsumexp", _reduction("LSE", sp.log), (1, 2)),
}

#: ``softmax(z)_i``: a vector function, read with its output index (see the parser).
VECTOR_FUNCTIONS = {normalise(name): entry.function for entry in CATALOG.values()
                    if entry.kind == "vector" and len(entry.definition().args) >= 3
                    and isinstance(entry.definition().args[0], sp.IndexedBase) and entry.definition().args[1].is_Symbol
                    for name in (entry.name, entry.latex_name)}

#: Commands that are function names (``\tanh``); ``\sigma``, ``\Phi``, ``\varphi`` need an argument.
FUNCTION_COMMANDS = frozenset(
    [r"\exp", r"\log", r"\ln", r"\tanh", r"\sinh", r"\cosh", r"\sin", r"\cos", r"\tan", r"\arctan", r"\max", r"\min",
     r"\arcsin", r"\arccos", r"\coth", r"\cot", r"\sec", r"\csc", r"\lg"]
)
APPLIED_ONLY = {r"\sigma": "sigma", r"\Phi": "phi", r"\varphi": "varphi"}
#: Letters that stand for a function the reader does not know when ``(`` or ``'`` follows them:
#: ``f(x)`` is f applied to x, never the product f·x (``x(1-x)`` stays a product).
UNKNOWN_FUNCTIONS = frozenset(["f", "g", "h", "phi", "psi"])

#: The number of classes when ``softmax(z)_i`` does not say; ``% assume: K = 3`` makes it concrete.
CLASSES = sp.Symbol("K", integer=True, positive=True)


def real_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def index_symbol(name: str) -> sp.Symbol:
    """An index (``i`` in ``z_i``) or a count (``K`` in ``\\sum_{i=1}^K``): a positive integer."""
    return sp.Symbol(name, integer=True, positive=True)


class VectorName(sp.Symbol):
    """The label of a vector: a real symbol of its own class, so never equal to the scalar of that name."""


def vector(name: str) -> sp.IndexedBase:
    """The vector ``z`` whose elements ``z_1``, ``z_i`` are real.

    The label is a :class:`VectorName`: substituting a value for a scalar ``z`` must not touch
    ``z_1``, and the label's ``real`` assumption survives every rebuild of the expression (an
    ``IndexedBase``'s own assumptions are lost when SymPy rebuilds it, and ``z_1`` would then be two
    different symbols).
    """
    return sp.IndexedBase(VectorName(name, real=True))
