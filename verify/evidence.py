"""Evidence: every route's result for one model and one setting, computed once.

The statements and their false variants (records of :mod:`verify.statements`)
are comparisons between parts of this evidence, so a
false variant runs through exactly the machinery the true statement does.
"""

from __future__ import annotations

import dataclasses
import time as _time
from typing import Any

import mpmath

from symbolic.compile import compile_model

from . import stencil
from .extrapolate import BetaPlan, analyticity_radius, plan as beta_plan, unstable_growth
from .fixed_point import FixedPoint, FixedPointNotFound, free_fixed_point, refine, term_sizes
from .flows import Flows
from .ode import IntegrationError
from .precision import UNSTABLE_GROWTH_BUDGET, Precision
from .routes import direct, ep, objective, rbp


@dataclasses.dataclass
class Evidence:
    """What the routes computed (None where a route could not run, with the reason)."""

    model: Any
    compiled: Any
    flows: Flows
    precision: Precision          # requested and working precision, and every threshold
    times: list                   # mpf
    theta: list
    plan: BetaPlan | None
    fixed_point: FixedPoint | None = None
    fixed_point_error: str | None = None
    cond: Any = 1
    cauchy: rbp.CauchyData | None = None
    X: list | None = None          # RBP closed form, per time
    Y: list | None = None
    ode: tuple | None = None       # (X, Y, trajectory) of the integrated Cauchy problem
    ode_error: str | None = None
    direct: direct.DirectResult | None = None
    direct_error: str | None = None
    dJ: list | None = None         # J route (Theorem 2): components, or projections on dJ_route's directions
    dJ_route: direct.Directional | None = None   # the J route's directions in theta (the direct route's)
    ep_gradient: list | None = None
    ep_gradient_error: Any = None
    nudged_points: list | None = None   # s_theta^beta for the plan's betas (Eq 19)
    theorem2_error: str | None = None
    ep: ep.EPResult | None = None
    ep_error: str | None = None
    ep_times: list | None = None   # every time the EP route was evaluated at (with stencils)
    stencil_points: dict | None = None
    stencil_order: int = 0
    stencil_delta: Any = None
    timings: dict = dataclasses.field(default_factory=dict)

    @property
    def dps(self) -> int:
        """Requested precision (digits)."""
        return self.precision.dps

    @property
    def work(self) -> int:
        """Working precision (dps + guard digits)."""
        return self.precision.work

    @property
    def names_s(self):
        return self.model.state_names()

    @property
    def names_p(self):
        return self.model.param_names()

    def on_dJ(self, vec):
        """A vector in theta as the J route gave dJ/dtheta: itself, or its projections on dJ_route's directions."""
        return self.dJ_route.project([vec])[0]

    @property
    def names_dJ(self):
        """The names of dJ's entries: the parameters', or "projection i"."""
        return self.names_p if self.dJ_route.full else [f"projection {i}" for i in range(len(self.dJ))]

    def ep_at(self, t):
        """(X~_t, Y~_t) at one of the EP route's times."""
        k = self.ep_times.index(t)
        return self.ep.X_tilde[k], self.ep.Y_tilde[k]

    @property
    def scale_floor(self):
        """The natural size of the derivatives compared: max |X_0|, |Y_0| (Eq 11, 12).

        When the cost's gradient vanishes at s_theta^0 to working precision
        (relative to the size of its terms, ||d2C/ds2|| |s_theta^0|), every
        compared quantity is zero: the scale is infinite and every comparison
        is vacuous (:func:`verify.compare.compare_series`).
        """
        if self.cauchy is None:
            return 0
        size = max(abs(x) for x in list(self.cauchy.X0) + list(self.cauchy.Y0))
        s0 = self.fixed_point.s
        terms = (mpmath.mnorm(self.compiled.cost_hessian(s0, self.theta), mpmath.inf)
                 * max(abs(x) for x in s0)) if s0 else 0
        if size > self.precision.zero_below(terms):
            return size
        # every compared quantity is a linear image of (X_0, Y_0) (Eq 11-14, 10, 21-24), which vanish:
        # all of them are 0 relative to the problem's scale, whatever rounding noise they carry
        return mpmath.inf

    @property
    def scale_floor_X(self):
        """The natural size of dL/ds (Eq 15, 23) alone: |X_0|, unless X_0 vanishes (then the common floor).

        X and Y have different units (dC/ds, dC/dtheta): a large Y_0 must not make X look like 0.
        """
        floor = self.scale_floor
        if not floor or not mpmath.isfinite(floor):
            return floor
        size = max(abs(x) for x in self.cauchy.X0)
        s0 = self.fixed_point.s
        terms = mpmath.mnorm(self.compiled.cost_hessian(s0, self.theta), mpmath.inf) * max(abs(x) for x in s0)
        return size if size > self.precision.zero_below(terms) else floor

    @property
    def scale_floor_Y(self):
        """The natural size of dL/dtheta (Eq 16, 24) alone: |Y_0|, unless it is 0 next to X_0 (then the common floor).

        A large X_0 must not make Y look like 0, nor a large Y_0 hide an error in X (Theorem 1 compares both).
        """
        floor = self.scale_floor
        if not floor or not mpmath.isfinite(floor) or not self.cauchy.Y0:
            return floor
        size = max(abs(y) for y in self.cauchy.Y0)
        return size if size > self.precision.zero_below(floor) else floor

    @property
    def rate_scale(self):
        """The natural size of the time derivatives dX/dt = -H X, dY/dt = -M X (Eq 13, 14) at X_0.

        Rates are compared against it (theorem3-ode), not against the size
        of X and Y: with a slow time scale (||H|| t ~ 1 only at t ~ 1e20) the
        rates are tiny next to the values and would all look like zero.
        """
        floor = self.scale_floor
        if not floor or not mpmath.isfinite(floor):
            return floor
        return max(self.rate_scale_X, self._rate_Y)

    @property
    def rate_scale_X(self):
        """The natural size of dX/dt = -H X (Eq 13): ||H|| |X_0| (X's own size, not Y's)."""
        floor = self.scale_floor
        if not floor or not mpmath.isfinite(floor):
            return floor
        return mpmath.mnorm(self.cauchy.H, mpmath.inf) * self.scale_floor_X

    @property
    def _rate_Y(self):
        M = self.cauchy.M
        return (mpmath.mnorm(M, mpmath.inf) if M.rows else 0) * self.scale_floor_X

    @property
    def rate_scale_Y(self):
        """The natural size of dY/dt = -M X (Eq 14): ||M|| |X_0|, or the common rate scale where M X_0 vanishes."""
        floor = self.scale_floor
        if not floor or not mpmath.isfinite(floor):
            return floor
        rate = self._rate_Y
        return rate if rate > self.precision.zero_below(self.rate_scale) else self.rate_scale

    @property
    def X_tilde(self):
        return [self.ep_at(t)[0] for t in self.times]

    @property
    def Y_tilde(self):
        return [self.ep_at(t)[1] for t in self.times]


