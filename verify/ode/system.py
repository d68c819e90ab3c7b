"""``make_system``: compile a vector field once, solve it many times."""

from __future__ import annotations

from typing import Sequence

import mpmath
from mpmath.libmp import dps_to_prec

from symbolic.taylor import TaylorProgram, compile_taylor

from ..precision import Precision
from .backends import BACKEND_NAMES, auto_backend, backend_class
from .controller import integrate, pow2
from .engine import jorba_zou_order
from .numbers import gmpy2_context, to_gmpy2, to_mpmath
from .trajectory import Trajectory

#: Extra bits carried internally above the caller's dps (mpmath's habit: work
#: with guard bits, round the result back).  16 bits cover the k-ulp rounding of
#: order-k convolutions, so the truncation tolerance is the binding error.
GUARD_BITS = 16


def make_system(field: Sequence, variables: Sequence, parameters: Sequence = (),
                backend: str = "mpmath", **options) -> "System":
    """Compile ds/dt = field(s; p) for repeated high-precision Taylor integration.

    Parameters
    ----------
    field : sequence of sympy expressions (one per variable), autonomous
    variables : sequence of sympy Symbols, the state
    parameters : sequence of sympy Symbols whose values are given to :meth:`System.solve`
    backend : a name of :data:`verify.ode.backends.BACKEND_NAMES`, or "auto"
        ``"auto"`` is the preferred available backend (heyoka when it imports, else mpmath).
    **options
        ``numbers="gmpy2"|"mpmath"`` for the mpmath backend (number type of the
        recurrences; default gmpy2), ``first_order=True`` for its tangent jets
        (complex-step solves only, see :meth:`System.first_order`),
        ``compact_mode=`` for heyoka.
    """
    if backend == "auto":
        backend = auto_backend()
    if backend not in BACKEND_NAMES:
        raise ValueError(f"backend={backend!r}: expected one of "
                         + ", ".join(repr(b) for b in ("auto",) + BACKEND_NAMES))
    program = compile_taylor(field, variables, parameters)
    return System(program, backend, list(variables), list(parameters), **options)


