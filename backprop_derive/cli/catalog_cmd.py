"""``derive list`` and ``derive show NAME``: the catalog and the layers, and each one's derivation."""

from __future__ import annotations

import argparse

from backprop_derive.cli.common import UsageError, emit_json, math_json

MAX_CLASSES = 20


def register(sub) -> None:
    listing = sub.add_parser("list", help="the catalog: each entry's definition and the derivative backprop uses",
                             description="List every catalog entry with its definition and, below it, the "
                                         "canonical derivative: the form backprop uses, proved by `derive show`.")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=run_list)

    show = sub.add_parser("show", help="one entry's derivative, step by step, with its proof",
                          description="Derive a catalog entry's derivative step by step, rewrite it into the "
                                      "form backprop uses, and prove that form equal to the raw derivative.")
    show.add_argument("name", help="catalog entry (see `derive list`)")
    form = show.add_mutually_exclusive_group()
    form.add_argument("--latex", action="store_true",
                      help="the steps as LaTeX: an align* environment (needs amsmath), nesting indented, "
                           "as in the notes")
    form.add_argument("--json", action="store_true", help="machine-readable output")
    show.add_argument("--classes", type=int, metavar="K",
                      help="for softmax, log_softmax, softmax_cce, mse: a concrete number of classes "
                           f"(2..{MAX_CLASSES}) instead of a symbolic K")
    show.set_defaults(handler=run_show)


def _body(expr):
    """The right side of an entry's definition, ``f(x) = ...``."""
    from backprop_derive.core.functions import CatalogFunction

    return expr.unfold() if isinstance(expr, CatalogFunction) else expr.rewrite("exp")


def _definition(entry) -> dict[str, str]:
    from backprop_derive.core.printing import latex

    expr = entry.definition()
    body = _body(expr)
    return {"latex": f"{latex(expr)} = {latex(body)}", "text": f"{expr} = {body}"}


def _shown_definition(entry) -> str:
    """``f(x) = body`` in the tree's printer (Unicode), not SymPy's ``str``."""
    from backprop_derive.core.printing import unicode

    expr = entry.definition()
    return f"{unicode(expr)} = {unicode(_body(expr))}"


def _canonical_text(problem, partial: bool) -> str:
    """``d/dx f(x) = canonical`` in Unicode, with the assumptions it needs beyond index ranges."""
    from backprop_derive.core.printing import unicode

    d = "∂" if partial else "d"
    text = f"{d}/{d}{unicode(problem.var)} {unicode(problem.expr)} = {unicode(problem.canonical)}"
    needed = [a.text for a in problem.assumptions if not a.about_indices]
    return text + (f"  (assuming {', '.join(needed)})" if needed else "")


def _layer_gradients(layer) -> list[tuple[str, str]]:
    """``(∂L/∂x, matrix form)`` for each of ``layer``'s gradients, intermediates by their names."""
    from backprop_derive.network.backprop import _MatrixText

    if layer.on_instances:  # its matrix form is data: the steps of form "matrix"
        return [(step.lhs, step.rhs) for step in layer.matrix_steps() if step.lhs.startswith("∂L/∂")]
    _, _, _, gradients = layer.equations()
    text = _MatrixText({})
    return [(f"∂L/∂{name[1:]}", text.doprint(value)) for name, value in gradients.items()]


def run_list(args: argparse.Namespace) -> int:
    from backprop_derive.cli.common import math_json
    from backprop_derive.core.catalog import CATALOG
    from backprop_derive.network.layers import LAYERS

    rows = []
    for name, entry in CATALOG.items():
        problem = entry.problem()
        rows.append({"name": name, "kind": entry.kind, "definition": _definition(entry),
                     "canonical": math_json(problem.canonical),
                     "assumptions": [a.text for a in problem.assumptions]})
    for name, layer in LAYERS.items():
        rows.append({"name": name, "kind": "layer", "definition": {"text": layer.summary}, "matches": layer.matches,
                     "matrix_form": [{"lhs": lhs, "rhs": rhs} for lhs, rhs in _layer_gradients(layer)]})
    if args.json:
        emit_json(rows)
        return 0
    width = max(len(name) for name in (*CATALOG, *LAYERS))
    for name, entry in CATALOG.items():
        problem = entry.problem()
        print(f"{name:<{width}}  {entry.kind:<10}  {_shown_definition(entry)}")
        print(f"{'':<{width}}  {'':<10}  {_canonical_text(problem, problem.index is not None)}")
    for name, layer in LAYERS.items():
        print(f"{name:<{width}}  {'layer':<10}  {layer.summary}")
        for lhs, rhs in _layer_gradients(layer):
            print(f"{'':<{width}}  {'':<10}  {lhs} = {rhs}")
    return 0


