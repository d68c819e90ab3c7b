"""The EP route on gmpy2 from the integrator's dense output to the beta -> 0 combination.

Every step must give the numbers the mpmath path gives (the same roundings, at the same
precision), so each test compares the gmpy2 path with an independent mpmath computation
of the same quantity: Neville's table for the combination, an mpmath-number solve for the
states, the readout's mpmath callable for the EP limits.
"""

from __future__ import annotations

import random

import gmpy2
import mpmath
import pytest

from symbolic.compile import compile_model
from symbolic.load import load_model
from verify import extrapolate
from verify.extrapolate.base import combination, combine_with_estimate, extrapolation_weights, neville_at_zero
from verify.fixed_point import free_fixed_point
from verify.flows import Flows
from verify.ode.numbers import exact_gmpy2, frexp_log2_abs, gmpy2_to_mpmath, mpmath_log2_abs
from verify.precision import Precision
from verify.routes import ep

PREC = 200


def _mpf_values(rng, k):
    """k mpmath numbers of varied sizes and signs (zeros and far exponents included)."""
    out = []
    for _ in range(k):
        kind = rng.random()
        if kind < 0.1:
            out.append(mpmath.mpf(0))
        elif kind < 0.2:
            out.append(mpmath.mpf(rng.uniform(-1, 1)) * mpmath.mpf(2) ** rng.randint(-400, 400) / 3)
        else:
            out.append(mpmath.mpf(rng.uniform(-1, 1)) / 7)
    return out


def test_exact_gmpy2_keeps_every_bit():
    rng = random.Random(1)
    with mpmath.workprec(PREC):
        for x in _mpf_values(rng, 200) + [mpmath.mpc(1, -2) / 3, mpmath.mpf(2) ** -1000 / 3]:
            assert gmpy2_to_mpmath(exact_gmpy2(x)) == x
        assert exact_gmpy2(2 ** 300 + 1) == 2 ** 300 + 1   # an int: all its 301 bits
    # false variant: a conversion at 53 bits (gmpy2's default context) loses them
    with mpmath.workprec(PREC):
        x = mpmath.mpf(1) / 3
        assert gmpy2_to_mpmath(gmpy2.mpfr(float(x))) != x


def test_frexp_log2_is_the_mpmath_float():
    rng = random.Random(2)
    with mpmath.workprec(PREC):
        for x in _mpf_values(rng, 300):
            assert frexp_log2_abs(exact_gmpy2(x)) == mpmath_log2_abs(x)


def _rows(rng, xs, size):
    """g(x) = polynomial in x plus noise per component: values whose combination cancels."""
    coeffs = [[mpmath.mpf(rng.uniform(-1, 1)) for _ in range(len(xs) + 2)] for _ in range(size)]
    rows = [[mpmath.polyval(c[::-1], x) for c in coeffs] for x in xs]
    rows[1][0] = mpmath.mpf(0)
    rows[2][1] = rows[2][1] * mpmath.mpf(2) ** -300   # far exponents in one column
    return rows


@pytest.mark.parametrize("seed", range(4))
def test_gmpy2_combination_is_fdot_bit_for_bit_and_neville_to_rounding(seed):
    rng = random.Random(seed)
    with mpmath.workprec(PREC):
        xs = [mpmath.mpf(10) ** -3 / 2 ** k for k in range(6 + seed)]
        rows = _rows(rng, xs, 9)
        weights = extrapolation_weights(xs)
        fast = [[exact_gmpy2(v) for v in row] for row in rows]
        by_fdot = [mpmath.fdot(weights[0], column) for column in zip(*rows)]
        assert combination(weights[0], fast) == by_fdot
        assert combine_with_estimate(weights, fast) == combine_with_estimate(weights, rows)
        # Neville's table (independent of the weights) agrees to the rounding of its own steps
        reference = neville_at_zero(xs, rows)
        size = max(abs(w) for w in weights[0]) * max(abs(v) for row in rows for v in row)
        for a, b in zip(by_fdot, reference):
            assert abs(a - b) <= 2 ** 12 * mpmath.eps * size
        # false variant: one value moved by 2^-100 of itself moves its component
        fast[-1][3] = exact_gmpy2(rows[-1][3] * (1 + mpmath.mpf(2) ** -100))
        assert combination(weights[0], fast)[3] != by_fdot[3]


