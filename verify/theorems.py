"""``verify.check`` (this module: verify.theorems): Theorems 1, 2, 3 and Corollary 4 on one model, by independent routes.

Each statement compares two quantities computed by routes that share nothing
but the model (DESIGN.md, "Independence is the point"):

========== ============================================ =============================================
check      side A                                       side B
========== ============================================ =============================================
theorem1   direct: dL/ds, dL/dtheta by complex step on  RBP: Cauchy problem Eq 11-14 in closed form
           the nonlinear free flow (Eq 9, 15, 16)       (matrix exponential)
cauchy-ode RBP: Eq 13-14 integrated by the ODE solver   RBP closed form
theorem2   EP: nudged fixed points, Eq 20, beta -> 0    J route: dJ/dtheta with s_theta^0 re-solved
                                                        at perturbed theta (complex step on Eq 3)
eq10-limit RBP closed form at t -> infinity (Eq 10)     J route
theorem3   EP: nudged flow Eq 18, X~, Y~ (Eq 21, 22)    RBP closed form (Eq 11-14 by uniqueness)
theorem3-ode EP: dX~/dt, dY~/dt by central differences  -H X~, -M X~ (Eq 13, 14 at s_theta^0)
           in t of the EP route's dense output
corollary4 direct route dL/ds (Eq 23, left side)        EP route X~ (Eq 23, right side)
eq24       direct route dL/dtheta (Eq 24, left side)    EP route Y~ (Eq 24, right side)
========== ============================================ =============================================
"""

from __future__ import annotations

import platform
import time as _time

import mpmath
import sympy as sp

from symbolic.load import load_model

from . import __version__
from . import stencil
from .compare import compare_series, not_applicable
from .errors import UsageError
from .evidence import gather
from .extrapolate import METHODS
from .numbers import matvec, vec_str
from .precision import Precision
from .ode import available_backends
from .result import Report
from .routes import rbp

GUARD_DIGITS = 10
DEFAULT_DPS = 40
DEFAULT_TIMES = ["0", "0.5", "1", "2", "5"]
DEFAULT_BETA_METHOD = "symmetric"
MAX_DIRECTIONS = 64

TITLES = {
    "theorem1": ("Theorem 1: (dL/ds, dL/dtheta) at s_theta^0 solve the Cauchy problem", ["11", "12", "13", "14", "15", "16"]),
    "cauchy-ode": ("Cauchy problem integrated = its closed form", ["13", "14"]),
    "theorem2": ("Theorem 2: EP gradient formula = dJ/dtheta", ["20"]),
    "eq10-limit": ("Eq 10: the Cauchy problem's Y at t -> infinity (closed form) = dJ/dtheta", ["10", "3"]),
    "theorem3": ("Theorem 3: (X~, Y~) of EP solve the Cauchy problem", ["21", "22", "11", "12", "13", "14"]),
    "theorem3-ode": ("Theorem 3: dX~/dt = -H X~ and dY~/dt = -M X~ on EP data", ["13", "14", "21", "22"]),
    "corollary4": ("Corollary 4: dL/ds = -lim 1/beta dS^beta/dt", ["23"]),
    "eq24": ("Corollary 4: dL/dtheta = lim 1/beta (dE^beta/dtheta(S^beta) - dE/dtheta(s^0))", ["24"]),
}

