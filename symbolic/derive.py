"""The paper's objects specialised to a model (Eq 1, 2, 11-14, 17-20, 21-24).

All derivatives are exact sympy derivatives of the model's E and C with
respect to the flattened state ``s`` and parameters ``theta``; user functions
stay abstract (rho, rho') so the result reads like the paper.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

import sympy as sp

from .model import Model

BETA = sp.Symbol("beta", real=True)
T = sp.Symbol("t", nonnegative=True)


def require_gradient_flow(model: Model) -> None:
    """SpecError unless ``model`` is the paper's gradient flow of an energy (Eq 1)."""
    if not model.is_gradient_flow:
        from .errors import SpecError

        what = "discrete dynamics" if model.dynamics == "discrete" else "a [field] without an energy"
        raise SpecError(model.source, "settings.dynamics" if model.dynamics == "discrete" else "field",
                        f"the paper's objects need the gradient flow of an energy, and this model has {what}; "
                        + ("`eqprop-verify check` and `derive` handle discrete models (the GDU statements)"
                           if model.dynamics == "discrete" else
                           "`eqprop-verify check` and `report` handle [field] models (the field statements)"))


def _gradient(expr, symbols, memo: dict | None = None) -> list:
    """[d expr / d x for x in symbols], differentiating only the terms of the sum that contain x.

    The same expressions as ``sp.diff(expr, x)`` (which differentiates every term and drops the
    zeros), without visiting the whole energy once per variable: O(size) instead of
    O(size x (n + p)): 16 s for dE/dtheta at n = 66, p = 1,152; for H and M (one call per row of
    dE/ds) it also skips the entries that are 0 without building a Derivative. ``memo`` keeps
    the derivative of each factor (rho(s_i) -> rho'(s_i) recurs in many terms and entries).
    """
    memo = {} if memo is None else memo
    terms = expr.args if isinstance(expr, sp.Add) else (expr,)
    wanted = set(symbols)
    having: dict = {x: [] for x in symbols}
    for term in terms:
        for x in term.free_symbols & wanted:
            having[x].append(term)
    out = []
    for x in symbols:
        if not having[x]:
            out.append(sp.S.Zero)
            continue
        total = sp.Add(*having[x])
        if isinstance(total, sp.Add):
            out.append(sp.Add(*[_term_derivative(t, x, memo) for t in total.args]))
        else:
            out.append(_term_derivative(total, x, memo))
    return out


def _term_derivative(term, x, memo: dict):
    """``sp.diff(term, x)`` for one term of a sum, as sympy's Leibniz rule (``Mul._eval_derivative_n_times``)
    builds it: for each factor f_i, the product with f_i replaced by df_i/dx (each df_i/dx from
    ``memo``, else ``sp.diff``), summed."""
    if not isinstance(term, sp.Mul):
        return _factor_derivative(term, x, memo)
    args = term.args
    parts = []
    for i, factor in enumerate(args):
        d = _factor_derivative(factor, x, memo)
        if d != 0:
            parts.append(1 * sp.Mul(*(args[:i] + (d,) + args[i + 1:])))
    return sp.Add(*parts)


def _factor_derivative(factor, x, memo: dict):
    key = (factor, x)
    if key not in memo:
        memo[key] = sp.diff(factor, x)
    return memo[key]


@dataclasses.dataclass(frozen=True)
class Derived:
    """One derived object: its name, the equations it comes from, its value."""

    name: str
    equations: tuple[str, ...]
    description: str
    value: object


