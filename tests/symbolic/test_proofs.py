"""Symbolic proof checking (issue 6): every obligation's proof, false variants, the decider.

Closed-form families: the built-ins ``quadratic`` (linear-quadratic, theta-
dependent cost) and ``riccati``, and model files written here that the
recognisers must find on their own (a 2-d linear-quadratic model with a cost
coupling s and theta, a Riccati model with a theta-dependent cost, a 1-d
linear flow whose Hessian depends on theta). Reference values of witnesses
are typed from the closed forms, never taken from the code under test.
"""

from __future__ import annotations

import functools
import time

import pytest
import sympy as sp

from symbolic.load import load_model
from symbolic.proofs import (STATEMENTS, VARIANTS, Outcome, closed_form, exit_code, family, prove,
                             summary)
from symbolic.proofs import laplace as lp
from symbolic.proofs.obligation import Obligation, decide_entries, decide_modulo
from symbolic.spec import load_model_text
from symbolic.zoo.models import paper_hopfield_text

R = sp.Rational

RICCATI_THETA_COST = '''name = "riccati-theta-cost"
description = "cubic energy; the cost depends on theta"
[state]
s = 0
[params]
a = 0
b = 0
c = 0
[targets]
y = 1
[model]
energy = "a*s**2/2 - b*s**3/3 - c*s"
cost = "(s - c*y)**2/2 + a**2/10"
[values]
a = 2
b = "1/2"
c = "1/2"
'''

LINEAR_1D = '''name = "linear-1d"
description = "E = a s^2/2 - c s: a linear flow whose rate depends on theta"
[state]
s = 0
[params]
a = 0
c = 0
[targets]
y = "1/4"
[model]
energy = "a*s**2/2 - c*s"
cost = "(s - y)**2/2 + c**2/4"
[values]
a = "3/2"
c = "1/2"
'''

LQ2 = '''name = "lq2"
description = "2-d linear-quadratic, other names, a cost coupling s and theta"
[state]
u = 2
[params]
w = 2
k = 0
[inputs]
P = [["3", "1"], ["1", "2"]]
[targets]
y = ["1/2", "-1"]
[model]
energy = "u.T*P*u/2 - u.T*w - k*sum(u) + k**2"
cost = "(y - u).T*(y - u)/2 + k*(u.T*w) + w.T*w/8"
[values]
w = ["1/5", "-2/5"]
k = "1/3"
'''

TEXTS = {"riccati-theta-cost": RICCATI_THETA_COST, "linear-1d": LINEAR_1D, "lq2": LQ2,
         "hopfield-tiny-readout": paper_hopfield_text(1, 1, 1, 1, readout=True)}

THEOREMS = ("theorem1", "theorem2", "theorem3", "corollary4-eq23", "corollary4-eq24")
CLOSED_FORM = THEOREMS + ("flows", "eq10", "eq27", "eq28")
STEPS = ("eq32", "eq33", "eq34", "eq35", "eq37", "eq38", "eq39", "eq40", "eq42", "eq51-52", "eq53-54",
         "eq55", "eq56", "eq57-60", "eq61", "eq62")
FAMILIES = {"quadratic": "linear-quadratic", "lq2": "linear-quadratic", "riccati": "riccati",
            "riccati-theta-cost": "riccati", "linear-1d": "riccati"}

SECONDS: dict[str, float] = {}


def model(name):
    return load_model_text(TEXTS[name], f"<test {name}>") if name in TEXTS else load_model(name)


@functools.lru_cache(maxsize=None)
def rows(name, steps=True, variants=tuple(VARIANTS)):
    t0 = time.perf_counter()
    out = prove(model(name), variants, steps=steps)
    SECONDS[f"{name} steps={steps}"] = time.perf_counter() - t0
    return {r.id: r for r in out}


def closed_rows(name):
    """The closed-form obligations and the variants (appendix steps tested on two models only)."""
    return rows(name, steps=name in ("quadratic", "riccati"))


# -- recognising the families from any model file ------------------------------------------

@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_family_is_recognised_from_the_model_file(name):
    assert family(model(name)) == FAMILIES[name]


@pytest.mark.parametrize("name", ["paper-hopfield", "dense-associative-memory", "hopfield-tiny-readout"])
def test_models_without_closed_form_say_why(name):
    proof, reasons = closed_form(model(name))
    assert proof is None
    assert set(reasons) == {"riccati", "linear-quadratic"}
    assert all(isinstance(r, str) and r for r in reasons.values())


