"""Drawing instances: plainly from a seed (the ``random`` sweep) or as hypothesis strategies (property tests).

Degenerate draws are rejected by the screening (:mod:`~.screening`): redrawn
in the sweep, ``assume``-d away in hypothesis; never counted as passes.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Sequence

from ..extrapolate import METHODS
from .families import FAMILIES, REGISTRY
from .instance import Instance
from .source import HypothesisSource, RandomSource, Source

BETA_METHODS = tuple(METHODS)      # the names of the beta-method registry, in its order


def draw_times(src: Source, *, max_times: int = 3, t_max: int = 3) -> list[Fraction]:
    """1 to ``max_times`` distinct times in [0, t_max] (eighths), at least one of them > 0."""
    k = src.integer(1, max_times)
    times = {Fraction(src.integer(0, 8 * t_max), 8) for _ in range(k)}
    if src.boolean():
        times.add(Fraction(0))
    if max(times) == 0:
        times.add(Fraction(1, 2))
    return sorted(times)


def draw_valid(family: str, rng: random.Random, *, max_tries: int = 500, min_cond: float = 1.0,
               **kw) -> tuple[Instance, int]:
    """A screened instance of ``family`` from ``rng``, redrawing degenerate ones (and, with
    ``min_cond``, better conditioned ones); returns it and how many draws were rejected."""
    generate = REGISTRY[family].generate
    for tries in range(max_tries):
        inst = generate(RandomSource(rng), **kw)
        if inst.screening.ok and inst.screening.cond >= min_cond:
            return inst, tries
    raise RuntimeError(f"no valid {family} instance with cond(H) >= {min_cond:g} in {max_tries} draws")


def instances(family: str | Sequence[str] = FAMILIES, **kw):
    """hypothesis strategy: screened :class:`Instance` objects of one family (or of several, drawn)."""
    from hypothesis import assume, event, strategies as st

    families = [family] if isinstance(family, str) else list(family)

    @st.composite
    def build(draw):
        src = HypothesisSource(draw)
        fam = src.choice(families) if len(families) > 1 else families[0]
        inst = REGISTRY[fam].generate(src, **kw)
        sc = inst.screening
        if not sc.ok:
            event(f"rejected {fam}: {sc.reason.split(' (')[0]}")
        assume(sc.ok)
        return inst

    return build()


def models(family: str | Sequence[str] = FAMILIES, **kw):
    """hypothesis strategy: valid :class:`~symbolic.model.Model` objects (write one out with ``.to_toml()``)."""
    return instances(family, **kw).map(lambda inst: inst.model)


def times(max_times: int = 3, t_max: int = 3):
    """hypothesis strategy: sorted lists of exact times (Fractions), at least one > 0."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        return draw_times(HypothesisSource(draw), max_times=max_times, t_max=t_max)

    return build()


def beta_methods(methods: Sequence[str] = BETA_METHODS):
    """hypothesis strategy: a beta -> 0 method (``--beta-method``; the names of :mod:`verify.extrapolate`)."""
    from hypothesis import strategies as st

    return st.sampled_from(list(methods))
