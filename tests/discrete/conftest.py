"""Fixtures shared by the discrete-time tests."""

import subprocess

import pytest


@pytest.fixture
def run_cli(capsys):
    """The command line in this process (the CLI's own subprocess tests cover the entry point)."""
    from verify.cli import main

    def run(*args):
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run
