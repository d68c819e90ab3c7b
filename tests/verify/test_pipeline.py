"""The one check pipeline (verify.pipeline): the report's plots reuse the check's evidence; false variants."""

from __future__ import annotations

import mpmath

from symbolic.compile import Compiled
from symbolic.load import load_model
from verify import config, fixed_point, pipeline
from verify.report import curves

TIMES = ["0", "1/2", "1"]


def test_the_report_curves_are_drawn_from_the_checks_own_evidence(monkeypatch):
    """No second compile and no second free fixed point after the check (issue 9 item 2)."""
    report = pipeline.check("riccati", dps=20, times=TIMES, backend="mpmath")
    ev = report.evidence
    assert ev is not None and ev.precision.dps == 20 and report.to_dict()["settings"]["dps"] == 20
    assert "evidence" not in report.to_dict()

    calls = {"compile": 0, "follow": 0}
    real_init, real_follow = Compiled.__init__, fixed_point.follow

    def counting_init(self, *a, **k):
        calls["compile"] += 1
        real_init(self, *a, **k)

    def counting_follow(*a, **k):
        calls["follow"] += 1
        return real_follow(*a, **k)

    monkeypatch.setattr(Compiled, "__init__", counting_init)
    monkeypatch.setattr(fixed_point, "follow", counting_follow)
    before = mpmath.mp.dps
    drawn = curves.compute(report)
    assert calls == {"compile": 0, "follow": 0}
    assert mpmath.mp.dps == before
    # the dense closed form passes through the check's own values at the check's times
    for t, x in zip(drawn.check_t, report.values["X"]):
        k = drawn.dense_t.index(t)
        assert abs(drawn.X[k][0] - float(x[0])) <= 1e-12 * max(1.0, abs(float(x[0])))
    assert drawn.ladder is not None and drawn.ladder.betas


def test_a_false_variant_runs_on_the_same_evidence_and_fails_the_check():
    model = load_model("riccati")
    settings = config.resolve(model, dps=20, times=TIMES, backend="mpmath")
    report = pipeline.run(model, settings, variant="eq23-sign-flipped")
    ids = [c.id for c in report.checks]
    assert ids[-1] == "eq23-sign-flipped" and report.settings["variant"] == "eq23-sign-flipped"
    false = report.checks[-1]
    assert false.applicable and not false.passed and report.verdict == "failed"
    assert all(c.passed for c in report.checks[:-1])        # the true statements on the same evidence