class Derivation:
    """Derived expressions of the paper for one :class:`Model`.

    Shapes: ``dE_ds``, ``dC_ds``, ``field`` are n x 1; ``dE_dtheta``,
    ``dC_dtheta`` are p x 1; ``H`` is n x n (Eq 13), ``M`` is p x n, the
    matrix d^2E/(dtheta ds) of Eq 14 so that dY/dt = -M X.
    """

    def __init__(self, model: Model):
        require_gradient_flow(model)
        self.model = model
        self.s = sp.Matrix(model.s)
        self.theta = sp.Matrix(model.theta)
        self.beta = BETA
        self._memo: dict = {}      # d factor / d x, shared by the gradients and the second derivatives

    # gradients ------------------------------------------------------------
    @cached_property
    def dE_ds(self) -> sp.Matrix:
        """dE/ds, the gradient whose zero is the fixed point (Eq 2)."""
        return sp.Matrix(_gradient(self.model.energy, self.model.s, self._memo))

    @cached_property
    def dC_ds(self) -> sp.Matrix:
        """dC/ds: X_0 of the Cauchy problem (Eq 11) at the fixed point."""
        return sp.Matrix(_gradient(self.model.cost, self.model.s, self._memo))

    @cached_property
    def dE_dtheta(self) -> sp.Matrix:
        """dE/dtheta, measured at the free and nudged states in EP (Eq 20, 24)."""
        return sp.Matrix(_gradient(self.model.energy, self.model.theta, self._memo))

    @cached_property
    def dC_dtheta(self) -> sp.Matrix:
        """dC/dtheta: Y_0 of the Cauchy problem (Eq 12)."""
        return sp.Matrix(_gradient(self.model.cost, self.model.theta, self._memo))

    @cached_property
    def field(self) -> sp.Matrix:
        """The free dynamics ds/dt = -dE/ds (Eq 1)."""
        return -self.dE_ds

    @cached_property
    def extended_energy(self) -> sp.Expr:
        """E^beta = E + beta C (Eq 17)."""
        return self.model.energy + BETA * self.model.cost

    @cached_property
    def extended_field(self) -> sp.Matrix:
        """The extended (nudged) dynamics ds/dt = -dE^beta/ds (Eq 18)."""
        return -(self.dE_ds + BETA * self.dC_ds)

    @cached_property
    def dEbeta_dtheta(self) -> sp.Matrix:
        """dE^beta/dtheta = dE/dtheta + beta dC/dtheta (Eq 20, 22, 24)."""
        return self.dE_dtheta + BETA * self.dC_dtheta

    # second derivatives -----------------------------------------------------
    @cached_property
    def H(self) -> sp.Matrix:  # noqa: N802 - the paper's Hessian
        """H = d^2E/ds^2, the matrix of Eq 13 (evaluated at s_theta^0)."""
        rows = [_gradient(g, self.model.s, self._memo) for g in self.dE_ds]
        return sp.Matrix(self.model.n, self.model.n, lambda i, j: rows[i][j])

    @cached_property
    def M(self) -> sp.Matrix:  # noqa: N802
        """M = d^2E/(dtheta ds), p x n, the matrix of Eq 14."""
        columns = [_gradient(g, self.model.theta, self._memo) for g in self.dE_ds]
        return sp.Matrix(self.model.p, self.model.n, lambda k, j: columns[j][k])

    # the paper's statements, as symbolic objects ---------------------------------
    def objects(self) -> list[Derived]:
        """Every derived object with its equation numbers, in the paper's order."""
        X = sp.MatrixSymbol("X_t", self.model.n, 1)
        return [
            Derived("free_dynamics", ("1",), "ds/dt = -dE/ds(s)", self.field),
            Derived("fixed_point_condition", ("2",), "dE/ds(s_theta^0) = 0", self.dE_ds),
            Derived("extended_energy", ("17",), "E^beta = E + beta C", self.extended_energy),
            Derived("extended_dynamics", ("18",), "ds/dt = -dE/ds(s) - beta dC/ds(s)",
                    self.extended_field),
            Derived("nudged_fixed_point_condition", ("19",), "dE/ds + beta dC/ds = 0 at s_theta^beta",
                    self.dE_ds + BETA * self.dC_ds),
            Derived("cauchy_X0", ("11",), "X_0 = dC/ds(s_theta^0)", self.dC_ds),
            Derived("cauchy_Y0", ("12",), "Y_0 = dC/dtheta(s_theta^0)", self.dC_dtheta),
            Derived("cauchy_dX", ("13",), "dX_t/dt = -H(s_theta^0) X_t", -self.H * X),
            Derived("cauchy_dY", ("14",), "dY_t/dt = -M(s_theta^0) X_t", -self.M * X),
            # H and M are the matrices of Eq 13 and 14, not equations of their own
            Derived("hessian", (), "H = d^2E/ds^2, the matrix of Eq 13", self.H),
            Derived("mixed_hessian", (), "M = d^2E/dtheta ds, the matrix of Eq 14", self.M),
            Derived("ep_gradient", ("20",),
                    "dJ/dtheta = lim 1/beta (dE^beta/dtheta(s_theta^beta) - dE/dtheta(s_theta^0))",
                    self.dEbeta_dtheta),
            Derived("ep_truncated", ("24",),
                    "dL/dtheta(theta, s_theta^0, t) = lim 1/beta (dE^beta/dtheta(S^beta(s_theta^0, t)) - dE/dtheta(s_theta^0))",
                    self.dEbeta_dtheta),
            Derived("ep_temporal_derivative", ("21", "23"),
                    "dL/ds(theta, s_theta^0, t) = -lim 1/beta dS^beta/dt(s_theta^0, t)",
                    self.extended_field),
        ]

    # concrete (user function bodies substituted) forms, for compilation ---------
    def concrete(self, expr):
        return self.model.concrete(expr)


def derive(model: Model) -> Derivation:
    """The :class:`Derivation` of ``model``."""
    return Derivation(model)
