"""``eqprop-verify audit``: every numbered equation of the paper (Eq 1-62), classified and checked as printed.

Each equation gets one entry ``{"equation", "class", "verdict", "evidence",
"corrected"}`` (plus ``statement``, ``summary``, ``models``, ``digits``,
``error_kind``, ``counterexample``):

class
    ``definition`` (introduces an object: Eq 1, 3, 9, 17, ... and the Cauchy
    problem Eq 11-14), ``identity`` (claims an equality: Eq 23, 27, ...),
    ``limit`` (claims a limit as t -> infinity: Eq 10), ``notation`` (a line
    that only names an object, the left end of a chain of equalities: Eq 43, 46).
verdict
    ``holds``: read as printed, with the paper's own conventions, the equation
    is true on every model it applies to (numbers below), or, for a definition,
    it has checkable content (it type-checks, or the computed objects satisfy
    it: Eq 2, 19, 41, 50, or two definitions of one object agree: Eq 48, 49)
    and that content holds.
    ``fails-as-printed``: read as printed, the equation is false (a
    counterexample with its numbers) or does not type-check (an undefined
    symbol, a shape mismatch, a wrong number of arguments); ``corrected``
    gives the form that holds, and the evidence its check.
    ``not-checkable``: a pure definition, or the checks could not decide
    (the evidence says why).
    A harmless abbreviation with exactly one reading (the missing exponent in
    dE/dtheta ds for a second derivative, Eq 57, 58, 60, 62) is noted in the
    evidence (``error_kind: "notation"``) without changing the verdict.

A numeric check compares two sides computed by different routes with the
tolerance policy of :mod:`verify.compare`. A side that disagrees by more than
``verify.falsify.REJECTION_MARGIN`` times its tolerance is a counterexample; a disagreement
between the tolerance and that margin is reported inconclusive
(``not-checkable``), never as a finding about the paper.

Routes used beyond the check's evidence (:mod:`verify.evidence`):

- complex step in beta: the nudged flow Eq 18 integrated once at beta = i h
  (and at beta = 1/10 + i h), so dS^beta/dbeta = Im S / h and every beta
  derivative of Eq 43-62 comes without extrapolation;
- a generic, non-fixed initial state s_gen = s_theta^0 + d (for Eq 27-34,
  51, 57): derivatives of the truncated objective Eq 9 by complex step on
  the flow, second derivatives by central differences of complex steps;
- nudged fixed points at beta = 0 and beta = 1/10, re-solved at complex theta
  and complex beta (Eq 37-42): total derivatives by complex step;
- sympy on abstract functions for the steps of the proofs that are pure
  calculus (Eq 29, 32, 34, 39, 42, 51, 57) and for closed-form
  counterexamples (Eq 56, 61); sympy on the paper's example (Eq 4-8, 18).
"""

from __future__ import annotations

import dataclasses
import html
import math
import os
import textwrap
import time as _time
from functools import cached_property
from typing import Callable

import mpmath
import sympy as sp

from symbolic.compile import MPMATH_MODULES
from symbolic.derive import derive
from symbolic.load import load_model

from . import config, pipeline, stencil
from .compare import compare_series, rounding_term
from .falsify import VARIANTS, rejected
from .fixed_point import FixedPointNotFound, newton
from .numbers import matvec
from .ode import IntegrationError
from .precision import Precision, validate_dps
from .routes import direct
from .theorems import resolve_backend

DEFAULT_MODELS = ("paper-hopfield", "paper-hopfield-readout", "quadratic", "riccati")
DEFAULT_DPS = 30
CLASSES = ("definition", "identity", "limit", "notation")
VERDICTS = ("holds", "fails-as-printed", "not-checkable")

TIMES = ("0", "1/2", "1", "2")          # second-phase times of the evidence
GENERIC_TIMES = ("1/2", "1")            # times for the identities at a generic state
LIMIT_TIMES = ("5", "10", "20", "30")   # Eq 10 at a generic initial state
BETA_NUDGE = sp.Rational(1, 10)         # a nonzero beta for Eq 37-42, 51, 57
FD_DELTA = sp.Rational(1, 10 ** 5)      # step of central differences in s, theta, beta, u
FORWARD_DELTA = sp.Rational(1, 10 ** 3)  # step of the one-sided difference at t = 0 (Eq 55)
PROJECTIONS = 3                         # random directions for Eq 32, 34 when the space is larger


def _mpf(q):
    q = sp.Rational(q)
    return mpmath.mpf(q.p) / q.q


# --------------------------------------------------------------------------------------------
# findings: one per (equation, model)
# --------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Finding:
    """One check of one equation on one model (``model`` None: symbolic, model-free)."""

    model: str | None
    outcome: str                 # holds | fails | inconclusive | n/a
    text: str
    digits: float | None = None
    counterexample: str = ""
    role: str = "printed"        # printed: the equation as printed; corrected: its corrected form
    result: object = None        # the CheckResult behind a numeric finding


def _n(x, k=3):
    return mpmath.nstr(x, k)


def _worst(A, B, times, names, label_a, label_b, at="t"):
    """Where |A - B| is largest: '... at t=..., component ...: A = a, B = b'."""
    best = (-1, 0, 0)
    for k, (a, b) in enumerate(zip(A, B)):
        for j, (x, y) in enumerate(zip(a, b)):
            d = abs(x - y)
            if d > best[0]:
                best = (d, k, j)
    _, k, j = best
    where = f"{at}={_n(times[k], 6)}" if times[k] != mpmath.inf else "t=infinity"
    return (f"{where}, component {names[j]}: {label_a} = {_n(A[k][j], 12)}, "
            f"{label_b} = {_n(B[k][j], 12)}")


def _outcome(result):
    if not result.applicable:
        return "n/a"
    if result.passed:
        return "holds"
    return "fails" if rejected(result) else "inconclusive"


def _from_result(model, result, counterexample="", role="printed"):
    if not result.applicable:
        return Finding(model, "n/a", f"{model}: not applicable ({result.reason})", role=role)
    outcome = _outcome(result)
    text = (f"{model}: {result.digits} digits (max rel. error {_n(result.max_rel_error, 2)}, "
            f"tolerance {_n(result.tolerance, 2)})")
    if outcome == "fails":   # the counterexample itself is listed once, under "Counterexample"
        text = (f"{model}: FAILS, rel. error {_n(result.max_rel_error, 3)} = "
                f"{_n(result.max_rel_error / result.tolerance, 2)} x tolerance")
    elif outcome == "inconclusive":
        text += f" inconclusive: {result.reason or 'error above tolerance but within the rejection margin'}"
    return Finding(model, outcome, text, result.digits, counterexample if outcome == "fails" else "", role)


class _Missing(Exception):
    """A route a check needs did not run on this model (the message says why)."""


# --------------------------------------------------------------------------------------------
# the per-model workbench: evidence plus the extra routes, computed lazily and once
# --------------------------------------------------------------------------------------------

class Bench:
    """One model's evidence and the audit's extra routes (call inside ``bench.precision.context()``)."""

    def __init__(self, name, *, precision, backend, seed, progress):
        self.model = load_model(name)
        self.name = self.model.name
        self.precision, self.dps, self.seed = precision, precision.dps, seed
        settings = config.Settings(dps=precision.dps, times=config.parse_times(TIMES), beta_method="symmetric",
                                   backend=backend, seed=seed, max_directions=config.MAX_DIRECTIONS)
        self.report = pipeline.run(self.model, settings,
                                   progress=lambda stage, step=False: progress(f"{self.name}: {stage}", step=step))
        self.ev = self.report.evidence
        self.work = self.ev.work
        self.c, self.flows, self.theta = self.ev.compiled, self.ev.flows, self.ev.theta
        self.n, self.p = self.c.n, self.c.p
        self.names_s, self.names_p = self.ev.names_s, self.ev.names_p
        self.h = precision.complex_step
        self.memo: dict = {}

    # -- basics ---------------------------------------------------------------------------
    @property
    def s0(self):
        if self.ev.fixed_point is None:
            raise _Missing(f"no fixed point: {self.ev.fixed_point_error}")
        return self.ev.fixed_point.s

    @property
    def ep(self):
        if self.ev.ep is None:
            raise _Missing(self.ev.ep_error or "EP route did not run")
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
        counter = f"{self.name}, {_worst(A, B, times, names, *labels, at=at)}"
        finding = _from_result(self.name, r, counter, role)
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
        return [x + _mpf(sp.Rational((-1) ** i * (i + 1), 5 * self.n)) for i, x in enumerate(self.s0)]

    @cached_property
    def fd(self):
        """(m, delta) of the order-2m central differences in s, theta, beta and u."""
        delta = _mpf(FD_DELTA)
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
        delta = _mpf(FORWARD_DELTA)
        K = math.ceil((self.work + 5) / -math.log10(float(FORWARD_DELTA)))
        return [j * delta for j in range(K + 1)], delta

    @cached_property
    def beta_step(self):
        """The nudged flow at beta = i h from s_theta^0: Z = dS/dbeta, W = d2S/dbeta dt, Y~ = d/dbeta dE^beta/dtheta."""
        if self.ev.ep_times is None:
            raise _Missing(self.ev.ep_error or "EP route did not run")
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
            raise _Missing("no stencil time t > 0 in the evidence")
        return self.ev.stencil_points

    # -- the direct route at stencil times (Eq 33, 35) -------------------------------------------
    @cached_property
    def direct_stencil(self):
        pts = sorted({x for v in self.centers.values() for x in v})
        res = direct.truncated_objective_gradient(self.c, self.flows, self.s0, self.theta, pts, precision=self.precision,
                                                  max_directions=64, seed=self.seed)
        if not (res.X.full and res.Y.full):
            raise _Missing("the direct route used projections (more than 64 components)")
        return res, {t: i for i, t in enumerate(pts)}

    # -- nudged fixed points (Eq 19, 37-42) -------------------------------------------------
    def solve_nudged(self, theta, beta, start):
        s, size, steps = newton(lambda v: self.c.extended_field(v, theta, beta),
                                lambda v: -self.c.extended_hessian(v, theta, beta), start,
                                precision=self.precision)
        scale = 1 + max(abs(x) for x in s)
        if size > self.precision.root_tolerance(scale):
            raise FixedPointNotFound(f"nudged fixed point at beta={_n(beta)} not found: residual {_n(size)} "
                                     f"after {steps} Newton steps (dps={self.work})")
        return s

    @cached_property
    def betas_fp(self):
        return [mpmath.mpf(0), _mpf(BETA_NUDGE)]

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


# --------------------------------------------------------------------------------------------
# the checks, one function per equation (per model), registered in ``CHECKS``
# --------------------------------------------------------------------------------------------

CHECKS: dict[str, Callable] = {}
SYMBOLIC: dict[str, Callable] = {}


def check(*numbers):
    def register(fn):
        for n in numbers:
            CHECKS[n] = fn
        return fn
    return register


def symbolic(*numbers):
    def register(fn):
        for n in numbers:
            SYMBOLIC[n] = fn
        return fn
    return register


def _times(values):
    return [_mpf(t) for t in values]


@check("2")
def _eq2(b):
    fp = b.ev.fixed_point
    if fp is None:
        return Finding(b.name, "n/a", f"{b.name}: {b.ev.fixed_point_error}")
    scale = 1 + max(abs(x) for x in fp.s)
    tol = rounding_term(b.dps)
    rel = fp.residual / scale
    kind = "strict minimum (H positive definite, as the text after Theorem 1 says)" if fp.is_strict_minimum \
        else fp.describe()
    outcome = "holds" if rel <= tol else "fails"
    return Finding(b.name, outcome, f"{b.name}: |dE/ds(s_theta^0)| = {_n(fp.residual, 2)} (tol {_n(tol, 2)}), "
                   f"Hessian eigenvalues in [{_n(fp.hessian_eigenvalues[0], 4)}, {_n(fp.hessian_eigenvalues[-1], 4)}]"
                   f": {kind}", _digits(rel))


