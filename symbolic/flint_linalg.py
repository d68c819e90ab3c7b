"""Dense multiprecision linear algebra in python-flint's compiled arb/acb code, with mpmath fallbacks.

mpmath's ``lu_solve`` and ``eigsy`` are pure Python, O(n^3): at n = 66 a solve takes ~0.35 s
and an eigendecomposition ~3.5 s; flint's take ~0.02 s and ~0.25 s. Each function here takes
and returns mpmath numbers at the current mpmath precision (the working precision a check's
:meth:`verify.precision.Precision.context` sets): entries enter flint exactly (an mpf is a
dyadic), flint works at that precision plus guard bits, and its results leave rounded once
to the mpmath precision (:func:`symbolic.block_flint.to_mpmath`). flint's precision is
process-global like mpmath's, so it is set and restored under the same lock
(:data:`symbolic.mpmath_lock.LOCK`).

Where flint cannot do the job (a matrix it cannot prove non-singular, eigenvalues it cannot
isolate or enclose to the working precision, no python-flint) the mpmath function is called
as before, so its results and its errors (``ZeroDivisionError`` for a singular matrix) are
exactly today's.
"""

from __future__ import annotations

import contextlib

import mpmath

from .mpmath_lock import LOCK

try:
    import flint
except ImportError:     # pragma: no cover - python-flint is a dependency; mpmath's functions remain
    flint = None

SOLVE_GUARD = 16    # bits above the mpmath precision for solves and inverses
EIG_GUARD = 32      # ... for eigendecompositions (their enclosures must come out below 2^-prec)


@contextlib.contextmanager
def flint_precision(guard: int):
    """Hold :data:`LOCK` and set flint's precision to the mpmath precision + ``guard`` bits; restore it after."""
    with LOCK:
        before = flint.ctx.prec
        flint.ctx.prec = mpmath.mp.prec + guard
        try:
            yield
        finally:
            flint.ctx.prec = before


def _is_complex(A) -> bool:
    return any(isinstance(A[i, j], mpmath.mpc) for i in range(A.rows) for j in range(A.cols))


def _flint_matrix(A, complex_entries: bool):
    from .block_flint import to_flint   # lazily: it imports numpy, which a CLI error message does not need

    rows = [[to_flint(A[i, j]) for j in range(A.cols)] for i in range(A.rows)]
    return flint.acb_mat(rows) if complex_entries else flint.arb_mat(rows)


def _approximate_solve(A, rhs):
    """flint's floating-point LU solve of A X = rhs (mpmath matrices), or None when flint finds A singular.

    Singular means: flint cannot prove A non-singular at this precision (its certified solve
    fails). The values are those of ``algorithm="approx"`` (a plain LU with partial pivoting),
    not the certified ball's midpoints: those are no better than the ball is narrow (an
    ill-conditioned A), where the LU solution is as accurate as ``mpmath.lu_solve``'s.
    """
    complex_entries = _is_complex(A) or _is_complex(rhs)
    A, rhs = _flint_matrix(A, complex_entries), _flint_matrix(rhs, complex_entries)
    try:
        A.solve(rhs)
        X = A.solve(rhs, algorithm="approx")
    except ZeroDivisionError:
        return None
    entries = [[X[i, j] for j in range(X.ncols())] for i in range(X.nrows())]
    return entries if all(v.is_finite() for row in entries for v in row) else None


def solve(A, b) -> list:
    """x with A x = b (square A; mpf or mpc entries), as a list rounded once to the mpmath precision.

    flint's LU at the working precision + :data:`SOLVE_GUARD` bits (:func:`_approximate_solve`);
    where flint finds A singular, ``mpmath.lu_solve`` decides (a singular A raises its
    ``ZeroDivisionError``, "matrix is numerically singular").
    """
    b = [mpmath.mpmathify(v) for v in b]
    if flint is not None and A.rows:
        with flint_precision(SOLVE_GUARD):
            x = _approximate_solve(A, mpmath.matrix(b))
            if x is not None:
                from .block_flint import to_mpmath

                return [to_mpmath(row[0]) for row in x]
    return list(mpmath.lu_solve(A, mpmath.matrix(b)))


