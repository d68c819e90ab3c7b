"""The beta -> 0 methods (verify.extrapolate) on closed-form g(beta) with known g(0).

Each method's plan is applied to functions whose series are known: an entire
function (exp), an even one (sin(beta)/beta), and a simple pole at beta = R
(1 / (1 - beta/R)), with the plan told the radius R. The combination must
give g(0) to the requested digits, and its error estimate must never be below
the true error (beyond the rounding of the values at the working precision,
which the check's tolerance carries separately).
"""

from __future__ import annotations

import mpmath
import pytest

from verify.extrapolate import METHODS, BetaMethod, BetaPlan, neville_at_zero, plan
from verify.extrapolate.base import combine_with_estimate, extrapolation_weights
from verify.precision import Precision

DPS = 30


def exp_(b):
    return mpmath.exp(b)


def sinc(b):
    return mpmath.sin(b) / b


def pole(R):
    return lambda b: 1 / (1 - b / R)


# (name, g, g(0), analyticity radius told to the plan)
CASES = [("exp", exp_, 1, 1), ("sinc", sinc, 1, 1), ("pole-at-0.5", pole(mpmath.mpf(1) / 2), 1, mpmath.mpf(1) / 2),
         ("pole-at-1e-2", pole(mpmath.mpf(10) ** -2), 1, mpmath.mpf(10) ** -2),
         ("pole-at-minus-3", pole(-3), 1, 3)]


def combine_case(method, g, radius, dps=DPS):
    """(g(0) from the plan, error estimate, working precision) for the scalar g, as the EP route does it."""
    p = Precision(dps)
    bp = plan(method, p, radius)
    with mpmath.workdps(p.work + bp.extra_digits):
        values = [[g(b), 2 * g(b)] for b in bp.betas]       # two components, one twice the other
        (v, v2), est = bp.combine(values)
    return v, v2, est, p.work + bp.extra_digits


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("name,g,g0,radius", CASES, ids=[c[0] for c in CASES])
def test_value_and_error_estimate_on_known_series(method, name, g, g0, radius):
    v, v2, est, work = combine_case(method, g, radius)
    with mpmath.workdps(work + 20):
        error = abs(mpmath.mpf(v.real) - g0)
        error2 = abs(mpmath.mpf(v2.real) - 2 * g0)
    rounding = mpmath.mpf(10) ** (2 - work)      # a few ulps of the values' working precision
    assert error < mpmath.mpf(10) ** -(DPS + 3), (method, name, error)
    assert max(error, error2) <= est + rounding, (method, name, error, est)
    # the estimate sits below a check's tolerance, 10^(3 - dps): the plan meets its target
    assert est < Precision(DPS).rounding(), (method, name, est)


@pytest.mark.parametrize("method", list(METHODS))
def test_estimate_grows_when_the_plan_ignores_a_near_pole(method):
    """Told radius 1 for a pole at 1e-2, the methods with finite beta lose digits, and say so."""
    R = mpmath.mpf(10) ** -2
    v, _, est, work = combine_case(method, pole(R), 1)
    with mpmath.workdps(work + 20):
        error = abs(v.real - 1)
    assert error <= est + mpmath.mpf(10) ** (2 - work), (method, error, est)


@pytest.mark.parametrize("method", ["richardson", "symmetric", "contour"])
def test_more_points_more_digits(method):
    """The error falls with the plan's size (the convergence the plans are built on)."""
    p = Precision(DPS)
    errors = []
    for size in ((2, 4) if method != "contour" else (4, 12)):
        bp = METHODS[method].plan(p, size=size)
        with mpmath.workdps(p.work + bp.extra_digits):
            (v,), est = bp.combine([[exp_(b)] for b in bp.betas])
            errors.append(abs(v - 1))
            assert errors[-1] <= est + mpmath.mpf(10) ** (2 - p.work - bp.extra_digits)
    assert errors[1] < errors[0] / 100


