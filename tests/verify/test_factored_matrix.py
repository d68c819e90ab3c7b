"""FactoredMatrix (one LU for many right-hand sides) against mpmath.lu_solve, which refactors each time."""

import mpmath
import pytest

from verify.numbers import FactoredMatrix


def _matrix(n, shift):
    A = mpmath.matrix([[mpmath.mpf(i + 2 * j + 1) / (i * j + 3) for j in range(n)] for i in range(n)])
    A[0, 0] = 0                       # a zero pivot: the factorisation must permute rows
    return A + shift * mpmath.eye(n)


@pytest.mark.parametrize("n", [1, 2, 7])
@pytest.mark.parametrize("shift", [mpmath.mpf(3), mpmath.mpc(3, "1e-3")])
def test_agrees_with_lu_solve(n, shift):
    with mpmath.workdps(50):
        A = _matrix(n, shift)
        # a complex right side whose imaginary part is 1e-40 of the real part (complex-step sizes)
        b = [mpmath.mpc(mpmath.mpf(k + 1) / 7, mpmath.mpf(k - 2) * mpmath.mpf(10) ** -40) for k in range(n)]
        x = FactoredMatrix(A).solve(b)
        ref = mpmath.lu_solve(A, mpmath.matrix(b))
        for part in (mpmath.re, mpmath.im):
            size = max(abs(part(v)) for v in ref) or 1
            assert max(abs(part(u) - part(v)) for u, v in zip(x, ref)) <= mpmath.mpf(10) ** -47 * size


def test_a_wrong_matrix_is_told_apart():
    """The false variant: the factorisation of another matrix does not solve this one."""
    with mpmath.workdps(30):
        A, B = _matrix(3, mpmath.mpf(3)), _matrix(3, mpmath.mpf(4))
        x = FactoredMatrix(B).solve([1, 2, 3])
        assert max(abs(v) for v in A * mpmath.matrix(x) - mpmath.matrix([1, 2, 3])) > 1e-3
