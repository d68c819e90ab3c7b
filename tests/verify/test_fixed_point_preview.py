"""The float64 preview that rejects a checkpoint of the free flow before the multiprecision certification.

E = a (s - 3)^2 / 2 + (s - 3)^4 / 4 (a = 1): from s = 0 Newton finds the strict minimum
s* = 3 (H = 1) at once, but H(0) = 28, so the flow is far outside the basin
||H(s_t) - H(s*)|| <= lambda_min / 2 until |s - 3| < 0.41. The preview must reject
exactly where the certification rejects (same numbers) and leave the rest to it, and
the fixed point must be the same to the last bit with or without it.
"""

from __future__ import annotations

import re

import mpmath
import numpy as np
import pytest

import verify.fixed_point as fp
from symbolic.compile import compile_model
from symbolic.spec import load_model_text
from verify.precision import Precision

QUARTIC = '''name = "quartic-well"
description = "E = a (s - 3)^2/2 + (s - 3)^4/4: Newton from far away finds the minimum long before the flow is near it"

[state]
s = 0

[params]
a = 0

[targets]
y = 1

[model]
energy = "a*(s - 3)**2/2 + (s - 3)**4/4"
cost = "(s - y)**2/2"

[values]
seed = 0
a = 1
'''

PRECISION = Precision(30)


@pytest.fixture(scope="module")
def quartic():
    model = load_model_text(QUARTIC, "<quartic>")
    compiled = compile_model(model)
    with PRECISION.context():
        theta = compiled.theta_values(PRECISION.work)
    return compiled, theta


def numbers(text):
    return re.findall(r"= ([-0-9.e+]+)", text)


def certification_alone(compiled, theta, s_t, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(fp, "_clearly_outside_basin", lambda *args: None)
        return fp._certified_target(compiled, theta, np.zeros(1), np.array(s_t))


def test_far_from_the_minimum_the_preview_rejects_as_the_certification_does(quartic, monkeypatch):
    compiled, theta = quartic
    why = fp._clearly_outside_basin(compiled, theta, np.array([0.0]))
    assert why is not None and "basin of strong convexity" in why
    star, reason = certification_alone(compiled, theta, [0.0], monkeypatch)
    assert star is None and "basin of strong convexity" in reason
    assert numbers(why) == numbers(reason) == ["27.0", "0.5"]


def test_inside_the_basin_the_preview_leaves_the_decision_to_the_certification(quartic, monkeypatch):
    compiled, theta = quartic
    assert fp._clearly_outside_basin(compiled, theta, np.array([2.9])) is None
    star, reason = certification_alone(compiled, theta, [2.9], monkeypatch)
    assert reason is None and abs(star[0] - 3) < mpmath.mpf(10) ** -15


def test_the_fixed_point_is_the_same_to_the_last_bit_with_and_without_the_preview(quartic, monkeypatch):
    compiled, theta = quartic
    calls = []
    preview = fp._clearly_outside_basin

    def counted(*args):
        calls.append(preview(*args))
        return calls[-1]

    with PRECISION.context():
        monkeypatch.setattr(fp, "_clearly_outside_basin", counted)
        with_preview = fp.free_fixed_point(compiled, theta, precision=PRECISION)
        monkeypatch.setattr(fp, "_clearly_outside_basin", lambda *args: None)
        without = fp.free_fixed_point(compiled, theta, precision=PRECISION)
    assert sum(why is not None for why in calls) >= 2          # the preview did reject checkpoints
    assert with_preview.s == without.s and with_preview.s[0] == 3
    assert with_preview.hessian_eigenvalues == without.hessian_eigenvalues
    assert with_preview.method == without.method



def test_a_complex_hessian_leaves_the_checkpoint_to_the_certification():
    """(s - 1)^(5/2) is complex at s = 0: the preview says nothing rather than raising."""
    model = load_model_text(QUARTIC.replace('(s - 3)**4/4"', '(s - 3)**4/4 + (s - 1)**(5/2)"'), "<complex>")
    compiled = compile_model(model)
    with PRECISION.context():
        theta = compiled.theta_values(PRECISION.work)
        assert isinstance(compiled.H([mpmath.mpf(0)], theta)[0, 0], mpmath.mpc)
    assert fp._clearly_outside_basin(compiled, theta, np.array([0.0])) is None
