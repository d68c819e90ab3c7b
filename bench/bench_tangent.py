"""The direct route (Eq 15-16) with full and with first-order (tangent) jets, CPU seconds in one process.

    python bench/bench_tangent.py [--dps 40] [--sizes 4 16]

For each built-in at its own times (and paper-hopfield with s1 = s2 = K for each K of --sizes, times 0 1 2):
the fixed point, then truncated_objective_gradient with first_order=False and =True, each
timed (CPU), their ratio, and the agreement of X_t and Y_t in digits (relative to each
time's largest entry).
"""

from __future__ import annotations

import argparse
import time

import mpmath
import sympy as sp

from symbolic.compile import compile_model
from symbolic.load import BUILTINS, load_model
from symbolic.spec import load_model_text
from symbolic.zoo import paper_hopfield_text
from verify.fixed_point import free_fixed_point
from verify.flows import Flows
from verify.precision import Precision
from verify.routes import direct


def _digits(a_rows, b_rows):
    worst = mpmath.mpf(0)
    for a, b in zip(a_rows, b_rows):
        scale = max(abs(v) for v in a) or mpmath.mpf(1)
        worst = max(worst, max(abs(x - y) for x, y in zip(a, b)) / scale)
    return float(-mpmath.log10(worst)) if worst else float("inf")


def run(label, model, dps, times):
    precision = Precision(dps)
    compiled = compile_model(model)
    theta = compiled.theta_values(precision.work)
    with precision.context():
        s0 = free_fixed_point(compiled, theta, precision=precision).s
        flows = Flows(compiled, "mpmath")
        _ = flows.nudged, flows.complex_step          # compile both flavors outside the timing
        ts = [mpmath.mpf(sp.Rational(t).p) / sp.Rational(t).q for t in times]
        out, cpu = {}, {}
        for first_order in (False, True):
            t0 = time.process_time()
            out[first_order] = direct.truncated_objective_gradient(compiled, flows, s0, theta, ts,
                                                                   precision=precision, first_order=first_order)
            cpu[first_order] = time.process_time() - t0
        digits = min(_digits(getattr(out[False], b).values, getattr(out[True], b).values) for b in ("X", "Y"))
    print(f"{label:28s} n={compiled.n:3d} full {cpu[False]:7.3f} s  first-order {cpu[True]:7.3f} s  "
          f"ratio {cpu[False] / max(cpu[True], 1e-9):5.2f}  X,Y agree to {digits:5.1f} digits")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dps", type=int, default=40)
    ap.add_argument("--sizes", type=int, nargs="*", default=[4, 16])
    args = ap.parse_args(argv)
    for name in BUILTINS:
        model = load_model(name)
        run(f"{name}@{args.dps}", model, args.dps, [str(t) for t in model.settings.get("times", [0, 1, 2])])
    for k in args.sizes:
        run(f"paper-hopfield {k}x{k}@{args.dps}", load_model_text(paper_hopfield_text(s1=k, s2=k), f"<hop {k}>"),
            args.dps, ["0", "1", "2"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