def test_plans_use_the_precision_policy():
    p = Precision(40)
    assert METHODS["complex-step"].plan(p).betas == [mpmath.mpc(0, p.complex_step)]
    # an int is a requested dps
    assert plan("richardson", 40).betas == plan("richardson", p).betas
    # a smaller analyticity radius shrinks the betas by the same factor
    a, b = plan("symmetric", p, 1), plan("symmetric", p, mpmath.mpf(10) ** -3)
    with p.context():
        assert abs(b.betas[0] * 1000 / a.betas[0] - 1) < 1e-15 and b.extra_digits == a.extra_digits + 3


def test_richardson_says_how_it_extrapolates():
    """The plan's description (printed in reports) names what the method computes: Lagrange weights at 0
    (Neville's table is only the tests' reference, :func:`neville_at_zero`)."""
    description = plan("richardson", Precision(30)).description
    assert "Lagrange weights at 0" in description and "Neville" not in description


def test_neville_at_zero_is_exact_on_polynomials():
    with mpmath.workdps(40):
        xs = [mpmath.mpf(k) / 7 for k in range(1, 5)]
        rows = [[3 - 2 * x + x ** 3, 5 + x] for x in xs]
        assert [mpmath.nstr(v, 30) for v in neville_at_zero(xs, rows)] == ["3.0", "5.0"]


def test_weights_give_nevilles_numbers():
    """The combination as one linear map (Lagrange weights at 0, fdot) against Neville's table, an
    independent computation of the same polynomial; the symmetric fold (copies = 2) against the even
    part averaged first."""
    with mpmath.workdps(50):
        xs = [mpmath.mpf(10) ** -3 / 2 ** k for k in range(6)]
        rows = [[mpmath.exp(x), mpmath.sin(3 * x) / x, mpmath.mpc(1, x) ** 7] for x in xs]
        best, est = combine_with_estimate(extrapolation_weights(xs), rows)
        less = neville_at_zero(xs[:-1], rows[:-1])
        for a, b in zip(best, neville_at_zero(xs, rows)):
            assert abs(a - b) < mpmath.mpf(10) ** -47
        assert abs(est - max(abs(a - b) for a, b in zip(best, less))) < mpmath.mpf(10) ** -47
        pairs = [r for x in xs for r in ([mpmath.cosh(x) + x], [mpmath.cosh(x) - x])]
        (even,), _ = combine_with_estimate(extrapolation_weights([x * x for x in xs], copies=2), pairs)
        (want,) = neville_at_zero([x * x for x in xs], [[mpmath.cosh(x)] for x in xs])
        assert abs(even - want) < mpmath.mpf(10) ** -47 and abs(even - 1) < mpmath.mpf(10) ** -45


@pytest.mark.parametrize("method", list(METHODS))
def test_quotient_folded_into_the_weights(method):
    """combine_quotient (factor/beta and the base folded into the weights where the method is linear)
    against g = factor (v - base) / beta formed value by value and combined: the same limit to the
    values' rounding, amplified by 1/beta, and both at the known g(0)."""
    p = Precision(DPS)
    bp = plan(method, p)
    with mpmath.workdps(p.work + bp.extra_digits):
        base = [mpmath.pi, mpmath.mpf(2)]
        values = [[base[0] + b * mpmath.exp(b), base[1] + mpmath.sin(b)] for b in bp.betas]
        fused, est = bp.combine_quotient(values, base, factor=-1)
        formed, est2 = bp.combine([[-(v - b0) / b for v, b0 in zip(row, base)] for b, row in zip(bp.betas, values)])
        (plain,), _ = bp.combine_quotient([[b * b] for b in bp.betas])
        rounding = mpmath.mpf(10) ** (3 - p.work - bp.extra_digits) / min(abs(b) for b in bp.betas)
        for a, b in zip(fused, formed):
            assert abs(a - b) <= rounding, (method, a, b)
            assert abs(a + 1) < mpmath.mpf(10) ** -(DPS + 3), (method, a)
        assert abs(est - est2) <= rounding and abs(plain) <= rounding