def _digits(rel):
    return 99.0 if rel <= 0 else round(float(-mpmath.log10(rel)), 1)


@check("10")
def _eq10(b):
    r = b.checks["eq10-limit"]
    if not r.applicable:
        return Finding(b.name, "n/a", f"{b.name}: {r.reason}")
    dJ = b.ev.dJ
    lam = b.ev.fixed_point.hessian_eigenvalues[0]
    # at s = s_theta^0: |Y_t - dJ/dtheta| on the direct route
    at_s0 = [max(abs(y - g) for y, g in zip(Y, dJ)) for Y in b.ev.direct.Y.values] if b.ev.direct else []
    # at a generic initial state: dL/dtheta(theta, s_gen, T) . w -> dJ/dtheta . w, dL/ds . v -> 0
    T = _times(LIMIT_TIMES)
    dirs_p, _ = direct.directions_for(b.p, 2, b.seed + 5)
    dirs_s, _ = direct.directions_for(b.n, 2, b.seed + 6)
    errs, xs, L_minus_J = [mpmath.mpf(0)] * len(T), [mpmath.mpf(0)] * len(T), [mpmath.mpf(0)] * len(T)
    J = b.c.cost(b.s0, b.theta)
    for w in dirs_p:
        th = [mpmath.mpc(x, b.h * wk) for x, wk in zip(b.theta, w)]
        states, _ = b.flow(b.s_gen, T, theta=th)
        target = mpmath.fsum(g * wk for g, wk in zip(dJ, w))
        for k, S in enumerate(states):
            errs[k] = max(errs[k], abs(mpmath.im(b.c.cost(S, th)) / b.h - target))
            L_minus_J[k] = max(L_minus_J[k], abs(mpmath.re(b.c.cost(S, th)) - J))
    for v in dirs_s:
        states, _ = b.flow(b.s_gen, T, direction=v)
        for k, S in enumerate(states):
            xs[k] = max(xs[k], abs(mpmath.im(b.c.cost(S, b.theta)) / b.h))
    floor = rounding_term(b.dps) * (1 + max(abs(g) for g in dJ))
    rate = (-mpmath.log(errs[-1] / errs[-2]) / (T[-1] - T[-2])) if errs[-1] > floor and errs[-2] > 0 else None
    decreasing = all(e2 <= e1 for e1, e2 in zip(errs, errs[1:]) if e2 > floor)
    ok_rate = rate is None or rate >= lam / 2
    outcome = _outcome(r)
    if outcome == "holds" and not (decreasing and ok_rate):
        outcome = "inconclusive"
    text = (f"{b.name}: t -> infinity limit of the closed form vs dJ/dtheta by re-solved fixed points: "
            f"{r.digits} digits; at s_theta^0 |Y_t - dJ/dtheta| = "
            + ", ".join(f"{_n(e, 2)} (t={_n(t)})" for e, t in zip(at_s0, b.ev.times))
            + f"; from s_gen: |dL/dtheta.w - dJ/dtheta.w| = "
            + ", ".join(f"{_n(e, 2)} (T={_n(t)})" for e, t in zip(errs, T))
            + (f", decay rate {_n(rate, 3)} vs lambda_min(H) = {_n(lam, 4)}" if rate is not None else "")
            + ", |dL/ds.v| = " + ", ".join(_n(x, 2) for x in xs)
            + ", |L - J| = " + ", ".join(_n(x, 2) for x in L_minus_J))
    return Finding(b.name, outcome, text, r.digits)


def _split(b, cid, eqs, compared, A, B, names, terms, labels, cond=True):
    return b.compare(cid, eqs, compared, A, B, b.ev.times, names, terms, labels=labels,
                     condition=b.cond if cond else 1)


def _direct(b):
    if b.ev.direct is None:
        raise _Missing(b.ev.direct_error or "direct route did not run")
    return b.ev.direct


@check("15")
def _eq15(b):
    d = _direct(b)
    return _split(b, "eq15", ["15"], ["direct dL/ds", "RBP X_t"], d.X.values, d.X.project(b.ev.X),
                  direct_names(d.X, b.names_s), [(d.error_estimate, "integrator (direct)")],
                  ("dL/ds (direct)", "X_t (Cauchy problem)"))


@check("16")
def _eq16(b):
    d = _direct(b)
    return _split(b, "eq16", ["16"], ["direct dL/dtheta", "RBP Y_t"], d.Y.values, d.Y.project(b.ev.Y),
                  direct_names(d.Y, b.names_p), [(d.error_estimate, "integrator (direct)")],
                  ("dL/dtheta (direct)", "Y_t (Cauchy problem)"))


def direct_names(directional, names):
    return list(names) if directional.full else [f"projection {i}" for i in range(len(directional.directions))]


def _ep_terms(b):
    return [(b.ep.extrapolation_error, "extrapolation"), (b.ep.integration_error, "integrator (EP)")]


@check("21")
def _eq21(b):
    b.ep
    return _split(b, "eq21", ["21"], ["EP X~", "RBP X_t"], b.ev.X_tilde, b.ev.X, b.names_s, _ep_terms(b),
                  ("X~_t (EP, beta -> 0)", "X_t (Cauchy problem)"))


@check("22")
def _eq22(b):
    b.ep
    return _split(b, "eq22", ["22"], ["EP Y~", "RBP Y_t"], b.ev.Y_tilde, b.ev.Y, b.names_p, _ep_terms(b),
                  ("Y~_t (EP, beta -> 0)", "Y_t (Cauchy problem)"))


def _tag(finding, tag):
    """``model (tag): ...``: which of several routes a finding on one model comes from."""
    if finding.model and finding.text.startswith(f"{finding.model}:"):
        finding.text = f"{finding.model} ({tag}):" + finding.text[len(finding.model) + 1:]
    return finding


def _from_check(b, cid):
    r = b.checks[cid]
    return _from_result(b.name, r, f"{b.name}: {r.worst}" if r.worst else "")


@check("20", "36")
def _eq20(b):
    out = [_from_check(b, "theorem2")]
    if b.ev.dJ is not None:
        bc, s = b.s_beta_beta_cs(mpmath.mpf(0))
        cs = b.im(b.c.dEbeta_dtheta(s, b.theta, bc))
        out.append(_tag(b.compare("eq20-cs", ["20"], ["EP gradient by complex step in beta", "dJ/dtheta"], [cs],
                                  [b.ev.dJ], [mpmath.inf], b.names_p, [], labels=("EP (complex step)", "dJ/dtheta"),
                                  condition=b.cond), "beta = i h, no extrapolation"))
    return out


@check("23")
def _eq23(b):
    return _from_check(b, "corollary4")


@check("24")
def _eq24(b):
    return _from_check(b, "eq24")


@check("25", "11")
def _eq25(b):
    d = _direct(b)
    if b.ev.times[0] != 0:
        raise _Missing("t = 0 is not among the times")
    X0 = b.c.dC_ds(b.s0, b.theta)
    return b.compare("eq25", ["25"], ["direct dL/ds at t=0", "dC/ds(s0)"], [d.X.values[0]], d.X.project([X0]),
                     [mpmath.mpf(0)], direct_names(d.X, b.names_s), [(d.error_estimate, "integrator (direct)")],
                     labels=("dL/ds(s0, 0)", "dC/ds(s0)"))


@check("26", "12")
def _eq26(b):
    d = _direct(b)
    if b.ev.times[0] != 0:
        raise _Missing("t = 0 is not among the times")
    Y0 = b.c.dC_dtheta(b.s0, b.theta)
    return b.compare("eq26", ["26"], ["direct dL/dtheta at t=0", "dC/dtheta(s0)"], [d.Y.values[0]],
                     d.Y.project([Y0]), [mpmath.mpf(0)], direct_names(d.Y, b.names_p),
                     [(d.error_estimate, "integrator (direct)")], labels=("dL/dtheta(s0, 0)", "dC/dtheta(s0)"))


@check("27")
def _eq27(b):
    times = _times(GENERIC_TIMES)
    s = b.s_gen
    F = b.c.extended_field(s, b.theta, 0)         # -dE/ds(s)
    real, err = b.flow(s, times)
    lhs = [[b.dL_dt(S)] for S in real]
    grads = [[mpmath.mpf(0)] * b.n for _ in times]
    errs = [err]
    for k in range(b.n):
        e = [1 if i == k else 0 for i in range(b.n)]
        states, e_err = b.flow(s, times, direction=e)
        errs.append(e_err)
        for i, S in enumerate(states):
            grads[i][k] = mpmath.im(b.c.cost(S, b.theta)) / b.h
    rhs = [[mpmath.fsum(g * f for g, f in zip(G, F))] for G in grads]
    return b.compare("eq27", ["27"], ["dL/dt = dC/ds(S).F(S) on the flow from s_gen",
                                      "-dL/ds . dE/ds(s_gen), dL/ds by complex step"],
                     lhs, rhs, times, ["dL/dt"], [(max(errs), "integrator")],
                     labels=("dL/dt", "-dL/ds . dE/ds"))


@check("28")
def _eq28(b):
    s = b.s_gen
    half, one = _mpf("1/2"), _mpf(1)
    pairs = [(half, half), (half, one), (one, one), (one, 2 * one)]
    ends = sorted({u for u, _ in pairs} | {u + t for u, t in pairs})
    states, err = b.flow(s, ends)
    at = dict(zip(ends, states))
    A, B, worst_state = [], [], mpmath.mpf(0)
    for u, t in pairs:
        (S,), e2 = b.flow(at[u], [t])
        err = max(err, e2)
        A.append([b.c.cost(S, b.theta)])
        B.append([b.c.cost(at[u + t], b.theta)])
        worst_state = max(worst_state, max(abs(x - y) for x, y in zip(S, at[u + t])))
    f = b.compare("eq28", ["28"], ["L(S^0(s,u), t): integrate to u, restart, integrate for t",
                                   "L(s, t+u): one integration"], A, B, list(range(len(pairs))), ["L"],
                  [(err, "integrator")], labels=("L(S^0(s,u),t)", "L(s,t+u)"), at="pair")
    f.text += (f"; (u,t) in {{(1/2,1/2), (1/2,1), (1,1), (1,2)}} from s_gen; the states agree too: "
               f"max |S^0(S^0(s,u),t) - S^0(s,t+u)| = {_n(worst_state, 2)}")
    return f


def _eq30_data(b):
    if "eq30" in b.memo:
        return b.memo["eq30"]
    s, u, t = b.s_gen, _mpf("1/2"), _mpf(1)
    m, delta = b.fd
    us = [u + j * delta for j in range(-m, m + 1)]
    S_u, err = b.flow(s, us)
    L, ends = [], []
    for Su in S_u:
        (S,), e2 = b.flow(Su, [t])
        err = max(err, e2)
        ends.append(S)
        L.append([b.c.cost(S, b.theta)])
    dLdu, est = stencil.derivative(L, m, delta)
    Su = S_u[m]
    A = b.dL_dt(ends[m])                                          # dL/dt(S^0(s,u), t)
    F = b.c.extended_field(Su, b.theta, 0)
    (Sc,), e3 = b.flow(Su, [t], direction=F)
    C31 = mpmath.im(b.c.cost(Sc, b.theta)) / b.h                  # dL/ds(S^0(s,u),t) . (-dE/ds(S^0(s,u)))
    b.memo["eq30"] = (A, dLdu[0], C31, est, max(err, e3))
    return b.memo["eq30"]


