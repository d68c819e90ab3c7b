"""symbolic/flint_linalg.py (python-flint's solve, inverse and eigendecomposition) against mpmath's own code.

The references are independent: mpmath.lu_solve and mpmath.eigsy (pure Python), at the working
precision and at 30 more digits. flint's answers must agree with them to the working precision,
take mpmath's path where flint cannot decide (a singular matrix, a repeated or clustered
eigenvalue), and leave flint's global precision as it was.
"""

from __future__ import annotations

import random

import flint
import mpmath
import pytest

from symbolic import flint_linalg, load_model
from symbolic.compile import compile_model
from symbolic.zoo import BUILTINS

DPS = 30


def _random_symmetric(n, seed):
    rng = random.Random(seed)
    A = mpmath.matrix(n, n)
    for i in range(n):
        for j in range(i + 1):
            A[i, j] = A[j, i] = mpmath.mpf(rng.gauss(0, 1))
    return A


def _rotated(values, seed=3):
    """Q diag(values) Q^T with Q an exact-ish rotation (mpmath's QR of a random matrix), rounded to the precision."""
    n = len(values)
    rng = random.Random(seed)
    Q, _ = mpmath.qr(mpmath.matrix([[rng.gauss(0, 1) for _ in range(n)] for _ in range(n)]))
    A = Q * mpmath.diag(values) * Q.T
    for i in range(n):
        for j in range(i):
            A[i, j] = A[j, i]            # exactly symmetric
    return A


def _max(m):
    return max((abs(v) for v in m), default=mpmath.mpf(0))


def _agrees_with_eigsy(A):
    """eigsy's values and f(H) = Q diag(lambda) Q^T, ours against mpmath.eigsy at 30 more digits."""
    lam, Q = flint_linalg.eigsy(A)
    n = A.rows
    with mpmath.extradps(30):
        ref_lam, ref_Q = mpmath.eigsy(A)
        scale = _max(ref_lam)
        value_error = max(abs(a - b) for a, b in zip(lam, ref_lam)) / scale
        reconstructed = Q * mpmath.diag(lam) * Q.T
        reconstruction_error = _max(reconstructed - A) / scale
        orthogonality_error = _max(Q.T * Q - mpmath.eye(n))
        # the vectors themselves, up to sign (the eigenvalues are simple)
        vector_error = max(min(_max(Q.column(k) - ref_Q.column(k)), _max(Q.column(k) + ref_Q.column(k)))
                           for k in range(n))
    return value_error, reconstruction_error, orthogonality_error, vector_error


def test_a_random_symmetric_20x20_agrees_with_eigsy_to_working_precision():
    with mpmath.workdps(DPS):
        A = _random_symmetric(20, seed=1)
        errors = _agrees_with_eigsy(A)
        assert all(e <= mpmath.mpf(10) ** (2 - DPS) for e in errors), [mpmath.nstr(e, 3) for e in errors]
        # mpmath.eigsy at the working precision itself is no more accurate than flint's answer
        ref = mpmath.eigsy(A, eigvals_only=True)
        lam = flint_linalg.eigsy(A, eigvals_only=True)
        assert max(abs(a - b) for a, b in zip(lam, ref)) <= mpmath.mpf(10) ** (2 - DPS) * _max(ref)


@pytest.mark.parametrize("name", list(BUILTINS))
def test_built_in_hessians_agree_with_eigsy(name):
    compiled = compile_model(load_model(name))
    with mpmath.workdps(DPS):
        theta = compiled.theta_values(DPS)
        s = [mpmath.mpf(i + 1) / 7 for i in range(compiled.n)]
        errors = _agrees_with_eigsy(compiled.H(s, theta))
        assert all(e <= mpmath.mpf(10) ** (2 - DPS) for e in errors), [mpmath.nstr(e, 3) for e in errors]


def test_a_wrong_decomposition_is_told_apart():
    """The false variant: the decomposition of a matrix moved by 1e-25 does not pass the same test."""
    with mpmath.workdps(DPS):
        A = _random_symmetric(20, seed=1)
        moved = A.copy()
        moved[3, 5] = moved[5, 3] = moved[3, 5] * (1 + mpmath.mpf("1e-25"))
        lam, Q = flint_linalg.eigsy(moved)
        with mpmath.extradps(30):
            error = _max(Q * mpmath.diag(lam) * Q.T - A) / _max(lam)
        assert error > mpmath.mpf(10) ** (2 - DPS)


@pytest.mark.parametrize("values", [[1, 1, 2], [2, 2, 2, -1], ["1", "1.000000000000000000000000000000000001", "3"]],
                         ids=["repeated", "triple", "clustered below the precision"])
