"""The registry of instance families: ``random --family``, ``falsify --random`` and the tests read it.

Adding a family is one module defining ``FAMILY`` (a :class:`~.instance.Family`
record whose generator draws an :class:`~.instance.Instance` from a
:class:`~.source.Source`, with a float64 gradient for screening) and one line
here; the property tests then draw it too.
"""

from __future__ import annotations

from . import hopfield, hopfield_readout, polynomial, quadratic
from .instance import Family

REGISTRY: dict[str, Family] = {f.name: f for f in (hopfield.FAMILY, hopfield_readout.FAMILY,
                                                   polynomial.FAMILY, quadratic.FAMILY)}
FAMILIES = tuple(REGISTRY)
GENERATORS = {name: f.generate for name, f in REGISTRY.items()}