def cancellation_digits(ev) -> int:
    """Digits the EP readouts lose beyond log10(1/beta): Eq 20-22 take differences of dE/ds and
    dE/dtheta, whose terms have size ~terms, to get quantities of the size of X_0 and of Y_0
    (each judged on its own size: the smaller one sets the digits)."""
    floor = ev.scale_floor
    if not floor or not mpmath.isfinite(floor):
        return 0
    floor = min(ev.scale_floor_X, ev.scale_floor_Y)
    s0, theta = ev.fixed_point.s, ev.theta
    terms = max([term_sizes(ev.cauchy.H, ev.cauchy.M, s0, theta)]
                + [abs(x) for x in ev.compiled.dE_dtheta(s0, theta)])
    return max(0, int(mpmath.ceil(mpmath.log10(terms / floor)))) if terms > floor else 0


def stencil_digits(ev, m: int, delta) -> int:
    """Digits the central differences of theorem3-ode lose beyond the guard digits.

    d/dt of X~ (Y~) by an order-2m stencil of step delta amplifies the values' rounding by
    2 sum|w_j| / delta; the result is judged on the rate's scale ||H|| |X_0| (||M|| |X_0|). A Y~
    that barely moves next to a large Y_0 (a theta-dependent cost of large dC/dtheta) needs
    log10(|Y~| amplification / rate) digits; the guard digits cover the usual ~3.
    """
    floor = ev.scale_floor
    if not floor or not mpmath.isfinite(floor) or not any(t > m * delta for t in ev.times):
        return 0
    amplification = 2 * mpmath.fsum(abs(w) for w in stencil.central_weights(m)) / delta
    needed = []
    for series, rate in ((ev.X, ev.rate_scale_X), (ev.Y, ev.rate_scale_Y)):
        size = max((abs(v) for row in series for v in row), default=0)
        if size and rate:
            needed.append(mpmath.log10(size * amplification / rate))
    return max(0, int(mpmath.ceil(max(needed, default=0))) - ev.precision.guard)


