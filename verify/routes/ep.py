"""EP route: the nudged flow Eq 18 from s_theta^0 at finite beta, then beta -> 0.

For each beta of the chosen plan (:mod:`verify.extrapolate`) one nudged
integration gives, at every requested time,

    g_X(beta, t) = -(1/beta) dS^beta/dt(s_theta^0, t) = (1/beta) dE^beta/ds(S^beta)   (Eq 21)
    g_Y(beta, t) = (1/beta) (dE^beta/dtheta(S^beta) - dE/dtheta(s_theta^0))           (Eq 22)

and the plan combines them into X-tilde_t, Y-tilde_t. Real betas lose
log10(1/beta) digits to cancellation, so the caller runs this route with the
plan's ``extra_digits`` added to the working precision (and the fixed point
refined to that precision).
"""

from __future__ import annotations

import dataclasses

import mpmath

from ..extrapolate import BetaPlan


@dataclasses.dataclass
class EPResult:
    """X-tilde (Eq 21) and Y-tilde (Eq 22) at each requested time."""

    X_tilde: list
    Y_tilde: list
    extrapolation_error: mpmath.mpf
    integration_error: mpmath.mpf
    integrations: int
    plan: BetaPlan


def nudged_phase(compiled, flows, s0, theta, times, plan: BetaPlan, *, dps, progress=None) -> EPResult:
    """X-tilde_t, Y-tilde_t of Theorem 3 from nudged flows (Eq 18) at the plan's betas."""
    n = compiled.n
    gX = []
    gY = []
    dE0 = compiled.dE_dtheta(s0, theta)
    integ_err = mpmath.mpf(0)
    for beta in plan.betas:
        traj = flows.solve_nudged(s0, theta, beta, times, dps=dps)
        rowsX, rowsY = [], []
        for D in traj.states:
            s_t = [a + b for a, b in zip(s0, D)]
            field = compiled.extended_field(s_t, theta, beta)
            rowsX.append([-f / beta for f in field])
            rowsY.append([(e - e0) / beta for e, e0 in zip(compiled.dEbeta_dtheta(s_t, theta, beta), dE0)])
        gX.append(rowsX)
        gY.append(rowsY)
        integ_err = max(integ_err, traj.error_estimate / abs(beta))
        if progress:
            progress()
    X_tilde, Y_tilde = [], []
    extrap_err = mpmath.mpf(0)
    for k in range(len(times)):
        x, ex = plan.combine([g[k] for g in gX])
        y, ey = plan.combine([g[k] for g in gY])
        X_tilde.append(x)
        Y_tilde.append(y)
        extrap_err = max(extrap_err, ex, ey)
    return EPResult(X_tilde, Y_tilde, extrap_err, integ_err, len(plan.betas), plan)
