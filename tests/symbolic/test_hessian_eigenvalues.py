"""Compiled.hessian_eigenvalues: H(s)'s eigenvalues at the current precision, the last answer kept per point and precision.

They come from python-flint's enclosures (:func:`symbolic.flint_linalg.eigsy`) and must agree with
mpmath.eigsy, independent code, to the working precision.
"""

from __future__ import annotations

import mpmath

from symbolic import flint_linalg, load_model
from symbolic.compile import compile_model


def fresh(compiled, s, theta):
    """A fresh computation (no kept answer), checked against mpmath.eigsy to the working precision."""
    values = sorted(flint_linalg.eigsy(compiled.H(s, theta), eigvals_only=True))
    reference = sorted(mpmath.eigsy(compiled.H(s, theta), eigvals_only=True))
    scale = max(abs(v) for v in reference)
    assert max(abs(v - r) for v, r in zip(values, reference)) <= mpmath.mpf(10) ** (3 - mpmath.mp.dps) * scale
    return values


def test_the_kept_answer_belongs_to_one_point_and_one_precision():
    compiled = compile_model(load_model("paper-hopfield"))
    with mpmath.workdps(30):
        theta = compiled.theta_values(30)
        a = [mpmath.mpf(i) / 7 for i in range(compiled.n)]
        b = [mpmath.mpf(-i) / 5 for i in range(compiled.n)]
        first = compiled.hessian_eigenvalues(a, theta)
        assert first == fresh(compiled, a, theta) and first == sorted(first)
        assert compiled.hessian_eigenvalues(b, theta) == fresh(compiled, b, theta) != first
        again = compiled.hessian_eigenvalues(a, theta)
        assert again == first and again is not compiled.hessian_eigenvalues(a, theta)   # a copy each time
    with mpmath.workdps(60):
        high = compiled.hessian_eigenvalues(a, theta)
        assert high == fresh(compiled, a, theta) and high != first      # recomputed at 60 digits
