"""Corollary 4, Eq 24: dL/dtheta = lim 1/beta (dE^beta/dtheta(S^beta) - dE/dtheta(s^0)); and a false variant."""

from __future__ import annotations

from .record import Statement, at_requested_times, direct_terms, direction_names, ep_terms


def _eq24(rec, ev):
    terms = [(ev.ep.extrapolation_error_Y, "extrapolation"), (ev.ep.integration_error, "integrator (EP)"),
             (ev.direct.error_estimate_Y, "integrator (direct)")]   # Y~ and dL/dtheta alone
    return rec.compare(ev, ev.direct.Y.values, ev.direct.Y.project(ev.Y_tilde), ev.times,
                       direction_names(ev.direct.Y, ev.names_p), terms, scale_floor=ev.scale_floor_Y)


def _eq24_beta_cost_dropped(rec, ev):
    with ev.ep.precision.context():   # the base to the route's digits: 1/beta amplifies its rounding
        dE0 = ev.compiled.dE_dtheta(ev.ep.s0, ev.ep.theta)
    Y, err = ev.ep.quotient_readout(lambda beta, s: ev.compiled.dE_dtheta(s, ev.ep.theta), dE0)
    return rec.compare(ev, ev.direct.Y.values, ev.direct.Y.project(at_requested_times(ev, Y)), ev.times,
                       direction_names(ev.direct.Y, ev.names_p),
                       ep_terms(ev, "Y") + direct_terms(ev, "Y") + [(err, "extrapolation")],
                       scale_floor=ev.scale_floor_Y)


RECORDS = [
    Statement("eq24", ("24",), "Corollary 4: dL/dtheta = lim 1/beta (dE^beta/dtheta(S^beta) - dE/dtheta(s^0))",
              ("direct: dL/dtheta by complex step on the free flow (Eq 9, 16)", "EP: Y~ (Eq 22), {beta}"),
              _eq24, needs=("ep", "direct"), order=80, label="Corollary 4, Eq 24", conditioned=False),
    Statement("eq24-beta-cost-dropped", ("24",), "Eq 24 without the beta dC/dtheta term of dE^beta/dtheta",
              ("direct dL/dtheta", "lim 1/beta (dE/dtheta(S^beta) - dE/dtheta(s^0)) (no beta dC/dtheta)"),
              _eq24_beta_cost_dropped, needs=("ep", "direct"), order=2, of="eq24",
              false_when=("theta-cost", "visible-Y0")),
]
