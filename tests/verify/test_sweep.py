"""Sweeps (verify.sweep): the same results in-process and on Dask, nothing lost on SIGKILL, retries bounded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from verify.errors import UsageError
from verify.sweep import executors, store, task as sweep_task
from verify.sweep.run import sweep, tasks_for

FAST = ["--dps", "20", "--backend", "mpmath", "--times", "0,1/2", "--beta-method", "complex-step"]
SETTINGS = {"seed": 9, "dps": 20, "backend": "mpmath", "times": ["0", "1/2"], "beta_method": "complex-step",
            "min_cond": 1.0}
RUN_ONLY = ("pid", "seconds", "attempts")   # how and where an instance ran, not what it found


def run_cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "verify", "random", *args], capture_output=True, text=True,
                          timeout=timeout)


def records_of(path) -> dict:
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["schema"] == store.SCHEMA
    out = {}
    for line in lines[1:]:
        record = json.loads(line)
        assert record["key"] not in out, f"{record['key']} recorded twice"
        out[record["key"]] = {k: v for k, v in record.items() if k not in RUN_ONLY}
    return out


def summary_of(proc) -> dict:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads(proc.stdout)
    return {k: summary[k] for k in ("verdicts", "statements", "families", "rejected_draws", "conditioning")}


def test_dask_local_cluster_sweep_equals_the_in_process_sweep(tmp_path):
    pytest.importorskip("distributed")
    common = ["--family", "all", "--examples", "8", "--seed", "9", "--json", "-", "--quiet", *FAST]
    here = run_cli(*common, "--results", str(tmp_path / "here.jsonl"))
    dask = run_cli(*common, "--results", str(tmp_path / "dask.jsonl"), "--scheduler", "local:2")
    assert summary_of(dask) == summary_of(here)
    assert json.loads(dask.stdout)["executor"] == "Dask LocalCluster of 2 workers"
    a, b = records_of(tmp_path / "here.jsonl"), records_of(tmp_path / "dask.jsonl")
    assert sorted(a) == sorted(b) == sorted(f"all#{i}" for i in range(8))
    assert a == b
    assert {r["family"] for r in a.values()} == {"hopfield", "hopfield-readout", "polynomial", "quadratic"}


def test_sigkill_part_way_then_resume_gives_the_uninterrupted_sweep(tmp_path):
    common = ["--family", "all", "--examples", "6", "--seed", "5", "--json", "-", "--quiet", *FAST]
    path = tmp_path / "killed.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "verify", "random", *common, "--results", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if path.exists() and path.read_bytes().count(b"\n") >= 3:   # header and two records
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = records_of(path) if path.read_bytes().endswith(b"\n") else None
    assert partial is None or 2 <= len(partial) < 6
    resumed = run_cli(*common, "--results", str(path), "--resume")
    whole = run_cli(*common, "--results", str(tmp_path / "whole.jsonl"))
    assert summary_of(resumed) == summary_of(whole)
    done = records_of(path)
    assert sorted(done) == sorted(f"all#{i}" for i in range(6))
    assert done == records_of(tmp_path / "whole.jsonl")


def test_a_killed_dask_worker_has_its_instance_run_again_elsewhere():
    pytest.importorskip("distributed")
    ex = executors.Dask("local:2")
    killed = {}

    def kill_a_busy_worker(record):
        if killed:
            return
        for _ in range(200):
            busy = {w: keys for w, keys in ex.client.processing().items() if keys}
            if busy:
                worker, keys = next(iter(busy.items()))
                pid = ex.client.run(os.getpid, workers=[worker])[worker]
                killed.update(pid=pid, keys={k.rsplit("-", 1)[0] for k in keys})
                os.kill(pid, signal.SIGKILL)
                return
            time.sleep(0.05)

    tasks = tasks_for("random", SETTINGS, "all", 6)
    try:
        records = sweep(tasks, executor=ex, results=store.MemoryResults(), progress=False,
                        on_record=kill_a_busy_worker)
    finally:
        ex.close()
    assert killed, "no worker was busy to be killed"
    assert [r["key"] for r in records] == [t["key"] for t in tasks]
    assert all(r["verdict"] == "verified" for r in records), [r.get("error") for r in records]
    by_dask_key = {f"eqprop-random-all-{SETTINGS['seed']}-{r['index']}": r for r in records}
    for key in killed["keys"]:
        again = by_dask_key[key]
        assert again["pid"] != killed["pid"]        # it ran again, in another process
        alone = sweep_task.attempt(tasks[again["index"]])
        assert {k: v for k, v in again.items() if k not in RUN_ONLY} == \
               {k: v for k, v in alone.items() if k not in RUN_ONLY}


def test_a_torn_last_record_is_cut_off_and_its_instance_run_again(tmp_path):
    path = tmp_path / "torn.jsonl"
    common = ["--family", "quadratic", "--seed", "1", "--json", "-", "--quiet", *FAST, "--results", str(path)]
    first = run_cli(*common, "--examples", "2")
    assert first.returncode == 0, first.stderr
    whole = path.read_bytes()
    with open(path, "ab") as fh:
        fh.write(b'{"key": "quadratic#2", "index": 2, "verd')   # SIGKILL in the middle of an append
    resumed = run_cli(*common, "--examples", "3", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "cut off a torn last record" in resumed.stderr
    assert path.read_bytes().startswith(whole)
    assert sorted(records_of(path)) == ["quadratic#0", "quadratic#1", "quadratic#2"]
    assert json.loads(resumed.stdout)["verdicts"]["verified"] == 3


def test_results_files_that_are_not_ours_or_not_this_sweep_are_refused(tmp_path):
    mine = tmp_path / "notes.jsonl"
    mine.write_text("my own notes\n")
    common = ["--family", "quadratic", "--examples", "1", "--quiet", *FAST]
    proc = run_cli(*common, "--results", str(mine))
    assert proc.returncode == 2 and "exists; add --resume" in proc.stderr
    proc = run_cli(*common, "--results", str(mine), "--resume")
    assert proc.returncode == 2 and "not a results file" in proc.stderr
    assert mine.read_text() == "my own notes\n"
    ours = tmp_path / "ours.jsonl"
    assert run_cli(*common, "--results", str(ours)).returncode == 0
    proc = run_cli(*common, "--results", str(ours), "--resume", "--seed", "9")
    assert proc.returncode == 2 and "seed = 0" in proc.stderr and "seed = 9" in proc.stderr
    text = ours.read_text().splitlines()
    ours.write_text("\n".join([text[0], "garbage", *text[1:]]) + "\n")
    proc = run_cli(*common, "--results", str(ours), "--resume")
    assert proc.returncode == 2 and "line 2 is not a complete record" in proc.stderr


def test_an_instance_that_raises_twice_is_recorded_not_retried_forever(monkeypatch):
    calls = []

    def always(task):
        calls.append(task["index"])
        raise ArithmeticError("no luck")

    def once(task):
        calls.append(task["index"])
        if len(calls) == 1:
            raise MemoryError("transient")
        return {"index": task["index"], "family": "quadratic", "verdict": "verified", "checks": {}}

    monkeypatch.setitem(sweep_task.KINDS, "always", always)
    monkeypatch.setitem(sweep_task.KINDS, "once", once)
    record = sweep_task.attempt({"kind": "always", "family": "quadratic", "index": 5, "key": "quadratic#5"})
    assert calls == [5, 5]
    assert record["verdict"] == "error" and record["attempts"] == 2
    assert record["error"] == "raised on 2 attempts: ArithmeticError: no luck"
    calls.clear()
    record = sweep_task.attempt({"kind": "once", "family": "quadratic", "index": 1, "key": "quadratic#1"})
    assert record["verdict"] == "verified" and record["attempts"] == 2 and calls == [1, 1]


def test_without_dask_the_error_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(UsageError, match=r"pip install 'eqprop-verify\[dask\]'"):
        executors.make(None, "local:2")


@pytest.mark.parametrize("args,message", [
    (["--scheduler", "local:0"], "local:N needs N >= 1"),
    (["--scheduler", "local:2", "--workers", "2"], "exclude each other"),
    (["--resume"], "--resume needs --results"),
])
def test_bad_sweep_options_exit_2(args, message):
    proc = run_cli("--examples", "1", *args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_falsify_random_is_a_resumable_sweep(tmp_path):
    """`falsify --random`: extended on resume, it gives the detection table of one uninterrupted run."""
    def falsify(*args):
        return subprocess.run([sys.executable, "-m", "verify", "falsify", "--dps", "20", "--backend", "mpmath",
                               "--times", "0,1", "--json", *args], capture_output=True, text=True, timeout=600)

    path = tmp_path / "falsify.jsonl"
    first = falsify("--random", "quadratic:2", "--results", str(path))
    resumed = falsify("--random", "quadratic:3", "--results", str(path), "--resume")
    whole = falsify("--random", "quadratic:3", "--workers", "2")
    assert first.returncode == resumed.returncode == whole.returncode == 3, resumed.stderr  # some never apply
    assert json.loads(resumed.stdout) == json.loads(whole.stdout) != json.loads(first.stdout)
    assert sorted(records_of(path)) == ["quadratic#0", "quadratic#1", "quadratic#2"]


def test_a_local_worker_that_dies_costs_only_its_own_instance(monkeypatch):
    """--workers: the other instances finish; the one that kills its process is recorded after two deaths."""
    def lethal(task):
        if task["index"] == 1:
            os._exit(3)          # the worker process dies (the pool's processes are forked from here)
        return {"index": task["index"], "family": "quadratic", "verdict": "verified", "checks": {}}

    monkeypatch.setitem(sweep_task.KINDS, "lethal", lethal)
    tasks = [{"kind": "lethal", "family": "quadratic", "index": i, "key": f"quadratic#{i}"} for i in range(5)]
    arrived = []
    executors.Processes(2).run(tasks, arrived.append)
    assert sorted(r["key"] for r in arrived) == [t["key"] for t in tasks]   # each once
    records = {r["key"]: r for r in arrived}
    assert records["quadratic#1"]["verdict"] == "error" and "died 2 times" in records["quadratic#1"]["error"]
    assert all(r["verdict"] == "verified" for k, r in records.items() if k != "quadratic#1")


def test_results_header_names_the_version_and_a_resume_by_another_version_warns(tmp_path, capsys):
    import verify

    path = tmp_path / "r.jsonl"
    results = store.ResultsFile(path, "random", {"seed": 1}, resume=False)
    results.close()
    header = json.loads(path.read_text().splitlines()[0])
    assert header["version"] == verify.__version__
    header["version"] = "0.0.1"
    path.write_text(json.dumps(header) + "\n")
    store.ResultsFile(path, "random", {"seed": 1}, resume=True).close()
    assert "written by eqprop-verify 0.0.1" in capsys.readouterr().err
