"""The elementwise-function registry (symbolic.functions): every record against independent values.

For each record: the sympy derivative (``fdiff``) against ``mpmath.diff`` of the
record's mpmath implementation; the mpmath implementation against sympy's own
evaluation of the definition (``rewrite`` or ``elementary`` form, 60 digits);
numpy and gmpy2 implementations against mpmath; the Taylor jets of
``ds1/dt = f(s0), ds0/dt = 1`` (coefficient k of s1 is f^(k-1)(c)/k!) against
``mpmath.diff``.  Each check has a deliberately wrong variant that it rejects.
"""

from __future__ import annotations

import math

import gmpy2
import mpmath
import pytest
import sympy as sp

from symbolic.functions import (BUILTIN_BODIES, ELEMENTWISE, FUNCTIONS, U, logcosh, mpmath_functions,
                                to_elementary)
from symbolic.taylor import compile_taylor

POINTS = ["-2.5", "-0.75", "0.3", "1.25"]
POSITIVE = {"log", "sqrt"}  # defined on u > 0 only (never a [functions] body)


def points(name):
    return [p.lstrip("-") for p in POINTS] if name in POSITIVE else POINTS


def definition(f):
    """The record's function as sympy evaluates it, from its definition (not its mpmath code)."""
    if f.rewrite is not None:
        return f.rewrite(U)
    if f.elementary is not None:
        return f.elementary(U)
    return f.sympy(U)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_mpmath_implementation_matches_definition(name):
    f = FUNCTIONS[name]
    with mpmath.workdps(40):
        for p in points(name):
            exact = sp.N(definition(f).subs(U, sp.Rational(p)), 60)
            got = f.mpmath(mpmath.mpf(p))
            assert abs(got - mpmath.mpf(str(exact))) <= mpmath.mpf(10) ** -38 * max(1, abs(got)), (name, p)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_sympy_derivative_matches_numeric_derivative(name):
    f = FUNCTIONS[name]
    d1 = sp.lambdify(U, sp.diff(f.sympy(U), U), modules=[{n: r.mpmath for n, r in FUNCTIONS.items()},
                                                           "mpmath"])
    with mpmath.workdps(40):
        for p in points(name):
            u = mpmath.mpf(p)
            num = mpmath.diff(f.mpmath, u)
            assert abs(d1(u) - num) <= mpmath.mpf(10) ** -30 * max(1, abs(num)), (name, p)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_numpy_and_gmpy2_match_mpmath(name):
    f = FUNCTIONS[name]
    for p in points(name):
        ref = float(f.mpmath(mpmath.mpf(p)))
        assert math.isclose(float(f.numpy_function(float(p))), ref, rel_tol=1e-14), (name, p)
    if f.jet is not None:
        with gmpy2.context(gmpy2.get_context(), precision=200):
            for p in points(name):
                with mpmath.workprec(200):
                    ref = f.mpmath(mpmath.mpf(p))
                    got = mpmath.mpf(str(f.gmpy2_function(gmpy2.mpfr(p))))
                    assert abs(got - ref) <= mpmath.mpf(2) ** -190 * max(1, abs(ref)), (name, p)


def test_elementary_forms_equal_functions():
    """to_elementary leaves only exp, log, sin, cos, sqrt and equals the record's mpmath values."""
    x = sp.Symbol("x", real=True)
    for name, f in FUNCTIONS.items():
        expr = f.sympy(x)
        elem = to_elementary(expr)
        funcs = {type(a) for a in elem.atoms(sp.Function)}
        assert funcs <= {sp.exp, sp.log, sp.sin, sp.cos}, (name, elem)
        with mpmath.workdps(40):
            for p in points(name):
                b = mpmath.mpf(str(sp.N(elem.subs(x, sp.Rational(p)), 50)))
                assert abs(f.mpmath(mpmath.mpf(p)) - b) < mpmath.mpf(10) ** -35, (name, p)


def test_table_consistency():
    assert set(ELEMENTWISE) == set(FUNCTIONS)
    assert "identity" in BUILTIN_BODIES and "log" not in BUILTIN_BODIES
    for name, f in FUNCTIONS.items():
        assert (f.jet is None) != (f.rewrite is None), name
        if f.jet is not None:
            assert f.heyoka, name
    assert set(mpmath_functions()) == {f.jet for f in FUNCTIONS.values() if f.jet}


