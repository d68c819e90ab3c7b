"""The J route's steering (verify.routes.objective): H and M choose the chord steps, never the answer.

dJ/dtheta (Eq 3) comes from fixed points re-solved at theta + i h v by chord iterations steered by
H(s0), and every nudged fixed point (Eq 19) is solved through one factorisation of H updated by
beta d2C/ds2 (:class:`NudgedJacobians`). A deliberately wrong H or M must change the number of
residual evaluations, or make the route say it found no fixed point; never the result.
"""

from __future__ import annotations

import mpmath
import pytest

from verify.fixed_point import FixedPointNotFound
from verify.numbers import FactoredMatrix
from verify.precision import Precision
from verify.routes import objective
from verify.routes.objective import chord_solve

DPS = 30


class Counting:
    """The compiled model with H scaled by ``wrong`` (1: right), M by ``wrong_M`` (default 2 - wrong) and
    dE/ds, the field counted."""

    def __init__(self, compiled, wrong=1, wrong_M=None):  # noqa: N803
        self._c, self.wrong, self.calls = compiled, wrong, 0
        self.wrong_M = 2 - wrong if wrong_M is None else wrong_M

    def __getattr__(self, name):
        return getattr(self._c, name)

    def H(self, s, theta):  # noqa: N802
        return self._c.H(s, theta) * self.wrong

    def M(self, s, theta):  # noqa: N802
        return self._c.M(s, theta) * self.wrong_M

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
    # right: n for the true |H| of the acceptance test, then per component y = 0 (the true residual at
    # s0) and one chord step, converged at the first iterate and certified by its residual
    assert right.calls == c.n + 2 * c.p
    assert wrong.calls > right.calls + c.p


BIG = mpmath.mpf(10) ** 40


@pytest.mark.parametrize("wrong_H, wrong_M", [(2, BIG), (1000, BIG), (1, BIG), (BIG, 1), (BIG, BIG), (1000, 1)],
                         ids=["Hx2,Mx1e40", "Hx1000,Mx1e40", "M x1e40", "Hx1e40", "H,Mx1e40", "Hx1000"])
def test_grossly_wrong_H_and_M_never_give_a_wrong_dJ(hopfield, wrong_H, wrong_M):  # noqa: N803
    """Either the right dJ/dtheta (to rounding) or FixedPointNotFound: a wrong M must not loosen the
    acceptance of the point a wrong H steered to (it did: Hx2 with Mx1e40 gave relative error 3e-21)."""
    c, s0, theta, p, _ = hopfield
    with p.context():
        right = objective.objective_gradient(c, s0, theta, precision=p)
        try:
            got = objective.objective_gradient(Counting(c, wrong_H, wrong_M), s0, theta, precision=p)
        except objective.FixedPointNotFound as exc:
            assert "not converged" in str(exc) or "not found" in str(exc)
            return
        size = max(abs(x) for x in right)
        assert max(abs(x - y) for x, y in zip(right, got)) <= p.eps * 1000 * size


def test_chord_iterations_that_do_not_converge_say_so():
    """A Jacobian 1000 x too large contracts at 0.999 a step: 200 steps do not converge, and the
    iterate is not returned as if they had."""
    with mpmath.workdps(40):
        from verify.numbers import FactoredMatrix
        from verify.precision import Precision

        J = FactoredMatrix(mpmath.matrix([[1000]]))
        with pytest.raises(objective.FixedPointNotFound, match="not converged after 200 steps"):
            objective.chord_solve(lambda s: [s[0] - 1], J, [mpmath.mpf(0)], precision=Precision(30))
        s, r = objective.chord_solve(lambda s: [s[0] - 1], FactoredMatrix(mpmath.matrix([[1]])), [mpmath.mpf(0)],
                                     precision=Precision(30))
        assert s == [1] and r == [0]


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


def test_chord_iterations_at_an_ill_conditioned_root_return_it_when_the_caller_certifies_it(ill_conditioned_root):
    precision = Precision(30)
    with precision.context():
        residual, A, exact = ill_conditioned_root(precision)
        J = FactoredMatrix(A)
        with pytest.raises(FixedPointNotFound, match="chord iterations have not converged after 200 steps"):
            chord_solve(residual, J, [mpmath.mpf(0)] * 2, precision=precision)
        residual, A, exact = ill_conditioned_root(precision)
        J = FactoredMatrix(A)
        s, r = chord_solve(residual, J, [mpmath.mpf(0)] * 2, precision=precision,
                           tolerance=lambda s: precision.root_tolerance(1))
        assert max(abs(a - b) for a, b in zip(s, exact)) <= mpmath.mpf(10) ** 14 * precision.eps
        assert max(abs(x) for x in r) <= precision.root_tolerance(1)
        residual, A, exact = ill_conditioned_root(precision)
        J = FactoredMatrix(A)
        with pytest.raises(FixedPointNotFound):     # a tolerance the residual does not meet: still refused
            chord_solve(residual, J, [mpmath.mpf(0)] * 2, precision=precision, tolerance=lambda s: precision.eps / 10)
