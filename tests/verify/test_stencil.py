"""Central differences in t (verify.stencil) on functions with known derivatives."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from verify import stencil


def test_central_weights_are_the_classical_ones():
    with mpmath.workdps(30):
        assert stencil.central_weights(1) == [mpmath.mpf(1) / 2]
        assert stencil.central_weights(2) == [mpmath.mpf(2) / 3, -mpmath.mpf(1) / 12]
        w3 = [Fraction(3, 4), Fraction(-3, 20), Fraction(1, 60)]
        assert stencil.central_weights(3) == [mpmath.mpf(f.numerator) / f.denominator for f in w3]


@pytest.mark.parametrize("m", [2, 3, 5])
def test_exact_on_polynomials_of_degree_2m(m):
    """An order-2m stencil differentiates polynomials of degree <= 2m exactly (to rounding)."""
    with mpmath.workdps(40):
        coeffs = [mpmath.mpf(c) / 3 for c in range(1, 2 * m + 2)]        # degree 2m
        f = lambda t: [mpmath.polyval(coeffs[::-1], t), 2 * t]              # noqa: E731
        fprime = lambda t: sum(k * c * t ** (k - 1) for k, c in enumerate(coeffs) if k)  # noqa: E731
        t, delta = mpmath.mpf(1) / 2, mpmath.mpf(10) ** -3
        values = [f(x) for x in stencil.stencil_times(t, m, delta)]
        (d, d2), est = stencil.derivative(values, m, delta)
        assert abs(d - fprime(t)) < mpmath.mpf(10) ** -30
        assert abs(d2 - 2) < mpmath.mpf(10) ** -30
        assert abs(d - fprime(t)) <= est


@pytest.mark.parametrize("dps", [20, 40])
def test_exp_and_sin_to_the_planned_digits(dps):
    """With the order of ``order_for``, d/dt of exp and sin to 10^-(dps+5), inside the estimate."""
    delta = mpmath.mpf(10) ** -3
    m = stencil.order_for(dps + 10, delta)
    assert 2 * m * 3 >= dps + 15
    with mpmath.workdps(dps + 10 + 2 * m * 3 // 2):   # the values carry the digits the stencil amplifies away
        t = mpmath.mpf(3) / 4
        points = {t: stencil.stencil_times(t, m, delta)}
        (d,), est = stencil.derivatives_at_centres(lambda x: [mpmath.exp(x) + mpmath.sin(x)], points, m, delta)
        error = abs(d[0] - (mpmath.exp(t) + mpmath.cos(t)))
        assert error <= est
        assert error < mpmath.mpf(10) ** -(dps + 5)


def test_values_error_is_amplified_into_the_estimate():
    """Values known to +-e: the estimate grows by e times the stencil's amplification 2 sum|w_j| / delta."""
    with mpmath.workdps(40):
        m, delta = 3, mpmath.mpf(10) ** -2
        points = {mpmath.mpf(1): stencil.stencil_times(mpmath.mpf(1), m, delta)}
        _, clean = stencil.derivatives_at_centres(lambda x: [x * x], points, m, delta)
        _, noisy = stencil.derivatives_at_centres(lambda x: [x * x], points, m, delta, values_error=mpmath.mpf(10) ** -20)
        amplification = 2 * sum(abs(w) for w in stencil.central_weights(m)) / delta
        assert abs((noisy - clean) - amplification * mpmath.mpf(10) ** -20) < mpmath.mpf(10) ** -35
        # a perturbation of the values of size e moves the derivative by at most that much
        bumped = [[x * x + (mpmath.mpf(10) ** -20 if j % 2 else -mpmath.mpf(10) ** -20)]
                  for j, x in enumerate(points[mpmath.mpf(1)])]
        d, _ = stencil.derivative(bumped, m, delta)
        assert abs(d[0] - 2) <= noisy


def test_order_for_meets_its_target():
    for dps, delta in [(20, mpmath.mpf(10) ** -3), (50, mpmath.mpf(10) ** -2)]:
        m = stencil.order_for(dps, delta)
        assert delta ** (2 * m) <= mpmath.mpf(10) ** -(dps + 5) < delta ** (2 * (m - 1)) or m == 2
