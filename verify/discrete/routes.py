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
import numpy as np

from symbolic.exact_matmul import dyadic_matmul

from ..extrapolate import plan as beta_plan
from ..numbers import matvec
from ..routes.direct import Directional, directions_for
from . import fixed_point
from . import matrix_free as mfree


@dataclasses.dataclass
class Unrolled:
    """Complex-step BPTT: ``s.values[t]`` = dL_t/ds(s*) (projected), t = 0 .. K; ``theta`` t < K; ``total``."""

    s: Directional
    theta: Directional | None
    total: Directional | None     # one entry: d/dtheta C(F_theta^K(s*))
    error_estimate: mpmath.mpf
    evaluations: int


DYADIC_BITS = 50


class Projected(Directional):
    """Seeded random directions rounded to multiples of 2^-50 (exact floats), for a large space.

    The directions are numpy's normal variates (``numpy.random.default_rng(seed)``)
    normalised in float64 and rounded to dyadics, so that a complex step and
    a projection of a vector of 10^5 entries are integer operations
    (:func:`symbolic.exact_matmul.dyadic_matmul`); ``directions`` holds them
    as float64 rows (their exact values).
    """

    def __init__(self, size, count, seed):
        w = np.random.default_rng(seed).standard_normal((count, size))
        w /= np.linalg.norm(w, axis=1, keepdims=True)
        ints = np.rint(np.ldexp(w, DYADIC_BITS))
        super().__init__([np.ldexp(row, -DYADIC_BITS) for row in ints], None, False)
        self.ints = ints.astype(np.int64).astype(object)

    def with_values(self, values) -> "Projected":
        """The same directions carrying a route's ``values``."""
        out = Projected.__new__(Projected)
        out.__dict__.update(self.__dict__, values=values)
        return out

    def project(self, vectors):
        """The same projections of another route's vectors (one per time), each dot product exact."""
        if not vectors:
            return []
        V = np.array([list(v) for v in vectors], dtype=object).T
        out = dyadic_matmul(self.ints, -DYADIC_BITS, V)
        return [list(out[:, k]) for k in range(out.shape[1])]


def directions(size, max_directions, seed):
    """Unit vectors up to ``max_directions`` components (as the continuous check), else :class:`Projected`."""
    if size <= max_directions:
        return directions_for(size, max_directions, seed)
    return Projected(size, max_directions, seed), False


def _directional(dirs, values, full):
    return dirs.with_values(values) if isinstance(dirs, Projected) else Directional(dirs, values, full)


def _theta_step(cm, theta, h, dirs, d):
    """theta + i h u_d: on integers by a block-compiled model for a dyadic direction, else as mpc numbers."""
    if isinstance(dirs, Projected):
        if hasattr(cm, "theta_step"):
            return cm.theta_step(theta, h, dirs.ints[d], -DYADIC_BITS)
        return [mpmath.mpc(x, h * float(a)) for x, a in zip(theta, dirs.directions[d])]
    return [mpmath.mpc(x, h * a) for x, a in zip(theta, dirs[d])]


def unrolled(cm, s_star, theta, K, prec, max_directions=64, seed=0) -> Unrolled:
    """dL_t/ds for t = 0..K and the per-step and total parameter gradients, by complex step."""
    h = prec.complex_step
    n, p = len(s_star), len(theta)
    dirs_s, full_s = directions(n, max_directions, seed)
    us = dirs_s.directions if isinstance(dirs_s, Projected) else dirs_s
    rows_s = [[None] * len(us) for _ in range(K + 1)]
    for d, u in enumerate(us):
        s = [mpmath.mpc(x, h * float(a)) for x, a in zip(s_star, u)]
        for t in range(K + 1):
            rows_s[t][d] = mpmath.im(cm.cost(s, theta)) / h
            if t < K:
                s = cm.F(s, theta)
    evaluations = len(us) * K
    theta_route = total = None
    if cm.dPhi_dtheta is not None:
        dirs_p, full_p = directions(p, max_directions, seed + 1)
        count = len(dirs_p.directions) if isinstance(dirs_p, Projected) else len(dirs_p)
        rows_p = [[None] * count for _ in range(K)]
        tot = [[None] * count]
        for d in range(count):
            theta_c = _theta_step(cm, theta, h, dirs_p, d)
            first = s = cm.F(s_star, theta_c)    # theta' only in the step that leaves s*
            for t in range(K):
                rows_p[t][d] = mpmath.im(cm.cost(s, theta)) / h
                if t < K - 1:
                    s = cm.F(s, theta)
            s = first                            # theta in all K steps (the cost at real theta)
            for _ in range(K - 1):
                s = cm.F(s, theta_c)
            tot[0][d] = mpmath.im(cm.cost(s, theta)) / h
        theta_route = _directional(dirs_p, rows_p, full_p)
        total = _directional(dirs_p, tot, full_p)
        evaluations += count * (2 * K - 1)
    # complex step has no cancellation: rounding of K map evaluations
    return Unrolled(_directional(dirs_s, rows_s, full_s), theta_route, total, (K + 1) * 10 * prec.eps, evaluations)