def test_mixed_rows_fall_back_to_mpmath_with_the_same_numbers():
    rng = random.Random(5)
    with mpmath.workprec(PREC):
        xs = [mpmath.mpf(10) ** -3 / 2 ** k for k in range(5)]
        rows = _rows(rng, xs, 4)
        mixed = [[exact_gmpy2(v) for v in row] for row in rows[:-1]] + [rows[-1]]
        assert combination(xs, mixed) == combination(xs, rows)


@pytest.fixture(scope="module")
def hopfield():
    compiled = compile_model(load_model("paper-hopfield"))
    precision = Precision(20)
    theta = compiled.theta_values(precision.work)
    with precision.context():
        s0 = free_fixed_point(compiled, theta, precision=precision).s
    return compiled, Flows(compiled, "mpmath"), s0, theta, precision


def test_gmpy2_states_are_the_mpmath_states(hopfield):
    compiled, flows, s0, theta, precision = hopfield
    times = [mpmath.mpf(0), mpmath.mpf(1) / 3, mpmath.mpf(1) / 3 + mpmath.mpf(10) ** -3, mpmath.mpf(2)]
    with precision.context():
        for beta in (mpmath.mpf(10) ** -3, mpmath.mpc(10 ** -3, 10 ** -4)):
            a = flows.solve_nudged(s0, theta, beta, times, dps=precision.work)
            b = flows.solve_nudged(s0, theta, beta, times, dps=precision.work, numbers="gmpy2")
            assert all(isinstance(v, (gmpy2.mpfr, gmpy2.mpc)) for D in b.states for v in D)
            assert [[gmpy2_to_mpmath(v) for v in D] for D in b.states] == a.states
            assert (b.error_estimates, b.error_estimate_real, b.error_estimate_imag) == (
                a.error_estimates, a.error_estimate_real, a.error_estimate_imag)


def test_ep_limits_on_gmpy2_match_the_mpmath_readouts(hopfield, monkeypatch):
    compiled, flows, s0, theta, precision = hopfield
    plan = extrapolate.plan("richardson", precision)
    high = precision.raised(plan.extra_digits)
    times = [mpmath.mpf(0), mpmath.mpf(1) / 2, mpmath.mpf(1)]
    with high.context():
        res = ep.nudged_phase(compiled, flows, s0, theta, times, plan, precision=high)
        # the states: s0 + D of an mpmath solve, added in mpmath (bit for bit)
        for beta, row in zip(plan.betas, res.states):
            traj = flows.solve_nudged(s0, theta, beta, times, dps=high.work)
            assert row == [[a + b for a, b in zip(s0, D)] for D in traj.states]
        # the limits: the mpmath callables (no gmpy2 form) on the mpmath states, to rounding
        plain_field = lambda s, th, beta: compiled.extended_field(s, th, beta)   # noqa: E731
        plain_dtheta = lambda s, th, beta: compiled.dEbeta_dtheta(s, th, beta)   # noqa: E731
        X, _ = res.quotient_readout(*ep.temporal_derivative_quotient(_Plain(compiled, plain_field), theta))
        Y, _ = res.quotient_readout(*ep.parameter_quotient(_Plain(compiled, plain_field, plain_dtheta), s0, theta))
        # each mpmath and gmpy2 evaluation rounds a few times per value (the expression's depth):
        # a few ulps of the values, amplified by the combination's sum |w_k / beta_k|
        folded = sum(abs(w / b) for w, b in zip(extrapolate.METHODS["richardson"].weights(plan)[0], plan.betas))
        for got, want in ((res.X_tilde, X), (res.Y_tilde, Y)):
            scale = max(abs(v) for row in res.states for s in row for v in s) + 1
            for g_row, w_row in zip(got, want):
                for g, w in zip(g_row, w_row):
                    assert abs(g - w) <= 2 ** 8 * mpmath.eps * folded * scale ** 2
        # the gmpy2 path really ran: no mpmath dot product per component
        monkeypatch.setattr(mpmath, "fdot", _no_fdot)
        again, _ = res.quotient_readout(*ep.temporal_derivative_quotient(compiled, theta))
        assert again == res.X_tilde


def _no_fdot(*args, **kwargs):
    raise AssertionError("an mpmath.fdot per component: the gmpy2 combination did not run")


class _Plain:
    """The compiled model with readouts that carry no gmpy2 form (the mpmath path)."""

    def __init__(self, compiled, field, dtheta=None):
        self.extended_field = field
        self.dEbeta_dtheta = dtheta
        self.dE_dtheta = compiled.dE_dtheta
