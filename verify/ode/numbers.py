"""Exact conversions between the number types the integrator meets.

Callers give mpmath ``mpf``/``mpc``, Python ``int``/``float``/``complex``,
``fractions.Fraction`` or sympy numbers; the mpmath backend computes on gmpy2
``mpfr``/``mpc`` (or mpmath numbers), the heyoka backend on ``heyoka.real``.
Every conversion here rounds at most once, to nearest, at the precision of the
target (the gmpy2 context set by :func:`gmpy2_context`, or the current mpmath
precision), so that both backends start from the same bits.
"""

from __future__ import annotations

import contextlib
import fractions
import functools
import math
import sys
import numbers as _numbers

import gmpy2
import mpmath
from mpmath import libmp

_EMAX = gmpy2.get_emax_max()
_EMIN = gmpy2.get_emin_min()


@contextlib.contextmanager
def gmpy2_context(prec: int):
    """gmpy2 arithmetic at ``prec`` bits, rounding to nearest (mpmath's rule), restored after.

    The exponent range is the widest MPFR allows (mpmath's is unbounded), and
    ``allow_complex`` makes sqrt/log of a negative real complex, as in mpmath.
    """
    ctx = gmpy2.context(gmpy2.get_context(), precision=prec, real_prec=prec, imag_prec=prec,
                        round=gmpy2.RoundToNearest, emax=_EMAX, emin=_EMIN,
                        subnormalize=False, allow_complex=True)
    with ctx:
        yield ctx


@functools.lru_cache(maxsize=64)
def gmpy2_rules(prec: int):
    """A gmpy2 context object with :func:`gmpy2_context`'s rules at ``prec`` bits, made once per ``prec``, for
    its methods (``.add``, ``.mul``, ``.fsum``, ``.plus``: no context switch) on hot paths (the EP readouts).
    Shared: never enter it in a ``with`` block (a block that nests in another of the same object fails);
    enter a copy, ``gmpy2.context(gmpy2_rules(prec))``."""
    return gmpy2.context(precision=prec, real_prec=prec, imag_prec=prec, round=gmpy2.RoundToNearest,
                         emax=_EMAX, emin=_EMIN, subnormalize=False, allow_complex=True)


def is_complex_value(x) -> bool:
    """Whether ``x`` is a complex number type with a nonzero imaginary part possible."""
    if isinstance(x, (mpmath.mpc, complex, gmpy2.mpc)):
        return True
    if hasattr(x, "is_real") and getattr(x, "is_number", False):  # sympy
        return x.is_real is False or x.is_real is None
    return False


def _mpf_tuple_to_gmpy2(t, prec=0):
    """An mpf tuple as mpfr, rounded to ``prec`` bits (0: the context's precision)."""
    sign, man, exp, bc = t
    if not man:
        if t == libmp.fzero:
            return gmpy2.mpfr(0)
        if t == libmp.finf:
            return gmpy2.inf()
        if t == libmp.fninf:
            return -gmpy2.inf()
        return gmpy2.nan()
    man = -int(man) if sign else int(man)
    return gmpy2.mpfr(gmpy2.mpq(man << exp, 1) if exp >= 0 else gmpy2.mpq(man, 1 << (-exp)), prec)


def to_gmpy2(x):
    """``x`` as a gmpy2 ``mpfr`` or ``mpc`` rounded once to the context precision."""
    if isinstance(x, (gmpy2.mpfr, gmpy2.mpc)):
        return +x if isinstance(x, gmpy2.mpfr) else gmpy2.mpc(x)
    if isinstance(x, mpmath.mpf):
        return _mpf_tuple_to_gmpy2(x._mpf_)
    if isinstance(x, mpmath.mpc):
        re, im = x._mpc_
        return gmpy2.mpc(_mpf_tuple_to_gmpy2(re), _mpf_tuple_to_gmpy2(im))
    if isinstance(x, bool):
        return gmpy2.mpfr(int(x))
    if isinstance(x, int):
        return gmpy2.mpfr(gmpy2.mpz(x))
    if isinstance(x, fractions.Fraction):
        return gmpy2.mpfr(gmpy2.mpq(x.numerator, x.denominator))
    if isinstance(x, float):
        return gmpy2.mpfr(gmpy2.mpq(*x.as_integer_ratio())) if math.isfinite(x) else gmpy2.mpfr(x)
    if isinstance(x, complex):
        return gmpy2.mpc(to_gmpy2(x.real), to_gmpy2(x.imag))
    if hasattr(x, "is_Number") or hasattr(x, "is_number"):  # sympy
        return sympy_to_gmpy2(x)
    if isinstance(x, str):
        return to_gmpy2(mpmath.mpmathify(x)) if "j" in x else gmpy2.mpfr(x)
    if isinstance(x, _numbers.Number):
        return to_gmpy2(complex(x)) if isinstance(x, _numbers.Complex) and not isinstance(
            x, _numbers.Real) else to_gmpy2(float(x))
    raise TypeError(f"cannot use {x!r} (type {type(x).__name__}) as a number")


def exact_gmpy2(x):
    """An mpmath (or gmpy2, or int) number as gmpy2 with no rounding: as many bits as it has."""
    if isinstance(x, (gmpy2.mpfr, gmpy2.mpc)):
        return x
    if isinstance(x, mpmath.mpf):
        return _mpf_tuple_to_gmpy2(x._mpf_, max(x._mpf_[3], 1))
    if isinstance(x, mpmath.mpc):
        re, im = x._mpc_
        bits = (max(re[3], 1), max(im[3], 1))
        return gmpy2.mpc(_mpf_tuple_to_gmpy2(re, bits[0]), _mpf_tuple_to_gmpy2(im, bits[1]), precision=bits)
    if isinstance(x, int):
        return gmpy2.mpfr(x, max(abs(x).bit_length(), 1))
    return exact_gmpy2(to_mpmath(x))   # any other number: rounded once, at the current mpmath precision


