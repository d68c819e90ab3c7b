"""The RBP closed form (Eq 13-14 solved) by one symmetric eigen-decomposition against the Van Loan exponential.

:func:`verify.routes.rbp.closed_form` decomposes a symmetric H once, H = Q diag(lambda) Q^T, and
forms X_t = Q diag(e^(-lambda t)) Q^T X_0, Y_t = Y_0 - M Q diag(-expm1(-lambda t)/lambda) Q^T X_0.
:func:`verify.routes.rbp.van_loan` is independent code (one mpmath.expm of the augmented matrix
[[-H t, X_0 t], [0, 0]] per time). They must agree to working precision, relative to
max(|X_0|, |X_t|) for X and to max(|Y_0|, |Y_t - Y_0|) for Y, on the built-ins, on the edge models
(H tiny, a fold, a local maximum, a saddle, stiff spectra), on a clustered spectrum and on an exactly
singular H; a closed form with e^(+lambda t) must not.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import mpmath
import pytest

from symbolic import flint_linalg
from symbolic.compile import compile_model
from symbolic.load import load_model
from symbolic.spec import load_model_text
from symbolic.zoo import BUILTINS
from verify.fixed_point import free_fixed_point
from verify.precision import Precision
from verify.routes import rbp

from . import test_edge_regressions as edges

PRECISION = Precision(40)
TIMES = ["0", "1e-30", "1/1000", "1/2", "2", "10", "50"]
SLACK = 10 ** 4          # ulps of the working precision: n-term sums in both paths, expm's squarings


def _at_fixed_point(model):
    compiled = compile_model(model)
    theta = compiled.theta_values(PRECISION.work)
    s0 = free_fixed_point(compiled, theta, precision=PRECISION).s
    return rbp.cauchy_data(compiled, s0, theta)


def _errors(data, times, got, ref):
    """Largest error of X and of Y over ``times``, each relative to its scale (module docstring)."""
    (Xg, Yg), (Xr, Yr) = got, ref
    x0 = max((abs(x) for x in data.X0), default=0)
    y0 = max((abs(y) for y in data.Y0), default=0)
    ex = ey = mpmath.mpf(0)
    for k in range(len(times)):
        sx = max([x0] + [abs(x) for x in Xr[k]]) or 1
        sy = max([y0] + [abs(y - b) for y, b in zip(Yr[k], data.Y0)]) or 1
        ex = max([ex] + [abs(a - b) / sx for a, b in zip(Xg[k], Xr[k])])
        ey = max([ey] + [abs(a - b) / sy for a, b in zip(Yg[k], Yr[k])])
    return ex, ey


def _van_loan(data, times):
    """The reference: Van Loan's exponential with 20 more digits (the same H, M, X_0, Y_0). At working
    precision it loses digits of Y_t - Y_0 when t is tiny: at t = 1e-30 on dense-associative-memory
    ~18 of them (measured against itself at 90 digits), while the eigen-decomposition keeps them."""
    with PRECISION.raised(20).context():
        X, Y = rbp.van_loan(data, times)
    return [[+x for x in v] for v in X], [[+y for y in v] for v in Y]


def _assert_agree(data, times=TIMES):
    assert rbp.spectrum(data) is not None, "a Hessian must take the eigen-decomposition path"
    ex, ey = _errors(data, times, rbp.closed_form(data, times), _van_loan(data, times))
    bound = SLACK * PRECISION.eps
    assert ex <= bound and ey <= bound, f"X {mpmath.nstr(ex, 3)}, Y {mpmath.nstr(ey, 3)} > {mpmath.nstr(bound, 3)}"


def _assert_plus_exponent_rejected(data, times=TIMES):
    """The false variant e^(+lambda t) (the closed form of -H) misses the Van Loan e^(-Ht) by more than
    10^3 times a check's tolerance 10^(3 - dps) (H = 1e-20 at t = 50: by 1e-18)."""
    wrong = rbp.closed_form(dataclasses.replace(data, H=-data.H), times)
    ex, ey = _errors(data, times, wrong, _van_loan(data, times))
    assert max(ex, ey) > 1000 * PRECISION.rounding(), (ex, ey)


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtins_agree_with_van_loan(name):
    with PRECISION.context():
        data = _at_fixed_point(load_model(name))
        _assert_agree(data)
        _assert_plus_exponent_rejected(data)


