"""Continuous dynamics without an energy: ds/dt = f(s) given as a ``[field]`` (issue 13, item 4).

At the fixed point f(s*) = 0 with J = df/ds(s*), four routes:

- direct: the true gradient dL_t/ds(s*) of the truncated objective
  L_t(s) = C(S_t(s)) by complex step on the nonlinear flow (mpmath's Taylor
  integrator ``odefun``; no Jacobian);
- EP's estimate X~_t = -lim (1/beta) dS^beta/dt on the nudged flow
  ds/dt = f(s) - beta dC/ds from s* (the paper's Eq 21 applied to the field);
- RBP as one would naively write it, Eq 13 with -H replaced by J:
  X_t = expm(J t) dC/ds;
- RBP with the correct adjoint J^T: X_t = expm(J^T t) dC/ds.

EP and naive RBP both follow J; the true gradient follows J^T. They agree
when J is symmetric (f = -dE/ds); otherwise the statements are not
applicable ("not a gradient map") and the discrepancy is reported.
"""

from __future__ import annotations

import dataclasses

import mpmath
import sympy as sp

from symbolic.discrete_compile import compile_discrete

from ..compare import compare_series, not_applicable
from ..extrapolate import plan as beta_plan
from ..numbers import matvec, vec_str
from ..precision import Precision
from ..result import Report
from ..routes.direct import Directional, directions_for
from . import fixed_point
from .check import asymmetry

RELAX_STEP = sp.Rational(1, 2)     # the Euler map s + h f(s) that finds s* (same fixed points)
#: each flow is integrated twice, at the working precision and at this many more digits (:func:`twice`)
CHECK_DIGITS = 5
DEFAULTS = {"times": ("0", "1/2", "1", "2"), "beta_method": "complex-step"}   # this check's (verify.config.resolve)


def _as_map(model, h=None):
    """The field itself (h None) or the Euler map s + h f(s), compiled as a discrete map."""
    exprs = list(model.field) if h is None else [x + h * f for x, f in zip(model.s, model.field)]
    return compile_discrete(dataclasses.replace(model, dynamics="discrete", field=exprs, field_section="field"))


def _flow(fn, s0, times):
    """S_t(s0) at ``times`` by mpmath.odefun (Taylor series at the current working precision)."""
    sol = mpmath.odefun(lambda t, y: fn(list(y)), 0, list(s0))
    return [list(sol(t)) if t > 0 else list(s0) for t in times]


def twice(prec: Precision, compute):
    """``compute()`` at ``prec`` and again at CHECK_DIGITS more digits (both results).

    odefun's own step control is not an error bound (its radius is capped, its
    degree fixed by the precision), so the integration's error is measured:
    the difference to the same integration at a higher precision.
    """
    with prec.context():
        first = compute()
    with prec.raised(CHECK_DIGITS).context():
        second = compute()
    return first, second


def _gap(a, b):
    """max |a - b| over two equally shaped lists of vectors."""
    return max((abs(x - y) for u, v in zip(a, b) for x, y in zip(u, v)), default=mpmath.mpf(0))


def routes(model, prec: Precision, times, beta_method, max_directions=64, seed=0):
    f = _as_map(model)
    theta = f.theta_values(prec.work)
    relax_map = _as_map(model, RELAX_STEP)
    fp = fixed_point.solve(relax_map, theta, prec, fixed_point.initial_state(model))
    s = fp.s
    J = f.JF(s, theta)
    g0 = f.dC_ds(s, theta)
    h = prec.complex_step
    dirs, full = directions_for(len(s), max_directions, seed)

    def direct_columns():
        return [[mpmath.im(f.cost(y, theta)) / h for y in
                 _flow(lambda y: f.F(y, theta), [mpmath.mpc(x, h * a) for x, a in zip(s, u)], times)]
                for u in dirs]

    cols, cols_check = twice(prec, direct_columns)
    direct_error = _gap(cols, cols_check)
    direct = Directional(dirs, [[c[k] for c in cols] for k in range(len(times))], full)
    bp = beta_plan(beta_method, prec.dps)
    hi = prec.raised(bp.extra_digits)
    with hi.context():
        s_hi = fixed_point.polish(relax_map, theta, s, hi)

    def nudged_rows():
        return [[-v / beta for y in _flow(lambda y, b=beta: f.nudged(y, theta, b), s_hi, times)
                 for v in f.nudged(y, theta, beta)] for beta in bp.betas]

    rows, rows_check = twice(hi, nudged_rows)
    with hi.context():
        flat, err = bp.combine(rows)
        ep_integration_error = _gap([flat], [bp.combine(rows_check)[0]])
    n = len(s)
    ep = [[mpmath.mpf(v) for v in flat[k * n:(k + 1) * n]] for k in range(len(times))]
    naive = [matvec(mpmath.expm(J * t), g0) for t in times]
    adjoint = [matvec(mpmath.expm(J.T * t), g0) for t in times]
    errors = {"extrapolation": err, "ep_integration": ep_integration_error, "direct_integration": direct_error}
    return fp, J, direct, ep, errors, bp.description, naive, adjoint


