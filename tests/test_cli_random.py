"""`eqprop-verify random`: a reproducible sweep, run as a user runs it (exit codes, JSON, files)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from verify import strategies as S
from verify.commands import random as random_command
from verify.sweep.task import instance_for

FAST = ["--dps", "20", "--backend", "mpmath", "--times", "0,1/2", "--beta-method", "complex-step"]


def run_cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "verify", "random", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_sweep_json_summary_and_exit_code(tmp_path):
    out = tmp_path / "summary.json"
    proc = run_cli("--family", "quadratic", "--examples", "3", "--seed", "5", "--json", str(out),
                   "--out", str(tmp_path / "failures"), *FAST)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads(out.read_text())
    assert summary["family"] == "quadratic" and summary["examples"] == 3 and summary["seed"] == 5
    assert set(summary["statements"]) >= {"theorem1", "theorem2", "theorem3", "corollary4", "eq24"}
    for cid, row in summary["statements"].items():
        assert set(row) == {"instances", "min_digits", "median_digits", "passed", "failed", "not_applicable",
                            "not_applicable_reasons"}
        assert row["passed"] == 3 and row["failed"] == 0, (cid, row)
        assert row["min_digits"] > 15
    assert summary["failures"] == [] and not (tmp_path / "failures").exists()
    assert "verdict: VERIFIED" in proc.stdout and "median digits" in proc.stdout
    assert "3/3" in proc.stderr and "/min" in proc.stderr and "eta" in proc.stderr  # progress: done, rate, ETA


def test_same_seed_same_instances_whatever_the_workers(tmp_path):
    a = run_cli("--family", "all", "--examples", "4", "--seed", "11", "--json", "-", "--quiet", *FAST)
    b = run_cli("--family", "all", "--examples", "4", "--seed", "11", "--json", "-", "--quiet", "--workers", "2", *FAST)
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    ia, ib = json.loads(a.stdout)["instances"], json.loads(b.stdout)["instances"]
    key = lambda rows: [(r["family"], r["n"], r["p"], round(r["cond"], 6)) for r in rows]  # noqa: E731
    assert key(ia) == key(ib)
    assert [r["family"] for r in ia] == list(S.FAMILIES)
    other = [instance_for("all", 12, i)[0] for i in range(4)]
    assert [(i.family, i.model.n, i.model.p, round(i.screening.cond, 6)) for i in other] != key(ia)


def test_instance_for_is_reproducible():
    one = instance_for("hopfield", 3, 7)
    two = instance_for("hopfield", 3, 7)
    assert one[0].to_toml() == two[0].to_toml() and one[1:] == two[1:]


def test_a_failing_instance_is_written_and_reproduced_by_check(tmp_path, monkeypatch, capsys):
    """A statement that fails: exit 1, the instance written as a model file that `check` loads as is."""
    import verify.theorems as theorems
    from verify.cli import main

    real_check = theorems.check

    def broken_check(model, **kw):   # a verifier whose theorem2 check fails
        report = real_check(model, **kw)
        bad = next(c for c in report.checks if c.id == "theorem2")
        bad.passed = False
        return report

    monkeypatch.setattr(theorems, "check", broken_check)
    code = main(["random", "--family", "polynomial", "--examples", "2", "--seed", "2",
                 "--out", str(tmp_path), *FAST])
    out = capsys.readouterr().out
    assert code == 1
    files = sorted(tmp_path.glob("polynomial-seed2-*.toml"))
    assert len(files) == 2 and "eqprop-verify check PATH" in out and str(files[0]) in out
    assert "theorem2" in out and "FAILED" in out
    monkeypatch.setattr(theorems, "check", real_check)
    proc = subprocess.run([sys.executable, "-m", "verify", "check", str(files[0]), "--json", "-"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["settings"]["dps"] == 20 and result["settings"]["times_exact"] == ["0", "1/2"]
    assert result["settings"]["beta_method"] == "complex-step"
    inst, *_ = instance_for("polynomial", 2, int(files[0].stem.rsplit("-", 1)[1]))
    assert result["model"]["params"] == inst.model.param_names()


@pytest.mark.parametrize("args,message", [
    (["--examples", "0"], "--examples"),
    (["--workers", "-1"], "--workers"),
    (["--times", "a,b"], "--times"),
    (["--family", "nope"], "invalid choice"),
])
def test_bad_usage_exits_2(args, message):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_a_failure_file_never_replaces_a_different_file(tmp_path):
    """`--out DIR` may hold a user's file (or another run's) under the name of a failing instance: kept."""
    stem = str(tmp_path / "hopfield-seed1-0")
    precious = tmp_path / "hopfield-seed1-0.toml"
    precious.write_text("# my notes\n")
    path = random_command._free_path(stem, "energy = 's**2'\n")
    assert path == str(tmp_path / "hopfield-seed1-0-2.toml")
    assert precious.read_text() == "# my notes\n"
    (tmp_path / "hopfield-seed1-0-2.toml").write_text("energy = 's**2'\n")
    assert random_command._free_path(stem, "energy = 's**2'\n") == path          # already written: same path
    assert random_command._free_path(stem, "other\n") == str(tmp_path / "hopfield-seed1-0-3.toml")
