"""The free fixed point s_theta^0 (Eq 2) and nudged fixed points s_theta^beta (Eq 19).

Found by relaxing along the free flow (Eq 1) in float64, then Newton's method
in working precision. Newton uses the Hessian only as a root-finding aid: the
root it converges to is defined by Eq 2 alone, whatever matrix drives it.
"""

from __future__ import annotations

import dataclasses

import mpmath
import numpy as np


class FixedPointNotFound(Exception):
    """No critical point of E could be found; the message carries the numbers."""


@dataclasses.dataclass
class FixedPoint:
    """A critical point of E_theta (Eq 2) and what is known about it."""

    s: list                      # s_theta^0 at working precision
    residual: mpmath.mpf         # ||dE/ds(s)||_inf
    hessian_eigenvalues: list    # ascending
    method: str                  # how it was found
    relaxed: bool                # True when the free flow itself converged here
    singular_ratio: mpmath.mpf   # Precision.singular_ratio(): below it (relative) an eigenvalue counts as zero

    @property
    def is_strict_minimum(self) -> bool:
        return self.min_eigenvalue > 0 and not self.nearly_singular

    @property
    def min_eigenvalue(self):
        return self.hessian_eigenvalues[0]

    @property
    def nearly_singular(self) -> bool:
        largest = max(abs(e) for e in self.hessian_eigenvalues)
        return min(abs(e) for e in self.hessian_eigenvalues) <= largest * self.singular_ratio

    def describe(self) -> str:
        lo = mpmath.nstr(self.hessian_eigenvalues[0], 5)
        hi = mpmath.nstr(self.hessian_eigenvalues[-1], 5)
        kind = ("strict minimum" if self.is_strict_minimum else
                "degenerate critical point" if self.nearly_singular else "saddle point")
        return (f"{kind}: Hessian eigenvalues in [{lo}, {hi}], residual "
                f"{mpmath.nstr(self.residual, 3)} ({self.method})")


def initial_state(model, settings_value=None) -> list:
    """The free phase's starting point from ``settings.initial_state`` (default 0)."""
    value = model.settings.get("initial_state", 0) if settings_value is None else settings_value
    if isinstance(value, dict):
        out = []
        for b in model.state:
            entries = value.get(b.name, [0] * b.size)
            out += [float(e) for e in entries]
        return out
    return [float(value)] * model.n


def relax(compiled, theta_float, s_start, *, t_max=10000.0, tol=1e-10):
    """Follow the free flow (Eq 1) in float64 (RK4, adaptive by halving) until it settles.

    ``t_max`` is long because a start near a degenerate critical point (a fold,
    or a saddle with a tiny unstable eigenvalue) leaves it only slowly; the
    float64 steps are cheap (at most ~2e4 of them).

    Returns ``(s, converged, reason)``.
    """
    field = compiled.extended_field_numpy
    s = np.array(s_start, dtype=float)
    h, t = 0.05, 0.0
    with np.errstate(all="ignore"):
        while t < t_max:
            k1 = np.asarray(field(s, theta_float, 0.0), dtype=float)
            if not np.all(np.isfinite(k1)):
                return s, False, f"the field -dE/ds is not finite at s = {np.array2string(s, precision=4)} (t = {t:.3g})"
            if np.max(np.abs(s)) > 1e8:
                return s, False, f"the free flow diverges (|s| = {np.max(np.abs(s)):.3g} at t = {t:.3g})"
            if np.max(np.abs(k1)) < tol:
                return s, True, None
            k2 = np.asarray(field(s + h / 2 * k1, theta_float, 0.0), dtype=float)
            k3 = np.asarray(field(s + h / 2 * k2, theta_float, 0.0), dtype=float)
            k4 = np.asarray(field(s + h * k3, theta_float, 0.0), dtype=float)
            s_new = s + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            if not np.all(np.isfinite(s_new)):
                h /= 2
                if h < 1e-8:
                    return s, False, f"the free flow blows up near t = {t:.3g}"
                continue
            s, t = s_new, t + h
            h = min(h * 1.2, 0.5)
    return s, False, f"the free flow has not settled by t = {t_max:g} (|dE/ds| = {np.max(np.abs(k1)):.3g})"