SIDES = {
    "theorem1": ("direct: complex step on the free flow Eq 1 (truncated objective Eq 9), no H or M",
                 "RBP: Cauchy problem Eq 11-14 in closed form, X_t = expm(-Ht) X_0, Y_t = Y_0 - M t phi_1(-Ht) X_0"),
    "cauchy-ode": ("RBP: Eq 13-14 integrated from Eq 11-12 by the {backend} Taylor integrator",
                   "RBP: closed form with the matrix exponential"),
    "theorem2": ("EP: nudged fixed points s^beta (Eq 19) by Newton, Eq 20 with {beta}",
                 "J route: dJ/dtheta by complex step, s_theta^0 re-solved at theta + i h e_k (Eq 2, 3)"),
    "eq10-limit": ("RBP closed form at t -> infinity: Y = Y_0 - M H^-1 X_0, X = 0",
                   "J route: dJ/dtheta by complex step on re-solved fixed points (Eq 3)"),
    "theorem3": ("EP: nudged flow Eq 18 from s_theta^0 ({backend}), X~ Eq 21, Y~ Eq 22, {beta}",
                 "RBP: Cauchy problem Eq 11-14 in closed form"),
    "theorem3-ode": ("EP: d/dt of X~, Y~ by order-{order} central differences in t (delta={delta})",
                     "-H(s_theta^0) X~_t and -M(s_theta^0) X~_t (Eq 13, 14)"),
    "corollary4": ("direct: dL/ds by complex step on the free flow (Eq 9, 15)",
                   "EP: X~ = -lim 1/beta dS^beta/dt (Eq 21), {beta}"),
    "eq24": ("direct: dL/dtheta by complex step on the free flow (Eq 9, 16)",
             "EP: Y~ (Eq 22), {beta}"),
}


def resolve_backend(backend: str) -> str:
    have = available_backends()
    if backend in (None, "auto"):
        return "heyoka" if "heyoka" in have else "mpmath"
    if backend not in have:
        raise UsageError(f"--backend {backend} is not available (installed: {', '.join(have)}); "
                         "pip install 'eqprop-verify[heyoka]'")
    return backend


def environment() -> dict:
    return {"python": platform.python_version(), "mpmath": mpmath.__version__,
            "sympy": sp.__version__, "backend": mpmath.libmp.BACKEND, "eqprop_verify": __version__,
            "platform": platform.platform()}


def parse_times(raw) -> list:
    """Exact, sorted, distinct times t >= 0 from numbers or strings ("0.5", "1/3"); UsageError otherwise."""
    out = []
    for t in raw:
        try:
            r = sp.Rational(t) if isinstance(t, sp.Basic) else sp.Rational(str(t).strip())
        except (TypeError, ValueError, ZeroDivisionError, sp.SympifyError):
            raise UsageError(f"times: '{t}' is not a number (write e.g. 0.5 or 1/3)") from None
        if not r.is_finite or not r.is_Rational:
            raise UsageError(f"times: '{t}' is not a finite number")
        if r < 0:
            raise UsageError(f"times must be >= 0, got {t}")
        out.append(r)
    if not out:
        raise UsageError("times: give at least one time t >= 0")
    return sorted(set(out))


def _times(times, model):
    return parse_times(times if times is not None else model.settings.get("times") or DEFAULT_TIMES)


def check(model_or_path, *, dps=None, times=None, beta_method=None, backend=None, seed=None,
          max_directions=MAX_DIRECTIONS, progress=None) -> Report:
    """Check Theorems 1-3 and Corollary 4 on a model; returns a :class:`Report`.

    ``model_or_path`` is a Model, a built-in name or a model file. The global
    mpmath precision is unchanged afterwards.
    """
    model = load_model(model_or_path)
    dps = int(dps or model.settings.get("dps") or DEFAULT_DPS)
    beta_method = beta_method or model.settings.get("beta_method") or DEFAULT_BETA_METHOD
    if int(max_directions) < 1:
        raise UsageError(f"max_directions must be >= 1, got {max_directions}")
    if beta_method not in METHODS:
        raise UsageError(f"--beta-method {beta_method!r} is unknown; choose one of {', '.join(METHODS)}")
    backend = resolve_backend(backend or model.settings.get("backend") or "auto")
    seed = model.settings.get("seed", 0) if seed is None else seed
    times_exact = _times(times, model)
    settings = {"dps": dps, "times": [mpmath.nstr(mpmath.mpf(t.p) / t.q, dps + GUARD_DIGITS) for t in times_exact],
                "times_exact": [str(t) for t in times_exact], "beta_method": beta_method,
                "backend": backend, "guard_digits": GUARD_DIGITS, "seed": seed,
                "max_directions": max_directions}
    with mpmath.workdps(dps + GUARD_DIGITS):
        return _check(model, dps, times_exact, beta_method, backend, seed, max_directions,
                      settings, progress or (lambda *a, **k: None))


