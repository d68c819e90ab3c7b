"""The one process-wide lock held while the global mpmath precision is set.

mpmath's precision (``mpmath.mp``) is process-global: a thread that sets it
sets it for every thread. Whatever in this project sets it holds :data:`LOCK`
meanwhile: a check for its whole computation (``verify.precision.Precision.context``,
which re-exports this lock), and symbolic/'s own numeric evaluations (the
proofs' witnesses) through :func:`workdps`. So a check and a proof in two
threads run one after the other, each at its own precision. The lock lives
here because symbolic/ never imports verify/.
"""

from __future__ import annotations

import contextlib
import threading

import mpmath

#: re-entrant: a check that evaluates a proof's witness inside its own context takes it again
LOCK = threading.RLock()


@contextlib.contextmanager
def workdps(dps: int):
    """``mpmath.workdps(dps)`` for a ``with`` block, holding :data:`LOCK`."""
    with LOCK, mpmath.workdps(dps):
        yield
