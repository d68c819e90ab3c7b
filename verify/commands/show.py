"""``eqprop-verify show NAME``: print a built-in model's file."""

from __future__ import annotations

import sys

HELP = "print a built-in model as a model file (eqprop-verify show paper-hopfield > my.toml)"


def add_arguments(parser):
    parser.add_argument("name", help="a built-in model (see `eqprop-verify list`)")


def run(args) -> int:
    from symbolic.errors import SpecError
    from symbolic.zoo import BUILTINS, builtin_text

    if args.name not in BUILTINS:
        raise SpecError(args.name, None, f"unknown built-in model; built-ins: {', '.join(BUILTINS)}")
    sys.stdout.write(builtin_text(args.name))
    return 0
