"""The numbers behind the report's plots, beyond what ``check`` returns.

``check`` compares routes at a handful of times; the plots also want

- X_t and Y_t on a dense grid of t: the RBP closed form (Eq 11-14 solved from
  one eigendecomposition of H) is cheap at any t, so it is drawn as lines and the
  other routes (EP's X~, Y~ and the direct route's dL/ds, dL/dtheta, from the
  check's values) as markers at the check's times;
- the EP gradient estimator of Theorem 2 at finite beta, g(beta) =
  (dE^beta/dtheta(s^beta) - dE/dtheta(s^0)) / beta, on a ladder of real beta,
  one-sided and symmetric, against the J route's dJ/dtheta: its error falls
  like beta (one-sided) and beta^2 (symmetric), the observed orders of the
  estimators whose limit Theorem 2 states;
- each statement's error per time (the check's per-time details).

Everything comes from the check's own evidence (``report.evidence``: the
compiled model, s_theta^0 and the Cauchy data): no second compile and no
second fixed point. It is computed at the check's precision (the ladder at
its raised precision, as the EP route), then handed to the plots as floats.
"""

from __future__ import annotations

import dataclasses
import math
import re

import mpmath
import sympy as sp

from ..extrapolate import BetaPlan
from ..fixed_point import FixedPointNotFound, refine
from ..routes import objective, rbp

#: the beta ladder of the Theorem 2 plot: 10^-1 ... 10^-6 in half decades
LADDER_EXPONENTS = [k / 2 for k in range(2, 13)]
#: fitted slopes use the betas at or below this (above it higher orders show)
FIT_BELOW = mpmath.mpf("0.011")


@dataclasses.dataclass
class Ladder:
    """|g(beta) - dJ/dtheta| / |dJ/dtheta| (inf-norms) for one-sided and symmetric g."""

    betas: list[float]
    one_sided: list[float]
    symmetric: list[float]
    slope_one_sided: float | None
    slope_symmetric: float | None
    extrapolated: float | None          # the check's theorem2 relative error (beta -> 0)
    plan: str                           # how the check extrapolated
    skipped: list[str]                  # betas whose nudged fixed point was not found


@dataclasses.dataclass
class Curves:
    """Everything the plots draw, as floats (None where a route or hypothesis is missing)."""

    state_names: list[str]
    param_names: list[str]
    state_blocks: list[tuple[str, list[int]]]     # block name, flat indices
    check_t: list[float]
    errors: dict                                  # check id -> (times, relative errors, tolerance)
    notes: list[str] = dataclasses.field(default_factory=list)
    dense_t: list[float] = dataclasses.field(default_factory=list)
    X: list[list[float]] = dataclasses.field(default_factory=list)   # RBP closed form on dense_t
    Y: list[list[float]] = dataclasses.field(default_factory=list)
    X_tilde: list[list[float]] | None = None      # EP at check_t
    Y_tilde: list[list[float]] | None = None
    dL_ds: list[list[float]] | None = None        # direct route; None when it gave projections
    dL_dtheta: list[list[float]] | None = None
    dJ: list[float] | None = None                 # J route
    Y_dist: list[float] | None = None             # ||Y_t - dJ/dtheta||_inf on dense_t (at working precision)
    X_norm: list[float] | None = None             # ||X_t||_inf on dense_t
    Y_tilde_dist: list[float] | None = None       # the same for EP's Y~ and the direct dL/dtheta
    dL_dtheta_dist: list[float] | None = None
    lambda_min: float | None = None
    ladder: Ladder | None = None


def _floats(rows):
    return [[float(mpmath.mpf(x)) for x in row] for row in rows]


def dense_grid(t_end: float, count: int = 241) -> list:
    return [mpmath.mpf(t_end) * k / (count - 1) for k in range(count)]


