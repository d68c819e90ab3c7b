"""The contract of a beta -> 0 method: a plan (which betas) and a combination (g(0) and an error estimate)."""

from __future__ import annotations

import abc
import dataclasses
import math

import gmpy2
import mpmath

from ..ode.numbers import exact_gmpy2, gmpy2_rules, gmpy2_to_mpmath
from ..precision import ESTIMATE_MARGIN_DIGITS, Precision


def as_precision(precision) -> Precision:
    """A :class:`Precision` from a Precision or a requested dps (int)."""
    return precision if isinstance(precision, Precision) else Precision(int(precision))


def shrink_and_lost(radius):
    """min(1, radius), and the digits a smaller radius costs (betas shrink with it)."""
    shrink = min(mpmath.mpf(1), mpmath.mpf(radius))
    return shrink, max(0, math.ceil(-float(mpmath.log10(shrink))))


#: the largest ladder start: beta_0 = 10^-LADDER_START (over the radius's digits, :func:`shrink_and_lost`)
LADDER_START = 3


@dataclasses.dataclass(frozen=True)
class Ladder:
    """The betas beta_k = beta_0 2^-k, k < K, with beta_0 = 10^-(exponent + lost), that Richardson
    (``order`` 1: a polynomial in beta) and the symmetric method (``order`` 2: in beta^2, each point
    at +-beta_k, ``copies`` 2) extrapolate to beta = 0.

    Error model (Lagrange interpolation of g(beta) = sum a_n beta^n with |a_n| <= |g| / R^n, R the
    analyticity radius, at the nodes x_k = beta_k^order): the K-point value misses g(0) by about
    prod_k |x_k| / R^(order K) <= 10^-(order exponent K) 2^(-order K(K-1)/2) of |g| (the radius's
    ``lost`` digits, 10^-lost <= min(1, R), cancel R). The error estimate of
    :func:`combine_with_estimate` is the distance to the (K-1)-point value, i.e. about the
    (K-1)-point error.
    """

    exponent: int       # beta_0 = 10^-(exponent + lost)
    K: int              # points (pairs +-beta_k when copies = 2)
    order: int
    copies: int
    lost: int           # ceil(log10(1 / min(1, radius))): the betas shrink with the analyticity radius

    def betas(self, p: Precision) -> list:
        """beta_0 2^-k (each as +beta, -beta when copies = 2), at p's working precision."""
        with p.context():
            b0 = mpmath.mpf(10) ** -(self.exponent + self.lost)
            return [s * b0 / 2**k for k in range(self.K) for s in (1, -1)[:self.copies]]

    @property
    def start(self) -> str:
        """beta_0 as text, e.g. 1e-06 (the description of a plan)."""
        return f"1e-{self.exponent + self.lost:02d}"

    def error_digits(self, points: int) -> float:
        """-log10 of the error model with ``points`` points (in units of |g|)."""
        return self.order * (self.exponent * points + math.log10(2) * points * (points - 1) / 2)

    @property
    def amplification(self):
        """sum_k |w_k| beta_0 / |beta_k| = sum_k |w_k| 2^k over the Lagrange weights at 0 (:func:`weights_at_zero`):
        the combination sum_k w_k (S_k - s0) / beta_k multiplies the values' rounding by this / beta_0."""
        xs = [mpmath.mpf(2) ** (-self.order * k) for k in range(self.K)]
        return mpmath.fsum(abs(w) * 2**k for k, w in enumerate(weights_at_zero(xs)))

    @property
    def extra_digits(self) -> int:
        """The digits g(beta) = (S^beta - s0) / beta and its combination cancel: log10(1 / beta_0)
        (exponent + lost) and log10 of the weights' :attr:`amplification` (which includes 2^k at beta_k)."""
        return self.exponent + self.lost + max(0, math.ceil(float(mpmath.log10(self.amplification))))

    @property
    def solves(self) -> int:
        """Nudged integrations (one per beta)."""
        return self.K * self.copies

    def cost(self, p: Precision) -> int:
        """solves x (work digits)^2: a Taylor solve's order grows with the digits and each step's
        convolutions with the square of the order (verify/ode/controller.py). Not counted: a smaller
        beta keeps the nudged displacement linear longer and takes fewer steps (paper-hopfield, t <= 5:
        4 steps at beta = 10^-3, 2 at 10^-11 and below), so the model never favours small betas unduly."""
        return self.solves * (p.work + self.extra_digits) ** 2

    def meets(self, p: Precision) -> bool:
        """The K-point error below 10^-(dps + 5), and the (K-1)-point error (the estimate, which a
        check adds to its tolerance) ESTIMATE_MARGIN_DIGITS under the rounding level 10^(3 - dps)."""
        return (self.error_digits(self.K) >= p.truncation_digits
                and (self.K < 2 or self.error_digits(self.K - 1) >= p.rounding_digits + ESTIMATE_MARGIN_DIGITS))


