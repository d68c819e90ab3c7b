"""RBP route: the Cauchy problem Eq 11-14 at the free fixed point."""

from __future__ import annotations

import dataclasses

import mpmath

from ..numbers import matvec


@dataclasses.dataclass
class CauchyData:
    """H, M, X_0, Y_0 of Eq 11-14 evaluated at s_theta^0."""

    H: mpmath.matrix
    M: mpmath.matrix
    X0: list
    Y0: list


def cauchy_data(compiled, s0, theta) -> CauchyData:
    """X_0 = dC/ds (Eq 11), Y_0 = dC/dtheta (Eq 12), H (Eq 13), M (Eq 14) at s0."""
    return CauchyData(compiled.H(s0, theta), compiled.M(s0, theta),
                      compiled.dC_ds(s0, theta), compiled.dC_dtheta(s0, theta))


def closed_form(data: CauchyData, times) -> tuple[list, list]:
    """X_t = expm(-H t) X_0 and Y_t = Y_0 - M H^-1 (I - expm(-H t)) X_0 (Eq 13, 14 solved).

    A singular H (a degenerate critical point) uses the integral of expm(-H u)
    from its eigen-decomposition instead of H^-1.
    """
    n = data.H.rows
    eye = mpmath.eye(n)
    Xs, Ys = [], []
    try:
        Hinv = mpmath.inverse(data.H)
    except ZeroDivisionError:
        Hinv = None
    for t in times:
        t = mpmath.mpf(t)
        E = mpmath.expm(-data.H * t)
        X = matvec(E, data.X0)
        if Hinv is not None:
            W = Hinv * (eye - E)
        else:
            lam, V = mpmath.eigsy(data.H)
            phi = [t if abs(l) < mpmath.eps * 1e6 else (1 - mpmath.exp(-l * t)) / l for l in lam]
            W = V * mpmath.diag(phi) * V.T
        Y = [y - d for y, d in zip(data.Y0, matvec(data.M * W, data.X0))]
        Xs.append(X)
        Ys.append(Y)
    return Xs, Ys


def limit(data: CauchyData) -> tuple[list, list]:
    """t -> infinity of the closed form at a strict minimum: X = 0, Y = Y_0 - M H^-1 X_0 (Eq 10)."""
    Y = [y - d for y, d in zip(data.Y0, matvec(data.M, mpmath.lu_solve(data.H, mpmath.matrix(data.X0))))]
    return [mpmath.mpf(0)] * data.H.rows, Y


def by_ode(flows, data: CauchyData, times, *, precision):
    """(X_t, Y_t) by integrating Eq 13-14 from Eq 11-12 at ``precision.work`` digits; also the integrator's error estimate."""
    traj = flows.solve_cauchy(data.H, data.M, data.X0, data.Y0, times, dps=precision.work)
    n = data.H.rows
    return [st[:n] for st in traj.states], [st[n:] for st in traj.states], traj
