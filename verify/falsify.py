"""Deliberately false variants of the paper's statements; the suite must reject each.

A verifier that cannot fail proves nothing. Each variant is an alternative
statement computed through the same machinery as the true one (the same
evidence, routes, readouts and comparison with a derived tolerance), with one
thing changed: a sign, a factor, a time, an evaluation point, a term, or the
dynamics (a non-gradient flow). A variant is *rejected* when its comparison
fails with a discrepancy far above its tolerance.

The variants are records of the statement registry, beside the statements
they perturb (:mod:`verify.statements`); this module is their entry point.
"""

from __future__ import annotations

from .statements import REJECTION_MARGIN, VARIANTS, rejected, run_variants

__all__ = ["REJECTION_MARGIN", "VARIANTS", "rejected", "run_variants"]
