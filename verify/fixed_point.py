"""The free fixed point s_theta^0 (Eq 2) and nudged fixed points s_theta^beta (Eq 19).

s_theta^0 is the point the free flow (Eq 1) from ``initial_state`` reaches.
It is found in three steps:

1. the flow is followed in float64 by an implicit, adaptive stiff integrator
   (scipy's BDF): stable for any stiffness, with steps that grow as the flow
   settles, so slow relaxation times (1/lambda up to 1e20 and beyond) cost a
   few hundred steps;
2. at checkpoints (each decade of t) Newton's method from the flow's current
   point proposes a critical point s*; it is accepted only when the flow is
   known to go there: s* is a strict minimum and the Hessian along the way
   differs from H(s*) by less than lambda_min(H(s*))/2 (the flow is inside
   s*'s basin of strong convexity), or the flow already sits at s* to float64
   rounding (a saddle whose unstable component is exactly zero); a float64 preview of
   the same test turns down, without multiprecision work, the checkpoints the flow
   clearly passes outside that basin;
3. Newton's method at working precision polishes s*.

A start that is already a critical point (to working precision) is its own
fixed point: the flow stays there. When the flow cannot be followed or has not
reached a certified point, :class:`FixedPointNotFound` says so with the
numbers, rather than naming a critical point the flow does not reach.

Every threshold is relative to the model's own scales: of s (the distance the
flow travels), of the field (the terms of dE/ds, ~ ||H|| ||s|| + ||M|| ||theta||)
and of H (eigenvalues relative to the largest). Newton uses the Hessian only as
a root-finding aid: the root is defined by Eq 2 alone, whatever matrix drives it.
"""

from __future__ import annotations

import dataclasses

import mpmath
import numpy as np

from symbolic import flint_linalg

from .precision import GUARD_DIGITS, Precision

RTOL = 1e-10            # float64 flow: relative (norm-wise) local error per step
T_MAX = 1e250           # the flow is followed at most this long ...
MAX_STEPS = 20000       # ... in at most this many implicit steps
AT_ROUNDING = 1e-12     # float64: the flow sits at s* when ||s_t - s*|| is this fraction of the distance scale
CERTIFY = Precision(20 - GUARD_DIGITS)   # the Newton proposals at checkpoints: 20 working digits
# the float64 preview that rejects a checkpoint early (_clearly_outside_basin)
PREVIEW_STEPS = 30          # Newton steps at most
PREVIEW_STEP = 1e-13        # converged: a step this fraction of ||s||
PREVIEW_CONDITION = 1e-6    # lambda_min(H(s*)) at least this fraction of the largest |eigenvalue|
PREVIEW_MARGIN = 1.01       # ||H(s_t) - H(s*)|| above lambda_min/2 by this factor


class FixedPointNotFound(Exception):
    """No critical point of E could be found; the message carries the numbers."""


@dataclasses.dataclass
class FixedPoint:
    """A critical point of E_theta (Eq 2) and what is known about it."""

    s: list                      # s_theta^0 at working precision
    residual: mpmath.mpf         # ||dE/ds(s)||_inf
    hessian_eigenvalues: list    # ascending
    method: str                  # how it was found
    relaxed: bool                # True when the free flow itself was followed to this point
    singular_ratio: mpmath.mpf   # Precision.singular_ratio(): below it (relative) an eigenvalue counts as zero

    @property
    def is_strict_minimum(self) -> bool:
        return self.min_eigenvalue > 0 and not self.nearly_singular

    @property
    def min_eigenvalue(self):
        return self.hessian_eigenvalues[0]

    @property
    def nearly_singular(self) -> bool:
        return nearly_singular(self.hessian_eigenvalues, self.singular_ratio)

    @property
    def index(self) -> int:
        """Number of negative Hessian eigenvalues (the Morse index)."""
        return sum(1 for e in self.hessian_eigenvalues if e < 0)

    def kind(self) -> str:
        """strict minimum, local maximum, saddle point of index k, or degenerate critical point."""
        if self.nearly_singular:
            return "degenerate critical point"
        if self.index == 0:
            return "strict minimum"
        if self.index == len(self.hessian_eigenvalues):
            return "local maximum"
        return f"saddle point of index {self.index}"

    def describe(self) -> str:
        lo = mpmath.nstr(self.hessian_eigenvalues[0], 5)
        hi = mpmath.nstr(self.hessian_eigenvalues[-1], 5)
        return (f"{self.kind()}: Hessian eigenvalues in [{lo}, {hi}], residual "
                f"{mpmath.nstr(self.residual, 3)} ({self.method})")


