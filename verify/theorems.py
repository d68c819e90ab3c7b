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

from symbolic.compile import compile_model
from symbolic.load import load_model

from . import __version__
from .compare import compare_series, not_applicable
from .extrapolate import METHODS, plan as beta_plan
from .fixed_point import FixedPointNotFound, free_fixed_point, refine
from .flows import Flows
from .numbers import matvec, vec_str
from .ode import IntegrationError, available_backends
from .result import Report
from .routes import direct, ep, objective, rbp
from . import stencil

GUARD_DIGITS = 10
DEFAULT_DPS = 40
DEFAULT_TIMES = ["0", "0.5", "1", "2", "5"]
DEFAULT_BETA_METHOD = "symmetric"
MAX_DIRECTIONS = 64

TITLES = {
    "theorem1": ("Theorem 1: (dL/ds, dL/dtheta) at s_theta^0 solve the Cauchy problem", ["11", "12", "13", "14", "15", "16"]),
    "cauchy-ode": ("Cauchy problem integrated = its closed form", ["13", "14"]),
    "theorem2": ("Theorem 2: EP gradient formula = dJ/dtheta", ["20"]),
    "eq10-limit": ("Eq 10: Y_t -> dJ/dtheta and X_t -> 0 as t -> infinity", ["10", "3"]),
    "theorem3": ("Theorem 3: (X~, Y~) of EP solve the Cauchy problem", ["21", "22", "11", "12", "13", "14"]),
    "theorem3-ode": ("Theorem 3: dX~/dt = -H X~ and dY~/dt = -M X~ on EP data", ["13", "14", "21", "22"]),
    "corollary4": ("Corollary 4: dL/ds = -lim 1/beta dS^beta/dt", ["23"]),
    "eq24": ("Corollary 4: dL/dtheta = lim 1/beta (dE^beta/dtheta(S^beta) - dE/dtheta(s^0))", ["24"]),
}

