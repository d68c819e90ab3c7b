"""Fixed-point routes for Theorem 2: dJ/dtheta and the EP estimate of Eq 20.

- J route: J(theta) = C_theta(s_theta^0) (Eq 3) with the fixed point re-solved
  at theta + i h e_k (complex step): dJ/dtheta_k = Im J / h; for a large
  model, at theta + i h v along the direct route's seeded random directions v
  (projections dJ/dtheta . v). The Cauchy problem is not involved.
- EP fixed-point route: nudged fixed points s_theta^beta (Eq 19) for the
  plan's betas, g(beta) = (dE^beta/dtheta(s^beta) - dE/dtheta(s^0)) / beta,
  extrapolated to beta -> 0 (Eq 20).
"""

from __future__ import annotations

import mpmath

from ..extrapolate import BetaPlan
from ..fixed_point import FixedPointNotFound, converged, newton, term_sizes
from ..numbers import FactoredMatrix


def objective_gradient(compiled, s0, theta, *, precision, directions=None) -> list:
    """dJ/dtheta (Eq 3) by complex step on fixed points re-solved at perturbed theta.

    With ``directions`` (unit vectors v in theta, e.g. the direct route's seeded random
    projections of a large model) the values are dJ/dtheta . v = Im J(theta + i h v) / h, one
    perturbed fixed point per direction; without, the components (v = e_k).

    The perturbed fixed point solves dE/ds(s, theta + i h v) = 0 by chord
    iterations preconditioned with H(s0) (one LU factorisation for all v):
    H only steers the iteration; the converged point is certified by its own
    residual, so the result does not rest on H being right. The real and the
    imaginary parts of the residual are each judged against the size of their
    own terms (:class:`PerturbedResidualScales`): near a fold ds0/dtheta is
    huge (1e19 and more) and so are the imaginary parts of s.
    """
    H0, M0 = compiled.H(s0, theta), compiled.M(s0, theta)
    H = FactoredMatrix(H0)
    scales = PerturbedResidualScales(H0, M0, s0, theta)
    first = FirstSteps(H, compiled.dE_ds(s0, theta), M0)
    s0_size = max((abs(x) for x in s0), default=mpmath.mpf(0))
    out = []
    for k in range(compiled.p if directions is None else len(directions)):
        v = None if directions is None else directions[k]
        h = precision.complex_step
        theta_c, s = _perturbed_fixed_point(compiled, H, s0, theta, k, v, h, precision, first)
        moved = max(abs(mpmath.im(x)) for x in s) / (h * s0_size) if s0_size else 0
        if moved > 1:
            # ds0/dtheta is huge (near a fold): the truncation error (h/R)^2 of the complex step
            # grows with it; shrink h so that s moves by complex_step of its own size
            h = h / moved
            theta_c, s = _perturbed_fixed_point(compiled, H, s0, theta, k, v, h, precision, first)
        residual = compiled.dE_ds(s, theta_c)
        size = max(abs(mpmath.re(x)) for x in residual)
        im_size = max(abs(mpmath.im(x)) for x in residual)
        re_scale, im_scale = scales.re, scales.imaginary(s, h, scales.weights(k, v))
        if size > precision.root_tolerance(re_scale) or im_size > precision.root_tolerance(im_scale):
            where = f"e_{k}" if v is None else f"v_{k} (projection {k})"
            raise FixedPointNotFound(
                f"fixed point at theta + i h {where} not found (residual {mpmath.nstr(size, 3)} against terms of size "
                f"{mpmath.nstr(re_scale, 3)}, imaginary part {mpmath.nstr(im_size, 3)} against terms of size "
                f"{mpmath.nstr(im_scale, 3)})")
        out.append(mpmath.im(compiled.cost(s, theta_c)) / h)
    return out


def _perturbed_fixed_point(compiled, H, s0, theta, k, v, h, precision, first):
    theta_c = list(theta)
    if v is None:
        theta_c[k] = mpmath.mpc(theta[k], h)
    else:
        theta_c = [mpmath.mpc(th, h * vk) for th, vk in zip(theta, v)]
    return theta_c, chord_solve(lambda s: compiled.dE_ds(s, theta_c), H, [mpmath.mpc(x) for x in s0],
                                 precision=precision, first_step=first.step(k, v, h))


