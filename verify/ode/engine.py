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


def linear_cost_order(log2_tol: float) -> int:
    """Taylor order ceil(-3/4 ln(tol)) + 1 for jets whose cost per order does not grow with the order.

    Jorba & Zou's order minimises the work per unit time p^2 tol^(-1/p) (the step is
    ~ R tol^(1/p), and order k of a convolution costs k). First-order jets
    (:mod:`symbolic.taylor.tangent`) cost the same at every order: their work per unit time,
    p tol^(-1/p), is least at p = -ln tol and within 5 % of that at 3/4 of it, with steps
    e^(2/3) ~ 1.9 times Jorba & Zou's (more on a stiff field, where the step is bounded by
    ~ p / (e lambda_max)). Not the full -ln tol: the longer steps let the terms of a fast mode
    grow far above the sum and cancel, which costs digits (on bench/models/stiff-logcosh.toml
    at dps 40, Theorem 1 fell from 50.0 to 47.2 digits at -ln tol, none at 3/4 of it).
    """
    return max(2, math.ceil(-0.75 * log2_tol * math.log(2)) + 1)


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

    def order(self, log2_tol: float) -> int:
        """The Taylor order for a solve at tolerance 2^log2_tol (jets costing O(k) at order k)."""
        return jorba_zou_order(log2_tol)

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

    def evaluate_gmpy2(self, tau) -> list:
        """:meth:`evaluate` as gmpy2 numbers (the same values, for a caller that computes on gmpy2)."""
        from .numbers import exact_gmpy2

        return [exact_gmpy2(v) for v in self.evaluate(tau)]

    def state_gmpy2(self) -> list:
        """:meth:`state` as gmpy2 numbers (the same values)."""
        from .numbers import exact_gmpy2

        return [exact_gmpy2(v) for v in self.state()]
