r"""The proved formulas, lambdified into numpy forward and backward passes for any sizes.

Two kinds of formula come from :func:`backprop_derive.network.backprop.backprop`:

* **matrix formulas** (:math:`A_{l-1}^T\delta_l`, :math:`\mathbf 1^T\delta_l`, :math:`\delta_l W_l^T`,
  :math:`\odot`) are printed by :class:`CodePrinter` from the same SymPy matrix expressions the
  equations display: ``A2.T @ delta3``, ``delta3.sum(axis=0)``, ``delta3 @ W3.T``, ``a * b``;
* **elementwise formulas** (each activation with its canonical derivative, δ_L, the loss's
  elementwise terms) become :class:`Kernel` functions: the expressions are common-subexpression
  eliminated (``sympy.cse``, as ``lambdify(..., cse=True)`` does) and printed by the numpy printer,
  which uses each catalog function's stable numpy form (sigmoid through ``logaddexp``, ...).

The row-wise softmax and log-softmax are not elementwise; they are the two fixed helpers below,
shifted by the row maximum, so logits of ±1000 stay finite.  The result is one module's source
text: :func:`compile_network` executes it, ``backprop_derive.numeric.codegen`` writes it to a file -- the code that is
tested is the code a person reads.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from backprop_derive.core import catalog
from backprop_derive.core.functions import CatalogFunction, sigmoid, unfold
from backprop_derive.core.printing import unicode
from backprop_derive.network.backprop import MATRIX_FORMULAS, Backprop, K, MatrixFormulas, backprop, n, p, q, x, y, z
from backprop_derive.network.layers import get_layer
from backprop_derive.network.layers.base import epsilon
from backprop_derive.network.spec import NetworkSpec


class CodePrinter(NumPyPrinter):
    """numpy as a person writes it: ``A @ W``, ``A.T``, ``D.sum(axis=0)``, ``a * b``, ``numpy.where``."""

    def __init__(self):
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": False})

    def _print_MatrixSymbol(self, expr):
        return expr.name

    def _print_MatMul(self, expr):
        scalars = [a for a in expr.args if not getattr(a, "is_Matrix", False)]
        matrices = [a for a in expr.args if getattr(a, "is_Matrix", False)]
        if scalars and all(isinstance(a, sp.OneMatrix) for a in matrices):
            return self._print(sp.Mul(*scalars))  # c 1: a scalar numpy broadcasts
        code = self._matrices(matrices)
        if scalars:
            factor = sp.Mul(*scalars)
            numerator, denominator = sp.fraction(factor)
            code = self.parenthesize_code(code)
            if numerator != 1:
                code = f"{self.parenthesize(numerator, PRECEDENCE['Mul'])}*{code}"
            if denominator != 1:
                code = f"{code}/{self.parenthesize(denominator, PRECEDENCE['Pow'], strict=True)}"
        return code

    @staticmethod
    def parenthesize_code(code: str) -> str:
        return code if code.isidentifier() or (code.endswith(")") and code.count("(") == 1) else f"({code})"

    def _matrices(self, matrices) -> str:
        """A product of matrices; a matrix of ones sums (inner size > 1) or broadcasts (inner size 1).

        1ᵀ D and 1 1ᵀ D: column sums (``D.sum(axis=0)``, a row that broadcasts); D 1 and D 1 1ᵀ: row
        sums kept as a column (``D.sum(axis=1, keepdims=True)``); 1 b, c 1ᵀ: numpy broadcasts b, c.
        """
        while matrices and isinstance(matrices[0], sp.OneMatrix):
            ones, rest = matrices[0], matrices[1:]
            if not rest:
                break
            inner = self._matrices(rest)
            if ones.shape[1] == 1:
                return inner
            return f"{self.parenthesize_code(inner)}.sum(axis=0)"
        if len(matrices) >= 2 and isinstance(matrices[-1], sp.OneMatrix):
            ones, rest = matrices[-1], matrices[:-1]
            if len(rest) >= 1 and isinstance(rest[-1], sp.OneMatrix):  # D 1 1ᵀ: the row sums, broadcast
                rest = rest[:-1]
                ones = rest and sp.OneMatrix(ones.shape[0], 2)
            inner = self._matrices(rest)
            if ones.shape[0] == 1:
                return inner
            return f"{self.parenthesize_code(inner)}.sum(axis=1, keepdims=True)"
        return " @ ".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in matrices)

    def _print_HadamardPower(self, expr):
        base = self.parenthesize(expr.base, PRECEDENCE["Pow"], strict=True)
        if expr.exp == sp.Rational(-1, 2):
            return f"1/{self._module_format('numpy.sqrt')}({self._print(expr.base)})"
        return f"{base}**{self.parenthesize(expr.exp, PRECEDENCE['Pow'], strict=True)}"

    def _print_OneMatrix(self, expr):
        return "1"

    def _print_Transpose(self, expr):
        return f"{self.parenthesize(expr.arg, PRECEDENCE['Atom'], strict=True)}.T"

    def _print_HadamardProduct(self, expr):
        return " * ".join(self._factor(a) for a in expr.args)

    def _factor(self, arg) -> str:
        code = self._print(arg)
        if isinstance(arg, (sp.MatAdd, sp.HadamardProduct)) or (isinstance(arg, sp.MatMul) and " @ " in code):
            return f"({code})"
        return code

    def _print_MatAdd(self, expr):
        """Terms with a negative coefficient printed as ``- term``, after the others."""
        positive, negative = [], []
        for term in expr.args:
            coefficient = term.args[0] if isinstance(term, sp.MatMul) and term.args[0].is_number else 1
            if coefficient.is_negative if hasattr(coefficient, "is_negative") else False:
                negative.append(self._print(sp.MatMul(-coefficient, *term.args[1:])) if -coefficient != 1
                                else self._print(sp.MatMul(*term.args[1:])) if len(term.args) > 2
                                else self._print(term.args[1]))
            else:
                positive.append(self.parenthesize(term, PRECEDENCE["Add"]))
        return " - ".join([" + ".join(positive), *[f"({t})" if " + " in t or " - " in t else t for t in negative]])

    def _print_Heaviside(self, expr):
        # H(x) with H(0) = 0 is the mask x > 0 (H(0) = 1: x >= 0); numpy promotes a mask to the dtype it
        # multiplies, and a mask costs a byte per entry where heaviside's float result costs eight.
        arg, at_zero = expr.args if len(expr.args) == 2 else (expr.args[0], sp.S.Half)
        if at_zero in (0, 1):
            return f"({self._print(arg)} {'>' if at_zero == 0 else '>='} 0)"
        return f"{self._module_format('numpy.heaviside')}({self._print(arg)}, {self._print(at_zero)})"

    def _print_Piecewise(self, expr):
        *pieces, last = expr.args
        if last.cond is not sp.true:
            return super()._print_Piecewise(expr)
        code = self._print(last.expr)
        for piece in reversed(pieces):
            where = self._module_format("numpy.where")
            code = f"{where}({self._print(piece.cond)}, {self._print(piece.expr)}, {code})"
        return code


@dataclass(frozen=True)
class Kernel:
    """An elementwise function ``name(arguments) -> outputs``; results keep the first argument's dtype
    (a step function's 0/1 mask stays boolean: multiplying by it keeps the other operand's dtype)."""

    name: str
    arguments: tuple[sp.Symbol, ...]
    outputs: tuple[sp.Expr, ...]
    doc: str

    def source(self, printer: CodePrinter) -> str:
        temporaries = sp.numbered_symbols("t")
        replacements, reduced = sp.cse(list(self.outputs), symbols=temporaries)
        names = [str(a) for a in self.arguments]
        lines = [f"def {self.name}({', '.join(names)}):", f'    """{self.doc}"""']
        lines += [f"    {t} = {printer.doprint(e)}" for t, e in replacements]
        dtype = f"{names[0]}.dtype"
        results = [printer.doprint(e) if _is_mask(e) else f"numpy.asarray({printer.doprint(e)}, dtype={dtype})"
                   for e in reduced]
        lines.append(f"    return {', '.join(results)}")
        return "\n".join(lines)


#: What each scalar symbol of an elementwise formula stands for, for the kernels' docstrings.
MEANING = {x: "x = pre-activation", z: "z = logit", y: "y = label", p: "p = softmax of the row",
           q: "q = log softmax of the row", n: "n = batch size", K: "K = outputs"}


def _described(formula: str, arguments: tuple[sp.Symbol, ...]) -> str:
    return f"{formula}, elementwise ({'; '.join(MEANING[a] for a in arguments)})."


def _definition(expr: sp.Expr) -> sp.Expr:
    return unfold(expr) if isinstance(expr, CatalogFunction) else expr


def scale_source(scale: sp.Expr, printer: CodePrinter) -> str:
    """The reduction factor as a person writes it: ``1/n``, ``1/(K*n)``, ``1``."""
    numerator, denominator = sp.fraction(scale)
    if denominator == 1:
        return printer.doprint(numerator)
    below = printer.doprint(denominator)
    return f"{printer.doprint(numerator)}/{below if denominator.is_Atom else f'({below})'}"


def _is_mask(expr: sp.Expr) -> bool:
    """A Heaviside step printed as a comparison: a 0/1 mask, left boolean (see ``_print_Heaviside``)."""
    return isinstance(expr, sp.Heaviside) and len(expr.args) == 2 and expr.args[1] in (0, 1)


def _arguments(expr: sp.Expr, order: tuple[sp.Symbol, ...]) -> tuple[sp.Symbol, ...]:
    free = expr.free_symbols
    return tuple(s for s in order if s in free) or order[:1]


def kernels(bp: Backprop) -> dict[str, Kernel]:
    """The elementwise kernels of ``bp``: activations (alone and with f'), δ_L, the loss terms, the output."""
    found: dict[str, Kernel] = {}
    for act in bp.activations:
        shown = f"{act.name}(x) = {unicode(_definition(act.value))}"
        found[act.name] = Kernel(act.name, (x,), (act.value,), _described(shown, (x,)))
        entry = catalog.get(act.name)
        kink = f"; {entry.kink_convention}" if entry.kinks else ""
        found[f"{act.name}_and_derivative"] = Kernel(
            f"{act.name}_and_derivative", (x,), (act.value, act.derivative),
            _described(f"{shown}, and its canonical derivative {unicode(act.derivative)}{kink}", (x,)))
    out = bp.output
    arguments = _arguments(out.delta, (p, z, y, n, K))
    found["output_delta"] = Kernel("output_delta", arguments, (out.delta,),
                                   _described(f"δ_L = ∂L/∂Z_L = {unicode(out.delta)}", arguments))
    arguments = _arguments(out.term, (q, z, y))
    found["loss_terms"] = Kernel("loss_terms", arguments, (out.term,),
                                 _described(f"{out.loss} before the reduction: {unicode(out.term)}", arguments))
    if out.output == "sigmoid":
        found["sigmoid_output"] = Kernel("sigmoid_output", (z,), (sigmoid(z),),
                                         _described("sigmoid(z), without overflow", (z,)))
    return found


ROW_HELPERS = '''def softmax_rows(Z):
    """softmax of each row, shifted by the row maximum (finite for any logits)."""
    E = numpy.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def log_softmax_rows(Z):
    """log softmax of each row: (Z - m) - log sum exp(Z - m), m the row maximum."""
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))'''


def _call(kernel: Kernel, names: dict[sp.Symbol, str]) -> str:
    return f"{kernel.name}({', '.join(names[a] for a in kernel.arguments)})"


def _unpack(spec: NetworkSpec) -> str:
    names = list(spec.parameter_shapes())
    return f"    {', '.join(names)} = {', '.join(f'params[{chr(34)}{name}{chr(34)}]' for name in names)}"


def _code(printer: CodePrinter, value) -> str:
    return printer.doprint(value.xreplace({epsilon: sp.Symbol("EPS")}))


def _forward_lines(bp: Backprop, printer: CodePrinter, with_derivatives: bool) -> list[str]:
    lines = ["    n = X.shape[0]"] if bp.spec.norm else []
    for eq in bp.forward:
        if eq.value is not None:
            lines.append(f"    {eq.name} = {_code(printer, eq.value)}")
            continue
        act = next(a for a in bp.activations if f"{a.layer}" == eq.argument[1:] and eq.argument)
        if with_derivatives:
            lines.append(f"    {eq.name}, {eq.derivative} = {act.name}_and_derivative({eq.argument})")
        else:
            lines.append(f"    {eq.name} = {act.name}({eq.argument})")
    return lines


def released(lines: list[str], keep: set[str]) -> list[str]:
    """``lines`` with ``del`` after the last use of each intermediate (except ``keep``), as a person
    frees memory by hand: the peak is what the backward still needs, not every array of the pass
    (and numpy reuses the freed blocks; kept alive, they make the heap grow and shrink every call).
    The sizes ``n`` and ``K`` are scalars and stay."""
    statements = [ast.parse(line.strip()).body[0] for line in lines]
    assigned, last = set(), {}
    for at, statement in enumerate(statements):
        for node in ast.walk(statement):
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Store):
                    assigned.add(node.id)
                last[node.id] = at
    out = []
    for at, line in enumerate(lines):
        out.append(line)
        dead = sorted((name for name in assigned - keep - {"n", "K"} if last[name] == at), key=list(last).index)
        if dead and at < len(lines) - 1:
            out.append(f"    del {', '.join(dead)}")
    return out