# -- Theorems 1-3 and Corollary 4 (both equations), exactly ---------------------------------

@pytest.mark.parametrize("obligation", CLOSED_FORM)
@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_closed_form_obligation_is_proved(name, obligation):
    ob = closed_rows(name)[obligation]
    assert ob.applicable, ob.reason
    assert ob.outcome is Outcome.PROVED, (ob.residual, [p.to_json() for p in ob.parts])
    assert ob.residual == "0"
    assert all(p.outcome is Outcome.PROVED for p in ob.parts)
    assert ob.family == FAMILIES[name]


@pytest.mark.parametrize("name", ["quadratic", "lq2", "riccati", "riccati-theta-cost"])
def test_theorems_are_proved_with_theta_symbolic(name):
    for sid in THEOREMS:
        assert closed_rows(name)[sid].theta == "symbolic"


def test_theorem1_checks_every_cauchy_equation_and_the_closed_form_solution():
    parts = [p.name for p in closed_rows("quadratic")["theorem1"].parts]
    for eq in ("Eq 11", "Eq 12", "Eq 13", "Eq 14"):
        assert any(p.startswith(eq) for p in parts)
    assert any("exp(-H t)" in p for p in parts)


def test_theorem3_and_corollary4_check_that_the_beta_limits_exist_for_riccati():
    for sid in ("theorem3", "corollary4-eq23", "corollary4-eq24"):
        assert any("zeroth order in beta" in p.name for p in closed_rows("riccati")[sid].parts)


def test_theorem2_for_quadratic_equals_the_gradient_typed_from_the_closed_form():
    # J = 1/2 |y - A^-1 (B theta + b)|^2 + |theta|^2/20, so dJ/dtheta = -(A^-1 B)^T (y - s0) + theta/10
    A = sp.Matrix([[2, R(1, 2), 0], [R(1, 2), R(3, 2), R(1, 4)], [0, R(1, 4), 1]])
    B = sp.Matrix([[1, 0], [R(1, 2), 1], [0, -1]])
    b = sp.Matrix([R(1, 10), R(-1, 5), R(3, 10)])
    y = sp.Matrix([R(1, 2), R(-1, 4), 1])
    th = sp.Matrix(sp.symbols("theta[0] theta[1]", real=True))
    s0 = A.inv() * (B * th + b)
    dJ = -(A.inv() * B).T * (y - s0) + th / 10
    m = model("quadratic")
    from symbolic.proofs.linear_quadratic import Proof, recognise
    proof = Proof(recognise(m))
    proof.build()
    proof.theorem2()
    assert (proof.dJ - dJ.xreplace(dict(zip(th, m.theta)))).applyfunc(sp.simplify) == sp.zeros(2, 1)


# -- false variants come out REFUTED with a witness -------------------------------------------

@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", ["quadratic", "lq2", "riccati-theta-cost"])
def test_false_variant_is_refuted_with_a_witness(name, variant):
    ob = closed_rows(name)[f"{VARIANTS[variant].of}[variant:{variant}]"]
    assert ob.kind == "variant"
    assert ob.outcome is Outcome.REFUTED
    w = ob.witness
    assert w is not None and w["point"] and w["component"]
    value = sp.Rational(w["value"]) if w["exact"] else sp.Float(w["value"])
    assert value != 0
    if w.get("domain") == "laplace":  # an exact value of the transform, and a value in time
        assert w["exact"] and "z" in w["point"]
        assert abs(float(w["time_domain"]["value"])) > 1e-10


def test_y0_zero_witness_is_the_theta_gradient_of_the_cost():
    # quadratic: dC/dtheta = theta/10, so Y_0 = (3/100, -7/100) at theta = (3/10, -7/10)
    w = closed_rows("quadratic")["theorem1[variant:y0-zero]"].witness
    assert sp.Rational(w["value"]) == R(3, 100) and w["point"] == {"theta[0]": "3/10"}


def test_y0_zero_holds_for_a_theta_independent_cost():
    # riccati's cost (s - y)^2/2 does not depend on theta: "Y_0 = 0" is then true, not refuted
    assert closed_rows("riccati")["theorem1[variant:y0-zero]"].outcome is Outcome.PROVED


