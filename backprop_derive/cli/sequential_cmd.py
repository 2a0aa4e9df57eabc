"""``derive network --spec FILE.toml`` and ``derive codegen --spec FILE.toml``: a network of any layers.

The same report as an MLP's (``network_cmd``): the network, the proof part by part, the compiled
gradients against each reference in a table, one verdict; ``--json`` for machines.  Exit codes as
there: 0 everything holds, 1 a proof or a check failed, 2 bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from backprop_derive.cli.common import UsageError, emit_json

#: The batch ``derive network --spec`` checks at when none is given (finite differences stay quick).
DEFAULT_BATCH = 4


def load_spec(path: str):
    """The :class:`~backprop_derive.numeric.sequential.spec.Sequential` of a TOML file, or a one-line UsageError."""
    from backprop_derive.numeric.sequential.spec import load

    try:
        return load(path)
    except ValueError as err:
        raise UsageError(str(err)) from None


def sequential_report(spec, checks: list[str], batch: int, seed: int) -> tuple[dict, list]:
    """Everything ``derive network --spec`` reports, JSON-ready, and the comparisons for the table."""
    from backprop_derive.network.sequential import prove_sequential
    from backprop_derive.numeric.compare import compare_gradients
    from backprop_derive.numeric.sequential.gradients import REFERENCES, sample_point
    from backprop_derive.numeric.sequential.program import compile_sequential

    start = time.perf_counter()
    proof = prove_sequential(spec)
    compiled = compile_sequential(spec)
    point = sample_point(spec, batch, seed)
    grads = compiled.gradients(point.params, point.X, point.Y)
    comparisons = [compare_gradients(grads, REFERENCES[name](spec, point.params, point.X, point.Y), "float64", name)
                   for name in checks]
    data = {
        "network": {**spec.to_json(), "dtype": "float64", "batch": batch, "seed": seed},
        "proof": proof.to_json(),
        "loss": compiled.loss(point.params, point.X, point.Y),
        "checks": {c.reference: c.to_json() for c in comparisons},
        "tolerances": {c.reference: c.tolerance for c in comparisons},
        "holds": proof.proved and all(c.passed for c in comparisons),
        "seconds": round(time.perf_counter() - start, 3),
    }
    return data, comparisons


def _print_report(spec, report: dict, comparisons: list, skipped: dict[str, str]) -> None:
    from backprop_derive.numeric.compare import format_table

    print(f"Network: {spec.summary()}")
    print(f"\nLayers (per-sample shapes; the batch axis first), {spec.parameter_count()} parameters:")
    print(f"   0. input{' (token ids)' if spec.tokens else ''}: {'×'.join(map(str, spec.input))}")
    for position, layer in enumerate(report["network"]["layers"], start=1):
        params = ", ".join(spec.parameters_of(position))
        print(f"  {position:>2}. {spec.layers[position - 1].label()} → {'×'.join(map(str, layer['out_shape']))}"
              + (f"   [{params}]" if params else ""))
    proof = report["proof"]
    print(f"\nProof: {'PROVED' if proof['proved'] else 'NOT PROVED'} ({proof['seconds']:.2f} s)")
    for part in proof["parts"]:
        mark = "✓" if part["proved"] else "✗"
        print(f"  {mark} {part['claim']}\n      on {'; '.join(part['instances'])}: {part['method']}")
        if part["assumptions"]:
            print(f"      assuming {'; '.join(part['assumptions'])}")
    net = report["network"]
    print(f"\nGradients of the compiled numpy code against references (float64, batch {net['batch']}, "
          f"seed {net['seed']}; max rel = max abs / largest reference entry):")
    if comparisons:
        print(format_table(comparisons, spec.parameter_shapes()))
    if any(c.reference == "fd" for c in comparisons):
        from backprop_derive.numeric.sequential.gradients import FD_ENTRIES

        print(f"fd: parameters of more than {FD_ENTRIES} entries are sampled at {FD_ENTRIES} random entries")
    for name, why in skipped.items():
        print(f"{name}: skipped, {why}")
    if not comparisons:
        print("  (no reference run)")
    verdict = "Everything holds." if report["holds"] else "NOT everything holds: see the ✗ and FAIL lines above."
    print(f"\n{verdict}  ({report['seconds']:.1f} s)")


def run_network(args: argparse.Namespace, checks: list[str], skipped: dict[str, str], batch: int | None,
                seed: int) -> int:
    """``derive network --spec``: ``checks`` and ``skipped`` as ``network_cmd`` resolved them."""
    if args.dtype != "float64":
        raise UsageError(f"--dtype {args.dtype}: --spec networks are checked in float64 only")
    if args.latex:
        raise UsageError("--latex: a --spec network has no matrix-form equations to print; use --json or text")
    spec = load_spec(args.spec)
    report, comparisons = sequential_report(spec, checks, batch or DEFAULT_BATCH, seed)
    if args.json:
        emit_json({**report, "skipped": skipped})
    else:
        _print_report(spec, report, comparisons, skipped)
    return 0 if report["holds"] else 1


def run_codegen(args: argparse.Namespace) -> int:
    """``derive codegen --spec FILE -o OUT``: prove, then write the module (header + the compiled source)."""
    from backprop_derive.network.sequential import prove_sequential
    from backprop_derive.numeric.sequential.program import header, program_source

    spec = load_spec(args.spec)
    target = Path(args.output)
    if not target.parent.is_dir():
        raise UsageError(f"-o {args.output}: directory {str(target.parent)!r} does not exist")
    proof = prove_sequential(spec)
    if not proof.proved:
        print(f"derive: not writing {args.output}: the backprop of {spec.name} is not proved: {proof.method}",
              file=sys.stderr)
        return 1
    command = f"derive codegen --spec {args.spec} -o {args.output}"
    try:
        target.write_text(header(spec, proof, command) + program_source(spec))
    except OSError as err:
        raise UsageError(f"-o {args.output}: {err.strerror}") from None
    print(f"wrote {args.output}: forward, loss, gradients for {spec.summary()} (proved in {proof.seconds:.2f} s)")
    return 0
