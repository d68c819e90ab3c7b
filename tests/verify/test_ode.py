"""The Taylor integrator (verify.ode) against closed forms, across backends, on the paper's field.

Reference values come from closed-form solutions evaluated at dps + 20 (or
from ``mpmath.expm``), never from the integrator under test.  Errors are
measured relative to the size of each part (real, imaginary) of the exact
solution, which is how the step control is defined.
"""

from __future__ import annotations

import gmpy2
import mpmath
import pytest
import sympy as sp

from verify.ode import IntegrationError, Trajectory, available_backends, make_system

R = sp.Rational
y, a, b, c = sp.symbols("y a b c")
TIMES = [0, R(1, 2), 1, 3, 10]
DPS = [30, 50]


def mpq(r) -> mpmath.mpf:
    r = sp.Rational(r)
    return mpmath.mpf(int(r.p)) / int(r.q)


def mpval(x):
    if isinstance(x, sp.Basic):
        return mpq(x)
    return mpmath.mpmathify(x)


# -- closed-form triplets (field, parameters, exact solution) ---------------------------------

def riccati_exact(y0, p, t):
    """y' = b y^2 - a y + c = b (y - r1)(y - r2): u = (y - r1)/(y - r2) = u0 exp(b (r1 - r2) t)."""
    A, B, C = p
    disc = mpmath.sqrt(A * A - 4 * B * C)
    r1, r2 = (A - disc) / (2 * B), (A + disc) / (2 * B)
    u = (y0 - r1) / (y0 - r2) * mpmath.exp(B * (r1 - r2) * t)
    return (r1 - r2 * u) / (1 - u)


SCALAR_PROBLEMS = {
    # name: (field, params, param values, exact(y0, params, t), initial values)
    "riccati": ([b * y**2 - a * y + c], [a, b, c], [R(7, 3), 1, R(2, 3)], riccati_exact,
                [R(1, 2), "0.5+0.1j"]),
    "cubic": ([-a * y**3], [a], [R(3, 7)],
              lambda y0, p, t: y0 / mpmath.sqrt(1 + 2 * p[0] * y0**2 * t), [R(6, 5), "1.1+0.3j"]),
    "exp": ([-sp.exp(y)], [], [], lambda y0, p, t: -mpmath.log(mpmath.exp(-y0) + t),
            [R(1, 3), "0.2-0.1j"]),
    "sin": ([-sp.sin(y)], [], [],
            lambda y0, p, t: 2 * mpmath.atan(mpmath.tan(y0 / 2) * mpmath.exp(-t)),
            [R(9, 10), "0.9+0.2j"]),
    "sinh": ([-sp.sinh(y)], [], [],
             lambda y0, p, t: 2 * mpmath.atanh(mpmath.tanh(y0 / 2) * mpmath.exp(-t)),
             [R(3, 2), "1.5-0.4j"]),
    "tanh": ([-a * sp.tanh(y)], [a], [R(1, 2)],
             lambda y0, p, t: mpmath.asinh(mpmath.sinh(y0) * mpmath.exp(-p[0] * t)),
             [R(7, 5), "1.4+0.1j"]),
    "sqrt": ([-sp.sqrt(y)], [], [], lambda y0, p, t: (mpmath.sqrt(y0) - t / 2) ** 2,
             [36, "36+1j"]),
    "pow-param": ([-y ** a], [a], [R(5, 2)],
                  lambda y0, p, t: (y0 ** (1 - p[0]) + (p[0] - 1) * t) ** (1 / (1 - p[0])),
                  [R(4, 3), "1.3+0.2j"]),
    "pow": ([-y ** R(3, 2)], [], [], lambda y0, p, t: (1 / mpmath.sqrt(y0) + t / 2) ** -2,
            [R(4, 3), "1.5+0.2j"]),
    "log": ([-y * sp.log(y)], [], [],
            lambda y0, p, t: mpmath.exp(mpmath.log(y0) * mpmath.exp(-t)), [R(5, 2), "2+0.5j"]),
    "sigmoid-elementary": ([-1 / (1 + sp.exp(-y))], [], [],
                           lambda y0, p, t: -mpmath.log(mpmath.lambertw(
                               mpmath.exp(t - (y0 - mpmath.exp(-y0))))), [R(1, 2), "0.5+0.1j"]),
}


def rel_errors(got, exact):
    """max |got - exact| / max |exact|, separately for real and imaginary parts."""
    out = []
    for part in (mpmath.re, mpmath.im):
        num = max(abs(part(g) - part(e)) for g, e in zip(got, exact))
        den = max(abs(part(e)) for e in exact)
        out.append(num / den if den else num)
    return out