def _nice_ceil(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= x."""
    if x <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    return next(m * p for m in (1, 2, 2.5, 5, 10) if m * p >= x * (1 - 1e-12))


_DETAIL = re.compile(r"^t=([^:]+):(.+)$")


def per_time_errors(report) -> dict:
    """check id -> (times, relative errors, tolerance) from each statement's per-time details."""
    out = {}
    for c in report.checks:
        if not c.applicable or not c.details or c.tolerance is None:
            continue
        ts, es = [], []
        for row in c.details:
            m = _DETAIL.match(row.strip())
            if not m:
                continue
            try:
                t, e = float(m.group(1)), float(m.group(2))
            except ValueError:
                continue
            if math.isfinite(t):
                ts.append(t)
                es.append(e)
        if ts:
            out[c.id] = (ts, es, float(mpmath.mpf(c.tolerance)))
    return out


def _slope(xs, ys):
    pts = [(math.log10(x), math.log10(y)) for x, y in zip(xs, ys) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx


def beta_ladder(compiled, s0, theta, dJ, *, precision, extrapolated=None, plan="") -> Ladder:
    """Theorem 2's estimator g(beta) at real betas, one-sided and symmetric, against dJ/dtheta."""
    betas = [mpmath.mpf(10) ** -e for e in LADDER_EXPONENTS]
    skipped = []
    norm_dJ = max(abs(x) for x in dJ) or mpmath.mpf(1)
    rows = {}
    for beta in betas:
        for b in (beta, -beta):
            try:
                (s,) = objective.nudged_fixed_points(compiled, s0, theta, BetaPlan("ladder", [b], 0, ""),
                                                     precision=precision)
            except FixedPointNotFound:
                skipped.append(mpmath.nstr(b, 2))
                continue
            dE0 = compiled.dE_dtheta(s0, theta)
            rows[b] = [(e - e0) / b for e, e0 in zip(compiled.dEbeta_dtheta(s, theta, b), dE0)]
    keep, one, sym = [], [], []
    for beta in betas:
        if beta not in rows or -beta not in rows:
            continue
        g_plus, g_minus = rows[beta], rows[-beta]
        one.append(float(max(abs(g - d) for g, d in zip(g_plus, dJ)) / norm_dJ))
        sym.append(float(max(abs((a + b) / 2 - d) for a, b, d in zip(g_plus, g_minus, dJ)) / norm_dJ))
        keep.append(float(beta))
    fit = [i for i, b in enumerate(keep) if b <= FIT_BELOW]
    slope1 = _slope([keep[i] for i in fit], [one[i] for i in fit])
    slope2 = _slope([keep[i] for i in fit], [sym[i] for i in fit])
    return Ladder(keep, one, sym, slope1, slope2, extrapolated, plan, skipped)


def compute(report, *, with_ladder: bool = True) -> Curves:
    """The plots' curves for a finished check ``report``, from its own evidence (``report.evidence``)."""
    ev = report.evidence
    if ev is None:
        raise ValueError("the report carries no evidence: make it with verify.check or verify.pipeline.run")
    model = report.model
    names_s, names_p = model.state_names(), model.param_names()
    blocks, k = [], 0
    for b in model.state:
        blocks.append((b.name, list(range(k, k + b.size))))
        k += b.size
    values = report.values
    check_t = [float(sp.Rational(t)) for t in report.settings["times_exact"]]
    curves = Curves(names_s, names_p, blocks, check_t, per_time_errors(report))
    notes = curves.notes
    if not report.fixed_point.get("found"):
        notes.append(f"no fixed point: {report.fixed_point.get('reason')}")
        return curves
    precision = ev.precision
    with precision.context():
        compiled, fp = ev.compiled, ev.fixed_point
        s0 = fp.s
        eig = fp.hessian_eigenvalues
        strict = fp.is_strict_minimum
        curves.lambda_min = float(eig[0])
        t_check = max(check_t) if check_t else 1.0
        t_end = t_check
        if strict and eig[0] > 0:
            # long enough for Y_t -> dJ/dtheta to show a dozen decades (Eq 10)
            t_end = max(t_check, min(12 * math.log(10) / float(eig[0]), 20 * t_check, 200.0))
        t_end = _nice_ceil(t_end)
        grid = sorted(set(dense_grid(t_end)) | set(dense_grid(t_check, 121)) | {mpmath.mpf(t) for t in check_t})
        X, Y = rbp.closed_form(ev.cauchy, grid)   # one eigen-decomposition, O(n^2 + p n) per time
        curves.dense_t = [float(t) for t in grid]
        curves.X, curves.Y = _floats(X), _floats(Y)
        if values.get("X_tilde") is not None:
            curves.X_tilde, curves.Y_tilde = _floats(values["X_tilde"]), _floats(values["Y_tilde"])
        if values.get("dL_ds") is not None:
            if not values.get("dL_ds_is_projection"):
                curves.dL_ds = _floats(values["dL_ds"])
            if not values.get("dL_dtheta_is_projection"):
                curves.dL_dtheta = _floats(values["dL_dtheta"])
            if values.get("dL_ds_is_projection") or values.get("dL_dtheta_is_projection"):
                notes.append("the direct route checked random projections (a large space): "
                             "its values are not drawn per component")
        if values.get("dJ_dtheta_is_projection"):
            notes.append("the J route gave random projections of dJ/dtheta (a large space): "
                         "the distances of Y_t to it are not drawn")
        elif values.get("dJ_dtheta") is not None:
            dJ = [mpmath.mpf(x) for x in values["dJ_dtheta"]]
            curves.dJ = [float(x) for x in dJ]

            def dist(rows):
                return [float(max(abs(mpmath.mpf(y) - d) for y, d in zip(row, dJ))) for row in rows]

            curves.Y_dist = dist(Y)
            curves.X_norm = [float(max(abs(x) for x in row)) for row in X]
            if values.get("Y_tilde") is not None:
                curves.Y_tilde_dist = dist(values["Y_tilde"])
            if curves.dL_dtheta is not None:
                curves.dL_dtheta_dist = dist(values["dL_dtheta"])
            if with_ladder and strict:
                t2 = next((c for c in report.checks if c.id == "theorem2"), None)
                extrapolated = float(mpmath.mpf(t2.max_rel_error)) if t2 and t2.max_rel_error is not None else None
                extra = int(LADDER_EXPONENTS[-1]) + 2
                high = precision.raised(extra)
                with high.context():
                    theta_hi = compiled.theta_values(high.work)
                    s0_hi, _ = refine(compiled, theta_hi, s0, precision=high)
                    curves.ladder = beta_ladder(compiled, s0_hi, theta_hi, dJ, precision=high,
                                                extrapolated=extrapolated,
                                                plan=report.settings.get("beta_plan", ""))
        elif not strict:
            notes.append(f"s_theta^0 is not a strict minimum ({fp.describe()}): "
                         "Theorem 2 and Eq 10 do not apply, so their plots are left out")
    return curves
