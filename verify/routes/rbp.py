"""RBP route: the Cauchy problem Eq 11-14 at the free fixed point."""

from __future__ import annotations

import dataclasses

import mpmath

from symbolic import flint_linalg

from ..numbers import matvec


@dataclasses.dataclass
class CauchyData:
    """H, M, X_0, Y_0 of Eq 11-14 evaluated at s_theta^0.

    ``spectra`` caches the eigen-decomposition of H (see :func:`spectrum`) by H's entries and the
    working precision. ``dataclasses.replace`` shares it: a variant with another M, X_0 or Y_0 reuses
    the decomposition, one with another H gets its own entry.
    """

    H: mpmath.matrix
    M: mpmath.matrix
    X0: list
    Y0: list
    spectra: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)


def cauchy_data(compiled, s0, theta) -> CauchyData:
    """X_0 = dC/ds (Eq 11), Y_0 = dC/dtheta (Eq 12), H (Eq 13), M (Eq 14) at s0."""
    return CauchyData(compiled.H(s0, theta), compiled.M(s0, theta),
                      compiled.dC_ds(s0, theta), compiled.dC_dtheta(s0, theta))


def spectrum(data: CauchyData):
    """(lambda, Q) with H = Q diag(lambda) Q^T, or None when H is not exactly real symmetric.

    :func:`symbolic.flint_linalg.eigsy`: python-flint's rigorous enclosures, whose midpoints are
    within 2^-prec of the true eigenvalues (relative to ||H||) and unit eigenvectors; mpmath.eigsy
    where flint cannot isolate the eigenvalues to the working precision (a repeated or clustered one).

    H of a gradient flow is a Hessian (Eq 13), symmetric entry for entry; the Jacobian of a
    non-gradient field is not, and gets None (the callers then use the Van Loan exponential).
    Computed once per H and working precision: the key is the precision and H's entries.
    """
    H = data.H
    n = H.rows
    key = (mpmath.mp.prec, tuple(H[i, j] for i in range(n) for j in range(n)))
    if key not in data.spectra:
        # eigsy needs a real symmetric matrix (a complex-symmetric H, e.g. E outside its real domain, is not)
        symmetric = (n > 0 and all(isinstance(H[i, j], mpmath.mpf) for i in range(n) for j in range(n))
                     and all(H[i, j] == H[j, i] for i in range(n) for j in range(i)))
        try:
            data.spectra[key] = flint_linalg.eigsy(H) if symmetric else None
        except RuntimeError:   # eigsy's QL iteration did not converge: the Van Loan path needs none
            data.spectra[key] = None
    return data.spectra[key]


def closed_form(data: CauchyData, times) -> tuple[list, list]:
    """X_t = expm(-H t) X_0 and Y_t = Y_0 - M t phi_1(-H t) X_0 (Eq 13, 14 solved), for each t in ``times``.

    t phi_1(-H t) = int_0^t expm(-H u) du = H^-1 (I - expm(-H t)) when H is invertible, but that
    form cancels catastrophically when ||H|| t << 1 (it loses log10(1/(||H|| t)) digits) and needs
    a special case for a singular H. A symmetric H (every Hessian) is decomposed once,
    H = Q diag(lambda) Q^T (:func:`spectrum`), and then each time costs O(n^2 + p n):

        X_t = Q diag(exp(-lambda t)) Q^T X_0,
        t phi_1(-H t) X_0 = Q diag(-expm1(-lambda t) / lambda) Q^T X_0   (t where lambda = 0).

    -expm1(-lambda t) / lambda has no subtraction for any sign or size of lambda t (a tiny,
    zero or negative eigenvalue: saddles and maxima), so this keeps both properties. It is
    backward stable: the computed Q, lambda are exact for H + dH with ||dH|| ~ eps ||H|| and Q
    orthogonal to ~eps, the same order as mpmath.expm's error. Near-degenerate eigenvalues make
    the individual eigenvectors ill-conditioned, but not f(H) = Q f(Lambda) Q^T: the ill-determined
    vectors span a well-determined invariant subspace on which f is nearly constant.

    Any other H uses :func:`van_loan` (one matrix exponential per time).
    """
    eig = spectrum(data)
    if eig is None:
        return van_loan(data, times)
    lam, Q = eig
    n = data.H.rows
    c = [mpmath.fsum(Q[j, i] * data.X0[j] for j in range(n)) for i in range(n)]   # Q^T X_0
    Xs, Ys = [], []
    for t in times:
        t = mpmath.mpf(t)
        if t == 0:
            Xs.append(list(data.X0))
            Ys.append(list(data.Y0))
            continue
        Xs.append(matvec(Q, [mpmath.exp(-lam[i] * t) * c[i] for i in range(n)]))
        W = matvec(Q, [(-mpmath.expm1(-lam[i] * t) / lam[i] if lam[i] != 0 else t) * c[i] for i in range(n)])
        Ys.append([y - d for y, d in zip(data.Y0, matvec(data.M, W))])
    return Xs, Ys