def test_registry_is_the_one_choice_list():
    from verify import strategies
    from verify.cli import build_parser

    assert list(METHODS) == ["richardson", "symmetric", "complex-step", "contour"]
    assert all(isinstance(m, BetaMethod) and m.name == name for name, m in METHODS.items())
    assert tuple(METHODS) == strategies.BETA_METHODS
    check = build_parser()._subparsers._group_actions[0].choices["check"]
    assert tuple(next(a for a in check._actions if a.dest == "beta_method").choices) == tuple(METHODS)
    with pytest.raises(ValueError, match="unknown beta method 'nope'"):
        plan("nope", 30)


def test_a_plan_dispatches_to_its_method():
    bp = plan("symmetric", 30)
    assert isinstance(bp, BetaPlan) and bp.method == "symmetric" and len(bp.betas) % 2 == 0
    with mpmath.workdps(60):
        (v,), _ = bp.combine([[b * b + 7] for b in bp.betas])
    assert abs(v - 7) < mpmath.mpf(10) ** -50


# -- the ladder plans (richardson, symmetric): their error model, their digits, their cost ----------

LADDERS = {"richardson": 1, "symmetric": 2}     # method -> order (a polynomial in beta^order)


def nodes(bp):
    """The distinct |beta_k| of a ladder plan (symmetric: one per pair +-beta_k)."""
    return sorted({abs(b) for b in bp.betas}, reverse=True)


def model_error(bp, radius, points):
    """The error model of ``points`` points, computed from the plan's betas: prod_k (|beta_k| / min(1, R))^order
    (Lagrange interpolation at the nodes beta_k^order of a g whose coefficients fall like R^-n)."""
    order = LADDERS[bp.method]
    with mpmath.workdps(30):
        return mpmath.fprod((b / min(1, mpmath.mpf(radius))) ** order for b in nodes(bp)[:points])


def meets_error_model(bp, dps, radius):
    """The K-point error below 10^-(dps + 5), and the (K-1)-point error (the estimate) two digits under
    a check's rounding level 10^(3 - dps)."""
    K = len(nodes(bp))
    with mpmath.workdps(30):
        return (model_error(bp, radius, K) <= mpmath.mpf(10) ** -(dps + 5)
                and (K < 2 or model_error(bp, radius, K - 1) <= mpmath.mpf(10) ** (1 - dps)))


def rounding_covered(bp, p):
    """One ulp of the raised precision on every S^beta_k, each with the sign that adds up, changes the
    combined g(0) = sum w_k (S_k - s0) / beta_k by at most 10^-work (a value S of size 1): the plan's
    extra digits cover the cancellation log10(1/beta) and the combination's amplification (to a factor 2:
    an amplification of exactly 10^extra_digits meets the bound with equality)."""
    work = p.work + bp.extra_digits
    with mpmath.workdps(work + 20):
        s0 = mpmath.mpf(1) / 3
        exact = [[s0 + b * mpmath.e] for b in bp.betas]
        ulp = mpmath.mpf(10) ** -work
        (plain,), _ = bp.combine_quotient(exact, [s0])
        n = len(bp.betas)   # w_k / beta_k, the weight of S_k in g(0): the combination of unit rows
        signs = [mpmath.sign(x) for x in bp.combine_quotient([[int(j == k) for j in range(n)] for k in range(n)])[0]]
        (moved,), _ = bp.combine_quotient([[v[0] + s * ulp] for v, s in zip(exact, signs)], [s0])
        return abs(moved - plain) <= 2 * mpmath.mpf(10) ** -p.work


