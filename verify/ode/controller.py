"""Step-size control, dense output and error accounting of the Taylor integrator.

Order.  p = ceil(-ln(tol)/2) + 1 (Jorba & Zou 2005): with the step chosen
below, the terms of the series decrease like e^-2 per order near the end, so
p of them reach tol.

Step size, relative to the solution's own scale.  The callers integrate
*displacements* D = S - s0 that start at exactly 0 and stay ~1e-20 (a
complex-step direction with an imaginary perturbation of 1e-30, a nudged flow
at beta = 1e-12), so an absolute tolerance would be meaningless, and the
classical relative one, tol*||y(t_n)||, is zero at the first step.  Choices
considered:

1. tol * ||c_0||: zero for a displacement at t = 0; rejects every step.
2. tol * max_j ||c_j||^(1/j)-style radii: mixes units (c_j has units y/t^j).
3. tol * max(||y_n||, ||y_n+1||): needs the step to know the step.
4. tol * S(h) with S(h) = max_j ||c_j|| h^j, the size of the largest term of
   the series over the step, i.e. the scale of the solution on [t_n, t_n + h].

We use (4): it has the units of y, equals ||y_n|| when the state is O(1), and
is ||c_1|| h ~ ||D(t_n + h)|| for a displacement starting at 0.  The truncation
error is estimated, as Jorba & Zou and heyoka do, by the last two terms
E(h) = max(||c_p-1|| h^(p-1), ||c_p|| h^p) (two, because one of them vanishes
for odd or even solutions).  The step is the largest h with
E(h) <= tol * S(h); since both sides are maxima of monomials this is

    log2 h = max_{j <= p-2} min_{m in (p-1, p)} (log2 tol + L_j - L_m) / (m - j),

with L_j = log2 ||c_j||, times heyoka's safety factor exp(-0.7/(p-1)).  For a
geometric series ||c_j|| = A rho^-j it gives h = rho tol^(1/p) ~ rho e^-2, the
Jorba-Zou step.  Everything is done on log2 norms (floats) so that scales like
1e-400 do not underflow.

Complex states.  The real and imaginary parts are controlled separately, each
relative to its own scale, and the smaller step is taken: the imaginary part
of a complex-step solution is ~1e-30 while the real part is O(1), and a
common norm would leave the imaginary part with no correct digit.

Error estimate.  Per step, the local error is E(h) (truncation; it exceeds the
true remainder by about e^2 when the series decays geometrically) plus
rounding, bounded by 4 (p+1) 2^-prec S(h).  The global error at a requested
time is the larger of (a) the sum of the local errors (exact bound for a
contracting flow, where errors are not amplified), and (b) the sum of the
local *relative* errors times the current scale (the right bound for a flow
that grows, like a displacement leaving an unstable point).  The output's own
rounding to dps digits is added.  Real and imaginary parts are accounted for
separately.

Dense output.  A requested time inside a step is served by evaluating that
step's Taylor polynomial; steps are never shortened to land on requested
times, so the step sequence does not depend on them (and can be frozen:
``steps=``).
"""

from __future__ import annotations

import dataclasses

import math

import gmpy2
import mpmath

from .engine import JetEngine
from .errors import IntegrationError

#: heyoka's safety factor exp(-0.7/(p-1)) on the step size
_SAFETY_EXPONENT = -0.7


def _log2add(a: float, b: float) -> float:
    """log2(2^a + 2^b) without overflow."""
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log2(1.0 + 2.0 ** (b - a))


def _max_poly(L, x, p) -> float:
    """log2 of max_j ||c_j|| h^j for log2 h = x (j = 0..p)."""
    if x == -math.inf:
        return L[0]
    return max(L[j] + j * x for j in range(p + 1))


def _truncation(L, x, p) -> float:
    """log2 of max(||c_p-1|| h^(p-1), ||c_p|| h^p) for log2 h = x."""
    if x == -math.inf:
        return -math.inf
    return max(L[p - 1] + (p - 1) * x, L[p] + p * x)


