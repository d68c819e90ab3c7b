"""The result of one solve: states at the requested times, with counters and error estimates."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Trajectory:
    """States of ds/dt = F(s; p) at the requested times, from one Taylor integration.

    Attributes
    ----------
    times : list of mpf
        The requested times.
    states : list of list of mpf or mpc
        ``states[k]`` is the state at ``times[k]`` (n numbers), rounded to ``dps``
        (gmpy2 numbers of the same values when solved with ``numbers="gmpy2"``).
    error_estimate : mpf
        Upper estimate of the global absolute error over all requested times
        (max over times of ``error_estimates``), in the units of the state:
        truncation (the last two Taylor terms of every step) plus rounding,
        summed over steps (see ``verify.ode.controller``).  For a complex state it
        is ``error_estimate_real + error_estimate_imag`` at the worst time.
    error_estimates : list of mpf
        The same estimate at each requested time.
    error_estimate_real, error_estimate_imag : mpf
        Its parts for the real and the imaginary parts of the state (the imaginary
        part of a complex-step solution is ~1e-30 and has its own, much smaller,
        error; use ``error_estimate_imag`` for it).  ``error_estimate_imag`` is 0
        for a real solve.
    steps : int
        Number of Taylor steps taken (the Taylor expansions computed).
    order : int
        Taylor order used.
    backend : str
        A name of :data:`verify.ode.backends.BACKEND_NAMES` (``"mpmath"``, ``"heyoka"``).
    step_sequence : list of mpf
        The step sizes taken; pass as ``solve(..., steps=traj.step_sequence)`` to
        re-run with identical steps (perturbed and unperturbed runs).
    dps, tol : int, mpf
        Working precision (decimal digits) and relative tolerance.
    """

    times: list
    states: list
    error_estimate: object
    steps: int
    order: int
    backend: str
    step_sequence: list = dataclasses.field(default_factory=list)
    error_estimates: list = dataclasses.field(default_factory=list)
    error_estimate_real: object = None
    error_estimate_imag: object = None
    dps: int = 0
    tol: object = None

    def state_at(self, t):
        """The state at a requested time ``t`` (which must be one of ``times``)."""
        for tk, sk in zip(self.times, self.states):
            if tk == t:
                return sk
        raise KeyError(f"t={t} is not one of the requested times {[str(x) for x in self.times]}")
