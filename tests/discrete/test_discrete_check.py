"""The GDU statements on discrete models (issue 13 acceptance): routes agree, false variants are rejected."""

import json
from pathlib import Path

import mpmath
import pytest

from symbolic.discrete_compile import compile_discrete
from symbolic.load import load_model
from verify.discrete.check import check_discrete
from verify.statements import DISCRETE_VARIANTS as VARIANTS, rejected, run_variants
from verify.extrapolate import METHODS

MODELS = Path(__file__).parent / "models"
GDU = ("gdu-s", "gdu-theta", "gdu-sum")


@pytest.fixture(scope="module")
def compiled():
    out = {}
    for name in ("hopfield-step", "hopfield-primitive", "sigma-update", "sigma-primitive"):
        model = load_model(str(MODELS / f"{name}.toml"))
        out[name] = (model, compile_discrete(model))
    return out


def run(compiled, name, **kw):
    model, cm = compiled[name]
    return check_discrete(model, compiled=cm, **kw)


def by_id(report):
    return {c.id: c for c in report.checks}


def test_primitive_and_energy_step_give_the_same_values_to_working_precision(compiled):
    a = run(compiled, "hopfield-step", dps=40, steps=4)
    b = run(compiled, "hopfield-primitive", dps=40, steps=4)
    assert a.verdict == b.verdict == "verified"
    compared = 0
    for key in ("delta_ep_s", "bptt_s", "delta_ep_theta", "bptt_theta", "dJ_dtheta", "ep_update"):
        left, right = a.values[key], b.values[key]
        flat = lambda v: [mpmath.mpf(x) for x in (v if isinstance(v[0], str) else [y for r in v for y in r])]  # noqa: E731
        for x, y in zip(flat(left), flat(right), strict=True):
            assert abs(x - y) <= mpmath.mpf(10) ** -37 * max(1, abs(x)), (key, x, y)
            compared += 1
    assert compared > 50
    assert a.fixed_point["s"] == b.fixed_point["s"] or all(
        abs(mpmath.mpf(x) - mpmath.mpf(y)) < mpmath.mpf(10) ** -45 for x, y in zip(a.fixed_point["s"], b.fixed_point["s"]))


@pytest.mark.parametrize("method", ["symmetric", "complex-step"])
def test_both_forms_verify_the_three_statements_to_dps_minus_8_digits(compiled, method):
    for name in ("hopfield-step", "hopfield-primitive"):
        report = run(compiled, name, dps=40, steps=5, beta_method=method)
        checks = by_id(report)
        for cid in GDU + ("bptt-adjoint",):
            assert checks[cid].applicable and checks[cid].passed, checks[cid].format(40)
            assert checks[cid].digits >= 32, (name, method, cid, checks[cid].digits)


@pytest.mark.slow
@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("name", ["hopfield-step", "hopfield-primitive", "sigma-primitive"])
def test_every_beta_method_verifies_at_dps_40(compiled, method, name):
    report = run(compiled, name, dps=40, steps=6, beta_method=method)
    assert report.verdict == "verified", report.table()
    assert min(c.digits for c in report.checks) >= 32


def test_sigma_update_is_not_applicable_with_asymmetry_and_per_step_discrepancy(compiled):
    report = run(compiled, "sigma-update", dps=30, steps=4)
    assert report.verdict == "hypotheses-not-met" and report.exit_code == 3
    checks = by_id(report)
    assert not checks["gdu-s"].applicable and checks["gdu-s"].reason.startswith("not a gradient map: asymmetry")
    assert "needs `primitive` or `energy`" in checks["gdu-theta"].reason
    assert checks["bptt-adjoint"].passed      # BPTT's two routes still agree: only EP is off
    asym = mpmath.mpf(report.fixed_point["asymmetry"])
    assert 0.01 < asym < 1
    disc = report.values["discrepancy"]
    assert [d["step"] for d in disc] == [0, 1, 2, 3]
    rel = [mpmath.mpf(d["relative_error"]) for d in disc]
    # step 0 reads dC/ds only (no Jacobian): EP is exact there; later steps carry J vs J^T
    assert rel[0] < mpmath.mpf(10) ** -25 and all(r > mpmath.mpf(10) ** -3 for r in rel[1:])
    assert all(0.9 < mpmath.mpf(d["cosine"]) <= 1 for d in disc)
    assert report.values["bptt_theta"] is None and report.values["delta_ep_theta"] is None


def test_sigma_with_the_activation_inside_phi_verifies(compiled):
    report = run(compiled, "sigma-primitive", dps=30, steps=4)
    assert report.verdict == "verified", report.table()
    assert mpmath.mpf(report.fixed_point["asymmetry"]) == 0


def test_gdu_sum_tends_to_minus_dJ_dtheta_as_K_grows(compiled):
    model, cm = compiled["sigma-primitive"]
    gaps = []
    for K in (2, 6, 12):
        r = check_discrete(model, compiled=cm, dps=30, steps=K)
        dJ = [mpmath.mpf(x) for x in r.values["dJ_dtheta"]]   # implicit-function route at s*
        upd = [mpmath.mpf(x) for x in r.values["ep_update"]]
        gaps.append(max(abs(u + d) for u, d in zip(upd, dJ)))  # the cost has no theta: -dJ/dtheta is the limit
    rho = mpmath.mpf(r.fixed_point["spectral_radius"])
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 10 * rho ** 12 * max(abs(mpmath.mpf(x)) for x in r.values["dJ_dtheta"]) / (1 - rho)


