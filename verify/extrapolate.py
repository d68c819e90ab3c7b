"""The beta -> 0 limits of Eq 20-24 from finite-beta data, each with an error estimate.

A quantity g(beta) (e.g. -(1/beta) dS^beta/dt, Eq 21) is computed at a few
values of beta and combined into g(0). Methods (``--beta-method``):

(1) ``richardson``: one-sided, beta_k = beta_0 2^-k; polynomial extrapolation
    to 0 (Neville). Error ~ beta_0^K 2^(-K(K-1)/2).
(2) ``symmetric``: +-beta_k; the even part (g(b)+g(-b))/2 extrapolated in
    beta^2. Half the orders for the same number of points per sign.
(3) ``complex-step``: g(0) = Re g(i h) + O(h^2): one integration, no
    cancellation (real and imaginary parts carry their own digits).
(4) ``contour``: g(0) = mean of g on a circle |beta| = r (N-point trapezoidal
    Cauchy integral, as in Holomorphic EP); conjugate symmetry halves the
    integrations. Error ~ (r/R)^N.

Each returns an error estimate: |best - one order less| for the
extrapolations, h^2 |g| for the complex step, and err(N/2)^2/|g| for the
contour rule (its error falls geometrically with N).
"""

from __future__ import annotations

import dataclasses
import math

import mpmath

METHODS = ("richardson", "symmetric", "complex-step", "contour")


@dataclasses.dataclass
class BetaPlan:
    """Which betas to evaluate, how many extra digits they need, how to combine."""

    method: str
    betas: list                 # mpf or mpc values at which g is needed
    extra_digits: int           # cancellation in g(beta) costs log10(1/|beta|) digits
    description: str
    floor: mpmath.mpf = mpmath.mpf(0)   # rounding level of g at the route's precision (contour estimate)

    def combine(self, values: list[list]) -> tuple[list, mpmath.mpf]:
        """g(0) per component from ``values[k]`` = g(betas[k]), and an error estimate."""
        combine = {"richardson": _combine_richardson, "symmetric": _combine_symmetric,
                   "complex-step": _combine_complex_step, "contour": _combine_contour}[self.method]
        return combine(self, values)


