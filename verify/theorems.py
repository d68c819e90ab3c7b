"""``verify.check`` (this module: verify.theorems): Theorems 1, 2, 3 and Corollary 4 on one model, by independent routes.

Each statement compares two quantities computed by routes that share nothing
but the model (DESIGN.md, "Independence is the point"); the statements are
records in :mod:`verify.statements` (the table of sides is there).
"""

from __future__ import annotations

import platform
import time as _time

import mpmath
import sympy as sp

from symbolic.load import load_model

from . import __version__
from .errors import UsageError
from .evidence import gather
from .extrapolate import METHODS
from .numbers import vec_str
from .precision import Precision
from .ode import resolve_backend
from .result import Report
from .routes import rbp
from .statements import statements

GUARD_DIGITS = 10
DEFAULT_DPS = 40
DEFAULT_TIMES = ["0", "0.5", "1", "2", "5"]
DEFAULT_BETA_METHOD = "symmetric"
MAX_DIRECTIONS = 64


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