def condition_number(eigenvalues, precision: Precision):
    """max |lambda| / min |lambda| of H, the smallest counted as at least eps * max |lambda| (a singular H:
    10^work, the most working precision can resolve); 1 for H = 0 (nothing is amplified)."""
    top = max(abs(e) for e in eigenvalues)
    return top / max(min(abs(e) for e in eigenvalues), precision.eps * top) if top else mpmath.mpf(1)


def _mpf(t):
    """A time (an exact rational or a number) at the working precision, rounded once."""
    return mpmath.mpf(int(t.p)) / int(t.q) if hasattr(t, "q") else mpmath.mpf(t)


def gather(model, *, precision: Precision, times, beta_method, backend, seed, max_directions,
           progress) -> Evidence:
    """Run every route at ``precision`` (routes that cancel raise it by their plan's extra digits).

    Sets the global mpmath precision through ``precision.context()`` (which
    also holds the process-wide precision lock) and restores it.
    """
    with precision.context():
        return _gather(model, precision, times, beta_method, backend, seed, max_directions, progress)


def _gather(model, precision, times, beta_method, backend, seed, max_directions, progress) -> Evidence:
    work = precision.work
    compiled = compile_model(model)
    ev = Evidence(model=model, compiled=compiled, flows=Flows(compiled, backend), precision=precision,
                  times=[_mpf(t) for t in times], theta=compiled.theta_values(work), plan=None)
    times = ev.times
    clock = _time.perf_counter()

    def lap(name):
        nonlocal clock
        now = _time.perf_counter()
        ev.timings[name] = now - clock
        clock = now

    progress("fixed point")
    try:
        ev.fixed_point = free_fixed_point(compiled, ev.theta, precision=precision)
    except FixedPointNotFound as exc:
        ev.fixed_point_error = str(exc)
        return ev
    ev.cond = condition_number(ev.fixed_point.hessian_eigenvalues, precision)
    s0, theta = ev.fixed_point.s, ev.theta
    # the plan aims the extrapolation error at 10^-(dps + 5) and keeps its estimate (added to the
    # tolerance) under the rounding level 10^(3 - dps)
    radius = analyticity_radius(compiled, s0, theta, precision)
    growth = unstable_growth(ev.fixed_point.hessian_eigenvalues, max(times, default=0))
    growth_digits = float(mpmath.log10(growth))
    if radius > 0 and growth_digits > UNSTABLE_GROWTH_BUDGET * precision.dps:
        lowest = ev.fixed_point.hessian_eigenvalues[0]
        ev.theorem2_error = f"needs a strict minimum of E, but s_theta^0 is a {ev.fixed_point.describe()}"
        ev.ep_error = (
            f"along the unstable direction of s_theta^0 (eigenvalue {mpmath.nstr(lowest, 5)} of H) the nudged "
            f"displacement grows like beta e^({mpmath.nstr(-lowest, 5)} t): up to t = {mpmath.nstr(max(times), 6)} "
            f"the betas would have to shrink by a factor 10^{growth_digits:.0f} to stay where S^beta_t is analytic in beta, "
            f"beyond the budget of {UNSTABLE_GROWTH_BUDGET} x dps = {UNSTABLE_GROWTH_BUDGET * precision.dps} digits "
            "(ask for earlier times or a higher --dps)")
    elif radius > 0:
        ev.plan = beta_plan(beta_method, precision, radius / growth)
    else:
        ev.ep_error = ev.theorem2_error = (
            f"H(s_theta^0) is singular (s_theta^0 is a {ev.fixed_point.describe()}): the nudged states are "
            "not analytic in beta at beta = 0 (analyticity radius 0), so no beta -> 0 limit can be extrapolated")
    lap("fixed_point")

    progress("RBP route")
    ev.cauchy = rbp.cauchy_data(compiled, s0, theta)
    ev.X, ev.Y = rbp.closed_form(ev.cauchy, times)
    # the stencil step in t: 10^-3 of the fastest relaxation time 1/||H||, and short enough for
    # a stencil to fit before the first positive time
    rate = mpmath.mnorm(ev.cauchy.H, mpmath.inf) or mpmath.mpf(1)
    delta = mpmath.mpf(10) ** -3 / rate
    if any(t > 0 for t in times):
        delta = min(delta, min(t for t in times if t > 0) / (stencil.order_for(work, mpmath.mpf(10) ** -3) + 1))
    m = stencil.order_for(work, delta * rate)
    if ev.plan is not None:
        extra = cancellation_digits(ev) + stencil_digits(ev, m, delta)
        ev.plan = dataclasses.replace(ev.plan, extra_digits=ev.plan.extra_digits + extra)
        high = precision.raised(ev.plan.extra_digits)   # the routes that cancel (finite beta)
    try:
        ev.ode = rbp.by_ode(ev.flows, ev.cauchy, times, precision=precision)
    except IntegrationError as exc:
        ev.ode_error = f"integration of Eq 13-14 failed: {exc}"
    lap("rbp")

    progress("direct route")
    try:
        ev.direct = direct.truncated_objective_gradient(
            compiled, ev.flows, s0, theta, times, precision=precision, max_directions=max_directions, seed=seed,
            first_order=True,   # s0 is the certified fixed point
            growth=growth,
            progress=lambda: progress("direct route", step=True))
    except IntegrationError as exc:
        ev.direct_error = f"integration of the free flow failed: {exc}"
    lap("direct")

    if ev.plan is None:
        return ev
    hi = {}

    def at_high():
        """theta and s_theta^0 at the raised precision (its context active): refined once for both routes."""
        if not hi:   # both or neither: a refine that raises is raised again by the next call
            theta_hi = compiled.theta_values(high.work)
            hi.update(theta=theta_hi, s0=refine(compiled, theta_hi, s0, precision=high)[0])
        return hi["theta"], hi["s0"]

    if ev.fixed_point.is_strict_minimum:
        progress("J route")
        try:
            # a large model: the direct route's seeded random directions in theta (same seed, same
            # directions), so that every comparison with dJ/dtheta is on the same projections
            dirs, full = direct.directions_for(compiled.p, max_directions, seed + 1)
            dJ = objective.objective_gradient(compiled, s0, theta, precision=precision,
                                              directions=None if full else dirs)
            with high.context():
                theta_hi, s0_hi = at_high()
                ev.nudged_points = objective.nudged_fixed_points(compiled, s0_hi, theta_hi, ev.plan, precision=high)
                ev.ep_gradient, ev.ep_gradient_error = objective.ep_fixed_point_gradient(
                    compiled, s0_hi, theta_hi, ev.plan, ev.nudged_points, precision=high)
            ev.dJ, ev.dJ_route = dJ, direct.Directional(dirs, [dJ], full)
        except FixedPointNotFound as exc:
            ev.theorem2_error = f"a perturbed fixed point was not found: {exc}"
        lap("theorem2")
    else:
        ev.theorem2_error = f"needs a strict minimum of E, but s_theta^0 is a {ev.fixed_point.describe()}"

    progress("EP route")
    with high.context():
        ev.stencil_points = {t: stencil.stencil_times(t, m, delta) for t in times if t - m * delta > 0}
        ev.stencil_order, ev.stencil_delta = m, delta
        ev.ep_times = sorted(set(times) | {x for pts in ev.stencil_points.values() for x in pts})
        try:
            theta_hi, s0_hi = at_high()
            ev.ep = ep.nudged_phase(compiled, ev.flows, s0_hi, theta_hi, ev.ep_times, ev.plan,
                                    precision=high, progress=lambda: progress("EP route", step=True))
        except IntegrationError as exc:
            ev.ep_error = f"integration of the nudged flow failed: {exc}"
        except FixedPointNotFound as exc:
            ev.ep_error = f"s_theta^0 could not be refined to the EP route's precision: {exc}"
    lap("ep")
    return ev
