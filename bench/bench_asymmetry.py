"""EP vs the true gradient as a map or field departs from a gradient: W_sym + alpha W_skew (issue 13, item 4).

    python bench/bench_asymmetry.py [--dps D] [--alphas 0,0.05,...]

For each alpha: the discrete map F(h) = tanh(h)/2 + (W_sym + alpha W_skew) h/4 + U x
(a gradient map at alpha = 0) and the continuous field of tests/discrete/models/field-pair.toml
with its skew input alpha. Prints the asymmetry ||J - J^T||/||J|| at the fixed point, EP's
worst relative error against the true gradient over the steps/times and the smallest
cosine, and the EP statement's status (PASS at alpha = 0, N/A "not a gradient map" otherwise).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import mpmath

from symbolic.spec import load_model_text
from verify.discrete.check import check_discrete
from verify.discrete.continuous_field import check_field

DISCRETE = """name = "skewed-sigma"
[state]
h = 3
[params]
W = [3, 3]
U = [3, 2]
[inputs]
x = [0.5, -0.3]
alpha = {alpha}
S = [[0, 1, -0.5], [-1, 0, 0.7], [0.5, -0.7, 0]]
[targets]
y = [0.2, 0.7, 0.4]
[update]
h = "tanh(h)/2 + (W + alpha*S)*h/4 + U*x"
[model]
cost = "(y - h).T*(y - h)/2"
[values]
W = [[0.0, 0.6, -0.4], [0.6, 0.0, 0.5], [-0.4, 0.5, 0.0]]
U = [[0.8, -0.2], [0.3, 0.9], [-0.5, 0.4]]
[settings]
dynamics = "discrete"
steps = 6
"""
FIELD = (Path(__file__).resolve().parents[1] / "tests" / "discrete" / "models" / "field-pair.toml").read_text()


def summary(report):
    disc = report.values["discrepancy"]
    rel = max(mpmath.mpf(d["relative_error"]) for d in disc)
    cos = min(mpmath.mpf(d["cosine"]) for d in disc if d["cosine"] is not None)
    ep = next(c for c in report.checks if c.id in ("gdu-s", "field-ep"))
    return mpmath.mpf(report.fixed_point["asymmetry"]), rel, cos, f"{ep.id}: {ep.status}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dps", type=int, default=20)
    ap.add_argument("--alphas", default="0,0.05,0.1,0.2,0.4")
    args = ap.parse_args(argv)
    print(f"{'alpha':>6s}  {'dynamics':10s} {'asymmetry':>10s} {'EP rel. error':>14s} {'min cosine':>11s}  EP statement")
    for alpha in args.alphas.split(","):
        d = check_discrete(load_model_text(DISCRETE.format(alpha=f'"{alpha}"'), "skewed"), dps=args.dps)
        c = check_field(load_model_text(FIELD.replace("alpha = 0\n", f'alpha = "{alpha}"\n'), "field-pair"),
                        dps=args.dps, times=["0", "1/2", "1", "2"])
        for name, r in (("discrete", d), ("continuous", c)):
            asym, rel, cos, verdict = summary(r)
            print(f"{alpha:>6s}  {name:10s} {mpmath.nstr(asym, 3):>10s} {mpmath.nstr(rel, 3):>14s} "
                  f"{mpmath.nstr(cos, 8):>11s}  {verdict}")


if __name__ == "__main__":
    main()
