"""Random valid instances for property-based checking of Theorems 1-3 and Corollary 4.

Four families, each a model file drawn at random with exact rational values:

============== ===========================================================================
family         energy E and cost C
============== ===========================================================================
hopfield       layered Hopfield energy (Eq 4) of depth 1-3, layers of 1-4 units,
               rho in {sigmoid, tanh, softplus}, optional biases; quadratic cost Eq 8
hopfield-      the same energy with a learned read-out: C = 1/2 ||y - V s0 - c||^2,
readout        a theta-dependent cost (Eq 12's Y_0 is not zero)
polynomial     coercive polynomial in 1-3 scalar states: positive quartic terms plus
               random terms of degree <= 3, some with a parameter as coefficient
               (double wells, several minima); cost on the first state, sometimes
               theta-dependent
quadratic      E = 1/2 s^T A s - s^T b with A (symmetric positive definite) and b
               learned; cost 1/2 ||y - P s||^2, sometimes + b^T b / 8
============== ===========================================================================

Strongly coupled instances are drawn on purpose: with small weights the
Hopfield energy is nearly ||s||^2/2 (Hessian ~ identity) and tests little.
Each family draws a coupling level, up to Hessian condition numbers ~10^2
at the free fixed point and energies with several minima (the free phase
starts from a drawn initial state, so different draws reach different minima).

Every generator is a plain function of a :class:`Source` (a few draws of
integers), so the same code serves hypothesis (:class:`HypothesisSource`,
which shrinks well because every choice is an integer) and the reproducible
command-line sweep ``eqprop-verify random`` (:class:`RandomSource` over
``random.Random``). hypothesis is imported only by the strategy functions.

Four more families draw models of other dynamics (docs/discrete.md), each
instance with its expected outcome (:mod:`~.expectation`): ``discrete-step``
and ``discrete-primitive`` (a Hopfield energy's Euler map, verified),
``sigma-update`` (s <- sigmoid(W s + U x): not a gradient map) and ``field``
(a continuous field with a skew part alpha; verified for alpha = 0). They are
screened from the map itself (:mod:`~.maps`).

Layout: :mod:`~.source` (choices and exact values), :mod:`~.instance` (the
instance, the family record and the field tuning every family shares),
:mod:`~.screening` (float64 screening), one module per family
(:mod:`~.hopfield`, :mod:`~.hopfield_readout`, :mod:`~.polynomial`,
:mod:`~.quadratic`), :mod:`~.families` (the registry) and :mod:`~.draw`
(seeded draws and hypothesis strategies). ``from verify.strategies import X``
finds every public name.

Degenerate draws (no convergence of the free flow, a saddle, a nearly
singular Hessian, condition number above :data:`COND_MAX`) are recognised by a
float64 :func:`screen` of the drawn energy (its gradient written out in numpy
per family, independent of the symbolic layer) and rejected: by ``assume`` in
hypothesis, by a redraw in the sweep. They are never counted as passes.
"""

from __future__ import annotations

from .draw import BETA_METHODS, beta_methods, draw_times, draw_valid, instances, models, times
from .expectation import Expectation
from .families import DYNAMICS_FAMILIES, FAMILIES, GENERATORS, GROUPS, REGISTRY
from .hopfield import ACTIVATIONS, COUPLING, STRONG_COUPLING, hopfield
from .hopfield_readout import hopfield_readout
from .instance import FIELD_MAX, MIN_FIELD, TARGET_COND, Family, Instance, Tuning, tune_fields, with_settings
from .polynomial import polynomial
from .quadratic import quadratic
from .screening import (COND_MAX, MIN_EIGENVALUE, Screening, condition, count_minima, find_critical_point,
                        find_minima, follow_to_condition, hessian, newton, newton_float, screen)
from .source import HypothesisSource, RandomSource, Source

__all__ = ["ACTIVATIONS", "BETA_METHODS", "COND_MAX", "COUPLING", "DYNAMICS_FAMILIES", "Expectation", "FAMILIES",
           "GROUPS", "FIELD_MAX", "GENERATORS",
           "MIN_EIGENVALUE", "MIN_FIELD", "REGISTRY", "STRONG_COUPLING", "TARGET_COND", "Family",
           "HypothesisSource", "Instance", "RandomSource", "Screening", "Source", "Tuning", "beta_methods",
           "condition", "count_minima", "draw_times", "draw_valid", "find_critical_point", "find_minima",
           "follow_to_condition", "hessian", "hopfield", "hopfield_models", "hopfield_readout",
           "hopfield_readout_models", "instances", "models", "newton", "newton_float", "polynomial",
           "polynomial_models", "quadratic", "quadratic_models", "screen", "times", "tune_fields", "with_settings"]


def hopfield_models(**kw):
    """Layered Hopfield models (Eq 4, Eq 8): depth 1-3, layers of 1-4, rho sigmoid/tanh/softplus."""
    return models("hopfield", **kw)


def hopfield_readout_models(**kw):
    """Layered Hopfield models with a learned read-out: theta-dependent costs."""
    return models("hopfield-readout", **kw)


def polynomial_models(**kw):
    """Random coercive polynomial energies in 1-3 scalar states (several minima)."""
    return models("polynomial", **kw)


def quadratic_models(**kw):
    """Quadratic energies with a learned SPD matrix, conditioned up to COND_MAX."""
    return models("quadratic", **kw)
