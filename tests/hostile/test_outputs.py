"""Nothing of the user's is ever lost (issue 15, items 1, 6 second half, 7).

Output files are written into devices and FIFOs and through links, never
replacing them; a report replaces only a directory that is wholly its own
earlier report (its manifest lists every file); two reports committed into
the same place at once both succeed; a killed run's temporaries are removed
by the next run, and only those; a storm of SIGINTs ends a report with exit
130, no traceback and no partial files.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from verify import outputs
from verify.outputs import OutputError, write_text
from verify.report import atomic
from verify.report.builder import default_out

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


# ----------------------------------------------------------------------------- single files
def test_a_symlink_stays_a_link_and_its_target_gets_the_text(tmp_path):
    (tmp_path / "target.json").write_text("old")
    (tmp_path / "link.json").symlink_to("target.json")
    write_text(tmp_path / "link.json", "new")
    assert (tmp_path / "link.json").is_symlink()
    assert (tmp_path / "target.json").read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["link.json", "target.json"]


def test_a_regular_file_keeps_its_permissions(tmp_path):
    f = tmp_path / "out.json"
    f.write_text("old")
    f.chmod(0o640)
    write_text(f, "new")
    assert f.read_text() == "new" and stat.S_IMODE(f.stat().st_mode) == 0o640


def test_devices_and_fifos_are_written_into_never_replaced(tmp_path):
    null = os.stat("/dev/null")
    write_text("/dev/null", "x")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (null.st_ino, null.st_rdev)
    (tmp_path / "null-link").symlink_to("/dev/null")
    write_text(tmp_path / "null-link", "x")
    assert os.readlink(tmp_path / "null-link") == "/dev/null"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_text(fifo, "through the pipe")
    reader.join(10)
    assert got == ["through the pipe"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("where, words", [
    ("{tmp}", "is a directory"),
    ("{tmp}/model.toml/x.json", "Not a directory"),
    ("/dev/full", "No space left"),
    ("/sys/eqprop-verify-test.json", "cannot write"),
])
def test_unwritable_outputs_are_an_output_error(tmp_path, where, words):
    (tmp_path / "model.toml").write_text("mine")
    with pytest.raises(OutputError, match=words):
        write_text(where.format(tmp=tmp_path), "x")
    assert (tmp_path / "model.toml").read_text() == "mine"


def test_the_model_file_is_protected_also_through_a_link(tmp_path):
    model = tmp_path / "model.toml"
    model.write_text("mine")
    (tmp_path / "link.json").symlink_to(model)
    for path in (model, tmp_path / "link.json", tmp_path / "sub" / ".." / "model.toml"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(OutputError, match="model file itself"):
            outputs.preflight(path, protect=[str(model)])
        with pytest.raises(OutputError, match="model file itself"):
            write_text(path, "x", protect=[str(model)])
    assert model.read_text() == "mine"


def test_stale_file_temporaries_are_removed_only_when_ours_and_dead(tmp_path):
    dead = tmp_path / f".out.json.tmp-{_dead_pid()}-abcdefgh"
    alive = tmp_path / f".out.json.tmp-{os.getpid()}-abcdefgh"
    other = tmp_path / ".out.json.tmp-notours"
    for f in (dead, alive, other):
        f.write_text("partial")
    write_text(tmp_path / "out.json", "x")
    assert not dead.exists() and alive.exists() and other.exists()


# ----------------------------------------------------------------------------- report directories
def _report_dir(path: Path, files=("report.json", "index.html")):
    with atomic.AtomicDirectory(str(path)) as d:
        for f in files:
            d.write(f, "x")
        d.commit()


def test_a_directory_with_any_file_not_in_the_manifest_is_refused(tmp_path):
    out = tmp_path / "r"
    _report_dir(out)
    assert atomic.is_replaceable(str(out))
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(atomic.NotAReportDirectory, match="not an eqprop-verify report"):
        atomic.AtomicDirectory(str(out))
    assert (out / "notes.txt").read_text() == "keep me"
    (out / "notes.txt").unlink()
    (out / "sub").mkdir()                       # a directory of the user's inside
    assert not atomic.is_replaceable(str(out))
    (out / "sub").rmdir()
    (out / "index.html").unlink()
    (out / "index.html").symlink_to("/etc/hostname")   # a listed name, but a link
    assert not atomic.is_replaceable(str(out))


def test_check_json_then_report_into_the_same_directory_keeps_every_user_file(tmp_path):
    """Issue 15 item 1: a report.json from `check --json` beside the user's files is not a report."""
    from verify.cli import main

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    model = mine / "model.toml"
    model.write_text((ROOT / "tests" / "hostile" / "corpus.py").read_text().split('BASE = """\\\n')[1]
                     .split('"""')[0])
    assert main(["check", str(model), "-q", "--json", str(mine / "report.json")]) == 0
    before = {p.name: p.read_bytes() for p in mine.iterdir()}
    assert main(["report", str(model), "--out", str(mine), "-q", "--no-proofs", "--no-audit"]) == 2
    assert {p.name: p.read_bytes() for p in mine.iterdir()} == before