def halving_ladder(p: Precision, radius, size, order: int, copies: int = 1) -> Ladder:
    """The cheapest :class:`Ladder` that meets its error model (:meth:`Ladder.meets`).

    beta_0 runs over 10^-3, 10^-4, ... (10^-lost smaller for an analyticity radius below 1): never
    above 10^-3, and a power of 10, so plans stay readable in reports. For each K >= 2 the largest
    beta_0 that meets the model (the fewest cancelled digits), and among those the least
    :meth:`Ladder.cost`: smaller betas cost digits (log10(1/beta)), more points cost integrations.
    At dps 40 (radius 1) two symmetric pairs at beta_0 = 10^-20 (4 solves at 21 extra digits) beat
    three at 10^-10 (6 at 11) and six at 10^-4 (12 at 6). ``size`` fixes K at beta_0 = 10^-3
    (10^-(3 + lost)): the ladder's convergence in K for benchmarks and tests, model not enforced.
    """
    lost = shrink_and_lost(radius)[1]

    def ladder(exponent, K):
        return Ladder(exponent, K, order, copies, lost)

    if size is not None:
        return ladder(LADDER_START, int(size))
    best, K = None, 2
    while True:
        candidate = ladder(LADDER_START, K)
        while not candidate.meets(p):
            candidate = ladder(candidate.exponent + 1, K)
        if best is None or candidate.cost(p) < best.cost(p):
            best = candidate
        if candidate.exponent == LADDER_START:   # more points cannot use a larger beta_0
            return best
        K += 1


@dataclasses.dataclass
class BetaPlan:
    """Which betas to evaluate, how many extra digits they need, how to combine the values."""

    method: str
    betas: list                 # mpf or mpc values at which g is needed
    extra_digits: int           # cancellation in g(beta) costs log10(1/|beta|) digits (and the combination's)
    description: str
    precision: Precision | None = None
    radius: object = 1          # the analyticity radius the plan assumed (|beta| of the nearest singularity)

    def combine(self, values: list[list]) -> tuple[list, mpmath.mpf]:
        """g(0) per component from ``values[k]`` = g(betas[k]), and an error estimate (max over components)."""
        from . import METHODS

        return METHODS[self.method].combine(self, values)

    def combine_quotient(self, values: list[list], base=None, factor=1) -> tuple[list, mpmath.mpf]:
        """g(0) and an error estimate for g(betas[k]) = factor (values[k] - base) / betas[k] (Eq 20-22).

        The values (and base) may be mpmath or gmpy2 numbers (:func:`combination`); the results are mpmath.

        ``base`` (one value per component, or None for 0) is the beta = 0 term that the quotient
        cancels. A method linear in g (:meth:`BetaMethod.weights`; real betas) folds factor/beta_k and
        the base into its weights: one exactly accumulated dot product per component and polynomial,
        no quotient formed per value. Otherwise g is formed value by value for :meth:`combine`.
        """
        from . import METHODS

        weights = METHODS[self.method].weights(self)
        if weights is None or any(isinstance(b, mpmath.mpc) for b in self.betas):
            base = [0] * len(values[0]) if base is None else [_as_mpmath(b) for b in base]
            return self.combine([[factor * (_as_mpmath(v) - b0) / beta for v, b0 in zip(row, base)]
                                 for beta, row in zip(self.betas, values)])
        folded = []
        for w in weights:
            u = [factor * wk / beta for wk, beta in zip(w, self.betas)]
            folded.append(u if base is None else u + [-mpmath.fsum(u)])
        rows = values if base is None else list(values) + [base]
        return combine_with_estimate(folded, rows)