def nearly_singular(eigenvalues, ratio) -> bool:
    """Smallest |eigenvalue| at most ``ratio`` (:meth:`Precision.singular_ratio`) of the largest.

    (An all-zero H is singular.)
    """
    largest = max(abs(e) for e in eigenvalues)
    return min(abs(e) for e in eigenvalues) <= largest * ratio


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


# --------------------------------------------------------------------------------------
# following the free flow (float64, implicit)
# --------------------------------------------------------------------------------------
def _norm(v) -> float:
    return float(np.max(np.abs(v))) if len(v) else 0.0


def follow(field, s_start, *, on_checkpoint=None, t_max=T_MAX, max_steps=MAX_STEPS):
    """Follow ds/dt = field(s) from ``s_start`` with scipy's BDF (stiffly stable, adaptive).

    The error control is norm-wise relative: atol = RTOL * ||s||, re-set (by a
    restart) whenever ||s|| has changed by a factor 1000, so neither a tiny
    nor a huge scale of s nor a component decaying to 0 limits the steps.
    ``on_checkpoint(t, s)`` is called at every decade of t; a non-None return
    ends the walk and is returned as ``(value, t, s, None)``. Otherwise returns
    ``(None, t, s, reason)`` with why the walk ended.
    """
    from scipy.integrate import BDF

    def rhs(_t, s):
        return np.asarray(field(s), dtype=float)

    s = np.array(s_start, dtype=float)
    t, steps, next_check = 0.0, 0, None
    with np.errstate(all="ignore"):
        while True:
            f0 = rhs(t, s)
            if not np.all(np.isfinite(f0)):
                return None, t, s, (f"the field -dE/ds is not finite at s = {np.array2string(s, precision=4)} "
                                    f"(t = {t:.3g})")
            scale = _norm(s) or _norm(f0) or 1.0
            solver = BDF(rhs, t, s, t_bound=t_max, rtol=RTOL, atol=RTOL * scale)
            while solver.status == "running":
                if steps >= max_steps:
                    return None, t, s, f"the free flow has not settled after {steps} implicit steps (t = {t:.3g})"
                message = solver.step()
                steps += 1
                if solver.status == "failed":
                    return None, t, s, (f"the free flow cannot be followed beyond t = {t:.3g} "
                                        f"(|s| = {_norm(s):.3g}): {message}; it blows up or is not smooth")
                t, s = solver.t, solver.y.copy()
                if not np.all(np.isfinite(s)):
                    return None, t, s, f"the free flow diverges (s not finite at t = {t:.3g})"
                next_check = 10 * t if next_check is None else next_check
                if t >= next_check:
                    next_check = 10 * t
                    if on_checkpoint is not None:
                        found = on_checkpoint(t, s)
                        if found is not None:
                            return found, t, s, None
                    size = _norm(s)
                    if size > 1000 * scale or (size and size < scale / 1000):
                        break          # restart with a norm-wise atol at the new scale
            else:
                if solver.status == "finished":
                    return None, t, s, (f"the free flow has not settled by t = {t_max:g} "
                                        f"(|s| = {_norm(s):.3g}, |ds/dt| = {_norm(rhs(t, s)):.3g})")


