"""The contract between the step-size controller and a backend: :class:`Backend` and its :class:`JetEngine`.

A backend (one module ``verify/ode/<name>_backend.py``, found by
:mod:`verify.ode.backends`) compiles a field's Taylor program once; for each
solve it makes a jet engine, which knows how to compute the Taylor expansion of the solution at the
current state and how to move along it; everything else (order and step-size
selection, dense output at requested times, error accounting, frozen step
sequences) is in :mod:`verify.ode.controller` and is shared, so both backends
take the same steps on the same problem.
"""

from __future__ import annotations

import abc
import math


def jorba_zou_order(log2_tol: float) -> int:
    """Taylor order ceil(-ln(tol)/2) + 1 (Jorba & Zou 2005, Sec. 3.2; heyoka uses the same)."""
    return max(2, math.ceil(-log2_tol * math.log(2) / 2) + 1)


class Backend(abc.ABC):
    """One way to compute Taylor coefficients: compiles a program once, makes an engine per solve.

    Subclasses set ``name`` (the ``--backend`` value; it must match the module
    ``<name>_backend.py``) and ``auto_preference`` (``--backend auto`` takes the
    available backend with the highest), and say whether they can run here.
    """

    #: the ``--backend`` name
    name: str = "?"
    #: ``auto`` picks the available backend with the highest preference
    auto_preference: int = 0

    @classmethod
    def available(cls) -> bool:
        """Whether the backend can run here (its optional dependencies import)."""
        return True

    @abc.abstractmethod
    def __init__(self, program, **options):
        """Compile ``program`` (a :class:`symbolic.taylor.TaylorProgram`) for repeated solves."""

    @abc.abstractmethod
    def engine(self, y0, params, order: int, prec: int) -> "JetEngine":
        """A jet engine at ``prec`` bits holding the state ``y0`` (called inside ``gmpy2_context(prec)``)."""


class JetEngine(abc.ABC):
    """Taylor expansion of the solution through the current state, for one solve.

    Implementations hold the current state at ``prec`` bits.  The controller
    calls :meth:`expand` once per step, then :meth:`evaluate` for each requested
    time inside the step and :meth:`advance` to move to the end of the step.
    Times and step sizes are gmpy2 ``mpfr`` at ``prec`` bits.
    """

    #: backend name reported in the Trajectory
    name: str = "?"

    def __init__(self, order: int, prec: int):
        self.order = order
        self.prec = prec

    @property
    @abc.abstractmethod
    def is_complex(self) -> bool:
        """Whether the state may have an imaginary part (then controlled separately)."""

    @abc.abstractmethod
    def expand(self) -> tuple[list[float], list[float] | None]:
        """Taylor coefficients c_0..c_order at the current state; their log2 norms.

        Returns ``(real, imag)``: for each order j, log2 of the max-norm over the
        components of the real parts of c_j (``-inf`` if all are zero), and the
        same for the imaginary parts (``None`` for a real state).
        """

    @abc.abstractmethod
    def advance(self, h) -> None:
        """Move the state to the Taylor polynomial of the last expansion at ``h``."""

    @abc.abstractmethod
    def evaluate(self, tau) -> list:
        """The Taylor polynomial of the last expansion at ``tau``, as mpmath numbers.

        Rounded to the current mpmath precision (the caller's dps).
        """

    @abc.abstractmethod
    def state(self) -> list:
        """The current state, as mpmath numbers at the current mpmath precision."""
