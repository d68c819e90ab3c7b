"""Discrete models compiled by blocks (issue 13, item 2's speed): the two forms agree, and so do the algorithms.

The per-component form (sympy derives and lambdifies every entry) and the
block form (one reverse pass over matrix products, symbolic/block_eval.py)
share nothing but the model file; each quantity is compared between them at
working precision. The matrix-free algorithms of large models (chord fixed
point, Jacobian-vector products, random projections) are compared with the
formed ones on the same small model.
"""

from pathlib import Path

import mpmath
import numpy as np
import pytest

from symbolic.block_form import NotBlockForm
from symbolic.discrete_compile import compile_discrete
from symbolic.errors import SpecError
from symbolic.exact_matmul import dyadic_matmul, matmul
from symbolic.load import load_model
from symbolic.spec import load_model_text
from verify.discrete import matrix_free
from verify.discrete.check import check_discrete
from verify.precision import Precision
from verify.statements import rejected, run_variants

MODELS = Path(__file__).parent / "models"
PHI_MODELS = ("hopfield-step", "hopfield-primitive", "sigma-primitive")


def model(name):
    return load_model(str(MODELS / f"{name}.toml"))


def close(a, b, prec, scale=1):
    """|a - b| within 100 roundings of the working precision, relative to max(|a|, scale)."""
    return abs(a - b) <= 100 * prec.eps * max(abs(a), abs(b), scale)


def flat(value):
    return [mpmath.mpf(x) for x in (value if isinstance(value[0], str) else [y for row in value for y in row])]


