"""logcosh end to end: derive prints it, the integrator solves it, check verifies a model using it.

Reference values are independent of the code under test: ``mpmath.quad`` of the
naive log(cosh(u)) for the integrator, the two routes of ``check`` (EP and
RBP/direct) against each other for the model.  Both ODE backends run.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

import verify
from symbolic import derive
from symbolic.display import render
from symbolic.functions import logcosh
from symbolic.spec import load_model_text
from verify.ode import available_backends, make_system

BACKENDS = ["mpmath"] + (["heyoka"] if "heyoka" in available_backends() else [])

MODEL = '''name = "logcosh-net"
description = "A two-unit net with a log-cosh coupling energy and a log-cosh (robust) cost"

[state]
s = 2

[params]
W = [2, 2]

[inputs]
x = ["1/2", "-1"]

[targets]
y = ["1/4", "-1/2"]

[model]
energy = "s.T*s/2 + sum(logcosh(W*s - x))"
cost = "sum(logcosh(s - y))"

[values]
W = [["1/2", "-1/4"], ["1/3", "3/4"]]

[settings]
times = [0, 0.5, 1, 2]
'''


def test_derive_prints_logcosh():
    text = render(derive(load_model_text(MODEL)), "text")
    assert "E^β(s) = E(s) + β C(s) = sᵀ s/2 + sum(logcosh(W s - x)) + β (sum(logcosh(s - y)))" in text
    assert "ds/dt = -Wᵀ tanh(W s - x) - s" in text  # d/du logcosh(u) = tanh(u)
    latex = render(derive(load_model_text(MODEL)), "latex")
    assert r"\operatorname{logcosh}\left(" in latex


@pytest.mark.parametrize("backend", BACKENDS)
def test_integrator_on_a_logcosh_field(backend):
    """s0' = 1, s1' = logcosh(s0): s1(t) = integral of log(cosh(u)) from c to c + t (mpmath.quad)."""
    s0, s1 = sp.symbols("s0 s1", real=True)
    system = make_system([sp.S.One, logcosh(s0)], [s0, s1], [], backend=backend)
    c = sp.Rational(-3, 2)
    times = [0, sp.Rational(1, 2), 2, 5]
    traj = system.solve([c, 0], [], times, dps=30)
    with mpmath.workdps(50):
        for t, state in zip(traj.times, traj.states):
            exact = mpmath.quad(lambda u: mpmath.log(mpmath.cosh(u)), [c, 0, c + mpmath.mpf(t)]) \
                if t else mpmath.mpf(0)
            assert abs(state[1] - exact) <= mpmath.mpf(10) ** -28 * max(1, abs(exact)), (t, state[1], exact)
            # false variant: log(cosh) + u^2/1000 is told apart at every t > 0
            wrong = exact + mpmath.quad(lambda u: u * u / 1000, [c, c + mpmath.mpf(t)])
            assert t == 0 or abs(state[1] - wrong) > mpmath.mpf(10) ** -6


@pytest.mark.parametrize("backend", BACKENDS)
def test_check_verifies_a_logcosh_model(backend):
    report = verify.check(load_model_text(MODEL), dps=30, backend=backend)
    assert report.settings["backend"] == backend
    report.assert_verified()
    assert all(c.digits >= 30 for c in report.checks if c.applicable), report.table()
