"""``derive network``, ``derive codegen`` and plain ``derive``: a network derived, proved, compiled, checked.

``derive`` with no sub-command runs the note's network (70 → 10 → 10 → 3, ReLU, ReLU, softmax
cross-entropy, mean) end to end and exits 0 only if the proof holds and every reference agrees.
Exit codes: 0 everything holds, 1 a proof or a check failed, 2 bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from backprop_derive.cli.common import UsageError, emit_json

CHECKS = ("autograd", "torch", "jax", "fd")
DTYPES = ("float64", "float32")


def _network_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--layers", default="70,10,10,3", metavar="N,N,...",
                        help="layer sizes: inputs, hidden..., outputs (default: 70,10,10,3)")
    parser.add_argument("--activations", default="relu,relu", metavar="NAME,...",
                        help="one catalog activation per hidden layer, or one name for every hidden layer "
                             "(default: relu,relu)")
    parser.add_argument("--loss", default="softmax_cce", help="softmax_cce, sigmoid_bce or mse (default: softmax_cce)")
    parser.add_argument("--reduction", default="mean", help="mean (PyTorch's default) or sum")
    parser.add_argument("--norm", metavar="NAME", help="layernorm or batchnorm after each hidden linear layer, "
                                                       "before its activation (parameters gamma1, beta1, ...)")
    parser.add_argument("--residual", action="store_true",
                        help="skip connections around the hidden blocks of equal input and output width")
    parser.add_argument("--spec", metavar="FILE.toml",
                        help="a network of any layers (conv, pooling, RNN, embedding, ...) described in TOML, "
                             "e.g. examples/networks/lenet5.toml (docs/networks.md); replaces the MLP flags")


def register(sub) -> None:
    network = sub.add_parser(
        "network", help="a network's matrix-form backprop: equations, proof, autodiff comparison",
        description="Derive the matrix-form backprop of an MLP, prove it equal to the derivative of the "
                    "scalar loss, compile it to numpy and compare its gradients with reference autodiff.")
    _network_flags(network)
    network.add_argument("--check", metavar="NAME,...",
                         help=f"references to compare with, from {','.join(CHECKS)} (default: all; "
                              "one that is not installed is skipped with a note unless named here)")
    network.add_argument("--dtype", default="float64", help="float64 (default) or float32")
    network.add_argument("--batch", metavar="N", help="samples in the random batch (default: 64; 4 with --spec)")
    network.add_argument("--seed", default="0", metavar="S", help="seed of the random point (default: 0)")
    form = network.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="machine-readable output")
    form.add_argument("--latex", action="store_true", help="the equations as LaTeX (align* rows) instead of text")
    network.set_defaults(handler=run_network)

    codegen = sub.add_parser(
        "codegen", help="write a standalone numpy module with forward, loss and gradients",
        description="Prove a network's backprop, then write a readable Python module that imports only numpy: "
                    "forward(params, X), loss(params, X, Y), gradients(params, X, Y).")
    _network_flags(codegen)
    codegen.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the module")
    codegen.set_defaults(handler=run_codegen)


# ---------------------------------------------------------------------------- parsing input


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _integer(flag: str, text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{flag}: {text!r} is not an integer") from None
    if value < minimum:
        raise UsageError(f"{flag}: {value} is too small (at least {minimum})")
    return value


def parse_spec(args: argparse.Namespace):
    """The :class:`~backprop_derive.network.spec.NetworkSpec` the flags describe, or a one-line UsageError."""
    from backprop_derive.network.spec import NetworkSpec

    sizes = []
    for part in args.layers.split(","):
        try:
            sizes.append(int(part))
        except ValueError:
            raise UsageError(f"--layers: {part.strip()!r} is not an integer (give sizes like 70,10,10,3)") from None
    activations = _names(args.activations)
    if len(activations) == 1 and len(sizes) > 3:  # one name: the same activation in every hidden layer
        activations *= len(sizes) - 2
    try:
        return NetworkSpec(tuple(sizes), activations, args.loss, args.reduction,
                           getattr(args, "norm", None), getattr(args, "residual", False))
    except ValueError as err:
        raise UsageError(f"{err}{_suggestion(activations, args.loss)}") from None


def _suggestion(activations: tuple[str, ...], loss: str) -> str:
    """``"; did you mean 'sigmoid'?"`` for the first unknown activation or loss name close to a known one."""
    from backprop_derive.cli.common import did_you_mean
    from backprop_derive.core.catalog import activations as known
    from backprop_derive.network.spec import LOSSES

    unknown = [(name, known()) for name in activations if name not in known()]
    if loss not in LOSSES:
        unknown.append((loss, LOSSES))
    hints = [did_you_mean(name, choices) for name, choices in unknown]
    return next((f"; {hint.strip()}" for hint in hints if hint), "")


def _checks(args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    """(references to run, {skipped reference: why}); a named reference that cannot run is an error."""
    from backprop_derive.numeric.references import unavailable

    named = args.check is not None
    wanted = _names(args.check) if named else CHECKS
    unknown = [name for name in wanted if name not in CHECKS]
    if unknown:
        raise UsageError(f"--check: unknown reference {unknown[0]!r}; choose from {', '.join(CHECKS)}")
    run, skipped = [], {}
    for name in dict.fromkeys(wanted):
        why = unavailable(name)
        if why and named:
            raise UsageError(f"--check {name}: {why}")
        if why:
            skipped[name] = why
        else:
            run.append(name)
    return run, skipped


# ------------------------------------------------------------------------------ the report


def network_report(spec, checks: list[str], dtype: str, batch: int, seed: int) -> tuple[dict, list]:
    """Everything ``derive network`` reports: JSON-ready data, and the comparisons for the table."""
    from backprop_derive.network.backprop import backprop
    from backprop_derive.network.proof import prove_network
    from backprop_derive.numeric.compare import compare_gradients
    from backprop_derive.numeric.compile import compile_network
    from backprop_derive.numeric.points import sample_point
    from backprop_derive.numeric.references import REFERENCES

    start = time.perf_counter()
    bp = backprop(spec)
    proof = prove_network(spec)
    compiled = compile_network(spec)
    point = sample_point(spec, batch, seed, dtype)
    grads = compiled.gradients(point.params, point.X, point.Y)
    comparisons = [compare_gradients(grads, REFERENCES[name](spec, point.params, point.X, point.Y), dtype, name)
                   for name in checks]
    data = {
        "network": {**spec.to_json(), "dtype": dtype, "batch": batch, "seed": seed},
        "forward": [eq.to_json() for eq in bp.forward],
        "equations": [eq.to_json() for eq in bp.backward],
        "proof": proof.to_json(),
        "loss": compiled.loss(point.params, point.X, point.Y),
        "checks": {c.reference: c.to_json() for c in comparisons},
        "tolerances": {c.reference: c.tolerance for c in comparisons},
        "holds": proof.proved and all(c.passed for c in comparisons),
        "seconds": round(time.perf_counter() - start, 3),
    }
    return data, comparisons


def _align(equations: list[dict], depth: int) -> str:
    r"""LaTeX ``align*`` rows ``lhs &= rhs`` with the rule beside each as ``\text{...}``; δ_L's row is written
    ``\delta_L = \frac{\partial L}{\partial Z_L} = …`` (a definition, then a claim derive verify checks), the
    output's own definition (Ŷ) being in the paragraph before (:func:`_declarations`)."""
    from backprop_derive.render.notation import latex_text

    rows = []
    for eq in equations:
        lhs, _, rhs = eq["latex"].partition(" = ")
        if eq["name"] == f"delta{depth}":
            rhs = rhs.split(r",\ ")[0].replace(r" \text{ (elementwise)}", "")
            rhs = rf"\frac{{\partial L}}{{\partial Z_{{{depth}}}}} = {rhs}"
        rows.append(f"  {lhs} &= {rhs} && \\text{{{latex_text(eq['rule'])}}}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


#: The loss of each catalog loss as a matrix formula (``{scale}`` the reduction's factor), and Ŷ's definition.
_LOSSES = {
    "softmax_cce": (r"\operatorname{softmax}(Z_{L})", r"-{scale}\sum_{i=1}^{n}\sum_{c=1}^{K} Y_{ic} \log \hat{Y}_{ic}"),
    "sigmoid_bce": (r"\sigma(Z_{L})", r"-{scale}\sum_{i=1}^{n}\sum_{c=1}^{K} \left(Y_{ic} \log \hat{Y}_{ic} "
                    r"+ (1 - Y_{ic}) \log(1 - \hat{Y}_{ic})\right)"),
    "mse": (r"Z_{L}", r"{scale}\sum_{i=1}^{n}\sum_{c=1}^{K} \left((Z_{L})_{ic} - Y_{ic}\right)^2"),
}


def _declarations(spec) -> str:
    """The paragraph before the equations: every shape (rows are samples, K outputs) and the loss's definition,
    so that ``derive verify`` reads the document back (issue 10)."""
    from backprop_derive.network.losses import get_loss

    sizes, depth = spec.layers, spec.depth
    width = lambda layer: "K" if layer == depth else str(sizes[layer])  # noqa: E731
    shapes = [rf"$X \in \mathbb{{R}}^{{n \times {sizes[0]}}}$", r"$Y \in \mathbb{R}^{n \times K}$"]
    for layer in range(1, depth + 1):
        shapes += [rf"$W_{{{layer}}} \in \mathbb{{R}}^{{{width(layer - 1)} \times {width(layer)}}}$",
                   rf"$b_{{{layer}}} \in \mathbb{{R}}^{{1 \times {width(layer)}}}$"]
    output, loss = _LOSSES[spec.loss]
    per_sample = get_loss(spec.loss).per_sample
    scale = "" if spec.reduction == "sum" else r"\frac{1}{n}" if per_sample else r"\frac{1}{nK}"
    output, loss = output.replace("{L}", f"{{{depth}}}"), loss.replace("{L}", f"{{{depth}}}").replace("{scale}", scale)
    return (f"Rows are samples; n samples, K = {sizes[-1]} outputs: {', '.join(shapes)}.\n"
            f"Let $\\hat{{Y}} = {output}$ and $L = {loss}$ ({spec.loss}, "
            f"{get_loss(spec.loss).averaged(spec.reduction)}; softmax row by row).")


def _print_report(spec, report: dict, comparisons: list, skipped: dict[str, str], latex: bool = False) -> None:
    from backprop_derive.numeric.compare import format_table

    net = report["network"]
    print(f"Network: {spec.summary()}")
    if latex:
        print("\nForward and backward, LaTeX (derive verify reads this back):")
        print(_declarations(spec))
        print(_align(report["forward"] + report["equations"], spec.depth))
    else:
        print("\nForward (rows are samples):")
        for eq in report["forward"]:
            print(f"  {eq['text']}")
        print("\nBackward, matrix form:")
        for eq in report["equations"]:
            print(f"  {eq['text']}\n      because {eq['rule']}")
    proof = report["proof"]
    print(f"\nProof: {'PROVED' if proof['proved'] else 'NOT PROVED'} ({proof['seconds']:.2f} s)")
    for part in proof["parts"]:
        mark = "✓" if part["proved"] else "✗"
        print(f"  {mark} {part['claim']}\n      on {'; '.join(part['instances'])}: {part['method']}")
        if part["assumptions"]:
            print(f"      assuming {'; '.join(part['assumptions'])}")
    print(f"\nGradients of the compiled numpy code against references ({net['dtype']}, batch {net['batch']}, "
          f"seed {net['seed']}; max rel = max abs / largest reference entry):")
    if comparisons:
        print(format_table(comparisons, spec.parameter_shapes()))
    for line in _fd_sampled(spec, net["batch"]) if any(c.reference == "fd" for c in comparisons) else []:
        print(line)
    for name, why in skipped.items():
        print(f"{name}: skipped, {why}")
    if not comparisons:
        print("  (no reference run)")
    verdict = "Everything holds." if report["holds"] else "NOT everything holds: see the ✗ and FAIL lines above."
    print(f"\n{verdict}  ({report['seconds']:.1f} s)")


def _fd_sampled(spec, batch: int) -> list[str]:
    """A line for each parameter whose finite differences looked at a random sample of its entries."""
    from math import prod

    from backprop_derive.numeric.references import fd_entries_per_parameter

    looked_at = fd_entries_per_parameter(spec, batch)
    sizes = {name: prod(shape) for name, shape in spec.parameter_shapes().items()}
    return [f"fd {name}: sampled {looked_at} of {size} entries (at random; the others not compared)"
            for name, size in sizes.items() if size > looked_at]


def run_network(args: argparse.Namespace) -> int:
    if args.spec:
        from backprop_derive.cli import sequential_cmd

        batch = None if args.batch is None else _integer("--batch", str(args.batch), 1)
        return sequential_cmd.run_network(args, *_checks(args), batch, _integer("--seed", str(args.seed), 0))
    spec = parse_spec(args)
    if args.dtype not in DTYPES:
        raise UsageError(f"--dtype: {args.dtype!r} is not supported; choose from {', '.join(DTYPES)}")
    batch = _integer("--batch", str(args.batch or 64), 1)
    seed = _integer("--seed", str(args.seed), 0)
    checks, skipped = _checks(args)
    report, comparisons = network_report(spec, checks, args.dtype, batch, seed)
    if args.json:
        emit_json({**report, "skipped": skipped})
    else:
        _print_report(spec, report, comparisons, skipped, args.latex)
    return 0 if report["holds"] else 1


def run_default(args: argparse.Namespace) -> int:
    """``derive`` with no sub-command: the note's network, end to end (``derive network``'s defaults)."""
    from backprop_derive.cli import build_parser

    return run_network(build_parser().parse_args(["network"]))


def run_codegen(args: argparse.Namespace) -> int:
    import sys

    from backprop_derive.network.proof import prove_network
    from backprop_derive.numeric.codegen import module_text

    if args.spec:
        from backprop_derive.cli import sequential_cmd

        return sequential_cmd.run_codegen(args)
    spec = parse_spec(args)
    target = Path(args.output)
    if not target.parent.is_dir():
        raise UsageError(f"-o {args.output}: directory {str(target.parent)!r} does not exist")
    proof = prove_network(spec)
    if not proof.proved:
        print(f"derive: not writing {args.output}: the backprop of {spec.summary()} is not proved: {proof.method}",
              file=sys.stderr)
        return 1
    try:
        target.write_text(module_text(spec, proof))
    except OSError as err:
        raise UsageError(f"-o {args.output}: {err.strerror}") from None
    print(f"wrote {args.output}: forward, loss, gradients for {spec.summary()} (proved in {proof.seconds:.2f} s)")
    return 0
