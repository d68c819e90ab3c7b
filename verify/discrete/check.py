"""``check`` for a discrete model: the GDU statements on one model, by independent routes.

The evidence: the free fixed point s* (relaxation + Newton), BPTT on the
unrolled map by complex step, BPTT by the adjoint recursion at s*, and EP's
nudged sequence with beta -> 0 (see :mod:`.routes`); the statements compare
them (:mod:`.statements`). JSON ``values`` as DESIGN.md says for discrete
models: ``steps``, ``delta_ep_s``, ``bptt_s``, ``delta_ep_theta``,
``bptt_theta``, ``dJ_dtheta``, ``ep_update``; for an ``[update]`` map also
``discrepancy`` and ``fixed_point.asymmetry``.
"""

from __future__ import annotations

import dataclasses
import time as _time
from functools import cached_property

import mpmath

from symbolic.discrete_compile import compile_discrete

from ..config import MAX_DIRECTIONS
from ..errors import UsageError
from ..numbers import norm_inf, vec_str
from ..precision import Precision
from ..result import Report
from ..statements import statements
from ..statements.gdu import discrepancy
from . import fixed_point, routes
from . import matrix_free as mfree

CLOCK = _time.perf_counter    # the routes' timings (bench/bench_discrete.py sets time.process_time)


@dataclasses.dataclass
class DiscreteEvidence:
    """Everything the discrete statements compare, computed once."""

    dynamics = "discrete"   # the statement registry runs its discrete records on this evidence

    model: object
    compiled: object
    prec: Precision
    steps: int
    beta_method: str
    theta: list
    fixed_point: fixed_point.DiscreteFixedPoint | None = None
    fixed_point_error: str | None = None
    asymmetry: mpmath.mpf | None = None
    unrolled: routes.Unrolled | None = None
    adjoint: routes.Adjoint | None = None
    ep: routes.EPResult | None = None
    dJ: list | None = None
    timings: dict = dataclasses.field(default_factory=dict)
    _variants: dict = dataclasses.field(default_factory=dict)

    @property
    def precision(self) -> Precision:
        return self.prec

    @property
    def names_s(self):
        return self.model.state_names()

    @property
    def names_p(self):
        return self.model.param_names()

    @property
    def gradient_map(self) -> bool:
        """dF/ds symmetric to working precision (always, by construction, for Phi models)."""
        return self.asymmetry is not None and self.asymmetry <= self.prec.rounding()

    @property
    def not_gradient_reason(self) -> str:
        worst = max((rel for _, rel, _ in discrepancy(self)), default=None) if self.ep and self.unrolled else None
        extra = f"; EP's DeltaEP_s differs from BPTT by up to {mpmath.nstr(worst, 3)} (relative)" if worst else ""
        return (f"not a gradient map: asymmetry ||J - J^T||/||J|| = {mpmath.nstr(self.asymmetry, 3)} at s* "
                f"(J = dF/ds; the GDU property needs J symmetric){extra}")

    @cached_property
    def scale_floor(self):
        """The natural size of the compared gradients: |dC/ds(s*)| and |dF/dtheta^T dC/ds|."""
        parts = [norm_inf(self.adjoint.s[0])] if self.adjoint else []
        if self.adjoint and self.adjoint.theta:
            parts.append(norm_inf(self.adjoint.theta[0]))
        return max(parts, default=mpmath.mpf(0))

    def adjoint_variant(self, which: str) -> routes.Adjoint:
        """The adjoint recursion with its Jacobians at the initial state (a false variant), on demand."""
        if which not in self._variants:
            with self.prec.context():
                start = [mpmath.mpf(v) for v in fixed_point.initial_state(self.model)]
                self._variants[which] = routes.adjoint(self.compiled, self.fixed_point.s, self.theta, self.steps,
                                                       jacobian_at=start)
        return self._variants[which]

    def ep_variant(self, which: str) -> routes.EPResult:
        """The EP route with a deliberate error (for the false variants), computed on demand."""
        if which not in self._variants:
            with self.prec.context():
                self._variants[which] = routes.ep(
                    self.compiled, self.fixed_point.s, self.theta, self.steps, self.beta_method, self.prec,
                    sign=-1 if which == "beta-flipped" else 1, free_state_theta=which == "free-state",
                    pre=self.fixed_point.preconditioner, project=_projection(self))
        return self._variants[which]


def _projection(ev):
    """The unrolled route's theta directions when they are dyadic projections (a large model), else None."""
    U = ev.unrolled.theta if ev.unrolled else None
    return U if isinstance(U, routes.Projected) else None