def test_a_symlinked_out_directory_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    with pytest.raises(atomic.NotAReportDirectory, match="symbolic link"):
        atomic.AtomicDirectory(str(tmp_path / "link"))


def test_two_commits_into_the_same_directory_at_once_both_succeed(tmp_path):
    out = tmp_path / "r"
    barrier = threading.Barrier(2)
    errors = []

    def one(tag):
        try:
            with atomic.AtomicDirectory(str(out)) as d:
                d.write("report.json", tag)
                barrier.wait(10)
                d.commit()
        except BaseException as exc:        # noqa: BLE001 - collected, asserted below
            errors.append(exc)

    for _ in range(10):
        threads = [threading.Thread(target=one, args=(t,)) for t in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
        assert (out / "report.json").read_text() in ("a", "b")
        assert sorted(os.listdir(tmp_path)) == ["r"]


def test_stale_report_temporaries_are_removed_only_when_ours_and_dead(tmp_path):
    dead, alive, foreign = (tmp_path / f"r.tmp-{s}" for s in ("deadbeef", "alive123", "foreign1"))
    for d, pid in ((dead, _dead_pid()), (alive, os.getpid())):
        d.mkdir()
        (d / atomic.MANIFEST).write_text(json.dumps({"schema": atomic.MANIFEST_SCHEMA, "pid": pid, "files": []}))
        (d / "report.json").write_text("partial")
    foreign.mkdir()
    (foreign / "notes.txt").write_text("a user's directory that happens to match the pattern")
    _report_dir(tmp_path / "r")
    assert not dead.exists() and alive.exists() and (foreign / "notes.txt").exists()


def test_a_killed_report_leaves_a_temporary_the_next_run_removes(tmp_path):
    out = tmp_path / "killed"
    proc = _start_report(out, tmp_path)
    _wait_for_temporary(out, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert _leftovers(out), "SIGKILL should leave the temporary directory (nothing can clean it then)"
    _report_dir(out)                          # the next run into the same place
    assert _leftovers(out) == []


# ----------------------------------------------------------------------------- interrupts
def _start_report(out: Path, cwd: Path):
    args = [sys.executable, "-m", "verify", "report", "riccati", "--out", str(out), "--dps", "30",
            "--times", "0,0.25,0.5,0.75,1,1.5,2,3,4,5", "--backend", "mpmath", "--quiet"]
    return subprocess.Popen(args, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(out.name + ".tmp-")
                  or p.name.startswith(out.name + ".old-"))


def _wait_for_temporary(out: Path, proc):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if _leftovers(out):
            return
        time.sleep(0.02)
    raise AssertionError("the report never created its temporary directory")


@pytest.mark.parametrize("delay", [0.2, 2.0])
def test_a_sigint_storm_exits_130_without_traceback_or_partial_files(tmp_path, delay):
    out = tmp_path / "stormed"
    proc = _start_report(out, tmp_path)
    _wait_for_temporary(out, proc)
    time.sleep(delay)
    for _ in range(200):                      # a storm: also while the cleanup runs
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGINT)
        time.sleep(0.005)
    _, stderr = proc.communicate(timeout=120)
    err = stderr.decode()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert not out.exists() and _leftovers(out) == []


# ----------------------------------------------------------------------------- names
class _Named:
    def __init__(self, name):
        self.name = name


@pytest.mark.parametrize("name, expected", [
    ("paper-hopfield", "paper-hopfield"), ("../../x", "x"), ("/etc/passwd", "etc-passwd"), ("..", "model"),
    (".hidden", "hidden"), ("a b/c", "a-b-c"), ("~", "model"), ("x" * 300, "x" * 100),
])
def test_default_report_directory_stays_in_reports(name, expected):
    out = default_out(_Named(name))
    assert out == os.path.join("reports", expected)
    assert os.path.dirname(os.path.normpath(out)) == "reports"


def test_a_report_from_before_manifests_is_replaceable_only_when_nothing_else_is_there(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for name in ("report.md", "index.html", "errors.png"):
        (old / name).write_text("x")
    (old / "report.json").write_text('{"schema": "eqprop-verify/check/1"}')
    assert atomic.is_replaceable(str(old))
    (old / "notes.txt").write_text("keep me")
    assert not atomic.is_replaceable(str(old))
    (old / "notes.txt").unlink()
    (old / "index.html").unlink()            # what `check --json DIR/report.json` leaves: not a report
    assert not atomic.is_replaceable(str(old))
