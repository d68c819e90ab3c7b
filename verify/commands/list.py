"""``eqprop-verify list``: the built-in models."""

from __future__ import annotations

HELP = "list the built-in models"


def add_arguments(parser):
    pass


def run(args) -> int:
    from symbolic.load import load_model
    from symbolic.zoo import BUILTINS

    for name in BUILTINS:
        m = load_model(name)
        print(f"{name:28s} n={m.n:<3d} p={m.p:<3d} {m.description}")
    return 0
