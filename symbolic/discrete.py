"""Discrete-time dynamics s_{t+1} = F(s_t) and the objects of the GDU property.

Ernoult, Grollier, Querlioz, Bengio, Scellier (2019), Theorem 1: with
s* = F(s*) the free fixed point, the nudged sequence
s^b_0 = s*, s^b_{t+1} = F(s^b_t) - b dC/ds(s^b_t) and L_t(theta, s) = C(F^t(s)),

- DeltaEP_s(t)     = lim (s^b_{t+1} - s^b_t)/b                             = -dL_t/ds(s*)
- DeltaEP_theta(t) = lim (dPhi/dtheta(s^b_{t+1}) - dPhi/dtheta(s^b_t))/b   = -(dL_t/ds)(s*) dF/dtheta(s*)

(the discrete counterparts of the paper's Eq 21 and Eq 22), and BPTT computes
the right-hand sides by the adjoint recursion g_0 = dC/ds(s*),
g_{t+1} = (dF/ds)^T g_t. The proof needs dF/ds symmetric: F = dPhi/ds is a
gradient map. A ``[field]``/``[update]`` model gives F directly; then the
asymmetric part (dF/ds - dF/ds^T)/2 is what separates EP from BPTT.

The map comes from (DESIGN.md, "Dynamics other than the gradient flow"):
``primitive`` Phi: F = dPhi/ds; ``energy`` + ``step``: Phi = |s|^2/2 - step*E,
F = s - step dE/ds (one Euler step of Eq 1); ``[update]``: F as written.
"""

from __future__ import annotations

from functools import cached_property

import sympy as sp

from .derive import BETA
from .model import Model


class DiscreteDerivation:
    """The map F, its Jacobian, the nudged map and the EP/BPTT objects of one discrete model."""

    def __init__(self, model: Model):
        if model.dynamics != "discrete":
            raise ValueError(f"model {model.name!r} has {model.dynamics} dynamics, not discrete")
        self.model = model
        self.s = list(model.s)
        self.theta = list(model.theta)
        self.kind = ("primitive" if model.primitive is not None else "field" if model.field is not None
                     else "energy-step")

    @cached_property
    def step(self):
        return self.model.settings.get("step")

    @cached_property
    def Phi(self):  # noqa: N802
        """The primitive function: as written, or |s|^2/2 - step*E; None for an [update] map."""
        if self.kind == "primitive":
            return self.model.primitive
        if self.kind == "energy-step":
            return sum(x**2 for x in self.s) / 2 - self.step * self.model.energy
        return None

    @cached_property
    def F(self) -> list:
        """The map: dPhi/ds, or the [update] entries, one per state component."""
        if self.Phi is None:
            return list(self.model.field)
        return [sp.diff(self.Phi, x) for x in self.s]

    @cached_property
    def dC_ds(self) -> list:
        return [sp.diff(self.model.cost, x) for x in self.s]

    @cached_property
    def dC_dtheta(self) -> list:
        return [sp.diff(self.model.cost, x) for x in self.theta]

    @cached_property
    def nudged(self) -> list:
        """The nudged map F(s) - beta dC/ds(s) (discrete counterpart of Eq 18)."""
        return [f - BETA * c for f, c in zip(self.F, self.dC_ds)]

    @cached_property
    def JF(self) -> sp.Matrix:  # noqa: N802
        """dF/ds (n x n): the Hessian of Phi, symmetric, for a primitive; any matrix for an [update]."""
        return sp.Matrix(self.F).jacobian(self.s)

    @cached_property
    def dF_dtheta(self) -> sp.Matrix:
        """dF/dtheta (n x p): how one step moves with theta (BPTT's parameter gradient)."""
        return sp.Matrix(self.F).jacobian(self.theta)

    @cached_property
    def dPhi_dtheta(self) -> list | None:
        """dPhi/dtheta, read at consecutive nudged states by DeltaEP_theta; None for an [update] map."""
        if self.Phi is None:
            return None
        return [sp.diff(self.Phi, x) for x in self.theta]

    @cached_property
    def asymmetric_part(self) -> sp.Matrix:
        """(dF/ds - dF/ds^T)/2: zero for a gradient map, what the GDU property needs."""
        return (self.JF - self.JF.T) / 2

    def is_gradient_map_symbolically(self) -> bool:
        """dF/ds - dF/ds^T simplifies to 0 (always true for a primitive or an energy)."""
        if self.Phi is not None:
            return True
        return all(sp.simplify(self.model.concrete(e)) == 0 for e in self.asymmetric_part)
