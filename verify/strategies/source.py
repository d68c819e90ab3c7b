"""Where a generator's choices come from, and how its exact values are written.

Every generator is a plain function of a :class:`Source` (a few draws of
integers), so the same code serves hypothesis (:class:`HypothesisSource`,
which shrinks well because every choice is an integer) and the reproducible
command-line sweep ``eqprop-verify random`` (:class:`RandomSource` over
``random.Random``). hypothesis is imported only when a hypothesis source draws.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Sequence


class Source:
    """Where a generator's choices come from: integers in a range, an element, a bit."""

    def integer(self, lo: int, hi: int) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def choice(self, options: Sequence):
        return options[self.integer(0, len(options) - 1)]

    def boolean(self) -> bool:
        return bool(self.integer(0, 1))

    def rational(self, bound, bits: int) -> Fraction:
        """A rational k / 2^bits in [-bound, bound] (exact in a model file)."""
        scale = 2 ** bits
        top = int(Fraction(bound) * scale)
        return Fraction(self.integer(-top, top), scale)


class RandomSource(Source):
    """Choices from a ``random.Random`` (the command-line sweep; reproducible from a seed)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def integer(self, lo, hi):
        return self.rng.randint(lo, hi)


class HypothesisSource(Source):
    """Choices drawn through hypothesis (``data.draw`` of a composite strategy)."""

    def __init__(self, draw):
        self._draw = draw

    def integer(self, lo, hi):
        from hypothesis import strategies as st

        return self._draw(st.integers(lo, hi))

    def choice(self, options):
        from hypothesis import strategies as st

        return self._draw(st.sampled_from(list(options)))

    def boolean(self):
        from hypothesis import strategies as st

        return self._draw(st.booleans())


def q(x) -> str:
    """A rational as model-file text (exact: "p/q")."""
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def vec(values) -> list:
    """A vector of rationals as model-file text."""
    return [q(v) for v in values]


def mat(rows) -> list:
    """A matrix of rationals as model-file text."""
    return [[q(v) for v in row] for row in rows]


def dyadic(x: float, bits: int = 12) -> Fraction:
    """``x`` rounded to a multiple of 2^-bits (exact in a model file)."""
    return Fraction(round(float(x) * 2 ** bits), 2 ** bits)
