"""Model.concrete, made piecewise (atoms cached per model), against the whole-expression path.

The reference is written out here: every user function replaced by its body
(``replace``), then ``doit`` on the whole expression, then the input and target
values (``xreplace``). ``Model.concrete`` evaluates each applied function,
Derivative or Subs once per model and puts it in place; the two must give the
same sympy expression (same ``srepr``), hence the same lambdified code and bits.
"""

from __future__ import annotations

import dataclasses
import glob
import pathlib

import pytest
import sympy as sp

from symbolic import derive, load_model
from symbolic.functions import sigmoid
from symbolic.spec import load_model_text
from symbolic.zoo import BUILTINS, paper_hopfield_text

ROOT = pathlib.Path(__file__).resolve().parents[2]
FINDINGS = sorted(glob.glob(str(ROOT / "bench" / "findings" / "**" / "*.toml"), recursive=True))


def whole(model, expr):
    """The reference: bodies replaced, doit on the whole expression, then the data."""
    for name, lam in model.functions.items():
        expr = expr.replace(sp.Function(name, real=True), lam)
    expr = expr.doit()
    return expr.xreplace(model.data) if model.data else expr


def entries(model) -> list:
    """Energy, cost and every derived vector and matrix entry the compiler makes concrete."""
    out = [model.energy, model.cost]
    d = derive(model)
    for obj in (d.dE_ds, d.dC_ds, d.dE_dtheta, d.dC_dtheta, d.H, d.M, d.extended_field, d.dEbeta_dtheta,
                sp.hessian(model.cost, model.s)):
        out += list(obj)
    return out


def assert_same(model):
    for e in entries(model):
        assert sp.srepr(model.concrete(e)) == sp.srepr(whole(model, e)), e


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtin_entries_are_the_whole_expression_path(name):
    assert_same(load_model(name))


@pytest.mark.parametrize("path", FINDINGS, ids=[pathlib.Path(p).stem for p in FINDINGS])
def test_sweep_findings_are_the_whole_expression_path(path):
    model = load_model(path)
    if model.is_gradient_flow:
        assert_same(model)


def test_a_larger_hopfield_and_a_second_call_from_the_cache():
    model = load_model_text(paper_hopfield_text(s1=2, s2=4), "<hop 2x4>")
    assert_same(model)
    assert_same(model)          # every atom now comes from the model's cache


def test_the_cache_belongs_to_one_model():
    """A copy with another body for rho (dataclasses.replace) does not see the first model's atoms."""
    model = load_model("paper-hopfield")
    entry = derive(model).H[0, 0]
    first = model.concrete(entry)
    other = dataclasses.replace(model, functions={"rho": sp.Lambda(sp.Symbol("u", real=True),
                                                                   sp.tanh(sp.Symbol("u", real=True)))})
    second = other.concrete(entry)
    assert first.has(sigmoid) and not second.has(sigmoid) and second.has(sp.tanh)
    assert sp.srepr(second) == sp.srepr(whole(other, entry))


def test_nodes_with_a_doit_of_their_own_are_made_concrete():
    """A Subs (chain rule through an inner expression) and a Piecewise around user functions."""
    model = load_model("paper-hopfield")
    rho, s = sp.Function("rho", real=True), model.s
    expr = (sp.diff(rho(2 * s[0] + s[1]), s[0]) * s[2]
            + sp.Piecewise((rho(s[0]), s[1] > 0), (sp.Derivative(rho(s[1]), s[1]), True)))
    assert expr.has(sp.Subs) or expr.has(sp.Derivative)
    got = model.concrete(expr)
    assert sp.srepr(got) == sp.srepr(whole(model, expr))
    assert not got.has(sp.Derivative, sp.Subs) and not got.atoms(sp.core.function.AppliedUndef)
