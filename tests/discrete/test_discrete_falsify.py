"""The discrete false variants (issue 13, item 5): at least three are rejected on each kind of discrete model,
and ``falsify -v`` lists the catalogue of the model's dynamics (the GDU variants for discrete models)."""

from pathlib import Path

import pytest

from symbolic.load import load_model
from verify.discrete.check import check_discrete
from verify.statements import DISCRETE_VARIANTS, VARIANTS, rejected, run_variants

MODELS = Path(__file__).parent / "models"
# one model per way of writing a discrete map: energy + step, primitive, and an [update] that is a gradient map
KINDS = {"energy-step": "hopfield-step", "primitive": "hopfield-primitive", "update": "pair-update"}
REQUIRED = {"gdu-s-beta-flipped", "gdu-s-index-off-by-one"}   # the sign of beta, BPTT's index: every kind


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_at_least_three_discrete_variants_are_rejected_on_each_kind_of_map(kind):
    model = load_model(str(MODELS / f"{KINDS[kind]}.toml"))
    assert model.dynamics == "discrete"
    report = check_discrete(model, dps=20)
    checks = {c.id: c for c in report.checks}
    assert checks["gdu-s"].applicable and all(c.passed for c in checks.values() if c.applicable), report.table()
    assert report.verdict == ("hypotheses-not-met" if kind == "update" else "verified")   # [update]: no Phi
    ev = report.evidence
    with ev.precision.context():
        outcomes = {v.id: r for v, r in run_variants(ev) if r is not None}
    assert all(rejected(r) for r in outcomes.values()), {k: r.format(20) for k, r in outcomes.items()}
    assert len(outcomes) >= 3 and REQUIRED <= set(outcomes)
    if kind != "update":     # Phi models: DeltaEP_theta at the free state too
        assert "gdu-theta-free-state" in outcomes


def test_falsify_verbose_lists_the_discrete_catalogue_for_discrete_models(run_cli):
    out = run_cli("falsify", str(MODELS / "pair-update.toml"), "--dps", "20", "-v")
    listed = [line.split(": ")[1] for line in out.stderr.splitlines() if line.startswith("  ")]
    assert listed == [v.id for v in DISCRETE_VARIANTS]
    assert not set(listed) & {v.id for v in VARIANTS}
    assert "gdu-s-beta-flipped: rejected" in out.stderr
    assert "gdu-theta-free-state: does not apply" in out.stderr   # an [update] map has no Phi
    assert "true statements verified where they apply (hypotheses not met)" in out.stderr
    assert out.returncode == 3          # two variants need Phi: not exercised on this model alone


def test_the_field_statements_keep_false_variants_that_are_rejected(run_cli):
    from verify.discrete.continuous_field import STATEMENTS, VARIANTS as FIELD_VARIANTS

    assert {v.of for v in FIELD_VARIANTS} == {cid for cid, *_ in STATEMENTS}     # one per statement at least
    out = run_cli("falsify", str(MODELS / "field-pair.toml"), "--dps", "16", "--times", "0,1/2", "-v")
    assert "true statements verified" in out.stderr and out.returncode == 0
    for v in FIELD_VARIANTS:
        assert f"{v.id}: rejected" in out.stderr


def test_on_a_skew_field_only_the_adjoints_variant_applies():
    from verify.discrete.continuous_field import check_field
    from symbolic.spec import load_model_text

    text = (MODELS / "field-pair.toml").read_text().replace("alpha = 0\n", 'alpha = "1/4"\n')
    report = check_field(load_model_text(text, "skew.toml"), dps=16, times=["0", "1/2"])
    outcomes = {v.id: r for v, r in report.variants}
    assert rejected(outcomes["field-rbp-adjoint-sign-flipped"])
    assert outcomes["field-ep-sign-flipped"] is None and outcomes["field-rbp-naive-time-doubled"] is None


def test_falsify_keeps_the_checks_own_verdict_when_a_statement_does_not_apply():
    """An [update] map has no Phi: the check says hypotheses-not-met, and so must falsify's record
    (it used to say "verified", while `random` said hypotheses-not-met for the same instance)."""
    from verify.sweep.task import falsify_model

    record = falsify_model(load_model(str(MODELS / "pair-update.toml")), dps=20)
    assert record["verdict"] == "hypotheses-not-met" and record["failing"] == []
    assert record["variants"] and all(v["rejected"] for v in record["variants"].values())
