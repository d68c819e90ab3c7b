"""The float64 look at a drawn instance: where its free flow settles and how well-posed it is.

Degenerate draws (no convergence of the free flow, a saddle, a nearly
singular Hessian, condition number above :data:`COND_MAX`) are recognised by
:func:`screen`, from the drawn energy's gradient written out in numpy per
family (independent of the symbolic layer), and rejected: by ``assume`` in
hypothesis, by a redraw in the sweep. They are never counted as passes.
The same tools find the minima and follow one of them as the fields are
switched on (:func:`follow_to_condition`), to draw ill-conditioned instances.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

COND_MAX = 300.0           # instances whose Hessian at s_theta^0 is worse are rejected as degenerate
MIN_EIGENVALUE = 1e-4      # ... and those whose smallest eigenvalue is below this (nearly singular)
MAX_STEP = 0.5             # a continuation step moving the minimum further has lost it


@dataclasses.dataclass
class Screening:
    """Where the free flow of a drawn instance settles, and the Hessian's spectrum there."""

    ok: bool
    reason: str | None
    s: Any = None                    # float64 fixed point
    eigenvalues: Any = None          # of the Hessian there, ascending
    cond: float = math.inf

    def describe(self) -> str:
        if not self.ok:
            return f"rejected: {self.reason}"
        return (f"strict minimum, Hessian eigenvalues in [{self.eigenvalues[0]:.3g}, {self.eigenvalues[-1]:.3g}], "
                f"cond {self.cond:.3g}")


class _FieldAdapter:
    """Lets :func:`verify.fixed_point.relax` follow the drawn gradient: the same relaxation as a check."""

    def __init__(self, gradient):
        self.extended_field_numpy = lambda s, theta, beta=0.0: -gradient(np.asarray(s, dtype=float))


