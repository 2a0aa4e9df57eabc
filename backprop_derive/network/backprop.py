r"""Matrix-form backprop of an MLP, as data: each equation with its LaTeX, its text and its rule.

For a :class:`~backprop_derive.network.spec.NetworkSpec` with L dense layers (rows are samples):

.. math::

    \delta_L &= \partial L/\partial Z_L
        \quad\text{(softmax\_cce, mean: } (\hat Y - Y)/n\text{)} \\
    \partial L/\partial W_l &= A_{l-1}^T \delta_l, \qquad
    \partial L/\partial b_l = \mathbf 1^T \delta_l \ \text{(column sums)} \\
    \partial L/\partial A_{l-1} &= \delta_l W_l^T, \qquad
    \delta_{l-1} = \partial L/\partial A_{l-1} \odot f_{l-1}'(Z_{l-1})

with :math:`f'` the catalog's canonical derivative, ``sympy.diff(entry.function(x), x)``.

The matrix formulas are plain functions (:class:`MatrixFormulas`) that work on explicit
``sympy.Matrix`` objects -- what :mod:`backprop_derive.network.proof` proves entry by entry -- and on
``MatrixSymbol`` objects -- what the equations display and what ``backprop_derive.numeric.compile`` prints as numpy.
The elementwise parts (activations, δ_L, the loss's stable form) are scalar SymPy expressions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from backprop_derive.core import catalog
from backprop_derive.core.matrix_printing import MatrixLatex, MatrixText
from backprop_derive.core.printing import LatexMath, UnicodePrinter
from backprop_derive.network.layers import get_layer
from backprop_derive.network.layers.dense import bias_gradient, input_gradient, pre_activation, weight_gradient
from backprop_derive.network.losses import K, get_loss, n, p, q, y, z  # noqa: F401 - K, q re-exported for backprop_derive.numeric.compile
from backprop_derive.network.spec import NetworkSpec

#: The activation's argument.
x = catalog.x


# ----------------------------------------------------------------------------- matrix formulas


# The dense layer's matrix formulas are declared once, in backprop_derive/network/layers/dense.py.


def hidden_delta(upstream, derivative):
    r""":math:`\delta_{l-1} = \partial L/\partial A_{l-1} \odot f'(Z_{l-1})`, elementwise."""
    if isinstance(upstream, sp.MatrixBase):
        return upstream.multiply_elementwise(derivative)
    return sp.HadamardProduct(upstream, derivative)


@dataclass(frozen=True)
class MatrixFormulas:
    """The four backward formulas; a test may swap one for a wrong one and watch the proof fail."""

    weight_gradient: Callable = weight_gradient
    bias_gradient: Callable = bias_gradient
    input_gradient: Callable = input_gradient
    hidden_delta: Callable = hidden_delta


MATRIX_FORMULAS = MatrixFormulas()


# ------------------------------------------------------------------------- elementwise parts


@dataclass(frozen=True)
class HiddenActivation:
    """Hidden layer ``layer``'s activation: ``value`` = f(x), ``derivative`` = f'(x) in canonical form."""

    layer: int
    name: str
    value: sp.Expr
    derivative: sp.Expr


def hidden_activation(layer: int, name: str) -> HiddenActivation:
    entry = catalog.get(name)
    value = entry.function(x)
    return HiddenActivation(layer, name, value, sp.diff(value, x))


@dataclass(frozen=True)
class OutputLoss:
    r"""The loss on the logits and its gradient, elementwise.

    :math:`L = s \sum_{r,c} t(z_{rc}, y_{rc})` with ``scale`` s and ``term`` t (in z, y and
    q = log ŷ for softmax_cce), and :math:`(\delta_L)_{rc}` = ``delta`` (in z, y, p = ŷ, n, K).
    ``output`` is what the network's forward pass returns: ``softmax``, ``sigmoid`` or ``identity``.
    """

    loss: str
    reduction: str
    output: str
    scale: sp.Expr
    term: sp.Expr
    delta: sp.Expr
    conditions: tuple[str, ...] = field(default=())


def output_loss(loss: str, reduction: str) -> OutputLoss:
    """δ_L and the stable elementwise loss for ``loss`` with ``reduction``, from its ``Loss`` record."""
    record = get_loss(loss)
    scale = record.scale(reduction)
    return OutputLoss(loss, reduction, record.output, scale, record.term, scale * record.gradient, record.conditions)


# -------------------------------------------------------------------------------- equations


@dataclass(frozen=True)
class Equation:
    """``name = value``: ``value`` is a matrix expression over :attr:`Backprop.symbols`, or ``None``
    for an elementwise equation (its math is in :class:`HiddenActivation` / :class:`OutputLoss`)."""

    name: str
    latex: str
    text: str
    rule: str
    value: sp.MatrixExpr | None = None
    argument: str = ""  # an elementwise equation's input (Z2, or N2 after a norm)
    derivative: str = ""  # the name its derivative is kept under (dA2_dZ2)

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "latex": self.latex, "text": self.text, "rule": self.rule}


@dataclass(frozen=True)
class Backprop:
    """A network's forward and backward equations, with the elementwise math they use."""

    spec: NetworkSpec
    forward: tuple[Equation, ...]
    backward: tuple[Equation, ...]
    activations: tuple[HiddenActivation, ...]
    output: OutputLoss
    symbols: dict[str, sp.MatrixSymbol]