def sympy_to_gmpy2(x):
    """An exact sympy number (or constant expression) as gmpy2, rounded once."""
    import sympy as sp

    x = sp.sympify(x)
    if x.is_Integer:
        return gmpy2.mpfr(gmpy2.mpz(int(x)))
    if x.is_Rational:
        return gmpy2.mpfr(gmpy2.mpq(int(x.p), int(x.q)))
    if x.is_Float:
        return to_gmpy2(mpmath.mpf(x._mpf_))
    if x is sp.pi:
        return gmpy2.const_pi()
    if x is sp.E:
        return gmpy2.exp(gmpy2.mpfr(1))
    if x is sp.I:
        return gmpy2.mpc(0, 1)
    # Any other exact constant: evaluate with 30 guard digits, then round once.
    prec = gmpy2.get_context().precision
    digits = int(prec * 0.30103) + 30
    v = x.evalf(digits)
    re, im = v.as_real_imag()
    if im != 0:
        return gmpy2.mpc(to_gmpy2(mpmath.mpf(sp.Float(re, digits)._mpf_)),
                         to_gmpy2(mpmath.mpf(sp.Float(im, digits)._mpf_)))
    return to_gmpy2(mpmath.mpf(sp.Float(re, digits)._mpf_))


def gmpy2_to_mpmath(x):
    """A gmpy2 ``mpfr``/``mpc`` as mpmath, rounded to the current mpmath precision."""
    if isinstance(x, gmpy2.mpc):
        return mpmath.mpc(gmpy2_to_mpmath(x.real), gmpy2_to_mpmath(x.imag))
    if not gmpy2.is_finite(x):
        return mpmath.mpf(float(x))
    if not x:
        return mpmath.mpf(0)
    man, exp = x.as_mantissa_exp()   # man * 2^exp, rounded to nearest at the current precision (as mpf((man, exp)))
    return mpmath.mp.make_mpf(libmp.from_man_exp(man, int(exp), mpmath.mp.prec, libmp.round_nearest))


def to_mpmath(x):
    """Any supported number as an mpmath ``mpf``/``mpc`` at the current precision."""
    if isinstance(x, (mpmath.mpf, mpmath.mpc)):
        return +x
    if isinstance(x, (gmpy2.mpfr, gmpy2.mpc)):
        return gmpy2_to_mpmath(x)
    if isinstance(x, fractions.Fraction):
        return mpmath.mpf(f"{x.numerator}/{x.denominator}")   # correctly rounded at the current precision
    if hasattr(x, "is_number") and not isinstance(x, (int, float, complex)):  # sympy
        import sympy as sp

        x = sp.sympify(x)
        if x.is_Rational:
            return mpmath.mpf(f"{int(x.p)}/{int(x.q)}")
        return mpmath.mpmathify(sp.lambdify((), x, "mpmath")())   # evaluated by mpmath at the current precision
    return mpmath.mpmathify(x)


_MIN_NORMAL = sys.float_info.min


def log2_abs(x) -> float:
    """log2|x| of a gmpy2 mpfr to a few bits (-inf for 0, nan/inf passed through).

    Through a float when |x| is a normal double (the step controller's hot path: one call
    per order and step), else from the binary exponent.
    """
    if not x:
        return -math.inf
    f = abs(float(x))
    if _MIN_NORMAL <= f < math.inf:
        return math.log2(f)
    if not gmpy2.is_finite(x):
        return math.inf if gmpy2.is_infinite(x) else math.nan
    e = gmpy2.get_exp(x)
    return e + math.log2(abs(float(gmpy2.mul_2exp(x, -e))))


def frexp_log2_abs(x) -> float:
    """log2|x| of a gmpy2 mpfr as e + log2|m| (x = m 2^e, 1/2 <= |m| < 1): the same float as
    :func:`mpmath_log2_abs` gives for the same number (-inf for 0)."""
    if not x:
        return -math.inf
    if not gmpy2.is_finite(x):
        return math.inf if gmpy2.is_infinite(x) else math.nan
    e, m = gmpy2.frexp(x)
    return e + math.log2(abs(float(m)))


def mpmath_log2_abs(x) -> float:
    """log2|x| of an mpmath number to a few bits (-inf for 0)."""
    if not x:
        return -math.inf
    if not mpmath.isfinite(x):
        return math.inf if mpmath.isinf(x) else math.nan
    m, e = mpmath.frexp(abs(x))
    return int(e) + math.log2(float(m))


def horner(jets, tau) -> list:
    """Each Taylor series c_0 + c_1 tau + ... (the coefficients of one component per row of ``jets``) at tau."""
    out = []
    for c in jets:
        acc = c[-1]
        for a in c[-2::-1]:
            acc = acc * tau + a
        out.append(acc)
    return out


def order_magnitudes(cols, is_complex: bool):
    """(log2 of the largest |coefficient| of each order, the same for imaginary parts or None): the step
    controller's input, one column of coefficients per order."""
    if is_complex:
        cols = list(cols)
        return ([log2_abs(max(abs(v.real) for v in col)) for col in cols],
                [log2_abs(max(abs(v.imag) for v in col)) for col in cols])
    return [log2_abs(max(map(abs, col))) for col in cols], None