def test_sign_flip_eq23_witness_agrees_with_an_independent_time_value():
    # Riccati: X_t = X_0 exp(-H t) (Theorem 1, typed here), so the flipped Eq 23 leaves 2 X_t
    a, b, c, y = 2, R(1, 2), R(1, 2), 1
    s0 = (a - sp.sqrt(a ** 2 - 4 * b * c)) / (2 * b)
    H = a - 2 * b * s0
    w = closed_rows("riccati")["corollary4-eq23[variant:sign-flip-eq23]"].witness
    t = sp.Rational(w["point"]["t"])
    expected = 2 * (s0 - y) * sp.exp(-H * t)
    assert abs(sp.Float(w["value"]) - expected) < 1e-15


# -- the paper's misprints ----------------------------------------------------------------------

def test_eq61_as_printed_is_refuted_for_a_theta_dependent_cost():
    for name in ("quadratic",):
        ob = rows(name)["eq61-as-printed"]
        assert ob.kind == "misprint" and ob.outcome is Outcome.REFUTED
        assert sp.Rational(ob.witness["value"]) == R(3, 100)  # dC/dtheta_0(s0) = theta_0/10
        assert rows(name)["eq61"].outcome is Outcome.PROVED


def test_eq61_as_printed_holds_when_the_cost_does_not_depend_on_theta():
    assert rows("riccati")["eq61-as-printed"].outcome is Outcome.PROVED


def test_eq56_as_printed_is_refuted_by_minus_dC_ds_at_the_fixed_point():
    # quadratic: s0 = A^-1 (B theta + b) = (43/105, ...), -dC/ds(s0) = y - s0, first entry 1/2 - 43/105
    ob = rows("quadratic")["eq56-as-printed"]
    assert ob.outcome is Outcome.REFUTED
    assert sp.Rational(ob.witness["value"]) == R(1, 2) - R(43, 105)
    assert rows("quadratic")["eq56"].outcome is Outcome.PROVED


# -- the appendices' steps on any energy -----------------------------------------------------

@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("name", ["quadratic", "riccati", "hopfield-tiny-readout"])
def test_appendix_step_is_proved(name, step):
    ob = rows(name)[step]
    assert ob.kind == "step"
    assert ob.outcome is Outcome.PROVED, (ob.residual, [p.to_json() for p in ob.parts])


def test_steps_that_use_the_fixed_point_condition_say_so():
    r = rows("hopfield-tiny-readout")
    assert "Eq 2" in r["eq33"].parts[0].note
    assert "Eq 41" in r["eq40"].parts[0].note and "Eq 41" in r["eq37"].parts[0].note
    assert "Eq 53" in r["eq56"].parts[0].note


def test_model_without_closed_form_lists_numeric_only_obligations():
    r = rows("hopfield-tiny-readout")
    for sid in THEOREMS:
        assert r[sid].numeric_only and not r[sid].applicable
        assert r[sid].outcome is Outcome.UNDECIDED  # never reported as proved
        assert "eqprop-verify check" in r[sid].reason
    assert exit_code(list(r.values())) == 3
    # the learned read-out V makes the cost theta-dependent: Eq 61 as printed fails
    assert r["eq61-as-printed"].outcome is Outcome.REFUTED
    assert "Newton" in r["eq61-as-printed"].parts[0].note


def test_symbolic_data_proves_for_all_input_and_target_values():
    out = {r.id: r for r in prove(model("riccati-theta-cost"), ["sign-flip-eq23"], steps=False,
                                  symbolic_data=True)}
    for sid in THEOREMS:
        assert out[sid].outcome is Outcome.PROVED
    flipped = out["corollary4-eq23[variant:sign-flip-eq23]"]
    assert flipped.outcome is Outcome.REFUTED and flipped.witness["point"].get("y") == "1"


# -- the decision procedure is three-valued ---------------------------------------------------

x = sp.Symbol("x", real=True)


def test_decide_proves_what_simplifies_to_zero():
    assert decide_entries([sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1])[0] is Outcome.PROVED
    assert decide_entries([(x ** 2 - 1) / (x - 1) - x - 1])[0] is Outcome.PROVED


