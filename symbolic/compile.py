"""Derived expressions -> numeric callables: the only bridge from sympy to numbers.

Every callable takes flat sequences ``s`` (n), ``theta`` (p) and, where it
applies, ``beta``; mpmath callables work on mpf and mpc alike (complex-step
differentiation feeds them complex numbers) at the caller's precision, and
share common subexpressions (``sympy.lambdify(..., cse=True)``); the
nudged field and dE^beta/dtheta also carry a gmpy2 form (``.gmpy2``, for the
EP route's many readouts, :func:`symbolic.numeric_glue.gmpy2_form`). numpy
callables are for float64 previews (relaxation before Newton).
"""

from __future__ import annotations

from functools import cached_property

import mpmath
import sympy as sp

from . import flint_linalg
from .derive import BETA, Derivation
from .functions import mpmath_modules, numpy_modules, to_elementary
from .model import Model
from .numeric_glue import matrix_callable, vector_callable

MPMATH_MODULES = mpmath_modules()


class Compiled:
    """Mpmath (and numpy) callables for the objects of a :class:`Derivation`."""

    def __init__(self, derivation: Derivation):
        self.derivation = derivation
        self.model: Model = derivation.model
        self.n, self.p = self.model.n, self.model.p
        self._args = list(self.model.s) + list(self.model.theta) + [BETA]
        # lambdify sees fixed-name symbols: with the model's own names it substitutes Dummy
        # symbols, whose process-global numbering reorders the printed sums (hence their
        # rounding) from one compilation of the same model to the next
        self._plain = {a: sp.Symbol(f"arg_{i}", **a.assumptions0) for i, a in enumerate(self._args)}
        self._eigenvalues = None   # (key, eigenvalues) of the last hessian_eigenvalues

    def _concrete(self, expr):
        if isinstance(expr, sp.Number):     # most entries of M and H at size are 0: nothing to substitute
            return expr
        return self.model.concrete(expr)

    def _vector(self, exprs, modules=None, gmpy2_too=False):
        return vector_callable(self._args, [self._concrete(e) for e in exprs], self.n, modules or MPMATH_MODULES,
                               gmpy2_too)

    def _matrix(self, mat):
        return matrix_callable(self._args, sp.Matrix(mat).applyfunc(self._concrete), self.n, MPMATH_MODULES)

    # scalars ---------------------------------------------------------------
    @cached_property
    def energy(self):
        """E_theta(s) (Eq 4 for the paper's example)."""
        f = self._vector([self.model.energy])
        return lambda s, theta: f(s, theta)[0]

    @cached_property
    def cost(self):
        """C_theta(s) (Eq 8 for the paper's example)."""
        f = self._vector([self.model.cost])
        return lambda s, theta: f(s, theta)[0]

    # vectors -----------------------------------------------------------------
    @cached_property
    def dE_ds(self):
        return self._vector(self.derivation.dE_ds)

    @cached_property
    def dC_ds(self):
        """X_0 of Eq 11 when evaluated at s_theta^0."""
        return self._vector(self.derivation.dC_ds)

    @cached_property
    def dE_dtheta(self):
        return self._vector(self.derivation.dE_dtheta)

    @cached_property
    def dC_dtheta(self):
        """Y_0 of Eq 12 when evaluated at s_theta^0."""
        return self._vector(self.derivation.dC_dtheta)

    @cached_property
    def dEbeta_dtheta(self):
        """dE^beta/dtheta = dE/dtheta + beta dC/dtheta (Eq 20, 22, 24); ``.gmpy2`` its gmpy2 form (EP readouts)."""
        return self._vector(self.derivation.dEbeta_dtheta, gmpy2_too=True)

    @cached_property
    def extended_field(self):
        """-dE^beta/ds (Eq 18); beta = 0 gives the free field (Eq 1); ``.gmpy2`` its gmpy2 form (EP readouts)."""
        return self._vector(self.derivation.extended_field, gmpy2_too=True)

    # matrices ----------------------------------------------------------------
    @cached_property
    def H(self):  # noqa: N802
        """d^2E/ds^2 (Eq 13), an n x n mpmath matrix."""
        return self._matrix(self.derivation.H)

    @cached_property
    def M(self):  # noqa: N802
        """d^2E/(dtheta ds) (Eq 14), a p x n mpmath matrix."""
        return self._matrix(self.derivation.M)

    @cached_property
    def cost_hessian(self):
        """d^2C/ds^2, an n x n mpmath matrix."""
        return self._matrix(sp.hessian(self.model.cost, self.model.s))

    def hessian_eigenvalues(self, s, theta) -> list:
        """The eigenvalues of H(s) (Eq 13), ascending, at the current precision (:func:`flint_linalg.eigsy`, O(n^3)).

        The last answer is kept: the fixed point's classification, the analyticity radius and
        the RBP route's time scale all ask for those of H(s_theta^0).
        """
        key = (tuple(s), tuple(theta), mpmath.mp.prec)
        if self._eigenvalues is None or self._eigenvalues[0] != key:
            self._eigenvalues = (key, sorted(flint_linalg.eigsy(self.H(s, theta), eigvals_only=True)))
        return list(self._eigenvalues[1])

    def extended_hessian(self, s, theta, beta=0):
        """d^2E^beta/ds^2 = H + beta d^2C/ds^2, for Newton's method on nudged fixed points (Eq 19)."""
        return self.H(s, theta) + beta * self.cost_hessian(s, theta)

    # float64 previews ---------------------------------------------------------
    @cached_property
    def extended_field_numpy(self):
        exprs = [self._concrete(e).xreplace(self._plain) for e in self.derivation.extended_field]
        fn = sp.lambdify(list(self._plain.values()), exprs, modules=numpy_modules(), cse=True)
        return lambda s, theta, beta=0.0: fn(*s, *theta, beta)

    # exact parameter values -----------------------------------------------------
    def theta_values(self, dps: int):
        """theta as mpmath numbers for a caller working at ``dps`` digits (exact rationals rounded once)."""
        return [mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q if v.is_Rational
                else mpmath.mpmathify(sp.N(v, dps + 10)) for v in self.model.theta_values]

    # fields for the Taylor integrator (elementary functions only) ------------------
    def displacement_field(self):
        """The nudged field (Eq 18) for the displacement D = s - s_base.

        Returns ``(field, D, parameters)``: ``field[i]`` is
        -dE^beta/ds_i(s_base + D) in elementary functions, ``parameters`` is
        ``s_base + theta + [beta]``. Integrating D from 0 keeps every digit of
        a small displacement (no cancellation against s_base).
        """
        D = [sp.Symbol(f"D_{i}", real=True) for i in range(self.n)]
        base = [sp.Symbol(f"sbase_{i}", real=True) for i in range(self.n)]
        subs = {s: b + d for s, b, d in zip(self.model.s, base, D)}
        field = [to_elementary(self._concrete(e)).xreplace(subs)
                 for e in self.derivation.extended_field]
        return field, D, base + list(self.model.theta) + [BETA]


def compile_model(model_or_derivation) -> Compiled:
    """Compile a Model (or its Derivation) into numeric callables."""
    if isinstance(model_or_derivation, Model):
        model_or_derivation = Derivation(model_or_derivation)
    return Compiled(model_or_derivation)