def _check(model, dps, times_exact, beta_method, backend, seed, max_directions, settings, progress):
    started = _time.perf_counter()
    times = [mpmath.mpf(t.p) / t.q for t in times_exact]
    ev = gather(model, dps=dps, times=times, beta_method=beta_method, backend=backend, seed=seed,
                max_directions=max_directions, progress=progress)
    checks = statements(ev)
    # every contract key is present; a route that did not run leaves null
    values = {"times": settings["times"], "X": None, "Y": None, "dL_ds": None, "dL_dtheta": None,
              "X_tilde": None, "Y_tilde": None, "dJ_dtheta": None, "ep_gradient": None}
    if ev.fixed_point is None:
        fixed = {"found": False, "reason": ev.fixed_point_error, "s": None, "residual": None,
                 "hessian_eigenvalues": None}
    else:
        fp = ev.fixed_point
        fixed = {"found": True, "s": vec_str(fp.s), "residual": mpmath.nstr(fp.residual, 5),
                 "hessian_eigenvalues": vec_str(fp.hessian_eigenvalues),
                 "strict_minimum": fp.is_strict_minimum, "method": fp.method, "description": fp.describe()}
        values.update(X=[vec_str(x) for x in ev.X], Y=[vec_str(y) for y in ev.Y])
    if ev.direct is not None:
        values.update(dL_ds=[vec_str(v) for v in ev.direct.X.values],
                      dL_dtheta=[vec_str(v) for v in ev.direct.Y.values],
                      dL_ds_is_projection=not ev.direct.X.full, dL_dtheta_is_projection=not ev.direct.Y.full)
    if ev.ep is not None:
        values.update(X_tilde=[vec_str(x) for x in ev.X_tilde], Y_tilde=[vec_str(y) for y in ev.Y_tilde])
    if ev.dJ is not None:
        values.update(dJ_dtheta=vec_str(ev.dJ), ep_gradient=vec_str(ev.ep_gradient),
                      Y_limit=vec_str(rbp.limit(ev.cauchy)[1]))
    values["status"] = value_status(ev, checks, values)
    settings["integrations"] = {"direct": ev.direct.integrations if ev.direct else 0,
                                "ep": ev.ep.integrations if ev.ep else 0}
    settings["beta_plan"] = ev.plan.description if ev.plan else None
    timings = dict(ev.timings, total=_time.perf_counter() - started)
    return Report(model, settings, environment(), fixed, checks, values, timings)


# values key -> (the statements that compare it with an independent route)
VALUE_CHECKS = {
    "X": ("theorem1", "cauchy-ode"), "Y": ("theorem1", "cauchy-ode"), "Y_limit": ("eq10-limit",),
    "dL_ds": ("theorem1", "corollary4"), "dL_dtheta": ("theorem1", "eq24"),
    "X_tilde": ("theorem3", "corollary4"), "Y_tilde": ("theorem3", "eq24"),
    "dJ_dtheta": ("theorem2", "eq10-limit"), "ep_gradient": ("theorem2",),
}


def value_status(ev, checks, values) -> dict:
    """values.status[KEY] = {"digits", "reason"} for each series (DESIGN.md, "untrusted values").

    digits: from the route's own error estimate (relative to the series' size;
    rounding times cond(H) for the closed forms). When a statement comparing
    the series with an independent route failed or was inconclusive, the
    series is not vouched for: digits fall to the agreement observed there,
    and the reason names the statement (unless another statement comparing it passed).
    """
    precision = Precision(ev.dps)
    rounding = precision.rounding(ev.cond)
    own = {"X": 0, "Y": 0, "Y_limit": 0, "dJ_dtheta": 0}
    if ev.direct is not None:
        own.update(dL_ds=ev.direct.error_estimate_X, dL_dtheta=ev.direct.error_estimate_Y)
    if ev.ep is not None:
        own.update(X_tilde=ev.ep.extrapolation_error_X + ev.ep.integration_error,
                   Y_tilde=ev.ep.extrapolation_error_Y + ev.ep.integration_error)
    if ev.ep_gradient is not None:
        own["ep_gradient"] = ev.ep_gradient_error
    results = {c.id: c for c in checks}
    status = {}
    for key, cids in VALUE_CHECKS.items():
        series = values.get(key)
        if series is None:
            reason = next((results[c].reason for c in cids if c in results and results[c].reason),
                          "the route did not run")
            status[key] = {"digits": None, "reason": reason}
            continue
        rows = series if series and isinstance(series[0], list) else [series]
        size = max((abs(mpmath.mpf(x)) for row in rows for x in row), default=mpmath.mpf(0))
        digits = max(0.0, precision.digits(rounding + (mpmath.mpf(own.get(key, 0)) / size if size else 0)))
        reason = None
        vouched = any(c in results and results[c].applicable and results[c].passed for c in cids)
        for cid in cids:
            c = results.get(cid)
            if vouched or c is None or c.vacuous or c.max_rel_error is None:
                continue
            digits = min(digits, max(0.0, precision.digits(c.max_rel_error)))
            reason = f"{cid} {'failed' if c.applicable else 'not applicable'}: {c.reason or 'a discrepancy'}"
        status[key] = {"digits": digits, "reason": reason}
    return status