class FirstSteps:
    """The first chord step from s_theta^0 toward the fixed point at theta + i h v, without evaluating
    dE/ds at complex theta: there dE/ds(s0, theta + i h v) = dE/ds(s0, theta) + i h M^T v + O(h^2)
    (h ~ 10^-(work + 10), so the O(h^2) is far below the working precision), and H^-1 of the
    real part is the same for every v. Like H, M only steers: the iterations that follow use the
    true residual, and the point is certified by it (a wrong M costs an iteration, not a digit).
    """

    def __init__(self, H: FactoredMatrix, residual0, M):
        self.H, self.M = H, M
        self.real = H.solve(list(residual0))
        self._columns = [_nonzero([M[k, i] for k in range(M.rows)]) for i in range(M.cols)]

    def step(self, k, v, h):
        """H^-1 (dE/ds(s0, theta) + i h M^T v) (v = e_k when None)."""
        if v is None:
            mv = [self.M[k, i] for i in range(self.M.cols)]
        else:
            mv = [mpmath.fdot(values, [v[j] for j in index]) for index, values in self._columns]
        imag = self.H.solve([h * x for x in mv])
        with mpmath.extraprec(10):   # as FactoredMatrix.solve: mpc() rounds its parts to the current precision
            return [mpmath.mpc(a, b) for a, b in zip(self.real, imag)]


class PerturbedResidualScales:
    """Sizes of the terms of Re and Im of dE/ds(s, theta + i h v) at the perturbed fixed point s.

    Re: the terms of H Re s and M theta (as for s_theta^0); Im: those of H Im s and M (h v),
    the imaginary parts of s and of theta through the linearisation. H and M are taken at
    s_theta^0: Re s = s_theta^0 + O(h^2) (h ~ 1e-(work + 10)), so they are the same numbers to
    far more digits than a size needs, and one evaluation serves every k (evaluating them at
    each of the p perturbed points cost O(n p^2): most of a check at n = 34).
    """

    def __init__(self, H, M, s0, theta):
        self.re = term_sizes(H, M, s0, theta)
        # the nonzero |entries| only, as (indices, values) per row of H and per column of M (state i):
        # a layered model's H and M are mostly zeros (M: p x n with p ~ n^2), and a zero adds nothing
        self._abs_H = [_nonzero([abs(H[i, j]) for j in range(H.cols)]) for i in range(H.rows)]
        self._abs_M_rows = [[abs(M[k, i]) for i in range(M.cols)] for k in range(M.rows)]
        self._abs_M = [_nonzero([row[i] for row in self._abs_M_rows]) for i in range(M.cols)]

    def weights(self, k, v=None):
        """|M|^T |v| (the row |M_k.| for v = e_k): the sizes of M's terms along the direction v."""
        if v is None:
            return self._abs_M_rows[k]
        return [mpmath.fdot(values, [abs(v[j]) for j in index]) for index, values in self._abs_M]

    def imaginary(self, s, h, weights):
        """max_i sum_j |H_ij| |Im s_j| + w_i h, w = :meth:`weights` of the direction."""
        im_s = [abs(mpmath.im(x)) for x in s]
        return max((mpmath.fdot(values, [im_s[j] for j in index]) + weights[i] * h
                    for i, (index, values) in enumerate(self._abs_H)), default=mpmath.mpf(0))


def _nonzero(row):
    """(indices, values) of the nonzero entries of ``row``."""
    index = [j for j, a in enumerate(row) if a]
    return index, [row[j] for j in index]


def chord_solve(residual, jacobian: FactoredMatrix, s, *, precision, max_steps=200, first_step=None):
    """Solve residual(s) = 0 by chord iterations with a fixed factored Jacobian.

    Converges linearly at the rate |I - J^-1 J(s*)|, tiny for the small
    perturbations used here; stops when the step is below the working
    precision relative to the iterate, in the real and (separately) the
    imaginary parts. ``first_step`` (J^-1 residual(s) known otherwise, :class:`FirstSteps`)
    is taken before the first evaluation of ``residual``.
    """
    eps = precision.eps
    if first_step is not None:
        s = [x - d for x, d in zip(s, first_step)]
    for _ in range(max_steps):
        delta = jacobian.solve(residual(s))
        before = s
        s = [x - d for x, d in zip(s, delta)]
        if all(converged([part(d) for d in delta], [part(x) for x in s], [part(x) for x in before], eps)
               for part in (mpmath.re, mpmath.im)):
            break
    return s


