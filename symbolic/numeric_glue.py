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
    """``call(s, theta, beta=0)`` -> the sympy matrix ``mat`` at (s, theta, beta) as an mpmath matrix."""
    rows, cols = mat.shape
    flat = vector_callable(args, list(mat), n, modules)

    def call(s, theta, beta=0):
        values = flat(s, theta, beta)
        return mpmath.matrix([values[i * cols:(i + 1) * cols] for i in range(rows)])

    return call
