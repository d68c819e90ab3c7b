"""Subcommands of eqprop-verify, one module each (see verify.cli)."""
