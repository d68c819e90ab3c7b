"""The per-model workbench of the audit: a check's evidence plus the audit's extra routes, computed once.

Routes used beyond the check's evidence (:mod:`verify.evidence`):

- complex step in beta: the nudged flow Eq 18 integrated once at beta = i h
  (and at beta = 1/10 + i h), so dS^beta/dbeta = Im S / h and every beta
  derivative of Eq 43-62 comes without extrapolation;
- a generic, non-fixed initial state s_gen = s_theta^0 + d (for Eq 27-34,
  51, 57): derivatives of the truncated objective Eq 9 by complex step on
  the flow, second derivatives by central differences of complex steps;
- nudged fixed points at beta = 0 and beta = 1/10, re-solved at complex theta
  and complex beta (Eq 37-42): total derivatives by complex step.

Step sizes, root tolerances and working digits come from the
:class:`~verify.precision.Precision` of the audit.
"""

from __future__ import annotations

from functools import cached_property

import mpmath
import sympy as sp

from symbolic.load import load_model

from .. import config, pipeline, stencil
from ..compare import compare_series
from ..extrapolate import unstable_growth
from ..fixed_point import FixedPointNotFound, newton
from ..precision import Precision
from ..routes import direct
from .findings import Missing, fmt, from_result, worst_point

TIMES = ("0", "1/2", "1", "2")          # second-phase times of the evidence
GENERIC_TIMES = ("1/2", "1")            # times for the identities at a generic state
LIMIT_TIMES = ("5", "10", "20", "30")   # Eq 10 at a generic initial state
BETA_NUDGE = sp.Rational(1, 10)         # a nonzero beta for Eq 37-42, 51, 57
FD_DELTA = sp.Rational(1, 10 ** 5)      # step of central differences in s, theta, beta, u
FORWARD_DELTA = sp.Rational(1, 10 ** 3)  # step of the one-sided difference at t = 0 (Eq 55)
PROJECTIONS = 3                         # random directions for Eq 32, 34 when the space is larger


def mpf_of(q):
    """An exact rational (or its text) as an mpf at the current precision."""
    q = sp.Rational(q)
    return mpmath.mpf(q.p) / q.q


def times_of(values):
    return [mpf_of(t) for t in values]


