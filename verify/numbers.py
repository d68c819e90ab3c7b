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
            lu, self._p = mpmath.mp.LU_decomp(A.copy())
        n = lu.rows
        # rows as lists: the substitutions below are mpmath's L_solve/U_solve operation for
        # operation (the same roundings), without the matrix's per-entry lookups
        self._lower = [[lu[i, j] for j in range(i)] for i in range(n)]
        self._upper = [[lu[i, j] for j in range(i, n)] for i in range(n)]

    def solve(self, b):
        """x with A x = b, as a list."""
        with mpmath.extraprec(10):
            x = [mpmath.mpmathify(v) for v in b]
            for k, pk in enumerate(self._p):
                x[k], x[pk] = x[pk], x[k]
            for i, row in enumerate(self._lower):
                acc = x[i]
                for j, lij in enumerate(row):
                    acc -= lij * x[j]
                x[i] = acc
            for i in range(len(x) - 1, -1, -1):
                row = self._upper[i]
                acc = x[i]
                for j in range(1, len(row)):
                    acc -= row[j] * x[i + j]
                x[i] = acc / row[0]
            return x