def sides(cid, ev, **extra):
    a, b = SIDES[cid]
    fmt = {"backend": ev.flows.backend, "beta": ev.plan.description if ev.plan else "", **extra}
    return [a.format(**fmt), b.format(**fmt)]


def statements(ev) -> list:
    """The paper's statements as comparisons of the evidence's routes (the table above)."""
    if ev.fixed_point is None:
        reason = f"no critical point of E: {ev.fixed_point_error}"
        return [not_applicable(cid, *TITLES[cid], ["", ""], reason) for cid in TITLES]
    names_s, names_p, times, dps, cond = ev.names_s, ev.names_p, ev.times, ev.dps, ev.cond
    both = names_s + names_p
    joined = lambda A, B: [list(a) + list(b) for a, b in zip(A, B)]  # noqa: E731
    out = []

    if ev.direct is None:
        out.append(not_applicable("theorem1", *TITLES["theorem1"], sides("theorem1", ev), ev.direct_error))
    else:
        dX, dY = ev.direct.X, ev.direct.Y
        out.append(compare_series("theorem1", *TITLES["theorem1"], sides("theorem1", ev),
                                  joined(dX.values, dY.values), joined(dX.project(ev.X), dY.project(ev.Y)),
                                  times, direction_names(dX, names_s) + direction_names(dY, names_p),
                                  dps=dps, condition=cond, scale_floor=ev.scale_floor,
                                  error_terms=[(ev.direct.error_estimate, "integrator (direct)")]))
    if ev.ode is None:
        out.append(not_applicable("cauchy-ode", *TITLES["cauchy-ode"], sides("cauchy-ode", ev), ev.ode_error))
    else:
        Xo, Yo, traj = ev.ode
        out.append(compare_series("cauchy-ode", *TITLES["cauchy-ode"], sides("cauchy-ode", ev),
                                  joined(Xo, Yo), joined(ev.X, ev.Y), times, both, dps=dps, condition=cond, scale_floor=ev.scale_floor,
                                  error_terms=[(traj.error_estimate, "integrator")]))

    if ev.dJ is None:
        reason = ev.theorem2_error
        out.append(not_applicable("theorem2", *TITLES["theorem2"], sides("theorem2", ev), reason))
        out.append(not_applicable("eq10-limit", *TITLES["eq10-limit"], sides("eq10-limit", ev), reason))
    else:
        inf = [mpmath.inf]
        out.append(compare_series("theorem2", *TITLES["theorem2"], sides("theorem2", ev), [ev.ep_gradient],
                                  [ev.dJ], inf, names_p, dps=dps, condition=cond, scale_floor=ev.scale_floor,
                                  error_terms=[(ev.ep_gradient_error, "extrapolation")]))
        _, Y_inf = rbp.limit(ev.cauchy)
        res = compare_series("eq10-limit", *TITLES["eq10-limit"], sides("eq10-limit", ev), [Y_inf], [ev.dJ],
                             inf, names_p, dps=dps, condition=cond, scale_floor=ev.scale_floor, error_terms=[])
        res.details = [f"t={mpmath.nstr(t, 4)}: |Y_t - dJ/dtheta| = "
                       f"{mpmath.nstr(max(abs(a - b) for a, b in zip(y, ev.dJ)), 3)}, "
                       f"|X_t| = {mpmath.nstr(max(abs(x) for x in xx), 3)}"
                       for t, y, xx in zip(times, ev.Y, ev.X)]
        res.details.append(f"(both decay like exp(-lambda_min t), lambda_min = "
                           f"{mpmath.nstr(ev.fixed_point.hessian_eigenvalues[0], 5)})")
        out.append(res)

    if ev.ep is None:
        for cid in ("theorem3", "theorem3-ode", "corollary4", "eq24"):
            out.append(not_applicable(cid, *TITLES[cid], sides(cid, ev, order=0, delta=0), ev.ep_error))
        return out
    Xt, Yt = ev.X_tilde, ev.Y_tilde
    ep_terms = [(ev.ep.extrapolation_error, "extrapolation"), (ev.ep.integration_error, "integrator (EP)")]
    out.append(compare_series("theorem3", *TITLES["theorem3"], sides("theorem3", ev), joined(Xt, Yt),
                              joined(ev.X, ev.Y), times, both, dps=dps, condition=cond, scale_floor=ev.scale_floor, error_terms=ep_terms))
    out.append(theorem3_ode(ev, ep_terms))
    if ev.direct is None:
        for cid in ("corollary4", "eq24"):
            out.append(not_applicable(cid, *TITLES[cid], sides(cid, ev), ev.direct_error))
    else:
        terms = [(ev.ep.extrapolation_error_X, "extrapolation"), (ev.ep.integration_error, "integrator (EP)"),
                 (ev.direct.error_estimate_X, "integrator (direct)")]
        out.append(compare_series("corollary4", *TITLES["corollary4"], sides("corollary4", ev),
                                  ev.direct.X.values, ev.direct.X.project(Xt), times,
                                  direction_names(ev.direct.X, names_s), dps=dps, error_terms=terms,
                                  scale_floor=ev.scale_floor_X))
        out.append(compare_series("eq24", *TITLES["eq24"], sides("eq24", ev),
                                  ev.direct.Y.values, ev.direct.Y.project(Yt), times,
                                  direction_names(ev.direct.Y, names_p), dps=dps,
                                  error_terms=[(ev.ep.extrapolation_error_Y, "extrapolation"),
                                               (ev.ep.integration_error, "integrator (EP)"),
                                               (ev.direct.error_estimate_Y, "integrator (direct)")],
                                  scale_floor=ev.scale_floor))
    return out


