"""A compiled kernel for the block evaluator (:mod:`symbolic.block_eval`): python-flint's arb and acb balls.

Same interface as :class:`symbolic.block_eval.MPBackend`, on numpy object
arrays of flint ``arb`` (real) and ``acb`` (complex) numbers: matrix products
are ``arb_mat``/``acb_mat`` products (compiled; real and imaginary parts kept
apart, so the tiny imaginary part of a complex step keeps its full relative
precision), elementwise functions are flint's (``acb.tanh`` ...), and the
per-entry arithmetic is flint's instead of mpmath's Python code: about ten
times faster per operation (``bench/bench_discrete.py --kernels``).

Precision: flint works at the current mpmath precision (the working precision
:class:`verify.precision.Precision` sets for the check) plus :data:`GUARD`
bits; numbers enter exactly (an mpf is a dyadic) and leave rounded once to the
mpmath precision (:meth:`FlintBackend.numbers`), so the callers see mpmath
numbers as with :class:`MPBackend`. Only the balls' midpoints are read.

:func:`flint_backend` returns a backend when python-flint is importable and
every elementwise function of the trees has a flint counterpart
(:data:`FLINT_FUNCTIONS`), else None (the caller keeps :class:`MPBackend`).
"""

from __future__ import annotations

import weakref

import mpmath
import numpy as np
import sympy as sp
from mpmath.libmp import from_man_exp

from .block_eval import _mp_number
from .functions import U

try:
    import flint
except ImportError:     # pragma: no cover - python-flint is a dependency; the mpmath kernel remains
    flint = None

_MAKE = mpmath.mp.make_mpf
GUARD = 16     # bits flint carries above the mpmath working precision

#: flint counterparts of :data:`symbolic.functions.FUNCTIONS`, by the name lambdify prints.
FLINT_FUNCTIONS = {
    "exp": lambda u: u.exp(),
    "log": lambda u: u.log(),
    "sqrt": lambda u: u.sqrt(),
    "sin": lambda u: u.sin(),
    "cos": lambda u: u.cos(),
    "tanh": lambda u: u.tanh(),
    "sinh": lambda u: u.sinh(),
    "cosh": lambda u: u.cosh(),
    "sigmoid": lambda u: 1 / (1 + (-u).exp()),
    "softplus": lambda u: (1 + u.exp()).log(),
    "logcosh": lambda u: u.cosh().log(),
}


def supported(body) -> bool:
    """Whether the scalar function ``body`` (in U) uses only functions of :data:`FLINT_FUNCTIONS` and numbers."""
    names = {type(f).__name__ for f in body.atoms(sp.Function)}
    return names <= set(FLINT_FUNCTIONS) and not body.atoms(sp.NumberSymbol) and body.free_symbols <= {U}


def flint_backend(*programs):
    """A :class:`FlintBackend` for the block programs, or None (no python-flint, or a function without a counterpart)."""
    if flint is None:
        return None
    for program in programs:
        if not all(supported(node.data.body) for node in program.order if node.op == "APPLY"):
            return None
    return FlintBackend()


def _arb_from_mpf(t):
    sign, man, exp, bc = t
    if not man:
        if bc:
            return flint.arb("nan")      # inf and nan: no finite midpoint; the callers see nan
        return flint.arb(0)
    return flint.arb((-int(man) if sign else int(man), int(exp)))


def to_flint(x):
    """An mpf, mpc or Python number as an exact arb or acb."""
    if hasattr(x, "_mpf_"):
        return _arb_from_mpf(x._mpf_)
    if hasattr(x, "_mpc_"):
        a, b = x._mpc_
        if not b[1] and not b[3]:
            return _arb_from_mpf(a)
        return flint.acb(_arb_from_mpf(a), _arb_from_mpf(b))
    if isinstance(x, (flint.arb, flint.acb)):
        return x
    return to_flint(mpmath.mpmathify(x))


def _mpf(a):
    if not a.is_finite():
        return mpmath.mpf("nan")
    man, exp = a.mid().man_exp()
    return _MAKE(from_man_exp(int(man), int(exp), mpmath.mp.prec, "n"))


