"""What a matrix side was read as, in text: ``A_2ᵀ·∂L/∂Z_3``, ``Z_2 ⊙ relu'(Z_2)``, ``1ᵀ·δ_3``."""

from __future__ import annotations

from backprop_derive.verify.matrix import nodes as nd

_GREEK = {"delta": "δ", "sigma": "σ", "gamma": "γ", "beta": "β", "mu": "μ", "epsilon": "ε", "eta": "η",
          "lambda": "λ", "alpha": "α", "theta": "θ", "Delta": "Δ"}


def key_shown(key: str) -> str:
    base, _, rest = key.partition("_")
    head = _GREEK.get(base.replace("hat", ""), base.replace("hat", "")) + ("̂" if base.endswith("hat") else "")
    return head + (f"_{rest}" if rest else "")


def echo(node: nd.Node) -> str:
    if isinstance(node, nd.Name):
        return key_shown(node.key)
    if isinstance(node, nd.Number):
        return str(node.value)
    if isinstance(node, nd.Index):
        return node.name
    if isinstance(node, nd.Product):
        return f"{_wrap(node.left)}·{_wrap(node.right)}"
    if isinstance(node, nd.Hadamard):
        return f"{_wrap(node.left)} ⊙ {_wrap(node.right)}"
    if isinstance(node, nd.Quotient):
        return f"{_wrap(node.numerator)}/{_wrap(node.denominator)}"
    if isinstance(node, nd.Sum):
        out = ""
        for n, (sign, term) in enumerate(node.terms):
            text = echo(term) if not isinstance(term, nd.Sum) else f"({echo(term)})"
            out += (("-" if sign < 0 else "") + text) if n == 0 else (" - " if sign < 0 else " + ") + text
        return out
    if isinstance(node, nd.Transpose):
        return f"{_wrap(node.arg)}ᵀ"
    if isinstance(node, nd.Ones):
        return "1" if node.length is None else f"1_{echo(node.length)}"
    if isinstance(node, nd.Identity):
        return "I"
    if isinstance(node, nd.Apply):
        return f"{node.function}{chr(39) * node.derivative}({echo(node.arg)})"
    if isinstance(node, nd.Power):
        return f"{_wrap(node.base)}^{node.exponent}"
    if isinstance(node, nd.Softmax | nd.Trace | nd.Diag):
        name = {"Softmax": "softmax", "Trace": "tr", "Diag": "diag"}[type(node).__name__]
        return f"{name}({echo(node.arg)})"
    if isinstance(node, nd.Literal):
        return "[" + "; ".join(", ".join(echo(c) for c in row) for row in node.rows) + "]"
    if isinstance(node, nd.Entry):
        return f"{_wrap(node.arg)}_({','.join(echo(i) for i in node.indices)})"
    if isinstance(node, nd.IndexSum):
        return f"Σ_{node.index} {_wrap(node.body)}"
    if isinstance(node, nd.Gradient | nd.Jacobian):
        return node.text.replace(node.by.key if isinstance(node.by, nd.Name) else "\0", key_shown(getattr(
            node.by, "key", ""))) if isinstance(node.by, nd.Name) else node.text
    return type(node).__name__


def _wrap(node: nd.Node) -> str:
    text = echo(node)
    return f"({text})" if isinstance(node, nd.Sum | nd.Hadamard) else text
