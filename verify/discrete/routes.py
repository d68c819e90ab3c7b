"""Three independent routes to the quantities of the GDU property (Ernoult et al. 2019, Theorem 1).

- :func:`unrolled`: BPTT as derivatives of the unrolled objective
  L_t(theta, s) = C(F^t(s)) by complex step on the nonlinear map (the
  Jacobian of F is never formed): dL_t/ds(s*), d/dtheta' C(F^t(F_theta'(s*)))
  (theta perturbed only in the step that leaves s*), and
  d/dtheta C(F_theta^K(s*)) (theta in all K steps, the total BPTT gradient).
- :func:`adjoint`: BPTT by the linear recursion g_0 = dC/ds(s*),
  g_{t+1} = (dF/ds(s*))^T g_t, with dF/dtheta(s*)^T g_t for theta.
- :func:`ep`: EP's nudged sequence s^b_0 = s*, s^b_{t+1} = F(s^b_t) - b dC/ds(s^b_t)
  at finite beta, DeltaEP_s(t) = (s^b_{t+1} - s^b_t)/b and
  DeltaEP_theta(t) = (dPhi/dtheta(s^b_{t+1}) - dPhi/dtheta(s^b_t))/b, with
  beta -> 0 by one of the beta methods (:mod:`verify.extrapolate`).
"""

from __future__ import annotations

import dataclasses

import mpmath

from ..extrapolate import plan as beta_plan
from ..numbers import matvec
from ..routes.direct import Directional, directions_for
from . import fixed_point


@dataclasses.dataclass
class Unrolled:
    """Complex-step BPTT: ``s.values[t]`` = dL_t/ds(s*) (projected), t = 0 .. K; ``theta`` t < K; ``total``."""

    s: Directional
    theta: Directional | None
    total: Directional | None     # one entry: d/dtheta C(F_theta^K(s*))
    error_estimate: mpmath.mpf
    evaluations: int


def unrolled(cm, s_star, theta, K, prec, max_directions=64, seed=0) -> Unrolled:
    """dL_t/ds for t = 0..K and the per-step and total parameter gradients, by complex step."""
    h = prec.complex_step
    n, p = len(s_star), len(theta)
    dirs_s, full_s = directions_for(n, max_directions, seed)
    rows_s = [[None] * len(dirs_s) for _ in range(K + 1)]
    for d, u in enumerate(dirs_s):
        s = [mpmath.mpc(x, h * a) for x, a in zip(s_star, u)]
        for t in range(K + 1):
            rows_s[t][d] = mpmath.im(cm.cost(s, theta)) / h
            if t < K:
                s = cm.F(s, theta)
    evaluations = len(dirs_s) * K
    theta_route = total = None
    if cm.dPhi_dtheta is not None:
        dirs_p, full_p = directions_for(p, max_directions, seed + 1)
        rows_p = [[None] * len(dirs_p) for _ in range(K)]
        tot = [[None] * len(dirs_p)]
        for d, u in enumerate(dirs_p):
            theta_c = [mpmath.mpc(x, h * a) for x, a in zip(theta, u)]
            s = cm.F(s_star, theta_c)            # theta' only in the step that leaves s*
            for t in range(K):
                rows_p[t][d] = mpmath.im(cm.cost(s, theta)) / h
                if t < K - 1:
                    s = cm.F(s, theta)
            s = list(s_star)                     # theta in all K steps (the cost at real theta)
            for _ in range(K):
                s = cm.F(s, theta_c)
            tot[0][d] = mpmath.im(cm.cost(s, theta)) / h
        theta_route = Directional(dirs_p, rows_p, full_p)
        total = Directional(dirs_p, tot, full_p)
        evaluations += 2 * len(dirs_p) * K
    # complex step has no cancellation: rounding of K map evaluations
    return Unrolled(Directional(dirs_s, rows_s, full_s), theta_route, total, (K + 1) * 10 * prec.eps, evaluations)


@dataclasses.dataclass
class Adjoint:
    """BPTT by the adjoint recursion with dF/ds at s*: ``s[t]`` = g_t, ``theta[t]`` = dF/dtheta^T g_t."""

    s: list
    theta: list | None
    J: mpmath.matrix
    dF_dtheta: mpmath.matrix


def adjoint(cm, s_star, theta, K, jacobian_at=None) -> Adjoint:
    """g_t for t <= K and dF/dtheta^T g_t for t < K (``jacobian_at``: only for a false variant)."""
    at = s_star if jacobian_at is None else jacobian_at
    J, B = cm.JF(at, theta), cm.dF_dtheta(at, theta)
    JT, BT = J.T, B.T
    g = cm.dC_ds(s_star, theta)
    gs, gt = [], []
    for t in range(K + 1):
        gs.append(g)
        gt.append(matvec(BT, g))
        g = matvec(JT, g)
    return Adjoint(gs, gt[:K] if cm.dPhi_dtheta is not None else None, J, B)


def rbp_dJ_dtheta(cm, s_star, theta, J, B):
    """dJ/dtheta = dC/dtheta + dF/dtheta^T (I - dF/ds^T)^-1 dC/ds (implicit function theorem at s*)."""
    n = len(s_star)
    lam = mpmath.lu_solve(mpmath.eye(n) - J.T, mpmath.matrix(cm.dC_ds(s_star, theta)))
    return [a + b for a, b in zip(cm.dC_dtheta(s_star, theta), matvec(B.T, list(lam)))]


@dataclasses.dataclass
class EPResult:
    """beta -> 0 limits of the nudged sequence's differences, per step t < K."""

    delta_s: list                 # K vectors over the state
    delta_theta: list | None      # K vectors over the params (None for an [update] map)
    update: list | None           # (dPhi/dtheta(s^b_K) - dPhi/dtheta(s*))/b -> 0, read directly
    extrapolation_error: mpmath.mpf
    description: str
    sequences: int


def ep(cm, s_star, theta, K, method, prec, sign=1, free_state_theta=False) -> EPResult:
    """EP's estimates from the nudged sequence at the betas of ``method``.

    ``sign = -1`` nudges with +beta dC/ds and ``free_state_theta`` reads
    dPhi/dtheta against the free state s* instead of the previous step: both
    only for the deliberately false variants.
    """
    bp = beta_plan(method, prec.dps)
    hi = prec.raised(bp.extra_digits)
    n, have_theta = len(s_star), cm.dPhi_dtheta is not None
    with hi.context():
        s0 = fixed_point.polish(cm, theta, s_star, hi)
        th = [mpmath.mpf(v) for v in theta]
        rows = []
        for beta in bp.betas:
            seq = [s0]
            for _ in range(K):
                seq.append(cm.nudged(seq[-1], th, sign * beta))
            row = [(b - a) / beta for t in range(K) for a, b in zip(seq[t], seq[t + 1])]
            if have_theta:
                dphi = [cm.dPhi_dtheta(x, th) for x in seq]
                for t in range(K):
                    ref = dphi[0] if free_state_theta else dphi[t]
                    row += [(b - a) / beta for a, b in zip(ref, dphi[t + 1])]
                row += [(b - a) / beta for a, b in zip(dphi[0], dphi[K])]
            rows.append(row)
        values, err = bp.combine(rows)
    values = [mpmath.mpf(v) for v in values]
    delta_s = [values[t * n:(t + 1) * n] for t in range(K)]
    delta_theta = update = None
    if have_theta:
        p, off = len(theta), K * n
        delta_theta = [values[off + t * p: off + (t + 1) * p] for t in range(K)]
        update = values[off + K * p: off + (K + 1) * p]
    return EPResult(delta_s, delta_theta, update, err, bp.description, len(bp.betas))
