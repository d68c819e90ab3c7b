"""The statements (Theorems 1, 2, 3 and Corollary 4) as comparisons of independent routes on one model's evidence.

Each statement compares two quantities computed by routes that share nothing
but the model (DESIGN.md, "Independence is the point"):

========== ============================================ =============================================
check      side A                                       side B
========== ============================================ =============================================
theorem1   direct: dL/ds, dL/dtheta by complex step on  RBP: Cauchy problem Eq 11-14 in closed form
           the nonlinear free flow (Eq 9, 15, 16)       (matrix exponential)
cauchy-ode RBP: Eq 13-14 integrated by the ODE solver   RBP closed form
theorem2   EP: nudged fixed points, Eq 20, beta -> 0    J route: dJ/dtheta with s_theta^0 re-solved
                                                        at perturbed theta (complex step on Eq 3)
eq10-limit RBP closed form at t -> infinity (Eq 10)     J route
theorem3   EP: nudged flow Eq 18, X~, Y~ (Eq 21, 22)    RBP closed form (Eq 11-14 by uniqueness)
theorem3-ode EP: dX~/dt, dY~/dt by central differences  -H X~, -M X~ (Eq 13, 14 at s_theta^0)
           in t of the EP route's dense output
corollary4 direct route dL/ds (Eq 23, left side)        EP route X~ (Eq 23, right side)
eq24       direct route dL/dtheta (Eq 24, left side)    EP route Y~ (Eq 24, right side)
========== ============================================ =============================================

``verify.check`` (:func:`verify.pipeline.check`) gathers the evidence and calls :func:`statements`.
"""

from __future__ import annotations

import mpmath

from . import stencil
from .compare import compare_series, not_applicable
from .config import DEFAULT_BETA_METHOD, DEFAULT_TIMES, MAX_DIRECTIONS, parse_times, resolve_backend
from .numbers import matvec
from .pipeline import check, environment
from .precision import DEFAULT_DPS, GUARD_DIGITS
from .routes import rbp

# statements() is this module's own; the rest is re-exported for existing callers (verify.check is
# verify.pipeline.check; settings and their defaults live in verify.config and verify.precision)
__all__ = ["statements", "sides", "direction_names", "time_derivative_on_ep", "theorem3_ode", "TITLES", "SIDES",
           "check", "environment", "parse_times", "resolve_backend", "DEFAULT_BETA_METHOD", "DEFAULT_TIMES",
           "MAX_DIRECTIONS", "DEFAULT_DPS", "GUARD_DIGITS"]

TITLES = {
    "theorem1": ("Theorem 1: (dL/ds, dL/dtheta) at s_theta^0 solve the Cauchy problem", ["11", "12", "13", "14", "15", "16"]),
    "cauchy-ode": ("Cauchy problem integrated = its closed form", ["13", "14"]),
    "theorem2": ("Theorem 2: EP gradient formula = dJ/dtheta", ["20"]),
    "eq10-limit": ("Eq 10: the Cauchy problem's Y at t -> infinity (closed form) = dJ/dtheta", ["10", "3"]),
    "theorem3": ("Theorem 3: (X~, Y~) of EP solve the Cauchy problem", ["21", "22", "11", "12", "13", "14"]),
    "theorem3-ode": ("Theorem 3: dX~/dt = -H X~ and dY~/dt = -M X~ on EP data", ["13", "14", "21", "22"]),
    "corollary4": ("Corollary 4: dL/ds = -lim 1/beta dS^beta/dt", ["23"]),
    "eq24": ("Corollary 4: dL/dtheta = lim 1/beta (dE^beta/dtheta(S^beta) - dE/dtheta(s^0))", ["24"]),
}