def to_mpmath(x):
    """An arb or acb's midpoint as an mpf or mpc, rounded once to the current mpmath precision."""
    if isinstance(x, flint.acb):
        return mpmath.mpc(_mpf(x.real), _mpf(x.imag))
    if isinstance(x, flint.arb):
        return _mpf(x)
    return mpmath.mpmathify(x)


def _number(t):
    """``mpf`` as lambdify's mpmath printer writes it: an int, a string, or an mpf tuple."""
    if isinstance(t, tuple):
        return _arb_from_mpf(t)
    return flint.arb(t)


_NAMESPACE = {**FLINT_FUNCTIONS, "mpf": _number}


class FlintBackend:
    """Object arrays of flint arb/acb; products as arb_mat/acb_mat; see the module docstring."""

    def __init__(self):
        self._consts, self._fns = {}, {}
        self._pinned: dict = {}       # id(array) -> (weak reference, {(transposed, "re"/"im"): arb matrix})
        self._directions: dict = {}   # id(integer rows) -> (weak reference, arb matrix)

    @staticmethod
    def _prec():
        prec = mpmath.mp.prec + GUARD
        flint.ctx.prec = prec
        return prec

    # boundary: mpmath <-> flint ----------------------------------------------------------
    def block(self, values, shape):
        """mpmath (or Python) numbers as a block of exact flint numbers; sets flint's precision."""
        self._prec()
        out = np.empty(shape, dtype=object)     # owns its data: W.T's base is W (pinned matrices are found)
        out.flat[:] = [to_flint(v) for v in values]
        return out

    def numbers(self, arr) -> list:
        """The entries of a block as mpmath numbers (row-major)."""
        return [to_mpmath(x) for x in np.asarray(arr).reshape(-1)]

    def project(self, blocks, ints, exponent) -> list:
        """The dot products of the rows of ints * 2^exponent with the flat concatenation of ``blocks``, as mpmath.

        ``blocks``: flint arrays, or an int (that many zeros). The integer rows are converted once per ``ints``.
        """
        self._prec()
        hit = self._directions.get(id(ints))
        if hit is None or hit[0]() is not ints:
            rows, cols = ints.shape
            hit = (weakref.ref(ints), flint.arb_mat(flint.fmpz_mat(rows, cols, [int(m) for m in ints.flat])))
            self._directions[id(ints)] = hit
            weakref.finalize(ints, self._directions.pop, id(ints), None)
        flat = []
        for b in blocks:
            flat += [flint.arb(0)] * b if isinstance(b, int) else list(np.asarray(b).reshape(-1))
        column = np.array(flat, dtype=object).reshape(-1, 1)
        scale = flint.arb((1, int(exponent)))
        return self.numbers(self._product_mats((hit[1], None), self._parts(column)) * scale)

    def pin(self, arr, re=None, im=None) -> None:
        """Keep ``arr``'s real and imaginary parts as arb matrices (``re``, ``im``, or converted now) while it lives.

        Their transposes are kept too once a product asks for them.
        """
        if re is None:
            re, im = self._parts(arr)
        key = id(arr)
        self._pinned[key] = (weakref.ref(arr), {(False, "re"): re, **({(False, "im"): im} if im is not None else {})})
        weakref.finalize(arr, self._pinned.pop, key, None)

    def step_block(self, base, ints, exponent, pinned):
        """base + i (ints * 2^exponent): the parameter block of a complex step in theta.

        ``pinned``: the block is only ever multiplied (never read entry by entry), so only its matrices are built.
        """
        self._prec()
        rows, cols = base.shape
        im = flint.arb_mat(flint.fmpz_mat(rows, cols, [int(m) for m in ints.flat])) * flint.arb((1, int(exponent)))
        if pinned:
            arr = np.empty(base.shape, dtype=object)
            self.pin(arr, self._matrix(base, "re"), im)
            return arr
        return np.array([flint.acb(x, y) for x, y in zip(base.flat, im.entries())], dtype=object).reshape(base.shape)

    # the operations of block_eval ----------------------------------------------------------
    def _lookup(self, arr):
        """(the matrices kept for the pinned array that ``arr`` is or views, transposed?), or (None, False)."""
        for a in (arr, arr.base):      # a pinned array, or a view of one (W.T, W.T.T)
            hit = None if a is None else self._pinned.get(id(a))
            if hit is None or hit[0]() is not a or arr.ndim != 2 or a.ndim != 2:
                continue
            if arr.shape == a.shape and arr.strides == a.strides:
                return hit[1], False
            if arr.shape == a.shape[::-1] and arr.strides == a.strides[::-1]:
                return hit[1], True
        return None, False

    @staticmethod
    def _parts(arr):
        """(real part, imaginary part or None) of an array of flint numbers, as arb matrices."""
        rows, cols = arr.shape
        entries = list(arr.flat)
        if not any(isinstance(x, flint.acb) for x in entries):
            return flint.arb_mat(rows, cols, entries), None
        re = [x.real if isinstance(x, flint.acb) else x for x in entries]
        im = [x.imag if isinstance(x, flint.acb) else 0 for x in entries]
        return flint.arb_mat(rows, cols, re), flint.arb_mat(rows, cols, im)

    def _matrices(self, arr):
        """(re, im or None) of ``arr`` as arb matrices: kept for a pinned array and its transpose."""
        kept, transposed = self._lookup(arr)
        if kept is None:
            return self._parts(arr)
        out = []
        for part in ("re", "im"):
            if (False, part) not in kept:
                out.append(None)
                continue
            if (transposed, part) not in kept:
                kept[(transposed, part)] = kept[(False, part)].transpose()
            out.append(kept[(transposed, part)])
        return tuple(out)

    def _matrix(self, arr, part):
        return self._matrices(arr)[0 if part == "re" else 1]

    def mm(self, a, b, ta=False, tb=False):
        """A product on arb matrices: real and imaginary parts apart (a complex step's keep full precision)."""
        A, B = (a.T if ta else a), (b.T if tb else b)
        if A.shape[1] <= 2 or A.size == 0 or B.size == 0:   # outer products: nothing to sum
            return A.dot(B)
        if A.shape[0] < B.shape[1]:    # row times matrix, as (B^T A^T)^T: a kept matrix's transpose is reused
            return self._product(B.T, A.T).T
        return self._product(A, B)

    def _product(self, A, B):
        return self._product_mats(self._matrices(A), self._matrices(B))

    @staticmethod
    def _product_mats(a, b):
        (ar, ai), (br, bi) = a, b
        re = ar * br
        if ai is not None and bi is not None:
            re = re - ai * bi
        terms = [x * y for x, y in ((ar, bi), (ai, br)) if x is not None and y is not None]
        im = None if not terms else terms[0] if len(terms) == 1 else terms[0] + terms[1]
        shape = (re.nrows(), re.ncols())
        if im is None:
            return np.array(re.entries(), dtype=object).reshape(shape)
        return np.array([flint.acb(x, y) for x, y in zip(re.entries(), im.entries())], dtype=object).reshape(shape)

    def const(self, node):
        key = (id(node), self._prec())
        if key not in self._consts:
            with mpmath.workprec(key[1]):
                values = [to_flint(_mp_number(v)) for v in node.data]
            self._consts[key] = (node, np.array(values, dtype=object).reshape(node.shape))
        return self._consts[key][1]

    def apply(self, fn, x, order=2):
        """f, f' (and f'' for ``order`` 2, else None) of ``fn`` at every entry of ``x``."""
        key = (fn, order)
        if key not in self._fns:
            body = fn.body
            self._fns[key] = sp.lambdify(U, [sp.diff(body, U, k) for k in range(order + 1)],
                                         modules=[_NAMESPACE, "mpmath"], cse=True)
        f = self._fns[key]
        values = [f(u) for u in x.flat]
        out = [np.array([v[k] if isinstance(v[k], (flint.arb, flint.acb)) else flint.arb(v[k]) for v in values],
                        dtype=object).reshape(x.shape) for k in range(order + 1)]
        return out + [None] * (2 - order)

    def ones(self, shape):
        return np.full(shape, flint.arb(1), dtype=object)

    def eye(self, n):
        out = np.full((n, n), flint.arb(0), dtype=object)
        np.fill_diagonal(out, flint.arb(1))
        return out