def check_field(model, *, dps=None, times=None, beta_method=None, seed=None, max_directions=None,
                environment=None, names=None) -> Report:
    """The paper's finite-time statements (Theorem 1 with J^T, Corollary 4) on a continuous [field] model.

    Settings through the one resolver (verify/config.py; ``names``: API or CLI), with this check's own
    defaults for the times and the beta method (odefun's cost grows with t; one nudged flow per beta).
    """
    from .. import config

    resolved = config.resolve(model, names=names or config.API, defaults=DEFAULTS, dps=dps, times=times,
                              beta_method=beta_method, seed=seed, max_directions=max_directions)
    dps, beta_method, times_exact = resolved.dps, resolved.beta_method, list(resolved.times)
    seed, max_directions = resolved.seed, resolved.max_directions
    prec = Precision(dps)
    names = model.state_names()
    with prec.context():
        tt = [mpmath.mpf(t.p) / t.q for t in times_exact]
        settings = {"dps": dps, "times": [mpmath.nstr(t, prec.work) for t in tt],
                    "times_exact": [str(t) for t in times_exact], "dynamics": "continuous", "map": "field",
                    "beta_method": beta_method, "backend": "mpmath odefun", "guard_digits": prec.guard,
                    "seed": seed, "max_directions": max_directions}
        try:
            fp, J, direct, ep, errors, plan_text, naive, adjoint = routes(model, prec, tt, beta_method,
                                                                          max_directions, seed)
        except fixed_point.FixedPointError as exc:
            checks = [not_applicable(cid, title, eqs, list(sides), f"no fixed point of the field: {exc}")
                      for cid, title, eqs, sides in STATEMENTS]
            return Report(model, settings, environment or {}, {"found": False, "reason": str(exc), "s": None,
                                                                "residual": None, "hessian_eigenvalues": None,
                                                                "asymmetry": None}, checks, {"times": settings["times"]})
        asym = asymmetry(J)
        symmetric = asym <= prec.rounding()
        scale = max(abs(v) for v in adjoint[0]) or mpmath.mpf(1)
        looser = f"difference to the integration at {CHECK_DIGITS} more digits"
        direct_terms = [(errors["direct_integration"], f"integrator (direct, {looser})")]
        ep_terms = [(errors["extrapolation"], "extrapolation (EP)"),
                    (errors["ep_integration"], f"integrator (EP, {looser})")]
        disc = _discrepancy(direct.project(ep), direct.values)
        naive_gap = max(r for _, r, _ in _discrepancy(direct.project(naive), direct.values))
        why = f"not a gradient map: asymmetry ||J - J^T||/||J|| = {mpmath.nstr(asym, 3)} at s* (J = df/ds); "
        reasons = {"field-ep": why + f"EP's X~ differs from the true gradient by up to "
                                     f"{mpmath.nstr(max(r for _, r, _ in disc), 3)} (relative)",
                   "field-rbp-naive": why + f"RBP with J in place of J^T differs from the true gradient by "
                                            f"up to {mpmath.nstr(naive_gap, 3)} (relative)"}
        dn = names if direct.full else [f"projection {i}" for i in range(len(direct.directions))]
        checks = []
        for cid, title, eqs, sides in STATEMENTS:
            sides = [x.replace("{beta}", plan_text) for x in sides]
            if cid == "field-rbp-adjoint":
                A = direct.project(adjoint)
            elif not symmetric:
                checks.append(not_applicable(cid, title, eqs, sides, reasons[cid]))
                continue
            else:
                A = direct.project(ep if cid == "field-ep" else naive)
            terms = direct_terms + (ep_terms if cid == "field-ep" else [])
            checks.append(compare_series(cid, title, eqs, sides,
                                         direct.values, A, tt, dn,
                                         dps=dps, error_terms=terms, scale_floor=scale))
        variants = []
        for v in VARIANTS:
            A = v.side(direct, ep, naive, adjoint, J, g0=adjoint[0], times=tt)
            applies = (symmetric or v.of == "field-rbp-adjoint") and (v.of == "field-ep" or max(tt) > 0)
            result = None if A is None or not applies else compare_series(
                v.id, f"FALSE VARIANT of {v.of}: {v.title}", [], list(v.compared), direct.values, A, tt, dn,
                dps=dps, error_terms=direct_terms + (ep_terms if v.of == "field-ep" else []), scale_floor=scale)
            variants.append((v, result))
        fixed = {"found": True, "s": vec_str(fp.s, prec.work), "residual": mpmath.nstr(fp.residual, 5),
                 "hessian_eigenvalues": None, "jacobian_eigenvalues": vec_str(fixed_point.eigenvalues(J), prec.work),
                 "asymmetry": mpmath.nstr(asym, 10), "method": "relaxation of s + f(s)/2 + newton",
                 "description": f"f(s*) = 0, residual {mpmath.nstr(fp.residual, 3)}"}
        values = {"times": settings["times"], "dL_ds": [vec_str(v, prec.work) for v in direct.values],
                  "X_tilde": [vec_str(v, prec.work) for v in ep], "X_rbp_J": [vec_str(v, prec.work) for v in naive],
                  "X_rbp_JT": [vec_str(v, prec.work) for v in adjoint],
                  "discrepancy": [{"time": settings["times"][k], "relative_error": mpmath.nstr(rel, 6),
                                   "cosine": None if cos is None else mpmath.nstr(cos, 12)} for k, rel, cos in disc]}
    report = Report(model, settings, environment or {}, fixed, checks, values)
    report.variants = variants      # the false variants on the same routes (eqprop-verify falsify)
    return report


