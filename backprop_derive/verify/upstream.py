r"""Upstream names: a name a document differentiates but never defines (``f``, ``L``, ``E``), as "the layer
above" -- an unknown function of the graph's output, decided from what the document writes.

A name f is taken to be an unknown function of the defined names :math:`Y_1, \dots` exactly when

* f is not defined, and no definition uses it (it is no input of the graph);
* the document writes a first-order derivative of f by each :math:`Y_k` (``\frac{\partial f}{\partial y_i}``,
  the upstream gradient), and each :math:`Y_k` is a *sink* of the definitions in force: no definition
  uses it (it is the graph's output), defined element by element (``y_i = …``: an output written without
  an index may be a vector or a matrix, ``z = W a + b``, whose chain rule the scalar reading gets wrong);
* every variable the document differentiates f by is one of the :math:`Y_k` or a name they depend on,
  directly or through other definitions (γ, β, x, μ, σ² for a batch norm's y) -- or a capital letter X,
  never defined, where the :math:`x_i` are such names: the vector of them (``\partial E/\partial X`` beside
  ``\partial E/\partial x_i``), whose derivatives are not read (:func:`backprop_derive.verify.graph._partial`).

The last condition is what makes "f depends on the graph only through Y" the document's own statement:
where f is differentiated by a name the output does not depend on, the graph the document defines is
not the whole of f's inputs, and f stays undefined (its derivatives cannot be read).  How the model is
then used is :mod:`backprop_derive.verify.graph`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence

import sympy as sp

from backprop_derive.verify.definitions import Definition
from backprop_derive.verify.graph import label, names_in
from backprop_derive.verify.latex import names
from backprop_derive.verify.latex.parser import Readings, parse_expression, square_names
from backprop_derive.verify.latex.tokens import LatexError

#: Inline math in prose: ``$…$`` (not ``$$``) and ``\(…\)``.
_INLINE = re.compile(r"(?<![$\\])\$(?!\$)([^$\n]+?)(?<!\\)\$(?!\$)|\\\((.+?)\\\)")


def inline_math(text: str) -> list[str]:
    """The inline formulas of a document's prose (where "∂f/∂y_i is the upstream gradient" is said)."""
    return [m.group(1) or m.group(2) for m in _INLINE.finditer(text)]


#: A name as the reader labels it: ``y``, ``\gamma`` (gamma), ``\hat{x}`` (xhat).
_NAME = r"(\\hat\{[A-Za-z]\}|\\[A-Za-z]+|[A-Za-z])"
#: ``dy``, ``dy_j``, ``d\hat{x}``: the letter d right before a name, in inline math.
_D_NAME = re.compile(r"(?<![A-Za-z\\])d" + _NAME)
#: ``\partial L/\partial y`` (or ``dL/dy``), which the reader does not read: found only to learn what L is
#: differentiated by.
_SLASH = re.compile(r"(?:\\partial\s*|(?<![A-Za-z\\])d)([A-Za-z])\s*/\s*(?:\\partial\s*|d)" + _NAME)


def _label(written: str) -> str:
    if written.startswith("\\hat{"):
        return written[5:-1] + "hat"
    return written.lstrip("\\")


def gradient_notation(text: str) -> str | None:
    r"""The loss L when the document writes its gradients as ``dy`` for :math:`\partial L/\partial y`: a line of
    prose holds inline ``dy`` (or ``dy_j``) and the derivative of the undefined L by that same y
    ("$dy$ is the upstream gradient $\partial L/\partial y$", "$\frac{dL}{dy_j}$ (denoted as $dy_j$)").
    Also a sentence whose inline math is all ``dy`` names and whose words call them gradients of the
    loss (:data:`_OF_THE_LOSS`). One such L, or None (two different ones are no notation)."""
    found = set()
    for line in text.splitlines():
        formulas = inline_math(line)
        written = {_label(m.group(1)) for f in formulas if "frac" not in f and "partial" not in f
                   for m in _D_NAME.finditer(f)}
        for loss, variables in written_derivatives(formulas, Readings()).items():
            if variables & written and loss != "d":
                found.add(loss)
        for sentence in re.split(r"(?<=[.;])\s+", line):
            said = inline_math(sentence)
            if said and _OF_THE_LOSS.search(sentence) and all(_D_NAME.match(f.strip()) for f in said):
                found.add(_UNNAMED_LOSS if _WRITES_L.search(text) is None else "?")
    return found.pop() if len(found) == 1 and "?" not in found else None


