"""Each route against closed forms that do not come from the code under test.

quadratic: E = 1/2 s^T A s - s^T (B theta + b), C = 1/2 |y - s|^2 + theta^T theta / 20. The free
flow is affine, S(s, t) = s* + e^{-At}(s - s*) with s* = A^-1 (B theta + b), so
    dL/ds(s*, t)     = e^{-At} (s* - y)
    dL/dtheta(s*, t) = B^T A^-1 (I - e^{-At}) (s* - y) + theta / 10
    dJ/dtheta        = B^T A^-1 (s* - y) + theta / 10.
riccati: the nudged flow ds/dt = b s^2 - (a + beta) s + c + beta y is a Riccati equation with
the closed form below; X~ = -d/dbeta (dS^beta/dt) at beta = 0 is taken from it by mpmath.diff.
"""

import mpmath
import pytest
import sympy as sp

from symbolic.load import load_model
from verify.evidence import gather
from verify.precision import Precision

TIMES = [mpmath.mpf(0), mpmath.mpf(1) / 2, mpmath.mpf(2)]


def _gather(name, method="complex-step", dps=30):
    model = load_model(name)
    with mpmath.workdps(dps + 10):
        ev = gather(model, precision=Precision(dps), times=[mpmath.mpf(t) for t in TIMES], beta_method=method,
                    backend="mpmath", seed=0, max_directions=64, progress=lambda *a, **k: None)
    return model, ev


def _quadratic_reference(model):
    A = mpmath.matrix([[model.data[sp.Symbol(f"A[{i},{j}]", real=True)] for j in range(3)] for i in range(3)])
    B = mpmath.matrix([[model.data[sp.Symbol(f"B[{i},{j}]", real=True)] for j in range(2)] for i in range(3)])
    b = mpmath.matrix([model.data[sp.Symbol(f"b[{i}]", real=True)] for i in range(3)])
    y = mpmath.matrix([model.data[sp.Symbol(f"y[{i}]", real=True)] for i in range(3)])
    theta = mpmath.matrix([mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in model.theta_values])
    s_star = mpmath.lu_solve(A, B * theta + b)
    X, Y = [], []
    for t in TIMES:
        E = mpmath.expm(-A * t)
        X.append(list(E * (s_star - y)))
        Y.append(list(B.T * mpmath.lu_solve(A, (mpmath.eye(3) - E) * (s_star - y)) + theta / 10))
    dJ = list(B.T * mpmath.lu_solve(A, s_star - y) + theta / 10)
    return list(s_star), X, Y, dJ


def _close(a, b, digits):
    scale = max(max(abs(x) for x in a), max(abs(x) for x in b), mpmath.mpf(1) / 10**6)
    err = max(abs(x - z) for x, z in zip(a, b))
    assert err <= scale * mpmath.mpf(10) ** -digits, f"error {mpmath.nstr(err, 3)} > 1e-{digits} x {mpmath.nstr(scale, 3)}"


@pytest.mark.parametrize("method", ["complex-step", "symmetric"])
def test_quadratic_routes_equal_closed_forms(method):
    model, ev = _gather("quadratic", method)
    with mpmath.workdps(40):
        s_star, X, Y, dJ = _quadratic_reference(model)
        _close(ev.fixed_point.s, s_star, 35)
        for k in range(len(TIMES)):
            _close(ev.X[k], X[k], 35)                 # RBP closed form
            _close(ev.direct.X.values[k], X[k], 32)   # direct route
            _close(ev.direct.Y.values[k], Y[k], 32)
            _close(ev.X_tilde[k], X[k], 32)           # EP route
            _close(ev.Y_tilde[k], Y[k], 32)
        _close(ev.dJ, dJ, 35)                         # J route
        _close(ev.ep_gradient, dJ, 32)                # EP fixed points, Eq 20


def _riccati_flow(a, b, c, y, beta, s_init, t):
    """Closed form of ds/dt = b s^2 - (a + beta) s + (c + beta y) from s_init (two real equilibria)."""
    A, C = a + beta, c + beta * y
    disc = mpmath.sqrt(A * A - 4 * b * C)
    r1, r2 = (A - disc) / (2 * b), (A + disc) / (2 * b)   # r1 stable, r2 unstable
    # s(t) = r1 + (r1 - r2) K e^{-disc t} / (1 - K e^{-disc t}), K = (s_init - r1)/(s_init - r2)
    K = (s_init - r1) / (s_init - r2)
    e = K * mpmath.exp(-disc * t)
    return r1 + (r1 - r2) * e / (1 - e)


def test_riccati_ep_route_equals_closed_form():
    model, ev = _gather("riccati", "richardson")
    a, b, c = [mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in model.theta_values]
    y = mpmath.mpf(1)
    with mpmath.workdps(60):
        s0 = (a - mpmath.sqrt(a * a - 4 * b * c)) / (2 * b)
        _close(ev.fixed_point.s, [s0], 38)

        def dSdt(beta, t):
            return mpmath.diff(lambda u: _riccati_flow(a, b, c, y, beta, s0, u), t)

        for k, t in enumerate(TIMES):
            if t == 0:
                continue
            X_ref = -mpmath.diff(lambda beta: dSdt(beta, t), 0)
            _close(ev.X_tilde[k], [X_ref], 28)
            _close(ev.direct.X.values[k], [X_ref], 28)   # Corollary 4 against the closed form


def test_riccati_nudged_flow_integration_matches_closed_form():
    model = load_model("riccati")
    from symbolic.compile import compile_model
    from verify.flows import Flows

    compiled = compile_model(model)
    flows = Flows(compiled, "mpmath")
    a, b, c = [mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in model.theta_values]
    with mpmath.workdps(40):
        beta, s_init = mpmath.mpf(3) / 10, mpmath.mpf(0)
        traj = flows.solve_nudged([s_init], [a, b, c], beta, TIMES, dps=40)
        for t, D in zip(TIMES, traj.states):
            ref = _riccati_flow(a, b, c, mpmath.mpf(1), beta, s_init, t)
            assert abs(D[0] - ref) <= mpmath.mpf(10) ** -36
