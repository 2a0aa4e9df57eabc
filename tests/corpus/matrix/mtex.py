r"""LaTeX for :mod:`mexpr` trees, in a file's own notation (``^T`` or ``^\top``, ``\odot`` or ``\circ``, δ names).

Used only to write the planted variants; the transcriptions are the authors' own text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

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
    Mul,
    Node,
    Ones,
    Scale,
    Softmax,
    Sub,
    T,
    Trace,
    Var,
)

FNS = {
    "relu": r"\operatorname{ReLU}(%s)",
    "relu_prime": r"\operatorname{ReLU}'(%s)",
    "positive": r"\mathbb{1}[%s > 0]",
    "sigmoid": r"\sigma(%s)",
    "sigmoid_prime": r"\sigma'(%s)",
    "tanh": r"\tanh(%s)",
    "tanh_prime": r"\tanh'(%s)",
    "exp": r"\exp(%s)",
    "log": r"\log(%s)",
}


@dataclass(frozen=True)
class Notation:
    names: dict = field(default_factory=dict)  # quantity -> LaTeX
    grads: dict = field(default_factory=dict)  # quantity -> LaTeX of ∂L/∂quantity, where the file names it
    loss: str = "L"
    transpose: str = "^T"
    hadamard: str = r"\odot"
    product: str = " "
    ones: str = r"\mathbf{1}"
    fns: dict = field(default_factory=lambda: dict(FNS))


def _name(nt: Notation, name: str) -> str:
    return nt.names.get(name, name)


def _scale_parts(node: Scale) -> tuple[Fraction, dict, Node]:
    k, powers, inner = Fraction(node.k), {}, node
    while isinstance(inner, Scale):
        if inner is not node:
            k *= inner.k
        if inner.size:
            powers[inner.size] = powers.get(inner.size, 0) + inner.power
        inner = inner.a
    return k, powers, inner


def _coefficient(k: Fraction, powers: dict) -> str:
    num = [str(abs(k.numerator))] if abs(k.numerator) != 1 else []
    den = [str(k.denominator)] if k.denominator != 1 else []
    for size, p in powers.items():
        if p > 0:
            num.append(size if p == 1 else f"{size}^{{{p}}}")
        elif p < 0:
            den.append(size if p == -1 else f"{size}^{{{-p}}}")
    top = " ".join(num) or "1"
    body = f"\\frac{{{top}}}{{{' '.join(den)}}}" if den else ("" if top == "1" else top)
    return ("-" if k < 0 else "") + body


def tex(node: Node, nt: Notation) -> str:
    """The LaTeX of ``node``; sums and products are parenthesized where a product or a transpose holds them."""
    match node:
        case Var(name):
            return _name(nt, name)
        case Grad(name):
            return nt.grads.get(name, rf"\frac{{\partial {nt.loss}}}{{\partial {_name(nt, name)}}}")
        case GradOf(f, name):
            return rf"\frac{{\partial}}{{\partial {_name(nt, name)}}}\left({tex(f, nt)}\right)"
        case Jac(out, wrt):
            return rf"\frac{{\partial {_name(nt, out)}}}{{\partial {_name(nt, wrt)}}}"
        case Ones():
            return nt.ones
        case T(a):
            inner = tex(a, nt)
            if isinstance(a, Var | Ones) and "^" not in inner:
                return inner + nt.transpose
            if isinstance(a, Var | Ones):
                return "{" + inner + "}" + nt.transpose
            return rf"\left({inner}\right){nt.transpose}"
        case Mul(a, b):
            return _wrap(a, nt, (Add, Sub, Had)) + nt.product + _wrap(b, nt, (Add, Sub, Had, Scale))
        case Had(a, b):
            return _wrap(a, nt, (Add, Sub, Mul, Scale)) + f" {nt.hadamard} " + _wrap(b, nt, (Add, Sub, Mul, Scale))
        case Add(a, b):
            return tex(a, nt) + " + " + tex(b, nt)
        case Sub(a, b):
            return tex(a, nt) + " - " + _wrap(b, nt, (Add, Sub))
        case Scale():
            k, powers, inner = _scale_parts(node)
            c = _coefficient(k, powers)
            return c + (" " if c not in ("", "-") else "") + _wrap(inner, nt, (Add, Sub))
        case Fn(fn, a):
            return nt.fns[fn] % tex(a, nt)
        case Softmax(a):
            return rf"\operatorname{{softmax}}({tex(a, nt)})"
        case Frob(a, b):
            return _wrap(a, nt, (Add, Sub, Mul, Had, Scale)) + " : " + _wrap(b, nt, (Add, Sub, Mul, Had, Scale))
        case Trace(a):
            return rf"\operatorname{{tr}}\left({tex(a, nt)}\right)"
        case Diag(a):
            return rf"\operatorname{{diag}}\left({tex(a, nt)}\right)"
        case Einsum(_, _, latex):
            return latex
    raise TypeError(f"no LaTeX for {node!r}")  # pragma: no cover - an encoding error


def _wrap(node: Node, nt: Notation, kinds: tuple) -> str:
    inner = tex(node, nt)
    return rf"\left({inner}\right)" if isinstance(node, kinds) else inner


#: stem -> the notation its file writes (registered beside each encoding).
NOTATIONS: dict[str, Notation] = {}
