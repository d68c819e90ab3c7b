"""FactoredMatrix (one factorisation for many right-hand sides) against mpmath.lu_solve, which refactors each time.

FactoredMatrix keeps python-flint's inverse when flint proves the matrix non-singular, else an
mpmath LU factorisation; both must be as accurate as mpmath.lu_solve at the working precision.
"""

import mpmath
import pytest

from symbolic import flint_linalg
from verify.numbers import FactoredMatrix


def _matrix(n, shift):
    A = mpmath.matrix([[mpmath.mpf(i + 2 * j + 1) / (i * j + 3) for j in range(n)] for i in range(n)])
    A[0, 0] = 0                       # a zero pivot: the factorisation must permute rows
    return A + shift * mpmath.eye(n)


@pytest.mark.parametrize("n", [1, 2, 7])
@pytest.mark.parametrize("shift", [mpmath.mpf(3), mpmath.mpc(3, "1e-3")])
@pytest.mark.parametrize("path", ["flint", "mpmath LU"])
def test_agrees_with_lu_solve(n, shift, path, monkeypatch):
    if path == "mpmath LU":                           # flint cannot prove the matrix non-singular
        monkeypatch.setattr(flint_linalg, "inverse", lambda A: None)
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


@pytest.mark.parametrize("n", [6, 10])
def test_as_accurate_as_lu_solve_on_an_ill_conditioned_matrix(n):
    """Hilbert matrices (cond ~ 1e7 at n = 6, 1e13 at n = 10): the error against a solve at 40 more
    digits is at most a few times mpmath.lu_solve's own at the working precision."""
    with mpmath.workdps(30):
        A = mpmath.hilbert(n)
        b = [mpmath.mpf(k + 1) / 3 for k in range(n)]
        x, mine = FactoredMatrix(A).solve(b), mpmath.lu_solve(A, mpmath.matrix(b))
        with mpmath.extradps(40):
            ref = mpmath.lu_solve(A, mpmath.matrix(b))
            error = max(abs(u - v) for u, v in zip(x, ref))
            theirs = max(abs(u - v) for u, v in zip(mine, ref))
        assert error <= 4 * theirs, (mpmath.nstr(error, 3), mpmath.nstr(theirs, 3))


def test_a_singular_matrix_raises_as_before():
    with mpmath.workdps(30):
        with pytest.raises(ZeroDivisionError, match="matrix is numerically singular"):
            FactoredMatrix(mpmath.matrix([[1, 2], [2, 4]]))