class BetaMethod(abc.ABC):
    """A way to take the beta -> 0 limit of g(beta) from a few values of g.

    ``plan`` chooses the betas so that the method's error is below
    10^-(dps + 5) (the tolerance of a check is 10^(3 - dps) plus the error
    estimate, so the estimate itself must stay under that rounding level);
    ``size`` forces the number of points instead (benchmarks). ``combine``
    returns g(0) and an error estimate that must not be below the true error.
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

    def weights(self, plan: BetaPlan):
        """(weights of g(0), weights of the estimate's lower-order g(0)) over ``plan.betas`` when
        :meth:`combine` is that pair of linear maps (its estimate |difference|), else None."""
        return None


# -- polynomial extrapolation to 0, on all components at once -------------------------------------

def neville_at_zero(xs, rows):
    """Value at 0 of the polynomial through (xs[i], rows[i]) by Neville's table, for vectors ``rows[i]``.

    Not used by the methods (they apply :func:`weights_at_zero`, the same polynomial as one linear
    map): kept as the tests' independent reference for those weights.
    """
    table = [list(r) for r in rows]
    k = len(xs)
    for level in range(1, k):
        for i in range(k - level):
            j = i + level
            d = xs[j] - xs[i]
            wj, wi = xs[j] / d, xs[i] / d
            table[i] = [wj * a - wi * b for a, b in zip(table[i], table[i + 1])]
    return table[0]


def weights_at_zero(xs) -> list:
    """Lagrange weights l_i(0) = prod_{j != i} x_j / (x_j - x_i): the polynomial through (xs[i], y_i) is
    sum l_i(0) y_i at 0 (the same number as :func:`neville_at_zero`, one linear map for every component)."""
    return [mpmath.fprod(xj / (xj - xi) for j, xj in enumerate(xs) if j != i) for i, xi in enumerate(xs)]


def combination(weights, rows) -> list:
    """sum_k weights[k] rows[k] per component, each an exactly accumulated dot product rounded once to the
    current precision (``mpmath.fdot``; on real gmpy2 values, :func:`_gmpy2_combinations`: the same numbers)."""
    if _real_gmpy2(rows):
        return [gmpy2_to_mpmath(v) for v in _gmpy2_combinations([weights], rows)[0]]
    return [mpmath.fdot(weights, map(_as_mpmath, column)) for column in zip(*rows)]


def _real_gmpy2(rows) -> bool:
    """Whether every value is a real gmpy2 number (the EP route's readouts, :mod:`verify.routes.ep`)."""
    mpfr = gmpy2.mpfr
    return bool(rows) and all(type(v) is mpfr for row in rows for v in row)


def _as_mpmath(v):
    """A gmpy2 value as mpmath (exact at the precision it was rounded to); any other value as it is."""
    return gmpy2_to_mpmath(v) if isinstance(v, (gmpy2.mpfr, gmpy2.mpc)) else v


def _gmpy2_combinations(weight_sets, rows) -> list:
    """For each weights of ``weight_sets``: sum_k weights[k] rows[k] per component, on real gmpy2 ``rows``.

    Each product is exact (MPFR at the sum of the operands' bits) and their sum is rounded once, to nearest,
    at the current mpmath precision (``fsum``: MPFR's correctly rounded sum), as ``mpmath.fdot`` does:
    the same numbers, with no conversion per value. Returns gmpy2 values.
    """
    sets = [[exact_gmpy2(w) for w in weights] for weights in weight_sets]
    bits = max(w.precision for ws in sets for w in ws) + max(v.precision for row in rows for v in row)
    mul, fsum = gmpy2_rules(bits).mul, gmpy2_rules(mpmath.mp.prec).fsum
    columns = list(zip(*rows))
    return [[fsum(map(mul, ws, column)) for column in columns] for ws in sets]


def extrapolation_weights(xs, copies=1):
    """(weights of g(0) through every point, weights through all but the last) for rows of ``copies``
    values per point x (e.g. g(+b) and g(-b) whose mean is the even part): the polynomials through all
    points and through all but the last, as linear maps on the rows."""
    best = weights_at_zero(xs)
    less = weights_at_zero(xs[:-1]) + [0] if len(xs) > 2 else [1] + [0] * (len(xs) - 1)
    return ([w / copies for w in best for _ in range(copies)],
            [w / copies for w in less for _ in range(copies)])


def combine_with_estimate(weights, rows):
    """(best, |best - less| max over components) for weights = (best's, less's) applied to ``rows``
    (two dot products per component; the same numbers as Neville's table up to rounding, fdot rounds once).

    Real gmpy2 ``rows`` stay in gmpy2 to the end (:func:`_gmpy2_combinations`): only the results are
    converted to mpmath.
    """
    best_w, less_w = weights
    if _real_gmpy2(rows):
        best, less = _gmpy2_combinations(weights, rows)
        rules = gmpy2_rules(mpmath.mp.prec)
        err = max((rules.abs(rules.sub(a, b)) for a, b in zip(best, less)), default=None)
        return [gmpy2_to_mpmath(v) for v in best], mpmath.mpf(0) if err is None else gmpy2_to_mpmath(err)
    best, less = combination(best_w, rows), combination(less_w, rows)
    return best, max((abs(a - b) for a, b in zip(best, less)), default=mpmath.mpf(0))
