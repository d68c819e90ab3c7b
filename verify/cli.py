"""The command line: ``eqprop-verify SUBCOMMAND ...`` (DESIGN.md, "Command line").

Subcommands live in :mod:`verify.commands`, one module each, discovered by
name; each module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int`` (an exit code). Exit codes: 0 verified/done, 1 a statement
failed, 2 bad input or usage, 3 hypotheses not met, 4 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from .ode.backends import CHOICES
from .precision import validate_dps


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 on usage errors already; keep its format
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def add_common(parser: argparse.ArgumentParser) -> None:
    """The flags every subcommand accepts (DESIGN.md: --dps, --backend, --seed, --debug)."""
    parser.add_argument("--dps", type=int, default=None,
                        help="working precision in decimal digits (default: the model's settings, else 40)")
    parser.add_argument("--backend", choices=CHOICES, default=None,
                        help="ODE integrator: mpmath (pure Python, the reference) or heyoka "
                             "(compiled, optional extra); auto, the default unless the model's [settings] "
                             "names one, picks heyoka when installed")
    parser.add_argument("--seed", type=int, default=None, help="seed for anything drawn at random")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")


def command_modules() -> dict:
    from . import commands

    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))
    return {name.replace("_", "-"): importlib.import_module(f"verify.commands.{name}") for name in names}


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(prog="eqprop-verify",
                     description="Check that Equilibrium Propagation and Recurrent Backpropagation "
                                 "compute the same error derivatives (Scellier & Bengio), on your model.")
    parser.add_argument("--version", action="version", version=f"eqprop-verify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    sub.required = True
    for name, module in command_modules().items():
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        add_common(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv=None) -> int:
    """Entry point of the console script and of ``python -m verify``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = getattr(args, "debug", False)
    from symbolic.errors import SpecError

    try:
        if getattr(args, "dps", None) is not None:      # every command takes --dps: one rule, one message
            validate_dps(args.dps, "--dps")
        return int(args._run(args))
    except (SpecError, UsageError) as exc:
        if debug:
            raise
        print(f"eqprop-verify {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("eqprop-verify: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the one place that turns crashes into exit 4
        if debug:
            raise
        print(f"eqprop-verify {args.command}: internal error: {type(exc).__name__}: {exc} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
