"""The Cauchy problem Eq 13-14 by the linear jet engine (no compiled program) against references
that do not come from it: the sympy-compiled field on the same controller, and an exact solution."""

import mpmath
import pytest
import sympy as sp

from verify.ode import make_system
from verify.ode.system import CauchySystem

TIMES = [mpmath.mpf(0), mpmath.mpf(1) / 3, mpmath.mpf(2), mpmath.mpf(7)]


def _compiled_cauchy(n, p):
    X = [sp.Symbol(f"X_{i}", real=True) for i in range(n)]
    Y = [sp.Symbol(f"Y_{k}", real=True) for k in range(p)]
    H = [[sp.Symbol(f"H_{i}_{j}", real=True) for j in range(n)] for i in range(n)]
    M = [[sp.Symbol(f"M_{k}_{j}", real=True) for j in range(n)] for k in range(p)]
    field = [-sp.Add(*[H[i][j] * X[j] for j in range(n)]) for i in range(n)]
    field += [-sp.Add(*[M[k][j] * X[j] for j in range(n)]) for k in range(p)]
    return make_system(field, X + Y, [h for row in H for h in row] + [m for row in M for m in row],
                       backend="mpmath")


def test_same_steps_and_states_as_the_compiled_field():
    """Same recurrences, same controller: same steps, states equal to the error estimate."""
    n, p = 3, 4
    with mpmath.workdps(40):
        H = [[mpmath.mpf(v) for v in row] for row in ([2, -1, 0], [-1, 3, "0.5"], [0, "0.5", 1])]
        M = [[mpmath.mpf(v) for v in row] for row in ([1, 0, 0], [0, 0, "-0.25"], [0, 0, 0], ["1e-3", 2, 0])]
        params = [h for row in H for h in row] + [m for row in M for m in row]
        y0 = [mpmath.mpf(1), mpmath.mpf(-2), mpmath.mpf(3) / 7, 0, 0, 5, 0]
    linear = CauchySystem(n, p).solve(y0, params, TIMES, dps=40)
    compiled = _compiled_cauchy(n, p).solve(y0, params, TIMES, dps=40)
    assert linear.steps == compiled.steps
    with mpmath.workdps(40):
        for a, b in zip(linear.states, compiled.states):
            assert max(abs(u - v) for u, v in zip(a, b)) <= linear.error_estimate + compiled.error_estimate


@pytest.mark.parametrize("dps", [30, 60])
def test_diagonal_system_against_its_exact_solution(dps):
    """H = diag(a), M = [[m_1, m_2]]: X_t = e^{-a t} X_0, Y_t = Y_0 + sum m_i (e^{-a_i t} - 1)/a_i X_0i."""
    with mpmath.workdps(dps + 10):
        a = [mpmath.mpf(1) / 10, mpmath.mpf(3)]
        m = [mpmath.mpf(2), mpmath.mpf(-1) / 3]
        X0, Y0 = [mpmath.mpf(1), mpmath.mpf(-1) / 7], [mpmath.mpf(5) / 11]
        params = [a[0], 0, 0, a[1]] + m
    traj = CauchySystem(2, 1).solve(X0 + Y0, params, TIMES, dps=dps)
    with mpmath.workdps(dps + 10):
        for t, state in zip(TIMES, traj.states):
            X = [mpmath.exp(-ai * t) * x for ai, x in zip(a, X0)]
            Y = Y0[0] + mpmath.fsum(mi * (mpmath.exp(-ai * t) - 1) / ai * x for mi, ai, x in zip(m, a, X0))
            err = max(abs(u - v) for u, v in zip(state, X + [Y]))
            assert err <= traj.error_estimate
            assert err < mpmath.mpf(10) ** (3 - dps)


def test_wrong_sign_is_rejected():
    """The false variant: integrating +H X (the wrong sign of Eq 13) is far from the exact solution."""
    with mpmath.workdps(40):
        traj = CauchySystem(1, 0).solve([mpmath.mpf(1)], [mpmath.mpf(-1)], [mpmath.mpf(1)], dps=30)
        assert abs(traj.states[0][0] - mpmath.exp(-1)) > 1
