"""The contract of a beta -> 0 method: a plan (which betas) and a combination (g(0) and an error estimate)."""

from __future__ import annotations

import abc
import dataclasses
import math

import mpmath

from ..precision import Precision


def as_precision(precision) -> Precision:
    """A :class:`Precision` from a Precision or a requested dps (int)."""
    return precision if isinstance(precision, Precision) else Precision(int(precision))


def shrink_and_lost(radius):
    """min(1, radius), and the digits a smaller radius costs (betas shrink with it)."""
    shrink = min(mpmath.mpf(1), mpmath.mpf(radius))
    return shrink, max(0, math.ceil(-float(mpmath.log10(shrink))))


def halving_ladder(p: Precision, radius, size, order: int):
    """(beta_0, K, digits lost) of the ladders beta_0 2^-k, k < K, that Richardson (order 1, in beta) and
    the symmetric method (order 2, in beta^2) extrapolate: beta_0 = 10^-3 (shrunk within the radius) and,
    unless ``size`` fixes K, the least K >= 2 whose error beta_0^(order K) 2^(-order K(K-1)/2) is below
    10^-(dps+5)."""
    shrink, lost = shrink_and_lost(radius)
    with p.context():
        b0 = mpmath.mpf(10) ** -3 * shrink
    K = 2 if size is None else int(size)
    while size is None and order * (3 * K + math.log10(2) * K * (K - 1) / 2) < p.dps + 5:
        K += 1
    return b0, K, lost


@dataclasses.dataclass
class BetaPlan:
    """Which betas to evaluate, how many extra digits they need, how to combine the values."""

    method: str
    betas: list                 # mpf or mpc values at which g is needed
    extra_digits: int           # cancellation in g(beta) costs log10(1/|beta|) digits
    description: str
    precision: Precision | None = None
    radius: object = 1          # the analyticity radius the plan assumed (|beta| of the nearest singularity)

    def combine(self, values: list[list]) -> tuple[list, mpmath.mpf]:
        """g(0) per component from ``values[k]`` = g(betas[k]), and an error estimate (max over components)."""
        from . import METHODS

        return METHODS[self.method].combine(self, values)


class BetaMethod(abc.ABC):
    """A way to take the beta -> 0 limit of g(beta) from a few values of g.

    ``plan`` chooses the betas so that the method's error is below
    10^-(dps + 5) (the tolerance of a check is 10^(3 - dps)); ``size`` forces
    the number of points instead (benchmarks). ``combine`` returns g(0) and an
    error estimate that must not be below the true error.
    """

    #: the ``--beta-method`` name
    name: str = "?"
    #: position in the choice lists
    order: int = 0

    @abc.abstractmethod
    def plan(self, precision, radius=1, size: int | None = None) -> BetaPlan:
        """The betas for a requested precision (a :class:`Precision` or dps) and analyticity radius."""

    @abc.abstractmethod
    def combine(self, plan: BetaPlan, values: list[list]) -> tuple[list, mpmath.mpf]:
        """g(0) per component from ``values[k]`` = g(plan.betas[k]), and an error estimate."""


# -- polynomial extrapolation to 0, on all components at once -------------------------------------

def neville_at_zero(xs, rows):
    """Value at 0 of the polynomial through (xs[i], rows[i]) (Neville), for vectors ``rows[i]``."""
    table = [list(r) for r in rows]
    k = len(xs)
    for level in range(1, k):
        for i in range(k - level):
            j = i + level
            d = xs[j] - xs[i]
            wj, wi = xs[j] / d, xs[i] / d
            table[i] = [wj * a - wi * b for a, b in zip(table[i], table[i + 1])]
    return table[0]


def neville_with_estimate(xs, rows):
    """g(0) by Neville on every point, and |that - the same with one point less| (max over components)."""
    best = neville_at_zero(xs, rows)
    less = neville_at_zero(xs[:-1], rows[:-1]) if len(xs) > 2 else list(rows[0])
    return best, max((abs(a - b) for a, b in zip(best, less)), default=mpmath.mpf(0))