def log2_step(L, log2_tol: float, p: int) -> float:
    """log2 of the largest h with E(h) <= tol * S(h) (module docstring), +inf if unbounded."""
    a, b = L[p - 1], L[p]
    if a == -math.inf and b == -math.inf:
        return math.inf  # the series terminates: the polynomial is exact
    best = -math.inf
    for j in range(p - 1):
        Lj = L[j]
        if Lj == -math.inf:
            continue
        x = (log2_tol + Lj - a) / (p - 1 - j)  # -inf - -inf never: a, b not both -inf
        if b != -math.inf:
            xb = (log2_tol + Lj - b) / (p - j)
            if a == -math.inf or xb < x:
                x = xb
        if x > best:
            best = x
    return best


class _Account:
    """Error bookkeeping for one part (real or imaginary) of the state, in log2."""

    def __init__(self, p: int, prec: int, prec_out: int):
        self.p = p
        self.round_factor = math.log2(4 * (p + 1)) - prec
        self.out_round = -prec_out
        self.abs_sum = -math.inf  # log2 sum of local errors
        self.rel_sum = -math.inf  # log2 sum of local errors / scale

    def local(self, L, x):
        scale = _max_poly(L, x, self.p)
        err = _log2add(_truncation(L, x, self.p), scale + self.round_factor)
        return err, scale

    def commit(self, L, x):
        err, scale = self.local(L, x)
        if err == -math.inf:
            return
        self.abs_sum = _log2add(self.abs_sum, err)
        self.rel_sum = _log2add(self.rel_sum, err - scale)

    def at(self, L, x, state_log2) -> float:
        """log2 of the global error estimate at t_n + 2^x inside the current step."""
        err, scale = self.local(L, x)
        a = _log2add(self.abs_sum, err)
        r = _log2add(self.rel_sum, err - scale) + scale if scale != -math.inf else -math.inf
        return _log2add(max(a, r), state_log2 + self.out_round)


def _check_finite(L, t, what):
    for j, v in enumerate(L):
        if math.isnan(v) or v == math.inf:
            raise IntegrationError(
                f"non-finite Taylor coefficient of order {j} ({what} part) at t={_fmt(t)}: the "
                "field is singular at the state (division by zero, log of 0) or the flow blows up",
                t=t)


def _fmt(x) -> str:
    if isinstance(x, float):
        return f"{x:.5g}"
    return f"{float(x):.5g}" if gmpy2.is_finite(x) else str(x)


def _fmt_t(t, log2_h: float) -> str:
    """t with enough digits to be told apart from t + h."""
    digits = 6 + max(0, int((math.log2(max(abs(float(t)), 1e-300)) - log2_h) * 0.30103))
    return format(t, f".{min(digits, 60)}g")


def _mpf_pow2(x: float):
    return mpmath.ldexp(mpmath.mpf(2) ** (x - math.floor(x)), int(math.floor(x)))


@dataclasses.dataclass
class Integration:
    """What :func:`integrate` returns: states and log2 error estimates at the requested times."""

    states: list             # mpmath numbers, one state per requested time
    errors_real: list        # log2 of the error estimate of the real parts, per time
    errors_imag: list        # the same for the imaginary parts (-inf for a real state)
    steps: int               # Taylor steps taken
    step_sequence: list      # the h taken (Python floats, or the values given as ``steps``)


