"""Theorem 2 (Eq 20): the EP gradient formula on nudged fixed points = dJ/dtheta; and a false variant."""

from __future__ import annotations

import mpmath

from .record import Statement


def _theorem2(rec, ev):
    return rec.compare(ev, [ev.on_dJ(ev.ep_gradient)], [ev.dJ], [mpmath.inf], ev.names_dJ,
                       [(ev.ep_gradient_error, "extrapolation")])


def _eq20_at_finite_t(rec, ev):
    k = next(i for i, t in enumerate(ev.times) if t > 0)
    return rec.compare(ev, [ev.on_dJ(ev.Y_tilde[k])], [ev.dJ], [ev.times[k]], ev.names_dJ,
                       [(ev.ep.extrapolation_error, "extrapolation")],
                       compared=[f"EP Y~ at t = {mpmath.nstr(ev.times[k], 4)} (truncated second phase)",
                                 rec.compared[1]])


RECORDS = [
    Statement("theorem2", ("20",), "Theorem 2: EP gradient formula = dJ/dtheta",
              ("EP: nudged fixed points s^beta (Eq 19) by Newton, Eq 20 with {beta}",
               "J route: dJ/dtheta by complex step, s_theta^0 re-solved at theta + i h v, "
               "v = e_k (or each projection direction) (Eq 2, 3)"),
              _theorem2, needs=("dJ",), order=30, label="Theorem 2 (EP fixed points vs dJ/dtheta)"),
    Statement("eq20-at-finite-t", ("20", "24"),
              "the truncated EP gradient (Eq 24 at the first t > 0) claimed equal to dJ/dtheta",
              ("EP Y~ at the first t > 0 (truncated second phase)", "J route dJ/dtheta"),
              _eq20_at_finite_t, needs=("ep", "direct", "dJ"), order=2, of="theorem2",
              false_when=("truncation-matters",)),
]
