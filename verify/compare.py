"""Comparing two independently computed series of vectors, and the tolerance policy.

Errors are norm-wise: at each time, max |a - b| over components, relative to
the largest entry of either side over all times (so a quantity that decays,
like X_t -> 0, is judged against its own size, not against zero), or to the
problem's natural size (|X_0|, |Y_0|) when that is larger.

The tolerance is derived, never tuned (STYLE.md, "precision discipline"), by
the precision policy (:class:`verify.precision.Precision`):

    tolerance = rounding + sum of the routes' own error estimates (relative)

where rounding = 10^(3 - dps) (1000 ulps of the requested precision; the
routes compute with guard digits beyond it) times the condition number of H
when a side solves with H. A tolerance above 10^(-dps/2) makes the check
inconclusive: not passed, not applicable, with the reason (a check that could
not fail would prove nothing). Two sides that are both 0 to working precision
(relative to the problem's natural size) compared nothing: vacuous, not
applicable, digits null (DESIGN.md, "Vacuous comparisons").
"""

from __future__ import annotations

import dataclasses
from typing import Any

import mpmath

from .numbers import norm_inf
from .precision import Precision
from .result import CheckResult


VACUOUS = "both sides are 0 to working precision"


def _policy(dps) -> Precision:
    return dps if isinstance(dps, Precision) else Precision(int(dps))


def rounding_term(dps, condition=1):
    """1000 ulps of the requested precision, times cond(H) (``dps``: an int or a Precision)."""
    return _policy(dps).rounding(condition)


@dataclasses.dataclass(frozen=True)
class Block:
    """A run of ``size`` consecutive components with one natural size.

    X (dL/ds, Eq 15) and Y (dL/dtheta, Eq 16) have different units: a
    comparison of [X; Y] judges each block against its own size (the largest
    entry of either side, or ``floor`` when that is larger) with its own
    routes' error estimates ``error_terms`` ((absolute estimate, label) pairs).
    On one common scale a large Y_0 would hide any error in X.
    """

    size: int
    floor: Any = 0
    error_terms: tuple = ()
    label: str = ""


