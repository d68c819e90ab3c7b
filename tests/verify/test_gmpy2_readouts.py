"""The EP readouts' gmpy2 numerators (Eq 21, 22) against the mpmath callables they replace.

The reference is the mpmath callable itself at 64 more bits, rounded to the working precision:
an independent evaluation (mpmath's arithmetic, not gmpy2's) of the same expressions. The gmpy2
values must agree with it to a few units in the last working bit, at real and complex betas and
states (the contour and complex-step beta methods pass complex ones).
"""

from __future__ import annotations

import random

import gmpy2
import mpmath
import pytest
import sympy as sp

import symbolic.numeric_glue as glue
from symbolic.compile import MPMATH_MODULES, compile_model
from symbolic.functions import logcosh, sigmoid, softplus
from symbolic.load import load_model
from symbolic.zoo import BUILTINS
from verify.ode.numbers import gmpy2_context, to_gmpy2
from verify.routes import ep
from verify.statements.non_gradient import NonGradient

PREC = 180          # working bits of the comparisons (~54 digits, the route's work at dps 40)
ULPS = 2            # agreement required, in units of 2^-PREC of the largest component (mpmath's own
                    # callable at PREC is up to ~7 off on the built-ins; gmpy2 with guard bits, ~0)


def _reference(fn, s, theta, beta):
    """fn (the mpmath callable) at PREC + 64 bits, rounded to PREC."""
    with mpmath.workprec(PREC + 64):
        hi = fn(s, theta, beta)
    return [+v for v in hi]


def _mismatch(fast, fn, s, theta, beta) -> float:
    """Largest |gmpy2 - reference| in units of 2^-PREC of the largest |reference| component (real and
    imaginary parts apart: a complex-step readout lives in the tiny imaginary parts)."""
    got = fast(beta, s)
    ref = _reference(fn, s, theta, beta)
    worst = 0.0
    for part in (lambda z: mpmath.re(z), lambda z: mpmath.im(z)):
        scale = max(abs(part(r)) for r in ref)
        if not scale:
            assert all(not part(g) for g in got)
            continue
        err = max(abs(part(g) - part(r)) for g, r in zip(got, ref))
        worst = max(worst, float(err / scale * mpmath.mpf(2) ** PREC))
    return worst


def _points(compiled, rng):
    """(s, theta, beta) at real and complex betas/states near the unit box."""
    theta = compiled.theta_values(60)
    out = []
    for beta in (mpmath.mpf("0.001"), mpmath.mpf(-0.3), mpmath.mpc(0, mpmath.mpf(10) ** -64),
                 mpmath.mpc("0.01", "0.01")):
        s = [mpmath.mpf(rng.uniform(-1, 1)) / 3 for _ in range(compiled.n)]
        if isinstance(beta, mpmath.mpc):
            s = [mpmath.mpc(x, beta.imag * rng.uniform(-1, 1)) for x in s]
        out.append((s, theta, beta))
    return out


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtin_readouts_equal_mpmath_to_working_precision(name):
    compiled = compile_model(load_model(name))
    rng = random.Random(name)
    for fn in (compiled.extended_field, compiled.dEbeta_dtheta):
        assert fn.gmpy2 is not None, f"{name}: a readout has no gmpy2 form"
        with mpmath.workprec(PREC):
            for s, theta, beta in _points(compiled, rng):
                fast = ep.numerator(fn, theta)
                assert _mismatch(fast, fn, s, theta, beta) <= ULPS, (name, beta)
                with gmpy2_context(PREC):   # gmpy2 itself answered (no recomputation by mpmath)
                    assert all(map(gmpy2.is_finite, fn.gmpy2([to_gmpy2(x) for x in s], [to_gmpy2(x) for x in theta],
                                                        to_gmpy2(beta))))


X = sp.Symbol("arg_0", real=True)
THETA = sp.Symbol("arg_1", real=True)
BETA = sp.Symbol("arg_2", real=True)
EXPRS = [X * sp.pi + sp.E * THETA, sp.Rational(1, 3) * X + sp.Float("0.1", 60) * BETA,
         sigmoid(X) + softplus(X) + logcosh(X), sp.sqrt(2 + X) + (2 + X) ** sp.Rational(3, 2),
         sp.tanh(X) * sp.sinh(THETA) + sp.cosh(X) + sp.exp(-X) * sp.log(3 + X),
         sp.sin(X) * sp.cos(THETA) / (1 + X ** 2) + 2 ** X, logcosh(sp.Rational(1, 1000) * X)]