@check("30")
def _eq30(b):
    A, dLdu, _, est, err = _eq30_data(b)
    m, delta = b.fd
    return b.compare("eq30", ["30"], ["dL/dt(S^0(s,u),t) = dC/ds(S).F(S) at the end state",
                                      f"d/du L(S^0(s,u),t) by order-{2 * m} central differences in u"],
                     [[A]], [[dLdu]], [_mpf("1/2")], ["L"], [(est, "finite differences"), (err, "integrator")],
                     labels=("dL/dt(S^0(s,u),t)", "d/du L(S^0(s,u),t)"), at="u")


@check("31")
def _eq31(b):
    _, dLdu, C31, est, err = _eq30_data(b)
    return b.compare("eq31", ["31"], ["d/du L(S^0(s,u),t) by central differences in u",
                                      "-dL/ds(S^0(s,u),t) . dE/ds(S^0(s,u)) (complex step along the field)"],
                     [[dLdu]], [[C31]], [_mpf("1/2")], ["L"], [(est, "finite differences"), (err, "integrator")],
                     labels=("d/du L", "-dL/ds . dE/ds"), at="u", role="corrected")


def _second_order(b, space):
    """Eq 32 (space 's') or Eq 34 (space 'theta') at s_gen, projected on directions; returns a Finding."""
    times = _times(GENERIC_TIMES)
    s = b.s_gen
    g = [-f for f in b.c.extended_field(s, b.theta, 0)]       # dE/ds(s_gen)
    size = b.n if space == "s" else b.p
    dirs, full = direct.directions_for(size, PROJECTIONS, b.seed + (11 if space == "s" else 12))
    names = (b.names_s if space == "s" else b.names_p) if full else [f"projection {i}" for i in range(len(dirs))]
    A = [[None] * len(dirs) for _ in times]
    B = [[None] * len(dirs) for _ in times]
    err, est = mpmath.mpf(0), mpmath.mpf(0)
    H, M = b.c.H(s, b.theta), b.c.M(s, b.theta)
    for d_i, v in enumerate(dirs):
        if space == "s":
            th, start_dir = b.theta, v
            third = matvec(H, v)                                 # dL/ds . (d2E/ds2 v)
        else:
            th = [mpmath.mpc(x, b.h * vk) for x, vk in zip(b.theta, v)]
            start_dir = None
            third = [mpmath.fsum(M[k, j] * v[k] for k in range(b.p)) for j in range(b.n)]  # M^T w
        # term 1: d2L/dt dx . v by complex step of dL/dt
        states, e1 = b.flow(s, times, theta=th, direction=start_dir)
        t1 = [mpmath.im(b.dL_dt(S, th)) / b.h for S in states]
        # term 2: (d2L/ds dx . dE/ds) . v by central differences along dE/ds of a complex step
        def along_g(eps, th=th, start_dir=start_dir):
            nonlocal err
            st, e = b.flow([x + eps * gx for x, gx in zip(s, g)], times, theta=th, direction=start_dir)
            err = max(err, e)
            return [mpmath.im(b.c.cost(S, th)) / b.h for S in st]
        t2, e2 = b.central(along_g)
        est = max(est, e2)
        # term 3: dL/ds . (d2E/ds dx v) by one complex step along that vector
        states, e3 = b.flow(s, times, direction=third)
        t3 = [mpmath.im(b.c.cost(S, b.theta)) / b.h for S in states]
        err = max(err, e1, e3)
        for k in range(len(times)):
            A[k][d_i] = t1[k]
            B[k][d_i] = -(t2[k] + t3[k])
    eq = "32" if space == "s" else "34"
    x = "ds" if space == "s" else "dtheta"
    m, _ = b.fd
    f = b.compare(f"eq{eq}", [eq], [f"d2L/dt {x} by complex step of dL/dt = dC/ds(S).F(S)",
                                    f"-(d2L/ds {x} . dE/ds + dL/ds . d2E/ds {x}): complex steps, order-{2 * m} "
                                    "central differences along dE/ds(s_gen)"],
                  A, B, times, names, [(est, "finite differences"), (err, "integrator")],
                  labels=(f"d2L/dt {x}", f"-(d2L/ds {x} . dE/ds + dL/ds . d2E/ds {x})"))
    f.text += f" (at s_gen, t in {{{', '.join(GENERIC_TIMES)}}}, {'all components' if full else f'{len(dirs)} random projections'})"
    return f


@check("32")
def _eq32(b):
    return _second_order(b, "s")


@check("34")
def _eq34(b):
    return _second_order(b, "theta")


def _direct_time_derivative(b, which):
    res, idx = b.direct_stencil
    values = res.X.values if which == "X" else res.Y.values
    D, est = b.stencil_d(lambda x: values[idx[x]], b.centers, amplify_err=res.error_estimate)
    Xc = [res.X.values[idx[t]] for t in b.centers]
    mat = b.ev.cauchy.H if which == "X" else b.ev.cauchy.M
    rhs = [[-v for v in matvec(mat, X)] for X in Xc]
    m, delta = b.ev.stencil_order, b.ev.stencil_delta
    eq, name, names = ("33", "H", b.names_s) if which == "X" else ("35", "M", b.names_p)
    return b.compare(f"eq{eq}", [eq], [f"d/dt of the direct route's dL/d{'s' if which == 'X' else 'theta'} "
                                       f"(order-{2 * m} central differences, delta={_n(delta, 2)})",
                                       f"-{name}(s0) dL/ds (direct)"],
                     D, rhs, list(b.centers), names, [(est, "finite differences")],
                     labels=(f"d/dt dL/d{'s' if which == 'X' else 'theta'}", f"-{name} dL/ds"), condition=b.cond)


@check("33")
def _eq33(b):
    return _direct_time_derivative(b, "X")


@check("35")
def _eq35(b):
    return _direct_time_derivative(b, "Y")


@check("13")
def _eq13(b):
    return [_tag(_eq33(b), "direct route"), _tag(_from_check(b, "cauchy-ode"), "cauchy-ode")]


@check("14")
def _eq14(b):
    return [_tag(_eq35(b), "direct route"), _tag(_from_check(b, "cauchy-ode"), "cauchy-ode")]


def _fp_compare(b, cid, eq, compared, A, B, names, labels):
    return b.compare(cid, [eq], compared, A, B, b.betas_fp, names, [], labels=labels, at="beta",
                     condition=b.cond)


@check("37")
def _eq37(b):
    A, B = [], []
    for beta in b.betas_fp:
        A.append([mpmath.im(b.c.cost(s, th)) / b.h for th, s in b.s_beta_theta_cs(beta)])
        bc, s = b.s_beta_beta_cs(beta)
        B.append(b.im(b.c.dEbeta_dtheta(s, b.theta, bc)))
    return _fp_compare(b, "eq37", "37", ["d/dtheta C(s^beta): complex step in theta, s^beta re-solved",
                                         "d/dbeta dE^beta/dtheta(s^beta): complex step in beta, s^beta re-solved"],
                       A, B, b.names_p, ("d/dtheta dE^beta/dbeta", "d/dbeta dE^beta/dtheta"))


@check("38")
def _eq38(b):
    dirs, full = direct.directions_for(b.p, 2, b.seed + 13)
    names = b.names_p if full else [f"projection {i}" for i in range(len(dirs))]
    A, B, est = [], [], mpmath.mpf(0)
    for beta in b.betas_fp:
        start = [mpmath.mpc(x) for x in b.s_beta(beta)]
        ra, rb = [], []
        for w in dirs:
            th_c = [mpmath.mpc(x, b.h * wk) for x, wk in zip(b.theta, w)]

            def dtheta_G(eps, th_c=th_c):    # d/dtheta.w G at beta + eps (complex step)
                bb = beta + eps
                return [mpmath.im(b.G(th_c, bb, b.solve_nudged(th_c, bb, start))) / b.h]

            def dbeta_G(eps, w=w):           # d/dbeta G at theta + eps w (complex step)
                th = [x + eps * wk for x, wk in zip(b.theta, w)]
                bc = mpmath.mpc(beta, b.h)
                return [mpmath.im(b.G(th, bc, b.solve_nudged(th, bc, start))) / b.h]

            da, ea = b.central(dtheta_G)
            db, eb = b.central(dbeta_G)
            est = max(est, ea, eb)
            ra.append(da[0])
            rb.append(db[0])
        A.append(ra)
        B.append(rb)
    m, _ = b.fd
    return b.compare("eq38", ["38"], [f"d/dbeta (central differences, order {2 * m}) of d/dtheta G (complex step)",
                                      f"d/dtheta (central differences) of d/dbeta G (complex step)"],
                     A, B, b.betas_fp, names, [(est, "finite differences")],
                     labels=("d/dbeta d/dtheta E^beta(s^beta)", "d/dtheta d/dbeta E^beta(s^beta)"), at="beta",
                     condition=b.cond)


def _dbeta_G(b, beta):
    bc, s = b.s_beta_beta_cs(beta)
    return mpmath.im(b.G(b.theta, bc, s)) / b.h, [mpmath.im(x) / b.h for x in s]


@check("39")
def _eq39(b):
    A, B, second = [], [], mpmath.mpf(0)
    for beta in b.betas_fp:
        lhs, ds = _dbeta_G(b, beta)
        s = b.s_beta(beta)
        grad = [-f for f in b.c.extended_field(s, b.theta, beta)]
        term = mpmath.fsum(g * d for g, d in zip(grad, ds))
        second = max(second, abs(term))
        A.append([lhs])
        B.append([b.c.cost(s, b.theta) + term])
    f = _fp_compare(b, "eq39", "39", ["d/dbeta E^beta(s^beta) by complex step in beta (s^beta re-solved)",
                                      "dE^beta/dbeta(s^beta) + dE^beta/ds(s^beta) . ds^beta/dbeta"],
                    A, B, ["E^beta"], ("d/dbeta E^beta(s^beta)", "chain rule"))
    f.text += f"; the second term is {_n(second, 2)} (it vanishes by Eq 41)"
    return f


@check("40")
def _eq40(b):
    A, B = [], []
    for beta in b.betas_fp:
        lhs, _ = _dbeta_G(b, beta)
        A.append([lhs])
        B.append([b.c.cost(b.s_beta(beta), b.theta)])
    return _fp_compare(b, "eq40", "40", ["d/dbeta E^beta(s^beta) by complex step in beta",
                                         "dE^beta/dbeta(s^beta) = C(s^beta)"], A, B, ["E^beta"],
                       ("d/dbeta E^beta(s^beta)", "C(s^beta)"))


@check("19", "41")
def _eq19(b):
    points = [(beta, b.s_beta(beta)) for beta in b.betas_fp[1:]]
    if b.ev.nudged_points:
        with (b.ep.precision if b.ev.ep else b.precision).context():
            points += [(beta, s) for beta, s in zip(b.ev.plan.betas, b.ev.nudged_points)]
    worst = max(max(abs(x) for x in b.c.extended_field(s, b.theta, beta)) / (1 + max(abs(v) for v in s))
                for beta, s in points)
    s1 = b.s_beta(_mpf(BETA_NUDGE))
    eig = sorted(mpmath.eigsy(b.c.extended_hessian(s1, b.theta, _mpf(BETA_NUDGE)), eigvals_only=True))
    tol = rounding_term(b.dps)
    outcome = "holds" if worst <= tol else "fails"
    return Finding(b.name, outcome, f"{b.name}: max |dE^beta/ds(s^beta)| = {_n(worst, 2)} (tol {_n(tol, 2)}) "
                   f"over beta in {{1/10, {len(points) - 1} betas of the EP plan}}; at beta = 1/10 the Hessian of "
                   f"E^beta has eigenvalues in [{_n(eig[0], 4)}, {_n(eig[-1], 4)}] (an energy minimum of E^beta)",
                   _digits(worst))