def relax(compiled, theta_float, s_start, *, t_max=10000.0, tol=1e-10):
    """Follow the free flow (Eq 1) in float64 until |dE/ds| < ``tol`` (a float64 preview, no certificate).

    Returns ``(s, converged, reason)``. (Used by the float64 screening of drawn instances.)
    """
    field = lambda s: compiled.extended_field_numpy(s, theta_float, 0.0)  # noqa: E731
    settled = lambda t, s: True if _norm(np.asarray(field(s), dtype=float)) < tol else None  # noqa: E731
    f0 = np.asarray(field(np.array(s_start, dtype=float)), dtype=float)
    if np.all(np.isfinite(f0)) and _norm(f0) < tol:
        return np.array(s_start, dtype=float), True, None
    found, t, s, reason = follow(field, s_start, on_checkpoint=settled, t_max=t_max)
    return s, found is not None, reason


# --------------------------------------------------------------------------------------
# Newton's method (working precision)
# --------------------------------------------------------------------------------------
def newton(residual_fn, jacobian_fn, s, *, precision, max_steps=60, what="the root", tolerance=None):
    """Newton's method at ``precision`` (a :class:`~verify.precision.Precision` whose context is active).

    Returns (s, ||residual||, steps).

    Stops when the step is below the working precision relative to the
    iterate (in the real parts and, for complex iterates from complex-step
    differentiation, separately in the imaginary parts: their size is ~h, far
    below the real parts' rounding), or when the residual is exactly 0.
    When ``max_steps`` steps do not get there, the point is still returned if its
    residual is within ``tolerance(s)`` (the caller's largest accepted residual at
    s, when given): with an ill-conditioned Jacobian the steps at a root are its
    rounding amplified by cond(J), above the step threshold for good. Otherwise
    raises :class:`FixedPointNotFound`, naming ``what`` with the last step and the
    residual (against that tolerance). A converged point's residual is the
    caller's to judge.
    """
    eps = precision.eps
    s = list(s)
    step = 0
    delta, r = [], []

    def residual_at(s):
        try:
            return residual_fn(s)
        except (ZeroDivisionError, ValueError) as exc:
            raise FixedPointNotFound(f"E cannot be differentiated at s = {mpmath.nstr(s, 6)} "
                                     f"({type(exc).__name__}: a non-smooth point, e.g. sqrt or log at 0)") from None

    for step in range(1, max_steps + 1):
        r = residual_at(s)
        if not all(mpmath.isfinite(x) for x in r):
            raise FixedPointNotFound(f"the residual is not finite after {step - 1} Newton steps")
        if all(x == 0 for x in r):
            break
        try:
            J = jacobian_fn(s)
        except (ZeroDivisionError, ValueError) as exc:
            raise FixedPointNotFound(f"the Hessian of E cannot be evaluated at s = {mpmath.nstr(s, 6)} "
                                     f"({type(exc).__name__}: a non-smooth point)") from None
        try:
            delta = flint_linalg.solve(J, r)   # mpmath.lu_solve when flint finds J singular
        except ZeroDivisionError:
            raise FixedPointNotFound(f"singular Hessian in Newton's method after {step - 1} steps "
                                     f"(residual {mpmath.nstr(max(abs(x) for x in r), 3)})") from None
        before = s
        s = [x - d for x, d in zip(s, delta)]
        re_ok = converged([mpmath.re(d) for d in delta], [mpmath.re(x) for x in s],
                           [mpmath.re(x) for x in before], eps)
        im_ok = converged([mpmath.im(d) for d in delta], [mpmath.im(x) for x in s],
                           [mpmath.im(x) for x in before], eps)
        if re_ok and im_ok:
            break
    else:
        residual = max((abs(x) for x in residual_at(s)), default=mpmath.mpf(0))
        if tolerance is not None and residual <= tolerance(s):
            return s, residual, step        # at a root: the steps are rounding amplified by cond(J)
        raise FixedPointNotFound(_not_converged(what, max_steps, delta, s, r, eps, tolerance))
    return s, max((abs(x) for x in residual_at(s)), default=mpmath.mpf(0)), step