class _Names:
    """Matrix symbols named as in code (``W2``, ``delta3``) with their LaTeX and text names."""

    def __init__(self, spec: NetworkSpec):
        self.spec = spec
        self.symbols: dict[str, sp.MatrixSymbol] = {}
        self.latex: dict[sp.MatrixSymbol, str] = {}
        self.text: dict[sp.MatrixSymbol, str] = {}

    def add(self, name: str, cols: int, tex: str, text: str, rows=n) -> sp.MatrixSymbol:
        symbol = sp.MatrixSymbol(name, rows, cols)
        self.symbols[name], self.latex[symbol], self.text[symbol] = symbol, tex, text
        return symbol

    def show_latex(self, expr) -> str:
        return _MatrixLatex({"symbol_names": self.latex}).doprint(expr)

    def show_text(self, expr) -> str:
        return _MatrixText(self.text).doprint(expr)


_MatrixLatex, _MatrixText = MatrixLatex, MatrixText  # the printers of backprop_derive.core.matrix_printing


def _scalar(expr: sp.Expr, names: dict[sp.Symbol, tuple[str, str]]) -> tuple[str, str]:
    """LaTeX and text of an elementwise formula, its scalar symbols shown as matrices."""
    tex = {s: sp.Symbol(v[0]) for s, v in names.items()}
    text = {s: sp.Symbol(v[1]) for s, v in names.items()}
    # rev-lex order writes (Ŷ - Y)/n and σ(Z) - Y the way a person does
    return (LatexMath({"order": "rev-lex"}).doprint(expr.xreplace(tex)),
            UnicodePrinter({"order": "rev-lex"}).doprint(expr.xreplace(text)))


def _norm_equations(names: _Names, spec: NetworkSpec, layer: int, source: sp.MatrixSymbol, equations: list):
    """The norm of hidden layer ``layer`` on ``source`` (Z_l): its intermediates, then N_l."""
    norm = get_layer(spec.norm)
    params = [names.add(f"{p_}{layer}", spec.layers[layer], rf"\{p_}_{{{layer}}}", f"{p_}{layer}", rows=1)
              for p_ in norm.parameters]

    def keep(name, value):
        symbol = names.add(f"{name}{layer}", value.shape[1], f"{name}_{{{layer}}}", f"{name}{layer}",
                           rows=value.shape[0])
        equations.append(_equation(names, symbol, value, f"{spec.norm}: {name}"))
        return symbol

    out = norm.forward(keep, source, *params)
    target = names.add(f"N{layer}", spec.layers[layer], f"N_{{{layer}}}", f"N{layer}")
    equations.append(_equation(names, target, out, f"{spec.norm} of Z{layer}, {norm.matches}"))
    return norm, params, target


