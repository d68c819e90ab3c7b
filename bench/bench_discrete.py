"""Discrete GDU check vs size: a 3-layer energy-step model with N units per layer (issue 13's benchmark).

    python bench/bench_discrete.py [N ...] [--dps D] [--steps K] [--form auto|blocks|components]
                                   [--max-directions M] [--kernels]

Prints, per N: state and parameter counts, the CPU time (time.process_time:
the machine is shared) to load the model file, to compile the map (by
blocks, or per component with sympy), and of each route, the total and the
check's smallest digits; then the growth exponent a of total ~ N^a fitted
over all the sizes and over the largest three (least squares on logs). ``--kernels`` first times one
200 x 200 matrix-vector product at the working precision four ways
(mpmath.matrix, a numpy object array of mpf, exact integers as
symbolic.exact_matmul does, python-flint's arb_mat as symbolic.block_flint
does; the check uses flint when it is installed). Ratios within one process; no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import math
import random
import time

import mpmath
import numpy as np

from symbolic.block_flint import flint_backend
from symbolic.discrete_compile import compile_discrete
from symbolic.exact_matmul import matmul, pin
from symbolic.spec import load_model_text
from verify.discrete import check as discrete_check
from verify.discrete.check import check_discrete

clock = discrete_check.CLOCK = time.process_time


def layered(n: int, steps: int) -> str:
    return f"""name = "layered-{n}"
[state]
s0 = {n}
s1 = {n}
s2 = {n}
[params]
W01 = [{n}, {n}]
W12 = [{n}, {n}]
W2x = [{n}, 2]
[inputs]
x = [0.5, -1]
[targets]
y = [{", ".join("0.5" for _ in range(n))}]
[functions]
rho = "sigmoid"
[model]
energy = "(s0.T*s0 + s1.T*s1 + s2.T*s2)/2 - rho(s0).T*W01*rho(s1) - rho(s1).T*W12*rho(s2) - rho(s2).T*W2x*x"
cost = "(y - s0).T*(y - s0)/2"
[values]
seed = 1
scale = "{1 / n}"
[settings]
dynamics = "discrete"
step = "1/2"
steps = {steps}
"""


def kernels(dps: int, n: int = 200, reps: int = 3):
    """CPU seconds of one n x n matrix-vector product at ``dps`` + 10 digits, three or four ways."""
    rng = random.Random(1)
    with mpmath.workdps(dps + 10):
        W = [[mpmath.mpf(rng.uniform(-1, 1)) for _ in range(n)] for _ in range(n)]
        v = [mpmath.mpf(rng.uniform(-1, 1)) for _ in range(n)]
        M, V = mpmath.matrix(W), mpmath.matrix(v)
        A, x = np.array(W, dtype=object), np.array(v, dtype=object).reshape(n, 1)
        t0 = clock()
        matmul(A, x)
        first = clock() - t0
        pin(A)
        ways = {"mpmath.matrix": lambda: M * V, "numpy object mpf": lambda: A.dot(x),
                "exact integers": lambda: matmul(A, x)}
        if flint_backend() is not None:        # python-flint's arb_mat (symbolic/block_flint.py)
            be = flint_backend()
            Af, xf = be.block(A.reshape(-1), A.shape), be.block(x.reshape(-1), x.shape)
            be.pin(Af)
            ways["flint arb_mat"] = lambda: be.mm(Af, xf)
        for name, f in ways.items():
            t0 = clock()
            for _ in range(reps):
                f()
            print(f"  {n}x{n} matvec, {name:17s} {(clock() - t0) / reps * 1e3:8.2f} ms")
        print(f"  (exact integers: a product that also converts the matrix: {first * 1e3:.2f} ms; "
              "the check converts each weight matrix once, symbolic.exact_matmul.pin)")


def fit_exponent(sizes, times) -> float | None:
    pts = [(math.log(n), math.log(t)) for n, t in zip(sizes, times) if t > 0]
    if len(pts) < 2:
        return None
    mx, my = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return sum((a - mx) * (b - my) for a, b in pts) / sum((a - mx) ** 2 for a, _ in pts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[8, 25, 50, 100, 200])
    ap.add_argument("--dps", type=int, default=30)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--form", default="auto", choices=["auto", "blocks", "components"])
    ap.add_argument("--max-directions", type=int, default=64)
    ap.add_argument("--kernels", action="store_true")
    args = ap.parse_args(argv)
    if args.kernels:
        kernels(args.dps)
    print(f"{'N':>4s} {'n':>5s} {'p':>6s} {'form':>13s} {'load':>6s} {'compile':>8s} {'fixed pt':>9s} "
          f"{'adjoint':>8s} {'unrolled':>9s} {'EP':>7s} {'total':>7s} {'min digits':>10s}   (CPU seconds)")
    totals = []
    for n in args.sizes:
        t0 = clock()
        model = load_model_text(layered(n, args.steps), f"<layered-{n}>")
        t_load = clock() - t0
        t0 = clock()
        cm = compile_discrete(model, args.form)
        if cm.form == "components":
            _ = cm.F, cm.JF, cm.dF_dtheta, cm.nudged, cm.dPhi_dtheta, cm.F_numpy
        t_compile = clock() - t0
        t0 = clock()
        r = check_discrete(model, dps=args.dps, compiled=cm, max_directions=args.max_directions)
        t_check = clock() - t0
        tm = r.timings
        total = t_load + t_compile + t_check
        totals.append(total)
        digits = min((c.digits for c in r.checks if c.digits is not None), default=None)
        print(f"{n:4d} {model.n:5d} {model.p:6d} {cm.form + '/' + getattr(cm, 'kernel', 'sympy'):>13s} {t_load:6.2f} {t_compile:8.2f} "
              f"{tm.get('fixed_point', 0):9.2f} {tm.get('adjoint', 0):8.2f} {tm.get('unrolled', 0):9.2f} "
              f"{tm.get('ep', 0):7.2f} {total:7.2f} {digits!s:>10s}   {r.verdict}", flush=True)
    for first in sorted({0, max(0, len(totals) - 3)}):
        a = fit_exponent(args.sizes[first:], totals[first:])
        if a is not None:
            print(f"growth: total CPU time ~ N^{a:.2f} over N = {', '.join(map(str, args.sizes[first:]))}")


if __name__ == "__main__":
    main()