def _not_converged(what, steps, delta, s, r, eps, tolerance) -> str:
    """Why Newton's method stopped short: its last step against the convergence threshold, its residual."""
    size = max((abs(x) for x in s), default=mpmath.mpf(0))
    last = max((abs(d) for d in delta), default=mpmath.mpf(0))
    residual = max((abs(x) for x in r), default=mpmath.mpf(0))
    against = "" if tolerance is None else f" (tolerance {mpmath.nstr(tolerance(s), 3)})"
    return (f"Newton's method for {what} has not converged after {steps} steps: the last step "
            f"{mpmath.nstr(last, 3)} is above the convergence threshold {mpmath.nstr(100 * eps * size, 3)} "
            f"(100 eps ||s||, eps = {mpmath.nstr(eps, 3)}); the residual before it was "
            f"{mpmath.nstr(residual, 3)}{against}")


def converged(delta, s, before, eps) -> bool:
    """A Newton step at rounding level of the iterate (relative), or an iterate collapsed onto 0."""
    size = max((abs(x) for x in s), default=0)
    return (max((abs(d) for d in delta), default=0) <= 100 * eps * size
            or size <= 100 * eps * max((abs(x) for x in before), default=0))


def term_sizes(H, M, s, theta):
    """max_i sum_j |H_ij| |s_j| + sum_k |M_ki| |theta_k|: the size of the terms that dE/ds_i sums at s.

    (Componentwise, so a parameter that does not enter dE/ds adds nothing.)
    """
    n = H.rows
    abs_s, abs_theta = [abs(x) for x in s], [abs(x) for x in theta]
    return max((mpmath.fdot([abs(H[i, j]) for j in range(n)], abs_s)
                + mpmath.fdot([abs(M[k, i]) for k in range(M.rows)], abs_theta) for i in range(n)),
               default=mpmath.mpf(0))


def residual_scale(compiled, s, theta):
    """The size of the terms whose sum is dE/ds at s (a root's residual is judged against it)."""
    return term_sizes(compiled.H(s, theta), compiled.M(s, theta), s, theta)


def _is_root(compiled, s, theta, residual, precision: Precision) -> bool:
    return residual <= precision.root_tolerance(residual_scale(compiled, s, theta))


# --------------------------------------------------------------------------------------
# s_theta^0
# --------------------------------------------------------------------------------------
def free_fixed_point(compiled, theta, *, precision: Precision, start=None) -> FixedPoint:
    """s_theta^0 of Eq 2: the critical point the free flow (Eq 1) from ``start`` reaches, at working precision.

    Raises :class:`FixedPointNotFound` (with the numbers) when there is none,
    or when it cannot be told which critical point the flow reaches.
    """
    model = compiled.model
    start = initial_state(model) if start is None else list(start)
    s_start = [mpmath.mpf(x) for x in start]
    dE, H = (lambda v: compiled.dE_ds(v, theta)), (lambda v: compiled.H(v, theta))
    try:
        g0 = dE(s_start)
    except (ZeroDivisionError, ValueError) as exc:
        raise FixedPointNotFound(f"E cannot be differentiated at the initial state s = {mpmath.nstr(s_start, 6)} "
                                 f"({type(exc).__name__})") from None
    r0 = max((abs(x) for x in g0), default=mpmath.mpf(0))
    if all(mpmath.isfinite(x) for x in g0) and _is_root(compiled, s_start, theta, r0, precision):
        return _fixed_point(compiled, theta, s_start, r0, "the initial state is a critical point "
                            "(the free flow stays there)", relaxed=True, precision=precision)

    theta_float = [float(x) for x in theta]
    field = lambda s: compiled.extended_field_numpy(s, theta_float, 0.0)  # noqa: E731
    start_np = np.array(start, dtype=float)
    last = {}

    def checkpoint(t, s_t):
        s_star, why = _certified_target(compiled, theta, start_np, s_t)
        last.update(t=t, s=s_t, why=why)
        return s_star

    s_star, t, s_t, reason = follow(field, start, on_checkpoint=checkpoint)
    if s_star is None:
        detail = f"; at t = {last['t']:.3g}: {last['why']}" if last.get("why") else ""
        raise FixedPointNotFound(f"the free flow from the initial state does not reach a critical point "
                                 f"that can be certified: {reason}{detail}")
    s, size, steps = newton(dE, H, s_star, precision=precision, what="s_theta^0 (Eq 2) from the flow's end point",
                            tolerance=lambda v: precision.root_tolerance(residual_scale(compiled, v, theta)))
    if not _is_root(compiled, s, theta, size, precision):
        raise FixedPointNotFound(
            f"residual {mpmath.nstr(size, 3)} > {mpmath.nstr(precision.root_tolerance(residual_scale(compiled, s, theta)), 3)} "
            f"after {steps} Newton steps at dps={precision.work} (the free flow reaches s ~ {mpmath.nstr(s_star, 6)})")
    how = (f"free flow (Eq 1) followed in float64 by an implicit stiff integrator to t = {t:.3g}, "
           f"then Newton, {steps} steps at dps={precision.work}")
    return _fixed_point(compiled, theta, s, size, how, relaxed=True, precision=precision)


