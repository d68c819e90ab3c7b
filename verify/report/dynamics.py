"""The report of a model of other dynamics (docs/discrete.md): discrete maps and continuous fields.

Data flow as for the paper's report (:mod:`.builder`): the check
(:func:`verify.discrete.check.check_other_dynamics`) -> the plots of
:mod:`.dynamics_plots` drawn from its evidence and values -> (for a model
with a scalar input ``alpha``) the asymmetry sweep, one check per alpha ->
index.html, report.md, report.json and the PNGs, written into a temporary
sibling and moved into place with a manifest (:mod:`.atomic`).
"""

from __future__ import annotations

import dataclasses
import shlex
import time

import mpmath
import sympy as sp

from ..result import dump_json
from . import dynamics_page, dynamics_plots
from .atomic import AtomicDirectory
from .bundle import Bundle

#: the input whose value sizes the skew part; a model that declares it gets the sweep
SWEEP_INPUT = "alpha"
SWEEP_FRACTIONS = (0, sp.Rational(1, 4), sp.Rational(1, 2), 1, 2)     # times the model's alpha
SWEEP_DEFAULT = (0, sp.Rational(1, 8), sp.Rational(1, 4), sp.Rational(1, 2))   # when the model's alpha is 0


@dataclasses.dataclass
class DynamicsBundle(Bundle):
    """A :class:`Bundle` for other dynamics: its own plots and sections, no proofs or audit."""

    plot_info: list = dataclasses.field(default_factory=list)   # (file name, title, caption)
    derivation: str | None = None                               # ``derive`` text (discrete models)
    sweep: dict | None = None
    check_command: str = ""

    def plot_list(self):
        return [(f, title, cap) for f, title, cap in self.plot_info if f in self.plots]


def _mp(rows):
    return [[float(mpmath.mpf(x)) for x in row] for row in rows]


def _errors(report) -> dict:
    """statement id -> (steps or times, max relative error at each, tolerance), from the comparisons."""
    out = {}
    for c in report.checks:
        if not c.applicable or not c.per_component or not c.per_component[1]:
            continue
        xs = [float(t) for t, _ in c.per_component[1]]
        out[c.id] = (xs, [float(max(row, default=0)) for _, row in c.per_component[1]], float(c.tolerance))
    return out


def discrete_plots(report):
    """(file name -> PNG, plot info) for a discrete map, drawn from the check's evidence."""
    ev = report.evidence
    if ev is None or ev.fixed_point is None:
        return {}, []
    U, K = ev.unrolled, ev.steps
    names = lambda d, all_names: list(all_names) if d.full else [f"projection {i}" for i in range(len(d.directions))]  # noqa: E731
    ks = list(range(K))
    truth_s = [[-x for x in row] for row in _mp(U.s.values[:K])]
    ep_s = _mp(U.s.project(ev.ep.delta_s))
    truth_p = ep_p = None
    if U.theta is not None:
        truth_p = [[-x for x in row] for row in _mp(U.theta.values)]
        ep_p = _mp(ev.ep.theta_side(U.theta, ev.ep.delta_theta))   # projected already on a large model
    errors = _errors(report)
    disc = report.values.get("discrepancy")
    if disc and "gdu-s" not in errors:
        errors["EP vs BPTT (no statement: not a gradient map)"] = (
            ks, [float(mpmath.mpf(d["relative_error"])) for d in disc], None)
    pngs = {"per_step.png": dynamics_plots.per_step(
        ks, truth_s, ep_s, names(U.s, ev.names_s), truth_p, ep_p,
        names(U.theta, ev.names_p) if U.theta is not None else [], errors, ev.prec.dps, bool(disc))}
    info = [("per_step.png", "BPTT against EP, step by step",
             "The GDU property (Ernoult et al. 2019, Theorem 1): EP's update of the second phase at step t, "
             "ΔEP_s(t) = lim (s^β_{t+1} − s^β_t)/β (circles), against BPTT's −∂L_t/∂s(s*) computed by complex step "
             "on the unrolled map (lines), per state component"
             + (", and the same for θ (ΔEP_θ against −∂_θ' C(F^t(F_θ'(s*))))" if truth_p else "")
             + ". Right: each statement's largest relative error per step beside its derived tolerance.")]
    if disc:
        pngs["discrepancy.png"] = dynamics_plots.discrepancy(
            ks, [float(mpmath.mpf(d["relative_error"])) for d in disc],
            [None if d["cosine"] is None else float(mpmath.mpf(d["cosine"])) for d in disc], "step $t$",
            float(mpmath.mpf(report.fixed_point["asymmetry"])))
        info.append(("discrepancy.png", "EP against the true gradient, per step",
                     "F is not a gradient map: EP's ΔEP_s(t) follows dF/ds where BPTT follows its transpose. The "
                     "relative error and 1 − cosine between them per step (values.discrepancy); at t = 0 both "
                     "read −∂C/∂s(s*)."))
    return pngs, info


