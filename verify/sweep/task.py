"""One instance of a sweep: a pure function of (seed, family, index) and the sweep's settings.

Instance ``i`` is drawn from ``random.Random("<seed>/<family>/<i>")`` by the
generators of :mod:`verify.strategies` (the property tests use the same ones
through hypothesis), so it is the same in-process, in a local process pool
and on any Dask worker, and can be re-drawn alone. A task is a plain dict
(JSON-able, picklable); its record is a plain dict too, written as one line
of the results file (:mod:`verify.sweep.store`).
"""

from __future__ import annotations

import os
import time

ATTEMPTS = 2  # an instance that raises this many times for reasons of its own is recorded as an error


def family_of(family: str, index: int) -> str:
    """The family of instance ``index``: a group (``all``, ``dynamics``) takes its families in turn."""
    from ..strategies import GROUPS

    group = GROUPS.get(family)
    return group[index % len(group)] if group else family


def instance_for(family: str, seed: int, index: int, *, min_cond: float = 1.0, times=None, beta_method=None):
    """Instance ``index`` of the sweep (family, seed): ``(instance, times, beta method, rejected draws)``."""
    import random

    from .. import strategies as S

    family = family_of(family, index)
    rng = random.Random(f"{seed}/{family}/{index}")
    inst, rejected = S.draw_valid(family, rng, min_cond=min_cond)
    src = S.RandomSource(rng)
    drawn_times = S.draw_times(src)
    drawn_method = src.choice(S.BETA_METHODS)
    return inst, (times or drawn_times), (beta_method or drawn_method), rejected


def _fractions(times):
    from fractions import Fraction

    return None if times is None else [Fraction(t) for t in times]


def check_instance(task: dict) -> dict:
    """Draw instance ``task["index"]`` and check every statement on it (Theorems 1-3, Eq 10, 24)."""
    import mpmath

    from .. import theorems

    inst, times, method, rejected = instance_for(task["family"], task["seed"], task["index"],
                                                 min_cond=task["min_cond"], times=_fractions(task["times"]),
                                                 beta_method=task["beta_method"])
    if inst.model.dynamics == "discrete":
        times = None             # a discrete model compares steps ([settings] steps), not times
    out = {"index": task["index"], "family": inst.family, "n": inst.model.n, "p": inst.model.p,
           "times": None if times is None else [str(t) for t in times], "beta_method": method,
           "cond": inst.screening.cond, "rejected_draws": rejected, "description": inst.model.description}
    if inst.expected is not None:
        out["expected"] = inst.expected.verdict
    try:
        report = theorems.check(inst.model, dps=task["dps"], times=None if times is None else [str(t) for t in times],
                                beta_method=method, backend=task["backend"])
    except Exception as exc:  # noqa: BLE001 - a crash on a valid instance is a finding, reported as such
        out.update(verdict="error", error=f"{type(exc).__name__}: {exc}", checks={}, table=None)
    else:
        eig = report.fixed_point.get("hessian_eigenvalues") or []
        if eig:
            values = [abs(mpmath.mpf(e)) for e in eig]
            out["cond"] = float(max(values) / min(values)) if min(values) > 0 else float("inf")
        out.update(verdict=report.verdict,
                   checks={c.id: {"status": c.status, "digits": c.digits,
                                  "reason": None if c.applicable else c.reason} for c in report.checks},
                   table=report.table() if report.verdict != "verified" else None)
        if inst.expected is not None:      # other dynamics: held to the outcome the family built in
            out["unexpected"] = inst.expected.mismatches(report)
    if not as_expected(out):
        out["model_file"] = inst.to_toml(dps=task["dps"], times=times, beta_method=method, backend=task["backend"])
    return out


def as_expected(record: dict) -> bool:
    """The instance gave the outcome its family expects (verified, or its known N/A reasons exactly)."""
    if record["verdict"] == "error":
        return False
    if "expected" in record:
        return not record.get("unexpected")
    return record["verdict"] == "verified"