SIDES = {
    "theorem1": ("direct: complex step on the free flow Eq 1 (truncated objective Eq 9), no H or M",
                 "RBP: Cauchy problem Eq 11-14 in closed form, X_t = expm(-Ht) X_0, Y_t = Y_0 - M H^-1 (I - expm(-Ht)) X_0"),
    "cauchy-ode": ("RBP: Eq 13-14 integrated from Eq 11-12 by the {backend} Taylor integrator",
                   "RBP: closed form with the matrix exponential"),
    "theorem2": ("EP: nudged fixed points s^beta (Eq 19) by Newton, Eq 20 with {beta}",
                 "J route: dJ/dtheta by complex step, s_theta^0 re-solved at theta + i h e_k (Eq 2, 3)"),
    "eq10-limit": ("RBP closed form at t -> infinity: Y = Y_0 - M H^-1 X_0, X = 0",
                   "J route: dJ/dtheta by complex step on re-solved fixed points (Eq 3)"),
    "theorem3": ("EP: nudged flow Eq 18 from s_theta^0 ({backend}), X~ Eq 21, Y~ Eq 22, {beta}",
                 "RBP: Cauchy problem Eq 11-14 in closed form"),
    "theorem3-ode": ("EP: d/dt of X~, Y~ by order-{order} central differences in t (delta={delta})",
                     "-H(s_theta^0) X~_t and -M(s_theta^0) X~_t (Eq 13, 14)"),
    "corollary4": ("direct: dL/ds by complex step on the free flow (Eq 9, 15)",
                   "EP: X~ = -lim 1/beta dS^beta/dt (Eq 21), {beta}"),
    "eq24": ("direct: dL/dtheta by complex step on the free flow (Eq 9, 16)",
             "EP: Y~ (Eq 22), {beta}"),
}


def sides(cid, ev, **extra):
    a, b = SIDES[cid]
    fmt = {"backend": ev.flows.backend, "beta": ev.plan.description if ev.plan else "", **extra}
    return [a.format(**fmt), b.format(**fmt)]


def statements(ev) -> list:
    """The paper's statements as comparisons of the evidence's routes (the table above)."""
    if ev.fixed_point is None:
        reason = f"no critical point of E: {ev.fixed_point_error}"
        return [not_applicable(cid, *TITLES[cid], ["", ""], reason) for cid in TITLES]
    names_s, names_p, times, dps, cond = ev.names_s, ev.names_p, ev.times, ev.dps, ev.cond
    both = names_s + names_p
    joined = lambda A, B: [list(a) + list(b) for a, b in zip(A, B)]  # noqa: E731
    out = []

    if ev.direct is None:
        out.append(not_applicable("theorem1", *TITLES["theorem1"], sides("theorem1", ev), ev.direct_error))
    else:
        dX, dY = ev.direct.X, ev.direct.Y
        out.append(compare_series("theorem1", *TITLES["theorem1"], sides("theorem1", ev),
                                  joined(dX.values, dY.values), joined(dX.project(ev.X), dY.project(ev.Y)),
                                  times, direction_names(dX, names_s) + direction_names(dY, names_p),
                                  dps=dps, condition=cond, scale_floor=ev.scale_floor,
                                  error_terms=[(ev.direct.error_estimate, "integrator (direct)")]))
    if ev.ode is None:
        out.append(not_applicable("cauchy-ode", *TITLES["cauchy-ode"], sides("cauchy-ode", ev), ev.ode_error))
    else:
        Xo, Yo, traj = ev.ode
        out.append(compare_series("cauchy-ode", *TITLES["cauchy-ode"], sides("cauchy-ode", ev),
                                  joined(Xo, Yo), joined(ev.X, ev.Y), times, both, dps=dps, condition=cond, scale_floor=ev.scale_floor,
                                  error_terms=[(traj.error_estimate, "integrator")]))

    if ev.dJ is None:
        reason = ev.theorem2_error
        out.append(not_applicable("theorem2", *TITLES["theorem2"], sides("theorem2", ev), reason))
        out.append(not_applicable("eq10-limit", *TITLES["eq10-limit"], sides("eq10-limit", ev), reason))
    else:
        inf = [mpmath.inf]
        out.append(compare_series("theorem2", *TITLES["theorem2"], sides("theorem2", ev), [ev.ep_gradient],
                                  [ev.dJ], inf, names_p, dps=dps, condition=cond, scale_floor=ev.scale_floor,
                                  error_terms=[(ev.ep_gradient_error, "extrapolation")]))
        _, Y_inf = rbp.limit(ev.cauchy)
        res = compare_series("eq10-limit", *TITLES["eq10-limit"], sides("eq10-limit", ev), [Y_inf], [ev.dJ],
                             inf, names_p, dps=dps, condition=cond, scale_floor=ev.scale_floor, error_terms=[])
        res.details = [f"t={mpmath.nstr(t, 4)}: |Y_t - dJ/dtheta| = "
                       f"{mpmath.nstr(max(abs(a - b) for a, b in zip(y, ev.dJ)), 3)}, "
                       f"|X_t| = {mpmath.nstr(max(abs(x) for x in xx), 3)}"
                       for t, y, xx in zip(times, ev.Y, ev.X)]
        res.details.append(f"(both decay like exp(-lambda_min t), lambda_min = "
                           f"{mpmath.nstr(ev.fixed_point.hessian_eigenvalues[0], 5)})")
        out.append(res)

    if ev.ep is None:
        for cid in ("theorem3", "theorem3-ode", "corollary4", "eq24"):
            out.append(not_applicable(cid, *TITLES[cid], sides(cid, ev, order=0, delta=0), ev.ep_error))
        return out
    Xt, Yt = ev.X_tilde, ev.Y_tilde
    ep_terms = [(ev.ep.extrapolation_error, "extrapolation"), (ev.ep.integration_error, "integrator (EP)")]
    out.append(compare_series("theorem3", *TITLES["theorem3"], sides("theorem3", ev), joined(Xt, Yt),
                              joined(ev.X, ev.Y), times, both, dps=dps, condition=cond, scale_floor=ev.scale_floor, error_terms=ep_terms))
    out.append(theorem3_ode(ev, ep_terms))
    if ev.direct is None:
        for cid in ("corollary4", "eq24"):
            out.append(not_applicable(cid, *TITLES[cid], sides(cid, ev), ev.direct_error))
    else:
        terms = ep_terms + [(ev.direct.error_estimate, "integrator (direct)")]
        out.append(compare_series("corollary4", *TITLES["corollary4"], sides("corollary4", ev),
                                  ev.direct.X.values, ev.direct.X.project(Xt), times,
                                  direction_names(ev.direct.X, names_s), dps=dps, error_terms=terms,
                                  scale_floor=ev.scale_floor))
        out.append(compare_series("eq24", *TITLES["eq24"], sides("eq24", ev),
                                  ev.direct.Y.values, ev.direct.Y.project(Yt), times,
                                  direction_names(ev.direct.Y, names_p), dps=dps, error_terms=terms,
                                  scale_floor=ev.scale_floor))
    return out


