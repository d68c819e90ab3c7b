"""The paper's Hopfield example (Eq 4-8) typed by hand, compared with the derivation.

Eq 5-7 are typed component by component, read correctly: ``ρ'(s)`` acts
elementwise (the paper's ``ρ'(s_1)^T ·`` is a Hadamard product, not a dot
product), and ``W10 = W01ᵀ``, ``W21 = W12ᵀ`` (the paper never defines them;
the energy Eq 4 has one matrix per pair of layers).  The reference is written
without looking at the derivation code; agreement is symbolic (the expanded
difference is exactly 0), for the built-in sizes and for others, including
layers of size 1.
"""

from __future__ import annotations

import pytest
import sympy as sp

from symbolic import derive, load_model
from symbolic.spec import load_model_text
from symbolic.zoo import paper_hopfield_text

RHO = sp.Function("rho", real=True)
BETA = sp.Symbol("beta", real=True)

# (s0, s1, s2, x) layer sizes; (2, 3, 3, 2) is the built-in paper-hopfield
SIZES = [(2, 3, 3, 2), (1, 1, 1, 1), (3, 2, 4, 1), (1, 4, 2, 3), (4, 1, 2, 2)]


def vec(name, n):
    return [sp.Symbol(f"{name}[{i}]", real=True) for i in range(n)]


def mat(name, m, n):
    return [[sp.Symbol(f"{name}[{i},{j}]", real=True) for j in range(n)] for i in range(m)]


def transpose(w):
    return [list(row) for row in zip(*w)]


def rho_prime(u):
    """ρ'(u), applied to one component: the elementwise reading of Eq 5-7."""
    return sp.Derivative(RHO(u), u)


def layers(n0, n1, n2, nx):
    return dict(s0=vec("s0", n0), s1=vec("s1", n1), s2=vec("s2", n2), x=vec("x", nx),
                y=vec("y", n0), W01=mat("W01", n0, n1), W12=mat("W12", n1, n2),
                W23=mat("W23", n2, nx))


def paper_dynamics(n0, n1, n2, nx):
    """ds/dt of Eq 5, 6, 7, flattened (s0, s1, s2)."""
    L = layers(n0, n1, n2, nx)
    s0, s1, s2, x = L["s0"], L["s1"], L["s2"], L["x"]
    W01, W12, W23 = L["W01"], L["W12"], L["W23"]
    W10, W21 = transpose(W01), transpose(W12)
    eq5 = [rho_prime(s0[i]) * sum(W01[i][j] * RHO(s1[j]) for j in range(n1)) - s0[i]
           for i in range(n0)]
    eq6 = [rho_prime(s1[j]) * (sum(W12[j][k] * RHO(s2[k]) for k in range(n2))
                               + sum(W10[j][i] * RHO(s0[i]) for i in range(n0))) - s1[j]
           for j in range(n1)]
    eq7 = [rho_prime(s2[k]) * (sum(W23[k][m] * RHO(x[m]) for m in range(nx))
                               + sum(W21[k][j] * RHO(s1[j]) for j in range(n1))) - s2[k]
           for k in range(n2)]
    return eq5 + eq6 + eq7


def model_of(sizes):
    if sizes == (2, 3, 3, 2):
        return load_model("paper-hopfield")
    return load_model_text(paper_hopfield_text(*sizes), f"<paper-hopfield {sizes}>")


def same(a, b) -> bool:
    return sp.expand(a - b) == 0


@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "x".join(map(str, s)))
def test_free_dynamics_is_eq5_to_eq7(sizes):
    d = derive(model_of(sizes))
    typed = paper_dynamics(*sizes)
    assert d.field.shape == (len(typed), 1)
    for k, (got, want) in enumerate(zip(d.field, typed)):
        assert same(got, want), f"component {d.model.state_names()[k]}: {got} != {want}"


@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "x".join(map(str, s)))
def test_ep_rule_is_contrastive_hebbian(sizes):
    """dE/dW01 = -ρ(s0) ρ(s1)ᵀ, dE/dW12 = -ρ(s1) ρ(s2)ᵀ, dE/dW23 = -ρ(s2) ρ(x)ᵀ (Eq 20, 24)."""
    n0, n1, n2, nx = sizes
    L = layers(*sizes)
    typed = []
    for a, b, (m, n) in (("s0", "s1", (n0, n1)), ("s1", "s2", (n1, n2)), ("s2", "x", (n2, nx))):
        typed += [-RHO(L[a][i]) * RHO(L[b][j]) for i in range(m) for j in range(n)]
    d = derive(model_of(sizes))
    assert d.dE_dtheta.shape == (len(typed), 1)
    for got, want in zip(d.dE_dtheta, typed):
        assert same(got, want)
    # the cost Eq 8 does not depend on theta: dE^beta/dtheta = dE/dtheta
    assert all(e == 0 for e in d.dC_dtheta)
    for got, want in zip(d.dEbeta_dtheta, typed):
        assert same(got, want)


