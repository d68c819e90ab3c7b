"""Theorem 1 (Eq 11-16): the direct route's dL/ds, dL/dtheta solve the Cauchy problem; and its false variants."""

from __future__ import annotations

import dataclasses

import mpmath

from ..routes import rbp
from .conditions import omitted_block
from .record import Statement, direction_names, joined, xy_blocks


def _direct_blocks(ev):
    """X and Y of the direct route, each on its own scale with its own error estimate."""
    dX, dY = ev.direct.X, ev.direct.Y
    return xy_blocks(ev, len(dX.directions), len(dY.directions),
                     [(ev.direct.error_estimate_X, "integrator (direct)")],
                     [(ev.direct.error_estimate_Y, "integrator (direct)")])


def _theorem1(rec, ev):
    dX, dY = ev.direct.X, ev.direct.Y
    return rec.compare(ev, joined(dX.values, dY.values), joined(dX.project(ev.X), dY.project(ev.Y)), ev.times,
                       direction_names(dX, ev.names_s) + direction_names(dY, ev.names_p),
                       blocks=_direct_blocks(ev))


def _against_cauchy(rec, ev, wrong, compared=None):
    """The direct route (dL/ds, dL/dtheta) against the closed form of a perturbed Cauchy problem."""
    X, Y = rbp.closed_form(wrong, ev.times)
    dX, dY = ev.direct.X, ev.direct.Y
    return rec.compare(ev, joined(dX.values, dY.values), joined(dX.project(X), dY.project(Y)), ev.times,
                       direction_names(dX, ev.names_s) + direction_names(dY, ev.names_p),
                       blocks=_direct_blocks(ev), compared=compared)


def _against_cauchy_Y(rec, ev, wrong):
    """The direct route's dL/dtheta against the Y of a perturbed Cauchy problem."""
    _, Y = rbp.closed_form(wrong, ev.times)
    return rec.compare(ev, ev.direct.Y.values, ev.direct.Y.project(Y), ev.times,
                       direction_names(ev.direct.Y, ev.names_p), [(ev.direct.error_estimate_Y, "integrator (direct)")],
                       scale_floor=ev.scale_floor_Y)


def _hessian_at_initial_state(rec, ev):
    from ..fixed_point import initial_state

    s_init = [mpmath.mpf(x) for x in initial_state(ev.model)]
    return _against_cauchy(rec, ev, dataclasses.replace(ev.cauchy, H=ev.compiled.H(s_init, ev.theta),
                                                        M=ev.compiled.M(s_init, ev.theta)))


def _hessian_block_omitted(rec, ev):
    H, _, what = omitted_block(ev)
    return _against_cauchy(rec, ev, dataclasses.replace(ev.cauchy, H=H),
                           compared=[rec.compared[0], f"Cauchy problem with {what}"])


def _eq14_sign_flipped(rec, ev):
    # dY/dt = +M X (the sign of Eq 14 flipped): Y_t = Y_0 + M H^-1 (I - e^{-Ht}) X_0
    return _against_cauchy_Y(rec, ev, dataclasses.replace(ev.cauchy, M=-ev.cauchy.M))


def _y0_zero(rec, ev):
    return _against_cauchy_Y(rec, ev, dataclasses.replace(ev.cauchy, Y0=[mpmath.mpf(0)] * len(ev.cauchy.Y0)))


VARIANT_NEEDS = ("ep", "direct")

RECORDS = [
    Statement("theorem1", ("11", "12", "13", "14", "15", "16"),
              "Theorem 1: (dL/ds, dL/dtheta) at s_theta^0 solve the Cauchy problem",
              ("direct: complex step on the free flow Eq 1 (truncated objective Eq 9), no H or M",
               "RBP: Cauchy problem Eq 11-14 in closed form, X_t = expm(-Ht) X_0, "
               "Y_t = Y_0 - M t phi_1(-Ht) X_0"),
              _theorem1, needs=("direct",), order=10, label="Theorem 1 (direct vs RBP)"),
    Statement("hessian-at-initial-state", ("13", "14"),
              "Cauchy problem with H and M at the free phase's initial state instead of s_theta^0",
              ("direct (dL/ds, dL/dtheta)",
               "Cauchy problem with H, M evaluated at the free phase's initial state instead of s_theta^0"),
              _hessian_at_initial_state, needs=VARIANT_NEEDS, order=1, of="theorem1",
              false_when=("varying-hessian",)),
    Statement("hessian-block-omitted", ("13",), "Cauchy problem with a block of H omitted",
              ("direct (dL/ds, dL/dtheta)", "Cauchy problem with a block of H omitted"),
              _hessian_block_omitted, needs=VARIANT_NEEDS, order=2, of="theorem1",
              false_when=("coupled-blocks", "nonzero-X")),
    Statement("eq14-sign-flipped", ("14",), "Eq 14 as dY/dt = +M X",
              ("direct dL/dtheta", "Cauchy problem with dY/dt = +M X"),
              _eq14_sign_flipped, needs=VARIANT_NEEDS, order=3, of="theorem1", false_when=("moving-Y",)),
    Statement("Y0-zero", ("12",), "Eq 12 replaced by Y_0 = 0 (theta-dependent costs)",
              ("direct dL/dtheta", "Cauchy problem with Y_0 = 0 instead of dC/dtheta"),
              _y0_zero, needs=VARIANT_NEEDS, order=4, of="theorem1",
              false_when=("theta-cost", "visible-Y0")),
]
