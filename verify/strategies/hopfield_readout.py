"""The hopfield-readout family: the layered Hopfield energy (Eq 4) with a learned read-out.

C = 1/2 ||y - V s0 - c||^2 depends on theta, so Eq 12's Y_0 is not zero.
"""

from __future__ import annotations

from .hopfield import hopfield
from .instance import Family, Instance
from .source import Source


def hopfield_readout(src: Source, **kw) -> Instance:
    """:func:`~.hopfield.hopfield` with a learned read-out V (and bias c): a theta-dependent cost."""
    return hopfield(src, readout=True, **kw)


FAMILY = Family("hopfield-readout", hopfield_readout, "layered Hopfield energy with a learned read-out "
                "(theta-dependent cost)", small={"size": (1, 2)})
