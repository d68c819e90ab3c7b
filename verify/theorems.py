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
    from symbolic import limits

    raw = list(raw)
    if len(raw) > limits.MAX_TIMES:
        raise UsageError(f"times: {len(raw)} times given, at most {limits.MAX_TIMES}")
    out = []
    for t in raw:
        try:
            if not isinstance(t, sp.Basic):
                for part in str(t).split("/", 1):
                    limits.check_number_text(part)
        except limits.LimitError as exc:
            raise UsageError(f"times: {exc}") from None
        try:
            r = sp.Rational(t) if isinstance(t, sp.Basic) else sp.Rational(str(t).strip())
        except (TypeError, ValueError, ZeroDivisionError, sp.SympifyError):
            raise UsageError(f"times: '{t}' is not a number (write e.g. 0.5 or 1/3)") from None
        if not r.is_finite or not r.is_Rational:
            raise UsageError(f"times: '{t}' is not a finite number")
        if r < 0:
            raise UsageError(f"times must be >= 0, got {t}")
        if r > limits.MAX_TIME:
            raise UsageError(f"times must be <= {limits.MAX_TIME} (the integration cost grows with t), got {t}")
        out.append(r)
    if not out:
        raise UsageError("times: give at least one time t >= 0")
    if max(out) > limits.HEAVY_TIME:
        import warnings

        warnings.warn(f"times up to {float(max(out)):.3g}: the integration cost grows with t; this may take "
                      "many minutes (Ctrl-C stops it)", limits.HeavyRequestWarning, stacklevel=2)
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
    settings["integrations"] = {"direct": ev.direct.integrations if ev.direct else 0,
                                "ep": ev.ep.integrations if ev.ep else 0}
    settings["beta_plan"] = ev.plan.description if ev.plan else None
    timings = dict(ev.timings, total=_time.perf_counter() - started)
    return Report(model, settings, environment(), fixed, checks, values, timings)
