"""Shared fixtures of the verify tests."""

from __future__ import annotations

import mpmath
import pytest


@pytest.fixture
def ill_conditioned_root():
    """A factory: precision -> (residual, A, exact) with r(s) = A (s - exact) +- eps (alternating, as a
    residual evaluated in floating point does) and cond(A) ~ 4e12. After the first step of Newton or of
    chord iterations every step is A^-1 (noise) ~ cond(A) eps, above the 100 eps ||s|| step threshold
    for good, while the residual sits at rounding level."""

    def make(precision):
        A = mpmath.matrix([[1, 1], [1, 1 + mpmath.mpf(10) ** -12]])
        exact = [mpmath.mpf(1) / 3, mpmath.mpf(1) / 7]
        calls = []

        def residual(v):
            calls.append(1)
            noise = precision.eps * (-1) ** len(calls)
            return [A[i, 0] * (v[0] - exact[0]) + A[i, 1] * (v[1] - exact[1]) + noise * (i + 1) for i in range(2)]

        return residual, A, exact

    return make
