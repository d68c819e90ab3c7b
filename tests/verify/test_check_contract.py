"""The check command and API as a user runs them: JSON contract, exit codes, hypotheses."""

import json
import subprocess
import sys

import mpmath
import pytest

import verify
from symbolic.spec import load_model_text

RUN = [sys.executable, "-m", "verify"]


def run(*args, **kw):
    return subprocess.run([*RUN, *args], capture_output=True, text=True, timeout=600, **kw)


def test_check_json_contract_and_exit_code(tmp_path):
    out = tmp_path / "r.json"
    proc = run("check", "riccati", "--dps", "30", "--times", "0,0.5,1", "--backend", "mpmath",
               "--beta-method", "complex-step", "--json", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(out.read_text())
    assert doc["schema"] == "eqprop-verify/check/1"
    for key in ("tool", "model", "settings", "environment", "fixed_point", "verdict", "checks", "values"):
        assert key in doc
    assert doc["verdict"] == "verified"
    assert doc["model"]["state"] == ["s"] and doc["model"]["params"] == ["a", "b", "c"]
    assert doc["settings"]["dps"] == 30 and doc["settings"]["times"] == ["0", "0.5", "1"]
    assert doc["settings"]["times_exact"] == ["0", "1/2", "1"]
    ids = {c["id"] for c in doc["checks"]}
    assert {"theorem1", "theorem2", "theorem3", "corollary4", "eq24"} <= ids
    for c in doc["checks"]:
        assert set(c) >= {"id", "equations", "compared", "max_abs_error", "max_rel_error", "tolerance",
                          "digits", "passed", "applicable", "reason"}
        assert c["passed"] and c["applicable"] and c["digits"] >= 25
        assert float(c["max_rel_error"]) <= float(c["tolerance"])
    values = doc["values"]
    for key in ("X", "Y", "dL_ds", "dL_dtheta", "X_tilde", "Y_tilde"):
        assert len(values[key]) == 3 and all(isinstance(x, str) for row in values[key] for x in row)
    assert len(values["dJ_dtheta"]) == 3 and len(values["ep_gradient"]) == 3
    mpmath.mpf(values["X"][1][0])  # decimal strings


def test_check_json_to_stdout():
    proc = run("check", "riccati", "--dps", "20", "--times", "0,1", "--backend", "mpmath", "--json", "-")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "verified"


@pytest.mark.parametrize("args, message", [
    (["check", "riccati", "--beta-method", "nope"], "invalid choice"),
    (["check", "riccati", "--dps", "5"], "--dps"),
    (["check", "riccati", "--times", "a,b"], "--times has 'a', which is not a number"),
    (["check", "riccati", "--times", "-1"], "--times must be >= 0"),
    (["check", "riccati", "--times", ","], "is not a number"),
    (["check", "riccati", "--times", "nan"], "is not a number"),
    (["check", "riccati", "--times", "1/0"], "is not a number"),
    (["check", "riccati", "--max-directions", "0"], "--max-directions must be an integer >= 1"),
    (["check", "no-such-model"], "no-such-model"),
])
def test_bad_arguments_exit_2(args, message):
    proc = run(*args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


SADDLE = """
name = "double-well-saddle"
[state]
u = 0
v = 0
[params]
w = 0
[targets]
y = 1
[model]
energy = "(u**2 - 1)**2/4 + v**2/2 - w*u*v"
cost = "(u - y)**2/2 + v**2/2"
[values]
w = "1/10"
[settings]
initial_state = 0
"""

DIVERGENT = """
name = "quartic-divergent"
[state]
s = 0
[params]
k = 0
[targets]
y = 0
[model]
energy = "s**2/2 - k*s**4/4"
cost = "(s - y)**2/2"
[values]
k = 1
[settings]
initial_state = 2
"""


@pytest.mark.parametrize("text, kind", [(SADDLE, "saddle"), (DIVERGENT, "diverg")])
def test_hypotheses_not_met_exit_3(tmp_path, text, kind):
    path = tmp_path / "m.toml"
    path.write_text(text)
    proc = run("check", str(path), "--dps", "20", "--times", "0,0.5,1", "--backend", "mpmath",
               "--beta-method", "complex-step", "--json", "-")
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["verdict"] == "hypotheses-not-met"
    checks = {c["id"]: c for c in doc["checks"]}
    assert not checks["theorem2"]["applicable"] and not checks["theorem2"]["passed"]
    if kind == "diverg":
        # the free flow from s = 2 blows up: no fixed point is named (Newton from the start would
        # find the local maximum s = 1, which the flow never reaches)
        assert not doc["fixed_point"]["found"] and "blows up" in doc["fixed_point"]["reason"]
        assert all(not c["applicable"] for c in doc["checks"])
        return
    assert "strict minimum" in checks["theorem2"]["reason"]
    assert doc["fixed_point"]["description"].startswith("saddle point of index 1")
    # the finite-time identities need only a critical point: still checked, and they hold
    for cid in ("theorem1", "theorem3", "corollary4"):
        assert checks[cid]["applicable"] and checks[cid]["passed"], checks[cid]
    # M = 0 at the saddle and dC/dtheta = 0: Y_t = 0 on both sides of Eq 24, nothing compared
    assert checks["eq24"]["vacuous"] and checks["eq24"]["digits"] is None
    assert checks["eq24"]["reason"] == "both sides are 0 to working precision"


def test_api_restores_precision_and_assert_verified():
    before = mpmath.mp.prec
    report = verify.check("riccati", dps=20, times=["0", "1"], backend="mpmath", beta_method="complex-step")
    assert mpmath.mp.prec == before
    assert report.assert_verified() is report
    saddle = verify.check(load_model_text(SADDLE), dps=20, times=["0", "1"], backend="mpmath",
                          beta_method="complex-step")
    with pytest.raises(AssertionError, match="hypotheses-not-met"):
        saddle.assert_verified()
