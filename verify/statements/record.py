"""A statement of the paper, or a deliberately false variant of one, as one record.

A record says which equations it is about, what its two sides are, which
parts of the evidence (:class:`verify.evidence.Evidence`) it needs, and how
the comparison is computed from them (``compute(record, evidence)`` returning
a :class:`verify.result.CheckResult`). True statements and false variants are
the same kind of record; a variant names the statement it perturbs (``of``)
and the conditions under which it is false (``false_when``, see
:mod:`verify.statements.conditions`).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import mpmath

from .. import stencil
from ..compare import Block, compare_series, not_applicable
from ..numbers import matvec

#: evidence part -> (Evidence attribute holding it, attribute holding why it is missing)
EVIDENCE = {
    "direct": ("direct", "direct_error"),
    "ode": ("ode", "ode_error"),
    "dJ": ("dJ", "theorem2_error"),
    "ep": ("ep", "ep_error"),
}


@dataclasses.dataclass(frozen=True)
class Statement:
    """One statement (or false variant): what is compared with what, and how it is computed."""

    id: str
    equations: tuple[str, ...]
    title: str                    # a true statement's title; a variant's description
    compared: tuple[str, str]     # the two sides; may use {backend}, {beta}, {order}, {delta}
    compute: Callable             # (record, evidence) -> CheckResult; every part of ``needs`` is there
    needs: tuple[str, ...] = ()   # evidence parts (keys of EVIDENCE), in the order their absence is reported
    order: int = 0                # position among the statements (a variant: among its statement's variants)
    label: str = ""               # short label for plots ("" = the title)
    of: str | None = None         # a false variant: the id of the true statement it perturbs
    false_when: tuple[str, ...] = ()   # a variant: conditions under which it is false
    conditioned: bool = True      # a side solves with H: the rounding term carries cond(H)
    dynamics: str = "continuous"  # the evidence it runs on: "continuous" (Evidence) or "discrete" (gdu.py)

    @property
    def is_variant(self) -> bool:
        return self.of is not None

    def sides(self, ev) -> list[str]:
        """The two sides' texts, filled in from the evidence (backend, beta plan, stencil)."""
        fmt = {"backend": ev.flows.backend, "beta": ev.plan.description if ev.plan else "",
               "order": 2 * ev.stencil_order if ev.ep is not None else 0,
               "delta": mpmath.nstr(ev.stencil_delta, 2) if ev.ep is not None else 0}
        a, b = (side.format(**fmt) for side in self.compared)
        return [a + projection_note(self.of or self.id, ev), b]

    def missing(self, ev) -> str | None:
        """Why the evidence cannot support this statement, or None when it can."""
        if ev.fixed_point is None:
            return f"no critical point of E: {ev.fixed_point_error}"
        for part in self.needs:
            value, reason = EVIDENCE[part]
            if getattr(ev, value) is None:
                return getattr(ev, reason)
        return None

    def applies(self, ev) -> bool:
        """A variant: is it a false statement on this instance (evidence there, every condition holds)?"""
        from .conditions import CONDITIONS

        if ev.fixed_point is None or ev.direct is None or ev.ep is None or self.missing(ev) is not None:
            return False
        return all(CONDITIONS[c](ev) for c in self.false_when)

    def run(self, ev):
        """The CheckResult on this evidence (not applicable, with the reason, where a part is missing)."""
        reason = self.missing(ev)
        if reason is not None:
            return not_applicable(self.id, self.result_title, list(self.equations), self.sides(ev), reason)
        return self.compute(self, ev)

    @property
    def result_title(self) -> str:
        return f"false variant {self.id}" if self.is_variant else self.title

    def compare(self, ev, A, B, times, names, error_terms=(), *, compared=None, scale_floor=None, blocks=None):
        """compare_series of sides A and B at ``times`` with this record's id, title and sides."""
        return compare_series(self.id, self.result_title, list(self.equations),
                              list(compared) if compared is not None else self.sides(ev), A, B, times, names,
                              dps=ev.dps, condition=ev.cond if self.conditioned else 1,
                              error_terms=error_terms,
                              scale_floor=ev.scale_floor if scale_floor is None else scale_floor, blocks=blocks)


# -- helpers shared by the records ----------------------------------------------------------------

#: which direct-route spaces a statement compares (s: dL/ds, theta: dL/dtheta)
PROJECTED_SPACES = {"theorem1": ("s", "theta"), "corollary4": ("s",), "eq24": ("theta",),
                    "theorem2": ("dJ",), "eq10-limit": ("dJ",)}   # dJ: the J route's (its directions in theta)