def program_source(spec: NetworkSpec, formulas: MatrixFormulas = MATRIX_FORMULAS) -> str:
    """The source of a module with ``forward``, ``loss`` and ``gradients`` for ``spec`` (numpy only)."""
    bp = backprop(spec, formulas)
    printer = CodePrinter()
    found = kernels(bp)
    out, L = bp.output, spec.depth
    logits = f"Z{L}"
    names = {z: logits, y: "Y", p: "P", q: "Q", n: "n", K: "K"}
    blocks = ["import numpy"]
    if spec.norm:
        eps = get_layer(spec.norm).settings["eps"]
        blocks[0] += f"\n\nEPS = {eps!r}  # the {spec.norm} epsilon, as {get_layer(spec.norm).matches}"
    if any(k.source(printer).count("math.") for k in found.values()):
        blocks[0] += "\nimport math  # math.erf: numpy has none"
    blocks += [k.source(printer) for k in found.values()]
    if out.output == "softmax":
        blocks.append(ROW_HELPERS)

    blocks.append("\n".join([
        "def logits(params, X):", f'    """Z{L}, the last layer\'s pre-activation, (n, {spec.outputs})."""',
        _unpack(spec), *_forward_lines(bp, printer, False), f"    return {logits}"]))

    shown = {"softmax": f"softmax_rows({logits})", "sigmoid": f"sigmoid_output({logits})", "identity": logits}
    blocks.append("\n".join([
        "def forward(params, X):", f'    """The network\'s output, {out.output} of the logits, (n, {spec.outputs})."""',
        f"    {logits} = logits(params, X)", f"    return {shown[out.output]}"]))

    scale = scale_source(out.scale, printer)
    total = f"numpy.sum({_call(found['loss_terms'], names)})"
    loss_inputs = [f"    {logits} = logits(params, X)"]
    if q in out.term.free_symbols:
        loss_inputs.append(f"    Q = log_softmax_rows({logits})")
    blocks.append("\n".join(line for line in [
        "def loss(params, X, Y):",
        f'    """The scalar loss: the loss terms summed, times {scale} ({out.reduction})."""',
        "    n, K = Y.shape" if out.scale.free_symbols else "", *loss_inputs,
        f"    return float({total})" if scale == "1" else f"    return float({total} * {scale})"] if line))

    backward = ["    n, K = Y.shape"] if {n, K} & set(found["output_delta"].arguments) else []
    if p in found["output_delta"].arguments:
        backward.append(f"    P = softmax_rows({logits})")
    for eq in bp.backward:
        if eq.value is None:
            backward.append(f"    {eq.name} = {_call(found['output_delta'], names)}")
        else:
            backward.append(f"    {eq.name} = {_code(printer, eq.value)}")
    grads = ", ".join(f'"{name}": d{name}' for name in spec.parameter_shapes())
    results = {f"d{name}" for name in spec.parameter_shapes()}
    body = released([*_forward_lines(bp, printer, True), *backward], keep=results)
    blocks.append("\n".join([
        "def gradients(params, X, Y):", '    """∂L/∂(every parameter): a dict with the keys and shapes of params."""',
        _unpack(spec), *body, f"    return {{{grads}}}"]))
    return "\n\n\n".join(blocks) + "\n"


@dataclass(frozen=True)
class CompiledNetwork:
    """``forward(params, X)``, ``loss(params, X, Y)`` and ``gradients(params, X, Y)`` of ``spec``."""

    spec: NetworkSpec
    source: str
    forward: Callable
    loss: Callable
    gradients: Callable


def compile_network(spec: NetworkSpec, formulas: MatrixFormulas = MATRIX_FORMULAS) -> CompiledNetwork:
    """Execute :func:`program_source` as a fresh module and return its three functions."""
    source = program_source(spec, formulas)
    module = types.ModuleType(f"backprop_{'_'.join(map(str, spec.layers))}")
    exec(compile(source, f"<backprop {spec.summary()}>", "exec"), module.__dict__)  # our own source, printed above
    return CompiledNetwork(spec, source, module.forward, module.loss, module.gradients)
