"""The registry of ODE backends: every module ``<name>_backend.py`` of this package is one.

The names come from the module files (no import: listing the ``--backend``
choices does not import an optional dependency such as heyoka); the classes
(:class:`verify.ode.engine.Backend` subclasses) are imported when a backend is
asked for. ``mpmath``, the pure-Python reference, is listed first.

Adding a backend: a module ``verify/ode/<name>_backend.py`` with a
``Backend`` subclass (``name = "<name>"``, ``available()``, ``engine()``
returning a :class:`~verify.ode.engine.JetEngine`) and its tests; every
``--backend`` choice list, ``available_backends`` and ``resolve_backend``
derive from here.
"""

from __future__ import annotations

import importlib
import pkgutil

from .engine import Backend

REFERENCE = "mpmath"
_SUFFIX = "_backend"


def _names() -> tuple[str, ...]:
    from . import __path__ as path

    found = sorted(m.name[:-len(_SUFFIX)] for m in pkgutil.iter_modules(path) if m.name.endswith(_SUFFIX))
    return tuple(sorted(found, key=lambda n: n != REFERENCE))


#: every backend's name, the reference first
BACKEND_NAMES: tuple[str, ...] = _names()
#: the ``--backend`` choices
CHOICES: tuple[str, ...] = ("auto",) + BACKEND_NAMES


def backend_class(name: str) -> type[Backend]:
    """The Backend subclass called ``name`` (ValueError for an unknown name)."""
    if name not in BACKEND_NAMES:
        raise ValueError(f"backend={name!r}: expected one of {', '.join(repr(b) for b in CHOICES)}")
    module = importlib.import_module(f"{__package__}.{name}{_SUFFIX}")
    found = [c for c in vars(module).values()
             if isinstance(c, type) and issubclass(c, Backend) and c is not Backend and c.name == name]
    if len(found) != 1:
        raise ImportError(f"{module.__name__} must define exactly one Backend subclass with name = {name!r}")
    return found[0]


def available_backends() -> list[str]:
    """Names of the usable backends, the reference first (``"heyoka"`` only if it imports)."""
    return [n for n in BACKEND_NAMES if backend_class(n).available()]


def auto_backend() -> str:
    """The backend ``auto`` means: the available one with the highest preference."""
    return max(available_backends(), key=lambda n: backend_class(n).auto_preference)


def resolve_backend(backend: str | None) -> str:
    """A backend name from a setting (None or "auto": :func:`auto_backend`); UsageError if unusable."""
    from ..errors import UsageError

    if backend in (None, "auto"):
        return auto_backend()
    have = available_backends()
    if backend not in have:
        known = f"known: {', '.join(CHOICES)}" if backend not in BACKEND_NAMES else f"installed: {', '.join(have)}"
        raise UsageError(f"--backend {backend} is not available ({known}); "
                         "pip install 'eqprop-verify[heyoka]'")
    return backend