@pytest.mark.parametrize("method", list(LADDERS))
@pytest.mark.parametrize("dps", [20, 40, 60])
@pytest.mark.parametrize("radius", [1, mpmath.mpf(10) ** -3], ids=["R=1", "R=1e-3"])
def test_ladder_plan_meets_its_error_model_and_covers_its_cancellation(method, dps, radius):
    p = Precision(dps)
    bp = plan(method, p, radius)
    assert meets_error_model(bp, dps, radius), bp.description
    smallest = min(abs(b) for b in bp.betas)
    assert bp.extra_digits >= mpmath.log10(1 / smallest), (bp.extra_digits, smallest)
    assert rounding_covered(bp, p), bp.description
    # never above 10^-3 (times the radius's digits), and a power of 10 in the description
    assert max(abs(b) for b in bp.betas) <= mpmath.mpf(10) ** -3 * min(1, radius) * (1 + mpmath.mpf(10) ** -20)
    start = -int(mpmath.nint(mpmath.log10(nodes(bp)[0])))
    assert nodes(bp)[0] == mpmath.mpf(10) ** -start and f"1e-{start:02d} * 2^-k" in bp.description
    # on g with a pole at R (the model's coefficients exactly): g(0) to dps + 3 digits, and the estimate
    # (added to every EP tolerance) a digit under the rounding level
    with mpmath.workdps(p.work + bp.extra_digits):
        (v,), est = bp.combine([[pole(radius)(b)] for b in bp.betas])
    assert abs(v - 1) < mpmath.mpf(10) ** -(dps + 3) and abs(v - 1) <= est + p.eps, (bp.description, v - 1, est)
    assert est <= p.rounding() / 10, (bp.description, est)


@pytest.mark.parametrize("method,size", [("symmetric", 6), ("symmetric", 2), ("richardson", 3)])
def test_a_wrong_ladder_plan_is_caught(method, size):
    """The checks above reject a plan without the cancellation digits, and one whose estimate (the
    (K-1)-point error, added to every EP tolerance) sits above the rounding level: ``size`` points
    from 10^-3 at dps 40 (six symmetric pairs: the plan of the previous release)."""
    import dataclasses

    p = Precision(40)
    bp = plan(method, p)
    assert rounding_covered(bp, p)
    cancelled = int(mpmath.ceil(mpmath.log10(1 / max(abs(b) for b in bp.betas))))
    assert not rounding_covered(dataclasses.replace(bp, extra_digits=bp.extra_digits - cancelled), p)
    wrong = METHODS[method].plan(p, size=size)
    assert nodes(wrong)[0] == mpmath.mpf(10) ** -3
    assert not meets_error_model(wrong, 40, 1)
    with mpmath.workdps(p.work + wrong.extra_digits):
        _, est = wrong.combine([[pole(1)(b)] for b in wrong.betas])
    assert est > p.rounding() / 10


@pytest.mark.parametrize("method", list(LADDERS))
@pytest.mark.parametrize("dps", [20, 40, 60, 200])
def test_ladder_plan_is_the_cheapest_that_meets_the_model(method, dps):
    """The search (K from 2 up, the largest beta_0 for each) against every ladder of up to 14 points
    with beta_0 = 10^-3 ... 10^-(dps + 5): none that meets the model costs less."""
    from verify.extrapolate.base import Ladder, halving_ladder

    p = Precision(dps)
    order, copies = LADDERS[method], 2 if method == "symmetric" else 1
    chosen = halving_ladder(p, 1, None, order, copies)
    assert chosen.meets(p)
    others = [Ladder(e, K, order, copies, 0) for K in range(2, 15) for e in range(3, dps + 6)]
    assert min(lad.cost(p) for lad in others if lad.meets(p)) == chosen.cost(p)
    bp = plan(method, p)
    assert len(bp.betas) == chosen.solves and bp.extra_digits == chosen.extra_digits


def test_forced_size_keeps_the_largest_start():
    """``size`` fixes the points at beta_0 = 10^-3 (the ladder's convergence in K, for benchmarks)."""
    p = Precision(40)
    for size in (1, 3, 7):
        bp = METHODS["symmetric"].plan(p, size=size)
        assert len(bp.betas) == 2 * size and nodes(bp)[0] == mpmath.mpf(10) ** -3
        assert rounding_covered(bp, p)
