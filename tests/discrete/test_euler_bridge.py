"""The Euler bridge: discrete quantities of F = s - eps dE/ds -> the paper's continuous ones, to first order."""

import json
import subprocess
import sys

import mpmath
import pytest

from verify.discrete.bridge import fitted_order


def test_fitted_order_recovers_a_known_power_law():
    eps = [mpmath.mpf(1) / m for m in (8, 16, 32, 64)]
    assert abs(fitted_order(eps, [3 * e + e**2 for e in eps]) - 1) < 0.05
    assert abs(fitted_order(eps, [2 * e**2 for e in eps]) - 2) < 1e-12


@pytest.mark.slow
def test_paper_hopfield_bridge_is_first_order():
    out = subprocess.run([sys.executable, "-m", "verify", "check", "paper-hopfield", "--dps", "20", "--times",
                          "0,0.5,1,2", "--bridge", "--json", "-"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    bridge = doc["values"]["bridge"]
    assert bridge["passed"] and abs(bridge["order_bptt"] - 1) <= 0.1 and abs(bridge["order_ep"] - 1) <= 0.1
    gaps = [float(g) for g in bridge["gap_bptt"]]
    assert all(a > b for a, b in zip(gaps, gaps[1:]))     # the gap shrinks with eps
    assert [c["id"] for c in doc["checks"]][-1] == "euler-bridge"


def test_bridge_rejects_its_false_variant_and_passes_the_true_statement():
    """The bridge can fail: read at k = 2t/eps (FALSE_VARIANT) the gap stays, and the order is far from 1."""
    import verify
    from symbolic.load import load_model
    from verify.discrete.bridge import FALSE_VARIANT, ORDER_TOLERANCE, euler_bridge

    model = load_model("quadratic")
    report = verify.check(model, dps=16, times=["0", "1/2"], beta_method="complex-step")
    ladder = (8, 16, 32)                     # the default suite's budget: the fit's three rungs only
    true = euler_bridge(model, report, 16, ladder)
    false = euler_bridge(model, report, 16, ladder, time_factor=2)
    assert true.passed, true.table()
    assert not false.passed and abs(false.order_bptt - 1) > 5 * ORDER_TOLERANCE, (FALSE_VARIANT, false.table())
    assert false.gap_bptt[-1] > 10 * true.gap_bptt[-1]     # at the finest eps
