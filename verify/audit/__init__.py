"""``eqprop-verify audit``: every numbered equation of the paper (Eq 1-62), classified and checked as printed.

Each equation gets one entry ``{"equation", "class", "verdict", "evidence",
"corrected"}`` (plus ``statement``, ``summary``, ``models``, ``digits``,
``error_kind``, ``counterexample``):

class
    ``definition`` (introduces an object: Eq 1, 3, 9, 17, ... and the Cauchy
    problem Eq 11-14), ``identity`` (claims an equality: Eq 23, 27, ...),
    ``limit`` (claims a limit as t -> infinity: Eq 10), ``notation`` (a line
    that only names an object, the left end of a chain of equalities: Eq 43, 46).
verdict
    ``holds``: read as printed, with the paper's own conventions, the equation
    is true on every model it applies to (numbers below), or, for a definition,
    it has checkable content (it type-checks, or the computed objects satisfy
    it: Eq 2, 19, 41, 50, or two definitions of one object agree: Eq 48, 49)
    and that content holds.
    ``fails-as-printed``: read as printed, the equation is false (a
    counterexample with its numbers) or does not type-check (an undefined
    symbol, a shape mismatch, a wrong number of arguments); ``corrected``
    gives the form that holds, and the evidence its check.
    ``not-checkable``: a pure definition, or the checks could not decide
    (the evidence says why).
    A harmless abbreviation with exactly one reading (the missing exponent in
    dE/dtheta ds for a second derivative, Eq 57, 58, 60, 62) is noted in the
    evidence (``error_kind: "notation"``) without changing the verdict.

A numeric check compares two sides computed by different routes with the
tolerance policy of :mod:`verify.compare`. A side that disagrees by more than
``verify.falsify.REJECTION_MARGIN`` times its tolerance is a counterexample; a disagreement
between the tolerance and that margin is reported inconclusive
(``not-checkable``), never as a finding about the paper.

Layout: :mod:`.equations` (the table of Eq 1-62), :mod:`.bench` (one
model's evidence and the audit's extra routes), :mod:`.findings` (what a check
reports; the registry of numeric checks), the numeric checks in
:mod:`.free_flow` (Eq 2, 10-16, 25-35) and :mod:`.nudged` (Eq 19-24, 36-62),
the sympy checks in :mod:`symbolic.paper_checks` (Eq 4-8, 18, 29, 31, 32,
34, 51-52, 56, 61: pure calculus, closed-form counterexamples and the paper's
example), :mod:`.run` (:func:`audit`, one entry per equation) and
:mod:`.present` (table, closing note, JSON, HTML).
"""

from __future__ import annotations

from .equations import CLASSES, EQUATIONS, VERDICTS, Equation
from .findings import CHECKS, Finding
from .present import closing_note, failures, html_section, table, to_json
from .run import DEFAULT_DPS, DEFAULT_MODELS, audit, entry

__all__ = ["CHECKS", "CLASSES", "DEFAULT_DPS", "DEFAULT_MODELS", "EQUATIONS", "VERDICTS", "Equation", "Finding",
           "audit", "closing_note", "entry", "failures", "html_section", "table", "to_json"]