@pytest.mark.parametrize("name", ["hopfield-step", "sigma-primitive"])
def test_every_false_variant_is_rejected(compiled, name):
    report = run(compiled, name, dps=30, steps=4)
    results = run_variants(report.evidence)
    assert {v.id for v, _ in results} == {v.id for v in VARIANTS} and len(VARIANTS) >= 3
    for variant, result in results:
        assert result is not None and rejected(result), (variant.id, result and result.format(30))


def test_every_discrete_statement_keeps_a_false_variant_in_the_registry():
    from verify.statements import BY_ID, DISCRETE_STATEMENTS, RECORDS

    assert [s.id for s in DISCRETE_STATEMENTS] == ["gdu-s", "gdu-theta", "gdu-sum", "bptt-adjoint"]
    assert {v.of for v in VARIANTS} == {s.id for s in DISCRETE_STATEMENTS}
    assert not any(r.dynamics == "discrete" for r in RECORDS)      # the continuous check never runs them
    assert all(BY_ID[r.id] is r for r in DISCRETE_STATEMENTS + VARIANTS)


def test_a_map_that_is_not_a_contraction_is_not_applicable_with_the_reason():
    text = (MODELS / "sigma-update.toml").read_text().replace('h = "sigmoid(W*h + U*x)"', 'h = "3*W*h + U*x"')
    from symbolic.spec import load_model_text

    report = check_discrete(load_model_text(text, "expanding.toml"), dps=20, steps=3)
    assert report.exit_code == 3 and not report.fixed_point["found"]
    assert "contraction" in report.fixed_point["reason"]
    assert all(not c.applicable and "no fixed point of F" in c.reason for c in report.checks)



def test_cli_check_json_and_exit_codes(run_cli):
    out = run_cli("check", str(MODELS / "sigma-primitive.toml"), "--dps", "20", "--steps", "3", "--json", "-")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["verdict"] == "verified" and doc["settings"]["steps"] == 3
    assert [c["id"] for c in doc["checks"]] == ["gdu-s", "gdu-theta", "gdu-sum", "bptt-adjoint"]
    for key in ("steps", "delta_ep_s", "bptt_s", "delta_ep_theta", "bptt_theta", "dJ_dtheta", "ep_update"):
        assert doc["values"][key] is not None, key
    assert len(doc["values"]["delta_ep_s"]) == 3 and len(doc["values"]["bptt_theta"][0]) == 15
    out = run_cli("check", str(MODELS / "sigma-update.toml"), "--dps", "20", "-q")
    assert out.returncode == 3
    out = run_cli("check", "paper-hopfield", "--steps", "3")
    assert out.returncode == 2 and "--steps applies to discrete models" in out.stderr


def test_cli_derive_prints_the_discrete_objects_per_block(run_cli):
    out = run_cli("derive", str(MODELS / "sigma-update.toml"))
    assert out.returncode == 0, out.stderr
    for words in ("F[h] = σ(W h + U x)", "h^b_(t+1) = σ(W h + U x) + β (y - h)", "g_0[h] = h - y",
                  "J[h,h]", "(J - J^T)/2[h,h]"):
        assert words in out.stdout, words
    out = run_cli("derive", str(MODELS / "hopfield-step.toml"))
    assert "dPhi/db0 = 1/2 ρ(s0)" in out.stdout and "symmetry condition" not in out.stdout


def test_the_api_checks_discrete_models_and_refuses_times_for_them():
    import verify
    from verify.errors import UsageError

    report = verify.check(str(MODELS / "sigma-primitive.toml"), dps=20)
    assert report.verdict == "verified" and report.settings["steps"] == 5
    with pytest.raises(UsageError, match="compares steps"):
        verify.check(str(MODELS / "sigma-primitive.toml"), times=["1"])


def test_falsify_runs_the_discrete_variants_of_the_registry(run_cli):
    out = run_cli("falsify", str(MODELS / "sigma-primitive.toml"), "--dps", "20", "--json")
    rows = {r["variant"]: r for r in json.loads(out.stdout)}
    assert {v.id for v in VARIANTS} <= set(rows)
    assert all(rows[v.id]["instances"] == rows[v.id]["rejected"] == 1 for v in VARIANTS)
    assert out.returncode == 0      # a discrete model runs the discrete catalogue only: every variant exercised
    assert set(rows) == {v.id for v in VARIANTS}


def test_the_api_takes_steps_for_a_discrete_model_and_refuses_it_for_an_energy():
    import verify
    from verify.errors import UsageError

    report = verify.check(str(Path(__file__).parent / "models" / "hopfield-step.toml"), dps=20, steps=3)
    assert report.verdict == "verified" and report.settings["steps"] == 3
    with pytest.raises(UsageError, match="steps applies to discrete models"):
        verify.check("riccati", dps=16, steps=3)
