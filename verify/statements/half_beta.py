"""The half-beta false variants: Eq 20, 23 or 24 with 1/(2 beta) in place of 1/beta (one parametrised record)."""

from __future__ import annotations

import mpmath

from ..routes import ep, objective
from .record import Statement, at_requested_times, direct_terms, direction_names, ep_terms, floor_of

HALF = mpmath.mpf(1) / 2

#: statement -> (equation, EP readout quotient factory, direct route part, component names, the EP side's text)
_ON_FLOW = {
    "corollary4": ("23", lambda ev: ep.temporal_derivative_quotient(ev.compiled, ev.ep.theta), "X", "names_s",
                   ("direct dL/ds", "-lim 1/(2 beta) dS^beta/dt")),
    "eq24": ("24", lambda ev: ep.parameter_quotient(ev.compiled, ev.ep.s0, ev.ep.theta), "Y", "names_p",
             ("direct dL/dtheta", "1/(2 beta)(dE^beta/dtheta(S^beta) - dE/dtheta(s^0))")),
}


def _on_flow(statement):
    """Eq 23 / 24 on the nudged flow's states, the readout halved."""
    _, readout, part, names, _ = _ON_FLOW[statement]

    def compute(rec, ev):
        with ev.ep.precision.context():   # the base dE/dtheta(s^0) to the route's digits: 1/beta amplifies it
            fn, base, factor = readout(ev)
        half, err = ev.ep.quotient_readout(fn, base, HALF * factor)
        d = getattr(ev.direct, part)
        return rec.compare(ev, d.values, d.project(at_requested_times(ev, half)), ev.times,
                           direction_names(d, getattr(ev, names)),
                           ep_terms(ev, part) + direct_terms(ev, part) + [(err, "extrapolation")],
                           scale_floor=floor_of(ev, part))
    return compute


def _on_fixed_points(rec, ev):
    """Eq 20 on the nudged fixed points, the difference quotient halved."""
    with ev.ep.precision.context():
        g, err = objective.ep_fixed_point_gradient(ev.compiled, ev.ep.s0, ev.ep.theta, ev.plan,
                                                   ev.nudged_points, factor=HALF, precision=ev.ep.precision)
    return rec.compare(ev, [ev.on_dJ(g)], [ev.dJ], [mpmath.inf], ev.names_dJ, [(err, "extrapolation")])


def half_beta(statement: str) -> Statement:
    """The variant of ``statement`` (corollary4, eq24 or theorem2) with 1/(2 beta) in place of 1/beta."""
    if statement == "theorem2":
        return Statement("eq20-half-beta", ("20",), "Eq 20 with 1/(2 beta)",
                         ("EP fixed points with 1/(2 beta)", "J route dJ/dtheta"), _on_fixed_points,
                         needs=("ep", "direct", "dJ"), order=1, of=statement, false_when=("nonzero-dJ",))
    eq, _, part, _, compared = _ON_FLOW[statement]
    return Statement(f"eq{eq}-half-beta", (eq,), f"Eq {eq} with 1/(2 beta) instead of 1/beta", compared,
                     _on_flow(statement), needs=("ep", "direct"), order=2 if eq == "23" else 1, of=statement,
                     false_when=("nonzero-X" if part == "X" else "nonzero-Y",))


RECORDS = [half_beta(s) for s in ("corollary4", "eq24", "theorem2")]