@check("42")
def _eq42(b):
    A, B = [], []
    for beta in b.betas_fp:
        A.append([mpmath.im(b.G(th, beta, s)) / b.h for th, s in b.s_beta_theta_cs(beta)])
        B.append(b.c.dEbeta_dtheta(b.s_beta(beta), b.theta, beta))
    return _fp_compare(b, "eq42", "42", ["d/dtheta E^beta(s^beta): complex step in theta, s^beta re-solved",
                                         "dE^beta/dtheta(s^beta) (partial derivative)"], A, B, b.names_p,
                       ("d/dtheta E^beta(s^beta)", "dE^beta/dtheta(s^beta)"))


def _cs_terms(b):
    return [(b.beta_step["err"], "integrator (complex step in beta)")]


def _at(series, times):
    return [series[t] for t in times]


@check("43")
def _eq43(b):
    bs = b.beta_step
    D, est = b.stencil_d(lambda x: bs["Z"][x], b.centers, amplify_err=bs["err"])
    m = b.ev.stencil_order
    return b.compare("eq43", ["43"], [f"d/dt (order-{2 * m} central differences) of dS^beta/dbeta = Im S^(ih)/h",
                                      "d/dbeta of dS^beta/dt = Im F^(ih)(S^(ih))/h"],
                     D, _at(bs["W"], b.centers), list(b.centers), b.names_s,
                     [(est, "finite differences")] + _cs_terms(b), labels=("d/dt d/dbeta S", "d/dbeta d/dt S"))


def _readout_44(b):
    ep, c = b.ep, b.c
    with ep.precision.context():
        F0 = c.extended_field(ep.s0, ep.theta, 0)
        values, err = ep.readout(lambda beta, s: [(f - f0) / beta for f, f0 in
                                                  zip(c.extended_field(s, ep.theta, beta), F0)])
    return [values[b.ev.ep_times.index(t)] for t in b.ev.times], err


@check("44")
def _eq44(b):
    bs = b.beta_step
    R, err = _readout_44(b)
    return _split(b, "eq44", ["43", "44"], ["d2S/dbeta dt at beta=0 by complex step in beta",
                                            "lim 1/beta (dS^beta/dt - dS^0/dt), real beta extrapolated"],
                  _at(bs["W"], b.ev.times), R, b.names_s, _ep_terms(b) + [(err, "extrapolation")] + _cs_terms(b),
                  ("d2S/dbeta dt (complex step)", "Eq 44 limit"), cond=False)


@check("45")
def _eq45(b):
    R44, err = _readout_44(b)
    R45 = [[-x for x in v] for v in b.ev.X_tilde]
    f = _split(b, "eq45", ["44", "45"], ["Eq 44's limit", "lim 1/beta dS^beta/dt (= -X~ of Eq 21)"], R44, R45,
               b.names_s, _ep_terms(b) + [(err, "extrapolation")], ("Eq 44", "Eq 45"), cond=False)
    free, _ = b.flow(b.s0, b.ev.times)
    stay = max(max(abs(x - y) for x, y in zip(S, b.s0)) for S in free)
    f.text += (f"; dS^0/dt(s0,t) = -dE/ds(s0) = {_n(b.ev.fixed_point.residual, 2)}, "
               f"max_t |S^0(s0,t) - s0| = {_n(stay, 2)}")
    return f


@check("47")
def _eq47(b):
    bs = b.beta_step
    return _split(b, "eq47", ["46", "47"], ["d/dbeta|0 dE^beta/dtheta(S^beta) by complex step in beta",
                                            "lim 1/beta (...) with real beta extrapolated (Eq 22 readout)"],
                  _at(bs["Y"], b.ev.times), b.ev.Y_tilde, b.names_p, _ep_terms(b) + _cs_terms(b),
                  ("Eq 46 (complex step)", "Eq 47 (limit)"), cond=False)


@check("48")
def _eq48(b):
    bs = b.beta_step
    return _split(b, "eq48", ["48", "21"], ["X~ of Eq 21 (real beta extrapolated)",
                                            "-d2S/dbeta dt|0 of Eq 48 (complex step in beta)"],
                  b.ev.X_tilde, [[-x for x in bs["W"][t]] for t in b.ev.times], b.names_s,
                  _ep_terms(b) + _cs_terms(b), ("X~ (Eq 21)", "X~ (Eq 48)"), cond=False)


@check("49")
def _eq49(b):
    bs = b.beta_step
    return _split(b, "eq49", ["49", "22"], ["Y~ of Eq 22 (real beta extrapolated)",
                                            "d/dbeta|0 dE^beta/dtheta(S^beta) of Eq 49 (complex step in beta)"],
                  b.ev.Y_tilde, _at(bs["Y"], b.ev.times), b.names_p, _ep_terms(b) + _cs_terms(b),
                  ("Y~ (Eq 22)", "Y~ (Eq 49)"), cond=False)


@check("50")
def _eq50(b):
    ep = b.ep
    beta = ep.plan.betas[0]
    idx = {t: i for i, t in enumerate(b.ev.ep_times)}
    with ep.precision.context():
        row = ep.states[0]
        D, est = b.stencil_d(lambda x: row[idx[x]], b.centers, amplify_err=ep.integration_error * abs(beta))
        rhs = [b.c.extended_field(row[idx[t]], ep.theta, beta) for t in b.centers]
    m = b.ev.stencil_order
    f = b.compare("eq50", ["50"], [f"d/dt of the integrated nudged flow (order-{2 * m} central differences)",
                                   "-dE^beta/ds(S^beta)"], D, rhs, list(b.centers), b.names_s,
                  [(est, "finite differences")], labels=("dS^beta/dt", "-dE^beta/ds(S^beta)"))
    f.text += f" (beta = {_n(beta, 3)}, from s_theta^0)"
    return f


def _generic_nudged(b):
    """The flow at beta = 1/10 + i h from s_gen at the stencil points of GENERIC_TIMES (Eq 51, 57)."""
    if "generic_nudged" in b.memo:
        return b.memo["generic_nudged"]
    m, delta = b.ev.stencil_order, b.ev.stencil_delta
    centers = {t: stencil.stencil_times(t, m, delta) for t in _times(GENERIC_TIMES)}
    pts = sorted({x for v in centers.values() for x in v})
    beta = mpmath.mpc(_mpf(BETA_NUDGE), b.h)
    states, err = b.flow(b.s_gen, pts, beta=beta)
    data = {"centers": centers, "beta": beta, "err": err,
            "S": {t: [mpmath.re(x) for x in S] for t, S in zip(pts, states)},
            "Z": {t: b.im(S) for t, S in zip(pts, states)},
            "Sc": dict(zip(pts, states))}
    b.memo["generic_nudged"] = data
    return data


@check("51", "52")
def _eq51(b):
    g = _generic_nudged(b)
    beta = mpmath.re(g["beta"])
    D, est = b.stencil_d(lambda x: g["Z"][x], g["centers"], amplify_err=g["err"])
    rhs = []
    for t in g["centers"]:
        S, Z = g["S"][t], g["Z"][t]
        Hb = b.c.extended_hessian(S, b.theta, beta)
        rhs.append([-c - hz for c, hz in zip(b.c.dC_ds(S, b.theta), matvec(Hb, Z))])
    f = b.compare("eq51", ["51", "52"], ["d/dt dS^beta/dbeta (complex step in beta, central differences in t)",
                                         "-d2E^beta/ds dbeta(S^beta) - d2E^beta/ds2(S^beta) dS^beta/dbeta"],
                  D, rhs, list(g["centers"]), b.names_s, [(est, "finite differences")],
                  labels=("d/dt dS/dbeta", "right side of Eq 51-52"))
    f.text += " (beta = 1/10, from s_gen)"
    return f


@check("57", "58")
def _eq57(b):
    g = _generic_nudged(b)
    beta_c = g["beta"]
    beta = mpmath.re(beta_c)
    A, B = [], []
    for t in g["centers"]:
        S, Z, Sc = g["S"][t], g["Z"][t], g["Sc"][t]
        A.append(b.im(b.c.dEbeta_dtheta(Sc, b.theta, beta_c)))
        cross = b.im(b.c.dC_dtheta([x + mpmath.mpc(0, b.h * z) for x, z in zip(S, Z)], b.theta))
        MZ = matvec(b.c.M(S, b.theta), Z)
        B.append([c + mz + beta * x for c, mz, x in zip(b.c.dC_dtheta(S, b.theta), MZ, cross)])
    f = b.compare("eq57", ["57", "58"], ["d/dbeta dE^beta/dtheta(S^beta(s,t)) by complex step in beta",
                                         "d2E^beta/dtheta dbeta(S^beta) + d2E^beta/dtheta ds(S^beta) dS^beta/dbeta"],
                  A, B, list(g["centers"]), b.names_p, [(g["err"], "integrator (complex step)")],
                  labels=("d/dbeta dE^beta/dtheta", "right side of Eq 57-58"))
    f.text += " (beta = 1/10, from s_gen)"
    return f


def _tangent_at_s0(b):
    """(d/dt Z by central differences, Z) at the stencil centres, Z = dS^beta/dbeta|0 (complex step)."""
    bs = b.beta_step
    D, est = b.stencil_d(lambda x: bs["Z"][x], b.centers, amplify_err=bs["err"])
    return D, [bs["Z"][t] for t in b.centers], est


@check("53", "54")
def _eq53(b):
    D, Z, est = _tangent_at_s0(b)
    dC, H = b.c.dC_ds(b.s0, b.theta), b.ev.cauchy.H
    rhs = [[-c - hz for c, hz in zip(dC, matvec(H, z))] for z in Z]
    return b.compare("eq53", ["53", "54"], ["d/dt dS^beta/dbeta|0 (complex step in beta, central differences in t)",
                                            "-dC/ds(s0) - H(s0) dS^beta/dbeta|0"], D, rhs, list(b.centers),
                     b.names_s, [(est, "finite differences")], labels=("d/dt dS/dbeta", "-dC/ds - H dS/dbeta"),
                     condition=b.cond)


def _forward_derivative(values, delta):
    """f'(0) from f(j delta), j = 0..K (derivative of the interpolating polynomial), with an error estimate."""
    def weights(K):
        w = []
        for j in range(K + 1):
            if j == 0:
                w.append(-mpmath.fsum(mpmath.mpf(1) / k for k in range(1, K + 1)))
            else:
                num = mpmath.fprod([-k for k in range(1, K + 1) if k != j])
                den = mpmath.fprod([j - k for k in range(K + 1) if k != j])
                w.append(num / den)
        return w

    def deriv(K):
        w = weights(K)
        return [mpmath.fsum(w[j] * values[j][c] for j in range(K + 1)) / delta for c in range(len(values[0]))]

    K = len(values) - 1
    best, lower = deriv(K), deriv(K - 1)
    amp = mpmath.fsum(abs(x) for x in weights(K)) / delta
    size = max(abs(x) for row in values for x in row)
    return best, max(abs(a - b) for a, b in zip(best, lower)) + mpmath.eps * size * amp, amp


@check("55")
def _eq55(b):
    bs = b.beta_step
    fwd, delta = b.forward_times
    d, est, amp = _forward_derivative([bs["Z"][t] for t in fwd], delta)
    return b.compare("eq55", ["55"], [f"d/dt at t=0 of dS^beta/dbeta|0 (complex step in beta; one-sided "
                                      f"differences, {len(fwd)} points, delta={_n(delta, 2)})", "-dC/ds(s0)"],
                     [d], [[-x for x in b.c.dC_ds(b.s0, b.theta)]], [mpmath.mpf(0)], b.names_s,
                     [(est, "finite differences"), (amp * bs["err"], "integrator (complex step)")],
                     labels=("d2S/dt dbeta(s0, 0)", "-dC/ds(s0)"))


def _variant(vid):
    return next(v for v in VARIANTS if v.id == vid)


