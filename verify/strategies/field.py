"""Continuous dynamics without an energy: ``field``, ds/dt = f(s) with a symmetric part and a skew part alpha.

In scalar states s_1..s_n (n = 2, 3), with D_i = 1 - tanh(s_i)^2,

    f_i = D_i (sum_{j != i} (w_ij + alpha k_ij) tanh(s_j) + b_i) - s_i,   k_ji = -k_ij,

so the Jacobian at s* is -I + D (W + alpha K) D + diagonal terms: symmetric
for alpha = 0 (then f = -dE/ds with E = |s|^2/2 - sum_{i<j} w_ij tanh(s_i)
tanh(s_j) - sum_i b_i tanh(s_i), a gradient field written out by hand) and
with the skew part alpha D K D otherwise. alpha is drawn from
:data:`ALPHAS` and written as an input, so a model file shows it. Expected
(:func:`expected`): alpha = 0 verifies every field statement; alpha != 0
makes ``field-ep`` and ``field-rbp-naive`` not applicable ("not a gradient
map", with the discrepancy) while ``field-rbp-adjoint`` (the true adjoint
J^T) passes.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .expectation import NOT_GRADIENT, not_applicable, verified
from .instance import Family, Instance
from .maps import screen_map
from .source import Source, q

ALPHAS = (Fraction(0), Fraction(0), Fraction(1, 8), Fraction(1, 4), Fraction(1, 2))   # half the draws: alpha = 0
STATEMENTS = ("field-rbp-adjoint", "field-ep", "field-rbp-naive")
RELAX_STEP = 0.5     # the check finds s* by relaxing s + f(s)/2 (verify.discrete.continuous_field)


def expected(alpha):
    if alpha == 0:
        return verified(*STATEMENTS, why="alpha = 0: f = -dE/ds, a gradient field (symmetric Jacobian)")
    return not_applicable(("field-rbp-adjoint",), {"field-ep": NOT_GRADIENT, "field-rbp-naive": NOT_GRADIENT},
                          why=f"alpha = {q(alpha)}: the Jacobian has a skew part; EP follows J, the gradient J^T")


def field(src: Source, *, states=(2, 3), alphas=ALPHAS) -> Instance:
    """A drawn field: coupling w_ij, biases b_i in [-1/4, 1/4]; skew k_ij in [-1/4, 1/4] scaled by alpha."""
    n = src.integer(*states)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    w = {p: src.rational("1/4", 4) for p in pairs}
    k = {p: src.rational("1/4", 3) for p in pairs}
    b = [src.rational("1/4", 4) for _ in range(n)]
    alpha = src.choice(list(alphas))
    y = src.rational(1, 3)

    def coupling(i, j):     # the text of w_ij +- alpha k_ij (the sign makes K skew)
        p, sign = ((i, j), "+") if i < j else ((j, i), "-")
        return f"(w{p[0] + 1}{p[1] + 1} {sign} alpha*({q(k[p])}))"

    names = [f"s{i + 1}" for i in range(n)]
    fields = {}
    for i in range(n):
        drive = " + ".join([f"{coupling(i, j)}*tanh({names[j]})" for j in range(n) if j != i] + [f"b{i + 1}"])
        fields[names[i]] = f"(1 - tanh({names[i]})**2)*({drive}) - {names[i]}"
    params = {f"w{i + 1}{j + 1}": 0 for i, j in pairs} | {f"b{i + 1}": 0 for i in range(n)}
    values = {f"w{i + 1}{j + 1}": q(w[i, j]) for i, j in pairs} | {f"b{i + 1}": q(b[i]) for i in range(n)}
    doc = {
        "name": "random-field",
        "description": f"a field in {n} scalar states: f = -dE/ds of a tanh network plus a skew part alpha = "
                       f"{q(alpha)}" + (" (a gradient field)" if alpha == 0 else " (not a gradient field)"),
        "state": {s: 0 for s in names},
        "params": params,
        "inputs": {"alpha": q(alpha)},
        "targets": {"y": q(y)},
        "field": fields,
        "model": {"cost": "(y - s1)**2/2"},
        "values": {"seed": 0, "scale": 1, **values},
    }
    A = np.zeros((n, n))
    for (i, j) in pairs:
        A[i, j] = float(w[i, j] + alpha * k[i, j])
        A[j, i] = float(w[i, j] - alpha * k[i, j])
    bf = np.array([float(v) for v in b])

    def f(s):
        t = np.tanh(s)
        return (1 - t ** 2) * (A @ t + bf) - s

    screening = screen_map(lambda s: s + RELAX_STEP * f(s), [0.0] * n, what="field (relaxation s + f/2)",
                           cost_gradient=lambda s: np.array([s[0] - float(y)]))
    if screening.ok and alpha != 0 and screening.asymmetry < 1e-3:
        screening.ok, screening.reason = False, f"skew part too small at s* (asymmetry {screening.asymmetry:.3g})"
    return Instance("field", doc, None, [0.0] * n, coupling=f"alpha={q(alpha)}", expected=expected(alpha),
                    _screening=screening)


FAMILY = Family("field", field, "continuous [field]: a tanh network's -dE/ds plus a skew part alpha; expected "
                "verified for alpha = 0, EP not applicable otherwise", small={"states": (2, 2)}, dynamics="field")