#: Prose that says its inline ``dy`` are gradients of a loss it does not name ("$d\hat{x}_j$, $d\mu$ are
#: gradients of the loss"): they are the gradients of a loss L of the reader's, where the document writes no L.
_OF_THE_LOSS = re.compile(r"(?i)\bgradients?\s+(?:of|with\s+respect\s+to)\s+(?:the\s+)?(?:loss|cost|objective|error)\b")
_UNNAMED_LOSS = "L"
_WRITES_L = re.compile(r"(?<![A-Za-z\\{])L(?![A-Za-z}])")


#: An inline formula that is a function head with distinct names as its arguments: ``u(x, y)``.
_HEAD = re.compile(r"^\s*(\\?[A-Za-z]+)\s*\(\s*((?:\\?[A-Za-z]+\s*,\s*)*\\?[A-Za-z]+)\s*\)\s*$")


def declared_functions(text: str) -> dict[str, tuple[str, ...]]:
    r"""Unknown functions a document's prose declares: on a line that speaks of a function, each inline head
    of distinct plain names (``a function $u(x, y)$ where $x(r, t)$ and $y(r, t)$``) makes its name a
    function of those arguments -- used, as an upstream name, through its value and first derivatives at the
    point.  The catalog's functions (``\sigma(z)``) are no such declaration."""
    found: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if not re.search(r"(?i)\bfunctions?\b", line):
            continue
        for formula in inline_math(line):
            m = _HEAD.match(formula)
            if m is None or m.group(1) in names.APPLIED_ONLY or names.normalise(m.group(1).lstrip("\\")) in \
                    names.FUNCTIONS or m.group(1) in names.FUNCTION_COMMANDS:
                continue
            args = tuple(a.strip().lstrip("\\") for a in m.group(2).split(","))
            if len(set(args)) == len(args) and m.group(1).lstrip("\\") not in args:
                found.setdefault(m.group(1).lstrip("\\"), args)
    # a name the document also writes with an index (x_i) is some other x there: no declaration holds
    return {n: a for n, a in found.items() if re.search(r"(?<![A-Za-z\\])\\?" + n + r"\s*_", text) is None}


