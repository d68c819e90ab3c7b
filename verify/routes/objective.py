"""Fixed-point routes for Theorem 2: dJ/dtheta and the EP estimate of Eq 20.

- J route: J(theta) = C_theta(s_theta^0) (Eq 3) with the fixed point re-solved
  at theta + i h e_k (complex step): dJ/dtheta_k = Im J / h. The Cauchy
  problem is not involved.
- EP fixed-point route: nudged fixed points s_theta^beta (Eq 19) for the
  plan's betas, g(beta) = (dE^beta/dtheta(s^beta) - dE/dtheta(s^0)) / beta,
  extrapolated to beta -> 0 (Eq 20).
"""

from __future__ import annotations

import mpmath

from ..extrapolate import BetaPlan
from ..fixed_point import FixedPointNotFound, newton
from ..numbers import FactoredMatrix


def objective_gradient(compiled, s0, theta, *, precision) -> list:
    """dJ/dtheta (Eq 3) by complex step on fixed points re-solved at perturbed theta.

    The perturbed fixed point solves dE/ds(s, theta + i h e_k) = 0 by chord
    iterations preconditioned with H(s0) (one LU factorisation for all k):
    H only steers the iteration; the converged point is certified by its own
    residual, so the result does not rest on H being right.
    """
    h = precision.complex_step
    H = FactoredMatrix(compiled.H(s0, theta))
    out = []
    for k in range(compiled.p):
        theta_c = list(theta)
        theta_c[k] = mpmath.mpc(theta[k], h)
        s = chord_solve(lambda v: compiled.dE_ds(v, theta_c), H, [mpmath.mpc(x) for x in s0], precision=precision)
        residual = compiled.dE_ds(s, theta_c)
        size = max(abs(mpmath.re(x)) for x in residual)
        im_size = max(abs(mpmath.im(x)) for x in residual)
        if size > precision.root_tolerance() or im_size > precision.root_tolerance(h):
            raise FixedPointNotFound(f"fixed point at theta + i h e_{k} not found (residual "
                                     f"{mpmath.nstr(size, 3)}, imaginary part {mpmath.nstr(im_size, 3)})")
        out.append(mpmath.im(compiled.cost(s, theta_c)) / h)
    return out


def chord_solve(residual, jacobian: FactoredMatrix, s, *, precision, max_steps=200):
    """Solve residual(s) = 0 by chord iterations with a fixed factored Jacobian.

    Converges linearly at the rate |I - J^-1 J(s*)|, tiny for the small
    perturbations used here; stops when the step is below the working
    precision in the real and (separately) the imaginary parts.
    """
    eps = precision.eps
    for _ in range(max_steps):
        delta = jacobian.solve(residual(s))
        s = [x - d for x, d in zip(s, delta)]
        im_scale = max(abs(mpmath.im(x)) for x in s)
        if (max(abs(mpmath.re(d)) for d in delta) <= 100 * eps * max(1, max(abs(x) for x in s))
                and max(abs(mpmath.im(d)) for d in delta) <= 100 * eps * im_scale):
            break
    return s


def nudged_fixed_points(compiled, s0, theta, plan: BetaPlan, *, precision) -> list:
    """s_theta^beta (Eq 19) for each beta of the plan, from s_theta^0 (chord iterations)."""
    points = []
    H0, HC0 = compiled.H(s0, theta), compiled.cost_hessian(s0, theta)
    for beta in plan.betas:
        start = [mpmath.mpc(x) for x in s0] if isinstance(beta, mpmath.mpc) else list(s0)
        J = FactoredMatrix(H0 + beta * HC0)
        s = chord_solve(lambda v: [-f for f in compiled.extended_field(v, theta, beta)], J, start,
                        precision=precision)
        size = max(abs(x) for x in compiled.extended_field(s, theta, beta))
        if not size <= precision.root_tolerance():
            # chord iterations contract only for small beta/lambda_min: fall back to Newton
            s, size, _ = newton(lambda v: compiled.extended_field(v, theta, beta),
                                lambda v: -compiled.extended_hessian(v, theta, beta), start, precision=precision)
        if not size <= precision.root_tolerance():
            raise FixedPointNotFound(f"nudged fixed point at beta={mpmath.nstr(beta, 3)} not found "
                                     f"(residual {mpmath.nstr(size, 3)})")
        points.append(s)
    return points


def ep_fixed_point_gradient(compiled, s0, theta, plan: BetaPlan, points=None, factor=1, *, precision):
    """The EP gradient formula Eq 20 from nudged fixed points; returns (value, error estimate).

    ``factor`` multiplies 1/beta (1 is the paper's formula; a false variant uses 1/2).
    """
    points = nudged_fixed_points(compiled, s0, theta, plan, precision=precision) if points is None else points
    dE0 = compiled.dE_dtheta(s0, theta)
    rows = [[factor * (e - e0) / beta for e, e0 in zip(compiled.dEbeta_dtheta(s, theta, beta), dE0)]
            for beta, s in zip(plan.betas, points)]
    return plan.combine(rows)
