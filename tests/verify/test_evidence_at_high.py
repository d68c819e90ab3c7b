"""s_theta^0 refined at the raised precision once for the J and the EP routes (verify.evidence).

When that refinement fails inside the J route, the EP route asks again and must meet the same
FixedPointNotFound (with its message), not a half-filled cache (KeyError 's0'); each route then
reports it as its reason for not applying, and the check ends (exit 3), never with a traceback.
"""

from __future__ import annotations

import verify
import verify.evidence
from symbolic.load import load_model
from verify.fixed_point import FixedPointNotFound


def test_a_refinement_that_fails_fails_with_its_message_for_both_routes(monkeypatch):
    calls = []

    def refine(*args, **kwargs):
        calls.append(1)
        raise FixedPointNotFound("no Newton convergence at the raised precision (on purpose)")

    monkeypatch.setattr(verify.evidence, "refine", refine)
    report = verify.check(load_model("quadratic"), dps=20)
    assert len(calls) == 2   # the J route's attempt (reported there) and the EP route's
    assert report.verdict == "hypotheses-not-met"
    reasons = {c.id: c.reason for c in report.checks if not c.applicable}
    assert {"theorem2", "theorem3", "theorem3-ode", "corollary4", "eq24"} <= set(reasons)
    assert all("on purpose" in reason for reason in reasons.values())
    assert "refined to the EP route's precision" in reasons["theorem3"]
    assert {c.id for c in report.checks if c.applicable} == {"theorem1", "cauchy-ode"}
