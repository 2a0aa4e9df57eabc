"""``derive list`` and ``derive show NAME``: the catalog and each entry's derivation."""

from __future__ import annotations

import argparse

from derive.cli.common import UsageError, emit_json, math_json

MAX_CLASSES = 20


def register(sub) -> None:
    listing = sub.add_parser("list", help="the catalog, one line of math per entry",
                             description="List every catalog entry with its definition.")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=run_list)

    show = sub.add_parser("show", help="one entry's derivative, step by step, with its proof",
                          description="Derive a catalog entry's derivative step by step, rewrite it into the "
                                      "form backprop uses, and prove that form equal to the raw derivative.")
    show.add_argument("name", help="catalog entry (see `derive list`)")
    form = show.add_mutually_exclusive_group()
    form.add_argument("--latex", action="store_true", help="the steps as LaTeX (align* rows)")
    form.add_argument("--json", action="store_true", help="machine-readable output")
    show.add_argument("--classes", type=int, metavar="K",
                      help="for softmax, log_softmax, softmax_cce, mse: a concrete number of classes "
                           f"(2..{MAX_CLASSES}) instead of a symbolic K")
    show.set_defaults(handler=run_show)


def _body(expr):
    """The right side of an entry's definition, ``f(x) = ...``."""
    from derive.functions import CatalogFunction

    return expr.unfold() if isinstance(expr, CatalogFunction) else expr.rewrite("exp")


def _definition(entry) -> dict[str, str]:
    from derive.render import latex

    expr = entry.definition()
    body = _body(expr)
    return {"latex": f"{latex(expr)} = {latex(body)}", "text": f"{expr} = {body}"}


def run_list(args: argparse.Namespace) -> int:
    from derive.catalog import CATALOG
    from derive.render import unicode

    rows = [{"name": name, "kind": entry.kind, "definition": _definition(entry)} for name, entry in CATALOG.items()]
    if args.json:
        emit_json(rows)
        return 0
    width = max(len(name) for name in CATALOG)
    for name, entry in CATALOG.items():
        expr = entry.definition()
        print(f"{name:<{width}}  {entry.kind:<10}  {unicode(expr)} = {unicode(_body(expr))}")
    return 0


def _show_layer(args: argparse.Namespace, layer) -> int:
    """``derive show LAYER``: the VJP step by step in index notation, then matrix form, with the lemma."""
    from derive.layers import prove_layer
    from derive.network import _MatrixText

    proof = prove_layer(layer)
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
        print(f"  {step.lhs} = {step.rhs}\n      because {step.rule}")
    print("\nMatrix form:")
    for lhs, rhs in matrix:
        print(f"  {lhs} = {rhs}")
    print(f"\nproof: {'proved' if proof.proved else 'NOT PROVED'} for symbolic sizes ({proof.method})")
    return 0 if proof.proved else 1


def run_show(args: argparse.Namespace) -> int:
    from derive.catalog import UnknownEntryError, get
    from derive.layers import LAYERS

    if args.name in LAYERS:
        return _show_layer(args, LAYERS[args.name])

    try:
        entry = get(args.name)
    except UnknownEntryError as err:
        raise UsageError(str(err)) from None
    if args.classes is not None:
        if not entry.indexed:
            raise UsageError(f"--classes applies to vector functions and multi-class losses, not to {entry.name!r}")
        if not 2 <= args.classes <= MAX_CLASSES:
            raise UsageError(f"--classes must be between 2 and {MAX_CLASSES}, got {args.classes}")

    from derive.derivation import derive_entry
    from derive.render import LATEX, TEXT, latex, to_json, unicode

    derivation = derive_entry(entry.name, args.classes)
    proof = derivation.proof
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
        })
        return 0 if proof.proved else 1
    if args.latex:
        print("\\begin{align*}")
        print(LATEX.render(derivation.tree))
        print("\\end{align*}")
        print(f"% canonical: {latex(derivation.canonical)}; proof: {proof.method}")
        return 0 if proof.proved else 1

    print(f"{entry.name} ({entry.kind}): {_definition(entry)['text']}")
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
    return 0 if proof.proved else 1