def backprop(spec: NetworkSpec, formulas: MatrixFormulas = MATRIX_FORMULAS) -> Backprop:
    """The forward and backward equations of ``spec``, built from ``formulas`` and its layers.

    Each block is dense → (norm) → activation (→ skip); the backward runs the blocks in reverse,
    each layer's backward fed the gradient of its output (``backprop_derive.network.layers``), the skip's gradient
    added to the block's where a block is residual.
    """
    names, L = _Names(spec), spec.depth
    sizes = spec.layers
    a_prev = names.add("X", sizes[0], "X", "X")
    names.add("Y", sizes[-1], "Y", "Y")
    activations = tuple(hidden_activation(layer, name) for layer, name in enumerate(spec.activations, start=1))
    blocks = spec.blocks()
    forward, backward = [], []
    zs, as_, norms, act_in = {}, {0: a_prev}, {}, {}
    for block in blocks:
        layer = block.layer
        w = names.add(f"W{layer}", sizes[layer], f"W_{{{layer}}}", f"W{layer}", rows=sizes[layer - 1])
        b = names.add(f"b{layer}", sizes[layer], f"b_{{{layer}}}", f"b{layer}", rows=1)
        zs[layer] = names.add(f"Z{layer}", sizes[layer], f"Z_{{{layer}}}", f"Z{layer}")
        value = pre_activation(as_[layer - 1], w, b)
        forward.append(_equation(names, zs[layer], value, "dense layer: rows are samples, the bias row "
                                 "is added to every sample"))
        if block.activation is None:
            continue
        act = activations[layer - 1]
        source = zs[layer]
        if block.norm:
            norms[layer] = _norm_equations(names, spec, layer, source, forward)
            source = norms[layer][2]
        act_in[layer] = source
        out = f"H{layer}" if block.residual else f"A{layer}"
        names.add(out, sizes[layer], f"{out[0]}_{{{layer}}}", out)
        derivative = f"d{out}_d{source.name}"
        names.add(derivative, sizes[layer], _prime_latex(act, layer, source.name), f"{act.name}'({source.name})")
        tex, text = _scalar(act.value, {x: (names.latex[source], source.name)})
        forward.append(Equation(out, f"{out[0]}_{{{layer}}} = {tex}", f"{out} = {text}",
                                f"{act.name}, elementwise", argument=source.name, derivative=derivative))
        as_[layer] = names.add(f"A{layer}", sizes[layer], f"A_{{{layer}}}", f"A{layer}") if block.residual \
            else names.symbols[f"A{layer}"]
        if block.residual:
            forward.append(_equation(names, as_[layer], as_[layer - 1] + names.symbols[out],
                                     f"skip connection: A{layer} = A{layer - 1} + {out} (equal widths)"))
    out_loss = output_loss(spec.loss, spec.reduction)
    backward.append(_output_equation(names, spec, out_loss))
    delta = names.add(f"delta{L}", sizes[L], rf"\delta_{{{L}}}", f"δ{L}")
    for layer in range(L, 0, -1):
        w = names.symbols[f"W{layer}"]
        inputs = "X" if layer == 1 else f"A{layer - 1}"
        d_w = names.add(f"dW{layer}", sizes[layer], _partial_latex(f"W_{{{layer}}}"), f"∂L/∂W{layer}",
                        rows=sizes[layer - 1])
        d_b = names.add(f"db{layer}", sizes[layer], _partial_latex(f"b_{{{layer}}}"), f"∂L/∂b{layer}", rows=1)
        backward.append(_equation(names, d_w, formulas.weight_gradient(as_[layer - 1], delta),
                                  f"Z{layer} = {inputs} W{layer} + b{layer} is linear in W{layer}: "
                                  f"∂Z{layer}[r,j]/∂W{layer}[i,j] = {inputs}[r,i], summed over the batch"))
        backward.append(_equation(names, d_b, formulas.bias_gradient(delta),
                                  f"b{layer} is added to every row of Z{layer}: the gradient sums δ{layer} "
                                  "over the batch (column sums)"))
        if layer == 1:
            break
        hidden = layer - 1
        block = blocks[hidden - 1]
        act = activations[hidden - 1]
        upstream = names.add(f"dL_dA{hidden}", sizes[hidden], _partial_latex(f"A_{{{hidden}}}"), f"∂L/∂A{hidden}")
        through = formulas.input_gradient(delta, w)
        rule = (f"Z{layer} = A{hidden} W{layer} + b{layer} is linear in A{hidden}: "
                f"∂Z{layer}[r,j]/∂A{hidden}[r,i] = W{layer}[i,j]")
        following = blocks[layer - 1]
        if following.residual:
            through = names.symbols[f"dL_dA{layer}"] + through
            rule += f"; plus the skip connection A{layer} = A{hidden} + H{layer}: ∂L/∂A{layer} passes unchanged"
        backward.append(_equation(names, upstream, through, rule))
        source = act_in[hidden]
        derivative = names.symbols[f"d{'H' if block.residual else 'A'}{hidden}_d{source.name}"]
        _, text = _scalar(act.derivative, {})
        chain = (f"chain rule through {act.name}({source.name}), elementwise; "
                 f"{act.name}'(x) = {text} (the catalog's canonical derivative)")
        previous = names.add(f"delta{hidden}", sizes[hidden], rf"\delta_{{{hidden}}}", f"δ{hidden}")
        if not block.norm:
            backward.append(_equation(names, previous, formulas.hidden_delta(upstream, derivative), chain))
            delta = previous
            continue
        norm, params, _ = norms[hidden]
        d_n = names.add(f"dL_dN{hidden}", sizes[hidden], _partial_latex(f"N_{{{hidden}}}"), f"∂L/∂N{hidden}")
        backward.append(_equation(names, d_n, formulas.hidden_delta(upstream, derivative), chain))

        def keep(name, value, hidden=hidden, norm=norm):
            symbol = names.add(f"{name}{hidden}", value.shape[1], f"{name}_{{{hidden}}}", f"{name}{hidden}",
                               rows=value.shape[0])
            backward.append(_equation(names, symbol, value, f"{norm.name} backward: {name}"))
            return symbol

        saved = {name: names.symbols[f"{name}{hidden}"] for name in ("mu", "xc", "var", "rstd", "xhat")
                 if f"{name}{hidden}" in names.symbols}
        grads = norm.backward(keep, d_n, zs[hidden], *params, saved=saved)
        for p_, symbol in zip(norm.parameters, params, strict=True):
            target = names.add(f"d{symbol.name}", sizes[hidden], _partial_latex(names.latex[symbol]),
                               f"∂L/∂{symbol.name}", rows=1)
            backward.append(_equation(names, target, grads[f"d{p_}"], f"{norm.name} backward (proved lemma)"))
        backward.append(_equation(names, previous, grads["dx"], f"{norm.name} backward to Z{hidden} (proved lemma)"))
        delta = previous
    return Backprop(spec, tuple(forward), tuple(backward), activations, out_loss, dict(names.symbols))