@check("56")
def _eq56(b):
    D, Z, est = _tangent_at_s0(b)
    H = b.ev.cauchy.H
    printed = [[-x for x in matvec(H, z)] for z in Z]
    f = b.compare("eq56", ["56"], ["d/dt dS^beta/dbeta|0 (complex step in beta, central differences in t)",
                                      "-H(s0) dS^beta/dbeta|0 (Eq 56 as printed)"], D, printed, list(b.centers),
                     b.names_s, [(est, "finite differences")], labels=("d/dt dS/dbeta", "-H dS/dbeta (printed)"),
                     condition=b.cond)
    if f.outcome == "fails":
        # the same point, with the right side of Eq 53 beside the printed one
        k, j = _argmax(D, printed)
        t = list(b.centers)[k]
        correct = -b.c.dC_ds(b.s0, b.theta)[j] - matvec(H, Z[k])[j]
        f.counterexample = (f"{b.name}, t={_n(t, 6)}, component {b.names_s[j]}: d/dt dS^beta/dbeta|0 = "
                            f"{_n(D[k][j], 12)}, printed right side -H dS/dbeta = {_n(printed[k][j], 12)}, "
                            f"Eq 53's right side -dC/ds - H dS/dbeta = {_n(correct, 12)}")
    out = [f]
    v = _variant("eq56-as-printed").run(b.ev)
    out.append(Finding(b.name, _outcome(v), f"{b.name} (falsification variant eq56-as-printed on EP states, "
                       f"beta extrapolated): rel. error {_n(v.max_rel_error, 3)} vs tolerance {_n(v.tolerance, 2)}",
                       v.digits))
    # corrected form: d/dt X~ = -H X~ with X~ = -d2S/dt dbeta
    bs = b.beta_step
    DW, estw = b.stencil_d(lambda x: bs["W"][x], b.centers, amplify_err=bs["err"])
    rhs = [[-x for x in matvec(H, bs["W"][t])] for t in b.centers]
    out.append(b.compare("eq56-corrected", ["56", "13"], ["d/dt d2S/dt dbeta|0", "-H d2S/dt dbeta|0"], DW, rhs,
                         list(b.centers), b.names_s, [(estw, "finite differences")],
                         labels=("d/dt d2S/dt dbeta", "-H d2S/dt dbeta"), condition=b.cond, role="corrected"))
    return out


def _argmax(A, B):
    best, where = -1, (0, 0)
    for k, (a, b) in enumerate(zip(A, B)):
        for j, (x, y) in enumerate(zip(a, b)):
            if abs(x - y) > best:
                best, where = abs(x - y), (k, j)
    return where


@check("59", "60")
def _eq59(b):
    bs = b.beta_step
    dC, M = b.c.dC_dtheta(b.s0, b.theta), b.ev.cauchy.M
    rhs = [[c + mz for c, mz in zip(dC, matvec(M, bs["Z"][t]))] for t in b.ev.times]
    return _split(b, "eq59", ["59", "60"], ["Y~_t = d/dbeta|0 dE^beta/dtheta(S^beta) (EP, real beta extrapolated)",
                                            "dC/dtheta(s0) + M(s0) dS^beta/dbeta|0 (complex step in beta)"],
                  b.ev.Y_tilde, rhs, b.names_p, _ep_terms(b) + _cs_terms(b),
                  ("Y~_t", "dC/dtheta + M dS/dbeta"))


@check("61")
def _eq61(b):
    b.ep
    v = _variant("eq61-as-printed").run(b.ev)
    Y0 = b.ev.Y_tilde[0]
    counter = ""
    if _outcome(v) == "fails":
        j = max(range(b.p), key=lambda i: abs(Y0[i]))
        counter = (f"{b.name}, t=0, component {b.names_p[j]}: Y~_0 = {_n(Y0[j], 12)} (EP, beta -> 0), "
                   f"printed 0; dC/dtheta(s0) = {_n(b.c.dC_dtheta(b.s0, b.theta)[j], 12)}")
    f = _from_result(b.name, v, counter)
    if f.outcome == "holds":
        f.text += " (this model's cost does not depend on theta: dC/dtheta = 0)"
    corrected = b.compare("eq61-corrected", ["61", "12", "59"], ["Y~_0 (EP)", "dC/dtheta(s0)"], [Y0],
                          [b.c.dC_dtheta(b.s0, b.theta)], [mpmath.mpf(0)], b.names_p, _ep_terms(b),
                          labels=("Y~_0", "dC/dtheta(s0)"), role="corrected")
    return [f, corrected]


@check("62")
def _eq62(b):
    ep = b.ep
    bs = b.beta_step
    D, est = b.stencil_d(lambda x: b.ev.ep_at(x)[1], b.centers,
                         amplify_err=ep.extrapolation_error + ep.integration_error)
    M = b.ev.cauchy.M
    rhs = [matvec(M, bs["W"][t]) for t in b.centers]
    m = b.ev.stencil_order
    return b.compare("eq62", ["62"], [f"d/dt Y~ (EP readout, order-{2 * m} central differences in t)",
                                      "M(s0) d2S/dt dbeta|0 (complex step in beta)"], D, rhs, list(b.centers),
                     b.names_p, [(est, "finite differences")] + _cs_terms(b),
                     labels=("d/dt Y~", "M d2S/dt dbeta"), condition=b.cond)


# --------------------------------------------------------------------------------------------
# symbolic checks (model-free, or on the paper's example)
# --------------------------------------------------------------------------------------------

def _sym(outcome, text, role="printed", counterexample=""):
    return Finding(None, outcome, f"symbolic (sympy): {text}", 99.0 if outcome == "holds" else None,
                   counterexample, role)


def _proved(residuals, text):
    """Three-valued, as sympy's ``equals``: a residual that does not simplify to 0 is undecided, not false."""
    residuals = residuals if isinstance(residuals, (list, tuple)) else [residuals]
    if all(r == 0 for r in residuals):
        return _sym("holds", text)
    return _sym("inconclusive", text + " (sympy could not reduce the residual to 0; undecided)")


@symbolic("29")
def _sym29():
    t, u = sp.symbols("t u", real=True)
    f = sp.Function("L")
    r = sp.simplify(sp.diff(f(t + u), t) - sp.diff(f(t + u), u))
    return _proved(r, f"d/dt L(t+u) - d/du L(t+u) = {r} for an arbitrary differentiable L")


def _abstract_2d():
    a, b_, t, th = sp.symbols("a b t theta", real=True)
    return a, b_, t, th, [a, b_]


@symbolic("32")
def _sym32():
    a, b_, t, th, s = _abstract_2d()
    L, E = sp.Function("L")(a, b_, t), sp.Function("E")(a, b_)
    eq27 = sp.diff(L, t) + sum(sp.diff(L, x) * sp.diff(E, x) for x in s)
    res = [sp.simplify(sp.diff(eq27, x) - (sp.diff(L, t, x) + sum(sp.diff(L, x, y) * sp.diff(E, y) for y in s)
                                           + sum(sp.diff(L, y) * sp.diff(E, y, x) for y in s))) for x in s]
    return _proved(res, f"d/ds of Eq 27 minus Eq 32 = {res} (s in R^2, L(s,t), E(s) arbitrary)")


@symbolic("34")
def _sym34():
    a, b_, t, th, s = _abstract_2d()
    L, E = sp.Function("L")(th, a, b_, t), sp.Function("E")(th, a, b_)
    eq27 = sp.diff(L, t) + sum(sp.diff(L, x) * sp.diff(E, x) for x in s)
    printed = sp.diff(L, t, th) + sum(sp.diff(L, x, th) * sp.diff(E, x) for x in s) \
        + sum(sp.diff(L, x) * sp.diff(E, x, th) for x in s)
    r = sp.simplify(sp.diff(eq27, th) - printed)
    return _proved(r, f"d/dtheta of Eq 27 minus Eq 34 = {r} (s in R^2, theta scalar)")


@symbolic("51", "52")
def _sym51():
    a, b_, t, th, s = _abstract_2d()
    beta = sp.Symbol("beta", real=True)
    S = [sp.Function("S1")(t, beta), sp.Function("S2")(t, beta)]
    E, C = sp.Function("E")(a, b_), sp.Function("C")(a, b_)
    Eb = E + beta * C
    sub = dict(zip(s, S))
    grad = [sp.diff(Eb, x) for x in s]
    res = []
    for i in range(2):
        lhs = sp.diff(-grad[i].subs(sub), beta)       # d/dbeta of the right side of Eq 50 = d/dt dS/dbeta
        printed = -sp.diff(grad[i], beta).subs(sub) - sum(sp.diff(grad[i], y).subs(sub) * sp.diff(Sy, beta)
                                                         for y, Sy in zip(s, S))
        res.append(sp.simplify(lhs - printed))
    return _proved(res, f"d/dbeta of Eq 50's right side minus Eq 51-52's = {res} (s in R^2)")


TEXT_56 = "FAILS on a linear-quadratic closed form (counterexample below)"
TEXT_61 = "FAILS on a one-dimensional model with a theta-dependent cost (counterexample below)"


@symbolic("56")
def _sym56():
    t, beta = sp.symbols("t beta", real=True)
    a, y = sp.symbols("a y", positive=True)
    S = sp.Function("S")
    # E = a s^2/2 (s_theta^0 = 0), C = (s - y)^2/2: ds/dt = -a s - beta (s - y), S(0) = 0
    sol = sp.dsolve(sp.Eq(S(t).diff(t), -a * S(t) - beta * (S(t) - y)), S(t), ics={S(0): 0}).rhs
    Z = sp.simplify(sp.diff(sol, beta).subs(beta, 0))
    printed = sp.simplify(sp.diff(Z, t) - (-a * Z))
    eq53 = sp.simplify(sp.diff(Z, t) - (y - a * Z))
    W = sp.diff(Z, t)
    corrected = sp.simplify(sp.diff(W, t) + a * W)
    ok = printed != 0 and eq53 == 0 and corrected == 0
    counter = (f"E = a s^2/2, C = (s - y)^2/2 (s_theta^0 = 0): dS^beta/dbeta|0 = {Z}; "
               f"d/dt of it minus (-a times it) = {printed} != 0; Eq 53 holds (residual {eq53}); "
               f"d/dt W + a W = {corrected} for W = d2S/dt dbeta|0")
    return _sym("fails" if ok else "inconclusive", TEXT_56 if ok else counter, counterexample=counter)


@symbolic("61")
def _sym61():
    s, a, c, v, y, beta = sp.symbols("s a c v y beta", real=True)
    E = a * s ** 2 / 2 - c * s
    C = (y - v * s) ** 2 / 2
    s0 = c / a
    theta = [a, c, v]
    Ytilde0 = [sp.simplify(sp.diff(sp.diff(E + beta * C, th).subs(s, s0), beta)) for th in theta]
    values = {a: 1, c: 1, v: 1, y: 2}
    nums = [sp.nsimplify(x.subs(values)) for x in Ytilde0]
    counter = (f"E = a s^2/2 - c s, C = (y - v s)^2/2, theta = (a, c, v): since S^beta(s0, 0) = s0, "
               f"Y~_0 = dC/dtheta(s0) = {Ytilde0}; at a = c = v = 1, y = 2: {nums} != 0")
    ok = any(x != 0 for x in nums)
    return _sym("fails" if ok else "inconclusive", TEXT_61 if ok else counter, counterexample=counter)


# -- the paper's example (Eq 4-8, 18), on the built-in paper-hopfield model --------------------

