"""A discrete model's derived objects -> mpmath callables (flat s, theta, and beta).

The same bridge as :mod:`symbolic.compile` (``sympy.lambdify`` with common
subexpressions, mpmath modules that accept mpc, so complex-step
differentiation and complex beta go through).
"""

from __future__ import annotations

from functools import cached_property

import mpmath
import sympy as sp

from .compile import MPMATH_MODULES
from .functions import numpy_modules
from .derive import BETA
from .discrete import DiscreteDerivation


class DiscreteCompiled:
    """mpmath callables for F, the nudged map, dC/ds, dPhi/dtheta, dF/ds and dF/dtheta."""

    def __init__(self, derivation: DiscreteDerivation):
        self.d = derivation
        self.model = derivation.model
        self.n, self.p = self.model.n, self.model.p
        self._args = list(self.model.s) + list(self.model.theta) + [BETA]

    def _vector(self, exprs, modules=None):
        exprs = [self.model.concrete(sp.sympify(e)) for e in exprs]
        fn = sp.lambdify(self._args, exprs, modules=modules or MPMATH_MODULES, cse=True)
        n = self.n

        def call(s, theta, beta=0):
            if len(s) != n:
                raise ValueError(f"expected {n} state values, got {len(s)}")
            return list(fn(*s, *theta, beta))

        return call

    def _matrix(self, mat):
        rows, cols = mat.shape
        flat = self._vector(list(mat))

        def call(s, theta):
            values = flat(s, theta)
            return mpmath.matrix([values[i * cols:(i + 1) * cols] for i in range(rows)])

        return call

    @cached_property
    def F(self):  # noqa: N802
        """The free map F(s) (theta may be complex: complex step in theta)."""
        f = self._vector(self.d.F)
        return lambda s, theta: f(s, theta)

    @cached_property
    def nudged(self):
        """F(s) - beta dC/ds(s)."""
        return self._vector(self.d.nudged)

    @cached_property
    def cost(self):
        f = self._vector([self.model.cost])
        return lambda s, theta: f(s, theta)[0]

    @cached_property
    def dC_ds(self):
        return self._vector(self.d.dC_ds)

    @cached_property
    def dC_dtheta(self):
        return self._vector(self.d.dC_dtheta)

    @cached_property
    def dPhi_dtheta(self):
        return None if self.d.dPhi_dtheta is None else self._vector(self.d.dPhi_dtheta)

    @cached_property
    def JF(self):  # noqa: N802
        """dF/ds as an n x n mpmath matrix."""
        return self._matrix(self.d.JF)

    @cached_property
    def dF_dtheta(self):
        """dF/dtheta as an n x p mpmath matrix."""
        return self._matrix(self.d.dF_dtheta)

    @cached_property
    def F_numpy(self):
        """F in float64, for the relaxation that precedes Newton's method."""
        exprs = [self.model.concrete(sp.sympify(e)) for e in self.d.F]
        fn = sp.lambdify(self._args, exprs, modules=numpy_modules(), cse=True)
        return lambda s, theta: fn(*s, *theta, 0.0)

    def theta_values(self, digits: int):
        """theta at ``digits`` decimal digits (exact rationals rounded once)."""
        return [mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q if v.is_Rational
                else mpmath.mpmathify(sp.N(v, digits + 10)) for v in self.model.theta_values]


def compile_discrete(model) -> DiscreteCompiled:
    return DiscreteCompiled(DiscreteDerivation(model))
