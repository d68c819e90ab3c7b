"""``eqprop-verify audit``: one entry per equation 1-62, the known misprints found, the rest verified.

The fast tests audit two small models (riccati: a cost independent of theta;
quadratic: a theta-dependent cost) at low precision, once per module. Reference
values come from closed forms of those models, never from the audit itself.
"""

import json
import os
import re
import subprocess
import sys

import mpmath
import pytest

from verify import audit as audit_mod
from symbolic.paper_checks import proved
from verify.audit import CLASSES, EQUATIONS, VERDICTS, Finding, audit, closing_note, html_section, table, to_json

FAST_MODELS = ("riccati", "quadratic")
FAST_DPS = 20


@pytest.fixture(scope="module")
def entries():
    return audit(models=FAST_MODELS, dps=FAST_DPS, backend="mpmath")


@pytest.fixture(scope="module")
def by_number(entries):
    return {e["equation"]: e for e in entries}


def test_every_equation_once_in_order(entries):
    assert [e["equation"] for e in entries] == [str(n) for n in range(1, 63)]
    assert [eq.number for eq in EQUATIONS] == [str(n) for n in range(1, 63)]


def test_entries_have_the_contract_keys_and_allowed_values(entries):
    for e in entries:
        assert list(to_json([e])[0])[:5] == ["equation", "class", "verdict", "evidence", "corrected"]
        assert e["class"] in CLASSES, e
        assert e["verdict"] in VERDICTS, e
        assert isinstance(e["evidence"], str) and e["evidence"], e
        assert isinstance(e["corrected"], str)
        assert isinstance(e["statement"], str) and e["statement"]
        if e["verdict"] == "fails-as-printed":
            assert e["corrected"], f"Eq {e['equation']} fails as printed but has no corrected form"
            assert e["counterexample"], f"Eq {e['equation']} fails as printed without a counterexample"


def test_no_check_is_inconclusive(entries):
    # at these settings every checkable equation must be decided: nothing "not-checkable" beyond pure definitions
    undecided = [e["equation"] for e in entries if e["verdict"] == "not-checkable"]
    assert undecided == ["1", "3", "9", "17", "46"], [(n, [e["evidence"] for e in entries if e["equation"] == n])
                                                      for n in undecided]


@pytest.mark.parametrize("number", ["20", "23", "24", "27", "28", "32", "33", "34", "35", "37", "38", "42",
                                    "44", "51", "53", "55", "59", "62"])
def test_true_identities_hold(by_number, number):
    e = by_number[number]
    assert e["verdict"] == "holds", e["evidence"]
    assert set(e["models"]) >= set(FAST_MODELS)
    assert e["digits"] is not None and e["digits"] > FAST_DPS - 5, e["evidence"]


def test_eq56_fails_as_printed_with_numbers(by_number):
    e = by_number["56"]
    assert e["verdict"] == "fails-as-printed"
    assert e["error_kind"] == "mathematical"
    assert {"riccati", "quadratic", "sympy"} <= set(e["failing"])
    assert "-H" in e["corrected"] and "Eq 53" in e["corrected"]
    # riccati (E = a s^2/2 - b s^3/3 - c s, a=2, b=c=1/2, y=1): s0 = 2 - sqrt(3), so the term the printed
    # equation drops, -dC/ds(s0) = y - s0, is sqrt(3) - 1 (closed form)
    text = next(c for c in e["counterexamples"] if c.startswith("riccati"))
    lhs, printed, eq53 = (mpmath.mpf(x) for x in re.findall(r"= (-?[0-9.]+(?:e-?\d+)?)", text)[:3])
    assert abs((lhs - printed) - (mpmath.sqrt(3) - 1)) < 1e-10, text
    assert abs(lhs - eq53) < 1e-10, text


def test_eq61_fails_on_theta_dependent_cost_only(by_number):
    e = by_number["61"]
    assert e["verdict"] == "fails-as-printed"
    assert e["error_kind"] == "mathematical"
    assert "quadratic" in e["failing"] and "riccati" not in e["failing"]
    assert "dC_theta/dtheta(s_theta^0)" in e["corrected"]
    # quadratic: C = |y - s|^2/2 + theta.theta/20 with theta = (3/10, -7/10): dC/dtheta = theta/10 (closed form)
    text = next(c for c in e["counterexamples"] if c.startswith("quadratic"))
    assert "theta[1]" in text and "Y~_0 = -0.07" in text and "printed 0" in text, text


def test_notation_slips(by_number):
    for n in ("5", "6", "7", "31"):
        assert by_number[n]["verdict"] == "fails-as-printed", by_number[n]["evidence"]
        assert by_number[n]["error_kind"] == "notation"
    assert "elementwise" in by_number["5"]["corrected"]
    assert "W01^T" in by_number["6"]["corrected"] and "W12^T" in by_number["7"]["corrected"]
    assert "shape mismatch" in by_number["5"]["counterexample"]
    # a missing exponent with a single reading is noted, not counted as a failure
    for n in ("57", "58", "60", "62"):
        assert by_number[n]["verdict"] == "holds"
        assert by_number[n]["error_kind"] == "notation" and "d2E" in by_number[n]["corrected"]


