"""High-precision Taylor-series integrator for the gradient flows (Eq 1, Eq 18).

``make_system(field, variables, parameters, backend=...)`` compiles a sympy
vector field once (jet recurrences from :mod:`symbolic.taylor`); the
returned system's ``solve(y0, params, times, dps=...)`` integrates it from
t = 0 and returns a :class:`Trajectory`.  Two backends compute the Taylor
coefficients: ``"mpmath"`` (generated Python on gmpy2 numbers, always there)
and ``"heyoka"`` (compiled, ``heyoka.real``, optional), one module each,
registered in :mod:`verify.ode.backends`; step control, dense output and error
estimates are shared (:mod:`verify.ode.controller`).
"""

from .backends import BACKEND_NAMES, CHOICES, auto_backend, available_backends, backend_class, resolve_backend
from .errors import IntegrationError
from .trajectory import Trajectory

_FROM_SYSTEM = ("GUARD_BITS", "System", "make_system")


def __getattr__(name):
    # the compiler (sympy) is imported on first use: listing backends stays cheap
    if name in _FROM_SYSTEM:
        from . import system

        return getattr(system, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["BACKEND_NAMES", "CHOICES", "GUARD_BITS", "IntegrationError", "System", "Trajectory",
           "auto_backend", "available_backends", "backend_class", "make_system", "resolve_backend"]
