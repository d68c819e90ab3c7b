"""The flows the routes integrate, compiled once per model and backend.

- the nudged flow Eq 18 (beta = 0: the free flow Eq 1) for the displacement
  D = S - s_base, so that tiny displacements keep all their digits;
- the Cauchy problem Eq 13-14 as a linear ODE with H and M as parameters (on the
  mpmath backend by the linear jet engine of :mod:`verify.ode.linear`).
"""

from __future__ import annotations

from functools import cached_property

import sympy as sp

from .ode import make_system, resolve_backend
from .ode.system import CauchySystem


class Flows:
    """ODE systems of one compiled model, for one integrator backend."""

    def __init__(self, compiled, backend: str = "auto"):
        self.compiled = compiled
        self.backend = backend
        self.n, self.p = compiled.n, compiled.p

    @cached_property
    def nudged(self):
        """dD/dt = -dE^beta/ds(s_base + D) (Eq 18); parameters s_base, theta, beta."""
        field, D, params = self.compiled.displacement_field()
        return make_system(field, D, params, backend=self.backend)

    @cached_property
    def complex_step(self):
        """The same flow with first-order jets (mpmath backend), for complex-step solves from s_theta^0.

        Only the direct route (Eq 15-16) uses it: its solves start at the fixed
        point with an O(h) imaginary shift, where the dropped products of two
        increments are below the complex step's own error (see
        :mod:`verify.routes.direct`).  The EP route's nudged solves are real at
        finite beta and keep the full recurrences (:attr:`nudged`).
        """
        return self.nudged.first_order()

    def solve_nudged(self, s_base, theta, beta, times, *, dps, D0=None, first_order=False, numbers="mpmath"):
        """S^beta(s_base + D0, t) - s_base at ``times`` (a Trajectory of displacements).

        ``first_order=True``: by :attr:`complex_step` (a complex-step solve next to a fixed point only).
        ``numbers="gmpy2"``: the displacements as gmpy2 numbers (:meth:`verify.ode.system.System.solve`).
        """
        D0 = [0] * self.n if D0 is None else D0
        system = self.complex_step if first_order else self.nudged
        return system.solve(D0, list(s_base) + list(theta) + [beta], times, dps=dps, numbers=numbers)

    @cached_property
    def cauchy(self):
        """dX/dt = -H X (Eq 13), dY/dt = -M X (Eq 14); parameters H, M (row-major).

        The mpmath backend integrates it by the linear jet engine (no sympy: the compiled field
        would have n (n + p) parameters); another backend compiles it as any field.
        """
        n, p = self.n, self.p
        if resolve_backend(self.backend) == "mpmath":
            return CauchySystem(n, p)
        X = [sp.Symbol(f"X_{i}", real=True) for i in range(n)]
        Y = [sp.Symbol(f"Y_{k}", real=True) for k in range(p)]
        H = [[sp.Symbol(f"H_{i}_{j}", real=True) for j in range(n)] for i in range(n)]
        M = [[sp.Symbol(f"M_{k}_{j}", real=True) for j in range(n)] for k in range(p)]
        field = [-sp.Add(*[H[i][j] * X[j] for j in range(n)]) for i in range(n)]
        field += [-sp.Add(*[M[k][j] * X[j] for j in range(n)]) for k in range(p)]
        params = [h for row in H for h in row] + [m for row in M for m in row]
        return make_system(field, X + Y, params, backend=self.backend)

    def solve_cauchy(self, H, M, X0, Y0, times, *, dps):
        """(X_t, Y_t) of Eq 11-14 by integrating the linear ODE."""
        params = [H[i, j] for i in range(H.rows) for j in range(H.cols)]
        params += [M[k, j] for k in range(M.rows) for j in range(M.cols)]
        return self.cauchy.solve(list(X0) + list(Y0), params, times, dps=dps)
