"""The one precision and tolerance policy of a check.

Every digit count and every threshold that depends on the working precision
lives here, and nowhere else reads the global ``mpmath.mp.dps`` to learn at
what precision it should work: a :class:`Precision` is built once from the
settings and passed explicitly to the routes, the integrator, the fixed-point
solver and the comparisons. ``Precision.context()`` is the one place a check
sets the global mpmath precision (mpmath's precision is process-global; the
context restores it).

Threads: because that precision is process-global, ``context()`` also holds
one process-wide re-entrant lock (:data:`LOCK`, defined in
:mod:`symbolic.mpmath_lock` so that symbolic/ takes the same one) while it is active. A check
(:func:`verify.pipeline.run`) enters it once for its whole computation, so
concurrent ``verify.check`` calls from threads run one after the other, each
at its own precision, and give exactly the single-threaded results; the
global ``mpmath.mp.dps`` is the same after a check as before. (A per-call
mpmath context would allow parallel checks, but every route, the integrator
and sympy's lambdified code use the global ``mpmath.mp``; the lock is the
simple correct choice, and processes -- ``eqprop-verify random --workers`` --
are the way to run checks in parallel.) Code outside this package that changes
``mpmath.mp.dps`` from another thread while a check runs is not protected.

The numbers (unchanged from the policy the statements were verified with):

- routes compute at ``work = dps + GUARD_DIGITS`` (+ ``extra`` digits where a
  route cancels, e.g. finite beta in Eq 21-22);
- complex-step size ``h = 10^-(work + 10)``: below the rounding of the real
  part, so Im f(x + ih)/h carries every digit (no cancellation);
- a root (fixed point, Eq 2 / 19) is accepted when its residual is
  ``<= 10^(6 - work)`` times the problem's scale;
- an iteration has converged when its step is ``<= 100 * 10^-work`` of the
  iterate's scale;
- the tolerance of a comparison is ``rounding + sum of the routes' own error
  estimates``, rounding = ``10^(3 - dps) * max(1, cond(H))`` (1000 ulps of the
  requested precision);
- a tolerance above ``10^(-dps/2)`` is inconclusive (not a pass);
- digits of agreement are capped at ``dps + guard`` (no comparison can show more);
- a quantity below ``10^(5 - work)`` of its natural scale is zero to working
  precision (a comparison of two such sides is vacuous).
"""

from __future__ import annotations

import contextlib
import dataclasses

import mpmath

from symbolic.mpmath_lock import LOCK

GUARD_DIGITS = 10
#: bits a gmpy2 evaluation (the EP readouts, verify/routes/ep.py) carries beyond the working
#: precision before it rounds once back to it
GMPY2_GUARD_BITS = 20
DEFAULT_DPS = 40
MIN_DPS = 10
MAX_DPS = 1000
#: 10^ROUNDING_ULPS_DIGITS ulps of the requested precision: a comparison's rounding level (:meth:`Precision.rounding`)
ROUNDING_ULPS_DIGITS = 3
#: a truncation (beta -> 0 extrapolation, stencil in t) is aimed this many digits below 10^-dps
TRUNCATION_MARGIN_DIGITS = 5
#: digits a beta ladder's error estimate (the (K-1)-point error, added to tolerances) stays under the rounding level
ESTIMATE_MARGIN_DIGITS = 2
#: digits the beta ladder may shrink for an unstable direction of H(s_theta^0) (the nudged displacement
#: grows like beta e^(|lambda_-| t)), as a multiple of dps; beyond it the EP route does not run
UNSTABLE_GROWTH_BUDGET = 2


