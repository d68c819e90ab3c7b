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

Conversions of the arrays that recur (a model's weight matrices) are cached
by identity: an array is never modified after it has been multiplied.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

import mpmath
import numpy as np
from mpmath.libmp import from_man_exp

_ZERO = mpmath.mpf(0)._mpf_
_CACHE: OrderedDict = OrderedDict()
_PINNED: dict = {}
_CACHE_SIZE = 48
_CACHED_SIZE = 256      # smaller arrays (vectors) are converted at each product, not kept


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
    """The cached integer form of ``arr``: ((re, e_re), (im, e_im) or None), or None if not finite.

    A transposed view of a cached array (``W.T``) is read from its base's entry.
    """
    pinned = _PINNED.get(id(arr))
    if pinned is not None and pinned[0]() is arr:
        return pinned[1]
    key = (id(arr), prec)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is arr:
        _CACHE.move_to_end(key)
        return hit[1]
    base = arr.base
    if base is not None and arr.ndim == base.ndim == 2 and arr.shape == base.shape[::-1] \
            and arr.strides == base.strides[::-1]:
        pinned = _PINNED.get(id(base))
        if pinned is not None and pinned[0]() is base:
            return _transposed(pinned[1], True)
        hit = _CACHE.get((id(base), prec))
        if hit is not None and hit[0] is base:
            return _transposed(hit[1], True)
    re, im = _parts(arr)
    fre = _integers(re, arr.shape, prec)
    fim = None if im is None else _integers(im, arr.shape, prec)
    value = None if fre is None or (im is not None and fim is None) else (fre, fim)
    if arr.size >= _CACHED_SIZE:
        register(arr, value)
    return value


def register(arr, fixed) -> None:
    """Cache ``fixed`` = ((re, e_re), (im, e_im) or None) as the integer form of ``arr`` at the current precision."""
    _CACHE[(id(arr), mpmath.mp.prec)] = (arr, fixed)
    _CACHE.move_to_end((id(arr), mpmath.mp.prec))
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)


def pin(arr, fixed) -> None:
    """``fixed`` is the integer form of ``arr`` for as long as ``arr`` lives (never evicted).

    The one way to multiply an array whose entries were never built as mpc
    (a complex step in theta kept on integers, :mod:`symbolic.discrete_blocks`):
    ``arr`` is then a placeholder, only ever multiplied.
    """
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
