"""Small helpers for mpmath numbers: decimal strings, norms, errors, digits."""

from __future__ import annotations

import mpmath


def to_str(x, dps: int) -> str:
    """A decimal string with ``dps`` significant digits (DESIGN.md: numbers are strings)."""
    if isinstance(x, mpmath.mpc):
        if x.imag == 0:
            x = x.real
        else:
            return f"{mpmath.nstr(x.real, dps)}+{mpmath.nstr(x.imag, dps)}j"
    return mpmath.nstr(mpmath.mpf(x), dps)


def vec_str(v, dps: int) -> list[str]:
    return [to_str(x, dps) for x in v]


def norm_inf(v) -> mpmath.mpf:
    return max((abs(x) for x in v), default=mpmath.mpf(0))


def digits_of_agreement(rel_error) -> float:
    """-log10 of a relative error, capped at 99 for exact agreement."""
    rel_error = mpmath.mpf(rel_error)
    if rel_error <= 0:
        return 99.0
    return float(-mpmath.log10(rel_error))


def matvec(A, v):
    return [mpmath.fsum(A[i, j] * v[j] for j in range(A.cols)) for i in range(A.rows)]


class FactoredMatrix:
    """An LU factorisation kept for many right-hand sides (mpmath.lu_solve refactors every call)."""

    def __init__(self, A):
        with mpmath.extraprec(10):
            self._lu, self._p = mpmath.mp.LU_decomp(A.copy())

    def solve(self, b):
        with mpmath.extraprec(10):
            y = mpmath.mp.L_solve(self._lu, mpmath.matrix(list(b)), self._p)
            return mpmath.mp.U_solve(self._lu, y)