def abs_errors(got, exact):
    """max |got - exact|, separately for real and imaginary parts."""
    return [max(abs(part(g) - part(e)) for g, e in zip(got, exact))
            for part in (mpmath.re, mpmath.im)]


@pytest.fixture(autouse=True)
def _restore_precision():
    dps = mpmath.mp.dps
    gprec = gmpy2.get_context().precision
    yield
    assert mpmath.mp.dps == dps, "a solve left the global mpmath precision changed"
    assert gmpy2.get_context().precision == gprec, "a solve left the gmpy2 precision changed"
    mpmath.mp.dps = dps


BACKENDS = ["mpmath"] + (["heyoka"] if "heyoka" in available_backends() else [])
_systems: dict = {}


def system(name, backend):
    key = (name, backend)
    if key not in _systems:
        field, params = SCALAR_PROBLEMS[name][:2]
        _systems[key] = make_system(field, [y], params, backend=backend)
    return _systems[key]


def check_against_exact(traj: Trajectory, y0, exact_fn, pvals, dps):
    with mpmath.workdps(dps + 20):
        y0m = mpval(y0)
        pm = [mpval(v) for v in pvals]
        worst_rel = [mpmath.mpf(0), mpmath.mpf(0)]
        worst_abs = [mpmath.mpf(0), mpmath.mpf(0)]
        for t, state in zip(traj.times, traj.states):
            ex = [exact_fn(y0m, pm, t)]
            for i, (r, e) in enumerate(zip(rel_errors(state, ex), abs_errors(state, ex))):
                worst_rel[i] = max(worst_rel[i], r)
                worst_abs[i] = max(worst_abs[i], e)
    return worst_rel, worst_abs


@pytest.mark.parametrize("dps", DPS)
@pytest.mark.parametrize("name", sorted(SCALAR_PROBLEMS))
def test_scalar_closed_forms(name, dps):
    """Every problem, every initial value: digits >= dps - 3, honest and sharp error estimate."""
    _, _, pvals, exact_fn, inits = SCALAR_PROBLEMS[name]
    sysm = system(name, "mpmath")
    for y0 in inits:
        y0v = mpmath.mpmathify(y0) if isinstance(y0, str) else y0
        traj = sysm.solve([y0v], pvals, TIMES, dps=dps)
        assert traj.backend == "mpmath" and traj.order >= dps
        rel, err = check_against_exact(traj, y0v, exact_fn, pvals, dps)
        bound = mpmath.mpf(10) ** (3 - dps)
        assert rel[0] <= bound, f"{name} y0={y0} dps={dps}: real rel error {rel[0]} > {bound}"
        assert rel[1] <= bound, f"{name} y0={y0} dps={dps}: imag rel error {rel[1]} > {bound}"
        assert traj.error_estimate_real >= err[0], (
            f"{name} y0={y0}: estimate {traj.error_estimate_real} < observed {err[0]}")
        assert traj.error_estimate_imag >= err[1], (
            f"{name} y0={y0}: imag estimate {traj.error_estimate_imag} < observed {err[1]}")
        assert traj.error_estimate >= max(err)
        if err[0] > 0:
            assert traj.error_estimate_real <= 1e6 * err[0], (
                f"{name}: estimate {traj.error_estimate_real} absurdly above observed {err[0]}")


def test_linear_system_expm():
    """y' = -A y with A symmetric positive definite (rational entries): expm(-A t) y0."""
    n = 3
    ys = sp.symbols("y0:3")
    A = sp.Matrix(n, n, sp.symbols("A0:9"))
    Avals = [R(2), R(1, 3), R(-1, 5), R(1, 3), R(3, 2), R(1, 7), R(-1, 5), R(1, 7), R(1)]
    field = list(-A * sp.Matrix(ys))
    sysm = make_system(field, ys, list(A), backend="mpmath")
    y0 = [R(1), R(-2, 3), mpmath.mpc(R(1, 2).__float__(), 0.25)]
    for dps in DPS:
        traj = sysm.solve(y0, Avals, TIMES, dps=dps)
        with mpmath.workdps(dps + 20):
            Am = mpmath.matrix([[mpq(Avals[3 * i + j]) for j in range(3)] for i in range(3)])
            y0m = mpmath.matrix([mpval(v) for v in y0])
            worst = [0, 0]
            for t, state in zip(traj.times, traj.states):
                ex = list(mpmath.expm(-Am * t) * y0m)
                rel = rel_errors(state, ex)
                worst = [max(worst[0], rel[0]), max(worst[1], rel[1])]
                errs = abs_errors(state, ex)
                assert traj.error_estimate_real >= errs[0]
                assert traj.error_estimate_imag >= errs[1]
        assert max(worst) <= mpmath.mpf(10) ** (3 - dps), (dps, worst)