def hessian(gradient, s, h=1e-6) -> np.ndarray:
    """d^2E/ds^2 by central differences of the gradient (float64), symmetrised."""
    s = np.asarray(s, dtype=float)
    n = len(s)
    H = np.empty((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        H[:, j] = (gradient(s + e) - gradient(s - e)) / (2 * h)
    return (H + H.T) / 2


def newton(gradient, s, *, steps: int = 30, bound: float = math.inf):
    """Newton's method for dE/ds = 0 in float64 from ``s``: ``(s, converged, reason)``.

    Stops as diverging when an iterate leaves the box ``|s| <= bound``.
    """
    s = np.asarray(s, dtype=float)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = gradient(s)
            if not np.all(np.isfinite(g)):
                return s, False, "the gradient is not finite"
            if np.max(np.abs(g)) < 1e-12 * (1 + np.max(np.abs(s))):
                return s, True, None
            try:
                s = s - np.linalg.solve(hessian(gradient, s), g)
            except np.linalg.LinAlgError:
                return s, False, "singular Hessian in Newton's method"
            if not np.all(np.isfinite(s)) or np.max(np.abs(s)) > bound:
                return s, False, "Newton's method diverges"
        g = gradient(s)
    ok = bool(np.max(np.abs(g)) < 1e-9 * (1 + np.max(np.abs(s))))
    return s, ok, None if ok else f"no critical point (|dE/ds| = {np.max(np.abs(g)):.3g})"


def newton_float(gradient, s, *, steps=30):
    """Newton's method in float64 from ``s`` (no relaxation); ``(s, converged)``."""
    s, ok, _ = newton(gradient, s, steps=steps)
    return s, ok


def find_critical_point(gradient, start, *, t_max=200.0):
    """Relax along -dE/ds from ``start`` (as a check does), then Newton in float64.

    Returns ``(s, converged, reason)``.
    """
    from ..fixed_point import relax

    s, _, reason = relax(_FieldAdapter(gradient), [], start, t_max=t_max, tol=1e-10)
    if not np.all(np.isfinite(s)):
        return s, False, reason or "the free flow diverges"
    return newton(gradient, s, steps=50, bound=1e6)


def condition(gradient, s) -> float:
    """cond(H) of the Hessian at ``s``; infinite where it is not positive definite."""
    eig = np.linalg.eigvalsh(hessian(gradient, s))
    return (float(np.max(np.abs(eig)) / max(np.min(np.abs(eig)), 1e-300)) if eig[0] > 0 else math.inf)


def find_minima(gradient, n: int, *, seed: int = 0, starts: int = 6, spread: float = 3.0) -> list:
    """Distinct strict minima the free flow reaches from ``starts`` seeded random points (float64)."""
    rng = np.random.default_rng(seed)
    found: list[np.ndarray] = []
    for _ in range(starts):
        s, ok, _ = find_critical_point(gradient, list(rng.uniform(-spread, spread, n)))
        if not ok or condition(gradient, s) == math.inf:
            continue
        if not any(np.max(np.abs(s - f)) < 1e-6 * (1 + np.max(np.abs(f))) for f in found):
            found.append(s)
    return found


def count_minima(instance, starts: int = 12, seed: int = 0, spread: float = 3.0) -> int:
    """How many distinct strict minima the free flow reaches from ``starts`` random points (statistics)."""
    return len(find_minima(instance.gradient, len(instance.start), seed=seed, starts=starts, spread=spread))


def _continued(gradient, s_prev):
    """The minimum of ``gradient`` next to ``s_prev`` and its cond(H) (infinite where it is lost)."""
    s, ok = newton_float(gradient, s_prev)
    return s, (condition(gradient, s) if ok and np.max(np.abs(s - s_prev)) <= MAX_STEP else math.inf)


def follow_to_condition(gradient_for, s0, lam0: float, lam1: float, target: float, *, steps: int = 32):
    """Follow the minimum s0 of ``gradient_for(lam0)`` as lam moves to lam1, until cond(H) reaches ``target``.

    The condition number of a minimum grows without bound at a fold, where
    it merges with a saddle; once a step passes ``target`` (or the minimum is
    lost), lam is bisected to meet the target. Without a fold on the way, the
    lam whose minimum is worst conditioned is returned. Returns
    ``(lam, s, reached)``.
    """
    best = (condition(gradient_for(lam0), s0), lam0, s0)
    if best[0] >= target:
        return lam0, s0, True
    lam_prev, s_prev = lam0, np.asarray(s0, dtype=float)
    for k in range(1, steps + 1):
        lam = lam0 + (lam1 - lam0) * k / steps
        s, c = _continued(gradient_for(lam), s_prev)
        if c < math.inf and c > best[0]:
            best = (c, lam, s)
        if c >= target:
            lo, hi, s_lo = lam_prev, lam, s_prev    # cond(lo) < target <= cond(hi) (or lost at hi)
            for _ in range(40):
                mid = (lo + hi) / 2
                s_mid, c_mid = _continued(gradient_for(mid), s_lo)
                if c_mid < target:
                    lo, s_lo = mid, s_mid
                else:
                    hi = mid
                if abs(hi - lo) < 1e-10:
                    break
            return lo, s_lo, True
        lam_prev, s_prev = lam, s
    return best[1], best[2], False


def screen(gradient, start, *, cond_max=COND_MAX, min_eigenvalue=MIN_EIGENVALUE) -> Screening:
    """Is the drawn instance usable: a strict minimum, reached from ``start``, not too ill-conditioned?"""
    s, converged, reason = find_critical_point(gradient, start)
    if not converged:
        return Screening(False, reason, s)
    eig = np.sort(np.linalg.eigvalsh(hessian(gradient, s)))
    cond = float(np.max(np.abs(eig)) / max(np.min(np.abs(eig)), 1e-300))
    if eig[0] <= 0:
        return Screening(False, f"saddle point (smallest Hessian eigenvalue {eig[0]:.3g})", s, eig, cond)
    if eig[0] < min_eigenvalue:
        return Screening(False, f"nearly singular Hessian (smallest eigenvalue {eig[0]:.3g})", s, eig, cond)
    if cond > cond_max:
        return Screening(False, f"Hessian condition number {cond:.3g} > {cond_max:g}", s, eig, cond)
    return Screening(True, None, s, eig, cond)