@pytest.mark.parametrize("name", PHI_MODELS)
def test_the_block_form_and_the_component_form_agree_to_working_precision(name):
    m = model(name)
    blocks, components = compile_discrete(m, "blocks"), compile_discrete(m, "components")
    assert (blocks.form, components.form) == ("blocks", "components")
    prec = Precision(40)
    with prec.context():
        theta = blocks.theta_values(prec.work)
        s = [mpmath.mpf(i + 1) / 7 - mpmath.mpf(1) / 3 for i in range(m.n)]
        sc = [mpmath.mpc(x, prec.complex_step * (i + 1)) for i, x in enumerate(s)]
        thc = [mpmath.mpc(x, prec.complex_step * (-1) ** i) for i, x in enumerate(theta)]
        beta = mpmath.mpf("0.01")
        pairs = [(blocks.F(s, theta), components.F(s, theta)),
                 (blocks.nudged(s, theta, beta), components.nudged(s, theta, beta)),
                 (blocks.dPhi_dtheta(s, theta), components.dPhi_dtheta(s, theta)),
                 (blocks.dC_ds(s, theta), components.dC_ds(s, theta)),
                 ([blocks.cost(s, theta)], [components.cost(s, theta)]),
                 (list(blocks.JF(s, theta)), list(components.JF(s, theta))),
                 (list(blocks.dF_dtheta(s, theta)), list(components.dF_dtheta(s, theta)))]
        for a, b in pairs:
            assert len(a) == len(b) and all(close(x, y, prec) for x, y in zip(a, b))
        # complex steps in s and in theta: the imaginary parts (h times a derivative) to working precision
        for a, b in ((blocks.F(sc, theta), components.F(sc, theta)), (blocks.F(s, thc), components.F(s, thc))):
            assert all(close(x.real, y.real, prec) for x, y in zip(a, b))
            assert all(close(x.imag, y.imag, prec, prec.complex_step) for x, y in zip(a, b))
        v = [mpmath.mpf(1) / (i + 2) for i in range(m.n)]
        Jv, Btv = blocks.hvp(s, theta, v)
        J, B = components.JF(s, theta), components.dF_dtheta(s, theta)
        assert all(close(x, y, prec) for x, y in zip(Jv, J * mpmath.matrix(v)))
        assert all(close(x, y, prec) for x, y in zip(Btv, B.T * mpmath.matrix(v)))
    F64 = blocks.F_numpy([float(x) for x in s], [float(x) for x in theta])
    assert np.allclose(F64, [float(x) for x in components.F(s, theta)], rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name", ["hopfield-step", "sigma-primitive"])
def test_the_check_gives_the_same_values_by_blocks_and_per_component(name):
    m = model(name)
    a = check_discrete(m, compiled=compile_discrete(m, "blocks"), dps=40, steps=4)
    b = check_discrete(m, compiled=compile_discrete(m, "components"), dps=40, steps=4)
    assert a.verdict == b.verdict == "verified"
    assert (a.settings["compiled"], b.settings["compiled"]) == ("blocks", "components")
    prec = Precision(40)
    for key in ("delta_ep_s", "bptt_s", "delta_ep_theta", "bptt_theta", "dJ_dtheta", "ep_update"):
        for x, y in zip(flat(a.values[key]), flat(b.values[key]), strict=True):
            assert close(x, y, prec, 10 ** -3), (key, x, y)


def test_the_form_is_chosen_automatically():
    assert compile_discrete(model("sigma-primitive")).form == "blocks"
    assert compile_discrete(model("hopfield-step")).form == "blocks"
    assert compile_discrete(model("sigma-update")).form == "components"      # an [update] map has no Phi
    text = (MODELS / "sigma-primitive.toml").read_text().replace(
        'primitive = "sigmoid(h).T*W*sigmoid(h)/2 + sigmoid(h).T*U*x"',
        'primitive = "sigmoid(h).T*W*sigmoid(h)/2 + sigmoid(h).T*U*x + 2**sum(h)/100"')
    odd = load_model_text(text, "power.toml")
    assert compile_discrete(odd).form == "components"
    with pytest.raises(NotBlockForm, match="non-constant exponent"):
        compile_discrete(odd, "blocks")
    assert check_discrete(odd, dps=20, steps=3).verdict == "verified"


def test_the_per_component_form_of_a_model_too_large_to_derive_is_refused_with_the_key(monkeypatch):
    monkeypatch.setattr("symbolic.limits.MAX_DERIVED_ENTRIES", 10)
    with pytest.raises(SpecError, match="state.*per-component form"):
        compile_discrete(model("sigma-update"))
    assert compile_discrete(model("sigma-primitive")).form == "blocks"   # by blocks nothing n(n+p) is derived


@pytest.mark.parametrize("name", ["hopfield-step", "sigma-primitive"])
def test_the_matrix_free_algorithms_agree_with_the_formed_jacobian(monkeypatch, name):
    m = model(name)
    cm = compile_discrete(m)
    formed = check_discrete(m, compiled=cm, dps=40, steps=4)
    monkeypatch.setattr(matrix_free, "FORMED_MAX", 0)
    free = check_discrete(m, compiled=cm, dps=40, steps=4)
    assert formed.verdict == free.verdict == "verified"
    assert "jacobian" in free.values["projections"] and "jacobian" not in formed.values["projections"]
    assert "chord" in free.fixed_point["description"] and "float64" in free.fixed_point["description"]
    assert mpmath.mpf(free.fixed_point["asymmetry"]) < mpmath.mpf(10) ** -45
    prec = Precision(40)
    for x, y in zip(flat(free.fixed_point["s"]), flat(formed.fixed_point["s"]), strict=True):
        assert close(x, y, prec)
    for key in ("delta_ep_s", "delta_ep_theta", "dJ_dtheta", "ep_update"):
        for x, y in zip(flat(free.values[key]), flat(formed.values[key]), strict=True):
            assert close(x, y, prec, 10 ** -3), (key, x, y)
    for a, b in zip(free.fixed_point["jacobian_eigenvalues"], formed.fixed_point["jacobian_eigenvalues"]):
        assert abs(mpmath.mpf(a) - mpmath.mpf(b)) < 1e-13


def test_projections_verify_and_reject_every_false_variant():
    m = model("hopfield-step")
    report = check_discrete(m, dps=30, steps=4, max_directions=3)    # n = 5, p = 14: both spaces projected
    assert report.verdict == "verified", report.table()
    v = report.values
    assert v["bptt_s_is_projection"] and v["bptt_theta_is_projection"] and v["delta_ep_theta_is_projection"]
    assert len(v["bptt_theta"][0]) == len(v["delta_ep_theta"][0]) == len(v["ep_update"]) == 3
    assert len(v["dJ_dtheta"]) == m.p
    assert set(v["projections"]) == {"bptt_s", "bptt_theta", "delta_ep_theta", "ep_update"}
    for variant, result in run_variants(report.evidence):
        assert result is not None and rejected(result), (variant.id, result and result.format(30))


def test_exact_products_round_once_including_complex_steps_and_transposes():
    rng = np.random.default_rng(5)
    with mpmath.workdps(40):
        A = np.array([[mpmath.mpf(x) / 3 for x in row] for row in rng.standard_normal((5, 7))], dtype=object)
        B = np.array([[mpmath.mpc(x / 7, y * 1e-60) for x, y in row] for row in rng.standard_normal((7, 3, 2))],
                     dtype=object)
        with mpmath.workdps(120):
            exact = A.dot(B)
        for got, want in ((matmul(A, B), exact), (matmul(B, A, ta=True, tb=True), exact.T)):
            for g, w in zip(got.flat, want.flat):
                assert abs(g.real - w.real) <= 2 * mpmath.eps * abs(w.real)
                assert abs(g.imag - w.imag) <= 2 * mpmath.eps * abs(w.imag)
        ints = np.array([[int(x) for x in row] for row in rng.integers(-2**50, 2**50, (2, 7))], dtype=object)
        got = dyadic_matmul(ints, -50, np.array([[a.real] for a in B[:, 0]], dtype=object))
        with mpmath.workdps(120):
            want = [mpmath.fsum(mpmath.ldexp(i, -50) * b.real for i, b in zip(row, B[:, 0])) for row in ints]
        assert all(abs(g - w) <= 2 * mpmath.eps * abs(w) for g, w in zip(got[:, 0], want))


def test_derive_refuses_a_discrete_model_too_large_to_derive_per_component(monkeypatch, capsys):
    from verify.cli import main

    monkeypatch.setattr("symbolic.limits.MAX_DERIVED_ENTRIES", 10)
    code = main(["derive", str(MODELS / "sigma-primitive.toml")])
    err = capsys.readouterr().err
    assert code == 2 and "sigma-primitive.toml" in err and "state" in err and "Traceback" not in err


def test_complex_steps_in_theta_kept_on_integers_give_the_values_of_mpc_parameters(monkeypatch):
    """The placeholder blocks of a large model (symbolic/discrete_blocks.py), forced on a 3 x 3 weight matrix."""
    from symbolic import discrete_blocks

    m = model("sigma-primitive")
    built = check_discrete(m, dps=30, steps=4, max_directions=3)
    monkeypatch.setattr(discrete_blocks, "INTEGER_BLOCK_MIN", 0)
    cm = compile_discrete(m)
    assert cm.phi.products_only("W") and not cm.phi.products_only("U")     # U is 3 x 2: a product over 2
    kept = check_discrete(m, compiled=cm, dps=30, steps=4, max_directions=3)
    assert built.verdict == kept.verdict == "verified"
    prec = Precision(30)
    for key in ("bptt_theta", "bptt_total"):
        for x, y in zip(flat(kept.values[key]), flat(built.values[key]), strict=True):
            assert close(x, y, prec, 10 ** -3), (key, x, y)


def test_a_function_of_a_constant_input_is_evaluated_not_a_crash():
    """softplus(x) at integer inputs is a constant sympy keeps unevaluated (softplus(1)): both forms evaluate it.

    (Found by the thorough property run: the float64 preview raised "Cannot convert expression to float".)
    """
    text = (MODELS / "hopfield-step.toml").read_text().replace('rho = "sigmoid"', 'rho = "softplus"')
    text = text.replace("x = [0.5, -0.3]", "x = [1, 2]")
    model = load_model_text(text, "softplus-inputs.toml")
    report = check_discrete(model, dps=20)
    assert report.verdict == "verified", report.table()
    assert report.settings["compiled"] == "blocks"
    by_components = check_discrete(model, dps=20, compiled=compile_discrete(model, form="components"))
    assert by_components.verdict == "verified" and by_components.settings["compiled"] == "components"
