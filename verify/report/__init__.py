"""The verification report: ``eqprop-verify report [MODEL] [--out DIR]``.

``build(model, out=...)`` checks the model, draws the plots and writes
index.html (self-contained, offline), report.md, report.json and the PNGs
into DIR -- all at once or not at all (:mod:`.atomic`).
"""

from .builder import DEFAULT_MODEL, Built, build

__all__ = ["DEFAULT_MODEL", "Built", "build"]
