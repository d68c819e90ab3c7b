"""The Derivation's gradients and second derivatives against sympy's own ``diff`` of the whole expression.

``symbolic.derive`` differentiates only the terms that contain each variable and reuses
the derivative of each factor (Leibniz's rule as sympy applies it); the reference here
is ``sp.diff`` of the whole energy and cost. The two must be the same expressions (same
``srepr``), so that everything compiled from them is unchanged.
"""

from __future__ import annotations

import glob
import pathlib

import pytest
import sympy as sp

from symbolic import derive, load_model
from symbolic.spec import load_model_text
from symbolic.zoo import BUILTINS

ROOT = pathlib.Path(__file__).resolve().parents[2]
FINDINGS = sorted(glob.glob(str(ROOT / "bench" / "findings" / "**" / "*.toml"), recursive=True))[:4]


def same(a, b) -> bool:
    return sp.srepr(a) == sp.srepr(b)


def assert_as_sympy_diff(model):
    d = derive(model)
    E, C, s, theta = model.energy, model.cost, model.s, model.theta
    dE = [sp.diff(E, x) for x in s]
    assert all(same(a, b) for a, b in zip(d.dE_ds, dE))
    assert all(same(a, sp.diff(C, x)) for a, x in zip(d.dC_ds, s))
    assert all(same(a, sp.diff(E, k)) for a, k in zip(d.dE_dtheta, theta))
    assert all(same(a, sp.diff(C, k)) for a, k in zip(d.dC_dtheta, theta))
    for i, g in enumerate(dE):
        assert all(same(d.H[i, j], sp.diff(g, x)) for j, x in enumerate(s)), (model.name, "H", i)
        assert all(same(d.M[k, i], sp.diff(g, t)) for k, t in enumerate(theta)), (model.name, "M", i)


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtins(name):
    assert_as_sympy_diff(load_model(name))


@pytest.mark.parametrize("path", FINDINGS, ids=[pathlib.Path(p).stem for p in FINDINGS])
def test_sweep_findings(path):
    model = load_model(path)
    if model.is_gradient_flow:
        assert_as_sympy_diff(model)


CHAIN = """name = "chain"
description = "user functions of inner expressions, powers and products"

[state]
a = 0
b = 0
c = 0

[params]
w = 0
v = 0

[targets]
y = 1

[functions]
rho = "sigmoid"
g = "u**3/3 + log(cosh(u))"

[model]
energy = "(a**2 + b**2 + c**2)/2 - w*rho(2*a + b)**3 - v*g(b*c) + rho(a)*g(c)"
cost = "(y - rho(a))**2/2"

[values]
seed = 0
w = "1/2"
v = "-1/3"
"""


def test_chain_rule_through_an_inner_expression_and_a_power():
    """rho(2 a + b) and g(b c) give Subs(Derivative(...), ...) factors; the cube gives a power."""
    model = load_model_text(CHAIN, "<chain>")
    d = derive(model)
    assert any(e.has(sp.Subs) for e in d.dE_ds) and model.energy.has(sp.Pow)
    assert_as_sympy_diff(model)