class Bench:
    """One model's evidence and the audit's extra routes (call inside ``bench.precision.context()``)."""

    def __init__(self, name, *, precision: Precision, backend, seed, progress):
        self.model = load_model(name)
        self.name = self.model.name
        self.precision = precision
        self.dps, self.seed = precision.dps, seed
        settings = config.Settings(dps=precision.dps, times=tuple(config.parse_times(TIMES)), beta_method="symmetric",
                                   backend=backend, seed=seed, max_directions=config.MAX_DIRECTIONS)
        self.report = pipeline.run(self.model, settings,   # the check's own pipeline; its evidence is reused
                                   progress=lambda stage, step=False: progress(f"{self.name}: {stage}", step=step))
        self.ev = self.report.evidence
        self.work = precision.work
        self.c, self.flows, self.theta = self.ev.compiled, self.ev.flows, self.ev.theta
        self.n, self.p = self.c.n, self.c.p
        self.names_s, self.names_p = self.ev.names_s, self.ev.names_p
        self.h = precision.complex_step
        self.memo: dict = {}

    # -- basics ---------------------------------------------------------------------------
    @property
    def s0(self):
        if self.ev.fixed_point is None:
            raise Missing(f"no fixed point: {self.ev.fixed_point_error}")
        return self.ev.fixed_point.s

    @property
    def ep(self):
        if self.ev.ep is None:
            raise Missing(self.ev.ep_error or "EP route did not run")
        return self.ev.ep

    @property
    def cond(self):
        return self.ev.cond

    @cached_property
    def checks(self):
        return {r.id: r for r in self.report.checks}

    def im(self, values):
        return [mpmath.im(v) / self.h for v in values]

    def compare(self, cid, eqs, compared, A, B, times, names, terms, *, labels, at="t", condition=1,
                role="printed"):
        r = compare_series(cid, f"audit {cid}", eqs, compared, A, B, times, names, dps=self.dps,
                           error_terms=terms, condition=condition, scale_floor=self.ev.scale_floor)
        counter = f"{self.name}, {worst_point(A, B, times, names, *labels, at=at)}"
        finding = from_result(self.name, r, counter, role)
        finding.result = r
        return finding

    def flow(self, start, times, *, theta=None, beta=0, direction=None):
        """S^beta(start + i h direction, t) at ``times``, and the error of the part that matters."""
        D0 = None if direction is None else [mpmath.mpc(0, self.h * x) for x in direction]
        traj = self.flows.solve_nudged(start, self.theta if theta is None else theta, beta, times,
                                       dps=self.work, D0=D0)
        states = [[a + d for a, d in zip(start, D)] for D in traj.states]
        complex_run = direction is not None or isinstance(beta, mpmath.mpc) or (
            theta is not None and any(isinstance(x, mpmath.mpc) for x in theta))
        err = traj.error_estimate
        if complex_run and getattr(traj, "error_estimate_imag", None) is not None:
            err = traj.error_estimate_imag / self.h
        return states, err

    def dL_dt(self, S, theta=None):
        """dL/dt at the flow's end state S: dC/ds(S) . (-dE/ds(S)) (chain rule on Eq 9 and Eq 1)."""
        theta = self.theta if theta is None else theta
        return mpmath.fsum(a * b for a, b in zip(self.c.dC_ds(S, theta), self.c.extended_field(S, theta, 0)))

    # -- a generic, non-fixed state ---------------------------------------------------------
    @cached_property
    def s_gen(self):
        """s_theta^0 + d with d_i = (-1)^i (i+1)/(5n): a state where dE/ds != 0."""
        return [x + mpf_of(sp.Rational((-1) ** i * (i + 1), 5 * self.n)) for i, x in enumerate(self.s0)]

    @cached_property
    def fd(self):
        """(m, delta) of the order-2m central differences in s, theta, beta and u."""
        delta = mpf_of(FD_DELTA)
        return stencil.order_for(self.work, delta), delta

    def central(self, fn):
        """d/de fn(e) at e = 0 by order-2m central differences; fn returns a vector."""
        m, delta = self.fd
        values = [fn(j * delta) for j in range(-m, m + 1)]
        d, est = stencil.derivative(values, m, delta)
        return d, est

    # -- complex step in beta at s_theta^0 (Eq 43-62) ------------------------------------------
    @cached_property
    def forward_times(self):
        """The points j delta, j = 0..K, of the one-sided derivative at t = 0 (Eq 55), and delta."""
        delta = mpf_of(FORWARD_DELTA)
        K = stencil.forward_order_for(self.work, delta)
        return [j * delta for j in range(K + 1)], delta

    @cached_property
    def beta_step(self):
        """The nudged flow at beta = i h from s_theta^0: Z = dS/dbeta, W = d2S/dbeta dt, Y~ = d/dbeta dE^beta/dtheta."""
        if self.ev.ep_times is None:
            raise Missing(self.ev.ep_error or "EP route did not run")
        fwd, _ = self.forward_times
        times = sorted(set(self.ev.ep_times) | set(fwd))
        beta = mpmath.mpc(0, self.h)
        states, err = self.flow(self.s0, times, beta=beta)
        out = {"Z": {}, "W": {}, "Y": {}, "err": err}
        for t, S in zip(times, states):
            out["Z"][t] = self.im(S)
            out["W"][t] = self.im(self.c.extended_field(S, self.theta, beta))
            out["Y"][t] = self.im(self.c.dEbeta_dtheta(S, self.theta, beta))
        return out

    def stencil_d(self, series, center_points, *, amplify_err=0):
        """d/dt at each stencil centre of ``series(t)`` (a vector), and an error estimate."""
        return stencil.derivatives_at_centres(series, center_points, self.ev.stencil_order,
                                              self.ev.stencil_delta, amplify_err)

    @property
    def centers(self):
        if not self.ev.stencil_points:
            raise Missing("no stencil time t > 0 in the evidence")
        return self.ev.stencil_points

    # -- the direct route at stencil times (Eq 33, 35) -------------------------------------------
    @cached_property
    def direct_stencil(self):
        pts = sorted({x for v in self.centers.values() for x in v})
        growth = unstable_growth(self.ev.fixed_point.hessian_eigenvalues, max(pts))
        res = direct.truncated_objective_gradient(self.c, self.flows, self.s0, self.theta, pts, precision=self.precision,
                                                  max_directions=64, seed=self.seed, first_order=True, growth=growth)
        if not (res.X.full and res.Y.full):
            raise Missing("the direct route used projections (more than 64 components)")
        return res, {t: i for i, t in enumerate(pts)}

    # -- nudged fixed points (Eq 19, 37-42) -------------------------------------------------
    def solve_nudged(self, theta, beta, start):
        s, size, steps = newton(lambda v: self.c.extended_field(v, theta, beta),
                                lambda v: -self.c.extended_hessian(v, theta, beta), start,
                                precision=self.precision, what=f"the nudged fixed point at beta={fmt(beta)}",
                                tolerance=lambda v: self.precision.root_tolerance(1 + max(abs(x) for x in v)))
        scale = 1 + max(abs(x) for x in s)
        if size > self.precision.root_tolerance(scale):
            raise FixedPointNotFound(f"nudged fixed point at beta={fmt(beta)} not found: residual {fmt(size)} "
                                     f"after {steps} Newton steps (dps={self.work})")
        return s

    @cached_property
    def betas_fp(self):
        return [mpmath.mpf(0), mpf_of(BETA_NUDGE)]

    def s_beta(self, beta):
        key = ("s_beta", beta)
        if key not in self.memo:
            self.memo[key] = self.solve_nudged(self.theta, beta, list(self.s0)) if beta else list(self.s0)
        return self.memo[key]

    def s_beta_theta_cs(self, beta):
        """s^beta at theta + i h e_k for each k (complex step in theta)."""
        key = ("theta_cs", beta)
        if key not in self.memo:
            base = [mpmath.mpc(x) for x in self.s_beta(beta)]
            out = []
            for k in range(self.p):
                th = list(self.theta)
                th[k] = mpmath.mpc(th[k], self.h)
                out.append((th, self.solve_nudged(th, beta, base)))
            self.memo[key] = out
        return self.memo[key]

    def s_beta_beta_cs(self, beta):
        """s^(beta + i h) (complex step in beta)."""
        key = ("beta_cs", beta)
        if key not in self.memo:
            bc = mpmath.mpc(beta, self.h)
            self.memo[key] = (bc, self.solve_nudged(self.theta, bc, [mpmath.mpc(x) for x in self.s_beta(beta)]))
        return self.memo[key]

    def G(self, theta, beta, s):
        """E_theta^beta(s) (Eq 17)."""
        return self.c.energy(s, theta) + beta * self.c.cost(s, theta)

    # -- shared by the checks -------------------------------------------------------------------
    def split(self, cid, eqs, compared, A, B, names, terms, labels, cond=True):
        """:meth:`compare` at the evidence's times (cond(H) in the tolerance unless ``cond`` is False)."""
        return self.compare(cid, eqs, compared, A, B, self.ev.times, names, terms, labels=labels,
                            condition=self.cond if cond else 1)

    @property
    def direct_route(self):
        """The direct route's dL/ds, dL/dtheta (Eq 15-16) of the evidence."""
        if self.ev.direct is None:
            raise Missing(self.ev.direct_error or "direct route did not run")
        return self.ev.direct

    def from_check(self, cid):
        """The Finding of the check's own statement ``cid`` (theorem2, corollary4, ...) on this model."""
        r = self.checks[cid]
        return from_result(self.name, r, f"{self.name}: {r.worst}" if r.worst else "")
