"""``eqprop-verify prove`` as a user runs it (subprocesses, run concurrently)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from symbolic.zoo.models import paper_hopfield_text

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}

USER_LQ = '''name = "my-lq"
description = "a user's linear-quadratic model"
[state]
h = 2
[params]
W = [2, 1]
[inputs]
K = [["2", "-1/2"], ["-1/2", "1"]]
[targets]
y = ["1", "0"]
[model]
energy = "h.T*K*h/2 - h.T*W"
cost = "(y - h).T*(y - h)/2 + W.T*W/4"
[values]
W = [["1/3"], ["-1/5"]]
'''


def module(*args):
    return [sys.executable, "-m", "verify", "prove", *args]


def run(*args):
    """One prove run as a user types it (each test runs its own: under pytest-xdist a shared
    fixture would be recomputed in every worker)."""
    return subprocess.run(module(*args), capture_output=True, text=True, env=ENV, timeout=600)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "my-lq.toml").write_text(USER_LQ)
    (tmp_path / "tiny-hopfield.toml").write_text(paper_hopfield_text(1, 1, 1, 1, readout=True))
    return tmp_path


THEOREMS = ("theorem1", "theorem2", "theorem3", "corollary4", "eq24")


def test_prove_quadratic_proves_the_theorems_and_exits_0():
    r = run("quadratic")
    assert r.returncode == 0, r.stderr
    for sid in THEOREMS:
        assert re.search(rf"^PROVED\s+{re.escape(sid)}\s+Eq", r.stdout, re.M), sid
    assert re.search(r"^PROVED\s+theorem1\s+Eq 11-14\s+X_t, Y_t of the Cauchy problem", r.stdout, re.M)
    assert "linear-quadratic family" in r.stdout
    # the paper's misprints are reported, refuted, without failing the run
    assert re.search(r"^REFUTED\s+eq56-as-printed", r.stdout, re.M)
    assert re.search(r"^REFUTED\s+eq61-as-printed", r.stdout, re.M)
    assert "witness:" in r.stdout


def test_prove_riccati_json_lists_obligations_and_refutes_false_variants():
    r = run("riccati", "--json", "--variant", "all")
    assert r.returncode == 0, r.stderr  # false variants never fail the run
    rows = json.loads(r.stdout)
    assert isinstance(rows, list)
    by_id = {row["obligation"]: row for row in rows}
    for sid in THEOREMS:
        assert by_id[sid]["outcome"] == "PROVED" and by_id[sid]["residual"] == "0"
    for row in rows:
        assert {"obligation", "outcome", "residual", "equations", "kind", "witness"} <= set(row)
        assert row["outcome"] in ("PROVED", "REFUTED", "UNDECIDED")
        assert "latex" not in row  # only with --latex
    for sid in ("corollary4[variant:eq23-sign-flipped]", "eq24[variant:eq24-half-beta]"):
        assert by_id[sid]["outcome"] == "REFUTED" and by_id[sid]["kind"] == "variant"
        assert by_id[sid]["witness"]["value"] not in ("0", "0.0")
    # riccati's cost does not depend on theta: "Y_0 = 0" is true here, and reported so
    assert by_id["theorem1[variant:Y0-zero]"]["outcome"] == "PROVED"
    assert by_id["eq56-as-printed"]["outcome"] == "REFUTED"


@pytest.mark.slow
def test_a_users_linear_quadratic_file_is_recognised(files):
    r = run(str(files / "my-lq.toml"), "--no-steps", "--latex", "--variant", "eq23-sign-flipped")
    assert r.returncode == 0, r.stderr
    assert "model my-lq: linear-quadratic family (n=2, p=2)" in r.stdout
    assert re.search(r"^REFUTED\s+corollary4\[variant:eq23-sign-flipped\]", r.stdout, re.M)
    assert "$" in r.stdout and r"\mathcal{L}" in r.stdout  # the LaTeX chain


def test_a_model_without_closed_form_is_numeric_only_and_exits_3(files):
    r = run(str(files / "tiny-hopfield.toml"))
    assert r.returncode == 3, r.stderr
    assert "no closed-form family" in r.stdout
    for sid in THEOREMS:
        assert re.search(rf"^NUMERIC\s+{re.escape(sid)}\s", r.stdout, re.M)
    assert "eqprop-verify check" in r.stdout
    assert re.search(r"^PROVED\s+eq37\s", r.stdout, re.M)  # the steps still run


def test_bad_input_exits_2(files):
    bad = run("riccati", "--variant", "bogus")
    assert bad.returncode == 2
    assert "--variant=bogus" in bad.stderr and "Traceback" not in bad.stderr
    missing = run(str(files / "nope.toml"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_help_names_the_exit_codes_and_variants():
    r = run("--help")
    assert r.returncode == 0
    assert "eq23-sign-flipped" in r.stdout and "--latex" in r.stdout


def test_a_refuted_theorem_exits_1(monkeypatch, capsys):
    """Exit 1 is reserved for a refuted statement (never expected for the paper's true theorems)."""
    import symbolic.proofs as proofs
    from symbolic.proofs import Obligation, Outcome
    from verify.cli import main

    fake = [Obligation("theorem1", ("11",), "X = dL/ds", Outcome.REFUTED, "x - 1",
                       witness={"component": "X", "point": {"x": "2"}, "value": "1", "exact": True})]
    monkeypatch.setattr(proofs, "prove", lambda *a, **k: fake)
    assert main(["prove", "riccati", "--no-steps"]) == 1
    assert "witness: X = 1 (exact) at x=2" in capsys.readouterr().out
