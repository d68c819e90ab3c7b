"""The J route's steering (verify.routes.objective): H and M choose the chord steps, never the answer.

dJ/dtheta (Eq 3) comes from fixed points re-solved at theta + i h v; their first chord step is
modelled from H and M (:class:`FirstSteps`) and every nudged fixed point (Eq 19) is solved
through one factorisation of H updated by beta d2C/ds2 (:class:`NudgedJacobians`). A deliberately
wrong H or M must change the number of residual evaluations, not the result.
"""

from __future__ import annotations

import mpmath
import pytest

from verify.routes import objective

DPS = 30


class Counting:
    """The compiled model with H and M scaled by ``wrong`` (1: right) and dE/ds, the field counted."""

    def __init__(self, compiled, wrong=1):
        self._c, self.wrong, self.calls = compiled, wrong, 0

    def __getattr__(self, name):
        return getattr(self._c, name)

    def H(self, s, theta):  # noqa: N802
        return self._c.H(s, theta) * self.wrong

    def M(self, s, theta):  # noqa: N802
        return self._c.M(s, theta) * (2 - self.wrong)

    def dE_ds(self, s, theta):
        self.calls += 1
        return self._c.dE_ds(s, theta)

    def extended_field(self, s, theta, beta=0):
        self.calls += 1
        return self._c.extended_field(s, theta, beta)


@pytest.fixture(scope="module")
def hopfield():
    from symbolic.compile import compile_model
    from symbolic.load import load_model
    from verify.extrapolate import plan
    from verify.fixed_point import free_fixed_point
    from verify.precision import Precision

    p = Precision(DPS)
    with p.context():
        c = compile_model(load_model("paper-hopfield"))
        theta = c.theta_values(p.work)
        s0 = free_fixed_point(c, theta, precision=p).s
    return c, s0, theta, p, plan("symmetric", p)


def test_a_wrong_H_and_M_change_the_cost_not_dJ(hopfield):
    c, s0, theta, p, _ = hopfield
    right, wrong = Counting(c), Counting(c, 1 + mpmath.mpf(10) ** -4)
    with p.context():
        a = objective.objective_gradient(right, s0, theta, precision=p)
        b = objective.objective_gradient(wrong, s0, theta, precision=p)
        size = max(abs(x) for x in a)
        assert max(abs(x - y) for x, y in zip(a, b)) <= p.eps * 1000 * size
    # right: s0 + the modelled first step is converged after one true residual (and the check)
    assert right.calls == 1 + 2 * c.p
    assert wrong.calls > right.calls + c.p


def test_nudged_points_through_the_rank_update_are_the_full_lu_points(hopfield):
    """The Woodbury solves (|R| = 2 output units of 8 states) against one LU of H + beta d2C/ds2 per beta."""
    c, s0, theta, p, bp = hopfield
    with p.context():
        fast = objective.nudged_fixed_points(c, s0, theta, bp, precision=p)
        jac = objective.NudgedJacobians(c.H(s0, theta), c.cost_hessian(s0, theta))
        assert jac.R == [0, 1] and not jac.full
        jac.full = True   # the per-beta LU of the dense path
        original = objective.NudgedJacobians
        objective.NudgedJacobians = lambda H, HC: jac
        try:
            slow = objective.nudged_fixed_points(c, s0, theta, bp, precision=p)
        finally:
            objective.NudgedJacobians = original
        for x, y in zip(fast, slow):
            assert max(abs(a - b) for a, b in zip(x, y)) <= p.eps * 100


@pytest.mark.parametrize("rank", [0, 1, 3, 5])
def test_rank_update_solves_against_lu_solve(rank):
    """(H + beta P B P^T)^-1 b by Woodbury against mpmath.lu_solve, for real and complex beta; rank 5 of 8
    (more than half the states) takes the dense LU."""
    with mpmath.workdps(40):
        n = 8
        A = mpmath.randmatrix(n, n)
        H = A * A.T + mpmath.eye(n)
        HC = mpmath.zeros(n, n)
        states = sorted({(3 * i + 1) % n for i in range(rank)})
        for i in states:
            for j in states:
                HC[i, j] = mpmath.mpf(1) / (1 + i + j) + (i == j)
        jac = objective.NudgedJacobians(H, HC)
        assert jac.R == sorted(states) and jac.full == (2 * rank > n)
        b = [mpmath.mpf(k + 1) / 7 for k in range(n)]
        for beta in (mpmath.mpf("1e-3"), mpmath.mpf("-0.3"), mpmath.mpc("0.01", "0.02")):
            got = jac.at(beta).solve(list(b))
            want = mpmath.lu_solve(H + beta * HC, mpmath.matrix(b))
            assert max(abs(got[i] - want[i]) for i in range(n)) < mpmath.mpf(10) ** -35
