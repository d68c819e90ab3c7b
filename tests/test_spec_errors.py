"""Bad model files and arguments, run through the CLI as a user would.

Every case: exit code 2, standard error is one line that names the file, the
key (where there is one) and the problem, and no traceback; with ``--debug``
the traceback appears.

Every case runs through ``verify.cli.main`` (the function behind both
``eqprop-verify`` and ``python -m verify``) in this process; a representative
subset, the ``--debug`` run and a valid model also run as real subprocesses
(``python -m verify derive PATH``), concurrently, and must print exactly what
the in-process run printed.  (One subprocess per case would spend ~0.7 s of
CPU each importing sympy: most of the suite's time budget.)
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from verify.cli import main

# A small valid model; each case breaks one thing in it.
BASE = """\
name = "tiny"
description = "a valid model that each case breaks in one place"

[state]
s0 = 2
s1 = 3

[params]
W01 = [2, 3]
b1 = 3

[inputs]
x = [1, "-1/2"]

[targets]
y = [0.5, "1/4"]

[functions]
rho = "sigmoid"

[model]
energy = "(s0.T*s0 + s1.T*s1)/2 - rho(s0).T*W01*rho(s1) - b1.T*rho(s1) - x.T*rho(s0)"
cost = "(y - s0).T*(y - s0)/2"

[values]
seed = 0
W01 = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]

