"""What every family shares: the drawn :class:`Instance`, its initial state, and field tuning.

Strongly coupled instances are drawn on purpose: with small weights the
Hopfield energy is nearly ||s||^2/2 (Hessian ~ identity) and tests little.
A family draws a target condition number from :data:`TARGET_COND`; with a
target, :func:`tune_fields` finds the minima with the fields (the terms
linear in the inputs: input weights, biases, linear terms) off, follows one
by continuation as the fields are switched on, and sets the fields where its
Hessian's condition number reaches the target (near a fold, where that
minimum merges with a saddle); the free phase starts next to it.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any, Callable

from .screening import Screening, condition, find_minima, follow_to_condition, newton_float, screen
from .source import Source, dyadic, q, vec

MIN_FIELD = Fraction(1, 16)  # tuned fields are never switched off (symmetric points are degenerate tests)
FIELD_MAX = 4.0            # fields (input weights, biases) are scaled up to this many times the drawn ones
TARGET_COND = (None, 3, 10, 30, 100)   # None: no tuning (the drawn fields as they are)


@dataclasses.dataclass
class Instance:
    """A drawn model file (``doc``, the parsed TOML dict) with a float64 gradient for screening."""

    family: str
    doc: dict
    gradient: Callable       # numpy: dE/ds at s (flat, flattening order)
    start: list              # the free phase's initial state (flat)
    coupling: str = ""       # the drawn coupling level, for statistics
    expected: Any = None     # other dynamics: the :class:`~.expectation.Expectation` (None: every statement verifies)
    _screening: Screening | None = None
    _model: Any = None

    @property
    def screening(self) -> Screening:
        if self._screening is None:
            self._screening = screen(self.gradient, self.start)
        return self._screening

    @property
    def model(self):
        """The :class:`symbolic.model.Model` (parsed once)."""
        if self._model is None:
            from symbolic.spec import model_from_dict

            doc = dict(self.doc)
            if self._screening is not None and self._screening.ok:
                doc["description"] = (doc.get("description", "") +
                                      f" [float64 screening: {self._screening.describe()}]")
            self._model = model_from_dict(doc, f"<random {self.family} instance>")
        return self._model

    def to_toml(self, **settings) -> str:
        """The model file text, with ``settings`` (dps, times, beta_method, ...) written in."""
        return with_settings(self.model, **settings).to_toml()


def with_settings(model, **settings):
    """A copy of ``model`` whose [settings] hold ``settings`` (a check then reproduces with no flags)."""
    import sympy as sp

    merged = dict(model.settings)
    for key, value in settings.items():
        if value is None:
            continue
        if key == "times":
            value = [sp.Rational(str(t)) for t in value]
        merged[key] = value
    return dataclasses.replace(model, settings=merged)


def initial_state(src: Source, blocks: list[tuple[str, int]], bound=2):
    """0 (the default) or a drawn point per state block (name, size; 0 for a scalar), to reach different minima.

    Returns the ``[settings] initial_state`` value and the flat float start.
    """
    if not src.boolean():
        return 0, [0.0] * sum(max(size, 1) for _, size in blocks)
    table, flat = {}, []
    for name, size in blocks:
        vals = [src.rational(bound, 2) for _ in range(max(size, 1))]
        table[name] = q(vals[0]) if size == 0 else vec(vals)
        flat += [float(v) for v in vals] if size else [float(vals[0])]
    return table, flat


def draw_target(src: Source):
    """A target condition number for :func:`tune_fields` (None: the drawn fields as they are)."""
    return TARGET_COND[src.integer(0, len(TARGET_COND) - 1)]


@dataclasses.dataclass
class Tuning:
    """Fields scaled by ``lam`` put minimum ``k + 1`` of ``count`` (fields off) at ``s``, cond(H) near the target."""

    lam: Fraction
    s: Any            # float64 minimum at the (exact) field strength lam
    k: int
    count: int


def tune_fields(gradient_for: Callable[[float], Callable], n: int, target: float, pick: int, seed: int,
                spread: float = 3.0) -> Tuning | None:
    """Scale the fields (``gradient_for(lam)``: the gradient at field strength lam) towards cond(H) ~ target.

    The minima with the fields off are followed, starting from the ``pick``-th,
    as the fields are switched on up to :data:`FIELD_MAX` times the drawn ones:
    a minimum the fields disfavour meets a saddle (a fold), its condition
    number passing every bound on the way. The first minimum to reach the
    target is taken, else the worst conditioned one. None without minima.
    """
    minima = find_minima(gradient_for(0.0), n, seed=seed, spread=spread)
    best = None
    for i in range(len(minima)):
        k = (pick + i) % len(minima)
        lam_k, s_k, reached = follow_to_condition(gradient_for, minima[k], 0.0, FIELD_MAX, target)
        cond_k = condition(gradient_for(lam_k), s_k)
        if best is None or reached or cond_k > best[0]:
            best = (cond_k, lam_k, s_k, k)
        if reached:
            break
    if best is None:
        return None
    _, lam_star, s_star, k = best
    lam = max(dyadic(lam_star), MIN_FIELD)
    s_star, _ = newton_float(gradient_for(float(lam)), s_star)
    return Tuning(lam, s_star, k, len(minima))


@dataclasses.dataclass(frozen=True)
class Family:
    """One family of random instances: its name (``random --family``), generator and test sizes.

    ``generate(src, **options)`` draws an :class:`Instance`; ``small`` are the
    options that keep an instance cheap (the default property-test run).
    """

    name: str
    generate: Callable[..., Instance]
    summary: str
    small: dict = dataclasses.field(default_factory=dict)
    dynamics: str = "gradient-flow"    # or "discrete", "field": a model of other dynamics (docs/discrete.md)
