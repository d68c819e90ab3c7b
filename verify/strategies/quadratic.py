"""The quadratic family: E = 1/2 s^T A s - s^T b, A symmetric positive definite and b learned.

The cost is 1/2 ||y - P s||^2, sometimes + b^T b / 8 (theta-dependent).
Closed forms exist for every route: the family tests the numerics, not the
nonlinearity.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .instance import Family, Instance
from .source import Source, mat, vec


def quadratic(src: Source, *, states=(1, 4)) -> Instance:
    """E = 1/2 s^T A s - s^T b, A symmetric positive definite and b learned (closed forms everywhere).

    A = L L^T + mu I with L lower triangular: mu sets the conditioning
    (cond(A) up to ~10^2-10^3 for the smallest mu; above COND_MAX rejected).
    """
    n = src.integer(*states)
    Lmat = [[src.rational(1, 2) if j <= i else Fraction(0) for j in range(n)] for i in range(n)]
    mu = Fraction(1, 2 ** src.integer(0, 7)) * src.choice([Fraction(1), Fraction(3, 2)])
    A = [[sum((Lmat[i][k] * Lmat[j][k] for k in range(n)), Fraction(0)) + (mu if i == j else 0)
          for j in range(n)] for i in range(n)]
    b = [src.rational(1, 2) for _ in range(n)]
    m = src.integer(1, n)
    P = [[src.rational(1, 1) for _ in range(n)] for _ in range(m)]
    if all(v == 0 for row in P for v in row):
        P[0][0] = Fraction(1)
    y = [src.rational(1, 2) for _ in range(m)]
    theta_cost = src.boolean()
    cost = "(y - P*s).T*(y - P*s)/2" + (" + b.T*b/8" if theta_cost else "")
    doc = {
        "name": "random-quadratic",
        "description": f"quadratic energy 1/2 s^T A s - s^T b in {n} states, A = L L^T + {mu} I"
                       + (", theta-dependent cost" if theta_cost else ""),
        "state": {"s": n},
        "params": {"A": [n, n], "b": n},
        "inputs": {"P": mat(P)},
        "targets": {"y": vec(y)},
        "model": {"energy": "s.T*A*s/2 - s.T*b", "cost": cost},
        "values": {"seed": 0, "scale": 1, "A": mat(A), "b": vec(b)},
    }
    Af, bf = np.array(A, dtype=float), np.array(b, dtype=float)

    def gradient(s):
        return Af @ np.asarray(s, dtype=float) - bf

    return Instance("quadratic", doc, gradient, [0.0] * n, coupling=f"mu={mu}")



FAMILY = Family("quadratic", quadratic, "quadratic energy with a learned SPD matrix and vector",
                small={"states": (1, 3)})
