"""The free fixed point s* = F(s*) of a discrete map: relaxation, then Newton's method.

The first phase of discrete EP iterates s <- F(s) from the initial state
(Ernoult et al. 2019); the fixed point it reaches is the one the statements
are about. Relaxation runs in float64 (a preview) and Newton's method on
G(s) = s - F(s), with Jacobian I - dF/ds, polishes it to the working
precision. Every way this can fail is a hypothesis not met (exit 3) with
the reason: relaxation diverging or not settling (F is not a contraction
there), I - dF/ds singular, a residual above the root tolerance, or a
spectral radius of dF/ds >= 1 at s* (the free phase would not stay there).
"""

from __future__ import annotations

import dataclasses
import math

import mpmath
import numpy

from . import matrix_free as mfree

RELAX_STEPS = 20000
NEWTON_STEPS = 60


class FixedPointError(Exception):
    """No usable fixed point; the message is the reason reported with exit 3."""


@dataclasses.dataclass
class DiscreteFixedPoint:
    """s* with its residual |F(s*) - s*| and the spectrum of dF/ds at s*."""

    s: list
    residual: mpmath.mpf
    spectral_radius: mpmath.mpf
    eigenvalues: list          # of dF/ds at s*, by modulus (complex for a non-gradient map)
    relaxation_steps: int
    newton_steps: int
    others: list               # other fixed points found from other starts (for the description)
    preconditioner: object = None   # float64 LU of I - dF/ds at s* (matrix-free models), else None

    @property
    def eigenvalue_digits(self) -> int | None:
        """Digits of the eigenvalues: 16 when they are float64's (matrix-free), else None (working precision)."""
        return 16 if self.preconditioner is not None else None

    def describe(self) -> str:
        how = "chord steps (float64 I - dF/ds)" if self.preconditioner is not None else "Newton steps"
        spectrum = " (float64)" if self.preconditioner is not None else ""
        text = (f"s* = F(s*) by {self.relaxation_steps} relaxation steps + {self.newton_steps} {how}, "
                f"residual {mpmath.nstr(self.residual, 3)}, spectral radius of dF/ds{spectrum} "
                f"{mpmath.nstr(self.spectral_radius, 5)} (contraction)")
        if self.others:
            text += (f"; {len(self.others)} other fixed point(s) reached from other starts "
                     "(the one relaxation reaches from initial_state is used)")
        return text


def initial_state(model) -> list:
    """The free phase's start from ``[settings] initial_state`` (default 0)."""
    init = model.settings.get("initial_state", 0)
    if isinstance(init, dict):
        out = []
        for b in model.state:
            out += [float(v) for v in init.get(b.name, [0] * b.size)]
        return out
    return [float(init)] * model.n


def relax(compiled, theta, start) -> tuple[list, int]:
    """Iterate F in float64 until it settles; FixedPointError if it diverges or does not settle."""
    th = [float(v) for v in theta]
    s = [float(v) for v in start]
    change = math.inf
    for k in range(1, RELAX_STEPS + 1):
        try:
            with numpy.errstate(all="ignore"):      # a diverging map is reported below, not by numpy's warnings
                nxt = [float(v) for v in compiled.F_numpy(s, th)]
        except (OverflowError, ValueError, ZeroDivisionError) as exc:
            raise FixedPointError(f"relaxation s <- F(s) left the domain of F after {k} steps ({exc})") from None
        if not all(math.isfinite(v) for v in nxt):
            raise FixedPointError(f"relaxation s <- F(s) diverged after {k} steps (not a contraction)")
        change = max(abs(a - b) for a, b in zip(nxt, s))
        s = nxt
        if change <= 1e-13 * max(1.0, max(abs(v) for v in s)):
            return s, k
    raise FixedPointError(f"relaxation s <- F(s) did not settle in {RELAX_STEPS} steps (last change {change:.3g}): "
                          "F is not a contraction on the way from initial_state")


