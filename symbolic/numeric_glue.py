"""sympy expressions in (s, theta, beta) -> callables on flat sequences: the lambdify glue.

Shared by :mod:`symbolic.compile` (the gradient flow) and
:mod:`symbolic.discrete_compile` (discrete maps): ``sympy.lambdify`` with
common subexpressions, over fixed-name symbols (with the model's own names
lambdify substitutes Dummy symbols, whose process-global numbering reorders
the printed sums, hence their rounding, from one compilation of the same
model to the next).

The code printed for mpmath also runs on gmpy2 numbers (:func:`gmpy2_form`): the
same lambdified code object, its names bound to gmpy2 (``mpf`` makes an mpfr, the
functions are :func:`symbolic.functions.gmpy2_modules`), so exact rationals, floats,
pi and e are rounded once at the gmpy2 context's precision.
"""

from __future__ import annotations

import types

import gmpy2
import mpmath
import sympy as sp

from .functions import gmpy2_modules


def _gmpy2_mpf(x):
    """``mpf(...)`` as the mpmath printer writes it (an int, or a Float's exact (sign, man, exp, bc)) -> mpfr."""
    if isinstance(x, tuple):
        sign, man, exp, _ = x
        if not man and exp:
            raise ValueError(f"no gmpy2 form of the special mpf {x}")   # inf/nan: never in a model's constants
        v = gmpy2.mpfr(gmpy2.mpq(man << exp, 1) if exp >= 0 else gmpy2.mpq(man, 1 << -exp))
        return -v if sign else v
    if isinstance(x, int):
        return gmpy2.mpfr(gmpy2.mpz(x))
    raise TypeError(f"no gmpy2 form of mpf({x!r})")


def _gmpy2_namespace() -> dict:
    """The names of mpmath-printed code bound to gmpy2, pi and e at the current gmpy2 precision."""
    return {**gmpy2_modules(), "mpf": _gmpy2_mpf, "pi": gmpy2.const_pi(), "e": gmpy2.exp(1),
            "abs": abs, "__builtins__": {}}


_GMPY2_NAMES = frozenset(_gmpy2_namespace()) - {"__builtins__"}


def gmpy2_form(fn):
    """The lambdified ``fn`` (printed for mpmath) on gmpy2 numbers, or None if its code calls a name
    without a gmpy2 binding (the caller keeps the mpmath callable: no silent fallback to mpmath inside).

    Call it inside a gmpy2 context; every operation rounds at that context's precision.
    """
    code = fn.__code__
    if not set(code.co_names) <= _GMPY2_NAMES or any(isinstance(c, types.CodeType) for c in code.co_consts):
        return None
    by_precision = {}

    def call(*args):
        prec = gmpy2.get_context().precision
        f = by_precision.get(prec)
        if f is None:
            f = by_precision[prec] = types.FunctionType(code, _gmpy2_namespace())
        return f(*args)

    return call


def vector_callable(args, exprs, n, modules, gmpy2_too=False):
    """``call(s, theta, beta=0)`` -> the list of ``exprs`` at (s, theta, beta); ``args`` = s + theta + [beta].

    With ``gmpy2_too`` (``modules`` printing for mpmath), ``call.gmpy2`` is the same on gmpy2
    numbers (:func:`gmpy2_form`; None when a function has no gmpy2 form): attached to this very
    callable, so an object that overrides the callable does not carry it.
    """
    plain = {a: sp.Symbol(f"arg_{i}", **a.assumptions0) for i, a in enumerate(args)}
    fn = sp.lambdify(list(plain.values()), [e.xreplace(plain) for e in exprs], modules=modules, cse=True)

    def call(s, theta, beta=0):
        if len(s) != n:
            raise ValueError(f"expected {n} state values, got {len(s)}")
        return list(fn(*s, *theta, beta))

    if gmpy2_too:
        fast = gmpy2_form(fn)
        call.gmpy2 = None if fast is None else (lambda s, theta, beta=0: list(fast(*s, *theta, beta)))
    return call


def matrix_callable(args, mat, n, modules):
    """``call(s, theta, beta=0)`` -> the sympy matrix ``mat`` at (s, theta, beta) as an mpmath matrix.

    Only the entries that are not the number 0 are lambdified and set (most of H and M at size
    are 0; an mpmath matrix reads an unset entry as 0): the same values as the whole matrix.
    """
    rows, cols = mat.shape
    where = [(i, j) for i in range(rows) for j in range(cols) if not (mat[i, j].is_Number and mat[i, j] == 0)]
    flat = vector_callable(args, [mat[i, j] for i, j in where], n, modules)

    def call(s, theta, beta=0):
        values = flat(s, theta, beta)
        out = mpmath.matrix(rows, cols)
        for (i, j), v in zip(where, values):
            out[i, j] = v
        return out

    return call