def compare_series(check_id, title, equations, compared, A, B, times, names, *, dps,
                   error_terms=(), condition=1, scale_floor=0, blocks=None) -> CheckResult:
    """A CheckResult for sides ``A[k]`` and ``B[k]`` (vectors at ``times[k]``).

    ``dps`` is the requested precision (an int or a :class:`Precision`);
    ``error_terms`` is a list of (absolute error estimate, label) from the routes;
    ``scale_floor`` is the problem's natural size (the size of the Cauchy
    problem's initial values), so that a quantity that is identically zero is
    not judged relative to its own rounding noise. ``blocks`` (a list of
    :class:`Block`, partitioning the components in order) replaces
    ``error_terms`` and ``scale_floor`` by one scale and one set of estimates
    per block; the result reports the block that decides the verdict.
    """
    policy = _policy(dps)
    width = len(A[0]) if len(A) else 0
    if blocks is None:
        blocks = [Block(width, scale_floor, tuple(error_terms))]
    values = [x for row in list(A) + list(B) for x in row]
    if not values:
        return CheckResult(id=check_id, title=title, equations=equations, compared=compared, passed=False,
                           applicable=False, reason="nothing was compared (no component at any time)")
    if not all(mpmath.isfinite(x) for x in values):
        return CheckResult(id=check_id, title=title, equations=equations, compared=compared,
                           max_abs_error=mpmath.inf, max_rel_error=mpmath.inf, tolerance=policy.rounding(),
                           passed=False, reason="a side has a value that is not finite")
    judged, lo, table = [], 0, [(t, [None] * width) for t in times]
    for block in blocks:
        if block.size:
            judged.append(_judge_block(policy, condition, block, lo, A, B, times, names, table))
        lo += block.size
    if all(j["vacuous"] for j in judged):
        worst = max(judged, key=lambda j: j["rel"])
        return CheckResult(id=check_id, title=title, equations=equations, compared=compared, passed=False,
                           applicable=False, vacuous=True, reason=VACUOUS,
                           max_abs_error=worst["abs"], max_rel_error=worst["rel"], tolerance=None)
    decisive = [j for j in judged if j["tol"] <= policy.inconclusive_above]
    failing = [j for j in decisive if j["rel"] > j["tol"]]
    undecided = [j for j in judged if j["tol"] > policy.inconclusive_above]
    if failing:
        j = max(failing, key=lambda j: j["rel"] / j["tol"])
    elif undecided:
        j = max(undecided, key=lambda j: j["tol"])
    else:
        j = max(judged, key=lambda j: j["rel"] / j["tol"])
    passed, reason, applicable = not failing and not undecided, None, True
    if not failing and undecided:
        # the routes' own error estimates leave too few digits to tell truth from error:
        # neither verified nor a discrepancy (exit 3, with the reason)
        passed, applicable = False, False
        reason = (f"inconclusive: the derived tolerance {mpmath.nstr(j['tol'], 2)} exceeds 10^-{policy.dps / 2:g} "
                  f"(half the working precision; observed rel. error {mpmath.nstr(j['rel'], 2)}); "
                  "raise --dps, or the instance is too ill-conditioned for this precision")
    details = [f"t={mpmath.nstr(t, 6)}:{mpmath.nstr(max(r for r in row if r is not None), 2)}"
               for t, row in table if any(r is not None for r in row)]
    return CheckResult(id=check_id, title=title, equations=equations, compared=compared,
                       max_abs_error=j["abs"], max_rel_error=j["rel"], tolerance=j["tol"],
                       tolerance_origin=j["origin"], passed=passed, reason=reason,
                       applicable=applicable, worst=j["worst"], details=details,
                       digits_cap=float(policy.dps + policy.guard),
                       per_component=(list(names), [(t, [r if r is not None else mpmath.mpf(0) for r in row])
                                                    for t, row in table]))


def _judge_block(policy, condition, block, lo, A, B, times, names, table) -> dict:
    """Error, tolerance and vacuity of components lo .. lo + size - 1 against the block's own scale."""
    hi = lo + block.size
    scale = max([norm_inf(a[lo:hi]) for a in A] + [norm_inf(b[lo:hi]) for b in B] + [mpmath.mpf(block.floor)])
    if scale == 0:
        scale = mpmath.mpf(1)
    max_abs, worst = mpmath.mpf(0), ""
    for k, (a, b) in enumerate(zip(A, B, strict=True)):
        diffs = [abs(x - y) for x, y in zip(a[lo:hi], b[lo:hi], strict=True)]
        for i, d in enumerate(diffs):
            table[k][1][lo + i] = d / scale
        j = max(range(len(diffs)), key=lambda i: diffs[i])
        if diffs[j] >= max_abs:
            max_abs, worst = diffs[j], f"t={mpmath.nstr(times[k], 6)}  component {names[lo + j]}"
    size = max([norm_inf(a[lo:hi]) for a in A] + [norm_inf(b[lo:hi]) for b in B])
    rnd = policy.rounding(condition)
    tol = policy.tolerance(condition, [mpmath.mpf(e) / scale for e, _ in block.error_terms])
    origin = [f"rounding {mpmath.nstr(rnd, 2)}" + (f" (cond(H)={mpmath.nstr(condition, 3)})" if condition > 1 else "")]
    origin += [f"{label} {mpmath.nstr(mpmath.mpf(e) / scale, 2)}" for e, label in block.error_terms]
    return {"abs": max_abs, "rel": max_abs / scale, "tol": tol, "worst": worst,
            "origin": (f"{block.label}: " if block.label else "") + " + ".join(origin),
            "vacuous": size <= policy.zero_below(block.floor or 1)}


def not_applicable(check_id, title, equations, compared, reason) -> CheckResult:
    return CheckResult(id=check_id, title=title, equations=equations, compared=compared,
                       applicable=False, passed=False, reason=reason)