def asymmetry(J) -> mpmath.mpf:
    """||J - J^T||_F / ||J||_F."""
    norm = mpmath.mnorm(J, "F")
    return mpmath.mnorm(J - J.T, "F") / norm if norm else mpmath.mpf(0)


def gather(model, prec: Precision, steps: int, beta_method: str, max_directions=MAX_DIRECTIONS, seed=0,
           compiled=None) -> DiscreteEvidence:
    """Run every route at ``prec`` (the caller holds ``prec.context()``)."""
    cm = compiled or compile_discrete(model)
    ev = DiscreteEvidence(model, cm, prec, steps, beta_method, cm.theta_values(prec.work))
    clock = CLOCK
    t0 = clock()
    try:
        ev.fixed_point = fixed_point.solve(cm, ev.theta, prec, fixed_point.initial_state(model))
    except fixed_point.FixedPointError as exc:
        ev.fixed_point_error = str(exc)
        return ev
    s = ev.fixed_point.s
    ev.timings["fixed_point"] = clock() - t0
    t0 = clock()
    ev.adjoint = routes.adjoint(cm, s, ev.theta, steps)
    pre = ev.fixed_point.preconditioner
    ev.asymmetry = asymmetry(ev.adjoint.J) if ev.adjoint.J is not None else mfree.asymmetry(cm, ev.theta, s, seed)
    try:
        ev.dJ = routes.rbp_dJ_dtheta(cm, s, ev.theta, ev.adjoint.J, ev.adjoint.dF_dtheta, prec, pre)
    except mfree.NotConverged as exc:
        ev.fixed_point, ev.fixed_point_error = None, str(exc)
        return ev
    ev.timings["adjoint"] = clock() - t0
    t0 = clock()
    ev.unrolled = routes.unrolled(cm, s, ev.theta, steps, prec, max_directions, seed)
    ev.timings["unrolled"] = clock() - t0
    t0 = clock()
    ev.ep = routes.ep(cm, s, ev.theta, steps, beta_method, prec, pre=pre, project=_projection(ev))
    ev.timings["ep"] = clock() - t0
    return ev


def settings_of(model, names=None, **given):
    """The check's settings through the one resolver (verify/config.py): the caller's values (``names``: how
    they are named in messages, API or CLI), else the model file's ``[settings]``, else the defaults; a bad value is one message naming the flag, the argument or the file's key (exit 2)."""
    from .. import config

    return config.resolve(model, names=names or config.API, **given)


def check_discrete(model, *, dps=None, steps=None, beta_method=None, seed=None,
                   max_directions=None, environment=None, compiled=None, names=None) -> Report:
    """The GDU statements on a discrete model; a :class:`Report` as for the continuous check."""
    resolved = settings_of(model, names, dps=dps, steps=steps, beta_method=beta_method, seed=seed,
                           max_directions=max_directions)
    dps, steps, beta_method, seed = resolved.dps, resolved.steps, resolved.beta_method, resolved.seed
    max_directions = resolved.max_directions
    prec = Precision(dps)
    started = _time.perf_counter()
    with prec.context():
        ev = gather(model, prec, steps, beta_method, max_directions, seed, compiled)
        checks = statements(ev)
        fixed, values = _fixed_point_json(ev), _values_json(ev)
    settings = {"dps": dps, "times": [], "dynamics": "discrete", "map": ev.compiled.d.kind,
                "compiled": ev.compiled.form, "steps": steps,
                "beta_method": beta_method, "backend": None, "guard_digits": prec.guard, "seed": seed,
                "max_directions": max_directions, "beta_plan": ev.ep.description if ev.ep else None}
    if model.settings.get("step") is not None:
        settings["step"] = str(model.settings["step"])
    timings = dict(ev.timings, total=_time.perf_counter() - started)
    report = DiscreteReport(model, settings, environment or {}, fixed, checks, values, timings)
    report.evidence = ev
    return report


def check_other_dynamics(model, *, dps=None, times=None, steps=None, beta_method=None, seed=None,
                         max_directions=None, environment=None, names=None) -> Report:
    """``verify.check`` for a model that is not the paper's gradient flow: discrete maps, continuous fields."""
    from .. import config

    names = names or config.API
    if model.dynamics == "discrete":
        if times is not None:
            raise UsageError(f"{names['times']} applies to continuous models; a discrete model compares steps "
                             f"({names['steps']})")
        return check_discrete(model, dps=dps, steps=steps, beta_method=beta_method, seed=seed,
                              max_directions=max_directions, environment=environment, names=names)
    if steps is not None:
        raise UsageError(f"{names['steps']} applies to discrete models ([settings] dynamics = \"discrete\")")
    from .continuous_field import check_field

    return check_field(model, dps=dps, times=times, beta_method=beta_method, seed=seed,
                       max_directions=max_directions, environment=environment, names=names)


