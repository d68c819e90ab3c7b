"""Newton's method at working precision (verify/fixed_point.py ``newton``): it converges or says why not.

r(s) = s^2 - 2 has a simple root: Newton converges quadratically to sqrt(2) (mpmath's own
sqrt is the reference). r(s) = s^3 has a triple root at 0: Newton's step is s/3, so the
iterate shrinks by 2/3 a step and never gets to rounding level within the step budget;
it must say so with its numbers, not hand back the last iterate as if it had converged.
"""

from __future__ import annotations

import mpmath
import pytest

from verify.fixed_point import FixedPointNotFound, newton
from verify.precision import Precision

PRECISION = Precision(30)


def test_a_simple_root_converges_to_working_precision():
    with PRECISION.context():
        s, residual, steps = newton(lambda v: [v[0] ** 2 - 2], lambda v: mpmath.matrix([[2 * v[0]]]),
                                    [mpmath.mpf(1)], precision=PRECISION)
        assert abs(s[0] - mpmath.sqrt(2)) <= 10 * PRECISION.eps
        assert residual <= PRECISION.root_tolerance(2)
        assert steps < 15


def test_running_out_of_steps_is_not_convergence():
    with PRECISION.context():
        with pytest.raises(FixedPointNotFound) as info:
            newton(lambda v: [v[0] ** 3], lambda v: mpmath.matrix([[3 * v[0] ** 2]]), [mpmath.mpf(1)],
                   precision=PRECISION, max_steps=40, what="the triple root",
                   tolerance=lambda v: PRECISION.root_tolerance(1))
    message = str(info.value)
    assert "Newton's method for the triple root has not converged after 40 steps" in message
    last_step = (mpmath.mpf(2) / 3) ** 39 / 3            # s_k = (2/3)^k, step s_k/3 at the 40th step
    assert f"the last step {mpmath.nstr(last_step, 3)} is above" in message
    assert f"the residual before it was {mpmath.nstr(((mpmath.mpf(2) / 3) ** 39) ** 3, 3)}" in message
    assert f"(tolerance {mpmath.nstr(PRECISION.root_tolerance(1), 3)})" in message


def test_an_ill_conditioned_root_is_returned_when_its_residual_is_within_tolerance(ill_conditioned_root):
    with PRECISION.context():
        residual_fn, A, exact = ill_conditioned_root(PRECISION)
        s, residual, _ = newton(residual_fn, lambda v: A, [mpmath.mpf(0), mpmath.mpf(0)], precision=PRECISION,
                                what="the ill-conditioned root", tolerance=lambda v: PRECISION.root_tolerance(1))
        assert max(abs(x - y) for x, y in zip(s, exact)) <= mpmath.mpf(10) ** 14 * PRECISION.eps
        assert residual <= PRECISION.root_tolerance(1)


def test_an_ill_conditioned_root_without_a_tolerance_still_says_it_did_not_converge(ill_conditioned_root):
    with PRECISION.context():
        residual_fn, A, _ = ill_conditioned_root(PRECISION)
        with pytest.raises(FixedPointNotFound, match="has not converged after 60 steps"):
            newton(residual_fn, lambda v: A, [mpmath.mpf(0), mpmath.mpf(0)], precision=PRECISION)


def test_a_singular_hessian_is_named_as_before():
    """An exactly singular Jacobian: flint finds it singular, mpmath.lu_solve decides, and Newton says so."""
    with PRECISION.context():
        with pytest.raises(FixedPointNotFound, match=r"singular Hessian in Newton's method after 0 steps \(residual 2\.0\)"):
            newton(lambda v: [v[0] + v[1] - 1, v[0] + v[1] - 2], lambda v: mpmath.matrix([[1, 1], [1, 1]]),
                   [mpmath.mpf(0), mpmath.mpf(0)], precision=PRECISION)


def test_a_complex_root_converges_with_a_complex_jacobian():
    """r(s) = s^2 + 1 from 1 + i: the Jacobian is complex (flint's acb_mat); the root is i (mpmath's own)."""
    with PRECISION.context():
        s, residual, _ = newton(lambda v: [v[0] ** 2 + 1, v[1] - 3], lambda v: mpmath.matrix([[2 * v[0], 0], [0, 1]]),
                                [mpmath.mpc(1, 1), mpmath.mpf(1)], precision=PRECISION)
        assert abs(s[0] - mpmath.mpc(0, 1)) <= 10 * PRECISION.eps and s[1] == 3
        assert residual <= PRECISION.root_tolerance(1)
        # the false variant: from 1 - i Newton goes to the other root, -i
        s, _, _ = newton(lambda v: [v[0] ** 2 + 1, v[1] - 3], lambda v: mpmath.matrix([[2 * v[0], 0], [0, 1]]),
                         [mpmath.mpc(1, -1), mpmath.mpf(1)], precision=PRECISION)
        assert abs(s[0] - mpmath.mpc(0, 1)) > 1
