"""A false variant that changes the dynamics: Corollary 4 (Eq 23) claimed for a non-gradient flow.

A skew-symmetric coupling gamma K (s - s_theta^0) is added to the field
(s_theta^0 stays a fixed point; the Jacobian -H + gamma K is no longer
symmetric). The ground truth is the derivative of the truncated objective on
that flow itself (the direct route), which follows the Jacobian's transpose;
EP's temporal derivative follows the Jacobian. Substituting the Jacobian for H
in the Cauchy problem would reproduce EP and hide the discrepancy, so it is
not used.
"""

from __future__ import annotations

import random

import mpmath
import sympy as sp

from ..compare import not_applicable
from ..flows import Flows
from ..ode import IntegrationError
from ..routes import direct, ep
from .record import Statement, direction_names


class NonGradient:
    """The model's compiled callables with gamma K (s - s0) added to the field (K skew-symmetric)."""

    def __init__(self, compiled, s0, gamma, seed):
        self._c = compiled
        self.n, self.p, self.model = compiled.n, compiled.p, compiled.model
        rng = random.Random(seed)
        n = compiled.n
        K = [[0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                K[i][j] = sp.Rational(rng.randint(1, 8), 8) * (1 if rng.random() < 0.5 else -1)
                K[j][i] = -K[i][j]
        if n == 1:
            raise ValueError("a one-dimensional state has no skew-symmetric coupling")
        self.K = [[gamma * k for k in row] for row in K]
        self.s0 = s0

    def __getattr__(self, name):
        return getattr(self._c, name)

    def extended_field(self, s, theta, beta=0):
        base = self._c.extended_field(s, theta, beta)
        d = [a - b for a, b in zip(s, self.s0)]
        return [f + mpmath.fsum(mpmath.mpf(k.p) / k.q * x for k, x in zip(row, d))
                for f, row in zip(base, self.K)]

    def displacement_field(self):
        field, D, params = self._c.displacement_field()
        return [f + sp.Add(*[k * d for k, d in zip(row, D)]) for f, row in zip(field, self.K)], D, params


def _non_gradient(rec, ev):
    # gamma ~ ||H|| / 2: the coupling is as strong as the gradient flow's own rates, on any time scale
    gamma = sp.Rational(mpmath.nstr(mpmath.mnorm(ev.cauchy.H, mpmath.inf), 3)) / 2
    ng = NonGradient(ev.compiled, ev.fixed_point.s, gamma, seed=7)
    flows = Flows(ng, ev.flows.backend)
    s0, theta = ev.fixed_point.s, ev.theta
    try:
        truth = direct.truncated_objective_gradient(ng, flows, s0, theta, ev.times, precision=ev.precision,
                                                    max_directions=min(ng.n, 16), seed=0,
                                                    first_order=True)   # s0 is its fixed point too
        with ev.ep.precision.context():
            ng.s0 = ev.ep.s0
            res = ep.nudged_phase(ng, flows, ev.ep.s0, ev.ep.theta, ev.times, ev.plan, precision=ev.ep.precision)
    except IntegrationError as exc:
        return not_applicable(rec.id, rec.result_title, list(rec.equations), rec.sides(ev),
                              f"integration of the non-gradient flow failed: {exc}")
    return rec.compare(ev, truth.X.values, truth.X.project(res.X_tilde), ev.times,
                       direction_names(truth.X, ev.names_s),
                       [(res.extrapolation_error_X, "extrapolation"), (res.integration_error, "integrator (EP)"),
                        (truth.error_estimate_X, "integrator (direct)")], scale_floor=ev.scale_floor_X)


RECORDS = [
    Statement("non-gradient", ("23",), "Eq 23 for a non-gradient flow (skew-symmetric coupling added)",
              ("direct dL/ds on the flow -dE/ds + gamma K (s - s0), K skew",
               "EP X~ on the same flow nudged by -beta dC/ds"),
              _non_gradient, needs=("ep", "direct"), order=9, of="corollary4",
              false_when=("several-states", "nonzero-X")),
]
