"""``eqprop-verify derive`` as a user runs it (subprocesses, run concurrently)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def run(argv, cwd=None):
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=ENV, timeout=600)


def module(*args):
    return [sys.executable, "-m", "verify", *args]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("derive")
    jobs = {
        "text": module("derive", "paper-hopfield"),
        # (every built-in's LaTeX and JSON are checked in-process in tests/symbolic/test_display.py)
        "latex": module("derive", "quadratic", "--format", "latex"),
        "json": module("derive", "quadratic", "--format", "json"),
        "show": module("show", "paper-hopfield"),
        "module-riccati": module("derive", "riccati"),
        "help": module("derive", "--help"),
    }
    script = shutil.which("eqprop-verify")
    if script:
        jobs["script-riccati"] = [script, "derive", "riccati"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {k: pool.submit(run, argv, tmp) for k, argv in jobs.items()}
        out = {k: f.result() for k, f in futures.items()}
    # show -> file -> derive, as in the issue: eqprop-verify show paper-hopfield > m.toml
    assert out["show"].returncode == 0, out["show"].stderr
    (tmp / "m.toml").write_text(out["show"].stdout, encoding="utf-8")
    out["from-file"] = run(module("derive", "m.toml"), tmp)
    return out


def ok(proc):
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def test_derive_prints_the_paper_equations(runs):
    text = ok(runs["text"])
    headers = re.findall(r"^Eq ([0-9, ]+?)  ", text, re.M)
    numbers = {n.strip() for h in headers for n in h.split(",")}
    assert {"1", "2", "11", "12", "13", "14", "17", "18", "19", "20", "21", "23", "24"} <= numbers
    # each equation labelled once: Eq 13/14 are the Cauchy dynamics; H and M are their matrices
    counts = {n: sum(n in [x.strip() for x in h.split(",")] for h in headers) for n in numbers}
    assert all(c == 1 for c in counts.values()), counts
    assert "Eq 13  Cauchy problem, dynamics of X: dX_t/dt = -H(s_theta^0) X_t" in text
    assert "\nHessian, by blocks: H = d^2E/ds^2, the matrix of Eq 13\n" in text
    assert "\nmixed Hessian, by blocks (as maps of X_t): M = d^2E/dtheta ds, the matrix of Eq 14\n" in text
    # one vector equation per layer, not thirty scalar ones
    assert "ds1/dt = ρ'(s1) ⊙ (W12 ρ(s2) + W01ᵀ ρ(s0)) - s1" in text
    assert "ds0/dt = ρ'(s0) ⊙ (W01 ρ(s1)) - s0 + β (y - s0)" in text  # Eq 18
    assert "X_0[s0] = ∂C/∂s0(s^0) = s0^0 - y" in text  # Eq 11
    assert "Y_0[W01] = ∂C/∂W01(s^0) = 0" in text  # Eq 12
    assert "dX_t[s0]/dt = -(H(s^0) X_t)[s0] = " in text  # Eq 13
    assert "dY_t[W01]/dt = -(M(s^0) X_t)[W01] = ρ(s0^0) (ρ'(s1^0) ⊙ X_t[s1])ᵀ" in text  # Eq 14
    assert "∂J/∂W01 = " in text and "-lim_{β→0} (1/β) [ρ(s0^β) ρ(s1^β)ᵀ - ρ(s0^0) ρ(s1^0)ᵀ]" in text
    assert "[ρ(s0^β(t)) ρ(s1^β(t))ᵀ - ρ(s0^0) ρ(s1^0)ᵀ]" in text  # Eq 24
    assert "(entry-wise)" not in text
    assert "[0]" not in text  # no component-by-component listing for this model


def test_show_then_derive_the_file_gives_the_same_output(runs):
    assert ok(runs["from-file"]) == ok(runs["text"])


def test_latex_format(runs):
    tex = ok(runs["latex"])
    assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}") >= 14
    for eq in ("1", "11", "12", "13", "14", "18", "20", "24"):
        assert tex.count(r"\tag{%s}" % eq) == 1, eq
    assert r"\frac{d s}{d t} &= B\,\theta - \frac{1}{2}\, \left(A\,s + {A}^{\top}\,s\right) + b \tag{1}" in tex
    assert "⊙" not in tex.split(r"\begin{align*}", 1)[1]  # the math itself is pure LaTeX


def test_json_format(runs):
    doc = json.loads(ok(runs["json"]))
    assert doc["schema"] == "eqprop-verify/derive/1"
    assert doc["model"]["name"] == "quadratic"
    assert doc["model"]["state"] == ["s[0]", "s[1]", "s[2]"]
    assert doc["model"]["params"] == ["theta[0]", "theta[1]"]
    names = [o["name"] for o in doc["objects"]]
    assert {"free_dynamics", "extended_dynamics", "cauchy_X0", "cauchy_Y0", "cauchy_dX",
            "cauchy_dY", "ep_gradient", "ep_truncated"} <= set(names)
    for o in doc["objects"]:
        assert set(o) >= {"name", "equations", "description", "text", "latex", "components"}
    field = next(o for o in doc["objects"] if o["name"] == "free_dynamics")
    assert len(field["components"]) == 3
    assert "ds/dt = B θ - 1/2 (A s + Aᵀ s) + b" in field["text"]
    hessian = next(o for o in doc["objects"] if o["name"] == "hessian")
    assert hessian["equations"] == [] and len(hessian["components"]) == 9  # the matrix of Eq 13
    assert next(o for o in doc["objects"] if o["name"] == "cauchy_dX")["equations"] == ["13"]


def test_python_dash_m_verify_is_the_console_script(runs):
    out = ok(runs["module-riccati"])
    assert "ds/dt = -a s + b s^2 + c" in out
    if "script-riccati" not in runs:
        pytest.skip("eqprop-verify is not on PATH")
    assert ok(runs["script-riccati"]) == out


def test_help(runs):
    text = ok(runs["help"])
    assert "MODEL" in text and "--format" in text and "latex" in text