def newton(compiled, theta, s, prec, steps=NEWTON_STEPS) -> tuple[list, int]:
    """Newton's method on s - F(s) = 0 at the working precision of ``prec``."""
    n = len(s)
    eye = mpmath.eye(n)
    s = [mpmath.mpf(v) for v in s]
    for k in range(1, steps + 1):
        G = [a - b for a, b in zip(s, compiled.F(s, theta))]
        try:
            step = mpmath.lu_solve(eye - compiled.JF(s, theta), mpmath.matrix(G))
        except ZeroDivisionError:
            raise FixedPointError("I - dF/ds is singular on the way to the fixed point (dF/ds has eigenvalue 1)") \
                from None
        s = [a - step[i] for i, a in enumerate(s)]
        size = max(abs(step[i]) for i in range(n))
        if prec.step_converged(size, max(mpmath.mpf(1), max(abs(v) for v in s))):
            return s, k
    raise FixedPointError(f"Newton's method on s - F(s) did not converge in {steps} steps "
                          f"(last step {mpmath.nstr(size, 3)})")


def residual(compiled, theta, s):
    return max(abs(a - b) for a, b in zip(compiled.F(s, theta), s))


def solve(compiled, theta, prec, start) -> DiscreteFixedPoint:
    """The free fixed point reached from ``start``, polished at ``prec.work`` digits."""
    s, relaxed = relax(compiled, theta, start)
    pre = None
    if mfree.matrix_free(compiled):
        pre = preconditioner(compiled, theta, s)
        try:
            s, steps = mfree.chord(compiled, theta, s, prec, pre)
        except mfree.NotConverged as exc:
            raise FixedPointError(str(exc)) from None
    else:
        s, steps = newton(compiled, theta, s, prec)
    res = residual(compiled, theta, s)
    scale = max(mpmath.mpf(1), max(abs(v) for v in s))
    if res > prec.root_tolerance(scale):
        raise FixedPointError(f"the fixed point's residual {mpmath.nstr(res, 3)} exceeds the root tolerance "
                              f"{mpmath.nstr(prec.root_tolerance(scale), 3)}")
    if pre is not None:
        pre = preconditioner(compiled, theta, s)    # at s* (relaxation stopped ~1e-13 away)
        eig = mfree.spectrum(pre.J64)
    else:
        eig = sorted(eigenvalues(compiled.JF(s, theta)), key=abs, reverse=True)
    rho = abs(eig[0])
    if rho >= 1:
        raise FixedPointError(f"s* = F(s*) was found but dF/ds has spectral radius {mpmath.nstr(rho, 5)} >= 1 "
                              "there: not a contraction, the free phase does not stay at s*")
    return DiscreteFixedPoint(s, res, rho, eig, relaxed, steps, _others(compiled, theta, s, prec), pre)


def preconditioner(compiled, theta, s) -> "mfree.Preconditioner":
    """float64 I - dF/ds at s, factored; FixedPointError if it is singular or not finite."""
    try:
        J64 = compiled.J_numpy(s, theta)
    except (OverflowError, ValueError, ZeroDivisionError) as exc:
        raise FixedPointError(f"dF/ds cannot be evaluated in float64 near the fixed point ({exc})") from None
    if not all(map(math.isfinite, J64.ravel())):
        raise FixedPointError("dF/ds is not finite in float64 near the fixed point")
    return mfree.Preconditioner(J64)


def eigenvalues(J) -> list:
    """The eigenvalues of a square mpmath matrix (mpmath.eig ignores left/right=False for 1 x 1)."""
    if J.rows == 1:
        return [J[0, 0]]
    return list(mpmath.eig(J, left=False, right=False))


def _others(compiled, theta, s_star, prec, starts=(-1.0, 1.0)):
    """Fixed points that relaxation reaches from a few other constant starts (distinct from s*)."""
    out = []
    for c in starts:
        try:
            s, _ = relax(compiled, theta, [c] * len(s_star))
        except FixedPointError:
            continue
        if max(abs(a - float(b)) for a, b in zip(s, s_star)) > 1e-6 * max(1.0, max(abs(float(v)) for v in s_star)):
            if all(max(abs(a - b) for a, b in zip(s, o)) > 1e-6 for o in out):
                out.append(s)
    return out


def polish(compiled, theta, s, prec, pre=None) -> list:
    """s* again at a higher working precision (Newton, or chord steps for a matrix-free model, from the root)."""
    if mfree.matrix_free(compiled):
        try:
            return mfree.chord(compiled, theta, s, prec, pre or preconditioner(compiled, theta, s))[0]
        except mfree.NotConverged as exc:
            raise FixedPointError(str(exc)) from None
    return newton(compiled, theta, s, prec)[0]
