"""Discrete GDU check vs size: a 3-layer energy-step model with N units per layer (issue 13's benchmark).

    python bench/bench_discrete.py [N ...] [--dps D] [--steps K]

Prints, per N: state and parameter counts, the time to derive and compile
the map (sympy, per component), the time of each route, and the check's
digits. Ratios within one process; no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import time

from symbolic.discrete_compile import compile_discrete
from symbolic.spec import load_model_text
from verify.discrete.check import check_discrete


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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[2, 4, 8, 16])
    ap.add_argument("--dps", type=int, default=30)
    ap.add_argument("--steps", type=int, default=4)
    args = ap.parse_args(argv)
    print(f"{'N':>4s} {'n':>5s} {'p':>6s} {'compile s':>10s} {'fixed pt':>9s} {'adjoint':>8s} {'unrolled':>9s} "
          f"{'EP':>7s} {'total s':>8s} {'min digits':>10s}")
    for n in args.sizes:
        t0 = time.perf_counter()
        model = load_model_text(layered(n, args.steps), f"<layered-{n}>")
        cm = compile_discrete(model)
        _ = cm.F, cm.JF, cm.dF_dtheta, cm.nudged, cm.dPhi_dtheta, cm.F_numpy
        t_compile = time.perf_counter() - t0
        r = check_discrete(model, dps=args.dps, compiled=cm)
        tm = r.timings
        digits = min((c.digits for c in r.checks if c.digits is not None), default=None)
        print(f"{n:4d} {model.n:5d} {model.p:6d} {t_compile:10.2f} {tm.get('fixed_point', 0):9.2f} "
              f"{tm.get('adjoint', 0):8.2f} {tm.get('unrolled', 0):9.2f} {tm.get('ep', 0):7.2f} "
              f"{t_compile + tm['total']:8.2f} {digits!s:>10s}  {r.verdict}")


if __name__ == "__main__":
    main()
