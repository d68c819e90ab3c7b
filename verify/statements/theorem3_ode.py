"""Theorem 3 on EP data directly: dX~/dt = -H X~ and dY~/dt = -M X~ (Eq 13, 14) by central differences in t."""

from __future__ import annotations

import mpmath

from ..compare import not_applicable
from .record import Statement, time_derivative_on_ep


def _theorem3_ode(rec, ev):
    if not ev.stencil_points:
        return not_applicable(rec.id, rec.title, list(rec.equations), rec.sides(ev),
                              f"no requested time t > {mpmath.nstr(ev.stencil_order * ev.stencil_delta, 3)}")
    A, B, blocks = time_derivative_on_ep(ev)
    return rec.compare(ev, A, B, list(ev.stencil_points), ev.names_s + ev.names_p, blocks=blocks)


def _theorem3_ode_sign(rec, ev):
    A, B, blocks = time_derivative_on_ep(ev, sign_of_H=-1)
    return rec.compare(ev, A, B, list(ev.stencil_points), ev.names_s + ev.names_p, blocks=blocks)


RECORDS = [
    Statement("theorem3-ode", ("13", "14", "21", "22"),
              "Theorem 3: dX~/dt = -H X~ and dY~/dt = -M X~ on EP data",
              ("EP: d/dt of X~, Y~ by order-{order} central differences in t (delta={delta})",
               "-H(s_theta^0) X~_t and -M(s_theta^0) X~_t (Eq 13, 14)"),
              _theorem3_ode, needs=("ep",), order=60, label="Theorem 3, d/dt on EP data"),
    Statement("theorem3-ode-sign", ("13",), "dX~/dt = +H X~",
              ("EP d/dt X~ by central differences", "+H X~ (sign flipped)"),
              _theorem3_ode_sign, needs=("ep", "direct"), order=1, of="theorem3-ode",
              false_when=("positive-time", "nonzero-X", "visible-rate")),
]
