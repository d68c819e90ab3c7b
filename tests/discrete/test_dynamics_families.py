"""Random families of other dynamics (issue 13, item 5): each drawn model states its expected outcome
(verified, or not applicable for the reason the family builds in) and the check gives exactly that.

Default profile: two small instances per family (a few seconds in all); ``HYPOTHESIS_PROFILE=thorough``
draws many, of the families' full sizes.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
from hypothesis import given, note, settings

import verify
from verify import strategies as S
from verify.strategies.expectation import NOT_GRADIENT
from verify.strategies.field import field as draw_field

THOROUGH = settings.default.max_examples >= 200
EXAMPLES = settings(max_examples=200 if THOROUGH else 2)
DPS = 20
FIELD_TIMES = ["0", "1/2"]


def options(family):
    return {} if THOROUGH else S.REGISTRY[family].small


def check(inst):
    times = FIELD_TIMES if inst.model.dynamics == "continuous" else None
    return verify.check(inst.model, dps=DPS, times=times)


@pytest.mark.parametrize("family", S.DYNAMICS_FAMILIES)
def test_each_drawn_instance_gives_its_expected_outcome(family):
    @EXAMPLES
    @given(S.instances(family, **options(family)))
    def run(inst):
        report = check(inst)
        note(inst.to_toml())
        note(report.table())
        assert inst.expected.mismatches(report) == [], inst.expected.mismatches(report)

    run()


def test_the_expectations_are_the_ones_the_families_build_in():
    """Gradient maps verify; the sigma-update and a skew field are N/A as not gradient maps (never verified)."""
    rng = random.Random("expectations")
    outcomes = {}
    for family in S.DYNAMICS_FAMILIES:
        inst, _ = S.draw_valid(family, rng, **S.REGISTRY[family].small)
        outcomes[family] = dict(inst.expected.statements)
    for family in ("discrete-step", "discrete-primitive"):
        assert set(outcomes[family].values()) == {"PASS"} and len(outcomes[family]) == 4
    assert outcomes["sigma-update"]["gdu-s"] == NOT_GRADIENT and outcomes["sigma-update"]["bptt-adjoint"] == "PASS"
    skew = draw_field(S.RandomSource(random.Random(1)), alphas=[Fraction(1, 2)])
    assert skew.expected.verdict == "hypotheses-not-met"
    assert dict(skew.expected.statements)["field-ep"] == NOT_GRADIENT


def test_an_outcome_other_than_the_expected_one_is_caught():
    """A gradient map's report does not meet the sigma-update's expectation, nor the reverse."""
    rng = random.Random("caught")
    step, _ = S.draw_valid("discrete-step", rng, **S.REGISTRY["discrete-step"].small)
    sigma, _ = S.draw_valid("sigma-update", rng, **S.REGISTRY["sigma-update"].small)
    step_report, sigma_report = check(step), check(sigma)
    assert step.expected.mismatches(step_report) == [] and sigma.expected.mismatches(sigma_report) == []
    wrong = sigma.expected.mismatches(step_report)
    assert any(m.startswith("verdict verified") for m in wrong) and any(m.startswith("gdu-s: PASS") for m in wrong)
    assert any(m.startswith("gdu-s: N/A") for m in step.expected.mismatches(sigma_report))


def test_drawn_instances_load_back_from_their_model_files():
    from symbolic.spec import load_model_text

    for family in S.DYNAMICS_FAMILIES:
        inst, _ = S.draw_valid(family, random.Random(f"roundtrip/{family}"))
        back = load_model_text(inst.to_toml(dps=25), "<written>")
        assert back.dynamics == inst.model.dynamics and back.settings["dps"] == 25
        assert back.field == inst.model.field and back.theta_values == inst.model.theta_values


def test_random_command_holds_each_instance_to_its_expectation(tmp_path):
    from verify.cli import main

    out = tmp_path / "summary.json"
    code = main(["random", "--family", "sigma-update", "--examples", "2", "--dps", "20", "--quiet",
                 "--json", str(out), "--out", str(tmp_path / "failures")])
    summary = json.loads(out.read_text())
    assert code == 0, summary                       # N/A as built is not a hypotheses-not-met exit
    assert summary["verdicts"]["hypotheses-not-met"] == 2
    assert summary["expectations"] == {"instances": 2, "as_expected": 2, "unexpected": {}}
    assert [r["expected"] for r in summary["instances"]] == ["hypotheses-not-met"] * 2
    assert not (tmp_path / "failures").exists()