def falsify_model(model, **given) -> dict:
    """Check ``model``'s true statements and run every false variant on its evidence.

    ``given`` are settings for :func:`verify.config.resolve` (None: the model's
    ``[settings]``, else the defaults). Returns ``{"verdict", "failing",
    "variants": {id: {"rejected", "digits", "rel", "tolerance"}}, "dynamics"}``
    (the catalogue run: :func:`dynamics_of`); a variant
    that does not apply to the model is absent; a crash of the routes is
    ``verdict: "error"`` with its message. The verdict is the check's own (``Report.verdict``):
    "hypotheses-not-met" when no statement failed but one did not apply.
    """
    import mpmath

    from .. import config, pipeline
    from ..statements import rejected, run_variants

    dynamics = dynamics_of(model)
    try:
        if dynamics == "discrete":   # the GDU statements and their variants (verify/statements/gdu.py)
            from ..discrete.check import check_discrete

            report = check_discrete(model, dps=given.get("dps"), beta_method=given.get("beta_method"),
                                    seed=given.get("seed"))
        elif dynamics == "field":    # continuous [field]: its statements and their variants (continuous_field.py)
            from ..discrete.continuous_field import check_field

            report = check_field(model, dps=given.get("dps"), times=given.get("times"),
                                 beta_method=given.get("beta_method"), seed=given.get("seed"))
        else:
            report = pipeline.run(model, config.resolve(model, names=config.CLI, **given))
    except Exception as exc:  # noqa: BLE001 - one instance's crash must not hide the others
        return {"verdict": "error", "error": f"{type(exc).__name__}: {exc}", "failing": [], "variants": {},
                "dynamics": dynamics}
    failing = [c.id for c in report.checks if c.applicable and not c.passed]
    if dynamics == "field":        # its variants ran with the check, on the same routes
        outcomes = report.variants
    else:
        ev = report.evidence
        with ev.precision.context():
            outcomes = run_variants(ev)
    variants = {}
    for variant, result in outcomes:
        if result is not None:
            variants[variant.id] = {"rejected": rejected(result), "digits": result.digits,
                                    "rel": mpmath.nstr(result.max_rel_error, 3),
                                    "tolerance": mpmath.nstr(result.tolerance, 3)}
    out = {"verdict": report.verdict, "failing": failing, "variants": variants, "dynamics": dynamics}
    if report.verdict == "error":
        out["error"] = getattr(report, "error", None) or "the check reported an error"
    return out


def dynamics_of(model) -> str:
    """Which catalogue of statements a model gets: "continuous" (the paper's), "discrete" or "field"."""
    if model.dynamics == "discrete":
        return "discrete"
    return "continuous" if model.is_gradient_flow else "field"


def falsify_instance(task: dict) -> dict:
    """Draw instance ``task["index"]`` and run :func:`falsify_model` on it."""
    inst, *_ = instance_for(task["family"], task["seed"], task["index"], min_cond=task["min_cond"])
    out = {"index": task["index"], "family": inst.family, "n": inst.model.n, "p": inst.model.p,
           "cond": inst.screening.cond,
           "name": f"random-{inst.family}#{task['index']} (cond {inst.screening.cond:.3g})"}
    times = None if inst.model.dynamics == "discrete" else task["times"]
    out.update(falsify_model(inst.model, dps=task["dps"], times=None if times is None else list(times),
                             beta_method=task["beta_method"], backend=task["backend"], seed=task["seed"]))
    if out["verdict"] in ("failed", "error"):     # a finding: a true statement failed, or a crash
        out["model_file"] = inst.to_toml(dps=task["dps"], times=times,
                                         beta_method=task["beta_method"], backend=task["backend"])
    return out


KINDS = {"random": check_instance, "falsify": falsify_instance}


def attempt(task: dict) -> dict:
    """Run ``task`` (its ``kind`` names the function), at most :data:`ATTEMPTS` times if it raises.

    The checks catch their own crashes; what reaches here is a failure of the
    drawing or of the machinery. It is retried once (a worker-local cause such
    as memory may not recur) and then recorded as ``verdict: "error"`` with
    the message, never retried forever. A worker that *dies* is the
    executor's business (:mod:`verify.sweep.executors`).
    """
    started = time.perf_counter()
    errors = []
    while len(errors) < ATTEMPTS:
        try:
            record = KINDS[task["kind"]](task)
            break
        except Exception as exc:  # noqa: BLE001 - recorded below, with the last attempt's message
            errors.append(f"{type(exc).__name__}: {exc}")
    else:
        record = {"index": task["index"], "family": family_of(task["family"], task["index"]), "verdict": "error",
                  "error": f"raised on {ATTEMPTS} attempts: {errors[-1]}", "checks": {}}
    record["key"] = task["key"]
    record["attempts"] = min(len(errors) + 1, ATTEMPTS)
    record["pid"] = os.getpid()
    record["seconds"] = round(time.perf_counter() - started, 3)
    return record
