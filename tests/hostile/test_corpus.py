"""The hostile corpus (tests/hostile/corpus.py) through the CLI, under a CPU-time and a memory bound.

Every case: its exit code (never 4), at most one line on standard error (a
``note:`` line aside), no traceback, no "out of memory", within 10 s of CPU time, in a
process whose address space is limited to 1 GiB; injected code never ran
(its side-effect file is absent); the user's files named by the case are
unchanged; names that look reserved either verify with exactly the digits of
the plain name ``k`` or are refused. The default run takes the ``fast``
subset; ``HYPOTHESIS_PROFILE=thorough`` (``tox -e thorough``) runs all of it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import corpus  # noqa: E402
import runner  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
MEMORY_BOUND = 1 << 30          # bytes of address space for the child
STALL = 180.0                   # s (wall) without progress: the child hangs in C code; it is killed


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND))


def _snapshot(path: Path):
    if path.is_symlink():
        return ("link", os.readlink(path))
    if path.is_file():
        return ("file", path.read_bytes())
    return ("other", path.exists())


def run_corpus(cases, root: Path, keeps: dict) -> dict:
    """Run ``cases`` in a memory-limited child (restarted after a hang); id -> result.

    ``keeps`` receives, per case, a snapshot of the files it must leave unchanged.
    """
    prepared = []
    for c in cases:
        d = root / c.id
        d.mkdir()
        model = d / "model.toml"
        if c.model is not None:
            model.write_text(c.model, encoding="utf-8")
        runner.setup(c.setup, str(d), str(model))
        keeps[c.id] = {k: _snapshot(d / k) for k in c.keep}
        argv = [a.replace("{model}", str(model)).replace("{dir}", str(d)) for a in c.argv]
        if c.compare:
            argv += ["--json", str(d / "out.json")]
        prepared.append({"id": c.id, "dir": str(d), "argv": argv, "setup": c.setup, "model_path": str(model),
                         "bound": c.bound})
    results: dict = {}
    todo = prepared
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    while todo:
        cases_file, results_file = root / f"cases-{len(results)}.json", root / f"results-{len(results)}.jsonl"
        cases_file.write_text(json.dumps(todo))
        proc = subprocess.Popen([sys.executable, str(Path(__file__).parent / "runner.py"), str(cases_file),
                                 str(results_file)], cwd=root, env=env, preexec_fn=_limit_memory,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        last, size = time.monotonic(), -1
        while proc.poll() is None:
            time.sleep(0.2)
            now_size = results_file.stat().st_size if results_file.exists() else 0
            if now_size != size:
                last, size = time.monotonic(), now_size
            elif time.monotonic() - last > STALL:
                proc.kill()
        stderr = proc.communicate()[1].decode(errors="replace")
        started = None
        for line in (results_file.read_text().splitlines() if results_file.exists() else []):
            r = json.loads(line)
            if r.get("start"):
                started = r["id"]
            else:
                results[r["id"]] = r
                started = None
        if started is not None:     # the child died or hung inside this case
            results[started] = {"id": started, "exit": None, "stderr": "", "seconds": float("inf"),
                                "crash": f"child process ended (code {proc.returncode}) or hung: {stderr[-500:]}",
                                "maxrss_mb": float("nan"), "wall": float("inf")}
        todo = [c for c in todo if c["id"] not in results]
        if todo and started is None:
            raise AssertionError(f"the runner stopped without a case: {stderr[-2000:]}")
    return results


def _problems(case, r, root: Path, baseline) -> list[str]:
    out = []
    d = root / case.id
    if r["crash"]:
        return [f"crashed: {r['crash'][-800:]}"]
    allowed = case.exit if isinstance(case.exit, (tuple, list)) else (case.exit,)
    if r["exit"] not in allowed:
        out.append(f"exit {r['exit']}, expected {case.exit}")
    err = r["stderr"]
    lines = [ln for ln in err.splitlines() if ln.strip() and ": note: " not in ln]
    if "Traceback" in err:
        out.append("a traceback")
    if "internal error" in err or r["exit"] == 4:
        out.append("an internal error")
    if "out of memory" in err:
        out.append("ran out of memory")
    if "\x1b" in err:
        out.append("a terminal escape reached standard error")
    if r["exit"] == 2 and len(lines) != 1:
        out.append(f"{len(lines)} lines on standard error, expected one")
    if r["exit"] == 2:
        for w in case.words:
            if w not in err:
                out.append(f"{w!r} not in the message")
        if case.model is not None and "{model}" in case.argv and "model.toml" not in err and \
                not any(a.startswith("--") and a in err for a in case.argv):
            if "error: " in err and case.cls not in ("paths", "sizes", "injection"):
                out.append("the message does not name the file")
    if r["seconds"] > case.bound:
        out.append(f"took {r['seconds']:.1f} s")
    for name in case.absent:
        if (d / name).exists() or (root / name).exists() or (os.path.isabs(name) and os.path.exists(name)):
            out.append(f"{name} appeared: injected code ran or a path escaped")
    if case.compare and r["exit"] == 0 and not case.id.startswith("baseline-"):
        got = json.loads((d / "out.json").read_text())
        if _digits(got) != baseline[case.compare]:
            out.append(f"verified with other digits than the plain name k ({case.compare} backend)")
    return out


def _check_keep(case, root: Path, before) -> list[str]:
    d = root / case.id
    return [f"{k} changed" for k in case.keep if _snapshot(d / k) != before[k]]


def _digits(result: dict):
    return result["fixed_point"]["s"], [c["max_abs_error"] for c in result["checks"]]


def _run_and_judge(selected, tmp_path):
    baselines = [corpus.Case(f"baseline-k-{b}", "names", corpus.BASE, ["check", "{model}", "-q", "--backend", b], 0,
                             compare=b) for b in ("auto", "mpmath")]
    selected = baselines + list(selected)
    keeps = {}
    results = run_corpus(selected, tmp_path, keeps)
    for b in baselines:
        assert results[b.id]["exit"] == 0, f"the baseline {b.id} did not verify: {results[b.id]}"
    baseline = {b.compare: _digits(json.loads((tmp_path / b.id / "out.json").read_text())) for b in baselines}
    failures = {}
    for c in selected:
        problems = _problems(c, results[c.id], tmp_path, baseline) + _check_keep(c, tmp_path, keeps.get(c.id, {}))
        if problems:
            failures[c.id] = problems + [results[c.id]["stderr"][-300:]]
    slowest = max(results.values(), key=lambda r: r["seconds"])
    refused = [results[c.id]["seconds"] for c in selected if results[c.id]["exit"] == 2]
    summary = (f"{len(selected)} cases, {len(failures)} failing, {len(refused)} refused (exit 2), "
               f"max CPU time {slowest['seconds']:.2f} s ({slowest['id']}; refused: {max(refused):.2f} s), "
               f"max wall time {max(r['wall'] for r in results.values()):.2f} s, "
               f"max memory {max(r['maxrss_mb'] for r in results.values()):.0f} MB (limit 1024 MB)")
    print(summary)
    assert not failures, summary + "\n" + "\n".join(f"{k}: {v}" for k, v in failures.items())
    return results


def test_corpus_has_every_class_and_enough_cases():
    cases = corpus.cases()
    assert len(cases) >= 250
    classes = {c.cls for c in cases}
    assert classes == {"injection", "syntax", "types", "shapes", "numbers", "names", "sizes", "paths"}
    assert {c.cls for c in cases if c.fast} == classes


def test_corpus(tmp_path):
    selected = corpus.cases() if THOROUGH else [c for c in corpus.cases() if c.fast]
    _run_and_judge(selected, tmp_path)


def test_the_judge_rejects_each_kind_of_bad_outcome(tmp_path):
    """The judge's false variants: each bad outcome a case can have is reported."""
    case = corpus.Case("c", "names", corpus.BASE, ["check", "{model}", "-q"], (0, 2), ("reserved",), compare="auto")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "out.json").write_text(json.dumps(
        {"fixed_point": {"s": ["0.5"]}, "checks": [{"max_abs_error": "1e-30"}]}))
    baseline = {"auto": (["0.5"], ["1e-30"])}
    good = {"exit": 2, "stderr": "eqprop-verify check: error: model.toml: [params.e] 'e' is reserved\n",
            "crash": None, "seconds": 0.1}
    assert _problems(case, good, tmp_path, baseline) == []
    assert _problems(case, dict(good, exit=0, stderr=""), tmp_path, baseline) == []
    bad = {"traceback": dict(good, stderr=good["stderr"] + "Traceback (most recent call last):\n"),
           "internal": dict(good, exit=4, stderr="eqprop-verify check: internal error: KeyError\n"),
           "two lines": dict(good, stderr=good["stderr"] * 2),
           "escape": dict(good, stderr="\x1b[31m" + good["stderr"]),
           "slow": dict(good, seconds=11.0),
           "crash": dict(good, crash="no answer within 10 s"),
           "wrong exit": dict(good, exit=1),
           "words": dict(good, stderr="eqprop-verify check: error: model.toml: something else\n")}
    for what, r in bad.items():
        assert _problems(case, r, tmp_path, baseline), what
    assert _problems(case, dict(good, exit=0), tmp_path, {"auto": (["0.6"], ["1e-30"])}), "other digits"
    (tmp_path / "c" / corpus.PWNED).write_text("")
    assert _problems(case, good, tmp_path, baseline), "the injection's side effect"
