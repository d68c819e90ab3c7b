"""The Cauchy problem Eq 13-14 as a linear ODE, integrated without a compiled program.

dX/dt = -H X (Eq 13), dY/dt = -M X (Eq 14): the Taylor coefficients of the
solution are c_{k+1} = A c_k / (k + 1) with A = [[-H, 0], [-M, 0]], so the jets
need H and M as numbers only. Compiling the field symbolically instead (one
parameter per entry of H and M, n (n + p) of them: 80,000 at n = 66) made
sympy the largest cost of a large check. The rows keep only the nonzero
entries (M of a layered network is mostly zeros).

The jet engine plugs into the shared controller (:mod:`verify.ode.controller`):
same order, steps, dense output and error estimates as every backend.
"""

from __future__ import annotations

import operator

import gmpy2

from .engine import JetEngine
from .numbers import gmpy2_to_mpmath, horner, order_magnitudes, to_gmpy2


def _sparse_rows(rows):
    """Each row as (column indices, values) of its nonzero entries."""
    out = []
    for row in rows:
        nz = [(j, v) for j, v in enumerate(row) if v != 0]
        out.append(([j for j, _ in nz], [v for _, v in nz]))
    return out


class CauchyEngine(JetEngine):
    """Taylor jets of (X, Y)' = (-H X, -M X) at ``prec`` bits (call inside ``gmpy2_context(prec)``)."""

    name = "mpmath"

    def __init__(self, H_rows, M_rows, y0, order: int, prec: int):
        super().__init__(order, prec)
        self.n = len(H_rows)
        self.x = [to_gmpy2(v) for v in y0]
        self._rows = _sparse_rows([[-to_gmpy2(v) for v in row] for row in list(H_rows) + list(M_rows)])
        self._complex = any(isinstance(v, gmpy2.mpc) for v in self.x) or any(
            isinstance(v, gmpy2.mpc) for _, vals in self._rows for v in vals)
        if self._complex:
            self.x = [gmpy2.mpc(v) for v in self.x]
        self._zero = gmpy2.mpc(0) if self._complex else gmpy2.mpfr(0)
        self.jets = None

    @property
    def is_complex(self) -> bool:
        return self._complex

    def expand(self):
        n, order, mul = self.n, self.order, operator.mul
        cols = [list(self.x)]
        for k in range(order):
            X = cols[-1][:n]
            cols.append([sum(map(mul, vals, [X[j] for j in idx])) / (k + 1) if idx else self._zero
                         for idx, vals in self._rows])
        self.jets = [list(c) for c in zip(*cols)]
        return order_magnitudes(cols, self._complex)

    def _horner(self, tau):
        return horner(self.jets, tau)

    def advance(self, h) -> None:
        self.x = self._horner(h)

    def evaluate(self, tau) -> list:
        return [gmpy2_to_mpmath(v) for v in self._horner(tau)]

    def state(self) -> list:
        return [gmpy2_to_mpmath(v) for v in self.x]