@dataclasses.dataclass
class _Hopfield:
    model: object
    blocks: dict
    rho: object
    field: object

    def r(self, v):
        return v.applyfunc(self.rho)

    def rp(self, v):
        return v.applyfunc(lambda u: sp.diff(self.rho(u), u))

    def slice(self, name):
        start = 0
        for b in self.model.state:
            if b.name == name:
                return self.field[start:start + b.size, 0]
            start += b.size
        raise KeyError(name)

    def evaluate(self, expr, state):
        """expr at the state ``state`` (flat) and the model's theta, rho and inputs substituted."""
        m = self.model
        fn = sp.lambdify(list(m.s) + list(m.theta), m.concrete(expr), modules=MPMATH_MODULES)
        values = [mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in m.theta_values]
        out = fn(*state, *values)
        return [mpmath.mpf(x) for x in (out if hasattr(out, "__len__") else [out])]


_HOPFIELD = {}


def _hopfield():
    if "h" not in _HOPFIELD:
        m = load_model("paper-hopfield")
        blocks = {b.name: b.as_sympy() for b in m.state + m.params + m.inputs + m.targets}
        _HOPFIELD["h"] = _Hopfield(m, blocks, m.user_function("rho"), derive(m).field)
    return _HOPFIELD["h"]


def _generic_state(model):
    return [_mpf(sp.Rational((-1) ** i * (i + 1), 10)) for i in range(model.n)]


@symbolic("4")
def _sym4():
    h = _hopfield()
    B, r = h.blocks, h.r
    shapes = {k: B[k].shape for k in ("s0", "s1", "s2", "W01", "W12", "W23", "x")}
    ok_shapes = (shapes["W01"] == (shapes["s0"][0], shapes["s1"][0]) and shapes["W12"] == (shapes["s1"][0], shapes["s2"][0])
                 and shapes["W23"] == (shapes["s2"][0], shapes["x"][0]))
    E4 = ((B["s0"].T * B["s0"] + B["s1"].T * B["s1"] + B["s2"].T * B["s2"]) / 2
          - r(B["s0"]).T * B["W01"] * r(B["s1"]) - r(B["s1"]).T * B["W12"] * r(B["s2"])
          - r(B["s2"]).T * B["W23"] * r(B["x"]))
    diff = sp.expand(E4[0, 0] - h.model.energy)
    ok = ok_shapes and diff == 0
    return _sym("holds" if ok else "fails", f"well-formed (W01: {shapes['W01']}, W12: {shapes['W12']}, "
                f"W23: {shapes['W23']} match the layers; every term is 1x1); the built-in paper-hopfield energy "
                f"minus Eq 4 expands to {diff}")


_LAYERS = {
    "5": ("s0", "rho'(s0)^T . W01 . rho(s1)", lambda h, B: (B["W01"] * h.r(B["s1"]), {}),
          "ds0/dt = rho'(s0) * (W01 rho(s1)) - s0   (* elementwise)"),
    "6": ("s1", "rho'(s1)^T . (W12 . rho(s2) + W10 . rho(s0)) with W10 := W01^T",
          lambda h, B: (B["W12"] * h.r(B["s2"]) + B["W01"].T * h.r(B["s0"]), {"W10": "W01^T"}),
          "ds1/dt = rho'(s1) * (W12 rho(s2) + W01^T rho(s0)) - s1   (* elementwise; W10 = W01^T)"),
    "7": ("s2", "rho'(s2)^T . (W23 . rho(x) + W21 . rho(s1)) with W21 := W12^T",
          lambda h, B: (B["W23"] * h.r(B["x"]) + B["W12"].T * h.r(B["s1"]), {"W21": "W12^T"}),
          "ds2/dt = rho'(s2) * (W23 rho(x) + W12^T rho(s1)) - s2   (* elementwise; W21 = W12^T)"),
}


def _layer(eq):
    h = _hopfield()
    B = h.blocks
    layer, printed_text, inner_fn, _ = _LAYERS[eq]
    inner, undefined = inner_fn(h, B)
    sv = B[layer]
    literal = h.rp(sv).T * inner                      # rho'(s)^T . (...): a 1x1 matrix
    try:
        literal - sv
        shape_note = ""
    except sp.ShapeError:
        shape_note = (f"as printed, {printed_text} is {literal.shape[0]}x{literal.shape[1]} (a scalar: a transposed "
                      f"vector times a vector) while {layer} is {sv.shape[0]}x{sv.shape[1]}: shape mismatch")
    undefined_note = (f"; {', '.join(undefined)} {'is' if len(undefined) == 1 else 'are'} not defined in the text "
                      f"(theta = (W01, W12, W23)), read here as {', '.join(f'{k} = {v}' for k, v in undefined.items())}"
                      if undefined else "")
    correct = h.slice(layer)
    elementwise = sp.matrix_multiply_elementwise(h.rp(sv), inner) - sv
    residual = sp.simplify(elementwise - correct)
    state = _generic_state(h.model)
    lit_values = [v - x for v, x in zip(h.evaluate(literal[0, 0], state) * sv.shape[0],
                                        h.evaluate(sv, state))]
    true_values = h.evaluate(correct, state)
    j = max(range(len(true_values)), key=lambda i: abs(lit_values[i] - true_values[i]))
    names = [str(x) for x in sv]
    counter = (f"paper-hopfield at the state s_i = (-1)^i (i+1)/10: reading the scalar as added to every "
               f"component, the printed right side gives {names[j]}' = {_n(lit_values[j], 12)} where "
               f"-dE/d{names[j]} = {_n(true_values[j], 12)}")
    printed = _sym("fails", f"{shape_note}{undefined_note} (numbers below)", counterexample=f"{shape_note}; {counter}")
    corrected = _sym("holds" if residual == sp.zeros(*residual.shape) else "inconclusive",
                     f"the elementwise form equals -dE/d{layer} of Eq 4 (difference simplifies to "
                     f"{list(residual)})", role="corrected")
    return [printed, corrected]


for _eq in _LAYERS:
    SYMBOLIC[_eq] = (lambda e: (lambda: _layer(e)))(_eq)


@symbolic("8")
def _sym8():
    h = _hopfield()
    B = h.blocks
    C8 = ((B["y"] - B["s0"]).T * (B["y"] - B["s0"]))[0, 0] / 2
    diff = sp.expand(C8 - h.model.cost)
    return _sym("holds" if diff == 0 else "fails", f"well-formed; the built-in paper-hopfield cost minus Eq 8 "
                f"expands to {diff}")


@symbolic("18")
def _sym18():
    h = _hopfield()
    d = derive(h.model)
    beta = d.beta
    nudge = sp.simplify(d.extended_field - d.field)
    s0, y = h.blocks["s0"], h.blocks["y"]
    expected = list(beta * (y - s0)) + [0] * (h.model.n - s0.shape[0])
    diff = [sp.simplify(a - b) for a, b in zip(nudge, expected)]
    ok = all(x == 0 for x in diff)
    return _sym("holds" if ok else "fails", "the text's expansion ds/dt = -dE/ds - beta dC/ds, and for the cost "
                f"Eq 8 the 'force' beta (y - s0) on s0 and 0 on s1, s2 (paper-hopfield: difference {diff})")


@symbolic("31")
def _sym31():
    text = ("as printed the last factor is dE/ds(S^0(s,u), t): E_theta(s) has no time argument (with the input "
            "written, E_theta(x, s), the second argument would be the state), so the expression is not "
            "well-formed; the intended factor is dE/ds(S^0(s,u))")
    return _sym("fails", text, counterexample="dE/ds(S^0(s,u), t) has one argument too many (E has no time argument)")


# --------------------------------------------------------------------------------------------
# the equation table
# --------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Equation:
    number: str
    cls: str
    statement: str
    method: str = ""            # what is compared with what (prefix of the evidence)
    corrected: str = ""
    error_kind: str = ""        # "notation" or "mathematical" for a failing or abbreviated equation
    note: str = ""              # remarks (notation, definitions)
    label: str = ""             # short name of the check in the summary