def field_plots(report):
    """(file name -> PNG, plot info) for a continuous [field] model, from the check's values."""
    v = report.values
    if not report.fixed_point.get("found") or not v.get("dL_ds"):
        return {}, []
    ts = [float(mpmath.mpf(t)) for t in v["times"]]
    names = report.model.state_names()
    errors = _errors(report)
    if "field-ep" not in errors:
        errors["EP vs the true gradient (no statement: not a gradient field)"] = (
            ts, [float(mpmath.mpf(d["relative_error"])) for d in v["discrepancy"]], None)
    pngs = {"field_routes.png": dynamics_plots.field_routes(ts, _mp(v["dL_ds"]), _mp(v["X_tilde"]),
                                                            _mp(v["X_rbp_J"]), _mp(v["X_rbp_JT"]), names, errors,
                                                            int(report.settings["dps"]))}
    info = [("field_routes.png", "The true gradient against EP and RBP, per time",
             "Left: ∂L_t/∂s by complex step on the field's own flow (lines), EP's X̃_t from the nudged flow "
             "(circles), RBP's Eq 13 with −H replaced by J (×) and with the correct adjoint Jᵀ (+). They all agree "
             "for a gradient field; otherwise EP and naive RBP follow J, the true gradient Jᵀ. Right: each "
             "statement's largest relative error per time beside its derived tolerance.")]
    disc = v["discrepancy"]
    pngs["discrepancy.png"] = dynamics_plots.discrepancy(
        ts, [float(mpmath.mpf(d["relative_error"])) for d in disc],
        [None if d["cosine"] is None else float(mpmath.mpf(d["cosine"])) for d in disc], "$t$",
        float(mpmath.mpf(report.fixed_point["asymmetry"])))
    info.append(("discrepancy.png", "EP against the true gradient, per time",
                 "The relative error and 1 − cosine between EP's X̃_t and the true ∂L_t/∂s (values.discrepancy); at "
                 "rounding level for a gradient field, growing with the skew part otherwise."))
    return pngs, info


def _alpha_symbol(model):
    block = next((b for b in model.inputs if b.name == SWEEP_INPUT and b.shape == ()), None)
    return None if block is None else block.symbols()[0]


def asymmetry_sweep(model, check, progress, report=None) -> dict | None:
    """For a model with a scalar input ``alpha``: EP's discrepancy and the asymmetry at a ladder of alphas.

    ``report`` is the check of the model itself (its own alpha is not checked twice).
    """
    sym = _alpha_symbol(model)
    if sym is None:
        return None
    own = sp.Rational(model.data[sym])
    alphas = sorted({own * f for f in SWEEP_FRACTIONS} if own else set(SWEEP_DEFAULT) | {own})
    rows = []
    for a in alphas:
        progress(f"asymmetry sweep: alpha = {a}")
        r = report if a == own and report is not None else check(dataclasses.replace(model, data={**model.data, sym: a}))
        disc = r.values.get("discrepancy") or []
        ep = next((c for c in r.checks if c.id in ("field-ep", "gdu-s")), None)
        rows.append({"alpha": str(a), "asymmetry": r.fixed_point.get("asymmetry"),
                     "worst_relative_error": mpmath.nstr(max((mpmath.mpf(d["relative_error"]) for d in disc),
                                                             default=mpmath.mpf(0)), 6),
                     "min_cosine": min((d["cosine"] for d in disc if d["cosine"] is not None),
                                       key=lambda c: mpmath.mpf(c), default=None),
                     "ep_statement": None if ep is None else {"id": ep.id, "status": ep.status}})
    return {"input": SWEEP_INPUT, "model_alpha": str(own), "rows": rows}


def sweep_plot(sweep):
    rows = sweep["rows"]
    png = dynamics_plots.sweep([float(sp.Rational(r["alpha"])) for r in rows],
                               [float(mpmath.mpf(r["worst_relative_error"])) for r in rows],
                               [float(mpmath.mpf(r["asymmetry"] or 0)) for r in rows],
                               [(r["ep_statement"] or {}).get("status") for r in rows],
                               float(sp.Rational(sweep["model_alpha"])))
    return png, ("sweep.png", "Asymmetry sweep: EP's error against α",
                 f"The model re-checked with its input {sweep['input']} set to each α (same settings): the "
                 "asymmetry of the Jacobian at the fixed point and EP's largest relative error against the true "
                 "gradient over the steps or times. At α = 0 the dynamics are a gradient and EP is checked (PASS); "
                 "otherwise the EP statement is not applicable and its error is measured.")


