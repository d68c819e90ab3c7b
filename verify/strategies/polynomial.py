"""The polynomial family: coercive polynomial energies in 1-3 scalar states (double wells, several minima).

Positive quartic terms plus random terms of degree <= 3, some with a
parameter as coefficient; the cost acts on the first state and sometimes
depends on theta.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .instance import Family, Instance, draw_target, initial_state, tune_fields
from .source import Source, dyadic, q


def polynomial(src: Source, *, states=(1, 3), params=(1, 3)) -> Instance:
    """A coercive polynomial energy in scalar states; parameters are coefficients of low-degree terms.

    E = sum_i q_i s_i^4 + sum_{i<j} r_ij s_i^2 s_j^2 + (terms of degree <= 3),
    q_i > 0 and r_ij >= 0, so E grows like |s|^4 whatever theta is. Negative
    quadratic coefficients make double wells: several minima. For a drawn
    target condition number, the linear terms h_i s_i (the fields) are scaled
    as in :func:`hopfield`: a minimum is followed from fields off until its
    Hessian's condition number reaches the target, near a fold.
    """
    n = src.integer(*states)
    p = src.integer(*params)
    target = draw_target(src)
    names = [f"s{i}" for i in range(n)]
    wnames = [f"w{k}" for k in range(p)]
    terms = []          # (rational coefficient, exponents, param index or None)
    for i in range(n):
        terms.append((Fraction(src.integer(2, 8), 32), _unit(n, i, 4), None))
    for i in range(n):
        for j in range(i + 1, n):
            if src.boolean():
                terms.append((Fraction(src.integer(1, 8), 32), _pair(n, i, 2, j, 2), None))
    for i in range(n):
        terms.append((src.rational(1, 2), _unit(n, i, 2), None))   # a_i s_i^2 (negative: a double well)
    for _ in range(src.integer(0, 3)):
        terms.append((src.rational(Fraction(1, 4), 3), _monomial(src, n, 3), None))
    for _ in range(src.integer(0, 2)):
        terms.append((src.rational(Fraction(1, 2), 2), _monomial(src, n, 2), None))
    fields = []   # always some: without odd terms s = 0 is a critical point by symmetry, where
    for i in range(n):   # terms w s_i^2 have no gradient and dL/dtheta vanishes identically
        if target is not None or i == 0 or src.boolean():
            h = src.rational(1, 2)
            fields.append((h if h != 0 else Fraction(1, 4), _unit(n, i, 1)))
    for k in range(p):   # every parameter is the coefficient of one term of degree 1-3
        degree = src.integer(1, 3)
        terms.append((Fraction(1), _monomial(src, n, degree), k))
    theta = [src.rational(Fraction(1, 2), 3) for _ in range(p)]
    y = src.rational(1, 2)
    theta_cost = src.integer(0, 2)       # 0: none, 1: w0*s0 (dC/dtheta depends on s), 2: w0**2/2
    init, start = initial_state(src, [(nm, 0) for nm in names], bound=1)
    pick = src.integer(0, 3) if target is not None else 0

    exps = np.array([e for _, e, _ in terms] + [e for _, e in fields], dtype=float)   # terms x n
    base = np.array([float(c) if k is None else float(theta[k]) for c, _, k in terms] + [0.0] * len(fields))
    field_coefs = np.array([0.0] * len(terms) + [float(h) for h, _ in fields])
    # d/ds_i of c s^e = c e_i s^(e - 1_i)
    lowered = np.maximum(exps[None, :, :] - np.eye(n)[:, None, :], 0)   # n x terms x n

    def gradient_for(lam: float):
        factors = (base + lam * field_coefs)[None, :] * exps.T          # n x terms

        def gradient(s):
            s = np.asarray(s, dtype=float)
            return np.sum(factors * np.prod(s[None, None, :] ** lowered, axis=2), axis=1)

        return gradient

    lam, tuned = Fraction(1), ""
    if target is not None:
        tuning = tune_fields(gradient_for, n, target, pick, seed=pick * 7919 + n, spread=4.0)
        if tuning is not None:
            lam = tuning.lam
            init = {nm: q(dyadic(v)) for nm, v in zip(names, tuning.s)}
            start = [float(Fraction(init[nm])) for nm in names]
            tuned = (f"; linear terms scaled by {q(lam)} towards cond(H) ~ {target} "
                     f"(minimum {tuning.k + 1} of {tuning.count} without them)")
    all_terms = terms + [(h * lam, e, None) for h, e in fields]
    energy_text = " + ".join(_term_text(coef, e, names, wnames[k] if k is not None else None)
                             for coef, e, k in all_terms if k is not None or coef != 0)
    cost = "(s0 - y)**2/2" + {0: "", 1: " + w0*s0/2", 2: " + w0**2/2"}[theta_cost]
    doc = {
        "name": "random-polynomial",
        "description": f"coercive polynomial energy in {n} scalar states (quartic + terms of degree <= 3), "
                       f"{p} parameters as coefficients" + (", theta-dependent cost" if theta_cost else "")
                       + tuned,
        "state": {nm: 0 for nm in names},
        "params": {w: 0 for w in wnames},
        "targets": {"y": q(y)},
        "model": {"energy": energy_text, "cost": cost},
        "values": {"seed": 0, "scale": 1, **{w: q(v) for w, v in zip(wnames, theta)}},
        "settings": {"initial_state": init},
    }
    return Instance("polynomial", doc, gradient_for(float(lam)), start, coupling=f"target={target}")



def _unit(n, i, power):
    e = [0] * n
    e[i] = power
    return e


def _pair(n, i, pi, j, pj):
    e = [0] * n
    e[i], e[j] = pi, pj
    return e


def _monomial(src: Source, n: int, degree: int) -> list[int]:
    e = [0] * n
    for _ in range(degree):
        e[src.integer(0, n - 1)] += 1
    return e


def _term_text(coef: Fraction, exps, names, param):
    factors = [param] if param else []
    if coef != 1 or not factors and not any(exps):
        factors.insert(0, f"({q(coef)})")
    for nm, e in zip(names, exps):
        if e == 1:
            factors.append(nm)
        elif e > 1:
            factors.append(f"{nm}**{e}")
    return "*".join(factors)



FAMILY = Family("polynomial", polynomial, "coercive polynomial energy in scalar states, several minima",
                small={"states": (1, 2), "params": (1, 2)})
