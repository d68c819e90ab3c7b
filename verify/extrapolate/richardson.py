"""``richardson``: one-sided beta_k = beta_0 2^-k, polynomial extrapolation to 0 (Lagrange weights at 0).

Error ~ beta_0^K 2^(-K(K-1)/2); the estimate is |best - one order less|. beta_0 (a power of 10,
at most 10^-3) and K are the cheapest pair that meets that error model (:func:`.base.halving_ladder`:
at dps 40, beta_0 = 10^-20 and K = 3).
"""

from __future__ import annotations

from .base import BetaMethod, BetaPlan, as_precision, combine_with_estimate, extrapolation_weights, halving_ladder


class Richardson(BetaMethod):
    name = "richardson"
    order = 1

    def plan(self, precision, radius=1, size=None) -> BetaPlan:
        p = as_precision(precision)
        ladder = halving_ladder(p, radius, size, self.order)
        return BetaPlan(self.name, ladder.betas(p), ladder.extra_digits,
                        f"one-sided beta = {ladder.start} * 2^-k, k < {ladder.K}, polynomial "
                        f"extrapolation (Lagrange weights at 0), error O(beta^{ladder.K})", p, radius)

    def weights(self, plan):
        return extrapolation_weights(plan.betas)

    def combine(self, plan, values):
        return combine_with_estimate(self.weights(plan), values)


METHOD = Richardson()