def _certified_target(compiled, theta, start, s_t):
    """(s*, None) when the flow at s_t is known to go to the critical point s* Newton finds; else (None, why)."""
    why = _clearly_outside_basin(compiled, theta, s_t)
    if why is not None:
        return None, why
    with CERTIFY.context():
        theta_lo = [+x for x in theta]
        s = [mpmath.mpf(float(x)) for x in s_t]
        try:
            s_star, residual, steps = newton(lambda v: compiled.dE_ds(v, theta_lo), lambda v: compiled.H(v, theta_lo),
                                             s, precision=CERTIFY, what="a critical point near the flow",
                                             tolerance=lambda v: CERTIFY.root_tolerance(residual_scale(compiled, v, theta_lo)))
            if not all(mpmath.isfinite(x) and not isinstance(x, mpmath.mpc) for x in s_star):
                return None, "Newton's method from the flow gives a non-finite or non-real point"
            if not _is_root(compiled, s_star, theta_lo, residual, CERTIFY):
                # Newton settled on a non-root (the flow is still far from any critical point): not a proposal
                return None, (f"Newton's method from the flow's current point stops at a point that is not a "
                              f"root (residual {mpmath.nstr(residual, 3)} after {steps} steps)")
            H_star = compiled.H(s_star, theta_lo)
            eig = list(flint_linalg.eigsy(H_star, eigvals_only=True))
            H_t = compiled.H(s, theta_lo)
        except (FixedPointNotFound, ZeroDivisionError, ValueError) as exc:
            return None, f"Newton's method from the flow's current point fails ({exc})"
        lam_min = min(eig)
        if lam_min > 0 and not nearly_singular(eig, CERTIFY.singular_ratio()):
            gap = mpmath.mnorm(H_t - H_star, mpmath.inf) if H_t.rows else mpmath.mpf(0)
            if gap <= lam_min / 2:
                return s_star, None
            why = (f"Newton from the flow finds a strict minimum at s ~ {mpmath.nstr(s_star, 4)}, but the flow is "
                   f"not yet in its basin of strong convexity (||H(s_t) - H(s*)|| = {mpmath.nstr(gap, 3)} > "
                   f"lambda_min/2 = {mpmath.nstr(lam_min / 2, 3)})")
            return None, why
        star = np.array([float(x) for x in s_star])
        distance = max(_norm(star), _norm(star - start))
        if distance == 0 or _norm(np.asarray(s_t) - star) <= AT_ROUNDING * distance:
            return s_star, None
        degenerate = nearly_singular(eig, CERTIFY.singular_ratio())
        kind = "a degenerate critical point" if degenerate else "a saddle or maximum"
        return None, (f"Newton from the flow finds {kind} at s ~ {mpmath.nstr(s_star, 4)}, which the flow "
                      f"(at s ~ {np.array2string(np.asarray(s_t), precision=4)}) has not reached")


