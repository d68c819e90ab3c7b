"""The Cauchy problem Eq 13-14 integrated by the ODE solver = its closed form (Theorem 1's RBP side, two ways)."""

from __future__ import annotations

import dataclasses

from ..routes import rbp
from .record import Statement, joined, xy_blocks

# what rbp.closed_form computes
CLOSED_FORM = ("RBP: closed form from one eigendecomposition H = Q diag(lambda) Q^T: "
               "X_t = Q diag(exp(-lambda t)) Q^T X_0, Y_t = Y_0 - M Q diag(-expm1(-lambda t)/lambda) Q^T X_0 "
               "(Van Loan's expm for a non-symmetric or complex H)")


def _cauchy_ode(rec, ev):
    Xo, Yo, traj, kappa = ev.ode
    return rec.compare(ev, joined(Xo, Yo), joined(ev.X, ev.Y), ev.times, ev.names_s + ev.names_p,
                       blocks=_blocks(ev, traj, kappa))


def _blocks(ev, traj, kappa):
    """X with the integrator's estimate, Y (integrated as (Y - Y_0) / kappa) with kappa times it."""
    return xy_blocks(ev, len(ev.names_s), len(ev.names_p), [(traj.error_estimate, "integrator")],
                     [(kappa * traj.error_estimate, "integrator")])


def _eq14_sign_flipped_ode(rec, ev):
    Xo, Yo, traj, kappa = rbp.by_ode(ev.flows, dataclasses.replace(ev.cauchy, M=-ev.cauchy.M), ev.times,
                                     precision=ev.precision)
    return rec.compare(ev, joined(Xo, Yo), joined(ev.X, ev.Y), ev.times, ev.names_s + ev.names_p,
                       blocks=_blocks(ev, traj, kappa))


RECORDS = [
    Statement("cauchy-ode", ("13", "14"), "Cauchy problem integrated = its closed form",
              ("RBP: Eq 13-14 integrated from Eq 11-12 by the {backend} Taylor integrator",
               CLOSED_FORM),
              _cauchy_ode, needs=("ode",), order=20, label="Eq 13-14 integrated vs closed form"),
    Statement("eq14-sign-flipped-ode", ("13", "14"), "Eq 13-14 integrated with dY/dt = +M X",
              ("RBP: Eq 13-14 integrated by the {backend} Taylor integrator with the sign of Eq 14 flipped",
               CLOSED_FORM),
              _eq14_sign_flipped_ode, needs=("ep", "direct", "ode"), order=1, of="cauchy-ode",
              false_when=("moving-Y",)),
]
