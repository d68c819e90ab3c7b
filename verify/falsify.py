"""Deliberately false variants of the paper's statements; the suite must reject each.

A verifier that cannot fail proves nothing. Each variant is an alternative
statement computed through the same machinery as the true one (the same
evidence, routes, readouts and comparison with a derived tolerance), with one
thing changed: a sign, a factor, a time, an evaluation point, a term. A
variant is *rejected* when its comparison fails with a discrepancy far above
its tolerance.

The non-gradient variant changes the dynamics instead: a skew-symmetric
coupling gamma K (s - s_theta^0) is added to the field (s_theta^0 stays a fixed
point; the Jacobian -H + gamma K is no longer symmetric). Its ground truth is
the derivative of the truncated objective on that flow itself (the direct
route), which follows the Jacobian's transpose; EP's temporal derivative
follows the Jacobian. Substituting the Jacobian for H in the Cauchy problem
would reproduce EP and hide the discrepancy, so it is not used.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Callable

import mpmath
import sympy as sp

from . import stencil
from .compare import compare_series
from .flows import Flows
from .numbers import matvec
from .routes import direct, ep, objective, rbp
from .theorems import direction_names, time_derivative_on_ep

REJECTION_MARGIN = 10 ** 6   # a rejected variant's error exceeds its tolerance this many times


@dataclasses.dataclass(frozen=True)
class Variant:
    """A false statement: which true statement it perturbs and how it is computed."""

    id: str
    statement: str
    description: str
    run: Callable            # (evidence) -> CheckResult
    needs: str | tuple = ""  # conditions under which the variant is false (see ``_CONDITIONS``)

    def applies(self, ev) -> bool:
        """Is the variant a false statement on this instance (every condition of ``needs`` holds)?"""
        if ev.fixed_point is None or ev.direct is None or ev.ep is None:
            return False
        needs = (self.needs,) if isinstance(self.needs, str) else self.needs
        return all(_CONDITIONS[n](ev) for n in needs if n)


def _small(ev):
    return mpmath.mpf(10) ** (-ev.dps / 2) * ev.scale_floor


def _varying_hessian(ev):
    from .fixed_point import initial_state

    s_init = [mpmath.mpf(x) for x in initial_state(ev.model)]
    return mpmath.mnorm(ev.compiled.H(s_init, ev.theta) - ev.cauchy.H, 1) > mpmath.mpf(10) ** (-ev.dps / 2)


def _truncation_matters(ev):
    if ev.dJ is None or not any(t > 0 for t in ev.times):
        return False
    k = next(i for i, t in enumerate(ev.times) if t > 0)
    return max(abs(a - b) for a, b in zip(ev.Y[k], ev.dJ)) > _small(ev)


def _rate_visible(ev):
    """H X_t is not 0 (relative to the rates' scale) at some time the stencils are centred on."""
    centres = [t for t in ev.times if t in (ev.stencil_points or {})]
    size = max((abs(v) for k, t in enumerate(ev.times) if t in centres for v in matvec(ev.cauchy.H, ev.X[k])),
               default=0)
    return size > mpmath.mpf(10) ** (-ev.dps / 2) * ev.rate_scale


# Variants that perturb a quantity are false only where that quantity is not zero.
_CONDITIONS = {
    "theta-cost": lambda ev: any(x != 0 for x in ev.cauchy.Y0),
    "minimum": lambda ev: ev.dJ is not None,
    "positive-time": lambda ev: any(t > 0 for t in ev.times),
    "time-zero": lambda ev: ev.times[0] == 0,
    "varying-hessian": _varying_hessian,
    "several-states": lambda ev: ev.model.n >= 2,
    "nonzero-X": lambda ev: max(abs(x) for X in ev.X for x in X) > _small(ev),
    "nonzero-Y": lambda ev: max(abs(y) for Y in ev.Y for y in Y) > _small(ev),
    "moving-Y": lambda ev: max(abs(y - y0) for Y in ev.Y for y, y0 in zip(Y, ev.cauchy.Y0)) > _small(ev),
    "moving-X": lambda ev: max(abs(x - x0) for X in ev.X for x, x0 in zip(X, ev.cauchy.X0)) > _small(ev),
    "nonzero-dJ": lambda ev: ev.dJ is not None and max(abs(x) for x in ev.dJ) > _small(ev),
    "truncation-matters": _truncation_matters,
    "coupled-blocks": lambda ev: _omitted_block(ev)[1] > _small(ev),
    "visible-rate": _rate_visible,
}


def rejected(result) -> bool:
    """A variant is rejected when its check failed by far more than its tolerance."""
    return (result.applicable and not result.passed and result.max_rel_error is not None
            and result.max_rel_error > REJECTION_MARGIN * result.tolerance)


def _cmp(ev, vid, eqs, compared, A, B, times, names, terms, scale_floor=None):
    return compare_series(vid, f"false variant {vid}", eqs, compared, A, B, times, names,
                          dps=ev.dps, condition=ev.cond, error_terms=terms,
                          scale_floor=ev.scale_floor if scale_floor is None else scale_floor)


def _ep_terms(ev):
    return [(ev.ep.extrapolation_error, "extrapolation"), (ev.ep.integration_error, "integrator (EP)"),
            (ev.direct.error_estimate, "integrator (direct)")]


def _eq23_sign(ev):
    Xt = [[-x for x in v] for v in ev.X_tilde]
    return _cmp(ev, "eq23-sign-flipped", ["23"], ["direct dL/ds", "+lim 1/beta dS^beta/dt (sign flipped)"],
                ev.direct.X.values, ev.direct.X.project(Xt), ev.times,
                direction_names(ev.direct.X, ev.names_s), _ep_terms(ev))


def _eq23_half_beta(ev):
    g = ep.temporal_derivative_readout(ev.compiled, ev.ep.theta)
    half, err = ev.ep.readout(lambda beta, s: [v / 2 for v in g(beta, s)])
    half = [half[ev.ep_times.index(t)] for t in ev.times]
    return _cmp(ev, "eq23-half-beta", ["23"], ["direct dL/ds", "-lim 1/(2 beta) dS^beta/dt"],
                ev.direct.X.values, ev.direct.X.project(half), ev.times,
                direction_names(ev.direct.X, ev.names_s), _ep_terms(ev) + [(err, "extrapolation")])


def _eq24_half_beta(ev):
    g = ep.parameter_readout(ev.compiled, ev.ep.s0, ev.ep.theta)
    half, err = ev.ep.readout(lambda beta, s: [v / 2 for v in g(beta, s)])
    half = [half[ev.ep_times.index(t)] for t in ev.times]
    return _cmp(ev, "eq24-half-beta", ["24"], ["direct dL/dtheta", "1/(2 beta)(dE^beta/dtheta(S^beta) - dE/dtheta(s^0))"],
                ev.direct.Y.values, ev.direct.Y.project(half), ev.times,
                direction_names(ev.direct.Y, ev.names_p), _ep_terms(ev) + [(err, "extrapolation")])


def _eq23_time_doubled(ev):
    X2, _ = rbp.closed_form(ev.cauchy, [2 * t for t in ev.times])
    return _cmp(ev, "eq23-time-doubled", ["23", "13"], ["EP X~ at t", "RBP closed-form X at 2t"],
                ev.X_tilde, X2, ev.times, ev.names_s,
                [(ev.ep.extrapolation_error, "extrapolation"), (ev.ep.integration_error, "integrator (EP)")])


def _hessian_at_initial_state(ev):
    from .fixed_point import initial_state

    s_init = [mpmath.mpf(x) for x in initial_state(ev.model)]
    wrong = dataclasses.replace(ev.cauchy, H=ev.compiled.H(s_init, ev.theta), M=ev.compiled.M(s_init, ev.theta))
    X, Y = rbp.closed_form(wrong, ev.times)
    dX, dY = ev.direct.X, ev.direct.Y
    return _cmp(ev, "hessian-at-initial-state", ["13", "14"], ["direct (dL/ds, dL/dtheta)",
                "Cauchy problem with H, M evaluated at the free phase's initial state instead of s_theta^0"],
                [a + b for a, b in zip(dX.values, dY.values)],
                [a + b for a, b in zip(dX.project(X), dY.project(Y))], ev.times,
                direction_names(dX, ev.names_s) + direction_names(dY, ev.names_p),
                [(ev.direct.error_estimate, "integrator (direct)")])


def _eq24_beta_cost_dropped(ev):
    dE0 = ev.compiled.dE_dtheta(ev.ep.s0, ev.ep.theta)
    Y, err = ev.ep.readout(lambda beta, s: [(e - e0) / beta for e, e0 in zip(ev.compiled.dE_dtheta(s, ev.ep.theta), dE0)])
    Y = [Y[ev.ep_times.index(t)] for t in ev.times]
    return _cmp(ev, "eq24-beta-cost-dropped", ["24"], ["direct dL/dtheta", "lim 1/beta (dE/dtheta(S^beta) - dE/dtheta(s^0)) (no beta dC/dtheta)"],
                ev.direct.Y.values, ev.direct.Y.project(Y), ev.times, direction_names(ev.direct.Y, ev.names_p),
                _ep_terms(ev) + [(err, "extrapolation")])


def _y0_zero(ev):
    wrong = dataclasses.replace(ev.cauchy, Y0=[mpmath.mpf(0)] * len(ev.cauchy.Y0))
    _, Y = rbp.closed_form(wrong, ev.times)
    return _cmp(ev, "Y0-zero", ["12"], ["direct dL/dtheta", "Cauchy problem with Y_0 = 0 instead of dC/dtheta"],
                ev.direct.Y.values, ev.direct.Y.project(Y), ev.times, direction_names(ev.direct.Y, ev.names_p),
                [(ev.direct.error_estimate, "integrator (direct)")])


def _eq61_as_printed(ev):
    Y0_tilde = ev.Y_tilde[0]
    return _cmp(ev, "eq61-as-printed", ["61", "12"], ["EP Y~ at t = 0", "0 (Eq 61 as printed)"],
                [Y0_tilde], [[mpmath.mpf(0)] * len(Y0_tilde)], [ev.times[0]], ev.names_p,
                [(ev.ep.extrapolation_error, "extrapolation")])


def _omitted_block(ev):
    """H with one block of couplings removed, and the largest entry removed."""
    H = ev.cauchy.H.copy()
    n = H.rows
    blocks = [b.size for b in ev.model.state]
    removed = mpmath.mpf(0)
    if n == 1:
        H[0, 0] = H[0, 0] / 2
        return H, abs(H[0, 0]), "H replaced by H/2"
    if len(blocks) > 1:
        a = blocks[0]
        pairs = [(i, j) for i in range(a) for j in range(a, n)]
        what = f"coupling block H[{ev.model.state[0].name}, rest] set to 0"
    else:
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        what = "off-diagonal entries of H set to 0"
    for i, j in pairs:
        removed = max(removed, abs(H[i, j]))
        H[i, j] = H[j, i] = 0
    return H, removed, what


def _hessian_block_omitted(ev):
    H, _, what = _omitted_block(ev)
    X, Y = rbp.closed_form(dataclasses.replace(ev.cauchy, H=H), ev.times)
    dX, dY = ev.direct.X, ev.direct.Y
    return _cmp(ev, "hessian-block-omitted", ["13"], ["direct (dL/ds, dL/dtheta)", f"Cauchy problem with {what}"],
                [a + b for a, b in zip(dX.values, dY.values)],
                [a + b for a, b in zip(dX.project(X), dY.project(Y))], ev.times,
                direction_names(dX, ev.names_s) + direction_names(dY, ev.names_p),
                [(ev.direct.error_estimate, "integrator (direct)")])


def _m_transposed_sign(ev):
    # dY/dt = +M X (the sign of Eq 14 flipped): Y_t = Y_0 + M H^-1 (I - e^{-Ht}) X_0
    wrong = dataclasses.replace(ev.cauchy, M=-ev.cauchy.M)
    _, Y = rbp.closed_form(wrong, ev.times)
    return _cmp(ev, "eq14-sign-flipped", ["14"], ["direct dL/dtheta", "Cauchy problem with dY/dt = +M X"],
                ev.direct.Y.values, ev.direct.Y.project(Y), ev.times, direction_names(ev.direct.Y, ev.names_p),
                [(ev.direct.error_estimate, "integrator (direct)")])


def _eq20_at_finite_t(ev):
    k = next(i for i, t in enumerate(ev.times) if t > 0)
    return _cmp(ev, "eq20-at-finite-t", ["20", "24"],
                [f"EP Y~ at t = {mpmath.nstr(ev.times[k], 4)} (truncated second phase)", "J route dJ/dtheta"],
                [ev.Y_tilde[k]], [ev.dJ], [ev.times[k]], ev.names_p,
                [(ev.ep.extrapolation_error, "extrapolation")])


def _theorem2_half_beta(ev):
    with mpmath.workdps(ev.ep.dps):
        g, err = objective.ep_fixed_point_gradient(ev.compiled, ev.ep.s0, ev.ep.theta, ev.plan,
                                                   ev.nudged_points, factor=mpmath.mpf(1) / 2)
    return _cmp(ev, "eq20-half-beta", ["20"], ["EP fixed points with 1/(2 beta)", "J route dJ/dtheta"],
                [g], [ev.dJ], [mpmath.inf], ev.names_p, [(err, "extrapolation")])


def _theorem3_ode_sign(ev):
    A, B, est = time_derivative_on_ep(ev, sign_of_H=-1)
    return _cmp(ev, "theorem3-ode-sign", ["13"], ["EP d/dt X~ by central differences", "+H X~ (sign flipped)"],
                A, B, list(ev.stencil_points), ev.names_s + ev.names_p, [(est, "finite differences")],
                scale_floor=ev.rate_scale)


def _eq56_as_printed(ev):
    """Eq 56 as printed: d/dt dS/dbeta = -H dS/dbeta (it drops the -dC/ds term of Eq 53)."""
    Z, err = ev.ep.readout(lambda beta, s: [(a - b) / beta for a, b in zip(s, ev.ep.s0)])
    A, est = stencil.derivatives_at_centres(lambda x: Z[ev.ep_times.index(x)], ev.stencil_points,
                                            ev.stencil_order, ev.stencil_delta, err + ev.ep.integration_error)
    B = [[-v for v in matvec(ev.cauchy.H, Z[ev.ep_times.index(t)])] for t in ev.stencil_points]
    return _cmp(ev, "eq56-as-printed", ["56", "53"], ["d/dt of dS^beta/dbeta at beta=0 (EP states)",
                "-H dS^beta/dbeta (Eq 56 as printed)"], A, B, list(ev.stencil_points), ev.names_s,
                [(est, "finite differences")])


class _NonGradient:
    """The model's compiled callables with gamma K (s - s0) added to the field (K skew-symmetric)."""

    def __init__(self, compiled, s0, gamma, seed):
        self._c = compiled
        self.n, self.p, self.model = compiled.n, compiled.p, compiled.model
        rng = random.Random(seed)
        n = compiled.n
        K = [[0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                K[i][j] = sp.Rational(rng.randint(1, 8), 8) * (1 if rng.random() < 0.5 else -1)
                K[j][i] = -K[i][j]
        if n == 1:
            raise ValueError("a one-dimensional state has no skew-symmetric coupling")
        self.K = [[gamma * k for k in row] for row in K]
        self.s0 = s0

    def __getattr__(self, name):
        return getattr(self._c, name)

    def extended_field(self, s, theta, beta=0):
        base = self._c.extended_field(s, theta, beta)
        d = [a - b for a, b in zip(s, self.s0)]
        return [f + mpmath.fsum(mpmath.mpf(k.p) / k.q * x for k, x in zip(row, d))
                for f, row in zip(base, self.K)]

    def displacement_field(self):
        field, D, params = self._c.displacement_field()
        return [f + sp.Add(*[k * d for k, d in zip(row, D)]) for f, row in zip(field, self.K)], D, params


def _non_gradient(ev):
    """Corollary 4 (Eq 23) claimed for a non-gradient flow: must be rejected."""
    ng = _NonGradient(ev.compiled, ev.fixed_point.s, sp.Rational(1, 2), seed=7)
    flows = Flows(ng, ev.flows.backend)
    s0, theta = ev.fixed_point.s, ev.theta
    truth = direct.truncated_objective_gradient(ng, flows, s0, theta, ev.times, dps=ev.work,
                                                max_directions=min(ng.n, 16), seed=0)
    with mpmath.workdps(ev.ep.dps):
        ng.s0 = ev.ep.s0
        res = ep.nudged_phase(ng, flows, ev.ep.s0, ev.ep.theta, ev.times, ev.plan, dps=ev.ep.dps)
    return _cmp(ev, "non-gradient", ["23"], ["direct dL/ds on the flow -dE/ds + gamma K (s - s0), K skew",
                "EP X~ on the same flow nudged by -beta dC/ds"], truth.X.values, truth.X.project(res.X_tilde),
                ev.times, direction_names(truth.X, ev.names_s),
                [(res.extrapolation_error, "extrapolation"), (res.integration_error, "integrator (EP)"),
                 (truth.error_estimate, "integrator (direct)")])


VARIANTS = [
    Variant("eq23-sign-flipped", "corollary4", "Eq 23 with the sign of the right side flipped", _eq23_sign,
            needs="nonzero-X"),
    Variant("eq23-half-beta", "corollary4", "Eq 23 with 1/(2 beta) instead of 1/beta", _eq23_half_beta,
            needs="nonzero-X"),
    Variant("eq23-time-doubled", "corollary4", "X~ at time t compared with X at time 2t", _eq23_time_doubled,
            needs=("positive-time", "moving-X")),
    Variant("eq24-half-beta", "eq24", "Eq 24 with 1/(2 beta) instead of 1/beta", _eq24_half_beta,
            needs="nonzero-Y"),
    Variant("eq24-beta-cost-dropped", "eq24", "Eq 24 without the beta dC/dtheta term of dE^beta/dtheta",
            _eq24_beta_cost_dropped, needs="theta-cost"),
    Variant("hessian-at-initial-state", "theorem1", "Cauchy problem with H and M at the free phase's initial "
            "state instead of s_theta^0", _hessian_at_initial_state, needs="varying-hessian"),
    Variant("hessian-block-omitted", "theorem1", "Cauchy problem with a block of H omitted", _hessian_block_omitted,
            needs=("coupled-blocks", "nonzero-X")),
    Variant("eq14-sign-flipped", "theorem1", "Eq 14 as dY/dt = +M X", _m_transposed_sign, needs="moving-Y"),
    Variant("Y0-zero", "theorem1", "Eq 12 replaced by Y_0 = 0 (theta-dependent costs)", _y0_zero,
            needs="theta-cost"),
    Variant("eq61-as-printed", "theorem3", "Eq 61 as printed: Y~_0 = 0 (theta-dependent costs)",
            _eq61_as_printed, needs=("theta-cost", "time-zero")),
    Variant("theorem3-ode-sign", "theorem3", "dX~/dt = +H X~", _theorem3_ode_sign,
            needs=("positive-time", "nonzero-X", "visible-rate")),
    Variant("eq56-as-printed", "theorem3", "Eq 56 as printed: d/dt dS/dbeta = -H dS/dbeta (drops -dC/ds)",
            _eq56_as_printed, needs=("positive-time", "nonzero-X")),
    Variant("eq20-half-beta", "theorem2", "Eq 20 with 1/(2 beta)", _theorem2_half_beta, needs="nonzero-dJ"),
    Variant("eq20-at-finite-t", "theorem2", "the truncated EP gradient (Eq 24 at the first t > 0) claimed "
            "equal to dJ/dtheta", _eq20_at_finite_t, needs="truncation-matters"),
    Variant("non-gradient", "corollary4", "Eq 23 for a non-gradient flow (skew-symmetric coupling added)",
            _non_gradient, needs=("several-states", "nonzero-X")),
]


def run_variants(ev, variants=None) -> list:
    """(variant, CheckResult or None when it does not apply) for each variant."""
    out = []
    for v in variants or VARIANTS:
        if not v.applies(ev):
            out.append((v, None))
            continue
        out.append((v, v.run(ev)))
    return out
