"""When a false variant is false: conditions on the evidence.

A variant that perturbs a quantity (drops a term, flips a sign, moves a time)
is false only where that quantity is not zero; on other instances it is a
true statement and is not run (``Statement.false_when``).
"""

from __future__ import annotations

import mpmath


def resolution(ev):
    """The smallest relative change a check resolves as a rejection: 10^(-dps/2), or the rejection
    margin times the rounding tolerance (10^(3-dps) cond(H)) when that is larger."""
    from . import REJECTION_MARGIN

    return max(ev.precision.inconclusive_above, REJECTION_MARGIN * ev.precision.rounding(ev.cond))


def small(ev, block=None):
    """Below this a quantity counts as zero: :func:`resolution` of the problem's size
    (``block`` "X" or "Y": of the size of dL/ds or dL/dtheta alone, which have different units)."""
    floor = {None: ev.scale_floor, "X": ev.scale_floor_X, "Y": ev.scale_floor_Y}[block]
    return resolution(ev) * floor


def _varying_hessian(ev):
    from ..fixed_point import initial_state

    s_init = [mpmath.mpf(x) for x in initial_state(ev.model)]
    return (mpmath.mnorm(ev.compiled.H(s_init, ev.theta) - ev.cauchy.H, 1)
            > resolution(ev) * mpmath.mnorm(ev.cauchy.H, 1))


def _truncation_matters(ev):
    if ev.dJ is None or not any(t > 0 for t in ev.times):
        return False
    k = next(i for i, t in enumerate(ev.times) if t > 0)
    Y = ev.on_dJ(ev.Y[k])
    size = max([abs(y) for y in Y] + [abs(y) for y in ev.dJ] + [ev.scale_floor_Y])
    return max(abs(a - b) for a, b in zip(Y, ev.dJ)) > resolution(ev) * size


def omitted_block(ev):
    """H with one block of couplings removed, the largest entry removed, and what was removed."""
    H = ev.cauchy.H.copy()
    n = H.rows
    blocks = [b.size for b in ev.model.state]
    removed = mpmath.mpf(0)
    if n == 1:
        H[0, 0] = H[0, 0] / 2
        return H, abs(H[0, 0]), "H replaced by H/2"
    if len(blocks) > 1:
        a = blocks[0]
        pairs = [(i, j) for i in range(a) for j in range(a, n)]
        what = f"coupling block H[{ev.model.state[0].name}, rest] set to 0"
    else:
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        what = "off-diagonal entries of H set to 0"
    for i, j in pairs:
        removed = max(removed, abs(H[i, j]))
        H[i, j] = H[j, i] = 0
    return H, removed, what


def _visible_Y0(ev):
    """Y_0 is not 0 next to the Y_t it is part of (Eq 12, 14): dropping it changes what is compared."""
    size = max(abs(y) for Y in ev.Y for y in Y)
    return max(abs(y) for y in ev.cauchy.Y0) > resolution(ev) * size


def _time_doubling_visible(ev):
    """X_t differs from X_2t (Eq 13) by more than the check resolves, at some requested time."""
    from ..routes import rbp

    X2, _ = rbp.closed_form(ev.cauchy, [2 * t for t in ev.times])
    size = max([abs(x) for X in ev.X + X2 for x in X] + [ev.scale_floor_X])
    return max(abs(a - b) for X, Y in zip(ev.X, X2) for a, b in zip(X, Y)) > resolution(ev) * size


def _rate_visible(ev):
    """H X_t is not 0 (relative to the rates' scale) at some time the stencils are centred on."""
    from ..numbers import matvec

    centres = ev.stencil_points or {}
    size = max((abs(v) for k, t in enumerate(ev.times) if t in centres for v in matvec(ev.cauchy.H, ev.X[k])),
               default=0)
    return size > resolution(ev) * ev.rate_scale_X


CONDITIONS = {
    "theta-cost": lambda ev: any(x != 0 for x in ev.cauchy.Y0),
    "visible-Y0": _visible_Y0,
    "time-doubling-visible": _time_doubling_visible,
    # Eq 56 as printed drops -dC/ds = -X_0 from d/dt dS/dbeta, compared on the rates' scale ||H|| |X_0|
    "X0-visible-in-rates": lambda ev: max(abs(x) for x in ev.cauchy.X0) > resolution(ev) * ev.rate_scale_X,
    "minimum": lambda ev: ev.dJ is not None,
    "positive-time": lambda ev: any(t > 0 for t in ev.times),
    "time-zero": lambda ev: ev.times[0] == 0,
    "varying-hessian": _varying_hessian,
    "several-states": lambda ev: ev.model.n >= 2,
    "nonzero-X": lambda ev: max(abs(x) for X in ev.X for x in X) > small(ev, "X"),
    "nonzero-Y": lambda ev: max(abs(y) for Y in ev.Y for y in Y) > small(ev, "Y"),
    "moving-Y": lambda ev: max(abs(y - y0) for Y in ev.Y for y, y0 in zip(Y, ev.cauchy.Y0)) > small(ev, "Y"),
    "moving-X": lambda ev: max(abs(x - x0) for X in ev.X for x, x0 in zip(X, ev.cauchy.X0)) > small(ev, "X"),
    "nonzero-dJ": lambda ev: ev.dJ is not None and max(abs(x) for x in ev.dJ) > small(ev, "Y"),
    "truncation-matters": _truncation_matters,
    "dJ-not-Y0": lambda ev: (ev.dJ is not None and max(abs(a - b) for a, b in zip(ev.dJ, ev.on_dJ(ev.cauchy.Y0)))
                             > small(ev, "Y")),
    "coupled-blocks": lambda ev: omitted_block(ev)[1] > resolution(ev) * mpmath.mnorm(ev.cauchy.H, 1),
    "visible-rate": _rate_visible,
}
