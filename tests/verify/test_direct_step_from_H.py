"""The direct route's complex step h may shrink with H's unstable growth e^(|lambda_-| t_max)
(verify/routes/direct.py ``growth``): H only chooses the step, so a wrong growth (as from a grossly
wrong H) changes h, not dL/ds or dL/dtheta (Eq 15, 16), on a strict minimum where no growth is due."""

from __future__ import annotations

import mpmath

from symbolic.compile import compile_model
from symbolic.load import load_model
from verify.fixed_point import free_fixed_point
from verify.flows import Flows
from verify.precision import Precision
from verify.routes import direct


def test_a_wrong_growth_changes_the_step_not_the_derivatives():
    compiled = compile_model(load_model("paper-hopfield"))
    precision = Precision(30)
    with precision.context():
        theta = compiled.theta_values(precision.work)
        s0 = free_fixed_point(compiled, theta, precision=precision).s
        flows = Flows(compiled, "mpmath")
        times = [mpmath.mpf(0), mpmath.mpf(2)]
        runs = [direct.truncated_objective_gradient(compiled, flows, s0, theta, times, precision=precision,
                                                    first_order=True, growth=g)
                for g in (1, mpmath.mpf(10) ** 40)]
        assert abs(runs[1].h * mpmath.mpf(10) ** 40 / runs[0].h - 1) < precision.eps * 10
    for a, b in ((runs[0].X, runs[1].X), (runs[0].Y, runs[1].Y)):
        for row_a, row_b in zip(a.values, b.values):
            size = max(abs(x) for x in row_a) or 1
            assert max(abs(x - y) for x, y in zip(row_a, row_b)) <= mpmath.mpf(10) ** -(precision.dps + 5) * size
