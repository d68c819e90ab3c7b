"""Linear algebra at s* without an mpmath n x n Jacobian, for large models compiled by blocks.

Above ``FORMED_MAX`` state components an mpmath LU or eigen-decomposition of
dF/ds (O(n^3) operations on mpf) would dominate the check; a model compiled
by blocks (``compiled.matrix_free``) then gives J v in working precision by
one reverse pass (J = d^2Phi/ds^2, symmetric) and dF/ds in float64, and:

- s* is polished by the chord method s <- s - P^-1 (s - F(s)), P = I - J in
  float64 (each step gains about 16 - log10 cond(I - J) digits);
- (I - J^T) x = b is solved by iterative refinement with the same P: the
  residual b - (x - J^T x) in working precision, the correction in float64,
  until the residual is below the root tolerance;
- the spectrum of dF/ds is float64's (enough to tell a contraction), and the
  asymmetry ||J - J^T||_F / ||J||_F is estimated from seeded random Gaussian
  probes u, v: E[(u^T (J - J^T) v)^2] = ||J - J^T||_F^2, E[|J v|^2] = ||J||_F^2.
"""

from __future__ import annotations

import random

import mpmath
import numpy as np
import scipy.linalg

FORMED_MAX = 64
ASYMMETRY_PROBES = 4
REFINE_STEPS = 60


class NotConverged(Exception):
    """An iteration did not reach the working precision; the message says which."""


def matrix_free(compiled) -> bool:
    """Use the matrix-free algorithms: a block-compiled model with more than FORMED_MAX state components."""
    return bool(getattr(compiled, "matrix_free", False)) and compiled.n > FORMED_MAX


def description(compiled) -> str:
    return (f"dF/ds not formed (n = {compiled.n} > {FORMED_MAX}): J v by a reverse pass with tangents in "
            f"working precision, spectrum of dF/ds in float64, asymmetry from {ASYMMETRY_PROBES} seeded random "
            "bilinear probes, s* by the chord method and (I - J^T)^-1 by iterative refinement, both "
            "preconditioned by I - J in float64")


class Preconditioner:
    """The float64 LU of I - J64, applied to scaled right-hand sides (no underflow at any precision)."""

    def __init__(self, J64):
        self.J64 = J64
        self.lu = scipy.linalg.lu_factor(np.eye(J64.shape[0]) - J64)

    def solve(self, rhs, transpose=False) -> list:
        scale = max(abs(r) for r in rhs)
        if not scale:
            return [mpmath.mpf(0)] * len(rhs)
        x = scipy.linalg.lu_solve(self.lu, np.array([float(r / scale) for r in rhs]), trans=1 if transpose else 0)
        if not np.all(np.isfinite(x)):
            raise NotConverged("I - dF/ds is singular in float64 (dF/ds has an eigenvalue near 1)")
        return [mpmath.mpf(float(v)) * scale for v in x]


def chord(compiled, theta, s, prec, pre, steps=REFINE_STEPS) -> tuple[list, int]:
    """s* = F(s*) to the working precision of ``prec`` from a close start s."""
    s = [mpmath.mpf(v) for v in s]
    size = None
    for k in range(1, steps + 1):
        G = [a - b for a, b in zip(s, compiled.F(s, theta))]
        step = pre.solve(G)
        s = [a - d for a, d in zip(s, step)]
        size = max(abs(d) for d in step)
        if prec.step_converged(size, max(mpmath.mpf(1), max(abs(v) for v in s))):
            return s, k
    raise NotConverged(f"the chord iteration on s - F(s) did not converge in {steps} steps "
                       f"(last step {mpmath.nstr(size, 3)})")


def solve_adjoint(compiled, theta, s, b, prec, pre, steps=REFINE_STEPS) -> list:
    """x with (I - J^T) x = b at s, J^T x = J x (J = d^2Phi/ds^2), to the root tolerance."""
    scale = max(mpmath.mpf(1), max(abs(v) for v in b))
    x = pre.solve(b, transpose=True)
    for _ in range(steps):
        Jx = compiled.hvp(s, theta, x, theta_part=False)[0]
        r = [bi - (xi - ji) for bi, xi, ji in zip(b, x, Jx)]
        if max(abs(v) for v in r) <= prec.root_tolerance(scale):
            return x
        x = [xi + d for xi, d in zip(x, pre.solve(r, transpose=True))]
    raise NotConverged(f"(I - dF/ds^T) x = dC/ds: iterative refinement did not converge in {steps} steps")


def spectrum(J64) -> list:
    """The eigenvalues of dF/ds in float64, by modulus, as mpmath numbers."""
    eig = sorted(np.linalg.eigvals(J64), key=abs, reverse=True)
    return [mpmath.mpf(float(v.real)) if v.imag == 0 else mpmath.mpc(float(v.real), float(v.imag)) for v in eig]


def asymmetry(compiled, theta, s, seed=0, probes=ASYMMETRY_PROBES):
    """||J - J^T||_F / ||J||_F estimated from ``probes`` random pairs u, v: sqrt(sum (u.Jv - v.Ju)^2 / sum |Jv|^2)."""
    rng = random.Random(seed)
    num = den = mpmath.mpf(0)
    for _ in range(probes):
        u = [mpmath.mpf(rng.gauss(0, 1)) for _ in range(compiled.n)]
        v = [mpmath.mpf(rng.gauss(0, 1)) for _ in range(compiled.n)]
        Ju, Jv = (compiled.hvp(s, theta, w, theta_part=False)[0] for w in (u, v))
        num += (mpmath.fdot(u, Jv) - mpmath.fdot(v, Ju)) ** 2
        den += mpmath.fdot(Jv, Jv)
    return mpmath.sqrt(num / den) if den else mpmath.mpf(0)
