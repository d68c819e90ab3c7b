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


def compare_series(check_id, title, equations, compared, A, B, times, names, *, dps,
                   error_terms, condition=1, scale_floor=0) -> CheckResult:
    """A CheckResult for sides ``A[k]`` and ``B[k]`` (vectors at ``times[k]``).

    ``dps`` is the requested precision (an int or a :class:`Precision`);
    ``error_terms`` is a list of (absolute error estimate, label) from the routes;
    ``scale_floor`` is the problem's natural size (the size of the Cauchy
    problem's initial values), so that a quantity that is identically zero is
    not judged relative to its own rounding noise.
    """
    policy = _policy(dps)
    scale = max([norm_inf(a) for a in A] + [norm_inf(b) for b in B] + [mpmath.mpf(scale_floor)])
    if scale == 0:
        scale = mpmath.mpf(1)
    max_abs, worst, details, table = mpmath.mpf(0), "", [], []
    for k, (a, b) in enumerate(zip(A, B, strict=True)):
        diffs = [abs(x - y) for x, y in zip(a, b, strict=True)]
        if not diffs:
            continue
        j = max(range(len(diffs)), key=lambda i: diffs[i])
        details.append(f"t={mpmath.nstr(times[k], 6)}:{mpmath.nstr(diffs[j] / scale, 2)}")
        table.append((times[k], [d / scale for d in diffs]))
        if diffs[j] >= max_abs:
            max_abs, worst = diffs[j], f"t={mpmath.nstr(times[k], 6)}  component {names[j]}"
    values = [x for row in list(A) + list(B) for x in row]
    if not values:
        return CheckResult(id=check_id, title=title, equations=equations, compared=compared, passed=False,
                           applicable=False, reason="nothing was compared (no component at any time)")
    if not all(mpmath.isfinite(x) for x in values):
        return CheckResult(id=check_id, title=title, equations=equations, compared=compared,
                           max_abs_error=mpmath.inf, max_rel_error=mpmath.inf, tolerance=policy.rounding(),
                           passed=False, reason="a side has a value that is not finite")
    if max(abs(x) for x in values) <= policy.zero_below(scale_floor or 1):
        return CheckResult(id=check_id, title=title, equations=equations, compared=compared, passed=False,
                           applicable=False, vacuous=True, reason=VACUOUS,
                           max_abs_error=max_abs, max_rel_error=max_abs / scale, tolerance=None)
    rnd = policy.rounding(condition)
    tol = policy.tolerance(condition, [mpmath.mpf(e) / scale for e, _ in error_terms])
    origin = [f"rounding {mpmath.nstr(rnd, 2)}" + (f" (cond(H)={mpmath.nstr(condition, 3)})" if condition > 1 else "")]
    origin += [f"{label} {mpmath.nstr(mpmath.mpf(e) / scale, 2)}" for e, label in error_terms]
    rel = max_abs / scale
    passed, reason, applicable = bool(rel <= tol), None, True
    if tol > policy.inconclusive_above:
        # the routes' own error estimates leave too few digits to tell truth from error:
        # neither verified nor a discrepancy (exit 3, with the reason)
        passed, applicable = False, False
        reason = (f"inconclusive: the derived tolerance {mpmath.nstr(tol, 2)} exceeds 10^-{policy.dps / 2:g} "
                  f"(half the working precision; observed rel. error {mpmath.nstr(rel, 2)}); "
                  "raise --dps, or the instance is too ill-conditioned for this precision")
    return CheckResult(id=check_id, title=title, equations=equations, compared=compared,
                       max_abs_error=max_abs, max_rel_error=rel, tolerance=tol,
                       tolerance_origin=" + ".join(origin), passed=passed, reason=reason,
                       applicable=applicable, worst=worst, details=details,
                       digits_cap=float(policy.dps + policy.guard),
                       per_component=(list(names), table))


def not_applicable(check_id, title, equations, compared, reason) -> CheckResult:
    return CheckResult(id=check_id, title=title, equations=equations, compared=compared,
                       applicable=False, passed=False, reason=reason)
