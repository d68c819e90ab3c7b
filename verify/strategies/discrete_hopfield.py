"""Discrete-time families from the layered Hopfield energy (Eq 4): ``discrete-step`` and ``discrete-primitive``.

The energy is drawn by :func:`~.hopfield.hopfield`; the map is its Euler step
F(s) = s - step dE/ds, written as ``energy`` + ``step`` (``discrete-step``)
or as the primitive Phi = |s|^2/2 - step E (``discrete-primitive``, Ernoult
et al. 2019: s_{t+1} = dPhi/ds). step = 1/(ceil(lambda_max(H)) + 1) at the
screened minimum, so that dF/ds = I - step H has its spectrum in (0, 1)
there: a gradient map and a contraction. Both forms are expected to verify
every GDU statement (:data:`EXPECTED`).
"""

from __future__ import annotations

import copy
import math
from fractions import Fraction

import numpy as np

from .expectation import verified
from .hopfield import hopfield
from .instance import Family, Instance
from .maps import screen_map
from .source import Source, q

EXPECTED = verified("gdu-s", "gdu-theta", "gdu-sum", "bptt-adjoint",
                    why="F = s - step dE/ds is a gradient map (dF/ds = I - step H symmetric) and a contraction")


def discrete_hopfield(src: Source, *, primitive: bool = False, steps=(2, 6), **kw) -> Instance:
    """A drawn Hopfield energy relaxed by Euler steps, as ``energy`` + ``step`` or as its primitive.

    (Its cost and screening are the Hopfield family's: the map screening only adds the contraction.)
    """
    base = hopfield(src, **kw)
    family = "discrete-primitive" if primitive else "discrete-step"
    K = src.integer(*steps)
    sc = base.screening
    if not sc.ok:
        return Instance(family, base.doc, base.gradient, base.start, expected=EXPECTED, _screening=sc)
    step = Fraction(1, math.ceil(float(sc.eigenvalues[-1])) + 1)
    gradient = base.gradient
    mapped = screen_map(lambda s: s - float(step) * gradient(s), base.start, cost_gradient=lambda s: [1.0])
    if mapped.ok and np.max(np.abs(mapped.s - sc.s)) > 1e-6 * (1 + np.max(np.abs(sc.s))):
        mapped.ok, mapped.reason = False, "relaxation of F reaches another fixed point than the free flow"
    doc = copy.deepcopy(base.doc)
    doc["name"] = f"random-{family}"
    doc.setdefault("settings", {}).update(dynamics="discrete", steps=K)
    energy = doc["model"]["energy"]
    if primitive:
        squares = " + ".join(f"{b}.T*{b}" for b in doc["state"])
        doc["model"] = {"primitive": f"({squares})/2 - ({q(step)})*({energy})", "cost": doc["model"]["cost"]}
        doc["description"] += f"; discrete: F = dPhi/ds, Phi = |s|^2/2 - {q(step)} E, {K} steps"
    else:
        doc["settings"]["step"] = q(step)
        doc["description"] += f"; discrete: F = s - {q(step)} dE/ds, {K} steps"
    return Instance(family, doc, gradient, base.start, coupling=base.coupling, expected=EXPECTED,
                    _screening=mapped)


def discrete_primitive(src: Source, **kw) -> Instance:
    return discrete_hopfield(src, primitive=True, **kw)


SMALL = {"size": (1, 2), "depth": (1, 2), "steps": (2, 4)}
FAMILY_STEP = Family("discrete-step", discrete_hopfield, "discrete: Hopfield energy + Euler step "
                     "(F = s - step dE/ds); expected verified", small=SMALL, dynamics="discrete")
FAMILY_PRIMITIVE = Family("discrete-primitive", discrete_primitive, "discrete: the same map written as its "
                          "primitive Phi = |s|^2/2 - step E; expected verified", small=SMALL, dynamics="discrete")
