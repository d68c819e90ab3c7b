"""Errors raised by the Taylor integrator."""

from __future__ import annotations


class IntegrationError(ArithmeticError):
    """The flow could not be integrated: blow-up, step-size underflow, non-finite values.

    Callers turn this into "hypotheses not met" (exit code 3): a gradient flow
    that diverges has no fixed point to compare at.  The message carries the
    time, the step size and the bound that was crossed.
    """

    def __init__(self, message: str, t=None, h=None):
        super().__init__(message)
        self.t = t
        self.h = h