def direction_names(directional, names):
    return list(names) if directional.full else [f"projection {i}" for i in range(len(directional.directions))]


def time_derivative_on_ep(ev, sign_of_H=1):
    """(d/dt [X~; Y~] by central differences, -[H X~; M X~]) at each stencil centre, and an error estimate."""
    A, est = stencil.derivatives_at_centres(
        lambda x: list(ev.ep_at(x)[0]) + list(ev.ep_at(x)[1]), ev.stencil_points, ev.stencil_order,
        ev.stencil_delta, ev.ep.extrapolation_error + ev.ep.integration_error)
    B = []
    for t in ev.stencil_points:
        Xk = ev.ep_at(t)[0]
        B.append([-sign_of_H * v for v in matvec(ev.cauchy.H, Xk)] + [-v for v in matvec(ev.cauchy.M, Xk)])
    return A, B, est


def theorem3_ode(ev, ep_terms):
    m, delta = ev.stencil_order, ev.stencil_delta
    fmt = {"order": 2 * m, "delta": mpmath.nstr(delta, 2)}
    if not ev.stencil_points:
        return not_applicable("theorem3-ode", *TITLES["theorem3-ode"], sides("theorem3-ode", ev, **fmt),
                              f"no requested time t > {mpmath.nstr(m * delta, 3)}")
    A, B, est = time_derivative_on_ep(ev)
    return compare_series("theorem3-ode", *TITLES["theorem3-ode"], sides("theorem3-ode", ev, **fmt), A, B,
                          list(ev.stencil_points), ev.names_s + ev.names_p, dps=ev.dps, condition=ev.cond,
                          scale_floor=ev.rate_scale,
                          error_terms=[(est, "finite differences")])
