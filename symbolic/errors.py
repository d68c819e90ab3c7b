"""Errors raised for bad user input, each naming the file, the key and the problem."""

from __future__ import annotations

#: the exit codes of every subcommand (DESIGN.md, "Exit codes"), defined here once for both layers
EXIT_OK = 0            # verified / done
EXIT_FAILED = 1        # a statement failed
EXIT_USAGE = 2         # bad input or usage
EXIT_HYPOTHESES = 3    # hypotheses not met (or undecided, not exercised)
EXIT_INTERNAL = 4      # internal error
EXIT_INTERRUPTED = 130  # stopped by SIGINT (the shell's 128 + 2)


class SpecError(ValueError):
    """A model file or model argument is invalid (exit code 2).

    The message always has the form ``FILE: [KEY] problem`` so a user can find
    the offending line without a traceback.
    """

    def __init__(self, source: str, key: str | None, problem: str):
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: [{key}] " if key else f"{source}: "
        super().__init__(where + problem)
