"""Errors of the numeric layer that carry an exit code (DESIGN.md: 2 = bad input or usage)."""


class UsageError(Exception):
    """Bad arguments (exit code 2); the message says what to change."""
