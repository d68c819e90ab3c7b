"""Run hostile cases in this process, one after another; the test starts it as a child.

``python runner.py CASES.json RESULTS.jsonl``: each case runs ``verify.cli.main``
in its own working directory with a bound on its CPU time (SIGPROF: the
machine may be shared, so wall-clock time would measure the neighbours); a line
``{"id": ..., "start": true}`` is written before and the result after, so
the parent can tell which case a hang or a crash happened in. The parent
limits the address space (RLIMIT_AS) of this process: the memory bound.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import resource
import sys
import threading
import time
import traceback

class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def setup(kind: str | None, d: str, model: str) -> None:
    """Prepare the case's working directory ``d`` (see ``corpus.Case.setup``); run by the parent."""
    j = lambda *p: os.path.join(d, *p)  # noqa: E731
    if kind is None or kind == "reports-only":
        return
    if kind == "fifo":
        os.mkfifo(j("fifo.toml"))
    elif kind == "subdir-toml":
        os.mkdir(j("sub.toml"))
    elif kind == "subdir":
        os.mkdir(j("sub"))
    elif kind == "dangling":
        os.symlink(j("nowhere"), j("dangling.toml"))
    elif kind == "fifo-reader":
        os.mkfifo(j("out.fifo"))
    elif kind == "symlink-file":
        with open(j("target.json"), "w") as fh:
            fh.write("old")
        os.symlink("target.json", j("link.json"))
    elif kind == "symlink-null":
        os.symlink("/dev/null", j("null.json"))
    elif kind == "symlink-model":
        os.symlink(model, j("model-link.json"))
    elif kind == "user-dir":
        os.mkdir(j("mine"))
        with open(j("mine", "notes.txt"), "w") as fh:
            fh.write("keep me")
        with open(j("mine", "report.json"), "w") as fh:
            fh.write('{"schema": "eqprop-verify/check/1"}\n')
    elif kind == "symlink-dir":
        os.mkdir(j("real"))
        with open(j("real", "notes.txt"), "w") as fh:
            fh.write("keep me")
        os.symlink("real", j("linkdir"))
    else:
        raise ValueError(f"unknown setup {kind!r}")


def run_case(case: dict) -> dict:
    from verify.cli import main

    d = case["dir"]
    os.chdir(d)
    if case["setup"] == "fifo-reader":       # a reader, as `cat out.fifo` would be

        def drain():
            with open(os.path.join(d, "out.fifo"), "rb") as fh:
                data = fh.read()
            with open(os.path.join(d, "fifo-received"), "wb") as fh:
                fh.write(data)
        threading.Thread(target=drain, daemon=True).start()
    err, out = io.StringIO(), io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    code, crash = None, None
    import signal

    signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, case["bound"])
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = main(case["argv"])
            except SystemExit as exc:       # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    except _Timeout:
        crash = f"no answer within {case['bound']} s of CPU time"
    except BaseException:                   # noqa: BLE001 - recorded, the test fails on it
        crash = traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    seconds, wall = time.process_time() - cpu, time.perf_counter() - started
    return {"id": case["id"], "exit": code, "stderr": err.getvalue(), "crash": crash, "seconds": seconds,
            "wall": wall,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(cases_path: str, results_path: str) -> None:
    importlib.import_module("verify.cli")     # imported once, outside the cases' time bound

    with open(cases_path) as fh:
        cases = json.load(fh)
    with open(results_path, "a") as out:
        for case in cases:
            out.write(json.dumps({"id": case["id"], "start": True}) + "\n")
            out.flush()
            out.write(json.dumps(run_case(case)) + "\n")
            out.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
