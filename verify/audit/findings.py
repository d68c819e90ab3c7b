"""What a check of one equation reports: :class:`Finding` objects, and the registry of numeric checks.

A numeric check (:mod:`.free_flow`, :mod:`.nudged`) is a function of a
:class:`~.bench.Bench` registered for its equation numbers with
:func:`check`; it returns one Finding or a list. A side that disagrees by more
than ``verify.falsify.REJECTION_MARGIN`` times its tolerance is a
counterexample (``fails``); a disagreement between the tolerance and that
margin is ``inconclusive``, never a finding about the paper.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import mpmath

from ..falsify import rejected

CHECKS: dict[str, Callable] = {}


@dataclasses.dataclass
class Finding:
    """One check of one equation on one model (``model`` None: symbolic, model-free)."""

    model: str | None
    outcome: str                 # holds | fails | inconclusive | n/a
    text: str
    digits: float | None = None
    counterexample: str = ""
    role: str = "printed"        # printed: the equation as printed; corrected: its corrected form
    result: object = None        # the CheckResult behind a numeric finding


def fmt(x, k=3):
    """``x`` to ``k`` significant digits."""
    return mpmath.nstr(x, k)


def worst_point(A, B, times, names, label_a, label_b, at="t"):
    """Where |A - B| is largest: '... at t=..., component ...: A = a, B = b'."""
    best = (-1, 0, 0)
    for k, (a, b) in enumerate(zip(A, B)):
        for j, (x, y) in enumerate(zip(a, b)):
            d = abs(x - y)
            if d > best[0]:
                best = (d, k, j)
    _, k, j = best
    where = f"{at}={fmt(times[k], 6)}" if times[k] != mpmath.inf else "t=infinity"
    return (f"{where}, component {names[j]}: {label_a} = {fmt(A[k][j], 12)}, "
            f"{label_b} = {fmt(B[k][j], 12)}")


def outcome_of(result):
    """holds | fails (rejected beyond the margin) | inconclusive | n/a, for a CheckResult."""
    if not result.applicable:
        return "n/a"
    if result.passed:
        return "holds"
    return "fails" if rejected(result) else "inconclusive"


def from_result(model, result, counterexample="", role="printed"):
    """The :class:`Finding` of a CheckResult (a statement's or an audit comparison's) on ``model``."""
    if not result.applicable:
        return Finding(model, "n/a", f"{model}: not applicable ({result.reason})", role=role)
    outcome = outcome_of(result)
    text = (f"{model}: {result.digits} digits (max rel. error {fmt(result.max_rel_error, 2)}, "
            f"tolerance {fmt(result.tolerance, 2)})")
    if outcome == "fails":   # the counterexample itself is listed once, under "Counterexample"
        text = (f"{model}: FAILS, rel. error {fmt(result.max_rel_error, 3)} = "
                f"{fmt(result.max_rel_error / result.tolerance, 2)} x tolerance")
    elif outcome == "inconclusive":
        text += f" inconclusive: {result.reason or 'error above tolerance but within the rejection margin'}"
    return Finding(model, outcome, text, result.digits, counterexample if outcome == "fails" else "", role)


class Missing(Exception):
    """A route a check needs did not run on this model (the message says why)."""


def digits_of(rel):
    """Digits of agreement shown for a relative residual (99 for an exact 0)."""
    return 99.0 if rel <= 0 else round(float(-mpmath.log10(rel)), 1)


def tag(finding, route):
    """``model (route): ...``: which of several routes a finding on one model comes from."""
    if finding.model and finding.text.startswith(f"{finding.model}:"):
        finding.text = f"{finding.model} ({route}):" + finding.text[len(finding.model) + 1:]
    return finding


def check(*numbers):
    """Register the decorated function ``fn(bench)`` as the numeric check of equations ``numbers``."""
    def register(fn):
        for n in numbers:
            CHECKS[n] = fn
        return fn
    return register



def from_claim(claim) -> Finding:
    """The model-free Finding of a sympy :class:`symbolic.paper_checks.Claim`."""
    return Finding(None, claim.outcome, f"symbolic (sympy): {claim.text}",
                   99.0 if claim.outcome == "holds" else None, claim.counterexample, claim.role)
