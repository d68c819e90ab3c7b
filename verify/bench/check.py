"""Benchmarks of the whole check (issue 3, items b-d), each a ratio or a curve in one run.

(b) full check of paper-hopfield at dps 40 vs ONE mpmath.odefun solve of its nudged flow;
(c) full check time vs model size (s1 = s2 in {2, 4, 8, 16, 32}) with a fitted growth exponent;
(d) digits of X~ (EP route) vs number of nudged integrations, for each beta method.
"""

from __future__ import annotations

import math
import time

import mpmath

from symbolic.compile import compile_model
from symbolic.load import load_model
from symbolic.spec import load_model_text
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
        start = time.perf_counter()
        sol = mpmath.odefun(lambda t, s: compiled.extended_field(s, theta, b), 0, s0)
        sol(t_end)
        return time.perf_counter() - start


def bench_check_vs_odefun(backends, dps=40):
    model = load_model("paper-hopfield")
    baseline = odefun_nudged_solve(model, dps)
    rows = []
    for backend in backends:
        start = time.perf_counter()
        report = check(model, dps=dps, backend=backend)
        elapsed = time.perf_counter() - start
        rows.append({"backend": backend, "check_seconds": elapsed, "odefun_seconds": baseline,
                     "ratio": elapsed / baseline, "verdict": report.verdict,
                     "min_digits": min(c.digits for c in report.checks if c.applicable)})
    return rows


def bench_size(sizes, backend, dps=30):
    rows = []
    for k in sizes:
        model = load_model_text(paper_hopfield_text(s1=k, s2=k), f"<paper-hopfield s1=s2={k}>")
        start = time.perf_counter()
        report = check(model, dps=dps, backend=backend, times=["0", "1", "2"])
        rows.append({"size": k, "n": model.n, "p": model.p, "seconds": time.perf_counter() - start,
                     "verdict": report.verdict,
                     "min_digits": min(c.digits for c in report.checks if c.applicable)})
    xs = [math.log(r["n"]) for r in rows]
    ys = [math.log(r["seconds"]) for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return {"rows": rows, "exponent_in_n": slope}


#: plan sizes (points K, or N for the contour) per method; None: the method's own plan
PLAN_SIZES = {"richardson": range(2, 13, 2), "symmetric": range(1, 8), "contour": range(4, 33, 4),
              "complex-step": [None]}


def _custom_plans(precision):
    """Plans of increasing size for each method (the check's own plan is one of them)."""
    return {name: [method.plan(precision, size=k) for k in PLAN_SIZES.get(name, [None])]
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
            for p in plans:
                high = precision.raised(p.extra_digits)
                with high.context():
                    th = compiled.theta_values(high.work)
                    s0_hi, _ = refine(compiled, th, s0, precision=high)
                    res = ep.nudged_phase(compiled, flows, s0_hi, th, [mpmath.mpf(t)], p, precision=high)
                err = max(abs(a - b) for a, b in zip(res.X_tilde[0], X_ref)) / max(abs(x) for x in X_ref)
                rows.append({"method": method, "integrations": len(p.betas),
                             "digits": round(digits_of_agreement(err), 2)})
    return rows


def run(quick: bool = False, backends=None, sizes=None) -> dict:
    from ..ode import available_backends

    backends = backends or available_backends()
    sizes = sizes or ([2, 4, 8] if quick else [2, 4, 8, 16, 32])
    return {
        "check_vs_odefun": bench_check_vs_odefun(backends),
        "size": {b: bench_size(sizes, b) for b in backends},
        "beta_methods": bench_beta_methods(backends[0]),
    }