def test_a_record_must_say_how_taylor_handles_it():
    from symbolic.functions import Elementwise

    with pytest.raises(ValueError, match="exactly one of jet and rewrite"):
        Elementwise("bad", sp.exp, mpmath.exp)


# -- Taylor jets ------------------------------------------------------------------------------

def taylor_jets(f, c, order, dps):
    """Jets of s0' = 1, s1' = f(s0) from s = (c, 0), by the generated mpmath recurrences."""
    s0, s1 = sp.symbols("s0 s1", real=True)
    program = compile_taylor([sp.S.One, f.sympy(s0)], [s0, s1], [])
    ns = dict(mpmath_functions(), fdot=mpmath.fdot, reversed=reversed, ZERO=mpmath.mpf(0))
    exec(compile(program.jet_source("mpmath"), "<jet>", "exec"), ns)  # noqa: S102 - our source
    cns: dict = {}
    exec(compile(program.constant_source(), "<c>", "exec"), cns)  # noqa: S102
    with mpmath.workdps(dps):
        numbers = [mpmath.mpf(sp.N(v, dps + 10)) for v in program.numbers]
        consts = cns["constants"]([], numbers, mpmath_functions())
        return ns["jet"]([mpmath.mpf(c), mpmath.mpf(0)], consts, order)[1]


def jet_errors(f, c="0.4", order=8, dps=40, impl=None):
    impl = impl or f.mpmath
    got = taylor_jets(f, c, order, dps)
    worst = mpmath.mpf(0)
    with mpmath.workdps(dps):
        u = mpmath.mpf(c)
        for k in range(1, order + 1):
            ref = mpmath.diff(impl, u, k - 1) / mpmath.factorial(k)
            worst = max(worst, abs(got[k] - ref) / max(1, abs(ref)))
    return worst


@pytest.mark.parametrize("name", sorted(n for n, f in FUNCTIONS.items() if f.body))
def test_taylor_jets_match_mpmath_diff(name):
    assert jet_errors(FUNCTIONS[name]) < mpmath.mpf(10) ** -30


def test_taylor_jets_reject_a_wrong_function():
    """False variant: the softplus jets against log(1 + exp(u)) + u^4/100 must disagree."""
    wrong = lambda u: mpmath.log(1 + mpmath.exp(u)) + u ** 4 / 100  # noqa: E731
    assert jet_errors(FUNCTIONS["softplus"], impl=wrong) > mpmath.mpf(10) ** -3


# -- logcosh ----------------------------------------------------------------------------------

def test_logcosh_is_stable_near_zero_and_far_out():
    """logcosh(u) = u^2/2 - u^4/12 + ... near 0 and |u| - log 2 + exp(-2|u|) - ... far out."""
    f = FUNCTIONS["logcosh"]
    with mpmath.workdps(30):
        u = mpmath.mpf("1e-20")
        series = u ** 2 / 2 - u ** 4 / 12
        assert abs(f.mpmath(u) - series) <= mpmath.mpf(10) ** -29 * series
        # false variant: the naive formula loses every digit here
        assert abs(mpmath.log(mpmath.cosh(u)) - series) > mpmath.mpf("0.01") * series
        u = mpmath.mpf(-1000)
        far = 1000 - mpmath.log(2) + mpmath.exp(-2000)
        assert abs(f.mpmath(u) - far) <= mpmath.mpf(10) ** -29 * far
    assert f.numpy_function(1e-10) == pytest.approx(5e-21, rel=1e-12)
    assert f.numpy_function(-800.0) == pytest.approx(800 - math.log(2), rel=1e-15)


def test_logcosh_jets_reject_a_wrong_function():
    """False variant: the logcosh jets against log(cosh(u)) + u^4/100 must disagree."""
    wrong = lambda u: mpmath.log(mpmath.cosh(u)) + u ** 4 / 100  # noqa: E731
    assert jet_errors(FUNCTIONS["logcosh"], impl=wrong) > mpmath.mpf(10) ** -3


def test_logcosh_sympy_form():
    x = sp.Symbol("x", real=True)
    assert sp.diff(logcosh(x), x) == sp.tanh(x)
    assert logcosh(0) == 0
    assert logcosh(x).is_real
    assert BUILTIN_BODIES["logcosh"] == logcosh(U)
