"""The ODE backend registry (verify.ode.backends) and the integrator's result object."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from verify.errors import UsageError
from verify.ode import (BACKEND_NAMES, CHOICES, auto_backend, available_backends, backend_class, make_system,
                        resolve_backend)
from verify.ode.controller import Integration, integrate
from verify.ode.engine import Backend, JetEngine
from verify.ode.numbers import gmpy2_context, to_gmpy2

y = sp.Symbol("y")


def test_names_come_from_the_backend_modules_reference_first():
    assert BACKEND_NAMES[0] == "mpmath" and set(BACKEND_NAMES) == {"mpmath", "heyoka"}
    assert CHOICES == ("auto",) + BACKEND_NAMES
    for name in BACKEND_NAMES:
        cls = backend_class(name)
        assert issubclass(cls, Backend) and cls.name == name


def test_choice_lists_derive_from_the_registry():
    from verify.cli import build_parser
    from verify.pytest_plugin import BACKENDS

    assert BACKENDS == CHOICES
    check = build_parser()._subparsers._group_actions[0].choices["check"]
    backend = next(a for a in check._actions if a.dest == "backend")
    assert tuple(backend.choices) == CHOICES


def test_available_and_auto():
    have = available_backends()
    assert have[0] == "mpmath" and set(have) <= set(BACKEND_NAMES)
    assert all(backend_class(n).available() for n in have)
    assert auto_backend() == max(have, key=lambda n: backend_class(n).auto_preference)
    assert resolve_backend(None) == resolve_backend("auto") == auto_backend()
    assert resolve_backend("mpmath") == "mpmath"


def test_unknown_backends_are_named():
    with pytest.raises(UsageError, match="--backend nope is not available .known: auto, mpmath, heyoka"):
        resolve_backend("nope")
    with pytest.raises(ValueError, match="backend='nope': expected one of 'auto', 'mpmath', 'heyoka'"):
        make_system([-y], [y], [], backend="nope")
    with pytest.raises(ValueError, match="expected one of"):
        backend_class("nope")


@pytest.mark.parametrize("backend", available_backends())
def test_integrate_returns_an_integration(backend):
    """One solve of dy/dt = -y through the engine of each backend: a result object with per-time errors."""
    system = make_system([-y], [y], [], backend=backend)
    impl = backend_class(backend)(system.program)
    assert isinstance(impl, Backend) and impl.name == system.backend == backend
    with mpmath.workdps(30):
        prec = mpmath.mp.prec + 16
        with gmpy2_context(prec):
            engine = impl.engine([mpmath.mpf(1)], [], 24, prec)
            assert isinstance(engine, JetEngine)
            out = integrate(engine, [to_gmpy2(0), to_gmpy2(1)], float(mpmath.log(mpmath.mpf(10) ** -30, 2)),
                            mpmath.mp.prec)
        assert isinstance(out, Integration)
        assert len(out.states) == len(out.errors_real) == len(out.errors_imag) == 2
        assert out.steps == len(out.step_sequence) >= 1
        assert abs(out.states[1][0] - mpmath.exp(-1)) < mpmath.mpf(10) ** -28
