"""Property: at the edges (verify.edge_cases) a check gives the verdict the strategy expects.

Never FAIL on a valid model; N/A only for the reason the strategy states
(not a strict minimum; nothing to compare). The falsification catalogue runs
on drawn edge cases too: no false variant may pass.

Default run: a few instances. ``HYPOTHESIS_PROFILE=thorough``: 320 instances
for the verdicts, 30 for the catalogue (EQPROP_EDGE_EXAMPLES and
EQPROP_EDGE_FALSIFY override the counts).
"""

from __future__ import annotations

import os
import random

import mpmath
import pytest
from hypothesis import Phase, event, given, note, settings

from verify import edge_cases as E
from verify.strategies import RandomSource

THOROUGH = settings.default.max_examples >= 200
EXAMPLES = int(os.environ.get("EQPROP_EDGE_EXAMPLES", 320 if THOROUGH else 4))
FALSIFY = int(os.environ.get("EQPROP_EDGE_FALSIFY", 30 if THOROUGH else 2))
BACKEND = os.environ.get("EQPROP_TEST_BACKEND", "mpmath")
DPS = (20, 30) if THOROUGH else (20,)
LOG = os.environ.get("EQPROP_EDGE_LOG")   # a file: one line per checked instance (kind, verdict, FAILs, N/A reasons)
BUDGET = 20            # times: at most 20 fastest relaxation times (explicit integrators, issue 11)

EDGE_SETTINGS = settings(max_examples=EXAMPLES, phases=[Phase.explicit, Phase.reuse, Phase.generate]
                         + ([Phase.shrink] if THOROUGH else []))


@EDGE_SETTINGS
@given(case=E.edge_cases(dps=DPS, budget=BUDGET))
def test_edge_cases_get_the_expected_verdict(case):
    from verify.theorems import check

    event(case.kind)
    report = check(case.model, dps=case.dps, times=[str(t) for t in case.times], backend=BACKEND)
    note(report.table())
    problems = case.judge(report)
    reasons = sorted({next((r for r in (E.NOT_MINIMUM, E.VACUOUS) if r in (c.reason or "")), c.reason or "")
                      for c in report.checks if not c.applicable})
    event(f"{case.kind}: {report.verdict}")
    for reason in reasons:
        event(f"N/A: {reason}")
    if LOG:   # one line per instance, for counting (the events are percentages)
        with open(LOG, "a") as out:
            fails = sum(c.applicable and not c.passed for c in report.checks)
            out.write(f"{case.kind}\t{report.verdict}\t{fails}\t{'|'.join(reasons)}\t{case.note}\t"
                      f"{[str(t) for t in case.times]}\t{case.dps}\t{'ok' if not problems else 'PROBLEM'}\n")
    assert not problems, "\n".join([repr(case), *problems, "", report.table(), "", case.to_toml()])


def _falsify(case):
    from verify.evidence import gather
    from verify.precision import Precision
    from verify.statements import run_variants

    precision = Precision(case.dps)
    with precision.context():
        ev = gather(case.model, precision=precision, times=[mpmath.mpf(t.numerator) / t.denominator for t in case.times],
                    beta_method="symmetric", backend=BACKEND, seed=0, max_directions=64,
                    progress=lambda *a, **k: None)
        return run_variants(ev)


def test_false_variants_are_rejected_on_edge_cases():
    """The catalogue of false statements on FALSIFY drawn edge cases: every variant that applies is
    rejected (fails by far more than its tolerance; neither passed nor inconclusive nor vacuous)."""
    from verify.statements import rejected

    rng = random.Random("edge-falsify")
    applied, missed = 0, []
    for _ in range(FALSIFY):
        case = E.draw_case(RandomSource(rng), kinds=("convex", "fold"), dps=DPS, budget=BUDGET)
        for variant, result in _falsify(case):
            if result is None:
                continue
            applied += 1
            if not rejected(result):
                missed.append(f"{variant.id} not rejected on {case!r} ({result.status}, digits {result.digits}, "
                              f"rel {result.max_rel_error}, tolerance {result.tolerance}, {result.reason})")
    assert not missed, "\n".join(missed)
    assert applied >= FALSIFY          # the variants were exercised, not skipped


@pytest.mark.parametrize("kind", E.KINDS)
def test_drawn_edge_cases_are_model_files_that_load_back(kind):
    from symbolic.spec import load_model_text

    rng = random.Random(f"edge/{kind}")
    for _ in range(5):
        case = E.draw_case(RandomSource(rng), kinds=(kind,))
        back = load_model_text(case.to_toml(), "<written>")
        assert back.energy == case.model.energy and back.cost == case.model.cost
        assert [str(t) for t in back.settings["times"]] == [str(t) for t in case.times]


def test_the_strategy_reaches_the_edges():
    """Scales 1e-20..1e6, condition numbers to 1e6, folds to 1e-40, unused params, theta-free costs."""
    rng = random.Random("edge/coverage")
    cases = [E.draw_case(RandomSource(rng)) for _ in range(300)]
    text = " ".join(c.note for c in cases)
    assert "E scale 1e-20" in text and "E scale 1e6" in text and "theta scale 1e-20" in text
    assert "cond(A) = 1e6" in text and "cond(A) = 1e4" in text
    assert any(c.kind == "fold" and "a = 1e-4" in c.note for c in cases)
    assert any("z" in c.doc["params"] for c in cases) and any("theta-dependent" not in c.note for c in cases)
    assert {c.kind for c in cases} == set(E.KINDS)
