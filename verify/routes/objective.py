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


def objective_gradient(compiled, s0, theta) -> list:
    """dJ/dtheta (Eq 3) by complex step on fixed points re-solved at perturbed theta."""
    h = mpmath.mpf(10) ** -(mpmath.mp.dps + 10)
    out = []
    for k in range(compiled.p):
        theta_c = list(theta)
        theta_c[k] = mpmath.mpc(theta[k], h)
        s, size, _ = newton(lambda v: compiled.dE_ds(v, theta_c),
                            lambda v: compiled.H(v, theta_c), [mpmath.mpc(x) for x in s0])
        if size > mpmath.mpf(10) ** (-mpmath.mp.dps + 6):
            raise FixedPointNotFound(f"fixed point at theta + i h e_{k} not found (residual {mpmath.nstr(size, 3)})")
        out.append(mpmath.im(compiled.cost(s, theta_c)) / h)
    return out


def nudged_fixed_points(compiled, s0, theta, plan: BetaPlan) -> list:
    """s_theta^beta (Eq 19) for each beta of the plan, by Newton from s_theta^0."""
    points = []
    for beta in plan.betas:
        start = [mpmath.mpc(x) for x in s0] if isinstance(beta, mpmath.mpc) else list(s0)
        s, size, _ = newton(lambda v: compiled.extended_field(v, theta, beta),
                            lambda v: -compiled.extended_hessian(v, theta, beta), start)
        if size > mpmath.mpf(10) ** (-mpmath.mp.dps + 6):
            raise FixedPointNotFound(f"nudged fixed point at beta={mpmath.nstr(beta, 3)} not found "
                                     f"(residual {mpmath.nstr(size, 3)})")
        points.append(s)
    return points


def ep_fixed_point_gradient(compiled, s0, theta, plan: BetaPlan, points=None, factor=1):
    """The EP gradient formula Eq 20 from nudged fixed points; returns (value, error estimate).

    ``factor`` multiplies 1/beta (1 is the paper's formula; a false variant uses 1/2).
    """
    points = nudged_fixed_points(compiled, s0, theta, plan) if points is None else points
    dE0 = compiled.dE_dtheta(s0, theta)
    rows = [[factor * (e - e0) / beta for e, e0 in zip(compiled.dEbeta_dtheta(s, theta, beta), dE0)]
            for beta, s in zip(plan.betas, points)]
    return plan.combine(rows)