def _clearly_outside_basin(compiled, theta, s_t):
    """Why the flow at s_t is not yet in the basin of the strict minimum Newton finds, decided in float64; or None.

    A float64 preview of :func:`_certified_target`'s test, for the checkpoints the flow passes
    before it settles (each certification costs O(n^3) multiprecision work: LU solves and eigsy).
    Only a clear rejection is taken from it: Newton in float64 from s_t with a residual that falls
    at every step until the step is at rounding; H(s*) positive definite with lambda_min at least
    ``PREVIEW_CONDITION`` of the largest eigenvalue; ||H(s_t) - H(s*)|| above lambda_min/2 by
    ``PREVIEW_MARGIN``. Anything else (None) leaves the decision to the certification itself,
    so the accepted s* and every digit after it are those of the multiprecision test alone.
    """
    with CERTIFY.context():
        theta_lo = [+x for x in theta]
        hessian = lambda v: np.array(compiled.H([mpmath.mpf(float(x)) for x in v], theta_lo).tolist(),  # noqa: E731
                                     dtype=float)
        theta_float = [float(x) for x in theta]
        field = lambda v: np.asarray(compiled.extended_field_numpy(v, theta_float, 0.0), dtype=float)  # noqa: E731
        with np.errstate(all="ignore"):
            try:
                s = np.array(s_t, dtype=float)
                r = field(s)
                for _ in range(PREVIEW_STEPS):
                    step = np.linalg.solve(hessian(s), r)
                    s = s + step
                    r_next = field(s)
                    if not np.all(np.isfinite(s)):
                        return None
                    if _norm(step) <= PREVIEW_STEP * _norm(s):
                        break
                    if not _norm(r_next) < _norm(r):
                        return None
                    r = r_next
                else:
                    return None
                H_star, H_t = hessian(s), hessian(s_t)
            except (ArithmeticError, TypeError, ValueError, np.linalg.LinAlgError):
                return None
            if not (np.all(np.isfinite(H_star)) and np.all(np.isfinite(H_t))):
                return None
            eig = np.linalg.eigvalsh(H_star)
    lam_min, top = eig[0], np.max(np.abs(eig))
    gap = np.max(np.sum(np.abs(H_t - H_star), axis=1)) if len(eig) else 0.0
    if not (lam_min > PREVIEW_CONDITION * top and gap > PREVIEW_MARGIN * lam_min / 2):
        return None
    return (f"Newton from the flow finds a strict minimum at s ~ {mpmath.nstr([mpmath.mpf(x) for x in s], 4)}, "
            f"but the flow is not yet in its basin of strong convexity (||H(s_t) - H(s*)|| = "
            f"{mpmath.nstr(mpmath.mpf(gap), 3)} > lambda_min/2 = {mpmath.nstr(mpmath.mpf(lam_min) / 2, 3)}; float64)")


def _fixed_point(compiled, theta, s, size, how, *, relaxed, precision) -> FixedPoint:
    H = compiled.H(s, theta)
    if any(isinstance(x, mpmath.mpc) for x in s) or not all(mpmath.isfinite(h) for h in H):
        raise FixedPointNotFound(
            f"non-smooth or non-real point: at s = {mpmath.nstr(s, 6)} the Hessian of E is not a finite "
            "real matrix (a function is not twice differentiable there, e.g. sqrt or log at 0)")
    eig = compiled.hessian_eigenvalues(s, theta)
    return FixedPoint(list(s), size, list(eig), how, relaxed, precision.singular_ratio())


def refine(compiled, theta, s, beta=0, *, precision):
    """A (nudged, Eq 19) fixed point refined by Newton at ``precision`` (its context active)."""
    s, size, _ = newton(lambda v: compiled.extended_field(v, theta, beta),
                        lambda v: -compiled.extended_hessian(v, theta, beta), s, precision=precision,
                        what=f"the fixed point refined at dps={precision.work} (beta = {mpmath.nstr(beta, 3)})",
                        tolerance=lambda v: precision.root_tolerance(residual_scale(compiled, v, theta)))
    return s, size
