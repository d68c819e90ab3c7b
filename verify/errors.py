"""Errors of the numeric layer that carry an exit code, and the exit codes (DESIGN.md "Exit codes")."""

#: 0 verified / done, 1 a statement failed, 2 bad input or usage, 3 hypotheses not met, 4 internal error
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_HYPOTHESES, EXIT_INTERNAL = 0, 1, 2, 3, 4
#: a run stopped by SIGINT (the shell's 128 + 2)
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Bad arguments (exit code 2); the message says what to change."""