def newton(residual_fn, jacobian_fn, s, *, precision, max_steps=60):
    """Newton's method at ``precision`` (a :class:`~verify.precision.Precision` whose context is active).

    Returns (s, ||residual||, steps).

    Stops when the step is below the working precision in the real parts and,
    for complex iterates (complex-step differentiation), separately in the
    imaginary parts: their size is ~h, far below the real parts' rounding, so
    a single residual norm could not see them converge.
    """
    eps = precision.eps
    s = list(s)
    for step in range(1, max_steps + 1):
        try:
            r = residual_fn(s)
        except (ZeroDivisionError, ValueError) as exc:
            raise FixedPointNotFound(f"E cannot be differentiated at s = {mpmath.nstr(s, 6)} "
                                     f"({type(exc).__name__}: a non-smooth point, e.g. sqrt or log at 0)") from None
        if not all(mpmath.isfinite(x) for x in r):
            raise FixedPointNotFound(f"the residual is not finite after {step - 1} Newton steps")
        try:
            J = jacobian_fn(s)
        except (ZeroDivisionError, ValueError) as exc:
            raise FixedPointNotFound(f"the Hessian of E cannot be evaluated at s = {mpmath.nstr(s, 6)} "
                                     f"({type(exc).__name__}: a non-smooth point)") from None
        try:
            delta = mpmath.lu_solve(J, mpmath.matrix(r))
        except ZeroDivisionError:
            raise FixedPointNotFound(f"singular Hessian in Newton's method after {step - 1} steps "
                                     f"(residual {mpmath.nstr(max(abs(x) for x in r), 3)})") from None
        s = [x - d for x, d in zip(s, delta)]
        re_scale = max(1, max(abs(mpmath.re(x)) for x in s))
        im_scale = max(abs(mpmath.im(x)) for x in s)
        re_ok = max(abs(mpmath.re(d)) for d in delta) <= 100 * eps * re_scale
        im_ok = max(abs(mpmath.im(d)) for d in delta) <= 100 * eps * im_scale
        if re_ok and im_ok:
            break
    return s, max(abs(x) for x in residual_fn(s)), step


def free_fixed_point(compiled, theta, *, precision, start=None) -> FixedPoint:
    """s_theta^0 of Eq 2: relax along Eq 1 from ``start``, then Newton at working precision.

    Raises :class:`FixedPointNotFound` (with the numbers) when neither the flow
    nor Newton's method from the start finds a critical point.
    """
    model = compiled.model
    start = initial_state(model) if start is None else start
    theta_float = [float(x) for x in theta]
    s_float, relaxed, reason = relax(compiled, theta_float, start)
    candidates = [(s_float, relaxed)] if relaxed else [(s_float, False), (np.array(start, float), False)]
    dps = precision.work
    last = reason
    for s_guess, was_relaxed in candidates:
        if not np.all(np.isfinite(s_guess)):
            continue
        s = [mpmath.mpf(float(x)) for x in s_guess]
        try:
            s, size, steps = newton(lambda v: compiled.dE_ds(v, theta), lambda v: compiled.H(v, theta), s,
                                    precision=precision)
        except FixedPointNotFound as exc:
            last = str(exc)
            continue
        scale = 1 + max(abs(x) for x in s)
        if size <= precision.root_tolerance(scale):
            H = compiled.H(s, theta)
            if any(isinstance(x, mpmath.mpc) for x in s) or not all(mpmath.isfinite(h) for h in H):
                raise FixedPointNotFound(
                    f"non-smooth or non-real point: at s = {mpmath.nstr(s, 6)} the Hessian of E is not a finite "
                    "real matrix (a function is not twice differentiable there, e.g. sqrt or log at 0)")
            eig = sorted(mpmath.eigsy(H, eigvals_only=True))
            how = ("free flow (Eq 1) relaxed in float64, then Newton" if was_relaxed else
                   "Newton from the initial state (the free flow did not settle: " + (reason or "") + ")")
            return FixedPoint(s, size, list(eig), f"{how}, {steps} steps at dps={dps}", was_relaxed,
                              precision.singular_ratio())
        last = (f"residual {mpmath.nstr(size, 3)} > {mpmath.nstr(precision.root_tolerance(scale), 3)} "
                f"after {steps} Newton steps (dps={dps})")
    raise FixedPointNotFound(f"no fixed point: {reason or ''}; {last}".strip("; "))


def refine(compiled, theta, s, beta=0, *, precision):
    """A (nudged, Eq 19) fixed point refined by Newton at ``precision`` (its context active)."""
    s, size, _ = newton(lambda v: compiled.extended_field(v, theta, beta),
                        lambda v: -compiled.extended_hessian(v, theta, beta), s, precision=precision)
    return s, size
