"""Derived gradients and Hessians against numeric differentiation (mpmath.diff), every built-in.

Two independent routes: the symbolic derivatives of the Derivation (sympy),
lambdified with mpmath after the user-function bodies are substituted
(``model.concrete``); and ``mpmath.diff`` (finite differences at high
precision) of the lambdified energy and cost themselves.  The numeric
derivatives are taken at 50 digits, where mpmath.diff is accurate to ~45, and
must agree with the symbolic ones to 30 significant digits at random points.
"""

from __future__ import annotations

import random

import mpmath as mp
import pytest
import sympy as sp

from symbolic import derive, load_model
from symbolic.functions import mpmath_modules
from symbolic.zoo import BUILTINS

DIGITS = 30
WORK_DPS = 50
MODULES = mpmath_modules()


def random_point(model, seed):
    """Exact random state and parameters in [-1, 1] (seeded)."""
    rng = random.Random(seed)
    draw = lambda: sp.Rational(rng.randint(-2**20, 2**20), 2**20)  # noqa: E731
    return [draw() for _ in model.s], [draw() for _ in model.theta]


def close(a, b) -> bool:
    """|a - b| <= 1e-30 max(|a|, |b|), with an absolute floor for exact zeros."""
    tol = mp.mpf(10) ** -DIGITS
    return abs(a - b) <= tol * max(abs(a), abs(b)) + mp.mpf(10) ** -(WORK_DPS - 8)


@pytest.fixture(scope="module", params=list(BUILTINS))
def case(request):
    model = load_model(request.param)
    d = derive(model)
    args = model.s + model.theta
    energy = sp.lambdify(args, model.concrete(model.energy), MODULES)
    cost = sp.lambdify(args, model.concrete(model.cost), MODULES)
    derived = {name: sp.lambdify(args, model.concrete(getattr(d, name)), MODULES)
               for name in ("dE_ds", "dC_ds", "dE_dtheta", "dC_dtheta", "H", "M")}
    return model, energy, cost, derived


def _at(model, seed):
    s, theta = random_point(model, seed)
    return [mp.mpf(x.p) / x.q for x in s + theta]


@pytest.mark.parametrize("seed", [1, 2])
def test_gradients_match_numeric_differentiation(case, seed):
    model, energy, cost, derived = case
    n, p = model.n, model.p
    with mp.workdps(WORK_DPS):
        point = _at(model, seed)
        for name, f, offset, size in (("dE_ds", energy, 0, n), ("dC_ds", cost, 0, n),
                                      ("dE_dtheta", energy, n, p), ("dC_dtheta", cost, n, p)):
            symbolic = derived[name](*point)
            for k in range(size):
                orders = [0] * (n + p)
                orders[offset + k] = 1
                numeric = mp.diff(f, point, orders)
                got = symbolic[k, 0]  # lambdify gives an mpmath matrix (size x 1)
                names = model.state_names() if offset == 0 else model.param_names()
                assert close(got, numeric), (
                    f"{model.name} {name}[{names[k]}]: symbolic {got} vs mpmath.diff {numeric}")


def test_hessians_match_numeric_differentiation(case):
    """H = d2E/ds2 (Eq 13) and M = d2E/dtheta ds (Eq 14), every entry."""
    model, energy, _, derived = case
    n, p = model.n, model.p
    with mp.workdps(WORK_DPS):
        point = _at(model, 3)
        H = derived["H"](*point)
        M = derived["M"](*point)
        for i in range(n):
            for j in range(i, n):
                orders = [0] * (n + p)
                orders[i] += 1
                orders[j] += 1
                numeric = mp.diff(energy, point, orders)
                assert close(H[i, j], numeric), (
                    f"{model.name} H[{i},{j}]: symbolic {H[i, j]} vs mpmath.diff {numeric}")
                assert close(H[j, i], numeric)
        for k in range(p):
            for j in range(n):
                orders = [0] * (n + p)
                orders[n + k] = 1
                orders[j] = 1
                numeric = mp.diff(energy, point, orders)
                assert close(M[k, j], numeric), (
                    f"{model.name} M[{model.param_names()[k]},{model.state_names()[j]}]: "
                    f"symbolic {M[k, j]} vs mpmath.diff {numeric}")


def test_a_wrong_derivative_is_caught(case):
    """Negative control: a perturbed gradient (dE/ds + 1e-25 s) fails the same comparison."""
    model, energy, _, derived = case
    n, p = model.n, model.p
    with mp.workdps(WORK_DPS):
        point = _at(model, 4)
        g0 = derived["dE_ds"](*point)[0, 0]
        orders = [1] + [0] * (n + p - 1)
        numeric = mp.diff(energy, point, orders)
        assert close(g0, numeric)
        assert not close(g0 + mp.mpf("1e-25") * (1 + abs(numeric)), numeric)