def direction_names(directional, names):
    return list(names) if directional.full else [f"projection {i}" for i in range(len(directional.directions))]


def time_derivative_on_ep(ev, sign_of_H=1):
    """(d/dt [X~; Y~] by central differences, -[H X~; M X~]) at each stencil centre, and an error estimate."""
    A, est = stencil.derivatives_at_centres(
        lambda x: list(ev.ep_at(x)[0]) + list(ev.ep_at(x)[1]), ev.stencil_points, ev.stencil_order,
        ev.stencil_delta, ev.ep.extrapolation_error + ev.ep.integration_error)
    B = []
    for t in ev.stencil_points:
        Xk = ev.ep_at(t)[0]
        B.append([-sign_of_H * v for v in matvec(ev.cauchy.H, Xk)] + [-v for v in matvec(ev.cauchy.M, Xk)])
    return A, B, est


def theorem3_ode(ev, ep_terms):
    m, delta = ev.stencil_order, ev.stencil_delta
    fmt = {"order": 2 * m, "delta": mpmath.nstr(delta, 2)}
    if not ev.stencil_points:
        return not_applicable("theorem3-ode", *TITLES["theorem3-ode"], sides("theorem3-ode", ev, **fmt),
                              f"no requested time t > {mpmath.nstr(m * delta, 3)}")
    A, B, est = time_derivative_on_ep(ev)
    return compare_series("theorem3-ode", *TITLES["theorem3-ode"], sides("theorem3-ode", ev, **fmt), A, B,
                          list(ev.stencil_points), ev.names_s + ev.names_p, dps=ev.dps, condition=ev.cond,
                          scale_floor=ev.scale_floor,
                          error_terms=[(est, "finite differences")])
