"""symbolic/'s numeric evaluations hold the one process-wide mpmath precision lock, as a check does.

mpmath's precision is process-global: a proof's numeric witness (Talbot inversion, a
Newton fixed point) that set it without the lock would change the precision of a check
running in another thread (verify.precision.Precision.context holds the lock for a whole
check). Each evaluation is observed from inside (a spy on the mpmath call it makes):
the lock is held by the evaluating thread, at the precision it asked for. Reference
values are typed from the closed forms.
"""

from __future__ import annotations

import threading

import mpmath
import sympy as sp

import symbolic.mpmath_lock
from symbolic.proofs import laplace as lp
from symbolic.proofs.steps import numeric_fixed_point
from symbolic.spec import load_model_text
from verify.precision import LOCK, Precision

QUARTIC = '''name = "quartic-well"
description = "E = a (s - 3)^2/2 + (s - 3)^4/4: one critical point, s = 3"
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
a = 1
'''


def _spy(monkeypatch, name):
    seen, real = [], getattr(mpmath, name)

    def spy(*args, **kwargs):
        seen.append((LOCK._is_owned(), mpmath.mp.dps))
        return real(*args, **kwargs)

    monkeypatch.setattr(mpmath, name, spy)
    return seen


def test_a_check_and_symbolic_take_the_same_lock():
    assert symbolic.mpmath_lock.LOCK is LOCK


def test_the_talbot_inversion_holds_the_lock(monkeypatch):
    seen = _spy(monkeypatch, "invertlaplace")
    z = lp.Z
    value = lp.time_value(1 / (z + 1), 1, dps=30)          # L^-1{1/(z+1)}(t) = exp(-t)
    assert seen == [(True, 30)]
    assert value == "0.3678794411714423216"                 # exp(-1) = 0.36787944117144232159552...
    assert not LOCK._is_owned()


def test_the_witness_fixed_point_holds_the_lock(monkeypatch):
    seen = _spy(monkeypatch, "lu_solve")
    model = load_model_text(QUARTIC, "<quartic>")
    point = numeric_fixed_point(model, dps=30)
    assert seen and all(entry == (True, 40) for entry in seen)  # Newton at dps + 10
    assert abs(point[model.s[0]] - 3) < sp.Float("1e-30")
    assert not LOCK._is_owned()


def test_a_witness_waits_for_a_check_in_another_thread(monkeypatch):
    """While a check holds the lock (dps 30 -> work 40), a witness in another thread does not run."""
    seen = _spy(monkeypatch, "invertlaplace")
    z = lp.Z
    witness = threading.Thread(target=lp.time_value, args=(1 / (z + 1), 1), kwargs={"dps": 60})
    with Precision(30).context():
        witness.start()
        witness.join(timeout=0.5)
        assert witness.is_alive() and seen == [] and mpmath.mp.dps == 40
    witness.join(timeout=60)
    assert seen == [(True, 60)]