def test_definitions(by_number):
    for n in ("1", "3", "9", "17"):
        assert by_number[n]["class"] == "definition" and by_number[n]["verdict"] == "not-checkable"
    for n in ("2", "19", "41", "48", "49", "50"):
        assert by_number[n]["class"] == "definition" and by_number[n]["verdict"] == "holds"
    assert by_number["10"]["class"] == "limit" and by_number["10"]["verdict"] == "holds"
    assert "decay rate" in by_number["10"]["evidence"]


def test_closing_note_lists_the_wrong_equations_with_counterexamples(entries):
    note = closing_note(entries)
    for n in ("5", "6", "7", "31", "56", "61"):
        assert f"Eq {n}:" in note
    assert note.count("counterexample:") == 6
    assert "Eq 23:" not in note
    text = table(entries)
    assert re.search(r"^Eq 23\s+identity\s+holds\s+corollary4: \d+\.\d digits", text, re.M), text
    assert note in text


def test_html_section(entries):
    fragment = html_section(entries)
    assert fragment.count("<tr class=") == 62
    assert 'class="fails-as-printed"' in fragment and "<script" not in fragment


def test_verdict_rules():
    eq = next(e for e in EQUATIONS if e.number == "27")
    held = Finding("m", "holds", "m: 30 digits", 30.0)
    undecided = Finding("n", "inconclusive", "n: inconclusive")
    failed = Finding("n", "fails", "n: FAILS", counterexample="n, t=1: 1 vs 2")
    assert audit_mod.entry(eq, [held])["verdict"] == "holds"
    assert audit_mod.entry(eq, [held, undecided])["verdict"] == "not-checkable"
    out = audit_mod.entry(eq, [held, failed])
    assert out["verdict"] == "fails-as-printed" and out["counterexample"] == "n, t=1: 1 vs 2"
    # a corrected-form finding never decides the printed verdict
    assert audit_mod.entry(eq, [held, Finding("m", "fails", "x", role="corrected")])["verdict"] == "holds"
    # a symbolic residual that does not simplify to 0 is undecided, not false (three-valued)
    assert proved([1], "r").outcome == "inconclusive"


def test_json_cli():
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "verify", "audit", "--models", "riccati", "--dps", "15", "--json",
                           "--backend", "mpmath"], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data) == 62 and {d["equation"] for d in data} == {str(n) for n in range(1, 63)}
    by = {d["equation"]: d for d in data}
    assert by["56"]["verdict"] == "fails-as-printed" and by["23"]["verdict"] == "holds"


def test_cli_usage_errors():
    proc = subprocess.run([sys.executable, "-m", "verify", "audit", "--models", "no-such-model", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no-such-model" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "verify", "audit", "--dps", "5"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "--dps" in proc.stderr


@pytest.mark.slow
def test_default_audit_on_the_paper_models():
    entries = audit(dps=30)
    by = {e["equation"]: e for e in entries}
    wrong = {e["equation"] for e in entries if e["verdict"] == "fails-as-printed"}
    assert wrong == {"5", "6", "7", "31", "56", "61"}
    assert "paper-hopfield-readout" in by["61"]["failing"] and "paper-hopfield" not in by["61"]["failing"]
    assert all(by[n]["verdict"] == "holds" for n in ("20", "23", "24"))


def test_one_sided_stencil_on_a_closed_form():
    """Eq 55's one-sided derivative at t = 0: f(t) = (e^(2t), sin t) has f'(0) = (2, 1); the estimate covers the error."""
    from verify import stencil

    with mpmath.workdps(30):
        delta = mpmath.mpf(1) / 1000
        K = stencil.forward_order_for(30, delta)
        assert K == 12      # delta^K = 10^-36 <= 10^-(30 + 5) < delta^(K-1)
        values = [[mpmath.exp(2 * j * delta), mpmath.sin(j * delta)] for j in range(K + 1)]
        d, estimate, amplification = stencil.forward_derivative(values, delta)
        error = max(abs(d[0] - 2), abs(d[1] - 1))
        assert error < mpmath.mpf(10) ** -15 and error <= estimate
        assert amplification > 1 / delta
        # too few points: a larger error, still below its estimate
        d3, estimate3, _ = stencil.forward_derivative(values[:4], delta)
        assert abs(d3[0] - 2) > error and abs(d3[0] - 2) <= estimate3


def test_symbolic_paper_checks_need_no_verify():
    """The sympy checks live in symbolic/ and import nothing from verify/ (nor the CLI)."""
    code = ("import sys, symbolic.paper_checks as P; P.CHECKS['29'](); "
            "print(sorted(m for m in sys.modules if m == 'verify' or m.startswith('verify.')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
