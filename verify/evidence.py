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
from .extrapolate import BetaPlan, analyticity_radius, plan as beta_plan
from .fixed_point import FixedPoint, FixedPointNotFound, free_fixed_point, refine, term_sizes
from .flows import Flows
from .ode import IntegrationError
from .precision import Precision
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
    dJ: list | None = None         # J route (Theorem 2)
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
    def rate_scale(self):
        """The natural size of the time derivatives dX/dt = -H X, dY/dt = -M X (Eq 13, 14) at X_0.

        Rates are compared against it (theorem3-ode), not against the size
        of X and Y: with a slow time scale (||H|| t ~ 1 only at t ~ 1e20) the
        rates are tiny next to the values and would all look like zero.
        """
        floor = self.scale_floor
        if not floor or not mpmath.isfinite(floor):
            return floor
        X0 = max(abs(x) for x in self.cauchy.X0)
        H, M = self.cauchy.H, self.cauchy.M
        return max(mpmath.mnorm(H, mpmath.inf), mpmath.mnorm(M, mpmath.inf) if M.rows else 0) * X0

    @property
    def X_tilde(self):
        return [self.ep_at(t)[0] for t in self.times]

    @property
    def Y_tilde(self):
        return [self.ep_at(t)[1] for t in self.times]


def cancellation_digits(ev) -> int:
    """Digits the EP readouts lose beyond log10(1/beta): Eq 20-22 take differences of dE/ds and
    dE/dtheta, whose terms have size ~terms, to get quantities of the size of X_0, Y_0."""
    floor = ev.scale_floor
    if not floor or not mpmath.isfinite(floor):
        return 0
    s0, theta = ev.fixed_point.s, ev.theta
    terms = max([term_sizes(ev.cauchy.H, ev.cauchy.M, s0, theta)]
                + [abs(x) for x in ev.compiled.dE_dtheta(s0, theta)])
    return max(0, int(mpmath.ceil(mpmath.log10(terms / floor)))) if terms > floor else 0


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
    eig = ev.fixed_point.hessian_eigenvalues
    ev.cond = max(abs(e) for e in eig) / max(min(abs(e) for e in eig), precision.eps)
    s0, theta = ev.fixed_point.s, ev.theta
    # the extrapolation error only has to sit below the tolerance, 10^(3 - dps): aim at 10^-(dps + 5)
    ev.plan = beta_plan(beta_method, precision, analyticity_radius(compiled, s0, theta, precision))
    lap("fixed_point")

    progress("RBP route")
    ev.cauchy = rbp.cauchy_data(compiled, s0, theta)
    ev.plan = dataclasses.replace(ev.plan, extra_digits=ev.plan.extra_digits + cancellation_digits(ev))
    high = precision.raised(ev.plan.extra_digits)   # the routes that cancel (finite beta)
    ev.X, ev.Y = rbp.closed_form(ev.cauchy, times)
    try:
        ev.ode = rbp.by_ode(ev.flows, ev.cauchy, times, precision=precision)
    except IntegrationError as exc:
        ev.ode_error = f"integration of Eq 13-14 failed: {exc}"
    lap("rbp")

    progress("direct route")
    try:
        ev.direct = direct.truncated_objective_gradient(
            compiled, ev.flows, s0, theta, times, precision=precision, max_directions=max_directions, seed=seed,
            progress=lambda: progress("direct route", step=True))
    except IntegrationError as exc:
        ev.direct_error = f"integration of the free flow failed: {exc}"
    lap("direct")

    if ev.fixed_point.is_strict_minimum:
        progress("J route")
        try:
            dJ = objective.objective_gradient(compiled, s0, theta, precision=precision)
            with high.context():
                theta_hi = compiled.theta_values(high.work)
                s0_hi, _ = refine(compiled, theta_hi, s0, precision=high)
                ev.nudged_points = objective.nudged_fixed_points(compiled, s0_hi, theta_hi, ev.plan, precision=high)
                ev.ep_gradient, ev.ep_gradient_error = objective.ep_fixed_point_gradient(
                    compiled, s0_hi, theta_hi, ev.plan, ev.nudged_points, precision=high)
            ev.dJ = dJ
        except FixedPointNotFound as exc:
            ev.theorem2_error = f"a perturbed fixed point was not found: {exc}"
        lap("theorem2")
    else:
        ev.theorem2_error = f"needs a strict minimum of E, but s_theta^0 is a {ev.fixed_point.describe()}"

    progress("EP route")
    # the stencil step in t: 10^-3 of the fastest relaxation time 1/||H||, and short enough for
    # a stencil to fit before the first positive time
    rate = mpmath.mnorm(ev.cauchy.H, mpmath.inf) or mpmath.mpf(1)
    delta = mpmath.mpf(10) ** -3 / rate
    if any(t > 0 for t in times):
        delta = min(delta, min(t for t in times if t > 0) / (stencil.order_for(work, mpmath.mpf(10) ** -3) + 1))
    with high.context():
        theta_hi = compiled.theta_values(high.work)
        s0_hi, _ = refine(compiled, theta_hi, s0, precision=high)
        m = stencil.order_for(work, delta * rate)
        ev.stencil_points = {t: stencil.stencil_times(t, m, delta) for t in times if t - m * delta > 0}
        ev.stencil_order, ev.stencil_delta = m, delta
        ev.ep_times = sorted(set(times) | {x for pts in ev.stencil_points.values() for x in pts})
        try:
            ev.ep = ep.nudged_phase(compiled, ev.flows, s0_hi, theta_hi, ev.ep_times, ev.plan,
                                    precision=high, progress=lambda: progress("EP route", step=True))
        except IntegrationError as exc:
            ev.ep_error = f"integration of the nudged flow failed: {exc}"
    lap("ep")
    return ev