class NudgedJacobians:
    """The chord Jacobians H + beta d2C/ds2 of Eq 19 for every beta from one factorisation of H.

    d2C/ds2 is nonzero only on the states R the cost reads (the output units of a layered model),
    so H + beta d2C/ds2 = H + P C P^T (C = beta B, B its |R| x |R| block, P the columns e_r, r in R)
    is a rank-|R| update of H, solved by Woodbury through H's LU and one |R| x |R| system per beta:
    (H + P C P^T)^-1 b = y - Z (I + C Z_R)^-1 C y_R with y = H^-1 b, Z = H^-1 P (no inverse of B).
    A cost that reads more than half the states gets one LU of H + beta d2C/ds2 per beta. The
    Jacobian only steers the chord iterations: each point is certified by its own residual.
    """

    def __init__(self, H, HC):
        n = H.rows
        self._H, self._HC = H, HC
        self.R = [i for i in range(n) if any(HC[i, j] or HC[j, i] for j in range(n))]
        self.full = 2 * len(self.R) > n
        if not self.full:
            self.lu = FactoredMatrix(H)
            self.Z = [self.lu.solve([1 if i == r else 0 for i in range(n)]) for r in self.R]   # columns of Z
            self.B = [[HC[a, b] for b in self.R] for a in self.R]

    def at(self, beta):
        """A factored H + beta d2C/ds2 (``solve(b)``)."""
        if self.full:
            return FactoredMatrix(self._H + beta * self._HC)
        return _RankUpdate(self, beta)


class _RankUpdate:
    """``solve`` of (H + beta P B P^T) x = b by Woodbury (:class:`NudgedJacobians`)."""

    def __init__(self, base: NudgedJacobians, beta):
        self.base, R = base, base.R
        self.C = [[beta * x for x in row] for row in base.B]
        self.K = mpmath.matrix([[int(a == c) + mpmath.fdot(row, [base.Z[c][r] for r in R]) for c in range(len(R))]
                                for a, row in enumerate(self.C)]) if R else None

    def solve(self, b):
        base = self.base
        y = base.lu.solve(b)
        if not base.R:
            return y
        u = mpmath.lu_solve(self.K, mpmath.matrix([mpmath.fdot(row, [y[r] for r in base.R]) for row in self.C]))
        u = [u[a] for a in range(len(base.R))]
        return [yi - mpmath.fdot([z[i] for z in base.Z], u) for i, yi in enumerate(y)]


def nudged_fixed_points(compiled, s0, theta, plan: BetaPlan, *, precision) -> list:
    """s_theta^beta (Eq 19) for each beta of the plan, from s_theta^0 (chord iterations).

    A point is accepted when its residual is at rounding level of the terms
    dE^beta/ds sums (those of dE/ds at s_theta^0, plus beta dC/ds).
    """
    points = []
    H0, HC0 = compiled.H(s0, theta), compiled.cost_hessian(s0, theta)
    terms = term_sizes(H0, compiled.M(s0, theta), s0, theta)
    nudge = max((abs(x) for x in compiled.dC_ds(s0, theta)), default=0)
    jacobians = NudgedJacobians(H0, HC0)
    for beta in plan.betas:
        tolerance = precision.root_tolerance(terms + abs(beta) * nudge)
        start = [mpmath.mpc(x) for x in s0] if isinstance(beta, mpmath.mpc) else list(s0)
        J = jacobians.at(beta)
        s = chord_solve(lambda v: [-f for f in compiled.extended_field(v, theta, beta)], J, start,
                        precision=precision)
        size = max(abs(x) for x in compiled.extended_field(s, theta, beta))
        if not size <= tolerance:
            # chord iterations contract only for small beta/lambda_min: fall back to Newton
            s, size, _ = newton(lambda v: compiled.extended_field(v, theta, beta),
                                lambda v: -compiled.extended_hessian(v, theta, beta), start, precision=precision)
        if not size <= tolerance:
            raise FixedPointNotFound(f"nudged fixed point at beta={mpmath.nstr(beta, 3)} not found "
                                     f"(residual {mpmath.nstr(size, 3)} against terms of size "
                                     f"{mpmath.nstr(terms + abs(beta) * nudge, 3)})")
        points.append(s)
    return points


def ep_fixed_point_gradient(compiled, s0, theta, plan: BetaPlan, points=None, factor=1, *, precision):
    """The EP gradient formula Eq 20 from nudged fixed points; returns (value, error estimate).

    ``factor`` multiplies 1/beta (1 is the paper's formula; a false variant uses 1/2).
    """
    points = nudged_fixed_points(compiled, s0, theta, plan, precision=precision) if points is None else points
    rows = [compiled.dEbeta_dtheta(s, theta, beta) for beta, s in zip(plan.betas, points)]
    return plan.combine_quotient(rows, compiled.dE_dtheta(s0, theta), factor)
