"""sympy expressions in (s, theta, beta) -> callables on flat sequences: the lambdify glue.

Shared by :mod:`symbolic.compile` (the gradient flow) and
:mod:`symbolic.discrete_compile` (discrete maps): ``sympy.lambdify`` with
common subexpressions, over fixed-name symbols (with the model's own names
lambdify substitutes Dummy symbols, whose process-global numbering reorders
the printed sums, hence their rounding, from one compilation of the same
model to the next).
"""

from __future__ import annotations

import mpmath
import sympy as sp


def vector_callable(args, exprs, n, modules):
    """``call(s, theta, beta=0)`` -> the list of ``exprs`` at (s, theta, beta); ``args`` = s + theta + [beta]."""
    plain = {a: sp.Symbol(f"arg_{i}", **a.assumptions0) for i, a in enumerate(args)}
    fn = sp.lambdify(list(plain.values()), [e.xreplace(plain) for e in exprs], modules=modules, cse=True)

    def call(s, theta, beta=0):
        if len(s) != n:
            raise ValueError(f"expected {n} state values, got {len(s)}")
        return list(fn(*s, *theta, beta))

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
