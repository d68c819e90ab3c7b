"""Benchmark: the Taylor integrator (verify.ode) against mpmath.odefun at equal accuracy.

Problem: the paper's Hopfield network (``paper-hopfield``), free flow (Eq 1,
beta = 0) and nudged flow (Eq 18, beta = 1/2), from s = 0 to t = 5, at dps 30
and 50.  Every solver is compared with a reference solution computed at
dps + 20 (our mpmath backend with a 10**-(dps+20) tolerance) and its correct
digits are reported; the speed ratios are odefun time / backend time, all
measured in this one process as CPU time (``time.process_time``: the ratio
must not depend on other jobs sharing the cores), best of ``repeats`` runs
each (compilation excluded and reported apart).

Run ``eqprop-verify bench --only integrator`` or ``python bench/bench_integrator.py [--quick]``; prints a table and writes
``reports/bench/integrator.json``.  ``run(quick)`` returns the same dict.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import mpmath
import sympy as sp

from symbolic import BETA, derive, load_model
from symbolic.functions import to_elementary
from verify.ode import BACKEND_NAMES, available_backends, make_system

T_END = 5
TARGETS = {"mpmath": 50, "heyoka": 300}
OUT = Path("reports") / "bench" / "integrator.json"


def _problem():
    model = load_model("paper-hopfield")
    d = derive(model)
    field = [to_elementary(model.concrete(e)) for e in d.extended_field]
    return model, field, model.theta + [BETA]


def _best_time(fn, repeats):
    """Best CPU time of ``repeats`` calls (and the last result).

    CPU time of this process (``time.process_time``), not wall time: the
    machines running this share their cores with other jobs, and the ratios
    must not depend on the load.
    """
    best = float("inf")
    out = None
    for _ in range(repeats):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


#: digits at which the error of a solution is measured (above every benchmarked dps: subtraction is exact)
DIGITS_OF_ERRORS = 100


def _digits(state, ref) -> float:
    """Correct digits of ``state``: -log10(max |state - ref| / max |ref|)."""
    with mpmath.workdps(DIGITS_OF_ERRORS):
        err = max(abs(a - b) for a, b in zip(state, ref))
        scale = max(abs(b) for b in ref)
        if err == 0:
            return float("inf")
        return float(-mpmath.log10(err / scale))


def _odefun_solver(field, model, params, values):
    """mpmath.odefun on the field lambdified with cse (a fair, fast field evaluation)."""
    subs = dict(zip(params, values))
    f = sp.lambdify(model.s, [fi.subs(subs) for fi in field], modules="mpmath", cse=True)

    def solve(dps):
        with mpmath.workdps(dps):
            sol = mpmath.odefun(lambda t, s: f(*s), 0, [mpmath.mpf(0)] * model.n)
            return [+v for v in sol(T_END)]
    return solve


def run(quick: bool = False, backends=None) -> dict:
    """Time odefun and each backend on the Hopfield flows; the result as a dict (see module doc)."""
    model, field, params = _problem()
    dps_list = [30] if quick else [30, 50]
    repeats = 3 if quick else 5
    odefun_repeats = 1 if quick else 2
    flows = {"free": 0, "nudged": sp.Rational(1, 2)}
    backends = [b for b in BACKEND_NAMES if b in (backends or available_backends())]

    t0 = time.perf_counter()
    systems = {"mpmath": make_system(field, model.s, params, backend="mpmath")}
    compile_times = {"mpmath": time.perf_counter() - t0}
    t0 = time.perf_counter()
    systems["mpmath (mpmath numbers)"] = make_system(field, model.s, params, backend="mpmath",
                                                     numbers="mpmath")
    compile_times["mpmath (mpmath numbers)"] = time.perf_counter() - t0
    if "heyoka" in backends:
        t0 = time.perf_counter()
        systems["heyoka"] = make_system(field, model.s, params, backend="heyoka")
        compile_times["heyoka"] = time.perf_counter() - t0  # heyoka JIT: per dps, below
    rows = []
    for flow, beta in flows.items():
        values = model.theta_values + [beta]
        odefun = _odefun_solver(field, model, params, values)
        y0 = [0] * model.n
        for dps in dps_list:
            ref = systems["mpmath"].solve(y0, values, [T_END], dps=dps + 20).states[0]
            t_ode, y_ode = _best_time(lambda: odefun(dps), odefun_repeats)
            row = {"flow": flow, "beta": str(beta), "dps": dps, "t_end": T_END,
                   "odefun": {"seconds": t_ode, "digits": _digits(y_ode, ref),
                              "repeats": odefun_repeats}}
            for name, sysm in systems.items():
                jit = 0.0
                if name == "heyoka":  # first solve at this dps compiles the integrator
                    t0 = time.process_time()
                    sysm.solve(y0, values, [T_END], dps=dps)
                    jit = time.process_time() - t0
                t, traj = _best_time(lambda: sysm.solve(y0, values, [T_END], dps=dps), repeats)
                row[name] = {"seconds": t, "digits": _digits(traj.states[0], ref),
                             "ratio_vs_odefun": t_ode / t, "steps": traj.steps,
                             "order": traj.order, "repeats": repeats,
                             "error_estimate": mpmath.nstr(traj.error_estimate, 3),
                             "first_solve_seconds": jit or None}
            rows.append(row)
    # complex-step solves (imaginary perturbation 1e-30 of one state), no odefun
    complex_rows = []
    values = model.theta_values + [0]
    with mpmath.workdps(60):
        y0c = [mpmath.mpc(0, 1) * mpmath.mpf(10) ** -30 if i == 0 else 0
               for i in range(model.n)]
    for dps in dps_list:
        entry = {"dps": dps}
        for name in [b for b in BACKEND_NAMES if b in systems]:
            systems[name].solve(y0c, values, [T_END], dps=dps)  # compile (heyoka)
            t, traj = _best_time(lambda: systems[name].solve(y0c, values, [T_END], dps=dps),
                                 repeats)
            entry[name] = {"seconds": t, "steps": traj.steps}
        complex_rows.append(entry)
    return {
        "schema": "eqprop-verify/bench-integrator/1",
        "problem": "paper-hopfield flows from s=0 to t=5 (free: beta=0, nudged: beta=1/2)",
        "quick": quick,
        "targets_ratio_vs_odefun": TARGETS,
        "compile_seconds": compile_times,
        "rows": rows,
        "complex_step": complex_rows,
        "environment": {"python": platform.python_version(), "mpmath": mpmath.__version__,
                        "mpmath_backend": mpmath.libmp.BACKEND, "machine": platform.machine(),
                        "cpus": os.cpu_count(),
                        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None},
    }


def format_table(result: dict) -> str:
    """The benchmark as a text table."""
    names = [k for k in ("mpmath", "mpmath (mpmath numbers)", "heyoka")
             if result["rows"] and k in result["rows"][0]]
    lines = [f"{'flow':7s} {'dps':>3s}  {'solver':24s} {'cpu s':>9s} {'digits':>7s} "
             f"{'x odefun':>9s} {'target':>7s}  steps"]
    for row in result["rows"]:
        o = row["odefun"]
        lines.append(f"{row['flow']:7s} {row['dps']:3d}  {'mpmath.odefun':24s} "
                     f"{o['seconds']:9.4f} {o['digits']:7.1f} {1:9.0f}")
        for name in names:
            r = row[name]
            target = TARGETS.get(name)
            ok = ""
            if target is not None:
                ok = f"{target:>5d} {'ok' if r['ratio_vs_odefun'] >= target else 'MISS'}"
            lines.append(f"{'':7s} {'':3s}  {name:24s} {r['seconds']:9.4f} {r['digits']:7.1f} "
                         f"{r['ratio_vs_odefun']:9.1f} {ok:>7s}  {r['steps']}")
    for entry in result["complex_step"]:
        parts = ", ".join(f"{k} {v['seconds'] * 1e3:.1f} ms" for k, v in entry.items()
                          if k != "dps")
        lines.append(f"complex-step solve, dps {entry['dps']}: {parts}")
    lines.append("compile: " + ", ".join(f"{k} {v:.2f} s"
                                         for k, v in result["compile_seconds"].items()))
    return "\n".join(lines)


def write_json(result: dict, path: Path = OUT) -> Path:
    """Write ``result`` to ``path`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".integrator-", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(result, fh, indent=2, default=str)
        fh.write("\n")
    os.replace(tmp, path)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="dps 30 only, fewer repeats")
    parser.add_argument("--out", type=Path, default=OUT, help=f"JSON output (default {OUT})")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    print(format_table(result))
    print(f"wrote {write_json(result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


summary = format_table
