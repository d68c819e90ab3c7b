"""Matrix products of mpmath numbers on integers: every dot product exact, rounded once.

A numpy object array of mpf (or mpc) entries is written as integers times one
power of two per array (per real and imaginary part: a complex step keeps its
tiny imaginary part at full relative precision), the product is taken on
integers (gmpy2 mpz inside numpy's object loop: about 0.06 us per
multiply-add at 40 digits, 20x faster than mpf arithmetic), and each entry is
rounded once to the current precision. Entries more than ``2 prec + 16`` bits
below an array's largest are truncated there (an error of 2^-2prec of the
largest entry, far below one rounding). ``bench/bench_discrete.py --kernels``
compares this with mpmath matrices and object arrays of mpf.

The integer forms of the arrays that recur (a model's weight matrices) are
kept (:func:`pin`) for as long as the array lives.
"""

from __future__ import annotations

import weakref

import mpmath
import numpy as np
from mpmath.libmp import from_man_exp

_ZERO = mpmath.mpf(0)._mpf_
_PINNED: dict = {}     # id(array) -> (weak reference, integer form)


def _parts(arr):
    """The (sign, man, exp, bc) tuples of the real parts, and of the imaginary parts (None if real)."""
    re, im, is_complex = [], [], False
    for x in arr.flat:
        if hasattr(x, "_mpf_"):
            re.append(x._mpf_)
            im.append(_ZERO)
        elif hasattr(x, "_mpc_"):
            a, b = x._mpc_
            re.append(a)
            im.append(b)
            is_complex = is_complex or b[1] != 0
        else:
            v = mpmath.mpmathify(x)
            a, b = (v._mpf_, _ZERO) if hasattr(v, "_mpf_") else v._mpc_
            re.append(a)
            im.append(b)
            is_complex = is_complex or b[1] != 0
    return re, (im if is_complex else None)


def _integers(tuples, shape, prec):
    """(integer array, exponent) with value = integers * 2^exponent; None for an inf or nan entry."""
    tops, lows = [], []
    for _, man, exp, bc in tuples:
        if man:
            tops.append(exp + bc)
            lows.append(exp)
        elif bc:                  # inf, nan: mantissa 0 with a special bit count
            return None
    if not tops:
        return np.zeros(shape, dtype=object), 0
    e0 = max(min(lows), max(tops) - 2 * prec - 16)
    out = []
    for sign, man, exp, _ in tuples:
        v = man << (exp - e0) if exp >= e0 else man >> (e0 - exp)
        out.append(-v if sign else v)
    return np.array(out, dtype=object).reshape(shape), e0


def integer_form(arr, prec):
    """The integer form of ``arr``: ((re, e_re), (im, e_im) or None), or None if an entry is not finite.

    Pinned arrays (:func:`pin`; a model's parameter blocks) and transposed views of them (``W.T``)
    are read from their entry; any other array is converted.
    """
    for a, flag in ((arr, False), (arr.base, True)):
        if a is None or (flag and not (arr.ndim == a.ndim == 2 and arr.shape == a.shape[::-1]
                                       and arr.strides == a.strides[::-1])):
            continue
        pinned = _PINNED.get(id(a))
        if pinned is not None and pinned[0]() is a:
            return _transposed(pinned[1], flag)
    re, im = _parts(arr)
    fre = _integers(re, arr.shape, prec)
    fim = None if im is None else _integers(im, arr.shape, prec)
    return None if fre is None or (im is not None and fim is None) else (fre, fim)


def pin(arr, fixed=None) -> None:
    """Keep the integer form of ``arr`` (``fixed``, or converted now) for as long as ``arr`` lives.

    For the arrays that recur in many products (a model's weight matrices), and
    for an array whose entries were never built as mpc (a complex step in theta
    kept on integers, :mod:`symbolic.discrete_blocks`): such a placeholder is only
    ever multiplied. ``arr`` must not be modified afterwards.
    """
    if fixed is None:
        fixed = integer_form(arr, mpmath.mp.prec)
    key = id(arr)
    _PINNED[key] = (weakref.ref(arr), fixed)
    weakref.finalize(arr, _PINNED.pop, key, None)


def _transposed(f, flag):
    if f is None or not flag:
        return f
    (re, e), im = f
    return (re.T, e), (None if im is None else (im[0].T, im[1]))


def _combine(terms):
    """sum of sign * X * 2^e over terms, as (integers, exponent); None if there are none."""
    terms = [t for t in terms if t is not None]
    if not terms:
        return None
    e0 = min(e for _, _, e in terms)
    total = None
    for sign, X, e in terms:
        Y = X * (1 << (e - e0)) if e > e0 else X
        total = (Y if sign > 0 else -Y) if total is None else (total + Y if sign > 0 else total - Y)
    return total, e0


def matmul(a, b, ta=False, tb=False):
    """(a.T if ta else a) @ (b.T if tb else b) for object arrays of mpf/mpc, each entry rounded once."""
    A, B = (a.T if ta else a), (b.T if tb else b)
    if A.shape[1] <= 2 or A.size == 0 or B.size == 0:   # outer products: nothing to sum
        return A.dot(B)
    prec = mpmath.mp.prec
    fa, fb = integer_form(a, prec), integer_form(b, prec)
    if fa is None or fb is None:
        return A.dot(B)
    return _product(_transposed(fa, ta), _transposed(fb, tb))


def dyadic_matmul(ints, exponent, b):
    """(ints * 2^exponent) @ b: ``ints`` an integer array (e.g. random directions rounded to dyadics)."""
    fb = integer_form(b, mpmath.mp.prec)
    if fb is None:
        return (ints * mpmath.ldexp(1, exponent)).dot(b)
    return _product(((ints, exponent), None), fb)


def _product(fa, fb):
    ctx = mpmath.mp
    prec = ctx.prec
    (ar, ea), ai = fa
    (br, eb), bi = fb

    def prod(sign, x, ex, y, ey):
        return (sign, x.dot(y), ex + ey)

    re = _combine([prod(1, ar, ea, br, eb), prod(-1, ai[0], ai[1], bi[0], bi[1]) if ai and bi else None])
    im = _combine([prod(1, ar, ea, bi[0], bi[1]) if bi else None, prod(1, ai[0], ai[1], br, eb) if ai else None])
    rnd = "n"
    make = ctx.make_mpf
    out_re = [make(from_man_exp(m, re[1], prec, rnd)) for m in re[0].flat]
    if im is None:
        return np.array(out_re, dtype=object).reshape(re[0].shape)
    out = [ctx.make_mpc((x._mpf_, from_man_exp(m, im[1], prec, rnd))) for x, m in zip(out_re, im[0].flat)]
    return np.array(out, dtype=object).reshape(re[0].shape)
