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
from .system import GUARD_BITS, System, make_system
from .trajectory import Trajectory

__all__ = ["BACKEND_NAMES", "CHOICES", "GUARD_BITS", "IntegrationError", "System", "Trajectory",
           "auto_backend", "available_backends", "backend_class", "make_system", "resolve_backend"]
