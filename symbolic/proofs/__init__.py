"""Symbolic proof checking (issue 6): PROVED / REFUTED / UNDECIDED obligations.

``prove(model)`` returns one :class:`Obligation` per statement: Theorems 1-3
and Corollary 4 exactly (for all t, beta -> 0 taken symbolically) on the
closed-form families (:mod:`.linear_quadratic`, :mod:`.riccati`), and the
algebraic steps of the paper's appendices on any energy (:mod:`.steps`).
"""

from .obligation import Obligation, Outcome, Part
from .runner import closed_form, exit_code, family, prove, summary
from .statements import CLOSED_FORM_ONLY, STATEMENTS, VARIANTS

__all__ = ["CLOSED_FORM_ONLY", "Obligation", "Outcome", "Part", "STATEMENTS", "VARIANTS",
           "closed_form", "exit_code", "family", "prove", "summary"]