def inverse(A):
    """A^-1 as a list of rows at the mpmath precision + :data:`SOLVE_GUARD` bits, or None when flint finds A singular.

    The entries keep the guard bits: a product A^-1 b rounded once is then as accurate as an LU
    solve at the working precision for all but nearly singular A.
    """
    if flint is None or A.rows == 0:
        return None
    with flint_precision(SOLVE_GUARD):
        inv = _approximate_solve(A, mpmath.eye(A.rows))
        if inv is None:
            return None
        from .block_flint import to_mpmath

        with mpmath.extraprec(SOLVE_GUARD):
            return [[to_mpmath(v) for v in row] for row in inv]


def _symmetric_enclosures(H, vectors: bool):
    """flint's enclosures of a real symmetric H's eigenvalues (and unit eigenvectors), or None.

    None when flint cannot isolate the eigenvalues (a multiple or clustered one) or an enclosure
    is wider than the working precision: of ||H|| for an eigenvalue, of 1 for an eigenvector
    entry (a near-degenerate pair: its vectors are ill-determined). Otherwise ``(values, Q)``,
    ascending, rounded once to the mpmath precision; each vector has unit 2-norm and, for a real
    phase, is divided by the phase of its largest entry. Q is None without ``vectors``.
    """
    from .block_flint import to_mpmath

    n = H.rows
    with flint_precision(EIG_GUARD):
        A = _flint_matrix(H, True)
        try:
            if vectors:
                values, R = A.eig(right=True)
            else:
                values, R = A.eig(), None
        except ValueError:     # "failed to isolate eigenvalues"
            return None
        eps = flint.arb(2) ** -mpmath.mp.prec
        scale = max((abs(values[i]).upper() for i in range(n)), default=flint.arb(0)) or flint.arb(1)
        if not all(abs(values[i] - values[i].real.mid()).upper() <= eps * scale for i in range(n)):
            return None
        order = sorted(range(n), key=lambda i: values[i].real.mid())
        lam = [to_mpmath(values[i].real) for i in order]
        if not vectors:
            return lam, None
        Q = mpmath.matrix(n, n)
        for k, i in enumerate(order):
            col = [R[j, i] for j in range(n)]
            top = max(col, key=lambda v: abs(v).mid())
            phase = top / abs(top)
            col = [v / phase for v in col]
            norm = sum((v.real ** 2 for v in col), flint.arb(0)).sqrt()
            col = [v / norm for v in col]
            if not all(abs(v - v.real.mid()).upper() <= eps for v in col):
                return None
            for j in range(n):
                Q[j, k] = to_mpmath(col[j].real)
        return lam, Q


def _real_symmetric(H) -> bool:
    """Whether H is square, not empty, real and symmetric entry for entry (else mpmath.eigsy takes it, as before)."""
    n = H.rows
    return (n > 0 and H.cols == n and all(isinstance(H[i, j], mpmath.mpf) for i in range(n) for j in range(n))
            and all(H[i, j] == H[j, i] for i in range(n) for j in range(i)))


def eigsy(H, eigvals_only=False):
    """``mpmath.eigsy`` for a real symmetric H: ascending eigenvalues (an n x 1 matrix) and orthonormal Q.

    flint's rigorous enclosures (``acb_mat.eig``) at the working precision + :data:`EIG_GUARD`
    bits when they isolate every eigenvalue to the working precision (the midpoints are then
    within 2^-prec of the true values and vectors); else ``mpmath.eigsy`` (a repeated or
    clustered eigenvalue, or an H that is not exactly real symmetric). With ``eigvals_only`` the
    eigenvalues alone (``multiple=True`` is not used: a repeated eigenvalue goes to
    ``mpmath.eigsy`` too).
    """
    found = _symmetric_enclosures(H, not eigvals_only) if flint is not None and _real_symmetric(H) else None
    if found is None:
        return mpmath.eigsy(H, eigvals_only=eigvals_only)
    lam, Q = found
    return mpmath.matrix(lam) if eigvals_only else (mpmath.matrix(lam), Q)