def _discrepancy(ep, true):
    out = []
    for k, (a, b) in enumerate(zip(ep, true)):
        nb = mpmath.sqrt(mpmath.fsum(x * x for x in b))
        na = mpmath.sqrt(mpmath.fsum(x * x for x in a))
        diff = mpmath.sqrt(mpmath.fsum((x - y) ** 2 for x, y in zip(a, b)))
        rel = diff / nb if nb else (mpmath.mpf(0) if diff == 0 else mpmath.inf)
        out.append((k, rel, mpmath.fsum(x * y for x, y in zip(a, b)) / (na * nb) if na and nb else None))
    return out


STATEMENTS = (
    ("field-rbp-adjoint", "Theorem 1 for a field: dL_t/ds = expm(J^T t) dC/ds (the correct adjoint)", ["11", "13"],
     ("direct: dL_t/ds by complex step on the nonlinear flow of the field (odefun)",
      "RBP with J^T: expm(J^T t) dC/ds(s*)")),
    ("field-ep", "Corollary 4 for a field: dL_t/ds = X~_t = -lim 1/beta dS^beta/dt", ["21", "23"],
     ("direct: dL_t/ds by complex step on the nonlinear flow", "EP: nudged flow ds/dt = f - beta dC/ds, {beta}")),
    ("field-rbp-naive", "Eq 13 with -H replaced by J: dL_t/ds = expm(J t) dC/ds", ["13"],
     ("direct: dL_t/ds by complex step on the nonlinear flow", "RBP as naively written: expm(J t) dC/ds(s*)")),
)


@dataclasses.dataclass(frozen=True)
class FieldVariant:
    """A deliberately false variant of a field statement, computed from the same routes; must be rejected.

    ``side(direct, ep, naive, adjoint, J, g0, times)`` is the false side B (projected like the true one).
    It applies where its statement does and where it is false: some t > 0 (at t = 0 every side is dC/ds).
    """

    id: str
    of: str
    title: str
    compared: tuple
    side: object


def _adjoint_sign_flipped(direct, ep, naive, adjoint, J, g0, times):
    return direct.project([matvec(mpmath.expm(-J.T * t), g0) for t in times])


def _ep_sign_flipped(direct, ep, naive, adjoint, J, g0, times):
    return direct.project([[-x for x in row] for row in ep])


def _naive_time_doubled(direct, ep, naive, adjoint, J, g0, times):
    return direct.project([matvec(mpmath.expm(J * (2 * t)), g0) for t in times])


VARIANTS = (
    FieldVariant("field-rbp-adjoint-sign-flipped", "field-rbp-adjoint", "the adjoint with -J^T: expm(-J^T t) dC/ds",
                 ("direct dL_t/ds on the flow", "expm(-J^T t) dC/ds (wrong sign)"), _adjoint_sign_flipped),
    FieldVariant("field-ep-sign-flipped", "field-ep", "EP's X~ with the sign flipped",
                 ("direct dL_t/ds on the flow", "-X~_t (wrong sign)"), _ep_sign_flipped),
    FieldVariant("field-rbp-naive-time-doubled", "field-rbp-naive", "expm(J t) dC/ds read at time 2t",
                 ("direct dL_t/ds at t", "expm(2 J t) dC/ds (wrong time)"), _naive_time_doubled),
)