class System:
    """A compiled autonomous field; :meth:`solve` integrates it from t = 0.

    Attributes
    ----------
    program : symbolic.taylor.TaylorProgram
        The compiled recurrences (``program.jet_source()`` prints them).
    backend : str
    """

    def __init__(self, program: TaylorProgram, backend: str, variables, parameters, **options):
        self.program = program
        self.backend = backend
        self.variables = variables
        self.parameters = parameters
        self._options = options
        self._impl = backend_class(backend)(program, **options)

    def first_order(self) -> "System":
        """The same program with first-order (tangent) jets, for complex-step solves next to a fixed point.

        On the mpmath backend a second compiled system whose recurrences keep
        only their end terms (:mod:`symbolic.taylor.tangent`); it refuses a
        real solve.  Another backend returns this system unchanged (full jets).
        """
        if self.backend != "mpmath":
            return self
        options = dict(self._options, first_order=True)
        return System(self.program, self.backend, self.variables, self.parameters, **options)

    @property
    def n(self) -> int:
        return self.program.n

    @property
    def n_params(self) -> int:
        return self.program.n_params

    def _order(self, log2_tol: float) -> int:
        return self._impl.order(log2_tol)

    def _engine(self, y0, params, order: int, prec: int):
        return self._impl.engine(y0, params, order, prec)

    def solve(self, y0, params=(), times=(1,), dps: int = 40, tol=None, steps=None,
              max_steps: int = 100_000, numbers: str = "mpmath") -> Trajectory:
        """Integrate from ``y0`` at t = 0 and return the states at ``times``.

        Parameters
        ----------
        y0 : list of n numbers (mpf, mpc, int, float, Fraction, sympy numbers)
        params : list of numbers, one per parameter
        times : increasing times t >= 0 (0 allowed)
        dps : int
            Decimal digits of the result; the work is done at dps digits plus
            ``GUARD_BITS`` bits, and the states are rounded to dps digits.
        tol : number, optional
            Relative tolerance per step (default 10**-dps); see
            :mod:`verify.ode.controller` for what it is relative to.
        steps : list of step sizes, optional
            Take exactly these steps (e.g. ``previous.step_sequence``) instead
            of choosing them: runs that must see identical steps (a
            perturbed and an unperturbed flow) pass the sequence of the first.
        max_steps : int
            Give up (``IntegrationError``) after this many steps.
        numbers : "mpmath" or "gmpy2"
            The number type of the returned states (the same values): gmpy2 for a
            caller that computes on gmpy2 (the EP route's readouts).

        Raises
        ------
        IntegrationError
            Step-size underflow, non-finite Taylor coefficients (blow-up), too many steps.
        ValueError
            Bad arguments (sizes, times not increasing, steps not covering the times).
        """
        n = self.n
        y0 = list(y0)
        params = list(params)
        if len(y0) != n:
            raise ValueError(f"`y0` has {len(y0)} values but the system has {n} variables")
        if len(params) != self.n_params:
            raise ValueError(f"`params` has {len(params)} values but the system has "
                             f"{self.n_params} parameters")
        times = list(times)
        if not times:
            raise ValueError("`times` is empty")
        if int(dps) < 1:
            raise ValueError(f"dps={dps} must be a positive integer")
        dps = int(dps)
        precision = Precision(dps, guard=0)      # the integrator's digits are the caller's working digits
        with precision.context():
            prec_out = dps_to_prec(dps)
            prec = prec_out + GUARD_BITS
            times_out = [to_mpmath(t) for t in times]
            for k, t in enumerate(times_out):
                if isinstance(t, mpmath.mpc) or t < 0:
                    raise ValueError(f"`times`[{k}]={t} must be a real number >= 0")
                if k and t < times_out[k - 1]:
                    raise ValueError(f"`times` must be increasing: times[{k - 1}]="
                                     f"{times_out[k - 1]} > times[{k}]={t}")
            tol_mp = precision.eps if tol is None else to_mpmath(tol)
            if not (0 < tol_mp < 1):
                raise ValueError(f"tol={tol} must be in (0, 1)")
            log2_tol = float(mpmath.log(tol_mp, 2))
            order = self._order(log2_tol)
            with gmpy2_context(prec):
                times_w = [to_gmpy2(t) for t in times]
                engine = self._engine(y0, params, order, prec)
                for v in y0:
                    if not mpmath.isfinite(to_mpmath(v)):
                        raise ValueError(f"`y0` has a non-finite value {v}")
                result = integrate(engine, times_w, log2_tol, prec_out, steps=steps,
                                   max_steps=max_steps, numbers=numbers)
            per_time = [pow2(er) + pow2(ei) for er, ei in zip(result.errors_real, result.errors_imag)]
            err = max(per_time)
            err_re = pow2(max(result.errors_real))   # pow2 is increasing: the max's, one mpmath power
            err_im = pow2(max(result.errors_imag))
            sequence = [mpmath.mpf(h) if isinstance(h, float) else to_mpmath(h) for h in result.step_sequence]
            return Trajectory(times=times_out, states=result.states, error_estimate=err,
                              steps=result.steps, order=engine.order, backend=self.backend,
                              step_sequence=sequence, error_estimates=per_time,
                              error_estimate_real=err_re, error_estimate_imag=err_im,
                              dps=dps, tol=tol_mp)


class CauchySystem(System):
    """dX/dt = -H X, dY/dt = -M X (Eq 13-14) for n states and p parameters; ``params`` are H and M
    row-major (as for the compiled system), integrated by :class:`verify.ode.linear.CauchyEngine`."""

    def __init__(self, n: int, p: int):
        self.program = None
        self.backend = "mpmath"
        self._n, self._p = n, p

    @property
    def n(self) -> int:
        return self._n + self._p

    @property
    def n_params(self) -> int:
        return self._n * (self._n + self._p)

    def _order(self, log2_tol: float) -> int:
        return jorba_zou_order(log2_tol)    # the same controller and order as the compiled field (its tests)

    def _engine(self, y0, params, order: int, prec: int):
        from .linear import CauchyEngine

        n = self._n
        rows = [params[i * n:(i + 1) * n] for i in range(n + self._p)]
        return CauchyEngine(rows[:n], rows[n:], y0, order, prec)


__all__ = ["GUARD_BITS", "CauchySystem", "System", "make_system"]