def _partial_latex(of: str) -> str:
    return rf"\frac{{\partial L}}{{\partial {of}}}"


def _prime_latex(act: HiddenActivation, layer: int, source: str = "Z") -> str:
    name = catalog.get(act.name).latex_name
    return rf"{name}'\left({source[0]}_{{{layer}}}\right)"


def _equation(names: _Names, target: sp.MatrixSymbol, value, rule: str) -> Equation:
    return Equation(target.name, f"{names.latex[target]} = {names.show_latex(value)}",
                    f"{names.text[target]} = {names.show_text(value)}", rule, value)


def _output_equation(names: _Names, spec: NetworkSpec, out: OutputLoss) -> Equation:
    L = spec.depth
    shown = {z: (f"Z_{{{L}}}", f"Z{L}"), y: ("Y", "Y"), p: (r"\hat{Y}", "Ŷ")}
    tex, text = _scalar(out.delta, shown)
    where_tex, where_text = {
        "softmax": (rf",\ \hat{{Y}} = \operatorname{{softmax}}(Z_{{{L}}}) \text{{ row by row}}",
                    f", Ŷ = softmax(Z{L}) row by row"),
        "sigmoid": (r" \text{ (elementwise)}", " (elementwise)"),
        "identity": (r" \text{ (elementwise)}", " (elementwise)"),
    }[out.output]
    rule = f"∂L/∂Z{L} of {out.loss}, {get_loss(out.loss).averaged(out.reduction)}"
    if out.conditions:
        rule += "; " + "; ".join(out.conditions)
    return Equation(f"delta{L}", rf"\delta_{{{L}}} = {tex}{where_tex}", f"δ{L} = {text}{where_text}", rule)