def integrate(engine: JetEngine, times: list, log2_tol: float, prec_out: int,
              steps=None, max_steps: int = 100_000, numbers: str = "mpmath") -> Integration:
    """Integrate from t = 0 through the sorted ``times`` (gmpy2 mpfr); see the module doc.

    ``numbers="gmpy2"``: the states are gmpy2 numbers (the same values), for a caller that computes on them.
    """
    if numbers not in ("mpmath", "gmpy2"):
        raise ValueError(f"numbers={numbers!r}: expected 'mpmath' or 'gmpy2'")
    evaluate, current = ((engine.evaluate_gmpy2, engine.state_gmpy2) if numbers == "gmpy2"
                         else (engine.evaluate, engine.state))
    p = engine.order
    safety = _SAFETY_EXPONENT / (p - 1)
    t_end = times[-1]
    h_min_log2 = math.log2(max(float(t_end), 1.0)) - engine.prec / 2
    acc_re = _Account(p, engine.prec, prec_out)
    acc_im = _Account(p, engine.prec, prec_out)
    states: list = []
    err_re: list = []
    err_im: list = []
    sequence: list = []
    t = gmpy2.mpfr(0)
    r = 0
    # Requested times at t = 0 need no expansion.
    while r < len(times) and not times[r]:
        y = current()
        states.append(y)
        err_re.append(_out_round(y, "real", prec_out))
        err_im.append(_out_round(y, "imag", prec_out) if engine.is_complex else -math.inf)
        r += 1
    n = 0
    while r < len(times):
        if n >= max_steps:
            raise IntegrationError(
                f"maximum number of steps reached at t={_fmt(t)}: {n} steps >= max_steps="
                f"{max_steps} before t={_fmt(t_end)}; the flow may be stiff or blow up", t=t)
        L_re, L_im = engine.expand()
        _check_finite(L_re, t, "real")
        if L_im is not None:
            _check_finite(L_im, t, "imaginary")
        if steps is not None:
            if n >= len(steps):
                raise ValueError(
                    f"`steps` has {len(steps)} steps, which reach t={_fmt(t)} < "
                    f"t_end={_fmt(t_end)}; pass a step sequence that covers the times")
            h_given = steps[n]
            h = gmpy2.mpfr(h_given) if isinstance(h_given, float) else _to_mpfr(h_given)
            if not h > 0:
                raise ValueError(f"`steps`[{n}]={h_given} is not a positive step size")
            sequence.append(h_given)
            x = _log2(h)
        else:
            x = log2_step(L_re, log2_tol, p)
            if L_im is not None:
                x = min(x, log2_step(L_im, log2_tol, p))
            if x == math.inf:
                h = gmpy2.mpfr(t_end - t)
                h_float = float(h)
                if gmpy2.mpfr(h_float) < h:
                    h_float = math.nextafter(h_float, math.inf)
                h = gmpy2.mpfr(h_float)
            else:
                x += safety
                if x < h_min_log2:
                    raise IntegrationError(
                        f"step size underflow at t={_fmt_t(t, x)}: h={2.0 ** x:.3g} < "
                        f"{2.0 ** h_min_log2:.3g}; the flow may blow up (a singularity "
                        f"near t={_fmt(float(t) + 7.4 * 2.0 ** x)})", t=t, h=2.0 ** x)
                h_float = 2.0 ** x if x < 1000 else 2.0 ** 1000
                h = gmpy2.mpfr(h_float)
            sequence.append(h_float)
            x = _log2(h)
        t_next = t + h
        while r < len(times) and times[r] <= t_next:
            tau = times[r] - t
            y = evaluate(tau)
            xt = _log2(tau)
            states.append(y)
            err_re.append(acc_re.at(L_re, xt, _state_log2(y, "real")))
            err_im.append(acc_im.at(L_im, xt, _state_log2(y, "imag"))
                          if L_im is not None else -math.inf)
            r += 1
        n += 1
        if r < len(times):
            engine.advance(h)
            acc_re.commit(L_re, x)
            if L_im is not None:
                acc_im.commit(L_im, x)
            t = t_next
    return Integration(states=states, errors_real=err_re, errors_imag=err_im, steps=n, step_sequence=sequence)


def _to_mpfr(x):
    from .numbers import to_gmpy2

    v = to_gmpy2(x)
    if isinstance(v, gmpy2.mpc):
        raise ValueError(f"a step size must be real, got {x}")
    return v


def _log2(h) -> float:
    from .numbers import log2_abs

    return log2_abs(h)


def _state_log2(y, part: str) -> float:
    """log2 of the largest |real part| (or |imaginary part|) of a state's values, mpmath or gmpy2 numbers."""
    from .numbers import frexp_log2_abs, mpmath_log2_abs

    if y and isinstance(y[0], (gmpy2.mpfr, gmpy2.mpc)):   # log2 is increasing: the log2 of the largest
        return frexp_log2_abs(max(abs(v.real if part == "real" else v.imag) for v in y))
    best = -math.inf
    for v in y:
        v = v.real if part == "real" else (v.imag if isinstance(v, mpmath.mpc) else 0)
        best = max(best, mpmath_log2_abs(v))
    return best


def _out_round(y, part, prec_out) -> float:
    s = _state_log2(y, part)
    return s - prec_out if s != -math.inf else -math.inf


def pow2(x: float):
    """2^x as an mpmath mpf (0 for -inf)."""
    if x == -math.inf:
        return mpmath.mpf(0)
    return _mpf_pow2(x)