@pytest.mark.parametrize("dps", DPS)
def test_displacement_scale(dps):
    """Solutions of size 1e-30 (complex step) and 1e-20 (displacement from 0) keep dps digits."""
    sysm = system("riccati", "mpmath")
    pvals = [R(7, 3), 1, R(2, 3)]
    with mpmath.workdps(dps + 20):
        # the stable root r1 = 1/3 plus an imaginary perturbation of 1e-30
        y0 = mpmath.mpf(1) / 3 + mpmath.mpc(0, 1) * mpmath.mpf(10) ** -30
    traj = sysm.solve([y0], pvals, TIMES, dps=dps)
    rel, err = check_against_exact(traj, y0, riccati_exact, pvals, dps)
    assert rel[1] <= mpmath.mpf(10) ** (3 - dps), f"imaginary part rel error {rel[1]}"
    assert traj.error_estimate_imag >= err[1]
    assert traj.error_estimate_imag < 1e-55, "the imaginary part is controlled on its own scale"

    # A displacement D = y - r1 that starts at 0 with a tiny drive: D' = b D (D + r1 - r2) + eps
    D, eps = sp.symbols("D eps")
    field = [D * (D - R(5, 3)) + eps]
    dsys = make_system(field, [D], [eps], backend="mpmath")
    e = R(1, 10**20)
    traj = dsys.solve([0], [e], TIMES, dps=dps)
    with mpmath.workdps(dps + 20):
        # D' = D^2 - (5/3) D + e: Riccati with a = 5/3, b = 1, c = e, from 0
        for t, state in zip(traj.times, traj.states):
            ex = riccati_exact(mpmath.mpf(0), [mpq(R(5, 3)), mpmath.mpf(1), mpq(e)], t)
            if t:
                assert abs(state[0] - ex) <= abs(ex) * mpmath.mpf(10) ** (3 - dps), (t, state, ex)
                assert traj.error_estimate >= abs(state[0] - ex)
    assert traj.error_estimate < 1e-40


def test_parameters_complex_step():
    """Complex parameter (complex-step derivative of y(t) in c): Im y / h = dy/dc."""
    sysm = system("riccati", "mpmath")
    h = mpmath.mpf(10) ** -30
    dps = 40
    with mpmath.workdps(dps + 20):
        cc = mpq(R(2, 3)) + mpmath.mpc(0, 1) * h
    traj = sysm.solve([R(1, 2)], [R(7, 3), 1, cc], [1, 2], dps=dps)
    with mpmath.workdps(dps + 20):
        for t, state in zip(traj.times, traj.states):
            dydc = mpmath.diff(lambda cv: riccati_exact(mpmath.mpf(1) / 2,
                                                        [mpq(R(7, 3)), 1, cv], t), mpq(R(2, 3)))
            got = mpmath.im(state[0]) / h
            assert abs(got - dydc) <= abs(dydc) * mpmath.mpf(10) ** (4 - dps), (t, got, dydc)


def test_frozen_steps():
    """steps=traj.step_sequence re-runs with identical steps (and identical results)."""
    sysm = system("cubic", "mpmath")
    t1 = sysm.solve([R(6, 5)], [R(3, 7)], [1, 2], dps=30)
    t2 = sysm.solve([R(6, 5)], [R(3, 7)], [1, 2], dps=30, steps=t1.step_sequence)
    assert t2.states == t1.states and t2.step_sequence == t1.step_sequence
    # a perturbed start takes exactly the given steps
    t3 = sysm.solve([R(6, 5) + R(1, 10**9)], [R(3, 7)], [1, 2], dps=30, steps=t1.step_sequence)
    assert t3.step_sequence == t1.step_sequence and t3.steps == t1.steps
    with pytest.raises(ValueError, match="steps"):
        sysm.solve([R(6, 5)], [R(3, 7)], [1, 20], dps=30, steps=t1.step_sequence)


@pytest.mark.parametrize("backend", BACKENDS)
def test_blow_up_raises_integration_error(backend):
    """y' = y^2 from 1 blows up at t = 1: a clean IntegrationError with the numbers."""
    sysm = make_system([y**2], [y], [], backend=backend)
    with pytest.raises(IntegrationError, match=r"step size underflow at t=0\.99"):
        sysm.solve([1], [], [0.5, 2], dps=30)
    # division by zero at the initial state
    zsys = make_system([1 / y], [y], [], backend=backend)
    with pytest.raises(IntegrationError, match="non-finite"):
        zsys.solve([0], [], [1], dps=30)


