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

    The perturbed fixed point is s = s_theta^0 + i y: its real part is s_theta^0 (Eq 2, certified
    by its own solver) up to O(h^2), far below rounding (h ~ 10^-(work + 10)), and y solves
    Im dE/ds(s_theta^0 + i y, theta + i h v) = 0 by chord iterations preconditioned with H(s0) (one
    LU factorisation for all v). H only steers: an iteration that does not converge raises
    :class:`FixedPointNotFound`, and the point is certified by its own imaginary residual judged
    against the sizes of its terms measured from the true field alone (:class:`ImaginaryTermSizes`),
    so neither a wrong H nor M can make a wrong y pass (M is not used at all). Near a fold
    ds0/dtheta is huge (1e19 and more) and so are the terms |H_ij| |y_j|.
    """
    H = FactoredMatrix(compiled.H(s0, theta))
    terms = ImaginaryTermSizes(compiled, s0, theta, precision.complex_step)
    s0_size = max((abs(x) for x in s0), default=mpmath.mpf(0))
    out = []
    for k in range(compiled.p if directions is None else len(directions)):
        v = None if directions is None else directions[k]
        h = precision.complex_step
        theta_c, s, residual, field_terms = _perturbed_fixed_point(compiled, H, s0, theta, k, v, h, precision, terms)
        moved = max(abs(mpmath.im(x)) for x in s) / (h * s0_size) if s0_size else 0
        if moved > 1:
            # ds0/dtheta is huge (near a fold): the truncation error (h/R)^2 of the complex step
            # grows with it; shrink h so that s moves by complex_step of its own size
            h = h / moved
            theta_c, s, residual, field_terms = _perturbed_fixed_point(compiled, H, s0, theta, k, v, h, precision,
                                                                       terms)
        im_size = max((abs(x) for x in residual), default=mpmath.mpf(0))
        im_scale = terms.of(s, field_terms)
        if im_size > precision.root_tolerance(im_scale):
            where = f"e_{k}" if v is None else f"v_{k} (projection {k})"
            raise FixedPointNotFound(
                f"fixed point at theta + i h {where} not found (imaginary part of the residual "
                f"{mpmath.nstr(im_size, 3)} against terms of size {mpmath.nstr(im_scale, 3)})")
        out.append(mpmath.im(compiled.cost(s, theta_c)) / h)
    return out


def _perturbed_fixed_point(compiled, H, s0, theta, k, v, h, precision, terms=None):
    """(theta + i h v, s, Im dE/ds at s, |Im dE/ds(s0, theta + i h v)|): s = s0 + i y by chord iterations on y
    (accepted after the chord's step budget if ``terms``, the :class:`ImaginaryTermSizes`, certify it)."""
    if v is None:
        theta_c = list(theta)
        theta_c[k] = mpmath.mpc(theta[k], h)
    else:
        theta_c = [mpmath.mpc(th, h * vk) for th, vk in zip(theta, v)]
    first = []

    def residual(y):
        r = [mpmath.im(x) for x in compiled.dE_ds([mpmath.mpc(a, b) for a, b in zip(s0, y)], theta_c)]
        if not first:
            first.append([abs(x) for x in r])   # at y = 0: the terms h M^T v of the true field
        return r

    where = f"e_{k}" if v is None else f"v_{k} (projection {k})"
    accept = None if terms is None else (
        lambda y: precision.root_tolerance(terms.of([mpmath.mpc(a, b) for a, b in zip(s0, y)], first[0])))
    y, r = chord_solve(residual, H, [mpmath.mpf(0)] * len(s0), precision=precision,
                       what=f"the fixed point at theta + i h {where}", tolerance=accept)
    return theta_c, [mpmath.mpc(a, b) for a, b in zip(s0, y)], r, first[0]


class ImaginaryTermSizes:
    """Sizes of the terms of Im dE/ds(s0 + i y, theta + i h v), from the true field dE/ds alone.

    Im dE/ds_i = sum_j H_ij y_j + h (M^T v)_i + O(h^3): the terms |H_ij| |y_j| with the true
    Jacobian at s_theta^0 (complex step in s: column j is Im dE/ds(s0 + i h e_j, theta) / h; n
    evaluations for all directions), and |h M^T v|_i measured as |Im dE/ds(s0, theta + i h v)|_i,
    the residual of the first chord iterate y = 0. Neither the compiled H nor M enters, so a wrong
    one cannot loosen the acceptance of the point it steered to.
    """

    def __init__(self, compiled, s0, theta, h):
        n = len(s0)
        columns = []
        for j in range(n):
            s = [mpmath.mpc(x, h if i == j else 0) for i, x in enumerate(s0)]
            columns.append([abs(mpmath.im(x)) / h for x in compiled.dE_ds(s, theta)])
        # the nonzero |H_ij| of each row: a layered model's H is mostly zeros, and a zero adds nothing
        self._abs_H = [_nonzero([columns[j][i] for j in range(n)]) for i in range(n)]

    def of(self, s, field_terms):
        """max_i sum_j |H_ij| |Im s_j| + |h M^T v|_i (``field_terms``: the latter, per i)."""
        im_s = [abs(mpmath.im(x)) for x in s]
        return max((mpmath.fdot(values, [im_s[j] for j in index]) + field_terms[i]
                    for i, (index, values) in enumerate(self._abs_H)), default=mpmath.mpf(0))


def _nonzero(row):
    """(indices, values) of the nonzero entries of ``row``."""
    index = [j for j, a in enumerate(row) if a]
    return index, [row[j] for j in index]


def chord_solve(residual, jacobian: FactoredMatrix, s, *, precision, max_steps=200, what="the root",
                tolerance=None):
    """Solve residual(s) = 0 by chord iterations with a fixed factored Jacobian; returns (s, residual(s)).

    Converges linearly at the rate |I - J^-1 J(s*)|, tiny for the small
    perturbations used here. Returns the first iterate whose step J^-1 residual(s) is below the
    working precision relative to the iterate, in the real and (separately) the imaginary parts,
    with its residual, for the caller to certify that point. When ``max_steps`` iterations do not
    get there, the last iterate is still returned if its residual is within ``tolerance(s)`` (the
    caller's acceptance, when given: with an ill-conditioned Jacobian the steps at a root are its
    rounding times cond(J), above the step threshold for good); otherwise raises
    :class:`FixedPointNotFound` (a Jacobian too far from the true one).
    """
    eps = precision.eps
    for _ in range(max_steps):
        r = residual(s)
        delta = jacobian.solve(r)
        after = [x - d for x, d in zip(s, delta)]
        if all(converged([part(d) for d in delta], [part(x) for x in after], [part(x) for x in s], eps)
               for part in (mpmath.re, mpmath.im)):
            return s, r
        s = after
    r = residual(s)
    if tolerance is not None and max((abs(x) for x in r), default=0) <= tolerance(s):
        return s, r
    raise FixedPointNotFound(f"{what}: chord iterations have not converged after {max_steps} steps "
                             f"(residual {mpmath.nstr(max((abs(x) for x in r), default=0), 3)}; "
                             "the Jacobian that steers them is far from the true one)")


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
        try:
            s, r = chord_solve(lambda v: [-f for f in compiled.extended_field(v, theta, beta)], J, start,
                               precision=precision)
            size = max((abs(x) for x in r), default=mpmath.mpf(0))
        except FixedPointNotFound:
            size = None
        if size is None or not size <= tolerance:
            # chord iterations contract only for small beta/lambda_min: fall back to Newton
            s, size, _ = newton(lambda v: compiled.extended_field(v, theta, beta),
                                lambda v: -compiled.extended_hessian(v, theta, beta), start, precision=precision,
                                what=f"the nudged fixed point (Eq 19) at beta={mpmath.nstr(beta, 3)}",
                                tolerance=lambda _: tolerance)
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
