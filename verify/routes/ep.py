"""EP route: the nudged flow Eq 18 from s_theta^0 at finite beta, then beta -> 0.

For each beta of the chosen plan (:mod:`verify.extrapolate`) one nudged
integration gives the states S^beta(s_theta^0, t) at every requested time;
*readouts* turn a state into a finite-beta quantity, and the plan combines
those into the beta -> 0 limit:

    X~: g(beta, t) = -(1/beta) dS^beta/dt = (1/beta) dE^beta/ds(S^beta)         (Eq 21)
    Y~: g(beta, t) = (1/beta) (dE^beta/dtheta(S^beta) - dE/dtheta(s_theta^0))   (Eq 22)

Both are quotients factor (numerator - base) / beta; :meth:`EPResult.quotient_readout`
folds factor/beta and the base into the plan's combination weights (one dot product per
component, :meth:`BetaPlan.combine_quotient`) instead of forming g value by value.

Real betas lose log10(1/beta) digits to cancellation, so the route runs with
the plan's ``extra_digits`` added to the working precision (and the fixed
point refined to that precision). The readouts' numerators run on gmpy2 numbers where
the compiled callable carries a gmpy2 form (``.gmpy2``, :mod:`symbolic.numeric_glue`):
a few guard bits beyond the working precision, each value rounded once back to it.
Such a readout stays in gmpy2 from the integrator's dense output (states solved with
``numbers="gmpy2"``) through the combination (:func:`verify.extrapolate.base.combination`):
only the limits X~, Y~ are converted to mpmath. States are kept, so another readout (a
false variant of a statement, :mod:`verify.falsify`) reuses the same flows; their mpmath
form is made on first use.
"""

from __future__ import annotations

import dataclasses
import functools

import gmpy2
import mpmath
from mpmath.libmp import dps_to_prec

from ..extrapolate import BetaPlan
from ..ode.numbers import exact_gmpy2, gmpy2_rules, gmpy2_to_mpmath, to_gmpy2
from ..precision import GMPY2_GUARD_BITS, Precision


@dataclasses.dataclass
class EPResult:
    """X-tilde (Eq 21) and Y-tilde (Eq 22) at each requested time, and the nudged states."""

    X_tilde: list
    Y_tilde: list
    extrapolation_error: mpmath.mpf
    integration_error: mpmath.mpf
    integrations: int
    plan: BetaPlan
    gmpy2_states: list    # gmpy2_states[b][k] = S^beta_b(s0, times[k]), gmpy2 numbers at the route's precision
    s0: list
    theta: list
    precision: Precision  # the route's (raised by the plan's extra digits)
    extrapolation_error_X: mpmath.mpf = None   # of X~ alone (Eq 23 compares only X~)
    extrapolation_error_Y: mpmath.mpf = None   # of Y~ alone (Eq 24)

    @property
    def dps(self) -> int:
        """The working digits the route ran at."""
        return self.precision.work

    @functools.cached_property
    def states(self) -> list:
        """states[b][k] = S^beta_b(s0, times[k]) as mpmath numbers (the same values as ``gmpy2_states``)."""
        with self.precision.context():
            return [[[gmpy2_to_mpmath(v) for v in s] for s in row] for row in self.gmpy2_states]

    def readout(self, fn):
        """The plan's beta -> 0 limit of ``fn(beta, state)`` at each time, and its error estimate."""
        return self._combined(fn, lambda per_beta, times: self.plan.combine(per_beta))

    def quotient_readout(self, fn, base=None, factor=1):
        """:meth:`readout` of factor (fn(beta, state) - base) / beta (Eq 21, 22), the quotient folded
        into the plan's combination (:meth:`BetaPlan.combine_quotient`): no quotient per value.

        A numerator with a gmpy2 form (``fn.on_gmpy2``, :func:`numerator`) is evaluated on the gmpy2
        states and combined in gmpy2 (the base converted exactly to gmpy2 once).
        """
        on_gmpy2 = getattr(fn, "on_gmpy2", None)
        if on_gmpy2 is not None and base is not None:
            base = [exact_gmpy2(b) for b in base]
        return self._combined(fn, lambda per_beta, times: self.plan.combine_quotient(
            per_beta, None if base is None else list(base) * times, factor), on_gmpy2)

    def _combined(self, fn, combine, on_gmpy2=None):
        """``combine(per_beta, number of times)`` of fn(beta, state) flattened over the times, split back per time.

        One combination over every time's components at once: each method works componentwise
        and its estimate is a max over components, so this is the max over times as well.
        ``on_gmpy2``: fn's gmpy2 form, evaluated on ``gmpy2_states`` instead.
        """
        with self.precision.context():
            fn, states = (fn, self.states) if on_gmpy2 is None else (on_gmpy2, self.gmpy2_states)
            per_beta = [[x for s in row for x in fn(beta, s)] for beta, row in zip(self.plan.betas, states)]
            times = len(states[0])
            value, err = combine(per_beta, times)
            size = len(value) // times
            return [value[k * size:(k + 1) * size] for k in range(times)], err


