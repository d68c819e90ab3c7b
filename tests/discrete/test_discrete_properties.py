"""Random discrete models (issue 13, item 5): drawn Hopfield energies relaxed by Euler steps, as
``energy`` + ``step`` and as the equivalent ``primitive``; both verify the GDU statements.

The step is 1/(ceil(lambda_max(H)) + 1) at the drawn instance's screened minimum, so that
F = s - step dE/ds is a contraction there (its Jacobian I - step H has spectrum in (0, 1)).
"""

import copy
import math

import mpmath
import pytest
from hypothesis import given

from symbolic.spec import model_from_dict
from verify.discrete.check import check_discrete
from verify.strategies import instances

DPS = 20


def discrete_docs(inst):
    """(energy + step, primitive) model-file dicts of one drawn instance."""
    step = f"1/{math.ceil(float(inst.screening.eigenvalues[-1])) + 1}"
    energy_doc = copy.deepcopy(inst.doc)
    energy_doc.setdefault("settings", {}).update(dynamics="discrete", step=step, steps=4)
    energy_doc["settings"].pop("times", None)
    primitive_doc = copy.deepcopy(energy_doc)
    energy = primitive_doc["model"].pop("energy")
    squares = " + ".join(f"{b}.T*{b}" if shape != 0 else f"{b}**2" for b, shape in inst.doc["state"].items())
    primitive_doc["model"]["primitive"] = f"({squares})/2 - ({step})*({energy})"
    del primitive_doc["settings"]["step"]
    return energy_doc, primitive_doc


@pytest.mark.slow
@given(instances("hopfield"))
def test_drawn_energy_step_and_primitive_models_verify_the_gdu_statements(inst):
    energy_doc, primitive_doc = discrete_docs(inst)
    reports = [check_discrete(model_from_dict(doc, "drawn.toml"), dps=DPS) for doc in (energy_doc, primitive_doc)]
    for r in reports:
        assert r.verdict == "verified", r.table()
        assert min(c.digits for c in r.checks) >= DPS - 8
    a, b = (r.values["delta_ep_theta"] for r in reports)
    assert all(abs(mpmath.mpf(x) - mpmath.mpf(y)) <= mpmath.mpf(10) ** (3 - DPS) * max(1, abs(mpmath.mpf(x)))
               for u, v in zip(a, b) for x, y in zip(u, v))