def dps_problem(value) -> str | None:
    """What is wrong with ``value`` as a requested precision (None if nothing): one text for every caller."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_DPS <= value <= MAX_DPS:
        return f"must be an integer from {MIN_DPS} to {MAX_DPS}, got {value!r}"
    return None


def validate_dps(value, name: str = "dps") -> int:
    """``value`` as a requested precision, or :class:`verify.errors.UsageError` naming ``name``."""
    from .errors import UsageError

    problem = dps_problem(value)
    if problem:
        raise UsageError(f"{name} {problem}")
    return value


@dataclasses.dataclass(frozen=True)
class Precision:
    """Requested and working precision of one computation, and the thresholds derived from them."""

    dps: int                        # requested decimal digits (--dps)
    guard: int = GUARD_DIGITS       # digits computed beyond dps
    extra: int = 0                  # further digits for a route that cancels (finite beta)

    @property
    def work(self) -> int:
        """Decimal digits the routes compute with."""
        return self.dps + self.guard + self.extra

    def raised(self, digits: int) -> "Precision":
        """The same policy with ``digits`` more working digits (same requested dps and tolerance)."""
        return dataclasses.replace(self, extra=self.extra + int(digits))

    @contextlib.contextmanager
    def context(self):
        """Hold :data:`LOCK` and set the global mpmath precision to ``work`` for a ``with`` block; restore it after."""
        with LOCK, mpmath.workdps(self.work):
            yield self

    # -- thresholds at the working precision ---------------------------------------------------
    @property
    def eps(self):
        """One unit in the last working digit, 10^-work."""
        return mpmath.mpf(10) ** (-self.work)

    @property
    def complex_step(self):
        """Step h of a complex-step derivative, Im f(x + ih)/h: 10^-(work + 10)."""
        return mpmath.mpf(10) ** (-(self.work + 10))

    @property
    def beta_complex_step(self):
        """Imaginary beta of the complex-step beta method, 10^-(dps + 10): the requested precision's step.

        Not the routes' ``complex_step`` (10^-(work + 10)): the EP route (complex beta)
        and the J route (complex theta) then never take the same step, so on a
        linear-quadratic model they cannot round identically.
        """
        return mpmath.mpf(10) ** (-(self.dps + 10))

    def step_converged(self, step_size, scale) -> bool:
        """An iteration's step is at rounding level of an iterate of size ``scale``."""
        return step_size <= 100 * self.eps * scale

    def root_tolerance(self, scale=1):
        """Largest residual accepted for a root (Eq 2, Eq 19) of size ``scale``: 10^(6-work) * scale."""
        return mpmath.mpf(10) ** (6 - self.work) * scale

    def zero_below(self, scale=1):
        """A quantity at most this (10^(5-work) * scale) is zero to working precision at that scale."""
        return mpmath.mpf(10) ** (5 - self.work) * scale

    def singular_ratio(self):
        """Eigenvalue ratio below which a Hessian counts as singular: 10^floor(-work / 2)."""
        return mpmath.mpf(10) ** ((-self.work) // 2)

    # -- tolerances of comparisons (requested precision) ---------------------------------------
    @property
    def rounding_digits(self) -> int:
        """-log10 of the rounding level at condition 1: dps - ROUNDING_ULPS_DIGITS."""
        return self.dps - ROUNDING_ULPS_DIGITS

    @property
    def truncation_digits(self) -> int:
        """-log10 of the level a truncation error is aimed at: dps + TRUNCATION_MARGIN_DIGITS."""
        return self.dps + TRUNCATION_MARGIN_DIGITS

    def rounding(self, condition=1):
        """1000 ulps of the requested precision, times cond(H) where a side solves with H."""
        return mpmath.mpf(10) ** (-self.rounding_digits) * max(1, condition)

    @property
    def inconclusive_above(self):
        """A derived tolerance above this, 10^(-dps/2), leaves too few digits to decide."""
        return mpmath.mpf(10) ** (-mpmath.mpf(self.dps) / 2)

    def tolerance(self, condition=1, relative_error_terms=()):
        """rounding(condition) + the routes' own (relative) error estimates."""
        return self.rounding(condition) + sum((mpmath.mpf(e) for e in relative_error_terms), mpmath.mpf(0))

    def digits(self, relative_error) -> float | None:
        """Digits of agreement, -log10(relative error), never more than the working precision."""
        if relative_error is None:
            return None
        cap = float(self.dps + self.guard)
        if relative_error <= 0:
            return cap
        return round(min(cap, float(-mpmath.log10(relative_error))), 1)