SIDES = {
    "theorem1": ("direct: complex step on the free flow Eq 1 (truncated objective Eq 9), no H or M",
                 "RBP: Cauchy problem Eq 11-14 in closed form, X_t = expm(-Ht) X_0, Y_t = Y_0 - M H^-1 (I - expm(-Ht)) X_0"),
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
        from .cli import UsageError

        raise UsageError(f"--backend {backend} is not available (installed: {', '.join(have)}); "
                         "pip install 'eqprop-verify[heyoka]'")
    return backend


def environment() -> dict:
    return {"python": platform.python_version(), "mpmath": mpmath.__version__,
            "sympy": sp.__version__, "backend": mpmath.libmp.BACKEND, "eqprop_verify": __version__,
            "platform": platform.platform()}


def _times(times, model):
    raw = times if times is not None else model.settings.get("times") or DEFAULT_TIMES
    out = []
    for t in raw:
        r = sp.Rational(str(t)) if not isinstance(t, sp.Basic) else sp.Rational(t)
        if r < 0:
            from .cli import UsageError

            raise UsageError(f"times must be >= 0, got {t}")
        out.append(r)
    return sorted(set(out))


def check(model_or_path, *, dps=None, times=None, beta_method=None, backend="auto", seed=None,
          max_directions=MAX_DIRECTIONS, progress=None) -> Report:
    """Check Theorems 1-3 and Corollary 4 on a model; returns a :class:`Report`.

    ``model_or_path`` is a Model, a built-in name or a model file. The global
    mpmath precision is unchanged afterwards.
    """
    model = load_model(model_or_path)
    dps = int(dps or model.settings.get("dps") or DEFAULT_DPS)
    beta_method = beta_method or model.settings.get("beta_method") or DEFAULT_BETA_METHOD
    if beta_method not in METHODS:
        from .cli import UsageError

        raise UsageError(f"--beta-method {beta_method!r} is unknown; choose one of {', '.join(METHODS)}")
    backend = resolve_backend(backend or model.settings.get("backend") or "auto")
    seed = model.settings.get("seed", 0) if seed is None else seed
    times_exact = _times(times, model)
    settings = {"dps": dps, "times": [str(t) for t in times_exact], "beta_method": beta_method,
                "backend": backend, "guard_digits": GUARD_DIGITS, "seed": seed,
                "max_directions": max_directions}
    with mpmath.workdps(dps + GUARD_DIGITS):
        return _check(model, dps, times_exact, beta_method, backend, seed, max_directions,
                      settings, progress or (lambda *a, **k: None))


def _check(model, dps, times_exact, beta_method, backend, seed, max_directions, settings, progress):
    started = _time.perf_counter()
    timings = {}
    work = mpmath.mp.dps
    compiled = compile_model(model)
    flows = Flows(compiled, backend)
    theta = compiled.theta_values()
    times = [mpmath.mpf(t.p) / t.q for t in times_exact]
    names_s, names_p = model.state_names(), model.param_names()
    checks, values = [], {"times": settings["times"]}

    progress("fixed point")
    try:
        fp = free_fixed_point(compiled, theta)
    except FixedPointNotFound as exc:
        reason = f"no critical point of E: {exc}"
        checks = [not_applicable(cid, TITLES[cid][0], TITLES[cid][1], ["", ""], reason) for cid in TITLES]
        return Report(model, settings, environment(), {"found": False, "reason": str(exc)}, checks, values)
    timings["fixed_point"] = _time.perf_counter() - started
    fixed = {"found": True, "s": vec_str(fp.s), "residual": mpmath.nstr(fp.residual, 5),
             "hessian_eigenvalues": vec_str(fp.hessian_eigenvalues),
             "strict_minimum": fp.is_strict_minimum, "method": fp.method, "description": fp.describe()}
    eig = fp.hessian_eigenvalues
    cond = max(abs(e) for e in eig) / max(min(abs(e) for e in eig), mpmath.eps)
    s0 = fp.s

    def sides(cid, **fmt):
        a, b = SIDES[cid]
        return [a.format(**fmt), b.format(**fmt)]

    plan = beta_plan(beta_method, work)
    fmt = {"backend": backend, "beta": plan.description}

    # RBP route -------------------------------------------------------------------
    progress("RBP closed form")
    data = rbp.cauchy_data(compiled, s0, theta)
    Xc, Yc = rbp.closed_form(data, times)
    values.update(X=[vec_str(x) for x in Xc], Y=[vec_str(y) for y in Yc])
    t0 = _time.perf_counter()
    try:
        progress("RBP ODE")
        Xo, Yo, traj = rbp.by_ode(flows, data, times, dps=work)
        checks.append(compare_series("cauchy-ode", *TITLES["cauchy-ode"], sides("cauchy-ode", **fmt),
                                     [x + y for x, y in zip(Xo, Yo)], [x + y for x, y in zip(Xc, Yc)],
                                     times, names_s + names_p, dps=dps, condition=cond,
                                     error_terms=[(traj.error_estimate, "integrator")]))
    except IntegrationError as exc:
        checks.append(not_applicable("cauchy-ode", *TITLES["cauchy-ode"], sides("cauchy-ode", **fmt),
                                     f"integration failed: {exc}"))
    timings["rbp"] = _time.perf_counter() - t0

    # Direct route ------------------------------------------------------------------
    t0 = _time.perf_counter()
    direct_result = None
    try:
        progress("direct route")
        direct_result = direct.truncated_objective_gradient(
            compiled, flows, s0, theta, times, dps=work, max_directions=max_directions, seed=seed,
            progress=lambda: progress("direct route", step=True))
    except IntegrationError as exc:
        direct_failure = f"integration of the free flow failed: {exc}"
    timings["direct"] = _time.perf_counter() - t0
    if direct_result is not None:
        dX, dY = direct_result.X, direct_result.Y
        names_X = names_s if dX.full else [f"projection {i}" for i in range(len(dX.directions))]
        names_Y = names_p if dY.full else [f"projection {i}" for i in range(len(dY.directions))]
        values.update(dL_ds=[vec_str(v) for v in dX.values], dL_dtheta=[vec_str(v) for v in dY.values],
                      dL_ds_full=dX.full, dL_dtheta_full=dY.full)
        A = [x + y for x, y in zip(dX.values, dY.values)]
        B = [x + y for x, y in zip(dX.project(Xc), dY.project(Yc))]
        checks.append(compare_series("theorem1", *TITLES["theorem1"], sides("theorem1", **fmt), A, B, times,
                                     names_X + names_Y, dps=dps, condition=cond,
                                     error_terms=[(direct_result.error_estimate, "integrator (direct)")]))
    else:
        checks.append(not_applicable("theorem1", *TITLES["theorem1"], sides("theorem1", **fmt), direct_failure))

    # Theorem 2 and Eq 10 (need a strict minimum) -------------------------------------
    t0 = _time.perf_counter()
    if not fp.is_strict_minimum:
        reason = f"needs a strict minimum of E, but s_theta^0 is a {fp.describe()}"
        checks.append(not_applicable("theorem2", *TITLES["theorem2"], sides("theorem2", **fmt), reason))
        checks.append(not_applicable("eq10-limit", *TITLES["eq10-limit"], sides("eq10-limit", **fmt), reason))
    else:
        progress("J route")
        dJ = objective.objective_gradient(compiled, s0, theta)
        values["dJ_dtheta"] = vec_str(dJ)
        with mpmath.workdps(work + plan.extra_digits):
            s0_hi, _ = refine(compiled, compiled.theta_values(), s0)
            progress("EP fixed points")
            ep_grad, ep_err = objective.ep_fixed_point_gradient(compiled, s0_hi, compiled.theta_values(), plan)
        values["ep_gradient"] = vec_str(ep_grad)
        checks.append(compare_series("theorem2", *TITLES["theorem2"], sides("theorem2", **fmt), [ep_grad], [dJ],
                                     [mpmath.inf], names_p, dps=dps, condition=cond,
                                     error_terms=[(ep_err, "extrapolation")]))
        _, Y_inf = rbp.limit(data)
        values["Y_limit"] = vec_str(Y_inf)
        res = compare_series("eq10-limit", *TITLES["eq10-limit"], sides("eq10-limit", **fmt), [Y_inf], [dJ],
                             [mpmath.inf], names_p, dps=dps, condition=cond, error_terms=[])
        decay = [f"t={mpmath.nstr(t, 4)}: |Y_t - dJ/dtheta| = {mpmath.nstr(max(abs(a - b) for a, b in zip(y, dJ)), 3)}"
                 f", |X_t| = {mpmath.nstr(max(abs(x) for x in xx), 3)}" for t, y, xx in zip(times, Yc, Xc)]
        res.details = decay + [f"bound exp(-lambda_min t), lambda_min = {mpmath.nstr(eig[0], 5)}"]
        checks.append(res)
    timings["theorem2"] = _time.perf_counter() - t0

    # EP route (Theorem 3, Corollary 4) -----------------------------------------------------
    t0 = _time.perf_counter()
    ep_result = None
    delta = mpmath.mpf(10) ** -3
    with mpmath.workdps(work + plan.extra_digits):
        theta_hi = compiled.theta_values()
        s0_hi, _ = refine(compiled, theta_hi, s0)
        m = stencil.order_for(work, delta)
        ode_times = [t for t in times if t - m * delta > 0]
        stencil_points = {t: stencil.stencil_times(t, m, delta) for t in ode_times}
        all_times = sorted(set(times) | {x for pts in stencil_points.values() for x in pts})
        try:
            progress("EP route")
            ep_result = ep.nudged_phase(compiled, flows, s0_hi, theta_hi, all_times, plan, dps=mpmath.mp.dps,
                                        progress=lambda: progress("EP route", step=True))
        except IntegrationError as exc:
            ep_failure = f"integration of the nudged flow failed: {exc}"
    timings["ep"] = _time.perf_counter() - t0
    if ep_result is None:
        for cid in ("theorem3", "theorem3-ode", "corollary4", "eq24"):
            checks.append(not_applicable(cid, *TITLES[cid], sides(cid, **fmt, order=0, delta=0), ep_failure))
    else:
        index = {t: i for i, t in enumerate(all_times)}
        Xt = [ep_result.X_tilde[index[t]] for t in times]
        Yt = [ep_result.Y_tilde[index[t]] for t in times]
        values.update(X_tilde=[vec_str(x) for x in Xt], Y_tilde=[vec_str(y) for y in Yt])
        ep_terms = [(ep_result.extrapolation_error, "extrapolation"), (ep_result.integration_error, "integrator (EP)")]
        checks.append(compare_series("theorem3", *TITLES["theorem3"], sides("theorem3", **fmt),
                                     [x + y for x, y in zip(Xt, Yt)], [x + y for x, y in zip(Xc, Yc)], times,
                                     names_s + names_p, dps=dps, condition=cond, error_terms=ep_terms))
        # ODE residual on EP data
        if ode_times:
            A, B, est = [], [], mpmath.mpf(0)
            for t in ode_times:
                pts = [index[x] for x in stencil_points[t]]
                series = [ep_result.X_tilde[i] + ep_result.Y_tilde[i] for i in pts]
                d, e = stencil.derivative(series, m, delta)
                amp = 2 * mpmath.fsum(abs(w) for w in stencil.central_weights(m)) / delta
                est = max(est, e + amp * (ep_result.extrapolation_error + ep_result.integration_error))
                Xk = ep_result.X_tilde[index[t]]
                A.append(d)
                B.append([-v for v in matvec(data.H, Xk)] + [-v for v in matvec(data.M, Xk)])
            checks.append(compare_series("theorem3-ode", *TITLES["theorem3-ode"],
                                         sides("theorem3-ode", order=2 * m, delta=mpmath.nstr(delta, 2)),
                                         A, B, ode_times, names_s + names_p, dps=dps, condition=cond,
                                         error_terms=[(est, "finite differences")]))
        else:
            checks.append(not_applicable("theorem3-ode", *TITLES["theorem3-ode"], sides("theorem3-ode", order=2 * m, delta=delta),
                                         f"no time t > {mpmath.nstr(m * delta, 3)} requested"))
        if direct_result is not None:
            terms = ep_terms + [(direct_result.error_estimate, "integrator (direct)")]
            checks.append(compare_series("corollary4", *TITLES["corollary4"], sides("corollary4", **fmt),
                                         direct_result.X.values, direct_result.X.project(Xt), times, names_X,
                                         dps=dps, error_terms=terms))
            checks.append(compare_series("eq24", *TITLES["eq24"], sides("eq24", **fmt),
                                         direct_result.Y.values, direct_result.Y.project(Yt), times, names_Y,
                                         dps=dps, error_terms=terms))
        else:
            for cid in ("corollary4", "eq24"):
                checks.append(not_applicable(cid, *TITLES[cid], sides(cid, **fmt), direct_failure))
    order = list(TITLES)
    checks.sort(key=lambda c: order.index(c.id))
    timings["total"] = _time.perf_counter() - started
    settings["integrations"] = {
        "direct": direct_result.integrations if direct_result else 0,
        "ep": ep_result.integrations if ep_result else 0}
    return Report(model, settings, environment(), fixed, checks, values, timings)
