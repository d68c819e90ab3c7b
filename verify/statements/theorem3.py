"""Theorem 3: (X~, Y~) of EP (Eq 21, 22) solve the Cauchy problem Eq 11-14; and its false variants."""

from __future__ import annotations

import mpmath

from .. import stencil
from ..numbers import matvec
from ..routes import ep
from .record import Statement, ep_terms, joined, xy_blocks


def _theorem3(rec, ev):
    return rec.compare(ev, joined(ev.X_tilde, ev.Y_tilde), joined(ev.X, ev.Y), ev.times,
                       ev.names_s + ev.names_p,
                       blocks=xy_blocks(ev, len(ev.names_s), len(ev.names_p), ep_terms(ev, "X"), ep_terms(ev, "Y")))


def _eq61_as_printed(rec, ev):
    # Y~ at t = 0 with the extrapolation error of that time alone (later times' Y~ may be far larger)
    k = ev.ep_times.index(ev.times[0])
    with ev.ep.precision.context():   # the readout's base dE/dtheta(s^0) too: 1/beta amplifies its rounding
        g = ep.parameter_readout(ev.compiled, ev.ep.s0, ev.ep.theta)
        Y0_tilde, err = ev.ep.plan.combine([g(beta, row[k]) for beta, row in zip(ev.ep.plan.betas, ev.ep.states)])
    return rec.compare(ev, [Y0_tilde], [[mpmath.mpf(0)] * len(Y0_tilde)], [ev.times[0]], ev.names_p,
                       [(err, "extrapolation")], scale_floor=ev.scale_floor_Y)


def _eq56_as_printed(rec, ev):
    """Eq 56 as printed: d/dt dS/dbeta = -H dS/dbeta (it drops the -dC/ds term of Eq 53)."""
    Z, err = ev.ep.readout(lambda beta, s: [(a - b) / beta for a, b in zip(s, ev.ep.s0)])
    A, est = stencil.derivatives_at_centres(lambda x: Z[ev.ep_times.index(x)], ev.stencil_points,
                                            ev.stencil_order, ev.stencil_delta, err + ev.ep.integration_error)
    B = [[-v for v in matvec(ev.cauchy.H, Z[ev.ep_times.index(t)])] for t in ev.stencil_points]
    return rec.compare(ev, A, B, list(ev.stencil_points), ev.names_s, [(est, "finite differences")],
                       scale_floor=ev.rate_scale_X)


RECORDS = [
    Statement("theorem3", ("21", "22", "11", "12", "13", "14"),
              "Theorem 3: (X~, Y~) of EP solve the Cauchy problem",
              ("EP: nudged flow Eq 18 from s_theta^0 ({backend}), X~ Eq 21, Y~ Eq 22, {beta}",
               "RBP: Cauchy problem Eq 11-14 in closed form"),
              _theorem3, needs=("ep",), order=50, label="Theorem 3 (EP vs RBP)"),
    Statement("eq61-as-printed", ("61", "12"), "Eq 61 as printed: Y~_0 = 0 (theta-dependent costs)",
              ("EP Y~ at t = 0", "0 (Eq 61 as printed)"),
              _eq61_as_printed, needs=("ep", "direct"), order=1, of="theorem3",
              false_when=("theta-cost", "time-zero")),
    Statement("eq56-as-printed", ("56", "53"),
              "Eq 56 as printed: d/dt dS/dbeta = -H dS/dbeta (drops -dC/ds)",
              ("d/dt of dS^beta/dbeta at beta=0 (EP states)", "-H dS^beta/dbeta (Eq 56 as printed)"),
              _eq56_as_printed, needs=("ep", "direct"), order=3, of="theorem3",
              false_when=("positive-time", "nonzero-X", "X0-visible-in-rates")),
]