E = Equation
EQUATIONS = [
    E("1", "definition", "ds/dt = -dE_theta/ds(s)",
      note="definition of the free dynamics; the routes integrate exactly this field (-dE/ds of the model)"),
    E("2", "definition", "dE_theta/ds(s_theta^0) = 0", label="fixed point",
      method="the free fixed point found by relaxing Eq 1 and Newton's method satisfies it"),
    E("3", "definition", "J(theta) := C_theta(s_theta^0)", note="definition of the objective"),
    E("4", "definition", "E_theta(x,s) = 1/2(|s0|^2 + |s1|^2 + |s2|^2) - rho(s0)^T.W01.rho(s1) "
      "- rho(s1)^T.W12.rho(s2) - rho(s2)^T.W23.rho(x)", label="sympy",
      method="the paper's example energy, against the built-in paper-hopfield model"),
    E("5", "identity", "ds0/dt = rho'(s0)^T . W01 . rho(s1) - s0", label="sympy",
      method="the layer dynamics claimed to follow from Eq 1 and Eq 4",
      corrected=_LAYERS["5"][3], error_kind="notation"),
    E("6", "identity", "ds1/dt = rho'(s1)^T . (W12 . rho(s2) + W10 . rho(s0)) - s1", label="sympy",
      method="the layer dynamics claimed to follow from Eq 1 and Eq 4",
      corrected=_LAYERS["6"][3], error_kind="notation"),
    E("7", "identity", "ds2/dt = rho'(s2)^T . (W23 . rho(x) + W21 . rho(s1)) - s2", label="sympy",
      method="the layer dynamics claimed to follow from Eq 1 and Eq 4",
      corrected=_LAYERS["7"][3], error_kind="notation"),
    E("8", "definition", "C_theta(y,s) = 1/2 |y - s0|^2", label="sympy",
      method="the paper's example cost, against the built-in paper-hopfield model"),
    E("9", "definition", "L(theta,s,t) := C_theta(S_theta^0(s,t))",
      note="definition of the truncated objective; the direct route evaluates it on the integrated free flow"),
    E("10", "limit", "dL/dtheta(theta,s,t) -> dJ/dtheta(theta) as t -> infinity", label="eq10-limit",
      method="the t -> infinity limit in closed form against dJ/dtheta by re-solved fixed points, and the decay "
             "of |dL/dtheta - dJ/dtheta| on the direct route (complex step) from s_theta^0 and from a generic "
             "state s_gen, against the rate lambda_min(H) the linearisation predicts"),
    E("11", "definition", "X_0 = dC_theta/ds(s_theta^0)", label="Eq 25",
      method="initial condition of the Cauchy problem; X_t := dL/ds satisfies it (direct route at t=0, as Eq 25)"),
    E("12", "definition", "Y_0 = dC_theta/dtheta(s_theta^0)", label="Eq 26",
      method="initial condition of the Cauchy problem; Y_t := dL/dtheta satisfies it (direct route at t=0, as Eq 26)"),
    E("13", "definition", "d/dt X_t = -d2E_theta/ds2(s_theta^0) . X_t", label="Eq 33, cauchy-ode",
      method="the Cauchy problem's X equation; satisfied by dL/ds of the direct route (central differences in t, "
             "as Eq 33), and its integration agrees with the closed form expm(-Ht) X_0 (cauchy-ode)"),
    E("14", "definition", "d/dt Y_t = -d2E_theta/dtheta ds(s_theta^0) . X_t", label="Eq 35, cauchy-ode",
      method="the Cauchy problem's Y equation; satisfied by dL/dtheta of the direct route (as Eq 35), and its "
             "integration agrees with the closed form (cauchy-ode)"),
    E("15", "definition", "X_t := dL/ds(theta, s_theta^0, t)  (Theorem 1: solves Eq 11-14)", label="theorem1 (X)",
      method="Theorem 1, X part: dL/ds by complex step on the free flow vs the Cauchy problem's X_t in closed form"),
    E("16", "definition", "Y_t := dL/dtheta(theta, s_theta^0, t)  (Theorem 1: solves Eq 11-14)", label="theorem1 (Y)",
      method="Theorem 1, Y part: dL/dtheta by complex step on the free flow vs Y_t in closed form"),
    E("17", "definition", "E_theta^beta(s) := E_theta(s) + beta C_theta(s)", note="definition of the extended energy"),
    E("18", "definition", "ds/dt = -dE_theta^beta/ds(s)", label="sympy",
      method="definition of the extended dynamics; the text's expansion of it checked"),
    E("19", "definition", "dE_theta^beta/ds(s_theta^beta) = 0", label="nudged fixed points",
      method="the nudged fixed points (Newton from s_theta^0) satisfy it"),
    E("20", "identity", "dJ/dtheta = lim_{beta->0} 1/beta (dE^beta/dtheta(s^beta) - dE^0/dtheta(s^0))",
      label="theorem2",
      method="Theorem 2: the EP gradient formula (nudged fixed points, beta extrapolated; and by complex step in "
             "beta) vs dJ/dtheta by complex step on re-solved fixed points"),
    E("21", "definition", "X~_t := -lim 1/beta dS^beta/dt(s_theta^0, t)  (Theorem 3)", label="theorem3 (X)",
      method="Theorem 3, X part: X~ from the nudged flow (beta extrapolated) vs the Cauchy problem's X_t"),
    E("22", "definition", "Y~_t := lim 1/beta (dE^beta/dtheta(S^beta(s_theta^0,t)) - dE^0/dtheta(s_theta^0))  "
      "(Theorem 3)", label="theorem3 (Y)",
      method="Theorem 3, Y part: Y~ from the nudged flow vs the Cauchy problem's Y_t"),
    E("23", "identity", "dL/ds(theta, s_theta^0, t) = -lim 1/beta dS^beta/dt(s_theta^0, t)", label="corollary4",
      method="Corollary 4: dL/ds by complex step on the free flow vs -1/beta dS^beta/dt extrapolated to beta -> 0"),
    E("24", "identity", "dL/dtheta(theta, s^0, t) = lim 1/beta (dE^beta/dtheta(S^beta(s^0,t)) - dE^0/dtheta(s^0))",
      label="eq24", method="Corollary 4: dL/dtheta by complex step on the free flow vs the EP readout"),
    E("25", "identity", "dL/ds(theta, s_theta^0, 0) = dC_theta/ds(s_theta^0)", label="direct at t=0",
      method="dL/ds at t = 0 by complex step through the integrator vs the symbolic dC/ds"),
    E("26", "identity", "dL/dtheta(theta, s_theta^0, 0) = dC_theta/dtheta(s_theta^0)", label="direct at t=0",
      method="dL/dtheta at t = 0 by complex step vs the symbolic dC/dtheta"),
    E("27", "identity", "dL/dt(s,t) + dL/ds(s,t) . dE/ds(s) = 0", label="generic state",
      method="at a generic state s_gen (dE/ds != 0), t in {1/2, 1}: dL/dt = dC/ds(S).(-dE/ds(S)) at the end "
             "state vs -dL/ds . dE/ds(s_gen) with dL/ds by complex step on the flow"),
    E("28", "identity", "L(S^0(s,u), t) = L(s, t+u)", label="semigroup",
      method="integrate from s_gen to u and restart for t, vs one integration to t+u"),
    E("29", "identity", "d/dt L(s,t+u) = d/du L(s,t+u)", label="sympy", method="chain rule"),
    E("30", "identity", "dL/dt(S^0(s,u), t) = d/du L(S^0(s,u), t)", label="generic state",
      method="at s_gen, u = 1/2, t = 1: dL/dt at the end state vs central differences in u of L(S^0(s,u), t)"),
    E("31", "identity", "d/du L(S^0(s,u), t) = -dL/ds(S^0(s,u), t) . dE/ds(S^0(s,u), t)", label="generic state",
      corrected="d/du L(S^0(s,u), t) = -dL/ds(S^0(s,u), t) . dE/ds(S^0(s,u))", error_kind="notation",
      method="the printed factor dE/ds(S^0(s,u), t) takes one argument too many"),
    E("32", "identity", "d2L/dt ds(s,t) + d2L/ds2(s,t) . dE/ds(s) + dL/ds(s,t) . d2E/ds2(s) = 0",
      label="generic state",
      method="at s_gen (not a fixed point), projected on random directions v: the three terms by complex steps on "
             "the flow and central differences along dE/ds(s_gen); symbolically as d/ds of Eq 27"),
    E("33", "identity", "d/dt dL/ds(s^0,t) = -d2E/ds2(s^0) . dL/ds(s^0,t)", label="direct route",
      method="d/dt of dL/ds on the direct route (complex step, never uses H) by central differences in t, vs "
             "-H(s_theta^0) dL/ds"),
    E("34", "identity", "d2L/dt dtheta(theta,s,t) + d2L/ds dtheta . dE/ds(s) + dL/ds . d2E/ds dtheta(s) = 0",
      label="generic state",
      method="at s_gen, projected on random parameter directions w: complex steps in theta and s, central "
             "differences along dE/ds(s_gen); symbolically as d/dtheta of Eq 27"),
    E("35", "identity", "d/dt dL/dtheta(theta,s^0,t) = -d2E/dtheta ds(s^0) . dL/ds(theta,s^0,t)",
      label="direct route", method="d/dt of dL/dtheta on the direct route by central differences in t, vs "
                                   "-M(s_theta^0) dL/ds"),
    E("36", "identity", "dJ/dtheta = lim 1/beta (dE^beta/dtheta(s^beta) - dE^0/dtheta(s^0))  (= Eq 20)",
      label="theorem2", method="the same statement as Eq 20 (identical as printed); Theorem 2's check"),
    E("37", "identity", "d/dtheta dE^beta/dbeta(s^beta) = d/dbeta dE^beta/dtheta(s^beta)", label="fixed points",
      method="at beta = 0 and beta = 1/10: total theta-derivative of C(s^beta) by complex step in theta with "
             "s^beta re-solved, vs total beta-derivative of dE^beta/dtheta(s^beta) by complex step in beta"),
    E("38", "identity", "d/dbeta d/dtheta E^beta(s^beta) = d/dtheta d/dbeta E^beta(s^beta)", label="fixed points",
      method="at beta = 0 and 1/10, on random parameter directions: the mixed derivative of "
             "G(theta,beta) = E^beta(s^beta) in both orders (complex step for the inner, central differences for "
             "the outer derivative, s^beta re-solved each time)"),
    E("39", "identity", "d/dbeta E^beta(s^beta) = dE^beta/dbeta(s^beta) + dE^beta/ds(s^beta) . ds^beta/dbeta",
      label="fixed points",
      method="at beta = 0 and 1/10: complex step in beta of E^beta(s^beta) vs the chain rule's terms"),
    E("40", "identity", "d/dbeta E^beta(s^beta) = dE^beta/dbeta(s^beta)", label="fixed points",
      method="at beta = 0 and 1/10: complex step in beta of E^beta(s^beta) vs C(s^beta)"),
    E("41", "definition", "dE^beta/ds(s^beta) = 0", label="nudged fixed points",
      method="the fixed-point condition Eq 19 restated; residuals at the nudged fixed points"),
    E("42", "identity", "d/dtheta E^beta(s^beta) = dE^beta/dtheta(s^beta)", label="fixed points",
      method="at beta = 0 and 1/10: complex step in theta of E^beta(s^beta) (s^beta re-solved) vs the partial "
             "derivative"),
    E("43", "notation", "d2S^beta/dbeta dt |beta=0 (s^0, t)", label="symmetry",
      method="the mixed derivative the chain 43 = 44 = 45 names; it is order-independent: d/dt of dS/dbeta "
             "(complex step in beta, central differences in t) vs d/dbeta of dS/dt (complex step of the field)"),
    E("44", "identity", "= lim 1/beta (dS^beta/dt(s^0,t) - dS^0/dt(s^0,t))", label="EP readout",
      method="Eq 43 = Eq 44: the mixed derivative by complex step in beta vs the limit with real beta extrapolated"),
    E("45", "identity", "= lim 1/beta dS^beta/dt(s^0,t)", label="EP readout",
      method="Eq 44 = Eq 45 because dS^0/dt(s^0,t) = 0: both limits from the EP states, and the free flow from "
             "s_theta^0 stays there"),
    E("46", "notation", "d/dbeta|0 dE^beta/dtheta(S^beta(s^0,t))",
      note="names the derivative of the chain 46 = 47 (checked under Eq 47)"),
    E("47", "identity", "= lim 1/beta (dE^beta/dtheta(S^beta(s^0,t)) - dE^0/dtheta(s^0))", label="EP readout",
      method="Eq 46 = Eq 47: the beta-derivative by complex step vs the limit with real beta extrapolated"),
    E("48", "definition", "X~_t := -d2S^beta/dbeta dt|0 (s^0,t)", label="Eq 21 = Eq 48",
      method="this definition of X~ agrees with Eq 21's"),
    E("49", "definition", "Y~_t := d/dbeta|0 dE^beta/dtheta(S^beta(s^0,t))", label="Eq 22 = Eq 49",
      method="this definition of Y~ agrees with Eq 22's"),
    E("50", "definition", "dS^beta/dt(s,t) = -dE^beta/ds(S^beta(s,t)), S^beta(s,0) = s", label="integrator",
      method="definition of the nudged flow; the integrated states satisfy it"),
    E("51", "identity", "d/dt dS^beta/dbeta(s,t) = -d2E^beta/ds dbeta(S^beta(s,t))  [first line of 51-52]",
      label="beta = 1/10, s_gen",
      method="at beta = 1/10 from s_gen: d/dt of dS^beta/dbeta (complex step in beta, central differences in t) "
             "vs the right side of Eq 51-52; symbolically as d/dbeta of Eq 50"),
    E("52", "identity", "  - d2E^beta/ds2(S^beta(s,t)) . dS^beta/dbeta(s,t)  [second line of 51-52]",
      label="beta = 1/10, s_gen", method="the second line of the display Eq 51-52, checked with it"),
    E("53", "identity", "d/dt dS^beta/dbeta|0(s^0,t) = -dC/ds(s^0)  [first line of 53-54]", label="beta = 0, s0",
      method="d/dt of dS^beta/dbeta|0 (complex step in beta, central differences in t) vs -dC/ds - H dS/dbeta"),
    E("54", "identity", "  - d2E/ds2(s^0) . dS^beta/dbeta|0(s^0,t)  [second line of 53-54]", label="beta = 0, s0",
      method="the second line of the display Eq 53-54, checked with it"),
    E("55", "identity", "d2S^beta/dt dbeta|0(s^0, 0) = -dC/ds(s^0)", label="t = 0",
      method="one-sided time derivative at t = 0 of dS^beta/dbeta|0 (complex step in beta) vs -dC/ds(s0)"),
    E("56", "identity", "d/dt dS^beta/dbeta|0(s^0,t) = -d2E/ds2(s^0) . dS^beta/dbeta|0(s^0,t)",
      label="beta = 0, s0",
      corrected="d/dt d2S^beta/dt dbeta|0(s^0,t) = -d2E/ds2(s^0) . d2S^beta/dt dbeta|0(s^0,t), i.e. "
                "d/dt X~_t = -H X~_t (Eq 13 for X~ = -d2S/dt dbeta; obtained by differentiating Eq 53 in t). "
                "The printed equation drops the term -dC/ds(s^0) of Eq 53",
      error_kind="mathematical",
      method="as printed: d/dt of dS^beta/dbeta|0 (complex step in beta, central differences in t) vs "
             "-H(s0) dS^beta/dbeta|0"),
    E("57", "identity", "d/dbeta dE^beta/dtheta(S^beta(s,t)) = dE^beta/dtheta dbeta(S^beta(s,t))  "
      "[first line of 57-58]", label="beta = 1/10, s_gen",
      corrected="d/dbeta dE^beta/dtheta(S^beta(s,t)) = d2E^beta/dtheta dbeta(S^beta(s,t)) + ...",
      error_kind="notation", note="dE^beta/dtheta dbeta stands for the second derivative d2E^beta/dtheta dbeta "
                                  "(the exponent is missing; the only reading)",
      method="at beta = 1/10 from s_gen: d/dbeta of dE^beta/dtheta(S^beta) by complex step in beta vs "
             "dC/dtheta(S^beta) + (d2E/dtheta ds + beta d2C/dtheta ds)(S^beta) dS^beta/dbeta"),
    E("58", "identity", "  + dE^beta/dtheta ds(S^beta(s,t)) . dS^beta/dbeta(s,t)  [second line of 57-58]",
      label="beta = 1/10, s_gen", corrected="... + d2E^beta/dtheta ds(S^beta(s,t)) . dS^beta/dbeta(s,t)",
      error_kind="notation", note="dE^beta/dtheta ds stands for d2E^beta/dtheta ds (exponent missing)",
      method="the second line of the display Eq 57-58, checked with it"),
    E("59", "identity", "d/dbeta|0 dE^beta/dtheta(S^beta(s^0,t)) = dC/dtheta(s^0)  [first line of 59-60]",
      label="beta = 0, s0",
      method="Y~_t from the EP readout vs dC/dtheta(s0) + M(s0) dS^beta/dbeta|0 (complex step in beta)"),
    E("60", "identity", "  + dE/dtheta ds(s^0) . dS^beta/dbeta|0(s^0,t)  [second line of 59-60]",
      label="beta = 0, s0", corrected="... + d2E/dtheta ds(s^0) . dS^beta/dbeta|0(s^0,t)", error_kind="notation",
      note="dE/dtheta ds stands for d2E/dtheta ds (exponent missing)",
      method="the second line of the display Eq 59-60, checked with it"),
    E("61", "identity", "d/dbeta|0 dE^beta/dtheta(S^beta(s^0, 0)) = 0", label="t = 0",
      corrected="d/dbeta|0 dE^beta/dtheta(S^beta(s^0, 0)) = dC_theta/dtheta(s_theta^0) (= Y_0 of Eq 12, as Eq 59 "
                "at t = 0 gives; it is 0 only for a cost that does not depend on theta)",
      error_kind="mathematical",
      method="as printed: Y~_0 from the EP readout (beta -> 0) vs 0"),
    E("62", "identity", "d/dt d/dbeta|0 dE^beta/dtheta(S^beta(s^0,t)) = dE/dtheta ds(s^0) . "
      "d2S^beta/dt dbeta|0(s^0,t)", label="beta = 0, s0",
      corrected="d/dt Y~_t = d2E/dtheta ds(s^0) . d2S^beta/dt dbeta|0(s^0,t) (= -M X~_t, Eq 14)",
      error_kind="notation", note="dE/dtheta ds stands for d2E/dtheta ds (exponent missing)",
      method="d/dt of Y~ (EP readout, central differences in t) vs M(s0) d2S/dt dbeta|0 (complex step in beta)"),
]
del E


