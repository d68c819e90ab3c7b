"""Corollary 4, Eq 23: dL/ds = -lim 1/beta dS^beta/dt; and its false variants (Eq 24: eq24.py)."""

from __future__ import annotations

from ..routes import rbp
from .record import Statement, direct_terms, direction_names, ep_terms


def _corollary4(rec, ev):
    # X~ and dL/ds alone: their own error estimates, on the size of X_0 (a large Y_0 has other units)
    terms = [(ev.ep.extrapolation_error_X, "extrapolation"), (ev.ep.integration_error, "integrator (EP)"),
             (ev.direct.error_estimate_X, "integrator (direct)")]
    return rec.compare(ev, ev.direct.X.values, ev.direct.X.project(ev.X_tilde), ev.times,
                       direction_names(ev.direct.X, ev.names_s), terms, scale_floor=ev.scale_floor_X)


def _eq23_sign_flipped(rec, ev):
    Xt = [[-x for x in v] for v in ev.X_tilde]
    return rec.compare(ev, ev.direct.X.values, ev.direct.X.project(Xt), ev.times,
                       direction_names(ev.direct.X, ev.names_s), ep_terms(ev, "X") + direct_terms(ev, "X"),
                       scale_floor=ev.scale_floor_X)


def _eq23_time_doubled(rec, ev):
    X2, _ = rbp.closed_form(ev.cauchy, [2 * t for t in ev.times])
    return rec.compare(ev, ev.X_tilde, X2, ev.times, ev.names_s, ep_terms(ev, "X"), scale_floor=ev.scale_floor_X)


RECORDS = [
    Statement("corollary4", ("23",), "Corollary 4: dL/ds = -lim 1/beta dS^beta/dt",
              ("direct: dL/ds by complex step on the free flow (Eq 9, 15)",
               "EP: X~ = -lim 1/beta dS^beta/dt (Eq 21), {beta}"),
              _corollary4, needs=("ep", "direct"), order=70, label="Corollary 4, Eq 23", conditioned=False),
    Statement("eq23-sign-flipped", ("23",), "Eq 23 with the sign of the right side flipped",
              ("direct dL/ds", "+lim 1/beta dS^beta/dt (sign flipped)"),
              _eq23_sign_flipped, needs=("ep", "direct"), order=1, of="corollary4", false_when=("nonzero-X",)),
    Statement("eq23-time-doubled", ("23", "13"), "X~ at time t compared with X at time 2t",
              ("EP X~ at t", "RBP closed-form X at 2t"),
              _eq23_time_doubled, needs=("ep", "direct"), order=3, of="corollary4",
              false_when=("positive-time", "moving-X", "time-doubling-visible")),
]
