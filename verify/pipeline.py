"""The one check pipeline: settings -> evidence -> statements -> :class:`~verify.result.Report`.

``check``, ``report``, ``falsify``, ``audit``, ``random``, ``bench``, the
pytest plugin and the Python API ``verify.check`` all run a check through
:func:`run` (after resolving their settings with :mod:`verify.config`), so a
check is set up, computed and reported in one way only. The report keeps the
check's :class:`~verify.evidence.Evidence` (``report.evidence``): the HTML
report's plots are drawn from it, without a second compile or fixed point.

(This module is ``verify.pipeline``, not ``verify.check``: a submodule of that
name would replace the function ``verify.check`` on the package when imported.)

Threads: mpmath's precision is process-global. :func:`run` holds the
process-wide precision lock of :mod:`verify.precision` for the whole check and
sets (then restores) the global precision inside it, so concurrent checks
from threads run one at a time and each gives exactly its single-threaded
result; ``mpmath.mp.dps`` is unchanged afterwards.
"""

from __future__ import annotations

import os
import platform
import time as _time

import mpmath
import sympy as sp

from symbolic.load import load_model
from symbolic.model import Model

from . import __version__, config, numbers
from .errors import UsageError
from .evidence import gather
from .result import Report
from .routes import rbp


def environment() -> dict:
    return {"python": platform.python_version(), "mpmath": mpmath.__version__,
            "sympy": sp.__version__, "backend": mpmath.libmp.BACKEND, "eqprop_verify": __version__,
            "platform": platform.platform()}


def _silent(*args, **kwargs):
    return None


def check(model_or_path, *, dps=None, times=None, beta_method=None, backend=None, seed=None,
          max_directions=None, steps=None, progress=None) -> Report:
    """Check Theorems 1-3 and Corollary 4 on a model; returns a :class:`~verify.result.Report`.

    ``model_or_path`` is a Model, a built-in name or a model file. Every
    argument is validated here; a bad one raises :class:`verify.errors.UsageError`
    naming it (a bad model file: :class:`symbolic.errors.SpecError` naming the
    file and key). Thread-safe (see the module docstring); the global mpmath
    precision is unchanged afterwards.
    """
    if not isinstance(model_or_path, (str, os.PathLike, Model)):
        raise UsageError(f"model_or_path must be a Model, a built-in name or a model file path, "
                         f"got {type(model_or_path).__name__}")
    if progress is not None and not callable(progress):
        raise UsageError(f"progress must be a callable progress(stage, step=False) or None, got {progress!r}")
    model = load_model(model_or_path)
    if not model.is_gradient_flow:   # discrete maps and continuous fields: verify/discrete/ (same resolver)
        from .discrete.check import check_other_dynamics

        return check_other_dynamics(model, dps=dps, times=times, steps=steps, beta_method=beta_method, seed=seed,
                                    max_directions=max_directions, environment=environment())
    if steps is not None:
        raise UsageError("steps applies to discrete models ([settings] dynamics = \"discrete\"); "
                         "this model is the gradient flow of an energy")
    settings = config.resolve(model, dps=dps, times=times, beta_method=beta_method, backend=backend, seed=seed,
                              max_directions=max_directions)
    return run(model, settings, progress=progress)


def run(model, settings: config.Settings, *, progress=None, variant=None) -> Report:
    """Gather the evidence, compare the statements and build the Report (with ``report.evidence``).

    ``variant`` (an id of :data:`verify.statements.VARIANTS`) adds one deliberately
    false statement computed on the same evidence: the check must then fail.
    """
    from .statements import VARIANTS, statements

    by_id = {v.id: v for v in VARIANTS}
    if variant is not None and variant not in by_id:
        raise UsageError(f"variant={variant!r} is not a false variant; choose one of {', '.join(by_id)}")
    progress = progress or _silent
    precision = settings.precision
    with precision.context():
        started = _time.perf_counter()
        ev = gather(model, precision=precision, times=list(settings.times), beta_method=settings.beta_method,
                    backend=settings.backend, seed=settings.seed, max_directions=settings.max_directions,
                    progress=progress)
        checks = statements(ev)
        if variant is not None:
            checks.append(false_variant(by_id[variant], ev))
        report = _report(model, settings, ev, checks, started)
        if variant is not None:
            report.settings["variant"] = variant
    return report


def false_variant(v, ev):
    """The result of false variant ``v`` on the evidence, titled as such (not applicable where it is not false)."""
    from .compare import not_applicable
    from .statements import rejected

    title = f"FALSE VARIANT of {v.of}: {v.title}"
    if not v.applies(ev):
        return not_applicable(v.id, title, [], ["", ""],
                              "the variant is not false on this model (see eqprop-verify falsify)")
    result = v.run(ev)
    result.title = title
    if rejected(result):
        result.reason = "a deliberately false statement, rejected (as it must be)"
    return result


def _report(model, settings: config.Settings, ev, checks, started) -> Report:
    """The Report of one check (every contract key present; a route that did not run leaves null)."""
    meta = settings.to_json()
    work = ev.precision.work

    def vec_str(v):
        return numbers.vec_str(v, work)

    values = {"times": meta["times"], "X": None, "Y": None, "dL_ds": None, "dL_dtheta": None,
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
        # a large model: the three on the J route's projections (the direct route's directions in theta)
        projected = not ev.dJ_route.full
        values.update(dJ_dtheta=vec_str(ev.dJ), ep_gradient=vec_str(ev.on_dJ(ev.ep_gradient)),
                      Y_limit=vec_str(ev.on_dJ(rbp.limit(ev.cauchy)[1])), dJ_dtheta_is_projection=projected,
                      ep_gradient_is_projection=projected, Y_limit_is_projection=projected)
    values["status"] = value_status(ev, checks, values)
    meta["integrations"] = {"direct": ev.direct.integrations if ev.direct else 0,
                            "ep": ev.ep.integrations if ev.ep else 0}
    meta["beta_plan"] = ev.plan.description if ev.plan else None
    timings = dict(ev.timings, total=_time.perf_counter() - started)
    return Report(model, meta, environment(), fixed, checks, values, timings, evidence=ev)


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
    precision = ev.precision
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
