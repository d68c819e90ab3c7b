"""Errors of the numeric layer that carry an exit code (DESIGN.md: 2 = bad input or usage)."""

from symbolic.errors import EXIT_FAILED, EXIT_HYPOTHESES, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE  # noqa: F401


class UsageError(Exception):
    """Bad arguments (exit code 2); the message says what to change."""
