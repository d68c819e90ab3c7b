"""``complex-step``: g(0) = Re g(i h) + O(h^2): one integration, no cancellation.

The real and imaginary parts carry their own digits, so h can sit below the
working precision (``Precision.complex_step``). The error is g''(0) h^2 / 2,
and by Cauchy's estimate |g''(0)| / 2 <= max|g| / r^2 on a disc of radius
r < R (R: the analyticity radius): the estimate is (h / min(1, R))^2 |g(i h)|.
"""

from __future__ import annotations

import mpmath

from .base import BetaMethod, BetaPlan, as_precision


class ComplexStep(BetaMethod):
    name = "complex-step"
    order = 3

    def plan(self, precision, radius=1, size=None) -> BetaPlan:
        p = as_precision(precision)
        h = p.complex_step
        return BetaPlan(self.name, [mpmath.mpc(0, h)], 0,
                        f"complex step beta = i*{mpmath.nstr(h, 1)}, g(0) = Re g(i h), error O(h^2)", p, radius)

    def combine(self, plan, values):
        h = plan.betas[0].imag / min(mpmath.mpf(1), mpmath.mpf(plan.radius))
        return [mpmath.re(v) for v in values[0]], h * h * max((abs(v) for v in values[0]), default=1)


METHOD = ComplexStep()
