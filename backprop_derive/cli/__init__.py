"""The command line: the only place that prints and chooses exit codes.

Each sub-command lives in its own module with ``register(subparsers)``; a module imports its heavy
dependencies inside its handlers, so ``derive show NAME`` starts fast.  A handler returns the exit
code; :class:`~backprop_derive.cli.common.UsageError` becomes a one-line error and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from backprop_derive.cli.common import OneLineParser, UsageError

#: Sub-command modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "backprop_derive.cli.catalog_cmd",
    "backprop_derive.cli.export_cmd",
    "backprop_derive.cli.verify_cmd",
    "backprop_derive.cli.network_cmd",
)

#: The module whose ``run_default(args)`` runs when ``derive`` is called with no sub-command.
DEFAULT_MODULE = "backprop_derive.cli.network_cmd"


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="derive",
        usage="derive [-h] [COMMAND ...]",
        description="Derive, prove and check neural-network backprop. With no COMMAND, `derive` runs the "
                    "default job, `derive network` with its defaults: the handwritten note's network "
                    "(70 -> 10 -> 10 -> 3, ReLU, ReLU, softmax cross-entropy, mean), its equations, proof and "
                    "gradient checks.",
        epilog="Default job: bare `derive` = `derive network` (see `derive network --help` for its options).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            return importlib.import_module(DEFAULT_MODULE).run_default(args)
        return handler(args)
    except UsageError as err:
        print(f"derive: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
