"""``verify.theorems``: the names of the check that callers have imported from here.

The check itself is :func:`verify.pipeline.check` (the public ``verify.check``),
its settings and defaults live in :mod:`verify.config` and
:mod:`verify.precision`, and the statements are the records of
:mod:`verify.statements`. This module re-exports them for existing callers.
"""

from __future__ import annotations

from .config import DEFAULT_BETA_METHOD, DEFAULT_TIMES, MAX_DIRECTIONS, parse_times, resolve_backend
from .pipeline import check, environment
from .precision import DEFAULT_DPS, GUARD_DIGITS
from .statements import statements

__all__ = ["check", "environment", "statements", "parse_times", "resolve_backend", "DEFAULT_BETA_METHOD",
           "DEFAULT_TIMES", "MAX_DIRECTIONS", "DEFAULT_DPS", "GUARD_DIGITS"]