def test_a_repeated_or_clustered_eigenvalue_falls_back_to_eigsy(monkeypatch, values):
    calls = []
    eigsy = mpmath.eigsy
    monkeypatch.setattr(mpmath, "eigsy", lambda A, **kw: calls.append(kw) or eigsy(A, **kw))
    with mpmath.workdps(DPS):
        A = _rotated([mpmath.mpf(v) for v in values])
        lam, Q = flint_linalg.eigsy(A)
        assert len(calls) == 1                         # flint could not isolate: mpmath's path
        ref = sorted(mpmath.mpf(v) for v in values)
        assert max(abs(a - b) for a, b in zip(lam, ref)) <= mpmath.mpf(10) ** (2 - DPS) * _max(ref)
        assert _max(Q * mpmath.diag(lam) * Q.T - A) <= mpmath.mpf(10) ** (2 - DPS) * _max(ref)
        assert len(flint_linalg.eigsy(A, eigvals_only=True)) == len(values) and len(calls) == 2


def test_a_matrix_that_is_not_real_symmetric_is_left_to_eigsy(monkeypatch):
    """mpmath.eigsy reads one triangle of a non-symmetric matrix; flint would not: the answer stays eigsy's."""
    calls = []
    eigsy = mpmath.eigsy
    monkeypatch.setattr(mpmath, "eigsy", lambda A, **kw: calls.append(kw) or eigsy(A, **kw))
    with mpmath.workdps(DPS):
        A = mpmath.matrix([[2, 1], [0, 3]])
        assert list(flint_linalg.eigsy(A, eigvals_only=True)) == list(eigsy(A, eigvals_only=True))
        assert len(calls) == 1


def test_solve_agrees_with_lu_solve_and_keeps_a_tiny_imaginary_part():
    with mpmath.workdps(DPS):
        A = _random_symmetric(20, seed=2) + 5 * mpmath.eye(20)
        b = [mpmath.mpc(mpmath.mpf(k + 1) / 7, mpmath.mpf(k - 2) * mpmath.mpf(10) ** -40) for k in range(20)]
        x = flint_linalg.solve(A, b)
        with mpmath.extradps(30):
            ref = mpmath.lu_solve(A, mpmath.matrix(b))
        for part in (mpmath.re, mpmath.im):
            size = max(abs(part(v)) for v in ref)
            assert max(abs(part(u) - part(v)) for u, v in zip(x, ref)) <= mpmath.mpf(10) ** (2 - DPS) * size
        # a complex matrix (acb_mat)
        C = A + mpmath.mpc(0, 1) * mpmath.eye(20)
        x = flint_linalg.solve(C, b)
        with mpmath.extradps(30):
            ref = mpmath.lu_solve(C, mpmath.matrix(b))
        assert _max(mpmath.matrix(x) - ref) <= mpmath.mpf(10) ** (2 - DPS) * _max(ref)
        # the false variant: another right side's solution is not this one's
        assert _max(mpmath.matrix(flint_linalg.solve(A, [2 * v for v in b])) - ref) > 1e-3


def test_a_singular_matrix_raises_mpmaths_error():
    with mpmath.workdps(DPS):
        with pytest.raises(ZeroDivisionError, match="matrix is numerically singular"):
            flint_linalg.solve(mpmath.matrix([[1, 2], [2, 4]]), [1, 1])
        assert flint_linalg.inverse(mpmath.matrix([[1, 2], [2, 4]])) is None


def test_flint_works_at_the_mpmath_precision_and_restores_its_own():
    before = flint.ctx.prec
    flint.ctx.prec = 77
    A = _random_symmetric(8, seed=4) + 4 * mpmath.eye(8)
    with mpmath.workdps(80):
        ref = mpmath.lu_solve(A, mpmath.matrix(list(range(8))))
        ref_lam = mpmath.eigsy(A, eigvals_only=True)
    for dps in (20, 50):
        with mpmath.workdps(dps):
            x = flint_linalg.solve(A, list(range(8)))
            lam = flint_linalg.eigsy(A, eigvals_only=True)
            assert flint.ctx.prec == 77
        with mpmath.workdps(80):
            error = _max(mpmath.matrix(x) - ref) / _max(ref)
            lam_error = max(abs(a - b) for a, b in zip(lam, ref_lam)) / _max(ref_lam)
        assert mpmath.mpf(10) ** -(dps + 3) <= error <= mpmath.mpf(10) ** (2 - dps)   # rounded to it, accurate to it
        assert lam_error <= mpmath.mpf(10) ** (2 - dps)
    assert flint.ctx.prec == 77
    flint.ctx.prec = before
