"""Time derivatives of dense-output data by central differences (for Theorem 3's ODE check).

One-sided differences serve at t = 0, where the flow has no past (the audit's Eq 55).
"""

from __future__ import annotations

import math

import mpmath


def central_weights(m: int) -> list:
    """Weights w_j, j = 1..m, of the order-2m central difference f'(t) ~ sum w_j (f(t+jd) - f(t-jd)) / d."""
    f = math.factorial
    return [mpmath.mpf((-1) ** (j + 1) * f(m) ** 2) / (j * f(m - j) * f(m + j)) for j in range(1, m + 1)]


def order_for(dps: int, delta) -> int:
    """Smallest m with delta^(2m) below 10^-(dps+5)."""
    m = 2
    while 2 * m * -mpmath.log10(delta) < dps + 5:
        m += 1
    return m


def stencil_times(t, m: int, delta) -> list:
    return [t + j * delta for j in range(-m, m + 1)]


def derivative(values, m: int, delta):
    """f'(t) from values at t + j delta, j = -m..m (vectors); returns (derivative, error estimate).

    The estimate adds the truncation (order 2m vs 2m - 2) and the rounding of
    the values amplified by the stencil; the caller adds the values' own error
    times the same amplification.
    """
    def diff(order):
        w = central_weights(order)
        return [mpmath.fsum(w[j - 1] * (values[m + j][c] - values[m - j][c]) for j in range(1, order + 1)) / delta
                for c in range(len(values[0]))]

    best, lower = diff(m), diff(m - 1)
    truncation = max(abs(a - b) for a, b in zip(best, lower))
    # the values' own rounding (or error), amplified by the stencil: 2 sum|w_j| / delta
    size = max(abs(x) for row in values for x in row)
    amplification = 2 * mpmath.fsum(abs(w) for w in central_weights(m)) / delta
    return best, truncation + mpmath.eps * size * amplification


def derivatives_at_centres(series, centre_points: dict, m: int, delta, values_error=0):
    """d/dt of ``series(t)`` (a vector) at each stencil centre, and one error estimate for all.

    ``centre_points`` maps each centre t to its 2m+1 stencil times; the
    estimate adds the values' own error ``values_error`` amplified by the
    stencil (2 sum|w_j| / delta) to the truncation and rounding of
    :func:`derivative`.
    """
    amplification = 2 * mpmath.fsum(abs(w) for w in central_weights(m)) / delta
    out, estimate = [], mpmath.mpf(0)
    for pts in centre_points.values():
        d, e = derivative([series(x) for x in pts], m, delta)
        out.append(d)
        estimate = max(estimate, e + amplification * values_error)
    return out, estimate


def forward_order_for(dps: int, delta) -> int:
    """Smallest K with delta^K below 10^-(dps+5): how many steps a one-sided difference needs."""
    return math.ceil((dps + 5) / -math.log10(float(delta)))


def forward_weights(K: int) -> list:
    """Weights w_j, j = 0..K, of f'(0) ~ sum w_j f(j d) / d (the interpolating polynomial's derivative)."""
    w = [-mpmath.fsum(mpmath.mpf(1) / k for k in range(1, K + 1))]
    for j in range(1, K + 1):
        w.append(mpmath.fprod([-k for k in range(1, K + 1) if k != j])
                 / mpmath.fprod([j - k for k in range(K + 1) if k != j]))
    return w


def forward_derivative(values, delta):
    """f'(0) from values at j delta, j = 0..K (vectors), one-sided (where t < 0 is not available).

    Returns (derivative, error estimate, amplification): the estimate adds the
    truncation (K vs K - 1 points) and the values' rounding amplified by the
    stencil; the caller multiplies the values' own error by the amplification
    sum|w_j| / delta.
    """
    def diff(K):
        w = forward_weights(K)
        return [mpmath.fsum(w[j] * values[j][c] for j in range(K + 1)) / delta for c in range(len(values[0]))]

    K = len(values) - 1
    best, lower = diff(K), diff(K - 1)
    amplification = mpmath.fsum(abs(x) for x in forward_weights(K)) / delta
    size = max(abs(x) for row in values for x in row)
    return best, max(abs(a - b) for a, b in zip(best, lower)) + mpmath.eps * size * amplification, amplification