def _fixed_point_json(ev):
    work = ev.prec.work
    if ev.fixed_point is None:
        return {"found": False, "reason": ev.fixed_point_error, "s": None, "residual": None,
                "hessian_eigenvalues": None, "asymmetry": None}
    fp = ev.fixed_point
    return {"found": True, "s": vec_str(fp.s, work), "residual": mpmath.nstr(fp.residual, 5),
            "hessian_eigenvalues": None, "jacobian_eigenvalues": vec_str(fp.eigenvalues, fp.eigenvalue_digits or work),
            "spectral_radius": mpmath.nstr(fp.spectral_radius, 10),
            "asymmetry": mpmath.nstr(ev.asymmetry, 10), "other_fixed_points": len(fp.others),
            "method": "relaxation + newton", "description": fp.describe()}


def _values_json(ev):
    work = ev.prec.work
    K = ev.steps
    values = {"steps": list(range(K)), "delta_ep_s": None, "bptt_s": None, "delta_ep_theta": None,
              "bptt_theta": None, "dJ_dtheta": None, "ep_update": None}
    if ev.fixed_point is None:
        return values
    U = ev.unrolled
    values["bptt_s"] = [vec_str(v, work) for v in U.s.values[:K]]
    values["bptt_s_is_projection"] = not U.s.full
    values["delta_ep_s"] = [vec_str(v, work) for v in ev.ep.delta_s]
    values["dJ_dtheta"] = vec_str(ev.dJ, work)
    if U.theta is not None:
        values["bptt_theta"] = [vec_str(v, work) for v in U.theta.values]
        values["bptt_theta_is_projection"] = not U.theta.full
        values["delta_ep_theta"] = [vec_str(v, work) for v in ev.ep.delta_theta]
        values["delta_ep_theta_is_projection"] = values["ep_update_is_projection"] = ev.ep.theta_projected
        values["ep_update"] = vec_str(ev.ep.update, work)
        values["bptt_total"] = vec_str(U.total.values[0], work)
    values["projections"] = projections(ev)
    if ev.compiled.d.kind == "field":
        values["discrepancy"] = [{"step": t, "relative_error": mpmath.nstr(rel, 6),
                                  "cosine": None if cos is None else mpmath.nstr(cos, 12)}
                                 for t, rel, cos in discrepancy(ev)]
    return values


def projections(ev) -> dict:
    """What was projected rather than computed whole (large models), each with how: empty for a small model."""
    out = {}
    for key, directional, size, space in (("bptt_s", ev.unrolled.s, ev.compiled.n, "state"),
                                          ("bptt_theta", ev.unrolled.theta, ev.compiled.p, "parameter")):
        if directional is not None and not directional.full:
            out[key] = (f"{len(directional.directions)} random unit directions (seeded by `seed`) of the {size} "
                        f"{space} components; the other routes' vectors are projected on the same directions")
    if ev.ep is not None and ev.ep.theta_projected:
        out["delta_ep_theta"] = out["ep_update"] = ("dPhi/dtheta at each nudged state projected on the bptt_theta "
                                                    "directions before the differences and the beta limit")
    if ev.adjoint is not None and ev.adjoint.J is None:
        out["jacobian"] = mfree.description(ev.compiled)
    return out


class DiscreteReport(Report):
    """A :class:`Report` whose table speaks of steps, not times."""

    evidence = None

    def table(self, verbose: bool = False) -> str:
        s = self.settings
        lines = [f"eqprop-verify check {self.model.name}: discrete ({s['map']}), dps={s['dps']} "
                 f"(+{s['guard_digits']} guard digits), steps={s['steps']}, beta method={s['beta_method']}"]
        fp = self.fixed_point
        if fp.get("found"):
            lines.append(f"fixed point: {fp['description']}; asymmetry ||J - J^T||/||J|| = {fp['asymmetry']}")
        else:
            lines.append(f"fixed point: not found: {fp.get('reason')}")
        if self.values.get("discrepancy"):
            lines.append("EP vs BPTT per step (relative error, cosine): " + "  ".join(
                f"t={d['step']}: {mpmath.nstr(mpmath.mpf(d['relative_error']), 3)}, "
                f"{d['cosine'] and mpmath.nstr(mpmath.mpf(d['cosine']), 6)}" for d in self.values["discrepancy"]))
        lines.append("")
        for c in self.checks:
            lines.append(c.format(s["dps"], verbose))
        lines.append("")
        summary = "  ".join(f"{c.id}:{c.status}" + (f"({c.digits})" if c.applicable else "") for c in self.checks)
        lines.append(f"verdict: {self.verdict.upper()}   {summary}")
        return "\n".join(lines)
