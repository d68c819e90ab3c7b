"""``eqprop-verify prove`` as a user runs it (subprocesses, run concurrently)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

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


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prove")
    (tmp / "my-lq.toml").write_text(USER_LQ)
    (tmp / "tiny-hopfield.toml").write_text(paper_hopfield_text(1, 1, 1, 1, readout=True))
    jobs = {
        "quadratic": module("quadratic"),
        "riccati-json": module("riccati", "--json"),
        "variants": module("quadratic", "--no-steps", "--json", "--variant", "all"),
        "user-lq": module(str(tmp / "my-lq.toml"), "--no-steps", "--latex", "--variant", "sign-flip-eq23"),
        "generic": module(str(tmp / "tiny-hopfield.toml")),
        "bad-variant": module("riccati", "--variant", "bogus"),
        "missing": module(str(tmp / "nope.toml")),
        "help": module("--help"),
    }

    def go(argv):
        return subprocess.run(argv, capture_output=True, text=True, env=ENV, timeout=600)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {k: pool.submit(go, v) for k, v in jobs.items()}
        return {k: f.result() for k, f in futures.items()}


THEOREMS = ("theorem1", "theorem2", "theorem3", "corollary4-eq23", "corollary4-eq24")


def test_prove_quadratic_proves_the_theorems_and_exits_0(runs):
    r = runs["quadratic"]
    assert r.returncode == 0, r.stderr
    for sid in THEOREMS:
        assert re.search(rf"^PROVED\s+{re.escape(sid)}\s+Eq", r.stdout, re.M), sid
    assert re.search(r"^PROVED\s+theorem1\s+Eq 11-14\s+X_t, Y_t of the Cauchy problem", r.stdout, re.M)
    assert "linear-quadratic family" in r.stdout
    # the paper's misprints are reported, refuted, without failing the run
    assert re.search(r"^REFUTED\s+eq56-as-printed", r.stdout, re.M)
    assert re.search(r"^REFUTED\s+eq61-as-printed", r.stdout, re.M)
    assert "witness:" in r.stdout


def test_prove_riccati_json_is_a_list_of_obligations(runs):
    r = runs["riccati-json"]
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert isinstance(rows, list)
    by_id = {row["obligation"]: row for row in rows}
    for sid in THEOREMS:
        assert by_id[sid]["outcome"] == "PROVED" and by_id[sid]["residual"] == "0"
    for row in rows:
        assert {"obligation", "outcome", "residual"} <= set(row)
        assert row["outcome"] in ("PROVED", "REFUTED", "UNDECIDED")
        assert "latex" not in row  # only with --latex


def test_variants_are_refuted_with_witnesses(runs):
    r = runs["variants"]
    assert r.returncode == 0, r.stderr  # false variants never fail the run
    rows = {row["obligation"]: row for row in json.loads(r.stdout)}
    for sid in ("corollary4-eq23[variant:sign-flip-eq23]", "corollary4-eq24[variant:half-beta-eq24]",
                "theorem1[variant:y0-zero]"):
        assert rows[sid]["outcome"] == "REFUTED"
        assert rows[sid]["witness"]["value"] not in ("0", "0.0")
    assert "eq32" not in rows  # --no-steps


def test_a_users_linear_quadratic_file_is_recognised(runs):
    r = runs["user-lq"]
    assert r.returncode == 0, r.stderr
    assert "model my-lq: linear-quadratic family (n=2, p=2)" in r.stdout
    assert re.search(r"^REFUTED\s+corollary4-eq23\[variant:sign-flip-eq23\]", r.stdout, re.M)
    assert "$" in r.stdout and r"\mathcal{L}" in r.stdout  # the LaTeX chain


def test_a_model_without_closed_form_is_numeric_only_and_exits_3(runs):
    r = runs["generic"]
    assert r.returncode == 3, r.stderr
    assert "no closed-form family" in r.stdout
    for sid in THEOREMS:
        assert re.search(rf"^NUMERIC\s+{re.escape(sid)}\s", r.stdout, re.M)
    assert "eqprop-verify check" in r.stdout
    assert re.search(r"^PROVED\s+eq37\s", r.stdout, re.M)  # the steps still run


def test_bad_input_exits_2(runs):
    assert runs["bad-variant"].returncode == 2
    assert "--variant=bogus" in runs["bad-variant"].stderr and "Traceback" not in runs["bad-variant"].stderr
    assert runs["missing"].returncode == 2 and "Traceback" not in runs["missing"].stderr


def test_help_names_the_exit_codes_and_variants(runs):
    r = runs["help"]
    assert r.returncode == 0
    assert "sign-flip-eq23" in r.stdout and "--latex" in r.stdout


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