[settings]
dps = 30
"""


def edit(old, new, count=1):
    assert old in BASE, old
    return BASE.replace(old, new, count)


ENERGY = 'energy = "(s0.T*s0 + s1.T*s1)/2 - rho(s0).T*W01*rho(s1) - b1.T*rho(s1) - x.T*rho(s0)"'


def energy(text):
    return edit(ENERGY, f'energy = "{text}"')


# id -> (file text, expected key or None, expected words of the problem)
FILES = {
    "toml-syntax": (edit("[state]\ns0 = 2", "[state\ns0 = 2"), None, ["TOML syntax error", "line"]),
    "toml-duplicate-key": (edit("s1 = 3", "s1 = 3\ns1 = 4"), None, ["TOML syntax error"]),
    "unknown-top-level-key": (BASE + "\n[colour]\nred = 1\n", "colour", ["unknown key"]),
    "toml-invalid-value-quotes-its-line": (edit("s1 = 3", "s1 = three"), None, ["TOML syntax error", ": s1 = three"]),
    "unknown-name-in-energy": (energy("s0.T*s0 + q*s1.T*s1"), "model.energy", ["unknown name 'q'"]),
    "misspelt-name-gets-a-suggestion": (energy("s0.T*s0 + s11.T*s1"), "model.energy",
                                        ["unknown name 's11'; did you mean 's1'?"]),
    "shape-mismatch-missing-T": (energy("s0.T*s0 + s1.T*s1 - rho(s0)*W01*rho(s1)"), "model.energy",
                                 ["matrix product", "did you forget a .T"]),
    "add-vector-and-matrix": (energy("s0.T*s0 + s1.T*s1 + sum(s0 + W01)"), "model.energy",
                              ["cannot add"]),
    "energy-not-scalar": (energy("s0 + W01*s1"), "model.energy", ["must be a scalar", "2x1"]),
    "cost-not-scalar": (edit('cost = "(y - s0).T*(y - s0)/2"', 'cost = "y - s0"'), "model.cost",
                        ["must be a scalar"]),
    "function-body-other-variable": (edit('rho = "sigmoid"', 'rho = "u*v"'), "functions.rho",
                                     ["unknown name 'v'"]),
    "function-unknown-builtin": (edit('rho = "sigmoid"', 'rho = "relu"'), "functions.rho",
                                 ["unknown name 'relu'"]),
    "function-not-twice-differentiable": (edit('rho = "sigmoid"', 'rho = "exp(u/0)"'),
                                          "functions.rho", ["division by zero"]),
    "function-constant-body": (edit('rho = "sigmoid"', 'rho = "2"'), "functions.rho",
                               ["must depend on u"]),
    "cost-depends-on-no-state": (edit('cost = "(y - s0).T*(y - s0)/2"', 'cost = "(y - x).T*(y - x)/2"'),
                                 "model.cost", ["depends on no state variable"]),
    "state-energy-ignores": (edit("s1 = 3", "s1 = 3\ns2 = 2"), "model.energy",
                             ["does not depend on state component s2[0]"]),
    "name-declared-twice": (edit("b1 = 3", "b1 = 3\ns0 = 2"), "params.s0",
                            ["declared twice", "[state]"]),
    "value-wrong-shape": (edit("W01 = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]", "W01 = [[0.1, 0.2], [0.4, 0.5]]"),
                          "values.W01", ["2x2 matrix", "2x3 matrix"]),
    "value-undeclared-param": (edit("seed = 0", "seed = 0\nW99 = 1"), "values.W99",
                               ["not a declared parameter"]),
    "negative-size": (edit("s1 = 3", "s1 = -3"), "state.s1", ["size must be >= 0"]),
    "bad-number-string": (edit('x = [1, "-1/2"]', 'x = [1, "abc"]'), "inputs.x", ["'abc' is not a number"]),
    "ragged-matrix": (edit('x = [1, "-1/2"]', 'x = [[1, 2], [3]]'), "inputs.x", ["same"]),
    "unknown-setting": (edit("dps = 30", "dps = 30\ncolour = 1"), "settings.colour", ["unknown setting"]),
    "dps-out-of-range": (edit("dps = 30", "dps = 5"), "settings.dps", ["from 10 to 1000"]),
    "forbidden-dunder-import": (energy("__import__('os').system('touch PWNED') + s0.T*s0 + s1.T*s1"),
                                "model.energy", ["'__import__'"]),
    "forbidden-attribute": (energy("s0.__class__ + s0.T*s0 + s1.T*s1"), "model.energy",
                            ["'.__class__' is not allowed"]),
    "forbidden-indexing": (energy("s0[0]*s0[0] + s1.T*s1"), "model.energy", ["'[' is not allowed"]),
    "forbidden-lambda": (energy("(lambda u: u)(s0).T*s0 + s1.T*s1"), "model.energy", ["'lambda'"]),
    "transpose-of-scalar": (edit("[state]\ns0 = 2\ns1 = 3", "[state]\ns0 = 2\ns1 = 3\nc = 0").replace(
        "x.T*rho(s0)\"", "x.T*rho(s0) + c.T*c\""), "model.energy", [".T (transpose)", "scalar"]),
    "missing-energy": (edit(ENERGY + "\n", ""), "model.energy", ["missing"]),
    "energy-not-a-string": (edit(ENERGY, "energy = 5"), "model.energy", ["must be a string"]),
    "unknown-model-key": (edit("[model]\n", "[model]\nenergies = \"s0.T*s0\"\n"), "model.energies",
                          ["unknown key"]),
    "empty-state": (edit("[state]\ns0 = 2\ns1 = 3", "[state]"), "state", ["at least one state"]),
    "missing-name": (edit('name = "tiny"\n', ""), "name", ["required"]),
    "no-parameter-used": (energy("(s0.T*s0 + s1.T*s1)/2 - x.T*rho(s0)").replace(
        'cost = "(y - s0).T*(y - s0)/2"', 'cost = "(y - s0).T*(y - s0)/2 + sum(s1)"'),
        "params", ["neither the energy nor the cost depends on any parameter"]),
    "bad-matrix-shape": (edit("W01 = [2, 3]", "W01 = [2, 0]"), "params.W01", ["expected"]),
}

# id -> (extra command-line arguments replacing the model path, expected words)
ARGS = {
    "unknown-built-in": (["paper-hopfeld"], ["paper-hopfeld", "neither a model file nor a built-in",
                                             "paper-hopfield"]),
    "missing-file": (["{tmp}/does-not-exist.toml"], ["does-not-exist.toml", "no such file"]),
    "not-utf8": (["{tmp}/latin1.toml"], ["latin1.toml", "cannot read file"]),
}


# cases also run as real subprocesses
SUBPROCESS_CASES = ["toml-syntax", "shape-mismatch-missing-T", "forbidden-dunder-import",
                    "unknown-built-in", "missing-file"]


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "verify", "derive", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def run_in_process(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["derive", *args])
    return subprocess.CompletedProcess(["derive", *args], rc, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """id -> (the path or name the message must mention, argv)."""
    tmp = tmp_path_factory.mktemp("bad-models")
    (tmp / "latin1.toml").write_bytes("name = \"caf\xe9\"\n".encode("latin-1"))
    (tmp / "valid.toml").write_text(BASE, encoding="utf-8")
    jobs = {"_tmp": (str(tmp), [])}
    for case, (text, _, _) in FILES.items():
        path = tmp / f"{case}.toml"
        path.write_text(text, encoding="utf-8")
        jobs[case] = (str(path), [str(path)])
    for case, (args, _) in ARGS.items():
        argv = [a.format(tmp=tmp) for a in args]
        jobs[case] = (argv[0], argv)
    return jobs


@pytest.fixture(scope="module")
def subprocesses(cases):
    """The subset, the --debug run, a valid file and a bad --format, as concurrent subprocesses."""
    tmp = cases["_tmp"][0]
    jobs = {case: cases[case][1] for case in SUBPROCESS_CASES}
    jobs["debug"] = cases["energy-not-scalar"][1] + ["--debug"]
    jobs["valid"] = [os.path.join(tmp, "valid.toml")]
    jobs["bad-format"] = ["riccati", "--format", "pdf"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {case: pool.submit(run_cli, *argv, cwd=tmp) for case, argv in jobs.items()}
        return {case: f.result() for case, f in futures.items()}


def test_enough_distinct_bad_inputs():
    assert len(FILES) + len(ARGS) >= 15


def test_the_base_model_is_valid(subprocesses):
    proc = subprocesses["valid"]
    assert proc.returncode == 0, proc.stderr
    assert "Eq 1" in proc.stdout and proc.stderr == ""


def _assert_one_clear_line(proc, path, key, words):
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr)
    err = proc.stderr.strip()
    assert "Traceback" not in err, err
    assert "\n" not in err, f"expected one line, got:\n{err}"
    assert err.startswith("eqprop-verify derive: error: "), err
    assert path in err, f"the file is not named: {err}"
    if key is not None:
        assert f"[{key}]" in err, f"the key [{key}] is not named: {err}"
    for w in words:
        assert w in err, f"{w!r} not in: {err}"
    assert proc.stdout == ""


@pytest.mark.parametrize("case", list(FILES))
def test_bad_model_file(cases, case):
    path, argv = cases[case]
    _, key, words = FILES[case]
    _assert_one_clear_line(run_in_process(*argv), path, key, words)


@pytest.mark.parametrize("case", list(ARGS))
def test_bad_model_argument(cases, case):
    path, argv = cases[case]
    _assert_one_clear_line(run_in_process(*argv), path, None, ARGS[case][1])


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_real_cli_prints_the_same_message(cases, subprocesses, case):
    path, argv = cases[case]
    proc = subprocesses[case]
    expected = FILES[case][1:] if case in FILES else (None, ARGS[case][1])
    _assert_one_clear_line(proc, path, *expected)
    assert proc.stderr == run_in_process(*argv).stderr


def test_forbidden_syntax_runs_nothing(cases, subprocesses):
    """The expression is rejected before any evaluation: no file was created."""
    run_in_process(*cases["forbidden-dunder-import"][1])
    assert not os.path.exists(os.path.join(cases["_tmp"][0], "PWNED"))
    assert not os.path.exists("PWNED")


def test_debug_shows_the_traceback(subprocesses):
    proc = subprocesses["debug"]
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr
    assert "SpecError" in proc.stderr and "must be a scalar" in proc.stderr


def test_bad_format_argument_is_a_usage_error(subprocesses):
    proc = subprocesses["bad-format"]
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "--format" in proc.stderr and "invalid choice: 'pdf'" in proc.stderr