def bridge_plot(bridge: dict):
    """The Euler bridge plot from ``values.bridge`` (a gradient-flow model's report run with --bridge)."""
    eps = [float(sp.Rational(e)) for e in bridge["eps"]]
    png = dynamics_plots.bridge(eps, [float(g) for g in bridge["gap_bptt"]], [float(g) for g in bridge["gap_ep"]],
                                bridge["order_bptt"], bridge["order_ep"], bridge["order_tolerance"])
    return png, ("bridge.png", "Euler bridge: discrete → continuous",
                 "For F = s − ε ∂E/∂s (one Euler step of Eq 1), at step k = t/ε, BPTT's ∂L_k/∂s → X_t (Eq 11–13) and "
                 f"ΔEP_s(k) → −X̃_t (Eq 21) as ε → 0; times t ∈ {{{', '.join(bridge['times'])}}}. The gaps are "
                 f"fitted to C ε^q over the finest {bridge['fit_rungs']} rungs: first order means q = 1.")


def commands(model_arg, out, s, screenshot) -> tuple[str, str]:
    """The ``report`` and ``check`` command lines that reproduce this report and its check."""
    common = ["--dps", str(s["dps"]), "--beta-method", s["beta_method"]]
    if s.get("seed") is not None:
        common += ["--seed", str(s["seed"])]
    if s.get("dynamics") == "discrete":
        common += ["--steps", str(s["steps"])]
    else:
        common += ["--times", ",".join(s["times_exact"])]
    if s.get("max_directions") not in (None, 64):
        common += ["--max-directions", str(s["max_directions"])]
    report = ["eqprop-verify", "report", str(model_arg), "--out", str(out), *common] + (["--screenshot"] if screenshot else [])
    return shlex.join(report), shlex.join(["eqprop-verify", "check", str(model_arg), *common])


def build_other(model, model_arg, out, *, dps=None, times=None, steps=None, beta_method=None, seed=None,
                max_directions=None, screenshot=False, say=lambda *a, **k: None, started=None):
    """Check a discrete or field model and write its report directory; returns (bundle, files, out dir)."""
    from ..discrete.check import check_other_dynamics
    from ..pipeline import environment

    started = started or time.perf_counter()
    timings = {}

    def check(m):
        return check_other_dynamics(m, dps=dps, times=times, steps=steps, beta_method=beta_method, seed=seed,
                                    max_directions=max_directions, environment=environment())

    with AtomicDirectory(out) as target:
        clock = time.perf_counter()
        say("check")
        report = check(model)
        timings["report: check"] = time.perf_counter() - clock
        target.write("report.json", dump_json(report) + "\n")
        clock = time.perf_counter()
        say("plots")
        pngs, info = discrete_plots(report) if model.dynamics == "discrete" else field_plots(report)
        sweep = asymmetry_sweep(model, check, say, report)
        if sweep:
            png, entry = sweep_plot(sweep)
            pngs["sweep.png"] = png
            info.append(entry)
            target.write("sweep.json", dump_sweep(sweep))
        for name, data in pngs.items():
            target.write(name, data)
        timings["report: plots"] = time.perf_counter() - clock
        derivation = None
        if model.dynamics == "discrete":
            from symbolic.discrete_display import render_discrete

            derivation = render_discrete(model, "text")
        say("writing")
        command, check_cmd = commands(model_arg, out, report.settings, screenshot)
        bundle = DynamicsBundle(report, None, pngs, [], [], None, None, command, str(model_arg), timings,
                                plot_info=info, derivation=derivation, sweep=sweep, check_command=check_cmd)
        timings["report: total"] = time.perf_counter() - started
        target.write("report.md", dynamics_page.markdown(bundle))
        target.write("index.html", dynamics_page.html(bundle))
        if screenshot:
            from .browser import screenshot as take

            say("screenshot")
            take(target.path("index.html"), target.path("screenshot.png"))
        files = target.files()
        target.commit()
    return bundle, files, target.target


def dump_sweep(sweep: dict) -> str:
    import json

    return json.dumps({"schema": "eqprop-verify/asymmetry-sweep/1", **sweep}, indent=2) + "\n"
