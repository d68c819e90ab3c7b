"""``symmetric``: +-beta_k; the even part (g(b) + g(-b))/2 extrapolated in beta^2.

Half the orders for the same number of points per sign; error O(beta^(2K)).
"""

from __future__ import annotations

import math

import mpmath

from .base import BetaMethod, BetaPlan, as_precision, combine_with_estimate, extrapolation_weights, halving_ladder


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

    def weights(self, plan):
        # the even part (g(b) + g(-b)) / 2 folded into the weights: rows 2k, 2k + 1 are g(+-b_k)
        return extrapolation_weights([b * b for b in plan.betas[0::2]], copies=2)

    def combine(self, plan, values):
        return combine_with_estimate(self.weights(plan), values)


METHOD = Symmetric()