# --------------------------------------------------------------------------------------------
# running the audit
# --------------------------------------------------------------------------------------------

_EXPECTED = (_Missing, FixedPointNotFound, IntegrationError, ZeroDivisionError)


def _run_check(fn, bench):
    try:
        with bench.precision.context():
            out = fn(bench)
    except _EXPECTED as exc:
        return [Finding(bench.name, "n/a", f"{bench.name}: could not run ({type(exc).__name__}: {exc})")]
    return out if isinstance(out, list) else [out]


def _entry(eq: Equation, findings: list) -> dict:
    printed = [f for f in findings if f.role == "printed"]
    corrected = [f for f in findings if f.role == "corrected"]
    # counterexamples on a model first (they carry the numbers), then symbolic ones
    fails = sorted((f for f in printed if f.outcome == "fails"), key=lambda f: f.model is None)
    counters = [f.counterexample for f in fails if f.counterexample]
    decided = [f for f in printed if f.outcome in ("holds", "fails")]
    undecided = [f for f in printed if f.outcome == "inconclusive"]
    if not printed:
        verdict = "not-checkable"
    elif fails:
        verdict = "fails-as-printed"
    elif decided and not undecided:
        verdict = "holds"
    else:
        verdict = "not-checkable"
    models = sorted({f.model for f in decided if f.model})
    digits = [f.digits for f in printed if f.outcome == "holds" and f.digits is not None]
    parts = []
    if not printed:
        parts.append(f"{eq.cls}: {eq.note or 'nothing to check'}")
    else:
        parts.append(eq.method or eq.note)
        parts.append("; ".join(f.text for f in printed))
    if counters:
        parts.append("Counterexample: " + " | ".join(counters))
    if corrected:
        parts.append("Corrected form: " + "; ".join(f.text for f in corrected))
    if eq.note and printed:
        parts.append("Note: " + eq.note)
    if undecided and not fails:
        parts.append("Inconclusive on: " + ", ".join(f.model or "symbolic" for f in undecided))
    evidence = ". ".join(p.rstrip(". ") for p in parts if p) + "."
    corrected_text = eq.corrected if (verdict == "fails-as-printed" or eq.error_kind == "notation") else ""
    if verdict == "holds":
        mind = min(digits) if digits else None
        where = ", ".join(models) or "symbolic"
        summary = f"{eq.label or 'checked'}: " + (f"{mind:.1f} digits or more on {where}" if mind is not None
                                                   and mind < 99 else f"exact ({where})")
        if any(f.model is None for f in decided) and models:
            summary += " + sympy"
        if eq.error_kind == "notation":
            summary += f"  [notation: {eq.note}]"
    elif verdict == "fails-as-printed":
        summary = "counterexample: " + (counters[0] if counters else fails[0].text)
    else:
        summary = ("definition" if eq.cls in ("definition", "notation") and not printed
                   else "inconclusive: " + "; ".join(f.text for f in (undecided or printed)))
    entry = {"equation": eq.number, "class": eq.cls, "verdict": verdict, "evidence": evidence,
             "corrected": corrected_text, "statement": eq.statement, "summary": summary, "models": models,
             "digits": min(digits) if digits and verdict == "holds" else None,
             "error_kind": eq.error_kind if (verdict == "fails-as-printed" or eq.error_kind == "notation") else "",
             "counterexample": counters[0] if counters else "", "counterexamples": counters,
             "failing": [f.model or "sympy" for f in fails if f.counterexample]}
    return entry


def audit(models=DEFAULT_MODELS, dps=DEFAULT_DPS, backend="auto", progress=None, seed=0) -> list[dict]:
    """Audit Eq 1-62 of the paper on ``models``; one dict per equation (see the module docstring).

    The global mpmath precision is unchanged afterwards.
    """
    progress = progress or (lambda *a, **k: None)
    if isinstance(models, (str, os.PathLike)) or not hasattr(models, "__iter__"):
        models = (models,)          # one model (a name, a path or a Model), not a sequence of them
    precision = Precision(validate_dps(dps))
    backend = resolve_backend(backend)
    benches = []
    with precision.context():
        for name in models:
            progress(f"{name}: evidence")
            benches.append(Bench(name, precision=precision, backend=backend, seed=seed, progress=progress))
    entries = []
    for eq in EQUATIONS:
        progress(f"Eq {eq.number}")
        findings = []
        if eq.number in SYMBOLIC:
            out = SYMBOLIC[eq.number]()
            findings += out if isinstance(out, list) else [out]
        if eq.number in CHECKS:
            for bench in benches:
                findings += _run_check(CHECKS[eq.number], bench)
        entries.append(_entry(eq, findings))
    return entries


# --------------------------------------------------------------------------------------------
# presentation
# --------------------------------------------------------------------------------------------

def failures(entries) -> list[dict]:
    return [e for e in entries if e["verdict"] == "fails-as-printed"]


def closing_note(entries) -> str:
    """The equations found wrong as printed, with their counterexamples (mathematical errors first)."""
    bad = failures(entries)
    if not bad:
        return "No equation was found wrong as printed."
    lines = [f"{len(bad)} equations are wrong as printed:"]
    for kind, title in (("mathematical", "false as printed (mathematics)"),
                        ("notation", "not well-formed as printed (notation)")):
        group = [e for e in bad if (e["error_kind"] or "mathematical") == kind]
        if not group:
            continue
        lines.append(f"  {title}:")
        for e in group:
            lines.append(f"    Eq {e['equation']}: {e['statement']}")
            lines.append(f"      counterexample: {e['counterexample']}")
            if len(e["failing"]) > 1:
                lines.append(f"      fails on:       {', '.join(dict.fromkeys(e['failing']))}")
            lines.append(f"      corrected:      {e['corrected']}")
    notes = [e for e in entries if e["verdict"] != "fails-as-printed" and e["error_kind"] == "notation"]
    if notes:
        lines.append("  abbreviations with one reading (verdict unaffected): "
                     + ", ".join(f"Eq {e['equation']}" for e in notes)
                     + " write dE/dtheta ds for the second derivative d2E/dtheta ds")
    return "\n".join(lines)


def table(entries, verbose=False, width=120) -> str:
    """The human table: one line per equation (wrapped), then the counts and the closing note."""
    lines = []
    indent = " " * 35

    def wrapped(head, text):
        return textwrap.fill(text, width=width, initial_indent=head, subsequent_indent=indent,
                             break_long_words=False, break_on_hyphens=False)

    for e in entries:
        lines.append(wrapped(f"Eq {e['equation']:<3s} {e['class']:<10s} {e['verdict']:<16s} ", e["summary"]))
        if verbose:
            lines.append(wrapped(f"{'':7s}statement: ".ljust(35), e["statement"]))
            lines.append(wrapped(f"{'':7s}evidence:  ".ljust(35), e["evidence"]))
            if e["corrected"]:
                lines.append(wrapped(f"{'':7s}corrected: ".ljust(35), e["corrected"]))
    counts = {v: sum(e["verdict"] == v for e in entries) for v in VERDICTS}
    lines.append("")
    lines.append(", ".join(f"{counts[v]} {v}" for v in VERDICTS))
    lines.append(closing_note(entries))
    return "\n".join(lines)


def to_json(entries) -> list[dict]:
    """The JSON form: the five contract keys first, then the extra keys."""
    keys = ("equation", "class", "verdict", "evidence", "corrected")
    return [{**{k: e[k] for k in keys}, **{k: v for k, v in e.items() if k not in keys}} for e in entries]


def html_section(entries) -> str:
    """The audit as an HTML fragment (a section of the report)."""
    esc = html.escape
    rows = []
    for e in entries:
        rows.append(f'<tr class="{esc(e["verdict"])}"><td>Eq&nbsp;{esc(e["equation"])}</td>'
                    f'<td>{esc(e["class"])}</td><td>{esc(e["verdict"])}</td>'
                    f'<td><code>{esc(e["statement"])}</code></td>'
                    f'<td>{esc(e["evidence"])}'
                    + (f'<br><b>corrected:</b> <code>{esc(e["corrected"])}</code>' if e["corrected"] else "")
                    + "</td></tr>")
    note = esc(closing_note(entries)).replace("\n", "<br>\n")
    return ('<section id="audit"><h2>Equation-by-equation audit (Eq 1-62)</h2>\n'
            "<table><thead><tr><th>Eq</th><th>class</th><th>verdict</th><th>as printed</th><th>evidence</th>"
            "</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
            f"<p class=\"audit-note\">{note}</p></section>\n")


def timed_audit(**kwargs):
    """(entries, seconds)."""
    start = _time.perf_counter()
    out = audit(**kwargs)
    return out, _time.perf_counter() - start
