"""Discrete time (Ernoult et al. 2019, the GDU property): statements and their false variants, as records.

=============== ============================================== ==============================================
check           side A                                         side B
=============== ============================================== ==============================================
gdu-s           EP: DeltaEP_s(t) from the nudged sequence,     BPTT: -dL_t/ds(s*), complex step on the
                beta -> 0                                      unrolled map (no Jacobian)
gdu-theta       EP: DeltaEP_theta(t), beta -> 0                BPTT: -d/dtheta' C(F^t(F_theta'(s*))), complex
                                                               step on the unrolled map
gdu-sum         EP: (dPhi/dtheta(s^b_K) - dPhi/dtheta(s*))/b,  BPTT: -d/dtheta C(F_theta^K(s*)) (theta in all
                beta -> 0 (the EP update at step K)            K steps), complex step on the unrolled map
bptt-adjoint    BPTT on the unrolled map (complex step)        BPTT by the adjoint recursion with dF/ds at s*
=============== ============================================== ==============================================

The three ``gdu-*`` statements need dF/ds symmetric (a gradient map); for an
``[update]`` map they are not applicable unless dF/ds is symmetric to
working precision, and the discrepancy is reported instead. A false variant
names the statement it perturbs (``of``); the falsification tests require
every variant to be rejected (its error far above its tolerance).

The records run on :class:`verify.discrete.check.DiscreteEvidence`; the
registry keeps them apart from the continuous ones (``dynamics = "discrete"``).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import mpmath

from ..compare import compare_series, not_applicable
from .record import Statement


@dataclasses.dataclass(frozen=True)
class DiscreteStatement(Statement):
    """One discrete statement (or false variant); ``compute(evidence)`` returns (A, B, names, error terms)."""

    dynamics: str = "discrete"
    needs_phi: bool = False       # needs Phi (primitive or energy): dPhi/dtheta
    needs_gradient_map: bool = True
    note: Callable | None = None  # (evidence) -> a line for the result's reason (a measurement, not a verdict)
    at_step_K: bool = False       # compares one vector, at step K (the EP update), not one per step t < K

    def sides(self, ev):
        return [side.replace("{beta}", ev.ep.description if ev.ep else "beta -> 0") for side in self.compared]

    def missing(self, ev) -> str | None:
        if ev.fixed_point is None:
            return f"no fixed point of F: {ev.fixed_point_error}"
        if self.needs_phi and ev.compiled.dPhi_dtheta is None:
            return "needs `primitive` or `energy` (DeltaEP_theta reads dPhi/dtheta; an [update] map has no Phi)"
        if self.needs_gradient_map and not ev.gradient_map:
            return ev.not_gradient_reason
        return None

    def applies(self, ev) -> bool:
        return self.missing(ev) is None

    def run(self, ev):
        reason = self.missing(ev)
        title = self.result_title
        if reason is not None:
            return not_applicable(self.id, title, list(self.equations), self.sides(ev), reason)
        A, B, names, terms = self.compute(ev)
        steps = [ev.steps] if self.at_step_K else list(range(len(A)))
        result = compare_series(self.id, title, list(self.equations), self.sides(ev), A, B,
                                steps, names, dps=ev.prec.dps, error_terms=terms,
                                scale_floor=ev.scale_floor)
        if self.note is not None and result.reason is None:
            result.reason = self.note(ev)
        return result


def _neg(rows):
    return [[-x for x in row] for row in rows]


def _ep_terms(ev):
    return [(ev.ep.extrapolation_error, "extrapolation (EP)"), (ev.unrolled.error_estimate, "complex step (BPTT)")]


def _names(directional, names):
    return list(names) if directional.full else [f"projection {i}" for i in range(len(directional.directions))]


def _gdu_s(ev, shift=0, ep=None):
    ep = ep or ev.ep
    K = ev.steps
    U = ev.unrolled.s
    return (U.project(ep.delta_s), _neg(U.values[shift:shift + K]), _names(U, ev.names_s), _ep_terms(ev))


def _gdu_theta(ev, ep=None):
    ep = ep or ev.ep
    U = ev.unrolled.theta
    return ep.theta_side(U, ep.delta_theta), _neg(U.values), _names(U, ev.names_p), _ep_terms(ev)


def _gdu_sum(ev):
    U = ev.unrolled.total
    return ev.ep.theta_side(U, [ev.ep.update]), _neg(U.values), _names(U, ev.names_p), _ep_terms(ev)


def _limit_note(ev):
    """How far the EP update at step K still is from -dJ/dtheta (discrete Theorem 2: the gap ~ rho^K)."""
    limit = [-(d - c) for d, c in zip(ev.dJ, ev.compiled.dC_dtheta(ev.fixed_point.s, ev.theta))]
    if ev.ep.theta_projected:   # a large model: the EP update is known on the projections only
        limit = ev.unrolled.total.project([limit])[0]
    gap = max(abs(u - v) for u, v in zip(ev.ep.update, limit)) / max(max(abs(v) for v in limit), ev.scale_floor)
    return (f"as K grows the EP update tends to -(dJ/dtheta - dC/dtheta): relative gap at K={ev.steps} is "
            f"{mpmath.nstr(gap, 3)} (spectral radius^K = {mpmath.nstr(ev.fixed_point.spectral_radius ** ev.steps, 3)})")


def _bptt_adjoint(ev, adjoint=None):
    U, A = ev.unrolled, adjoint or ev.adjoint
    left = [list(x) for x in U.s.values[:ev.steps]]
    right = U.s.project(A.s[:ev.steps])
    names = _names(U.s, ev.names_s)
    if U.theta is not None:
        left = [a + list(b) for a, b in zip(left, U.theta.values)]
        right = [a + b for a, b in zip(right, U.theta.project(A.theta))]
        names += _names(U.theta, ev.names_p)
    return left, right, names, [(ev.unrolled.error_estimate, "complex step")]


def _sum_one_step_early(ev):
    U = ev.unrolled.total
    early = ([mpmath.fsum(col) for col in zip(*ev.ep.delta_theta[:-1])] if ev.steps > 1
             else [0] * len(ev.ep.delta_theta[0]))
    return ev.ep.theta_side(U, [early]), _neg(U.values), _names(U, ev.names_p), _ep_terms(ev)


def _adjoint_at_start(ev):
    A, B, names, terms = _bptt_adjoint(ev, adjoint=ev.adjoint_variant("jacobian-at-start"))
    return A, B, names, terms


def _beta_flipped(ev):
    return _gdu_s(ev, ep=ev.ep_variant("beta-flipped"))


def _theta_free_state(ev):
    return _gdu_theta(ev, ep=ev.ep_variant("free-state"))


RECORDS = [
    DiscreteStatement("gdu-s", ("21", "23"), "GDU: DeltaEP_s(t) = -dL_t/ds(s*) (Ernoult et al. 2019, Thm 1; discrete Eq 21, 23)",
                      ("EP: DeltaEP_s(t) = lim (s^b_{t+1} - s^b_t)/b on the nudged map, {beta}",
                       "BPTT: -dL_t/ds(s*), L_t = C(F^t(s)), complex step on the unrolled map (no Jacobian)"),
                      _gdu_s, order=110),
    DiscreteStatement("gdu-theta", ("22", "24"), "GDU: DeltaEP_theta(t) = -d/dtheta' C(F^t(F_theta'(s*))) (discrete Eq 22, 24)",
                      ("EP: DeltaEP_theta(t) = lim (dPhi/dtheta(s^b_{t+1}) - dPhi/dtheta(s^b_t))/b, {beta}",
                       "BPTT: -d/dtheta' C(F^t(F_theta'(s*))), theta' only in the step leaving s*, complex step"),
                      _gdu_theta, needs_phi=True, order=120),
    DiscreteStatement("gdu-sum", ("20",), "GDU: sum_{t<K} DeltaEP_theta(t) = the EP update at step K = total BPTT gradient "
                      "(discrete Eq 20)",
                      ("EP: lim (dPhi/dtheta(s^b_K) - dPhi/dtheta(s*))/b, {beta}",
                       "BPTT: -d/dtheta C(F_theta^K(s*)), theta in all K steps, complex step on the unrolled map"),
                      _gdu_sum, needs_phi=True, note=_limit_note, at_step_K=True, order=130),
    DiscreteStatement("bptt-adjoint", ("11", "12"), "BPTT on the unrolled map = BPTT by the adjoint recursion at s*",
                      ("BPTT: complex step on the unrolled map L_t = C(F^t(s)) (and theta in one step)",
                       "BPTT: g_0 = dC/ds(s*), g_{t+1} = (dF/ds)^T g_t, dF/dtheta^T g_t (Jacobians at s*)"),
                      _bptt_adjoint, needs_gradient_map=False, order=140),
    DiscreteStatement("gdu-s-beta-flipped", ("21",), "gdu-s with the sign of beta flipped in the nudged map",
                      ("EP with s^b_{t+1} = F(s^b_t) + b dC/ds (wrong sign)", "BPTT -dL_t/ds(s*)"),
                      _beta_flipped, of="gdu-s", order=1),
    DiscreteStatement("gdu-theta-free-state", ("22",), "gdu-theta with DeltaEP_theta read against the free state s*",
                      ("EP: lim (dPhi/dtheta(s^b_{t+1}) - dPhi/dtheta(s*))/b (wrong reference)",
                       "BPTT per step"),
                      _theta_free_state, needs_phi=True, of="gdu-theta", order=1),
    DiscreteStatement("gdu-s-index-off-by-one", ("21",), "gdu-s with BPTT's index off by one (dL_{t+1}/ds)",
                      ("EP DeltaEP_s(t)", "BPTT -dL_{t+1}/ds(s*) (wrong index)"),
                      lambda ev: _gdu_s(ev, shift=1), of="gdu-s", order=3),
    DiscreteStatement("gdu-sum-update-at-K-minus-1", ("20",), "gdu-sum with the EP update read one step early",
                      ("EP: sum_{t<K-1} DeltaEP_theta(t) (the update at step K-1)", "BPTT through K steps"),
                      _sum_one_step_early, needs_phi=True, of="gdu-sum", at_step_K=True, order=1),
    DiscreteStatement("bptt-adjoint-jacobian-at-start", ("13",),
                      "bptt-adjoint with dF/ds and dF/dtheta taken at the initial state instead of s*",
                      ("BPTT on the unrolled map", "adjoint recursion with the Jacobians at initial_state"),
                      _adjoint_at_start, needs_gradient_map=False, of="bptt-adjoint", order=1),
]

def discrepancy(ev) -> list:
    """Per step: relative error and cosine between EP's DeltaEP_s(t) and the true -dL_t/ds(s*)."""
    out = []
    U = ev.unrolled.s
    for t, (a, b) in enumerate(zip(U.project(ev.ep.delta_s), _neg(U.values[:ev.steps]))):
        na = mpmath.sqrt(mpmath.fsum(x * x for x in a))
        nb = mpmath.sqrt(mpmath.fsum(x * x for x in b))
        diff = mpmath.sqrt(mpmath.fsum((x - y) ** 2 for x, y in zip(a, b)))
        rel = diff / nb if nb else (mpmath.mpf(0) if diff == 0 else mpmath.inf)
        cos = mpmath.fsum(x * y for x, y in zip(a, b)) / (na * nb) if na and nb else None
        out.append((t, rel, cos))
    return out
