"""``contour``: g(0) = mean of g on the circle |beta| = r (N-point trapezoidal Cauchy integral).

As in Holomorphic EP; conjugate symmetry halves the integrations (the points
on the lower half circle are the conjugates of the upper ones). The error
falls like (r/R)^N (R: the analyticity radius), so err(N) ~ err(N/2)^2 / |g|
is the estimate.
"""

from __future__ import annotations

import mpmath

from .base import BetaMethod, BetaPlan, as_precision, shrink_and_lost


class Contour(BetaMethod):
    name = "contour"
    order = 4

    def plan(self, precision, radius=1, size=None) -> BetaPlan:
        p = as_precision(precision)
        shrink, lost = shrink_and_lost(radius)
        N = 8
        if size is not None:
            N = int(size)
        else:
            while 2 * N < p.dps + 5:
                N += 4
        with p.context():   # the trapezoidal rule needs the points on the circle to the working precision
            r = mpmath.mpf(10) ** -2 * shrink
            # points k = 0..N/2 on the upper half circle; the lower half are conjugates
            betas = [r * mpmath.expjpi(mpmath.mpf(2 * k) / N) for k in range(N // 2 + 1)]
            betas = [mpmath.mpf(b.real) if abs(b.imag) < r * 1e-30 else b for b in betas]
        return BetaPlan(self.name, betas, 2 + lost + 2,
                        f"contour: mean of g on |beta| = {mpmath.nstr(r, 3)}, N = {N} points (conjugate symmetry), "
                        f"error O((r/R)^{N})", p, radius)

    def combine(self, plan, values):
        n_half = len(plan.betas) - 1
        N = 2 * n_half

        def mean(stride):
            # the full circle from the upper half: k and N - k are conjugate
            rows = [values[k] if k <= n_half else [mpmath.conj(v) for v in values[N - k]]
                    for k in range(0, N, stride)]
            return [mpmath.fsum(mpmath.re(row[c]) for row in rows) / len(rows) for c in range(len(values[0]))]

        best, coarse = mean(1), mean(2)
        estimate = mpmath.mpf(0)
        for b, c in zip(best, coarse):
            half = abs(b - c)
            if half:
                # geometric convergence: error(N) ~ error(N/2)^2 / |g|
                estimate = max(estimate, half * half / max(abs(b), half))
        return best, estimate


METHOD = Contour()
