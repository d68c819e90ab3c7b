"""Issue 11: lazy imports at the front door, and the benchmark's target table (no timing here)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

from verify.bench.check import STIFF_MODEL, targets


def _imports_sympy(code: str) -> bool:
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    out = subprocess.run([sys.executable, "-c", code + "; import sys; print('sympy' in sys.modules)"],
                         capture_output=True, text=True, env=env, check=True)
    return out.stdout.strip().splitlines()[-1] == "True"


def test_help_and_symbolic_errors_do_not_import_sympy():
    assert not _imports_sympy("from verify.cli import build_parser; build_parser(['--help'])")
    assert not _imports_sympy("import symbolic.errors")
    # usage errors of `check` (--dps, --backend) are found before the model is read
    assert not _imports_sympy("from verify.cli import build_parser; build_parser(['check', 'm'])")
    assert _imports_sympy("import symbolic; symbolic.load_model")  # the lazy names still resolve


def test_lazy_package_keeps_its_names():
    importlib.import_module("symbolic.derive")     # the submodule, imported before the name
    from symbolic import BETA, derive, load_model

    assert callable(derive) and derive.__name__ == "derive" and str(BETA) == "beta"
    assert load_model("quadratic").n == 3


def test_parser_for_one_subcommand_has_its_options_and_full_parser_all():
    from verify.cli import build_parser

    args = build_parser(["check", "paper-hopfield"]).parse_args(["check", "paper-hopfield", "--dps", "30"])
    assert args.dps == 30 and args.model == "paper-hopfield"
    full = build_parser()
    assert full.parse_args(["show", "quadratic"]).command == "show"


def test_targets_table_from_one_run():
    run = {"check_vs_odefun": [{"backend": "mpmath", "ratio": 0.5, "check_seconds": 10.0}],
           "stiff": [{"backend": "mpmath", "dps": 40, "seconds": 60.0}],
           "size": {"mpmath": {"rows": [{"n": 6, "seconds": 1.0}, {"n": 66, "seconds": 200.0}],
                               "exponent_in_n": 1.9}}}
    got = {t["key"]: (t["value"], t["met"]) for t in targets(run, "mpmath")}
    assert got == {"baseline_vs_odefun": (0.5, False), "stiff_vs_baseline": (6.0, False),
                   "growth_exponent": (1.9, True), "n66_seconds": (200.0, False)}
    assert all(t["value"] is None and t["met"] is None for t in targets({}, "mpmath"))


def test_stiff_model_file_has_the_issue_spectrum():
    import mpmath

    from symbolic.compile import compile_model
    from symbolic.spec import load_model_file

    compiled = compile_model(load_model_file(STIFF_MODEL))
    with mpmath.workdps(30):
        theta = compiled.theta_values(30)
        H = compiled.H([mpmath.mpf(0)] * compiled.n, theta)
        eig = sorted(mpmath.eigsy(H)[0])
    assert [round(float(e), 2) for e in eig] == [0.01, 1.0, 100.0]
