"""compare_series and the tolerance policy: a case that must pass, one that must fail, inconclusive, non-finite."""

from __future__ import annotations

import mpmath

from verify.compare import compare_series, not_applicable, rounding_term

DPS = 30
TIMES = [mpmath.mpf(0), mpmath.mpf(1)]
NAMES = ["s1", "s2"]


def side(scale=1):
    with mpmath.workdps(DPS + 10):
        return [[mpmath.mpf(scale) * 3 / 7, -mpmath.mpf(scale) / 3], [mpmath.mpf(scale) / 11, mpmath.mpf(scale) * 2]]


def shifted(A, k, j, by):
    with mpmath.workdps(DPS + 10):
        return [[x + (by if (kk, jj) == (k, j) else 0) for jj, x in enumerate(row)] for kk, row in enumerate(A)]


def close(a, b):
    return abs(a - b) <= 1e-14 * abs(b)


def run(A, B, **kw):
    kw.setdefault("error_terms", [])
    with mpmath.workdps(DPS + 10):
        return compare_series("demo", "a demo statement", ["13"], ["side A", "side B"], A, B, TIMES, NAMES,
                              dps=DPS, **kw)


def test_agreement_below_rounding_passes_with_its_digits():
    A = side()
    B = shifted(A, 1, 1, mpmath.mpf(10) ** -35)
    r = run(A, B)
    assert r.applicable and r.passed and r.reason is None
    assert close(r.tolerance, rounding_term(DPS)) and "rounding" in r.tolerance_origin
    # relative to the largest entry of either side (2), at the time and component where it was
    assert abs(r.max_rel_error - mpmath.mpf(10) ** -35 / 2) < mpmath.mpf(10) ** -40   # rounding of 2 + 1e-35
    assert r.worst.startswith("t=1") and "s2" in r.worst
    assert 35 <= r.digits <= 35.4


def test_a_discrepancy_above_the_tolerance_fails():
    A = side()
    r = run(A, shifted(A, 0, 0, mpmath.mpf(10) ** -10))
    assert r.applicable and not r.passed
    assert r.max_rel_error > 1000 * r.tolerance
    assert r.worst.startswith("t=0") and "s1" in r.worst


def test_route_error_estimates_widen_the_tolerance_and_are_named():
    A = side()
    B = shifted(A, 0, 1, mpmath.mpf(10) ** -25)
    assert not run(A, B).passed                                # 5e-26 relative > 1e-27
    r = run(A, B, error_terms=[(mpmath.mpf(10) ** -24, "extrapolation")])
    assert r.passed and "extrapolation" in r.tolerance_origin
    assert abs(r.tolerance - (rounding_term(DPS) + mpmath.mpf(10) ** -24 / 2)) < mpmath.mpf(10) ** -40


def test_the_condition_number_scales_the_rounding():
    A = side()
    B = shifted(A, 0, 1, mpmath.mpf(10) ** -25)
    r = run(A, B, condition=1000)
    assert r.passed and close(r.tolerance, rounding_term(DPS, 1000)) and "cond(H)" in r.tolerance_origin


def test_too_large_a_tolerance_is_inconclusive_not_a_pass():
    A = side()
    r = run(A, A, error_terms=[(mpmath.mpf(10) ** -10, "integrator")])
    assert not r.applicable and not r.passed
    assert "inconclusive" in r.reason and "10^-15" in r.reason


def test_a_non_finite_side_fails():
    A = side()
    for bad in (mpmath.nan, mpmath.inf):
        r = run(A, shifted(A, 1, 0, bad))
        assert r.applicable and not r.passed
        assert "not finite" in r.reason and r.max_rel_error == mpmath.inf


def test_zero_sides_are_judged_against_the_problems_scale():
    """A quantity that is identically zero is compared against scale_floor, not its own noise."""
    zero = [[mpmath.mpf(0)] * 2 for _ in TIMES]
    tiny = shifted(zero, 0, 0, mpmath.mpf(10) ** -40)
    # both sides 0 to working precision (10^-40 of the scale 1 at 40 working digits): nothing
    # was compared (DESIGN.md, "Vacuous comparisons"): not applicable, not a pass, digits null
    vacuous = run(zero, tiny, scale_floor=1)
    assert vacuous.vacuous and not vacuous.applicable and not vacuous.passed and vacuous.digits is None
    small = shifted(zero, 0, 0, mpmath.mpf(10) ** -30)   # above working precision: judged against 1
    assert run(zero, small, scale_floor=1).passed
    assert not run(zero, tiny).passed           # relative to itself the noise is everything


def test_nothing_compared_is_not_applicable():
    empty = [[], []]
    r = run(empty, empty)
    assert not r.applicable and "nothing was compared" in r.reason


def test_not_applicable_carries_the_reason():
    r = not_applicable("theorem2", "Theorem 2", ["20"], ["a", "b"], "needs a strict minimum")
    assert (r.applicable, r.passed, r.reason, r.status) == (False, False, "needs a strict minimum", "N/A")