def van_loan(data: CauchyData, times) -> tuple[list, list]:
    """The closed form of Eq 13-14 (as :func:`closed_form`) for any square H, one expm per time.

    Both blocks come from one exponential of the augmented matrix

        expm([[-H t, X_0 t], [0, 0]]) = [[expm(-H t), t phi_1(-H t) X_0], [0, 1]]

    (Van Loan 1978), which has no subtraction and holds for any H (singular, non-symmetric).
    """
    n = data.H.rows
    X0 = list(data.X0)
    size = max((abs(x) for x in X0), default=0) or mpmath.mpf(1)   # the column X_0/|X_0| keeps ||A|| ~ ||H t||
    Xs, Ys = [], []
    for t in times:
        t = mpmath.mpf(t)
        A = mpmath.zeros(n + 1, n + 1)
        for i in range(n):
            for j in range(n):
                A[i, j] = -data.H[i, j] * t
            A[i, n] = X0[i] / size * t
        E = mpmath.expm(A)
        Xs.append([mpmath.fsum(E[i, j] * X0[j] for j in range(n)) for i in range(n)])
        WX0 = [E[i, n] * size for i in range(n)]
        Ys.append([y - d for y, d in zip(data.Y0, matvec(data.M, WX0))])
    return Xs, Ys


def limit(data: CauchyData) -> tuple[list, list]:
    """t -> infinity of the closed form at a strict minimum: X = 0, Y = Y_0 - M H^-1 X_0 (Eq 10).

    H^-1 X_0 = Q diag(1/lambda) Q^T X_0 from the cached decomposition (O(n^2)); mpmath.lu_solve for
    a non-symmetric H. Both are backward stable: an error ~ eps cond(H) |H^-1 X_0|.
    """
    eig = spectrum(data)
    if eig is None:
        W = list(mpmath.lu_solve(data.H, mpmath.matrix(data.X0)))
    else:
        lam, Q = eig
        n = data.H.rows
        W = matvec(Q, [mpmath.fsum(Q[j, i] * data.X0[j] for j in range(n)) / lam[i] for i in range(n)])
    Y = [y - d for y, d in zip(data.Y0, matvec(data.M, W))]
    return [mpmath.mpf(0)] * data.H.rows, Y


def by_ode(flows, data: CauchyData, times, *, precision):
    """(X_t, Y_t, trajectory, kappa) by integrating Eq 13-14 from Eq 11-12 at ``precision.work`` digits.

    Y does not enter the right side of Eq 13-14, which is linear, so the integrator follows
    Z = (Y_t - Y_0) / kappa from Z = 0 (dZ/dt = -(M / kappa) X) and Y_t = Y_0 + kappa Z:
    kappa = ||M|| min(t_max, 1/lambda_min(H)) bounds |Y_t - Y_0| / |X_0|, so X and Z have
    comparable sizes and the integrator's one error estimate (``trajectory.error_estimate``)
    holds for X, and kappa times it for Y. Neither a constant Y_0 nor a Y that grows far beyond
    X (a slow model at late times) leaves X with fewer digits.
    """
    n = data.H.rows
    t_max = max((mpmath.mpf(t) for t in times), default=mpmath.mpf(0))
    lam = min(_eigenvalues(data)) if n else mpmath.mpf(0)
    horizon = min(t_max, 1 / lam) if lam > 0 else t_max
    kappa = (mpmath.mnorm(data.M, mpmath.inf) if data.M.rows else 0) * horizon or mpmath.mpf(1)
    traj = flows.solve_cauchy(data.H, data.M / kappa, data.X0, [0] * len(data.Y0), times, dps=precision.work)
    return ([st[:n] for st in traj.states],
            [[y0 + kappa * z for y0, z in zip(data.Y0, st[n:])] for st in traj.states], traj, kappa)


def _eigenvalues(data: CauchyData):
    """H's eigenvalues (ascending): the cached decomposition's; for a non-symmetric H, eigsy's as before."""
    eig = spectrum(data)
    return eig[0] if eig is not None else mpmath.eigsy(data.H, eigvals_only=True)