@pytest.mark.parametrize("sizes", SIZES[:3], ids=lambda s: "x".join(map(str, s)))
def test_nudged_dynamics_adds_the_force_beta_y_minus_s0(sizes):
    """Eq 18 with the cost Eq 8: the new term is the force β (y - s0) on the output layer."""
    n0 = sizes[0]
    L = layers(*sizes)
    force = [BETA * (L["y"][i] - L["s0"][i]) for i in range(n0)]
    force += [0] * (len(paper_dynamics(*sizes)) - n0)
    d = derive(model_of(sizes))
    for got, free, f in zip(d.extended_field, paper_dynamics(*sizes), force):
        assert same(got, free + f)
    for got, want in zip(d.dC_ds, [-f / BETA for f in force]):
        assert same(got, want)


@pytest.mark.parametrize("sizes", SIZES[:3], ids=lambda s: "x".join(map(str, s)))
def test_hessians_are_jacobians_of_the_typed_dynamics(sizes):
    """H = -∂(ds/dt)/∂s and M = -∂(ds/dt)/∂θ of the typed Eq 5-7 (Eq 13, 14)."""
    typed = sp.Matrix(paper_dynamics(*sizes))
    d = derive(model_of(sizes))
    s, theta = d.model.s, d.model.theta
    H = -typed.jacobian(s)
    M = -typed.jacobian(theta).T  # p x n: M[k, j] = d^2E / dtheta_k ds_j
    assert d.H.shape == H.shape and d.M.shape == M.shape
    assert all(same(a, b) for a, b in zip(d.H, H))
    assert all(same(a, b) for a, b in zip(d.M, M))
    assert all(same(d.H[i, j], d.H[j, i]) for i in range(len(s)) for j in range(i))


def test_misreadings_of_eq6_are_not_the_gradient_flow():
    """Negative test: the literal misreadings of Eq 6 differ from -dE/ds1.

    (a) W10 taken as W01 itself (not its transpose) -- with square W01 so the
    shapes allow it; (b) ρ'(s1)ᵀ · (...) taken as a dot product (a scalar
    multiplying every component).
    """
    sizes = (2, 2, 2, 2)
    d = derive(model_of(sizes))
    L = layers(*sizes)
    s0, s1, s2 = L["s0"], L["s1"], L["s2"]
    W01, W12 = L["W01"], L["W12"]
    good = paper_dynamics(*sizes)[2:4]
    wrong_w10 = [rho_prime(s1[j]) * (sum(W12[j][k] * RHO(s2[k]) for k in range(2))
                                     + sum(W01[j][i] * RHO(s0[i]) for i in range(2))) - s1[j]
                 for j in range(2)]
    inner = [sum(W12[j][k] * RHO(s2[k]) for k in range(2))
             + sum(W01[i][j] * RHO(s0[i]) for i in range(2)) for j in range(2)]
    dot = sum(rho_prime(s1[j]) * inner[j] for j in range(2))
    wrong_dot = [dot - s1[j] for j in range(2)]
    field_s1 = list(d.field)[2:4]
    assert all(same(a, b) for a, b in zip(field_s1, good))
    assert not all(same(a, b) for a, b in zip(field_s1, wrong_w10))
    assert not all(same(a, b) for a, b in zip(field_s1, wrong_dot))


def test_display_prints_eq5_to_eq7_and_the_hebbian_rule_in_vector_form():
    """derive's text output writes the dynamics as the paper does (one line per layer)."""
    from symbolic.display import render

    text = render(derive(load_model("paper-hopfield")), "text")
    for line in [
        "ds0/dt = ρ'(s0) ⊙ (W01 ρ(s1)) - s0",
        "ds1/dt = ρ'(s1) ⊙ (W12 ρ(s2) + W01ᵀ ρ(s0)) - s1",
        "ds2/dt = ρ'(s2) ⊙ (W23 ρ(x) + W12ᵀ ρ(s1)) - s2",
        "∂E/∂W01 = -ρ(s0) ρ(s1)ᵀ",
        "∂E/∂W12 = -ρ(s1) ρ(s2)ᵀ",
        "∂E/∂W23 = -ρ(s2) ρ(x)ᵀ",
        "-lim_{β→0} (1/β) [ρ(s0^β) ρ(s1^β)ᵀ - ρ(s0^0) ρ(s1^0)ᵀ]",
        "H[s0,s1] = ∂²E/∂s0∂s1 = -diag(ρ'(s0)) W01 diag(ρ'(s1))",
    ]:
        assert line in text, line
