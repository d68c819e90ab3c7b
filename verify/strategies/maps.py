"""The float64 look at a drawn map or field (other dynamics): its fixed point, contraction and asymmetry.

As :mod:`~.screening` does for energies, from the map written out in numpy
per family (independent of the symbolic layer): relax s <- F(s) from the
instance's start, take dF/ds there by central differences, and reject draws
the check would answer with exit 3 for a reason the family does not intend
(no convergence, spectral radius near 1).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .screening import Screening

RELAX_STEPS = 5000
MAX_RADIUS = 0.95        # draws whose dF/ds has a larger spectral radius at s* are rejected (slow, fragile)
MIN_COST_GRADIENT = 1e-6     # ... and those whose dC/ds vanishes at s* (nothing to compare)


@dataclasses.dataclass
class MapScreening(Screening):
    """Screening of a map: ``eigenvalues`` are |eig(dF/ds)| at s*, ``cond`` is cond(I - dF/ds)."""

    asymmetry: float = 0.0       # ||J - J^T||_F / ||J||_F at s*
    what: str = "map"

    def describe(self) -> str:
        if not self.ok:
            return f"rejected: {self.reason}"
        return (f"contracting {self.what}, spectral radius of dF/ds {self.eigenvalues[-1]:.3g} at s*, "
                f"asymmetry {self.asymmetry:.3g}")


def jacobian(F, s, h=1e-6) -> np.ndarray:
    """dF/ds at ``s`` by central differences (float64)."""
    s = np.asarray(s, dtype=float)
    J = np.empty((len(s), len(s)))
    for j in range(len(s)):
        e = np.zeros(len(s))
        e[j] = h
        J[:, j] = (F(s + e) - F(s - e)) / (2 * h)
    return J


def screen_map(F, start, *, cost_gradient, what="map", max_radius=MAX_RADIUS, min_asymmetry=None) -> MapScreening:
    """Relax s <- F(s) from ``start``; usable when it settles where dF/ds is a contraction.

    ``cost_gradient(s)``: dC/ds; a draw where it vanishes at s* compares
    nothing (every route's gradient is 0) and is rejected. ``min_asymmetry``:
    also reject draws whose dF/ds is nearly symmetric (a family meant to be
    no gradient map, whose expectation would not hold).
    """
    s = np.asarray(start, dtype=float)
    with np.errstate(all="ignore"):
        for _ in range(RELAX_STEPS):
            nxt = np.asarray(F(s), dtype=float)
            if not np.all(np.isfinite(nxt)):
                return MapScreening(False, "relaxation diverges", s, what=what)
            done = np.max(np.abs(nxt - s)) <= 1e-13 * (1 + np.max(np.abs(s)))
            s = nxt
            if done:
                break
        else:
            return MapScreening(False, f"relaxation does not settle in {RELAX_STEPS} steps", s, what=what)
    J = jacobian(F, s)
    eig = np.sort(np.abs(np.linalg.eigvals(J)))
    sv = np.linalg.svd(np.eye(len(s)) - J, compute_uv=False)
    cond = float(sv[0] / max(sv[-1], 1e-300))
    norm = np.linalg.norm(J)
    asym = float(np.linalg.norm(J - J.T) / norm) if norm else 0.0
    out = MapScreening(True, None, s, eig, cond, asym, what)
    if np.max(np.abs(cost_gradient(s))) < MIN_COST_GRADIENT:
        out.ok, out.reason = False, "dC/ds = 0 at s*: every gradient vanishes, nothing to compare"
    elif eig[-1] > max_radius:
        out.ok, out.reason = False, f"spectral radius of dF/ds {eig[-1]:.3g} > {max_radius} at s*"
    elif min_asymmetry is not None and (norm == 0 or asym < min_asymmetry):
        out.ok, out.reason = False, f"dF/ds nearly symmetric (asymmetry {asym:.3g}): not the family's case"
    elif not math.isfinite(cond):
        out.ok, out.reason = False, "I - dF/ds singular"
    return out