@pytest.mark.parametrize("backend", BACKENDS)
def test_structural_cases(backend):
    """Field components that are a bare variable, a constant, or use integer powers < 0."""
    u, v = sp.symbols("u v")
    # harmonic oscillator: u' = v, v' = -w^2 u (outputs that are a variable / a linear node)
    w = sp.Symbol("w")
    osc = make_system([v, -w**2 * u], [u, v], [w], backend=backend)
    traj = osc.solve([1, 0], [R(3, 2)], [1, 4], dps=40)
    with mpmath.workdps(60):
        for t, (uu, vv) in zip(traj.times, traj.states):
            assert abs(uu - mpmath.cos(1.5 * t)) < mpmath.mpf(10) ** -38
            assert abs(vv + 1.5 * mpmath.sin(1.5 * t)) < mpmath.mpf(10) ** -38
    # constant field: the series terminates, one step covers everything
    const = make_system([a], [y], [a], backend=backend)
    traj = const.solve([R(1, 3)], [R(2, 7)], [1, 10], dps=30)
    assert traj.steps == 1
    with mpmath.workdps(50):
        assert abs(traj.states[1][0] - (mpq(R(1, 3)) + 10 * mpq(R(2, 7)))) < 1e-29
    # y' = y^-2: y^3 = y0^3 + 3t
    inv = make_system([y**-2], [y], [], backend=backend)
    traj = inv.solve([R(1, 2)], [], [1, 3], dps=30)
    with mpmath.workdps(50):
        for t, (yy,) in zip(traj.times, traj.states):
            ex = mpmath.cbrt(mpmath.mpf(1) / 8 + 3 * t)
            assert abs(yy - ex) < ex * mpmath.mpf(10) ** -28


def test_bad_arguments():
    sysm = system("cubic", "mpmath")
    with pytest.raises(ValueError, match="increasing"):
        sysm.solve([1], [1], [2, 1])
    with pytest.raises(ValueError, match="y0"):
        sysm.solve([1, 2], [1], [1])
    with pytest.raises(ValueError, match="params"):
        sysm.solve([1], [], [1])
    with pytest.raises(ValueError, match="backend"):
        make_system([y], [y], [], backend="scipy")


def test_times_at_zero_and_dense_output():
    """t = 0 returns y0 exactly; dense output inside one step matches separate solves."""
    sysm = system("tanh", "mpmath")
    traj = sysm.solve([R(7, 5)], [R(1, 2)], [0, 0, R(1, 10), R(2, 10), 5], dps=30)
    with mpmath.workdps(30):
        assert traj.states[0][0] == mpq(R(7, 5)) and traj.states[1][0] == mpq(R(7, 5))
    assert traj.steps < 10, "steps are not shortened to land on requested times"
    alone = sysm.solve([R(7, 5)], [R(1, 2)], [R(2, 10)], dps=30)
    with mpmath.workdps(30):
        assert abs(alone.states[0][0] - traj.states[3][0]) < mpmath.mpf(10) ** -29


# -- the paper's example and the heyoka backend -------------------------------------------------

@pytest.fixture(scope="module")
def hopfield():
    from symbolic import BETA, derive, load_model
    from symbolic.functions import to_elementary

    m = load_model("paper-hopfield")
    d = derive(m)
    field = [to_elementary(m.concrete(e)) for e in d.extended_field]
    return m, field, m.theta + [BETA]


def test_paper_hopfield_field(hopfield):
    """Free flow of the paper's network at dps 30 against a dps 50 run and mpmath.odefun."""
    m, field, params = hopfield
    sysm = make_system(field, m.s, params, backend="mpmath")
    vals = m.theta_values + [0]
    traj = sysm.solve([0] * m.n, vals, [0, 1, 5], dps=30)
    ref = sysm.solve([0] * m.n, vals, [0, 1, 5], dps=50)
    with mpmath.workdps(50):
        for s30, s50 in zip(traj.states, ref.states):
            assert max(abs(x - z) for x, z in zip(s30, s50)) <= traj.error_estimate
            assert max(abs(x - z) for x, z in zip(s30, s50)) < 1e-28
    # an independent integrator on the sympy field itself (lambdify), at 15 digits
    f = sp.lambdify(m.s, [fi.subs(dict(zip(params, vals))) for fi in field], modules="mpmath")
    with mpmath.workdps(15):
        sol = mpmath.odefun(lambda t, s: f(*s), 0, [mpmath.mpf(0)] * m.n)
        y1 = sol(1)
        assert max(abs(u - v) for u, v in zip(y1, traj.states[1])) < 1e-12
    # the nudged flow (beta > 0) moves the output units towards the target
    nudged = sysm.solve([0] * m.n, m.theta_values + [R(1, 2)], [5], dps=30)
    assert nudged.states[0] != traj.states[-1]