@dataclasses.dataclass
class Adjoint:
    """BPTT by the adjoint recursion with dF/ds at s*: ``s[t]`` = g_t, ``theta[t]`` = dF/dtheta^T g_t."""

    s: list
    theta: list | None
    J: mpmath.matrix | None          # None when matrix-free (a large model compiled by blocks)
    dF_dtheta: mpmath.matrix | None


def adjoint(cm, s_star, theta, K, jacobian_at=None) -> Adjoint:
    """g_t for t <= K and dF/dtheta^T g_t for t < K (``jacobian_at``: only for a false variant)."""
    at = s_star if jacobian_at is None else jacobian_at
    if mfree.matrix_free(cm):
        return _adjoint_matrix_free(cm, s_star, theta, K, at)
    J, B = cm.JF(at, theta), cm.dF_dtheta(at, theta)
    JT, BT = J.T, B.T
    g = cm.dC_ds(s_star, theta)
    gs, gt = [], []
    for t in range(K + 1):
        gs.append(g)
        gt.append(matvec(BT, g))
        g = matvec(JT, g)
    return Adjoint(gs, gt[:K] if cm.dPhi_dtheta is not None else None, J, B)


def _adjoint_matrix_free(cm, s_star, theta, K, at) -> Adjoint:
    """The same recursion with (J^T g, dF/dtheta^T g) from one reverse pass with tangent g at ``at`` (J = J^T)."""
    g = cm.dC_ds(s_star, theta)
    gs, gt = [], []
    for _ in range(K + 1):
        gs.append(g)
        g_next, g_theta = cm.hvp(at, theta, g)
        gt.append(g_theta)
        g = g_next
    return Adjoint(gs, gt[:K], None, None)


def rbp_dJ_dtheta(cm, s_star, theta, J, B, prec=None, pre=None):
    """dJ/dtheta = dC/dtheta + dF/dtheta^T (I - dF/ds^T)^-1 dC/ds (implicit function theorem at s*).

    With J = None (matrix-free): the solve by iterative refinement preconditioned by ``pre``.
    """
    n = len(s_star)
    if J is None:
        lam = mfree.solve_adjoint(cm, theta, s_star, cm.dC_ds(s_star, theta), prec, pre)
        return [a + b for a, b in zip(cm.dC_dtheta(s_star, theta), cm.hvp(s_star, theta, lam)[1])]
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
    theta_projected: bool = False  # delta_theta and update are projections on the unrolled route's directions

    def theta_side(self, U, vectors):
        """``vectors`` (from this route's theta values) on the directions of ``U``, the unrolled route's."""
        return [list(v) for v in vectors] if self.theta_projected else U.project(vectors)


def ep(cm, s_star, theta, K, method, prec, sign=1, free_state_theta=False, pre=None, project=None) -> EPResult:
    """EP's estimates from the nudged sequence at the betas of ``method``.

    ``sign = -1`` nudges with +beta dC/ds and ``free_state_theta`` reads
    dPhi/dtheta against the free state s* instead of the previous step: both
    only for the deliberately false variants. ``project`` (the unrolled
    route's :class:`Projected` directions in theta, for a large model)
    projects dPhi/dtheta at each state before the differences and the beta
    limit (both linear), so that p ~ 10^5 values are not extrapolated one by one.
    """
    bp = beta_plan(method, prec.dps)
    hi = prec.raised(bp.extra_digits)
    n, have_theta = len(s_star), cm.dPhi_dtheta is not None
    with hi.context():
        s0 = fixed_point.polish(cm, theta, s_star, hi, pre)
        th = [mpmath.mpf(v) for v in theta]
        rows = []
        for beta in bp.betas:
            seq = [s0]
            for _ in range(K):
                seq.append(cm.nudged(seq[-1], th, sign * beta))
            row = [(b - a) / beta for t in range(K) for a, b in zip(seq[t], seq[t + 1])]
            if have_theta:
                if project is not None and hasattr(cm, "dPhi_dtheta_projected"):
                    dphi = [cm.dPhi_dtheta_projected(x, th, project.ints, -DYADIC_BITS) for x in seq]
                else:
                    dphi = [cm.dPhi_dtheta(x, th) for x in seq]
                    dphi = dphi if project is None else project.project(dphi)
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
        p, off = (len(theta) if project is None else len(project.directions)), K * n
        delta_theta = [values[off + t * p: off + (t + 1) * p] for t in range(K)]
        update = values[off + K * p: off + (K + 1) * p]
    return EPResult(delta_s, delta_theta, update, err, bp.description, len(bp.betas), project is not None)
