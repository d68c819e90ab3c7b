"""Benchmarks of the whole check (issues 3 and 11), each a ratio or a curve in one run.

(b) full check of paper-hopfield at dps 40 vs ONE mpmath.odefun solve of its nudged flow;
(c) full check time vs model size (s1 = s2 in {2, 4, 8, 16, 32}, n = 6 to 66) with a fitted growth exponent;
(d) digits of X~ (EP route) vs number of nudged integrations, for each beta method;
(e) the stiff, long model ``bench/models/stiff-logcosh.toml`` (quadratic + log-cosh, Hessian
    eigenvalues 0.01 / 1 / 100, times up to 50) at dps 40 and 60, against the baseline check.

Times are CPU seconds of this process (``time.process_time``): the machines running
this share their cores, and a ratio must not depend on the load.  :func:`targets`
puts every ratio of issue 11 beside its target.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import mpmath

from symbolic.compile import compile_model
from symbolic.load import load_model
from symbolic.spec import load_model_file, load_model_text
from symbolic.zoo import paper_hopfield_text

from ..extrapolate import METHODS
from ..fixed_point import free_fixed_point, refine
from ..flows import Flows
from ..numbers import digits_of_agreement
from ..precision import Precision
from ..routes import ep, rbp
from ..theorems import check


def odefun_nudged_solve(model, dps=40, beta="1e-3", t_end=5):
    """Seconds for one mpmath.odefun solve of the nudged flow Eq 18 from s_theta^0 to t_end."""
    compiled = compile_model(model)
    precision = Precision(dps, guard=0)
    with precision.context():
        theta = compiled.theta_values(precision.work)
        s0 = free_fixed_point(compiled, theta, precision=precision).s
        b = mpmath.mpf(beta)
        start = time.process_time()
        sol = mpmath.odefun(lambda t, s: compiled.extended_field(s, theta, b), 0, s0)
        sol(t_end)
        return time.process_time() - start


def bench_check_vs_odefun(backends, dps=40):
    model = load_model("paper-hopfield")
    baseline = odefun_nudged_solve(model, dps)
    rows = []
    for backend in backends:
        start = time.process_time()
        report = check(model, dps=dps, backend=backend)
        elapsed = time.process_time() - start
        rows.append({"backend": backend, "check_seconds": elapsed, "odefun_seconds": baseline,
                     "ratio": elapsed / baseline, "verdict": report.verdict,
                     "min_digits": min(c.digits for c in report.checks if c.applicable)})
    return rows


def bench_size(sizes, backend, dps=30):
    rows = []
    for k in sizes:
        model = load_model_text(paper_hopfield_text(s1=k, s2=k), f"<paper-hopfield s1=s2={k}>")
        start = time.process_time()
        report = check(model, dps=dps, backend=backend, times=["0", "1", "2"])
        rows.append({"size": k, "n": model.n, "p": model.p, "seconds": time.process_time() - start,
                     "verdict": report.verdict,
                     "min_digits": min(c.digits for c in report.checks if c.applicable)})
    if len(rows) < 2:
        return {"rows": rows, "exponent_in_n": None}
    xs = [math.log(r["n"]) for r in rows]
    ys = [math.log(r["seconds"]) for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return {"rows": rows, "exponent_in_n": slope}


#: plan sizes (points K, or N for the contour) per method; None: the method's own plan
PLAN_SIZES = {"richardson": [*range(2, 13, 2), None], "symmetric": [*range(1, 8), None], "contour": [*range(4, 33, 4), None],
              "complex-step": [None]}


def _custom_plans(precision):
    """Plans of increasing size for each method (forced sizes start at beta_0 = 1e-3), and the check's own plan."""
    return {name: [(method.plan(precision, size=k), k is None) for k in PLAN_SIZES.get(name, [None])]
            for name, method in METHODS.items()}


