"""``richardson``: one-sided beta_k = beta_0 2^-k, polynomial extrapolation to 0 (Lagrange weights at 0).

Error ~ beta_0^K 2^(-K(K-1)/2); the estimate is |best - one order less|.
"""

from __future__ import annotations

import math

import mpmath

from .base import BetaMethod, BetaPlan, as_precision, combine_with_estimate, extrapolation_weights, halving_ladder


class Richardson(BetaMethod):
    name = "richardson"
    order = 1

    def plan(self, precision, radius=1, size=None) -> BetaPlan:
        p = as_precision(precision)
        b0, K, lost = halving_ladder(p, radius, size, self.order)
        with p.context():
            betas = [b0 / 2**k for k in range(K)]
        return BetaPlan(self.name, betas,
                        3 + lost + math.ceil(math.log10(2) * (K - 1)) + K,
                        f"one-sided beta = {mpmath.nstr(b0, 3)} * 2^-k, k < {K}, polynomial extrapolation "
                        f"(Lagrange weights at 0), error O(beta^{K})", p, radius)

    def weights(self, plan):
        return extrapolation_weights(plan.betas)

    def combine(self, plan, values):
        return combine_with_estimate(self.weights(plan), values)


METHOD = Richardson()