EDGE_MODELS = {"H=1e-20": edges.TINY_CURVATURE, "fold-1e-40": edges.FOLD, "small-field": edges.SMALL_FIELD,
               "stiff-double-well": edges.STIFF_DOUBLE_WELL, "stiff-convex": edges.STIFF_CONVEX,
               "local-maximum": edges.LOCAL_MAXIMUM, "saddle": edges.SADDLE_2}


@pytest.mark.parametrize("name", sorted(EDGE_MODELS))
def test_edge_models_agree_with_van_loan(name):
    with PRECISION.context():
        data = _at_fixed_point(load_model_text(EDGE_MODELS[name], f"<{name}>"))
        _assert_agree(data)
        _assert_plus_exponent_rejected(data)


def _orthogonal(n, seed):
    """A product of two exact Householder reflections (rational entries), rounded once."""
    import random

    rng = random.Random(seed)
    Q = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    for _ in range(2):
        v = [Fraction(rng.randint(-9, 9)) for _ in range(n)]
        v[0] += 10
        vv = sum(x * x for x in v)
        P = [[Fraction(int(i == j)) - 2 * v[i] * v[j] / vv for j in range(n)] for i in range(n)]
        Q = [[sum(Q[i][k] * P[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    return Q


def _symmetric(eigenvalues, seed=0):
    """Q diag(eigenvalues) Q^T with Q exactly orthogonal (rationals), entries rounded once: exactly symmetric."""
    n = len(eigenvalues)
    Q = _orthogonal(n, seed)
    lam = [Fraction(x) for x in eigenvalues]
    H = mpmath.matrix(n, n)
    for i in range(n):
        for j in range(i + 1):
            e = sum(Q[i][k] * lam[k] * Q[j][k] for k in range(n))
            H[i, j] = H[j, i] = mpmath.mpf(e.numerator) / e.denominator
    return H


def _data(H, p=3):
    n = H.rows
    M = mpmath.matrix([[mpmath.mpf(1 + i - 2 * j) / (3 + i + j) for j in range(n)] for i in range(p)])
    X0 = [mpmath.mpf(2 * i - 3) / 7 for i in range(n)]
    Y0 = [mpmath.mpf(k + 1) / 5 for k in range(p)]
    return rbp.CauchyData(H, M, X0, Y0)


SPECTRA = {
    # near-degenerate: eigenvectors of the cluster are ill-conditioned, f(H) is not
    "clustered": ["1", "1 + 1e-30", "1 + 2e-30", "1 + 1e-12", "5", "1e-3"],
    "stiff 1e-2..1e2": ["1e-2", "1e-1", "1", "1e1", "1e2"],
    "saddle": ["-2", "-1e-8", "3", "7"],
    "exactly singular": ["0", "0", "1", "4"],      # rank 2 with exact rational entries
}


@pytest.mark.parametrize("name", sorted(SPECTRA))
def test_constructed_spectra_agree_with_van_loan(name):
    with PRECISION.context():
        data = _data(_symmetric([Fraction(sum(Fraction(x) for x in e.split(" + "))) for e in SPECTRA[name]]))
        _assert_agree(data)
        _assert_plus_exponent_rejected(data)


def test_an_exact_zero_eigenvalue_gives_t_phi1_equal_t():
    """H = diag(0, 2, -3): eigsy returns lambda = 0 exactly; there t phi_1 = t (Y_t = Y_0 - M t X_0 on that axis)."""
    with PRECISION.context():
        H = mpmath.diag([0, 2, -3])
        data = rbp.CauchyData(H, mpmath.matrix([[1, 0, 0]]), [mpmath.mpf(3), mpmath.mpf(1), mpmath.mpf(1)],
                              [mpmath.mpf(1)])
        assert 0 in list(rbp.spectrum(data)[0])
        X, Y = rbp.closed_form(data, [5])
        assert X[0] == [3, mpmath.exp(-10), mpmath.exp(15)] and Y[0] == [1 - 15]
        _assert_agree(data)


def test_a_complex_symmetric_H_takes_the_van_loan_path():
    """H = [[2, i], [i, 3]] (E outside its real domain) is symmetric but not real: eigsy cannot take it
    (it raised AttributeError); the closed form goes by Van Loan and agrees with the raised-precision one."""
    with PRECISION.context():
        H = mpmath.matrix([[2, 1j], [1j, 3]])
        data = rbp.CauchyData(H, mpmath.matrix([[1, 2]]), [mpmath.mpf(1), mpmath.mpf(-1)], [mpmath.mpf(1)])
        assert rbp.spectrum(data) is None
        times = [mpmath.mpf("0.5"), mpmath.mpf(2)]
        ex, ey = _errors(data, times, rbp.closed_form(data, times), _van_loan(data, times))
        assert ex <= SLACK * PRECISION.eps and ey <= SLACK * PRECISION.eps


def test_time_zero_returns_the_initial_values_without_work(monkeypatch):
    with PRECISION.context():
        data = _data(_symmetric(["1", "2", "3"]))
        rbp.spectrum(data)
        monkeypatch.setattr(mpmath, "exp", lambda *a: pytest.fail("exp called at t = 0"))
        X, Y = rbp.closed_form(data, [0])
        assert X == [data.X0] and Y == [data.Y0]


def test_one_decomposition_per_H_and_precision(monkeypatch):
    calls = []
    eigsy = flint_linalg.eigsy
    monkeypatch.setattr(flint_linalg, "eigsy", lambda A, **kw: calls.append(kw) or eigsy(A, **kw))
    with PRECISION.context():
        data = _data(_symmetric(["1", "2", "3"]))
        rbp.closed_form(data, ["1", "2"])
        rbp.closed_form(data, ["2", "4"])                                   # the times doubled
        rbp.closed_form(dataclasses.replace(data, M=-data.M), ["1"])        # a variant with another M
        assert min(rbp._eigenvalues(data)) > 0                              # by_ode's lambda_min
        assert len(calls) == 1
        rbp.closed_form(dataclasses.replace(data, H=2 * data.H), ["1"])     # a variant with another H
        assert len(calls) == 2
    with PRECISION.raised(10).context():                                    # more digits: decomposed again
        rbp.closed_form(data, ["1"])
        assert len(calls) == 3


def test_a_non_symmetric_matrix_takes_the_van_loan_path():
    with PRECISION.context():
        H = mpmath.matrix([[2, 1], [0, 3]])
        data = rbp.CauchyData(H, mpmath.matrix([[1, 1]]), [mpmath.mpf(1), mpmath.mpf(2)], [mpmath.mpf(0)])
        assert rbp.spectrum(data) is None
        X, _ = rbp.closed_form(data, [1])
        ref = mpmath.expm(-H) * mpmath.matrix(data.X0)
        assert max(abs(a - b) for a, b in zip(X[0], ref)) <= SLACK * PRECISION.eps * 2


def _assert_limit_agrees(data):
    """Eq 10's Y_inf = Y_0 - M H^-1 X_0 from the decomposition against mpmath.lu_solve with 20 more
    digits, relative to |Y_inf| and within cond(H) ulps (both are backward stable)."""
    _, Y = rbp.limit(data)
    with PRECISION.raised(20).context():
        W = mpmath.lu_solve(data.H, mpmath.matrix(data.X0))
        ref = [y - sum(data.M[k, j] * W[j] for j in range(data.H.rows)) for k, y in enumerate(data.Y0)]
        lam = rbp.spectrum(data)[0]
        cond = max(abs(x) for x in lam) / min(abs(x) for x in lam)
    scale = max(abs(y) for y in ref)
    assert max(abs(a - b) for a, b in zip(Y, ref)) <= SLACK * PRECISION.eps * cond * scale


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtins_eq10_limit_agrees_with_lu_solve(name):
    with PRECISION.context():
        _assert_limit_agrees(_at_fixed_point(load_model(name)))


@pytest.mark.parametrize("name", ["clustered", "stiff 1e-2..1e2"])
def test_constructed_eq10_limit_agrees_with_lu_solve(name):
    with PRECISION.context():
        _assert_limit_agrees(_data(_symmetric([Fraction(sum(Fraction(x) for x in e.split(" + ")))
                                               for e in SPECTRA[name]])))
