"""Errors of the numeric layer that carry an exit code (DESIGN.md: 2 = bad input or usage).

The exit codes themselves are defined once, in :mod:`symbolic.errors`, and re-exported here.
"""

from symbolic.errors import (EXIT_FAILED, EXIT_HYPOTHESES, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK,
                             EXIT_USAGE)

__all__ = ["EXIT_FAILED", "EXIT_HYPOTHESES", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE",
           "UsageError"]


class UsageError(Exception):
    """Bad arguments (exit code 2); the message says what to change."""