def projection_note(statement_id, ev) -> str:
    """The note on the direct side when it compared random projections, not components (max_directions)."""
    spaces = {}
    if ev.direct is not None:
        spaces.update(s=(ev.direct.X, len(ev.names_s)), theta=(ev.direct.Y, len(ev.names_p)))
    if getattr(ev, "dJ_route", None) is not None:   # discrete evidence has no J route
        spaces["dJ"] = (ev.dJ_route, len(ev.names_p))
    parts = [f"{len(d.directions)} seeded random projections of {'theta' if space == 'dJ' else space} "
             f"({size} components)"
             for space, (d, size) in spaces.items()
             if space in PROJECTED_SPACES.get(statement_id, ()) and not d.full]
    if not parts:
        return ""
    return f"; both sides compared on {' and '.join(parts)}, not per component"


def joined(A, B):
    """[a; b] per time: X and Y side by side (Theorem 1, 3 compare both)."""
    return [list(a) + list(b) for a, b in zip(A, B)]


def xy_blocks(ev, nx, ny, terms_X, terms_Y, *, rates=False):
    """[X; Y] compared block by block (:class:`verify.compare.Block`): X (dC/ds units) on X's own size,
    Y (dC/dtheta units) on Y's, each with its routes' own error estimates; ``rates``: d/dt of X and Y
    (Eq 13, 14), on the sizes ||H|| |X_0| and ||M|| |X_0|."""
    fx, fy = (ev.rate_scale_X, ev.rate_scale_Y) if rates else (ev.scale_floor_X, ev.scale_floor_Y)
    return [Block(nx, fx, tuple(terms_X), "X"), Block(ny, fy, tuple(terms_Y), "Y")]


def direction_names(directional, names):
    """Component names, or "projection i" where the direct route projected on random directions."""
    return list(names) if directional.full else [f"projection {i}" for i in range(len(directional.directions))]


def ep_terms(ev, block=None):
    """Error estimates of the EP route (Eq 21, 22): extrapolation in beta and integration
    (``block`` "X" or "Y": of X~ or Y~ alone)."""
    extrapolation = {None: ev.ep.extrapolation_error, "X": ev.ep.extrapolation_error_X,
                     "Y": ev.ep.extrapolation_error_Y}[block]
    return [(extrapolation, "extrapolation"), (ev.ep.integration_error, "integrator (EP)")]


def direct_terms(ev, block=None):
    """The direct route's error estimate (``block`` "X" or "Y": of dL/ds or dL/dtheta alone)."""
    return [({None: ev.direct.error_estimate, "X": ev.direct.error_estimate_X,
              "Y": ev.direct.error_estimate_Y}[block], "integrator (direct)")]


def floor_of(ev, block):
    """The natural size of X (dL/ds) or Y (dL/dtheta) alone."""
    return ev.scale_floor_X if block == "X" else ev.scale_floor_Y


def time_derivative_on_ep(ev, sign_of_H=1):
    """(d/dt [X~; Y~] by central differences, -[H X~; M X~]) at each stencil centre, and the blocks
    (:func:`xy_blocks`, on the rates' scales) with each block's error estimate.

    The differences are taken at the EP route's own precision: the values carry its digits, and
    a slowly moving Y~ next to a large Y_0 loses log10(|Y~| / (|dY~/dt| delta)) of them here.
    """
    with ev.ep.precision.context():
        AX, est_X = stencil.derivatives_at_centres(
            lambda x: list(ev.ep_at(x)[0]), ev.stencil_points, ev.stencil_order, ev.stencil_delta,
            ev.ep.extrapolation_error_X + ev.ep.integration_error)
        AY, est_Y = stencil.derivatives_at_centres(
            lambda x: list(ev.ep_at(x)[1]), ev.stencil_points, ev.stencil_order, ev.stencil_delta,
            ev.ep.extrapolation_error_Y + ev.ep.integration_error) if ev.names_p else ([[] for _ in AX], 0)
        A, B = joined(AX, AY), []
        for t in ev.stencil_points:
            Xk = ev.ep_at(t)[0]
            B.append([-sign_of_H * v for v in matvec(ev.cauchy.H, Xk)] + [-v for v in matvec(ev.cauchy.M, Xk)])
    blocks = xy_blocks(ev, len(ev.names_s), len(ev.names_p), [(est_X, "finite differences")],
                       [(est_Y, "finite differences")], rates=True)
    return A, B, blocks


def at_requested_times(ev, series):
    """The entries of a series over the EP route's times (stencils included) at the requested times."""
    return [series[ev.ep_times.index(t)] for t in ev.times]
