"""The closed-form members of the zoo against the derivation (exact, symbolic).

quadratic: E = 1/2 sᵀ A s - sᵀ (B θ + b), C = 1/2 |y - s|^2 + |θ|^2/20, with A
symmetric positive definite: H = A, M = -Bᵀ, s^0 = A⁻¹ (B θ + b), dE/dθ = -Bᵀ s.
riccati: E = a s^2/2 - b s^3/3 - c s, C = (s - y)^2/2: ds/dt = b s^2 - a s + c,
the nudging force is -β (s - y), the fixed points are the roots of
b s^2 - a s + c, H = a - 2 b s.  The reference values are typed from these
formulas with the model's built-in numbers, not taken from the derivation.
"""

from __future__ import annotations

import sympy as sp

from symbolic import derive, load_model
from symbolic.display import render

R = sp.Rational
BETA = sp.Symbol("beta", real=True)


def exact(expr):
    return sp.simplify(sp.expand(expr))


# -- quadratic ------------------------------------------------------------------------
A = sp.Matrix([[2, R(1, 2), 0], [R(1, 2), R(3, 2), R(1, 4)], [0, R(1, 4), 1]])
B = sp.Matrix([[1, 0], [R(1, 2), 1], [0, -1]])
b = sp.Matrix([R(1, 10), R(-1, 5), R(3, 10)])
Y = sp.Matrix([R(1, 2), R(-1, 4), 1])
THETA = sp.Matrix([R(3, 10), R(-7, 10)])


def quadratic():
    m = load_model("quadratic")
    d = derive(m)
    s = sp.Matrix(m.s)
    theta = sp.Matrix(m.theta)
    return m, d, s, theta


def test_quadratic_built_in_numbers_are_the_documented_ones():
    m, _, _, _ = quadratic()
    assert sp.Matrix(m.theta_values) == THETA
    A_model = sp.Matrix(3, 3, [m.data[sp.Symbol(f"A[{i},{j}]", real=True)]
                               for i in range(3) for j in range(3)])
    assert A_model == A and A.is_symmetric()
    assert all(A[:k, :k].det() > 0 for k in (1, 2, 3))  # Sylvester: positive definite


def test_quadratic_hessian_is_A_and_mixed_hessian_is_minus_B_transpose():
    m, d, _, _ = quadratic()
    assert m.concrete(d.H) == A
    assert d.M.shape == (2, 3)
    assert m.concrete(d.M) == -B.T


def test_quadratic_fixed_point_is_A_inverse_B_theta_plus_b():
    m, d, s, theta = quadratic()
    grad = m.concrete(d.dE_ds).subs(m.theta_subs)
    (sol,) = sp.solve(list(grad), list(s), dict=True)
    fixed_point = sp.Matrix([sol[x] for x in s])
    assert fixed_point == A.inv() * (B * THETA + b)
    # and Eq 2 holds there
    assert grad.subs(sol) == sp.zeros(3, 1)


def test_quadratic_gradients():
    m, d, s, theta = quadratic()
    assert (m.concrete(d.dE_dtheta) - (-B.T * s)).expand() == sp.zeros(2, 1)
    assert (m.concrete(d.dC_ds) - (s - Y)).expand() == sp.zeros(3, 1)
    assert (m.concrete(d.dC_dtheta) - theta / 10).expand() == sp.zeros(2, 1)
    assert (m.concrete(d.field) - (-(A * s) + B * theta + b)).expand() == sp.zeros(3, 1)
    assert (m.concrete(d.extended_field - d.field) - (-BETA * (s - Y))).expand() == sp.zeros(3, 1)


def test_quadratic_display_shows_the_closed_forms():
    text = render(derive(load_model("quadratic")), "text")
    assert "H[s,s] = ∂²E/∂s² = 1/2 (A + Aᵀ)" in text  # = A, as A is symmetric
    assert "M[θ,s] X_t[s] = ∂²E/∂θ∂s · X_t[s] = -Bᵀ X_t[s]" in text
    assert "dY_t[θ]/dt = -(M(s^0) X_t)[θ] = Bᵀ X_t[s]" in text


# -- riccati ---------------------------------------------------------------------------
def riccati():
    m = load_model("riccati")
    d = derive(m)
    s = m.s[0]
    a, b_, c = m.theta
    return m, d, s, (a, b_, c)


def test_riccati_field_and_nudging_force():
    m, d, s, (a, b_, c) = riccati()
    y = sp.Symbol("y", real=True)
    assert exact(d.field[0] - (b_ * s**2 - a * s + c)) == 0
    assert exact(d.extended_field[0] - d.field[0] - (-BETA * (s - y))) == 0
    assert m.concrete(d.dC_ds)[0] == s - 1  # y = 1


def test_riccati_fixed_points_are_the_roots_of_the_quadratic():
    m, d, s, (a, b_, c) = riccati()
    a0, b0, c0 = 2, R(1, 2), R(1, 2)  # the built-in values
    assert m.theta_values == [a0, b0, c0]
    field = m.concrete(d.field[0]).subs(m.theta_subs)
    roots = set(sp.solve(field, s))
    assert roots == {2 - sp.sqrt(3), 2 + sp.sqrt(3)}
    assert roots == set(sp.solve(b0 * s**2 - a0 * s + c0, s))
    # H = a - 2 b s; positive (a minimum) only at the smaller root
    assert exact(d.H[0, 0] - (a - 2 * b_ * s)) == 0
    H0 = d.H[0, 0].subs(m.theta_subs)
    assert H0.subs(s, 2 - sp.sqrt(3)) > 0 > H0.subs(s, 2 + sp.sqrt(3))


def test_riccati_parameter_derivatives():
    m, d, s, (a, b_, c) = riccati()
    assert [exact(g) for g in d.dE_dtheta] == [s**2 / 2, -s**3 / 3, -s]
    assert [exact(g) for g in d.M] == [s, -s**2, -1]
    assert list(d.dC_dtheta) == [0, 0, 0]


def test_riccati_display_shows_the_closed_forms():
    text = render(derive(load_model("riccati")), "text")
    assert "H[s,s] = ∂²E/∂s² = a - 2 b s" in text
    assert "ds/dt = -a s + b s^2 + c" in text
