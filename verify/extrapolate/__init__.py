"""The beta -> 0 limits of Eq 20-24 from finite-beta data, each with an error estimate.

A quantity g(beta) (e.g. -(1/beta) dS^beta/dt, Eq 21) is computed at a few
values of beta and combined into g(0). Each method (``--beta-method``) is one
module of this package defining ``METHOD``, an instance of
:class:`~.base.BetaMethod` (``plan`` and ``combine``):

(1) ``richardson``: one-sided, polynomial extrapolation (Lagrange weights at 0);
(2) ``symmetric``: +-beta, the even part extrapolated in beta^2;
(3) ``complex-step``: Re g(i h), one integration, no cancellation;
(4) ``contour``: the mean of g on a circle (trapezoidal Cauchy integral).

:data:`METHODS` (name -> method, in ``order``) is the registry every choice
list derives from (CLI, pytest plugin, strategies, benchmarks). Adding a
method: a module here with a ``BetaMethod`` subclass and ``METHOD = ...``,
and its test in tests/verify/test_extrapolate.py.
"""

from __future__ import annotations

import importlib
import pkgutil

import mpmath

from .base import BetaMethod, BetaPlan, as_precision, neville_at_zero


def _collect() -> dict:
    found = [importlib.import_module(f"{__name__}.{m.name}").METHOD
             for m in pkgutil.iter_modules(__path__) if m.name != "base"]
    return {m.name: m for m in sorted(found, key=lambda m: m.order)}


#: every beta -> 0 method by name, in the order of the choice lists
METHODS: dict[str, BetaMethod] = _collect()


def plan(method: str, precision, radius=1, size=None) -> BetaPlan:
    """The betas for ``method`` so that its error is below 10^-(dps+5) (``size`` forces the point count).

    ``precision`` is a :class:`verify.precision.Precision` or the requested
    dps. ``radius`` estimates how far from beta = 0 the nudged problem stays
    analytic (the nudged Hessian H + beta d2C/ds2 turns singular near
    |beta| = lambda_min(H) / |d2C/ds2|): the betas shrink with it so that the
    convergence ratio beta/radius, hence the number of points, stays as planned.
    """
    if method not in METHODS:
        raise ValueError(f"unknown beta method {method!r}; choose one of {', '.join(METHODS)}")
    return METHODS[method].plan(precision, radius, size)


def analyticity_radius(compiled, s0, theta, precision):
    """An estimate of how far from beta = 0 the nudged problem stays analytic.

    Along the branch s^beta ~ s0 + beta v (v = -H^-1 dC/ds, Eq 19 differentiated),
    the nudged Hessian is H + beta (D^3E[v] + d2C/ds2); it first turns singular
    near |beta| = lambda_min(|H|) / |D^3E[v] + d2C/ds2|. D^3E[v], the change of H
    along v, is taken by complex step (no cancellation). Near a fold (small
    lambda_min) this radius shrinks like lambda_min^2, not lambda_min.
    """
    from symbolic import flint_linalg   # lazily: the CLI imports this package to validate a model file

    H = compiled.H(s0, theta)
    lam = min(abs(e) for e in compiled.hessian_eigenvalues(s0, theta))   # those of the fixed point's H
    if lam <= as_precision(precision).eps * mpmath.mnorm(H, 1):
        return mpmath.mpf(0)   # numerically singular (mpmath's LU criterion), whichever solver would take it
    try:
        v = flint_linalg.solve(H, compiled.dC_ds(s0, theta))   # only a direction: the estimate's
    except ZeroDivisionError:
        return mpmath.mpf(0)
    h = as_precision(precision).complex_step
    Hc = compiled.H([mpmath.mpc(x, -h * d) for x, d in zip(s0, v)], theta)
    change = mpmath.matrix([[mpmath.im(Hc[i, j]) / h for j in range(H.cols)] for i in range(H.rows)])
    c = mpmath.mnorm(change + compiled.cost_hessian(s0, theta), 1)
    return lam / c if c > 0 else mpmath.mpf(1)


def unstable_growth(eigenvalues, t_max):
    """e^(|lambda_-| t_max) for the most negative eigenvalue lambda_- of H(s_theta^0), 1 when there is none.

    Along an unstable direction the nudged displacement S^beta_t - s_theta^0 grows like
    beta e^(|lambda_-| t) (Eq 18 linearised at s_theta^0), so the beta-series of S^beta_t converges
    only for |beta| up to about :func:`analyticity_radius` / this: the betas must shrink with it,
    or every beta leaves the analytic range together and the extrapolation's estimate, which only
    compares betas, is fooled.
    """
    lowest = min(eigenvalues, default=0)
    return mpmath.exp(-lowest * t_max) if lowest < 0 and t_max > 0 else mpmath.mpf(1)


__all__ = ["METHODS", "BetaMethod", "BetaPlan", "analyticity_radius", "neville_at_zero", "plan", "unstable_growth"]