def _show_layer(args: argparse.Namespace, layer) -> int:
    """``derive show LAYER``: the VJP step by step in index notation, then matrix form, with the lemma."""
    from backprop_derive.network.backprop import _MatrixText
    from backprop_derive.network.layers import prove_layer

    proof = prove_layer(layer)
    if layer.on_instances:  # its matrix form is data: the steps of form "matrix"
        matrix = [(step.lhs, step.rhs) for step in layer.matrix_steps()]
    else:
        forward, _, backward, gradients = layer.equations()
        text = _MatrixText({})
        matrix = [(symbol.name, text.doprint(value)) for symbol, value in (*forward, *backward)]
        matrix += [(name, text.doprint(value)) for name, value in gradients.items()]
    if args.json:
        emit_json({"name": layer.name, "kind": "layer", "definition": layer.summary, "matches": layer.matches,
                   "steps": [step.to_json() for step in layer.steps],
                   "matrix_form": [{"lhs": lhs, "rhs": rhs} for lhs, rhs in matrix],
                   "proof": {**proof.to_json(), "proved": proof.proved}})
        return 0 if proof.proved else 1
    print(f"{layer.name} (layer): {layer.summary}")
    print(f"as {layer.matches}")
    print("\nIndex notation (G = ∂L/∂out):")
    for step in layer.steps:
        if step.form == "index":
            print(f"  {step.lhs} = {step.rhs}\n      because {step.rule}")
    print("\nMatrix form:")
    for lhs, rhs in matrix:
        print(f"  {lhs} = {rhs}")
    verdict = "proved" if proof.proved else "NOT PROVED"
    if proof.sizes == "symbolic":
        print(f"\nproof: {verdict} for symbolic sizes ({proof.method})")
    else:  # the method says "exactly on instances (how): the sizes"
        print(f"\nproof: {verdict} {proof.method}")
    return 0 if proof.proved else 1


def _entry(name: str):
    """The catalog entry ``name``; a one-line UsageError naming the closest names otherwise."""
    from backprop_derive.cli.common import did_you_mean
    from backprop_derive.core.catalog import CATALOG, UnknownEntryError, get

    try:
        return get(name)
    except UnknownEntryError:
        raise UsageError(f"unknown catalog entry {name!r}; {did_you_mean(name, CATALOG)}"
                         f"valid names: {', '.join(CATALOG)}") from None


def run_show(args: argparse.Namespace) -> int:
    from backprop_derive.network.layers import LAYERS

    if args.name in LAYERS:
        return _show_layer(args, LAYERS[args.name])
    entry = _entry(args.name)
    if args.classes is not None:
        if not entry.indexed:
            raise UsageError(f"--classes applies to vector functions and multi-class losses, not to {entry.name!r}")
        if not 2 <= args.classes <= MAX_CLASSES:
            raise UsageError(f"--classes must be between 2 and {MAX_CLASSES}, got {args.classes}")

    from backprop_derive.core.derivation import derive_entry
    from backprop_derive.render.latex_layout import LATEX_DOCUMENT
    from backprop_derive.render.notation import TEXT, latex, to_json, unicode

    derivation = derive_entry(entry.name, args.classes)
    proof = derivation.proof
    others = derivation.others
    proved = proof.proved and all(other.proof.proved for other in others)
    assumptions = [a.text for a in derivation.problem.assumptions]
    if args.json:
        emit_json({
            "name": entry.name,
            "kind": entry.kind,
            "definition": _definition(entry),
            "derivative": math_json(derivation.raw),
            "canonical": math_json(derivation.canonical),
            "assumptions": assumptions,
            "proof": {"proved": proof.proved, "method": proof.method},
            "kinks": [{"at": at, "value": math_json(value), "convention": entry.kink_convention}
                      for at, value in derivation.kink_values()],
            "steps": [to_json(derivation.tree)],
            "others": [{"var": str(other.problem.var), "canonical": math_json(other.canonical),
                        "proof": {"proved": other.proof.proved, "method": other.proof.method},
                        "steps": [to_json(other.tree)]} for other in others],
        })
        return 0 if proved else 1
    if args.latex:
        for assumption in derivation.problem.assumptions:  # read back by derive verify: % assume lines
            if not assumption.about_indices:
                print(f"% assume: {assumption.latex}")
        print("\\begin{align*}")
        print(LATEX_DOCUMENT.render(derivation.tree))  # nesting indented, long steps split, as in the notes
        print("\\end{align*}")
        print(f"% canonical: {latex(derivation.canonical)}; proof: {proof.method}")
        return 0 if proof.proved else 1

    print(f"{entry.name} ({entry.kind}): {_shown_definition(entry)}")
    print(f"assumptions: {', '.join(assumptions) if assumptions else 'none (symbols are real)'}")
    print()
    print(TEXT.render(derivation.tree))
    print()
    for at, value in derivation.kink_values():
        print(f"at the kink {derivation.problem.var} = {at:g}: {unicode(value)}  ({entry.kink_convention})")
    verdict = "proved" if proof.proved else "NOT PROVED"
    print(f"proof: {verdict} ({proof.method})")
    d = "∂" if derivation.partial else "d"
    lhs = f"{d}/{d}{unicode(derivation.problem.var)} {unicode(derivation.problem.expr)}"
    print(f"result: {lhs} = {unicode(derivation.canonical)}")
    for other in others:  # the derivatives by the entry's other inputs (PReLU's slope)
        print()
        print(TEXT.render(other.tree))
        print(f"proof: {'proved' if other.proof.proved else 'NOT PROVED'} ({other.proof.method})")
        print(f"result: d/d{unicode(other.problem.var)} {unicode(other.problem.expr)} = {unicode(other.canonical)}")
    return 0 if proved else 1