@pytest.mark.parametrize("dps", DPS)
def test_backends_agree(hopfield, dps):
    """heyoka and mpmath give the same digits on the paper's field, real and complex-step."""
    pytest.importorskip("heyoka")
    m, field, params = hopfield
    vals = m.theta_values + [R(1, 10**12)]
    runs = {}
    for backend in ("mpmath", "heyoka"):
        sysm = _systems.setdefault(("hopfield", backend),
                                   make_system(field, m.s, params, backend=backend))
        real = sysm.solve([0] * m.n, vals, [0, 1, 5], dps=dps)
        with mpmath.workdps(dps + 10):
            y0c = [mpmath.mpc(0, 1) * mpmath.mpf(10) ** -30 if i == 2 else 0 for i in range(m.n)]
        cplx = sysm.solve(y0c, vals, [1, 5], dps=dps)
        assert real.backend == backend
        runs[backend] = (real, cplx)
    (r1, c1), (r2, c2) = runs["mpmath"], runs["heyoka"]
    assert r1.step_sequence == r2.step_sequence and c1.steps == c2.steps
    tol = mpmath.mpf(10) ** (2 - dps)
    with mpmath.workdps(dps):
        for s1, s2 in zip(r1.states, r2.states):
            scale = max(abs(x) for x in s1) or 1
            assert max(abs(x - z) for x, z in zip(s1, s2)) <= tol * scale
        for s1, s2 in zip(c1.states, c2.states):
            for part in (mpmath.re, mpmath.im):
                scale = max(abs(part(x)) for x in s1)
                diff = max(abs(part(x) - part(z)) for x, z in zip(s1, s2))
                assert diff <= tol * scale, (part, diff, scale)


def test_heyoka_scalar_problems_and_complex_params():
    """heyoka on closed forms with complex initial values and complex parameters."""
    pytest.importorskip("heyoka")
    for name in sorted(SCALAR_PROBLEMS):
        _, _, pvals, exact_fn, inits = SCALAR_PROBLEMS[name]
        sysh = system(name, "heyoka")
        y0 = inits[-1]
        y0v = mpmath.mpmathify(y0) if isinstance(y0, str) else y0
        traj = sysh.solve([y0v], pvals, TIMES, dps=30)
        assert traj.backend == "heyoka"
        rel, err = check_against_exact(traj, y0v, exact_fn, pvals, 30)
        assert max(rel) <= 1e-27, (name, rel)
        assert traj.error_estimate_real >= err[0] and traj.error_estimate_imag >= err[1]
    sysh = system("riccati", "heyoka")
    cc = mpmath.mpc("0.6666666666666666666666666666666666666667", "1e-30")
    with mpmath.workdps(40):
        th = sysh.solve([R(1, 2)], [R(7, 3), 1, cc], [1, 2], dps=30)
        tm = system("riccati", "mpmath").solve([R(1, 2)], [R(7, 3), 1, cc], [1, 2], dps=30)
        for s1, s2 in zip(th.states, tm.states):
            assert abs(mpmath.im(s1[0]) - mpmath.im(s2[0])) <= 1e-28 * abs(mpmath.im(s2[0]))


def test_exact_constants_reach_heyoka():
    """Non-dyadic constants (1/10, exp(-1/2)) are exact at the working precision in heyoka."""
    pytest.importorskip("heyoka")
    field = [-(y - R(1, 10)) * sp.exp(-R(1, 2))]
    runs = [make_system(field, [y], [], backend=be).solve([0], [], [1], dps=50)
            for be in ("mpmath", "heyoka")]
    with mpmath.workdps(70):
        exact = mpmath.mpf(1) / 10 * (1 - mpmath.exp(-mpmath.exp(-mpmath.mpf(1) / 2)))
        for r in runs:
            assert abs(r.states[0][0] - exact) < mpmath.mpf(10) ** -49


def test_auto_backend():
    sysm = make_system([-y], [y], [], backend="auto")
    expected = "heyoka" if "heyoka" in available_backends() else "mpmath"
    assert sysm.backend == expected
    assert available_backends()[0] == "mpmath"
