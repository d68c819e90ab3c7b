"""``symmetric``: +-beta_k; the even part (g(b) + g(-b))/2 extrapolated in beta^2.

Half the orders for the same number of points per sign; error O(beta^(2K)).
"""

from __future__ import annotations

import math

import mpmath

from .base import BetaMethod, BetaPlan, as_precision, halving_ladder, neville_with_estimate


class Symmetric(BetaMethod):
    name = "symmetric"
    order = 2

    def plan(self, precision, radius=1, size=None) -> BetaPlan:
        p = as_precision(precision)
        b0, K, lost = halving_ladder(p, radius, size, self.order)
        with p.context():
            betas = [s * b0 / 2**k for k in range(K) for s in (1, -1)]
        return BetaPlan(self.name, betas,
                        3 + lost + math.ceil(math.log10(2) * (K - 1)) + K,
                        f"symmetric beta = +-{mpmath.nstr(b0, 3)} * 2^-k, k < {K}, extrapolation in beta^2, "
                        f"error O(beta^{2 * K})", p, radius)

    def combine(self, plan, values):
        xs = [b * b for b in plan.betas[0::2]]
        even = [[(a + b) / 2 for a, b in zip(values[2 * k], values[2 * k + 1])] for k in range(len(xs))]
        return neville_with_estimate(xs, even)


METHOD = Symmetric()