def test_decide_refutes_with_an_exact_witness():
    outcome, residual, witness = decide_entries([x ** 2 - x], names=["r"])
    assert outcome is Outcome.REFUTED
    value = sp.Rational(witness["point"]["x"])
    assert sp.Rational(witness["value"]) == value ** 2 - value != 0 and witness["exact"]


def test_decide_refutes_with_a_high_precision_witness():
    outcome, _, witness = decide_entries([sp.exp(x) - 1 - x])
    assert outcome is Outcome.REFUTED and not witness["exact"]


def test_decide_is_undecided_when_it_can_neither_simplify_nor_find_a_witness():
    # asin(sin(x)) = x on [-pi/2, pi/2] (where the points are drawn) but not everywhere
    outcome, residual, witness = decide_entries([sp.asin(sp.sin(x)) - x])
    assert outcome is Outcome.UNDECIDED and witness is None and "asin" in residual
    f, g = sp.Function("f"), sp.Function("g")
    assert decide_entries([f(x) - g(x)])[0] is Outcome.UNDECIDED


def test_undecided_is_never_counted_as_proved():
    undecided = Obligation("theorem1", ("11",), "", Outcome.UNDECIDED, "x")
    proved = Obligation("theorem2", ("20",), "", Outcome.PROVED, "0")
    refuted_variant = Obligation("v", ("23",), "", Outcome.REFUTED, "x", kind="variant")
    assert exit_code([proved, refuted_variant]) == 0
    assert exit_code([proved, undecided]) == 3
    assert exit_code([proved, Obligation("t", (), "", Outcome.REFUTED, "1")]) == 1
    assert summary([proved, undecided])["undecided"] == 1


def test_decide_modulo_needs_the_exact_certificate():
    g = sp.Symbol("g")  # a quantity the paper says is zero
    assert decide_modulo("r", x * g, [(x, g)], hypothesis_text="g = 0").outcome is Outcome.PROVED
    assert decide_modulo("r", x * g + 1, [(x, g)], hypothesis_text="g = 0").outcome is Outcome.UNDECIDED
    assert decide_modulo("r", x * g, [(2 * x, g)], hypothesis_text="g = 0").outcome is Outcome.UNDECIDED


def test_unknown_variant_is_an_error():
    with pytest.raises(ValueError, match="unknown variant"):
        prove("riccati", ["bogus"])


# -- the Laplace-domain helpers ------------------------------------------------------------------

z = lp.Z
beta = sp.Symbol("beta", real=True)


def test_resolvent_is_the_transform_of_the_matrix_exponential():
    a = sp.Symbol("a", positive=True)
    assert sp.simplify(lp.resolvent(sp.Matrix([[a]]))[0] - 1 / (z + a)) == 0
    M = sp.Matrix([[2, 1], [1, 2]])  # eigenvalues 1, 3: exp(-M t)[0,0] = (e^-t + e^-3t)/2
    assert sp.simplify(lp.resolvent(M)[0, 0] - (1 / (z + 1) + 1 / (z + 3)) / 2) == 0


def test_limits_of_rational_functions():
    assert sp.simplify(lp.rational_limit((beta * z + beta ** 2) / (beta * (z + 1)), beta) - z / (z + 1)) == 0
    with pytest.raises(ValueError):
        lp.rational_limit(1 / (beta * (z + 1)), beta)
    assert lp.initial_value(1 / (z + 2)) == 1
    assert lp.final_value(3 / (z * (z + 2))) == R(3, 2)


def test_transform_rejects_what_is_not_linear_in_the_exponential():
    Phi = lp.opaque_exponential("Phi", 1)
    with pytest.raises(ValueError):
        lp.transform_linear(Phi[0, 0] ** 2, {Phi: sp.Matrix([[1 / (z + 1)]])})


# -- the obligation ids and JSON shape ------------------------------------------------------------

def test_json_rows_have_the_contract_keys():
    for ob in rows("riccati").values():
        row = ob.to_json(latex=True)
        assert row["obligation"] == ob.id and row["outcome"] in ("PROVED", "REFUTED", "UNDECIDED")
        assert isinstance(row["residual"], str) and isinstance(row["latex"], list)
        base = ob.id.split("[")[0]
        assert base in STATEMENTS


def test_prove_run_time_stays_within_budget():
    rows("quadratic")
    rows("riccati")
    slow = {k: round(v, 1) for k, v in SECONDS.items() if v > 60}
    assert not slow, f"prove took longer than 60 s: {slow}"