def bench_beta_methods(backend, dps=40, t="1"):
    model = load_model("paper-hopfield")
    compiled = compile_model(model)
    flows = Flows(compiled, backend)
    rows = []
    precision = Precision(dps)
    with precision.context():
        theta = compiled.theta_values(precision.work)
        s0 = free_fixed_point(compiled, theta, precision=precision).s
        X_ref = rbp.closed_form(rbp.cauchy_data(compiled, s0, theta), [mpmath.mpf(t)])[0][0]
        for method, plans in _custom_plans(precision).items():
            for p, own in plans:
                high = precision.raised(p.extra_digits)
                with high.context():
                    th = compiled.theta_values(high.work)
                    s0_hi, _ = refine(compiled, th, s0, precision=high)
                    res = ep.nudged_phase(compiled, flows, s0_hi, th, [mpmath.mpf(t)], p, precision=high)
                err = max(abs(a - b) for a, b in zip(res.X_tilde[0], X_ref)) / max(abs(x) for x in X_ref)
                rows.append({"method": method, "integrations": len(p.betas),
                             "digits": round(digits_of_agreement(err), 2), "plan": p.description,
                             "own_plan": own})
    return rows


#: the stiff, long model of issue 11 (a model file, as a researcher would bring it)
STIFF_MODEL = Path(__file__).resolve().parents[2] / "bench" / "models" / "stiff-logcosh.toml"


def bench_stiff(backend, dps_list=(40, 60)):
    """CPU seconds and digits of the whole check of the stiff model at each dps."""
    model = load_model_file(STIFF_MODEL)
    rows = []
    for dps in dps_list:
        start = time.process_time()
        report = check(model, dps=dps, backend=backend)
        rows.append({"backend": backend, "dps": dps, "seconds": time.process_time() - start,
                     "verdict": report.verdict,
                     "min_digits": min(c.digits for c in report.checks if c.applicable)})
    return rows


#: issue 11's targets: (key, what, bound, "<=" or ">=")
TARGETS = [
    ("baseline_vs_odefun", "baseline check / one odefun nudged solve (paper-hopfield, dps 40)", 0.2, "<="),
    ("stiff_vs_baseline", "stiff check / baseline check (dps 40)", 5.0, "<="),
    ("growth_exponent", "check time ~ n^e, n = 6 .. 66", 2.0, "<="),
    ("n66_seconds", "check of n = 66, seconds", 180.0, "<="),
]


def targets(results: dict, backend: str = "mpmath") -> list[dict]:
    """Every ratio of issue 11 with its target, from one run's results (``backend``'s rows)."""
    base = next((r for r in results.get("check_vs_odefun", []) if r["backend"] == backend), None)
    stiff = next((r for r in results.get("stiff", []) if r["backend"] == backend and r["dps"] == 40), None)
    size = results.get("size", {}).get(backend)
    n66 = next((r for r in size["rows"] if r["n"] == 66), None) if size else None
    values = {"baseline_vs_odefun": base and base["ratio"],
              "stiff_vs_baseline": stiff and base and stiff["seconds"] / base["check_seconds"],
              "growth_exponent": size and size["rows"][0]["n"] == 6 and n66 and size["exponent_in_n"],
              "n66_seconds": n66 and n66["seconds"]}
    out = []
    for key, what, bound, sense in TARGETS:
        v = values[key] or None
        met = None if v is None else (v <= bound if sense == "<=" else v >= bound)
        out.append({"key": key, "what": what, "backend": backend, "value": v,
                    "target": f"{sense} {bound:g}", "met": met})
    return out


def run(quick: bool = False, backends=None, sizes=None) -> dict:
    from ..ode import available_backends

    backends = backends or available_backends()
    sizes = sizes or ([2, 4, 8] if quick else [2, 4, 8, 16, 32])
    results = {
        "check_vs_odefun": bench_check_vs_odefun(backends),
        "stiff": [row for b in backends for row in bench_stiff(b, (40,) if quick else (40, 60))],
        "size": {b: bench_size(sizes, b) for b in backends},
        "beta_methods": bench_beta_methods(backends[0]),
    }
    results["targets"] = [t for b in backends for t in targets(results, b)]
    return results
