"""The registry of instance families: ``random --family``, ``falsify --random`` and the tests read it.

Adding a family is one module defining ``FAMILY`` (a :class:`~.instance.Family`
record whose generator draws an :class:`~.instance.Instance` from a
:class:`~.source.Source`, with a float64 gradient for screening) and one line
here; the property tests then draw it too.

:data:`FAMILIES` are the paper's gradient flows (``random --family all`` takes
them in turn); :data:`DYNAMICS_FAMILIES` are the other dynamics of
docs/discrete.md (``--family dynamics`` takes them in turn), each drawn
instance carrying its expected outcome (:mod:`~.expectation`).
"""

from __future__ import annotations

from . import discrete_hopfield, field, hopfield, hopfield_readout, polynomial, quadratic, sigma_update
from .instance import Family

REGISTRY: dict[str, Family] = {f.name: f for f in (
    hopfield.FAMILY, hopfield_readout.FAMILY, polynomial.FAMILY, quadratic.FAMILY,
    discrete_hopfield.FAMILY_STEP, discrete_hopfield.FAMILY_PRIMITIVE, sigma_update.FAMILY, field.FAMILY)}
FAMILIES = tuple(name for name, f in REGISTRY.items() if f.dynamics == "gradient-flow")
DYNAMICS_FAMILIES = tuple(name for name, f in REGISTRY.items() if f.dynamics != "gradient-flow")
#: ``--family`` values that take several families in turn
GROUPS = {"all": FAMILIES, "dynamics": DYNAMICS_FAMILIES}
GENERATORS = {name: f.generate for name, f in REGISTRY.items()}