#: A heading: Markdown's ``#``…``######``, or LaTeX's ``\section``/``\subsection``/``\subsubsection``.
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s|^\s*\\(?:sub){0,2}section\*?\{")


def functions_by_section(text: str) -> list[tuple[int, int, dict[str, tuple[str, ...]]]]:
    """The functions declared in prose (:func:`declared_functions`), section by section: ``(first line, last
    line, declared)`` for each run of lines between headings.  A declaration holds in its own section -- the
    chain-rule primer's ``u(x, y)`` is not the ``x_i`` of the derivation that follows it."""
    lines = text.splitlines()
    starts = [0] + [n for n, line in enumerate(lines) if n and _HEADING.match(line)] + [len(lines)]
    found = []
    for first, end in itertools.pairwise(starts):
        declared = declared_functions("\n".join(lines[first:end]))
        if declared:
            found.append((first + 1, end, declared))
    return found


def section_text(text: str, first: int, last: int) -> str:
    """Lines ``first`` to ``last`` (1-based, inclusive) of ``text``."""
    return "\n".join(text.splitlines()[first - 1 : last])


def written_derivatives(texts: Iterable[str], readings: Readings) -> dict[str, set[str]]:
    """For each bare name a first-order derivative is taken of in ``texts``, the names of its variables."""
    texts = list(texts)
    scan = Readings(readings.functions, readings.symbols, squares=square_names(texts), any_name=True,
                    gradient_of=readings.gradient_of)
    found: dict[str, set[str]] = {}
    for text in texts:
        for m in _SLASH.finditer(text):
            found.setdefault(m.group(1), set()).add(_label(m.group(2)))
        try:
            expr = parse_expression(text, scan)
        except LatexError:
            continue
        for node in expr.atoms(sp.Derivative):
            name = label(node.expr)
            if name is not None and len(node.variables) == 1 and label(node.variables[0]) is not None:
                found.setdefault(name, set()).add(label(node.variables[0]))
    return found


def upstream_definitions(written: dict[str, set[str]], definitions: Sequence[Definition],
                         readings: Readings, declared: dict[str, tuple[str, ...]] | None = None,
                         written_there: dict[str, set[str]] | None = None) -> list[Definition]:
    """The upstream names (module docstring) given the definitions in force, each as a :class:`Definition`
    of kind ``upstream`` whose ``rhs`` is the output it is a function of; and the ``declared`` functions
    (:func:`declared_functions`) that are not defined, each of its arguments, where every derivative of it
    written in its section (``written_there``; default: ``written``) is by what it is declared a function of."""
    declared = declared or {}
    written_there = written if written_there is None else written_there
    texts = [t for d in definitions for t in (d.lhs, d.rhs)]
    readings = Readings(readings.functions, readings.symbols, defined=frozenset(d.name for d in definitions),
                        squares=square_names(texts, [(d.lhs, d.rhs) for d in definitions]))
    arguments: dict[str, set[str]] = {}
    nodes: dict[str, Definition] = {}
    for d in definitions:
        try:
            arguments[d.name] = names_in(parse_expression(d.rhs, readings))
        except LatexError:
            return []  # a definition that cannot be read: no step can use the graph
        nodes[d.name] = d
    used = set().union(*arguments.values()) if arguments else set()
    sinks = [n for n in nodes if n not in used and _elementwise(nodes[n], readings)]
    made = []
    graph = {**arguments, **{n: set(a) for n, a in declared.items() if n not in nodes}}
    for name, args in sorted(declared.items()):
        if name in nodes or not written_there.get(name, set()) <= _below(list(args), graph) | set(args):
            continue  # defined after all, or differentiated by what it is not declared a function of
        made += [Definition(name, name, arg, 1, f"upstream: {name} is declared a function of {', '.join(args)}",
                            "upstream") for arg in args]
    declared_names = {d.name for d in made}
    for name, variables in sorted(written.items()):
        if name in nodes or name in used or name in declared_names:
            continue
        outputs = [s for s in sinks if s in variables]
        below = _below(outputs, arguments)
        # X, never defined nor used, beside the elements x_i the outputs depend on: the vector of them
        vectors = {v for v in variables - below if len(v) == 1 and v.isupper() and v.lower() in below}
        if outputs and variables - vectors <= below:
            lower = ", ".join(sorted(v.lower() for v in vectors))
            also = f"; {', '.join(sorted(vectors))} read as the vector of the {lower}" if vectors else ""
            made += [Definition(name, name, nodes[s].lhs, nodes[s].line,
                                f"upstream: {name} is an unknown function of {s} only (its derivatives by "
                                f"{', '.join(sorted(variables))} are written{also})", "upstream") for s in outputs]
        elif nodes:  # a graph, and a name differentiated through it: what it depends on is the missing piece
            made.append(Definition(name, name, _missing(name, variables, outputs, sinks, arguments), 1,
                                   "undetermined", "undetermined"))
    return made


def _missing(name: str, variables: set[str], outputs: list[str], sinks: list[str],
             arguments: dict[str, set[str]]) -> str:
    """Why the upstream name ``name`` is not known: the declaration it lacks."""
    if not outputs:
        return (f"what {name} is a function of is not known: no derivative of {name} by an output of the "
                f"definitions ({', '.join(sorted(sinks))}) is written; define the output {name} depends on and "
                f"write {name}'s derivative by it")
    beyond = sorted(variables - _below(outputs, arguments))
    return (f"{name} is differentiated by {', '.join(beyond)}, which {', '.join(outputs)} does not depend on: "
            f"define how {', '.join(beyond)} reach{'es' if len(beyond) == 1 else ''} {name}")


def _elementwise(definition: Definition, readings: Readings) -> bool:
    """Whether a definition names elements (``y_i = …``): an output written without an index may be a vector
    or a matrix (``z = W a + b``), whose gradient the scalar reading would get wrong (Wᵀ, not W)."""
    try:
        return isinstance(parse_expression(definition.lhs, readings), sp.Indexed)
    except LatexError:
        return False


def _below(outputs: list[str], arguments: dict[str, set[str]]) -> set[str]:
    """The outputs and every name they depend on, through the definitions."""
    seen, todo = set(outputs), list(outputs)
    while todo:
        for name in arguments.get(todo.pop(), ()):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen
