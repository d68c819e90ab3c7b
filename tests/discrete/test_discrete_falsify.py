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
    assert out.returncode == 3          # two variants need Phi: not exercised on this model alone


def test_falsify_on_a_continuous_field_has_no_variant_to_run_and_says_so(run_cli):
    out = run_cli("falsify", str(MODELS / "field-pair.toml"), "--dps", "16", "--times", "0,1/2")
    assert "true statements verified" in out.stderr
    assert "no false variant applies" in out.stderr and out.returncode == 3
