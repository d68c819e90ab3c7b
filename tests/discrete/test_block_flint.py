"""The python-flint kernel of the block evaluator (symbolic/block_flint.py) against the mpmath kernel.

Both evaluate the same block trees; they share no arithmetic (flint's compiled
ball arithmetic and arb_mat/acb_mat products, against mpmath numbers and
exact integer products), so agreement to working precision — real parts,
and the tiny imaginary parts of complex steps in s and in theta — checks
each. The check itself verifies with the same digits by either kernel.
"""

from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy as sp

from symbolic.block_flint import flint_backend, supported
from symbolic.discrete_blocks import BlockCompiled
from symbolic.discrete_compile import compile_discrete
from symbolic.functions import U
from symbolic.load import load_model
from symbolic.spec import load_model_text
from verify.discrete.check import check_discrete
from verify.precision import Precision

MODELS = Path(__file__).parent / "models"


def layered(n):
    """Three layers of n units (the benchmark's model, bench/bench_discrete.py): weight blocks of n x n."""
    return load_model_text(f"""name = "layered-{n}"
[state]
s0 = {n}
s1 = {n}
s2 = {n}
[params]
W01 = [{n}, {n}]
W12 = [{n}, {n}]
W2x = [{n}, 2]
[inputs]
x = [0.5, -1]
[targets]
y = [{", ".join("0.5" for _ in range(n))}]
[functions]
rho = "tanh"
[model]
energy = "(s0.T*s0 + s1.T*s1 + s2.T*s2)/2 - rho(s0).T*W01*rho(s1) - rho(s1).T*W12*rho(s2) - rho(s2).T*W2x*x"
cost = "(y - s0).T*(y - s0)/2"
[values]
seed = 1
scale = "{1 / n}"
[settings]
dynamics = "discrete"
step = "1/2"
steps = 3
""", f"<layered-{n}>")


def kernels(m):
    auto = compile_discrete(m, "blocks")
    root_phi, root_c = auto.phi.root, auto.c.root
    return (BlockCompiled(m, root_phi, root_c, kernel="flint"), BlockCompiled(m, root_phi, root_c, kernel="mpmath"),
            auto)


def close(a, b, prec, scale):
    return abs(a - b) <= 100 * prec.eps * max(abs(a), abs(b), scale)


@pytest.mark.parametrize("name", ["hopfield-step", "hopfield-primitive", "sigma-primitive", "layered-16"])
def test_the_flint_and_mpmath_kernels_agree_to_working_precision(name):
    m = layered(16) if name == "layered-16" else load_model(str(MODELS / f"{name}.toml"))
    fl, mp, auto = kernels(m)
    assert (fl.kernel, mp.kernel, auto.kernel) == ("flint", "mpmath", "flint")
    prec = Precision(40)
    with prec.context():
        theta = mp.theta_values(prec.work)
        s = [mpmath.mpf(i + 1) / 7 - mpmath.mpf(1) / 3 for i in range(m.n)]
        h = prec.complex_step
        sc = [mpmath.mpc(x, h * (i + 1)) for i, x in enumerate(s)]
        thc = [mpmath.mpc(x, h * (-1) ** i) for i, x in enumerate(theta)]
        rng = np.random.default_rng(3)
        ints = np.array([int(k) for k in rng.integers(-2 ** 20, 2 ** 20, m.p)], dtype=object)
        rows = rng.integers(-2 ** 50, 2 ** 50, (4, m.p)).astype(object)      # projections (verify/discrete/routes.py)
        v = [mpmath.mpf(1) / (i + 2) for i in range(m.n)]
        beta = mpmath.mpf("0.01")

        def quantities(c):
            step = c.theta_step(theta, h, ints, -20)
            return [c.F(s, theta), c.F(sc, theta), c.F(s, thc), c.F(s, step), c.F(sc, step),
                    c.nudged(sc, theta, beta), c.dPhi_dtheta(sc, theta), c.dPhi_dtheta(s, step),
                    c.dPhi_dtheta_projected(sc, theta, rows, -50), c.dPhi_dtheta_projected(s, step, rows, -50),
                    c.dC_ds(sc, theta), c.dC_dtheta(s, theta), [c.cost(sc, theta)],
                    *c.hvp(s, theta, v), *c.hvp(sc, theta, v)]

        for a, b in zip(quantities(fl), quantities(mp), strict=True):
            assert len(a) == len(b)
            scale = max(abs(mpmath.mpc(x).real) for x in b) or 1
            iscale = max(abs(mpmath.mpc(x).imag) for x in b) or h
            for x, y in zip(a, b):
                x, y = mpmath.mpc(x), mpmath.mpc(y)
                assert close(x.real, y.real, prec, scale)
                assert close(x.imag, y.imag, prec, iscale)     # the complex step's derivative, to working precision
            assert any(mpmath.mpc(x).imag for x in b) == any(mpmath.mpc(x).imag for x in a)


def test_the_check_verifies_with_the_same_digits_by_either_kernel():
    m = load_model(str(MODELS / "hopfield-step.toml"))
    fl, mp, _ = kernels(m)
    dps = 30
    results = {c.kernel: check_discrete(m, dps=dps, compiled=c) for c in (fl, mp)}
    for r in results.values():
        assert r.verdict == "verified"
        assert all(c.digits >= dps - 8 for c in r.checks if c.digits is not None)
    digits = {k: sorted(c.digits for c in r.checks if c.digits is not None) for k, r in results.items()}
    assert len(digits["flint"]) == len(digits["mpmath"]) > 0
    assert all(abs(a - b) <= 2 for a, b in zip(digits["flint"], digits["mpmath"]))


def test_a_function_without_a_flint_counterpart_keeps_the_mpmath_kernel():
    assert supported(sp.tanh(U) * U ** 3 + sp.Rational(1, 3))
    assert not supported(sp.Abs(U))
    assert not supported(sp.pi * U)

    class Leaf:        # a program whose one elementwise function is |u|
        op, data = "APPLY", type("Fn", (), {"body": sp.Abs(U)})()

    assert flint_backend(type("Program", (), {"order": [Leaf]})()) is None
