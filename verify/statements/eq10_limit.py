"""Eq 10: the Cauchy problem's Y at t -> infinity (closed form) = dJ/dtheta."""

from __future__ import annotations

import mpmath

from ..routes import rbp
from .record import Statement


def _eq10_limit(rec, ev):
    _, Y_inf = rbp.limit(ev.cauchy)
    res = rec.compare(ev, [ev.on_dJ(Y_inf)], [ev.dJ], [mpmath.inf], ev.names_dJ, [])
    res.details = [f"t={mpmath.nstr(t, 4)}: |Y_t - dJ/dtheta| = "
                   f"{mpmath.nstr(max(abs(a - b) for a, b in zip(ev.on_dJ(y), ev.dJ)), 3)}, "
                   f"|X_t| = {mpmath.nstr(max(abs(x) for x in xx), 3)}"
                   for t, y, xx in zip(ev.times, ev.Y, ev.X)]
    res.details.append(f"(both decay like exp(-lambda_min t), lambda_min = "
                       f"{mpmath.nstr(ev.fixed_point.hessian_eigenvalues[0], 5)})")
    return res


def _eq10_limit_y0(rec, ev):
    return rec.compare(ev, [ev.on_dJ(ev.cauchy.Y0)], [ev.dJ], [mpmath.inf], ev.names_dJ, [])


RECORDS = [
    Statement("eq10-limit", ("10", "3"),
              "Eq 10: the Cauchy problem's Y at t -> infinity (closed form) = dJ/dtheta",
              ("RBP closed form at t -> infinity: Y = Y_0 - M H^-1 X_0, X = 0",
               "J route: dJ/dtheta by complex step on re-solved fixed points (Eq 3)"),
              _eq10_limit, needs=("dJ",), order=40, label="Eq 10 (t -> infinity vs dJ/dtheta)"),
    Statement("eq10-limit-Y0", ("10", "12"),
              "dJ/dtheta claimed equal to Y_0 = dC/dtheta(s_theta^0) (the change of s_theta^0 with theta dropped)",
              ("Y_0 = dC/dtheta at s_theta^0 (Eq 12)", "J route: dJ/dtheta by complex step on re-solved "
               "fixed points (Eq 3)"),
              _eq10_limit_y0, needs=("ep", "direct", "dJ"), order=1, of="eq10-limit", false_when=("dJ-not-Y0",)),
]