def _compiled_exprs(exprs):
    """The expressions in (x, theta, beta) as the compiled model's callables are made (with a gmpy2 form)."""
    return glue.vector_callable([X, THETA, BETA], exprs, 1, MPMATH_MODULES, gmpy2_too=True)


def test_constants_and_every_function_round_at_the_gmpy2_precision():
    fn = _compiled_exprs(EXPRS)
    assert fn.gmpy2 is not None
    with mpmath.workprec(PREC):
        for x, beta in ((mpmath.mpf("0.37"), mpmath.mpf("-0.25")),
                        (mpmath.mpc("0.37", "1e-60"), mpmath.mpc(0, "1e-70")),
                        (mpmath.mpc("-0.5", "0.2"), mpmath.mpc("0.01", "0.01"))):
            theta = [mpmath.mpf(2) / 7]
            assert _mismatch(ep.numerator(fn, theta), fn, [x], theta, beta) <= ULPS


def test_a_wrong_function_mapping_is_caught(monkeypatch):
    """sigmoid mapped to exp in the gmpy2 namespace: the comparison above rejects it."""
    wrong = {**glue.gmpy2_modules(), "sigmoid": gmpy2.exp}
    monkeypatch.setattr(glue, "gmpy2_modules", lambda: wrong)
    fn = _compiled_exprs([sigmoid(X) + X])
    theta = [mpmath.mpf(1)]
    with mpmath.workprec(PREC):
        assert _mismatch(ep.numerator(fn, theta), fn, [mpmath.mpf("0.4")], theta, mpmath.mpf(0)) > 1e30


def test_a_low_precision_constant_is_caught(monkeypatch):
    """pi at double precision in the gmpy2 namespace: the comparison rejects it."""
    real = glue._gmpy2_namespace
    monkeypatch.setattr(glue, "_gmpy2_namespace", lambda: {**real(), "pi": gmpy2.mpfr(3.141592653589793)})
    fn = _compiled_exprs([X * sp.pi])
    theta = [mpmath.mpf(1)]
    with mpmath.workprec(PREC):
        assert _mismatch(ep.numerator(fn, theta), fn, [mpmath.mpf("0.4")], theta, mpmath.mpf(0)) > 1e30


def test_a_function_without_gmpy2_form_keeps_the_mpmath_callable():
    fn = _compiled_exprs([sp.atan(X) + sp.gamma(2 + X)])
    assert fn.gmpy2 is None
    theta = [mpmath.mpf(1)]
    with mpmath.workprec(PREC):
        assert ep.numerator(fn, theta)(mpmath.mpf(0), [mpmath.mpf("0.4")]) == fn([mpmath.mpf("0.4")], theta, 0)


def test_a_value_gmpy2_leaves_nan_is_recomputed_by_mpmath():
    """A negative base to a fractional power is nan in gmpy2, complex in mpmath: mpmath's value is kept."""
    fn = _compiled_exprs([(X - 1) ** sp.Rational(1, 3)])
    assert fn.gmpy2 is not None
    theta = [mpmath.mpf(1)]
    with mpmath.workprec(PREC):
        got = ep.numerator(fn, theta)(mpmath.mpf(0), [mpmath.mpf("0.5")])
        assert isinstance(got[0], mpmath.mpc) and got == fn([mpmath.mpf("0.5")], theta, 0)


def test_non_gradient_readouts_use_its_own_field():
    """NonGradient overrides extended_field; the EP readout must evaluate that override, not the
    compiled model's gmpy2 field reached through ``__getattr__``."""
    compiled = compile_model(load_model("paper-hopfield"))
    rng = random.Random(3)
    with mpmath.workprec(PREC):
        s0 = [mpmath.mpf(rng.uniform(-1, 1)) for _ in range(compiled.n)]
        ng = NonGradient(compiled, s0, sp.Rational(1, 2), seed=7)
        theta = compiled.theta_values(60)
        s = [x + mpmath.mpf(rng.uniform(-1, 1)) / 10 for x in s0]
        beta = mpmath.mpf("0.01")
        numerator = ep.temporal_derivative_quotient(ng, theta)[0]
        got = numerator(beta, s)
        assert got == ng.extended_field(s, theta, beta)
        free = compiled.extended_field(s, theta, beta)
        assert max(abs(a - b) for a, b in zip(got, free)) > mpmath.mpf("1e-3")
        # dE^beta/dtheta is not overridden: its gmpy2 form is the compiled model's, and agrees
        assert ng.dEbeta_dtheta.gmpy2 is compiled.dEbeta_dtheta.gmpy2
        fast = ep.parameter_quotient(ng, s0, theta)[0]
        assert _mismatch(fast, ng.dEbeta_dtheta, s, theta, beta) <= ULPS
