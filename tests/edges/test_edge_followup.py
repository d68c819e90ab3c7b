"""Regressions for issue 10's follow-up: what the edge strategy and the 1,000-instance sweep found.

- X and Y (Eq 15, 16) have different units: a large Y_0 must neither hide an
  error in X (a false variant passed) nor swamp the finite differences of
  theorem3-ode (inconclusive on a valid model);
- the fixed-point follower must not accept a Newton proposal that is no root
  (hopfield 248 of the sweep: "no critical point of E" on a model with a minimum);
- a singular H at s_theta^0 is a clear "hypotheses not met" for every beta method.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import verify
from symbolic.spec import load_model_text
from verify.statements import BY_ID, rejected

FINDINGS = Path(__file__).resolve().parents[2] / "bench" / "findings" / "sweep-seed2026"

# Y_0 = dC/db = 2e40 b = 2e25 while X_0 = s0 - y ~ -2e-15: 40 decades apart; the quartic makes
# H at the initial state (s = 1: H = 4) differ from H at s_theta^0 (~1)
LARGE_Y0 = """
name = "large-Y0"
description = "theta = 1e-15 moves s; C has a 1e40 b^2 term: Y_0 = 2e25 next to X_0 ~ 1e-15"
[state]
s = 0
[params]
b = 0
[targets]
y = "3e-15"
[model]
energy = "s**2/2 + s**4/4 - b*s"
cost = "(s - y)**2/2 + 1e40*b**2"
[values]
b = "1e-15"
[settings]
initial_state = 1
times = [0, 1, 3]
"""

DEGENERATE = """
name = "degenerate-minimum"
description = "E = s^4/4 - a s with a = 0, started at 0: H(s_theta^0) = 0"
[state]
s = 0
[params]
a = 0
[targets]
y = 1
[model]
energy = "s**4/4 - a*s"
cost = "(s - y)**2/2"
[values]
a = 0
[settings]
initial_state = 0
times = [0, 1]
"""


def _evidence(model, dps):
    from verify.evidence import gather
    from verify.precision import Precision

    precision = Precision(dps)
    return gather(model, precision=precision, times=model.settings["times"], beta_method="symmetric",
                  backend="mpmath", seed=0, max_directions=64, progress=lambda *a, **k: None)


def test_a_large_Y0_does_not_hide_an_error_in_X():
    """hessian-at-initial-state changes X by O(1) of X: rejected, though X is 1e-40 of Y_0."""
    ev = _evidence(load_model_text(LARGE_Y0, "<large-Y0>"), 40)
    variant = BY_ID["hessian-at-initial-state"]
    assert variant.applies(ev)
    result = variant.run(ev)
    assert rejected(result), (result.digits, result.max_rel_error, result.tolerance)
    assert result.tolerance_origin.startswith("X:")      # the X block decided it


def test_a_large_Y0_leaves_every_statement_verified():
    """theorem3-ode differentiates a Y~ that moves by 1e-40 of its size: the EP route carries the digits."""
    report = verify.check(load_model_text(LARGE_Y0, "<large-Y0>"), dps=40)
    assert report.verdict == "verified", report.table()
    assert all(c.digits >= 40 for c in report.checks), report.table()


def test_a_newton_proposal_must_be_a_root():
    """hopfield 248: Newton from the early flow wandered to a non-root, which was taken as the target."""
    path = FINDINGS / "hopfield-seed2026-248.toml"
    # the sweep ran on heyoka; the finding is the fixed point's, so the test runs on every install
    text = path.read_text().replace('backend = "heyoka"\n', "")
    report = verify.check(load_model_text(text, str(path)), dps=30)
    assert report.verdict == "verified", report.table()
    s0 = report.evidence.fixed_point.s
    assert [round(float(x), 3) for x in s0] == [9.333, 27.891, 29.649]   # where the float64 flow settles


@pytest.mark.parametrize("method", ["symmetric", "complex-step"])
def test_a_singular_hessian_is_hypotheses_not_met(method):
    report = verify.check(load_model_text(DEGENERATE, "<degenerate>"), dps=20, beta_method=method)
    assert report.verdict == "hypotheses-not-met"
    ep_checks = [c for c in report.checks if c.id in ("theorem3", "corollary4", "eq24", "theorem2")]
    assert all(not c.applicable and "analyticity radius 0" in c.reason for c in ep_checks)
    assert {c.id: c.status for c in report.checks}["theorem1"] == "PASS"     # the RBP and direct routes still run