def numerator(fn, theta):
    """(beta, S) -> fn(S, theta, beta) at the current mpmath precision.

    When ``fn`` carries a gmpy2 form (``fn.gmpy2``: the same lambdified code on gmpy2 numbers,
    attached to that callable only, so a wrapper that overrides it, :class:`NonGradient`, is
    evaluated through its own override), the values are computed in gmpy2 with
    ``GMPY2_GUARD_BITS`` more bits and rounded once to mpmath; a value gmpy2 cannot represent
    (nan where mpmath turns complex, a negative base to a fractional power) is recomputed by ``fn``.
    """
    fast = getattr(fn, "gmpy2", None)
    if fast is None:
        return lambda beta, s: fn(s, theta, beta)
    thetas = {}

    def guarded(beta, s):
        """fast at a state of gmpy2 numbers, GMPY2_GUARD_BITS beyond the current precision; None if not finite."""
        prec = mpmath.mp.prec + GMPY2_GUARD_BITS
        with gmpy2.context(gmpy2_rules(prec)):   # a copy: the same rules, and a block may nest in another
            if prec not in thetas:
                thetas[prec] = [to_gmpy2(x) for x in theta]
            out = fast(s, thetas[prec], to_gmpy2(beta))
        return out if all(map(gmpy2.is_finite, out)) else None   # an mpc: both parts

    def value(beta, s):
        with gmpy2.context(gmpy2_rules(mpmath.mp.prec + GMPY2_GUARD_BITS)):
            out = guarded(beta, [to_gmpy2(x) for x in s])   # exact: s has at most the current precision
        return fn(s, theta, beta) if out is None else [gmpy2_to_mpmath(v) for v in out]

    def on_gmpy2(beta, s):
        """The same values at a state of gmpy2 numbers (at most the current precision's bits), as gmpy2."""
        out = guarded(beta, s)
        if out is None:
            return [exact_gmpy2(v) for v in fn([gmpy2_to_mpmath(x) for x in s], theta, beta)]
        plus = gmpy2_rules(mpmath.mp.prec).plus   # rounded once to the current precision (an int: exact)
        return [plus(v) if type(v) is not int else exact_gmpy2(v) for v in out]

    value.on_gmpy2 = on_gmpy2
    return value


def temporal_derivative_quotient(compiled, theta):
    """(numerator, base, factor) with g(beta, S) = factor (numerator(beta, S) - base) / beta
    = -(1/beta) dS^beta/dt, the quantity whose limit is X~ (Eq 21): for :meth:`EPResult.quotient_readout`."""
    return numerator(compiled.extended_field, theta), None, -1


def parameter_quotient(compiled, s0, theta):
    """(numerator, base, factor) of g(beta, S) = (1/beta)(dE^beta/dtheta(S) - dE/dtheta(s0)), whose limit
    is Y~ (Eq 22)."""
    return numerator(compiled.dEbeta_dtheta, theta), compiled.dE_dtheta(s0, theta), 1


def as_readout(quotient):
    """g(beta, S) itself from a (numerator, base, factor) quotient, for :meth:`EPResult.readout`."""
    fn, base, factor = quotient
    if base is None:
        return lambda beta, s: [factor * v / beta for v in fn(beta, s)]
    return lambda beta, s: [factor * (v - b) / beta for v, b in zip(fn(beta, s), base)]


def parameter_readout(compiled, s0, theta):
    """g(beta, S) = (1/beta)(dE^beta/dtheta(S) - dE/dtheta(s0)), whose limit is Y~ (Eq 22)."""
    return as_readout(parameter_quotient(compiled, s0, theta))


def nudged_phase(compiled, flows, s0, theta, times, plan: BetaPlan, *, precision, progress=None) -> EPResult:
    """X-tilde_t, Y-tilde_t of Theorem 3 from nudged flows (Eq 18) at the plan's betas, at ``precision``."""
    dps = precision.work
    add = gmpy2_rules(dps_to_prec(dps)).add     # s0 + D rounded as at the route's precision in mpmath
    s0_g = [exact_gmpy2(x) for x in s0]
    states = []
    integ_err = mpmath.mpf(0)
    for beta in plan.betas:
        traj = flows.solve_nudged(s0, theta, beta, times, dps=dps, numbers="gmpy2")
        states.append([list(map(add, s0_g, D)) for D in traj.states])
        integ_err = max(integ_err, traj.error_estimate / abs(beta))
        if progress:
            progress()
    result = EPResult(None, None, mpmath.mpf(0), integ_err, len(plan.betas), plan, states, s0, theta, precision)
    result.X_tilde, ex = result.quotient_readout(*temporal_derivative_quotient(compiled, theta))
    result.Y_tilde, ey = result.quotient_readout(*parameter_quotient(compiled, s0, theta))
    result.extrapolation_error = max(ex, ey)
    result.extrapolation_error_X, result.extrapolation_error_Y = ex, ey
    return result
