"""``symmetric``: +-beta_k = +-beta_0 2^-k; the even part (g(b) + g(-b))/2 extrapolated in beta^2.

Half the orders for the same number of points per sign; error O(beta^(2K)). beta_0 (a power of 10,
at most 10^-3) and K are the cheapest pair that meets that error model (:func:`.base.halving_ladder`:
at dps 40, two pairs at beta_0 = 10^-20).
"""

from __future__ import annotations

from .base import BetaMethod, BetaPlan, as_precision, combine_with_estimate, extrapolation_weights, halving_ladder


class Symmetric(BetaMethod):
    name = "symmetric"
    order = 2

    def plan(self, precision, radius=1, size=None) -> BetaPlan:
        p = as_precision(precision)
        ladder = halving_ladder(p, radius, size, self.order, copies=2)
        return BetaPlan(self.name, ladder.betas(p), ladder.extra_digits,
                        f"symmetric beta = +-{ladder.start} * 2^-k, k < {ladder.K}, extrapolation "
                        f"in beta^2, error O(beta^{2 * ladder.K})", p, radius)

    def weights(self, plan):
        # the even part (g(b) + g(-b)) / 2 folded into the weights: rows 2k, 2k + 1 are g(+-b_k)
        return extrapolation_weights([b * b for b in plan.betas[0::2]], copies=2)

    def combine(self, plan, values):
        return combine_with_estimate(self.weights(plan), values)


METHOD = Symmetric()
