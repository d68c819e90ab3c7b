"""A discrete model's derived objects -> mpmath callables (flat s, theta, and beta).

Two forms, chosen by :func:`compile_discrete`:

- by blocks (:class:`symbolic.discrete_blocks.BlockCompiled`): when Phi (the
  ``primitive``, or |s|^2/2 - step*E) and the cost are written in the model
  file's vector/matrix form, F = dPhi/ds, J v and dPhi/dtheta are matrix
  operations on whole blocks (a 3-layer model with 200 units per layer);
- per component (:class:`DiscreteCompiled`): sympy derives one expression per
  entry of F, dF/ds, dF/dtheta, ... and lambdifies them (the glue shared with
  :mod:`symbolic.compile`); every model has this form, ``[update]`` maps only it.

Both accept mpc (complex-step differentiation, complex beta).
"""

from __future__ import annotations

from functools import cached_property

import mpmath
import sympy as sp

from . import limits
from .block_form import NotBlockForm, cost_tree, primitive_tree
from .compile import MPMATH_MODULES
from .derive import BETA
from .discrete import DiscreteDerivation
from .errors import SpecError
from .functions import numpy_modules
from .numeric_glue import matrix_callable, vector_callable

FORMS = ("auto", "blocks", "components")


class DiscreteCompiled:
    """mpmath callables for F, the nudged map, dC/ds, dPhi/dtheta, dF/ds and dF/dtheta, per component."""

    matrix_free = False
    form = "components"

    def __init__(self, derivation: DiscreteDerivation):
        self.d = derivation
        self.model = derivation.model
        self.n, self.p = self.model.n, self.model.p
        self._args = list(self.model.s) + list(self.model.theta) + [BETA]

    def _concrete(self, exprs):
        return [self.model.concrete(sp.sympify(e)) for e in exprs]

    def _vector(self, exprs, modules=None):
        return vector_callable(self._args, self._concrete(exprs), self.n, modules or MPMATH_MODULES)

    def _matrix(self, mat):
        return matrix_callable(self._args, sp.Matrix(mat).applyfunc(self.model.concrete), self.n, MPMATH_MODULES)

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
        f = self._matrix(self.d.JF)
        return lambda s, theta: f(s, theta)

    @cached_property
    def dF_dtheta(self):
        """dF/dtheta as an n x p mpmath matrix."""
        f = self._matrix(self.d.dF_dtheta)
        return lambda s, theta: f(s, theta)

    @cached_property
    def F_numpy(self):
        """F in float64, for the relaxation that precedes Newton's method."""
        f = vector_callable(self._args, self._concrete(self.d.F), self.n, numpy_modules())
        return lambda s, theta: f(s, theta, 0.0)

    def theta_values(self, digits: int):
        return exact_theta(self.model, digits)


def exact_theta(model, digits: int) -> list:
    """theta at ``digits`` decimal digits (exact rationals rounded once)."""
    return [mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q if v.is_Rational
            else mpmath.mpmathify(sp.N(v, digits + 10)) for v in model.theta_values]


def block_trees(model):
    """(Phi, C) as block trees, or NotBlockForm with the reason (an [update] map, a power of a block, ...)."""
    return primitive_tree(model), cost_tree(model)


def compile_discrete(model, form: str = "auto"):
    """The model's map compiled by blocks when its Phi and C are written by blocks, else per component.

    ``form`` forces one ("blocks" raises NotBlockForm when there is none).
    The per-component form of a model too large to derive is refused with
    the limit's message (exit 2), as the gradient flow's is at load.
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}, got {form!r}")
    if form != "components":
        try:
            phi, cost = block_trees(model)
        except NotBlockForm:
            if form == "blocks":
                raise
        else:
            from .discrete_blocks import BlockCompiled

            return BlockCompiled(model, phi, cost)
    check_component_cost(model)
    return DiscreteCompiled(DiscreteDerivation(model))


def check_component_cost(model) -> None:
    """Refuse (SpecError on ``state``, exit 2) a discrete model too large to derive per component."""
    try:
        limits.check_cost(model.n, model.p)
    except limits.LimitError as exc:
        raise SpecError(model.source, "state", f"{exc} (the per-component form; a model written by blocks, "
                        "as vectors and matrices, is checked by blocks)") from None
