"""The prototypical discrete EP model: ``sigma-update``, s_{t+1} = sigmoid(W s_t + U x) with W symmetric.

The activation is applied outside dPhi/ds, so dF/ds = diag(sigmoid'(z)) W is
not symmetric: not a gradient map, and the GDU property holds only
approximately. Expected (:data:`EXPECTED`): ``gdu-s`` not applicable ("not
a gradient map", with the measured discrepancy), ``gdu-theta`` and
``gdu-sum`` not applicable (an ``[update]`` has no Phi), ``bptt-adjoint``
(which needs no symmetry) passes. ||W|| <= 3 keeps F a contraction
(sigmoid' <= 1/4); draws whose dF/ds is nearly symmetric are rejected.
"""

from __future__ import annotations

import numpy as np

from .expectation import NO_PHI, NOT_GRADIENT, not_applicable
from .instance import Family, Instance
from .maps import screen_map
from .source import Source, mat, vec

EXPECTED = not_applicable(("bptt-adjoint",), {"gdu-s": NOT_GRADIENT, "gdu-theta": NO_PHI, "gdu-sum": NO_PHI},
                          why="dF/ds = diag(sigmoid'(z)) W is not symmetric: F is not a gradient map")
MIN_ASYMMETRY = 1e-3


def sigma_update(src: Source, *, states=(2, 4), inputs=(1, 3)) -> Instance:
    """s_{t+1} = sigmoid(W s + U x), W symmetric with entries in [-3/4, 3/4], as an ``[update]`` table."""
    n, m = src.integer(*states), src.integer(*inputs)
    W = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            W[i][j] = W[j][i] = src.rational("3/4", 3)
    U = [[src.rational(1, 3) for _ in range(m)] for _ in range(n)]
    x = [src.rational(1, 2) for _ in range(m)]
    y = [src.rational(1, 3) for _ in range(n)]
    K = src.integer(2, 6)
    doc = {
        "name": "random-sigma-update",
        "description": f"prototypical discrete EP map h <- sigmoid(W h + U x), {n} units, {m} inputs, {K} steps "
                       "(not a gradient map)",
        "state": {"h": n},
        "params": {"W": [n, n], "U": [n, m]},
        "inputs": {"x": vec(x)},
        "targets": {"y": vec(y)},
        "update": {"h": "sigmoid(W*h + U*x)"},
        "model": {"cost": "(y - h).T*(y - h)/2"},
        "values": {"seed": 0, "scale": 1, "W": mat(W), "U": mat(U)},
        "settings": {"dynamics": "discrete", "steps": K},
    }
    Wf, drive = np.array(W, dtype=float), np.array(U, dtype=float) @ np.array(x, dtype=float)

    def F(h):
        return 1 / (1 + np.exp(-(Wf @ h + drive)))

    yf = np.array(y, dtype=float)
    screening = screen_map(F, [0.0] * n, min_asymmetry=MIN_ASYMMETRY, cost_gradient=lambda h: h - yf)
    return Instance("sigma-update", doc, None, [0.0] * n, coupling=f"||W|| = {np.linalg.norm(Wf, 2):.3g}",
                    expected=EXPECTED, _screening=screening)


FAMILY = Family("sigma-update", sigma_update, "discrete: the prototypical h <- sigmoid(W h + U x) (not a "
                "gradient map); expected: gdu-* not applicable, bptt-adjoint verified",
                small={"states": (2, 3), "inputs": (1, 2)}, dynamics="discrete")
