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
    """A matrix prepared for many right-hand sides (mpmath.lu_solve refactors every call).

    python-flint's inverse (:func:`symbolic.flint_linalg.inverse`: compiled LU at the working
    precision + 16 bits, entries kept with those bits) when flint proves the matrix non-singular;
    a solve is then one dot product per entry rounded once (``mpmath.fdot``), as accurate as
    mpmath.lu_solve (tests/verify/test_factored_matrix.py, Hilbert matrices included). Otherwise
    an mpmath LU factorisation, whose substitutions also take each entry as one rounded dot
    product (mpmath's L_solve/U_solve round after every term). Its users only steer iterations
    judged by their own residuals (the J route's chord solves, p systems with one matrix: 1,152
    at n = 66; the Woodbury-updated nudged Jacobians).
    """

    def __init__(self, A):
        from symbolic import flint_linalg   # lazily: the CLI imports this module before any model is read

        self._inverse = flint_linalg.inverse(A)
        if self._inverse is not None:
            self._real = not any(isinstance(v, mpmath.mpc) for row in self._inverse for v in row)
            return
        with mpmath.extraprec(10):
            lu, self._p = mpmath.mp.LU_decomp(A.copy())
        n = lu.rows
        one = mpmath.mpf(1)
        # row i of L as [-L_i0, ..., -L_i,i-1, 1] (unit diagonal); of U as [-U_i,i+1, ..., 1] and U_ii
        self._lower = [[-lu[i, j] for j in range(i)] + [one] for i in range(n)]
        self._upper = [[-lu[i, j] for j in range(i + 1, n)] + [one] for i in range(n)]
        self._diagonal = [lu[i, i] for i in range(n)]
        self._real = not any(isinstance(v, mpmath.mpc) for row in self._lower + self._upper + [self._diagonal]
                             for v in row)

    def solve(self, b):
        """x with A x = b, as a list (a real A and a complex b: the real and imaginary parts apart)."""
        b = [mpmath.mpmathify(v) for v in b]
        if self._real and any(isinstance(v, mpmath.mpc) for v in b):
            re = self._solve_part([v.real for v in b])
            im = self._solve_part([v.imag if isinstance(v, mpmath.mpc) else mpmath.mpf(0) for v in b])
            with mpmath.extraprec(10):   # mpc() rounds its parts to the current precision
                return [mpmath.mpc(a, c) for a, c in zip(re, im)]
        return self._solve_part(b)

    def _solve_part(self, x):
        if self._inverse is None:
            return self._substitute(x)
        with mpmath.extraprec(10):
            return [mpmath.fdot(row, x) for row in self._inverse]

    def _substitute(self, x):
        n = len(x)
        with mpmath.extraprec(10):
            for k, pk in enumerate(self._p):
                x[k], x[pk] = x[pk], x[k]
            for i, row in enumerate(self._lower):
                x[i] = mpmath.fdot(row, x[:i + 1])
            for i in range(n - 1, -1, -1):
                x[i] = mpmath.fdot(self._upper[i], x[i + 1:] + [x[i]]) / self._diagonal[i]
            return x