def plan(method: str, precision, radius=1) -> BetaPlan:
    """The betas for ``method`` so that the extrapolation error is below 10^-(dps+5) (``precision.dps``).

    ``radius`` estimates how far from beta = 0 the nudged problem stays
    analytic (the nudged Hessian H + beta d2C/ds2 turns singular near
    |beta| = lambda_min(H) / |d2C/ds2|): the betas shrink with it so that the
    convergence ratio beta/radius, hence the number of points, stays as planned.
    """
    shrink = min(mpmath.mpf(1), mpmath.mpf(radius))
    lost = max(0, math.ceil(-float(mpmath.log10(shrink))))
    dps = precision.dps
    target = dps + 5
    if method == "richardson":
        b0, K = mpmath.mpf(10) ** -3 * shrink, 2
        while 3 * K + math.log10(2) * K * (K - 1) / 2 < target:
            K += 1
        betas = [b0 / 2**k for k in range(K)]
        return BetaPlan(method, betas, 3 + lost + math.ceil(math.log10(2) * (K - 1)) + K,
                        f"one-sided beta = {mpmath.nstr(b0, 3)} * 2^-k, k < {K}, polynomial extrapolation "
                        f"(Neville), error O(beta^{K})")
    if method == "symmetric":
        b0, K = mpmath.mpf(10) ** -3 * shrink, 2
        while 6 * K + math.log10(4) * K * (K - 1) / 2 < target:
            K += 1
        betas = [s * b0 / 2**k for k in range(K) for s in (1, -1)]
        return BetaPlan(method, betas, 3 + lost + math.ceil(math.log10(2) * (K - 1)) + K,
                        f"symmetric beta = +-{mpmath.nstr(b0, 3)} * 2^-k, k < {K}, extrapolation in beta^2, "
                        f"error O(beta^{2 * K})")
    if method == "complex-step":
        h = precision.beta_complex_step
        return BetaPlan(method, [mpmath.mpc(0, h)], 0,
                        f"complex step beta = i*1e-{precision.dps + 10}, g(0) = Re g(i h), error O(h^2)")
    if method == "contour":
        r, N = mpmath.mpf(10) ** -2 * shrink, 8
        while 2 * N < target:
            N += 4
        # points k = 0..N/2 on the upper half circle; the lower half are conjugates
        betas = [r * mpmath.expjpi(mpmath.mpf(2 * k) / N) for k in range(N // 2 + 1)]
        betas = [mpmath.mpf(b.real) if abs(b.imag) < r * 1e-30 else b for b in betas]
        extra = 2 + lost + 2
        return BetaPlan(method, betas, extra,
                        f"contour: mean of g on |beta| = {mpmath.nstr(r, 3)}, N = {N} points (conjugate symmetry), "
                        f"error O((r/R)^{N})", precision.raised(extra).eps)
    raise ValueError(f"unknown beta method {method!r}; choose one of {', '.join(METHODS)}")


def analyticity_radius(compiled, s0, theta, *, precision):
    """An estimate of how far from beta = 0 the nudged problem stays analytic.

    Along the branch s^beta ~ s0 + beta v (v = -H^-1 dC/ds, Eq 19 differentiated),
    the nudged Hessian is H + beta (D^3E[v] + d2C/ds2); it first turns singular
    near |beta| = lambda_min(|H|) / |D^3E[v] + d2C/ds2|. D^3E[v], the change of H
    along v, is taken by complex step (no cancellation). Near a fold (small
    lambda_min) this radius shrinks like lambda_min^2, not lambda_min.
    """
    H = compiled.H(s0, theta)
    lam = min(abs(e) for e in mpmath.eigsy(H, eigvals_only=True))
    try:
        v = mpmath.lu_solve(H, mpmath.matrix(compiled.dC_ds(s0, theta)))
    except ZeroDivisionError:
        return mpmath.mpf(0)
    h = precision.complex_step
    Hc = compiled.H([mpmath.mpc(x, -h * d) for x, d in zip(s0, v)], theta)
    change = mpmath.matrix([[mpmath.im(Hc[i, j]) / h for j in range(H.cols)] for i in range(H.rows)])
    c = mpmath.mnorm(change + compiled.cost_hessian(s0, theta), 1)
    return lam / c if c > 0 else mpmath.mpf(1)


def neville_at_zero(xs, ys):
    """Value at 0 of the polynomial interpolating (xs[i], ys[i]) (Neville's algorithm)."""
    table = list(ys)
    k = len(xs)
    for level in range(1, k):
        for i in range(k - level):
            j = i + level
            table[i] = (xs[j] * table[i] - xs[i] * table[i + 1]) / (xs[j] - xs[i])
    return table[0]


def _neville_with_estimate(xs, ys):
    best = neville_at_zero(xs, ys)
    less = neville_at_zero(xs[:-1], ys[:-1]) if len(xs) > 2 else ys[0]
    return best, abs(best - less)


def _per_component(values, fn):
    m = len(values[0])
    out, est = [], mpmath.mpf(0)
    for c in range(m):
        v, e = fn([row[c] for row in values])
        out.append(v)
        est = max(est, e)
    return out, est


def _combine_richardson(plan_, values):
    xs = plan_.betas
    return _per_component(values, lambda ys: _neville_with_estimate(xs, ys))


def _combine_symmetric(plan_, values):
    xs = [b * b for b in plan_.betas[0::2]]
    even = [[(a + b) / 2 for a, b in zip(values[2 * k], values[2 * k + 1])] for k in range(len(xs))]
    return _per_component(even, lambda ys: _neville_with_estimate(xs, ys))


def _combine_complex_step(plan_, values):
    h = plan_.betas[0].imag
    # the O(h^2) term is below 10^-(2 dps): report h^2 times the size of g
    out = [mpmath.re(v) for v in values[0]]
    return out, h * h * max((abs(v) for v in values[0]), default=1)


def _combine_contour(plan_, values):
    n_half = len(plan_.betas) - 1
    N = 2 * n_half

    def mean(ys, stride):
        # full circle from the upper half: k and N-k are conjugate
        total, count = mpmath.mpf(0), 0
        for k in range(0, N, stride):
            v = ys[k] if k <= n_half else mpmath.conj(ys[N - k])
            total += mpmath.re(v)
            count += 1
        return total / count

    def one(ys):
        # geometric convergence: error(N) ~ error(N/2)^2 / |g|
        best = mean(ys, 1)
        half = abs(best - mean(ys, 2))
        return best, half * half / max(abs(best), half, plan_.floor)

    return _per_component(values, one)
