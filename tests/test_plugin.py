"""The pytest plugin (entry point pytest11 `eqprop_verify`), tested as a user uses it: with pytester."""

from __future__ import annotations

import importlib
import importlib.util
import os

import pytest

from symbolic.zoo.models import builtin_text

# In-process pytester runs restore sys.modules afterwards and numpy cannot be imported twice in
# one process: everything a check imports is imported before any run. scipy.integrate is the free
# flow's stiff solver (verify.fixed_point), a C extension; heyoka (the optional backend) and flint
# (the discrete block kernel's) are imported on first use, when installed.
PRELOADED = ["scipy.integrate", "symbolic.load", "verify.evidence", "verify.pipeline",
             *(name for name in ("heyoka", "flint") if importlib.util.find_spec(name) is not None),
             "verify.discrete.check", "verify.discrete.continuous_field", "verify.falsify", "verify.theorems"]
for _module in PRELOADED:
    importlib.import_module(_module)

pytest_plugins = ["pytester"]

SADDLE = '''name = "saddle"
description = "E = -a s^2/2 + s^4/4 started at its critical point s = 0, a local maximum"

[state]
s = 0

[params]
a = 0

[targets]
y = 1

[model]
energy = "-a*s**2/2 + s**4/4"
cost = "(s - y)**2/2"

[values]
a = 1

[settings]
initial_state = 0
'''

BAD = '''name = "bad"

[state]
s = 0

[params]
a = 0

[model]
energy = "a*s**2/2"
cost = "(s - 1)**2/2"
colour = "blue"
'''

FAST = 'dps=20, times=[0, "1/2"], backend="mpmath"'


@pytest.fixture
def project(pytester):
    pytester.makefile(".toml", good=builtin_text("riccati"), saddle=SADDLE, bad=BAD)
    return pytester


def test_a_good_model_passes_and_the_report_is_returned(project):
    project.makepyfile(f'''
        def test_good(eqprop_check):
            report = eqprop_check("good.toml", {FAST})
            assert report.verdict == "verified"
            assert report.settings["dps"] == 20
            assert {{c.id for c in report.checks}} >= {{"theorem1", "theorem2", "theorem3", "corollary4", "eq24"}}

        def test_model_object_and_builtin_name(eqprop_check):
            from symbolic.load import load_model
            assert eqprop_check(load_model("riccati"), {FAST}).verdict == "verified"
            assert eqprop_check("riccati", {FAST}).verdict == "verified"
    ''')
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["eqprop-verify: eqprop_check settings:*", "*eqprop_check: 3 model checks: 3 verified*"])


README_TEST = f'''
def test_my_energy(eqprop_check):
    eqprop_check("two-layer.toml", {FAST})
'''


@pytest.mark.parametrize("run_from", ["the test's directory", "the repository root"])
def test_a_relative_model_path_is_found_beside_the_test_file(pytester, monkeypatch, run_from):
    """The README's plugin example, with the model next to the test, run from either directory."""
    tests = pytester.mkdir("tests")
    (tests / "two-layer.toml").write_text(builtin_text("riccati"), encoding="utf-8")
    (tests / "test_readme.py").write_text(README_TEST, encoding="utf-8")
    if run_from == "the test's directory":
        monkeypatch.chdir(tests)
        result = pytester.runpytest("-p", "no:cacheprovider", "test_readme.py")
    else:
        result = pytester.runpytest("-p", "no:cacheprovider", "tests/test_readme.py")
    result.assert_outcomes(passed=1)


def test_model_path_resolution_order(tmp_path, monkeypatch):
    from verify.pytest_plugin import resolve_model_path

    here, there = tmp_path / "tests", tmp_path / "cwd"
    here.mkdir(), there.mkdir()
    monkeypatch.chdir(there)
    (there / "only-in-cwd.toml").write_text("", encoding="utf-8")
    (here / "both.toml").write_text("", encoding="utf-8")
    (there / "both.toml").write_text("", encoding="utf-8")
    assert resolve_model_path("both.toml", here) == str(here / "both.toml")       # the test's directory wins
    assert resolve_model_path("only-in-cwd.toml", here) == "only-in-cwd.toml"      # then the current directory
    assert resolve_model_path("missing.toml", here) == str(here / "missing.toml")  # reported beside the test
    assert resolve_model_path("riccati", here) == "riccati"                        # a built-in name
    assert resolve_model_path(str(there / "both.toml"), here) == str(there / "both.toml")
    monkeypatch.chdir(tmp_path)                                                     # shown relative to the cwd
    assert resolve_model_path("missing.toml", here) == os.path.join("tests", "missing.toml")


def test_a_false_statement_fails_with_the_readable_table(project):
    project.makepyfile(f'''
        def test_false_variant(eqprop_check):
            eqprop_check("good.toml", variant="eq23-sign-flipped", {FAST})
    ''')
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*eqprop_check riccati: FAILED: eq23-sign-flipped*",
        "*PASS corollary4*",
        "*FAIL eq23-sign-flipped*FALSE VARIANT of corollary4*",
        "*compared  direct dL/ds*",
        "*tolerance*",
        "*verdict: FAILED*",
    ])
    assert "Traceback" not in result.stdout.str() and "def test_false_variant" not in result.stdout.str()


def test_an_invalid_model_file_fails_clearly(project):
    project.makepyfile('''
        def test_bad(eqprop_check):
            eqprop_check("bad.toml")

        def test_missing(eqprop_check):
            eqprop_check("nowhere.toml")

        def test_bad_setting(eqprop_check):
            eqprop_check("good.toml", beta_method="sideways")

        def test_bad_not_applicable(eqprop_check):
            eqprop_check("good.toml", not_applicable="maybe")

        import pytest

        @pytest.mark.eqprop(precision=3)
        def test_bad_marker(eqprop_check):
            pass
    ''')
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=4, errors=1)
    result.stdout.fnmatch_lines([
        "*@pytest.mark.eqprop takes keywords dps, times, beta_method, backend, steps, not_applicable; got precision*",
        "*eqprop_check: invalid model: bad.toml: [[]model.colour[]] unknown key*",
        "*eqprop_check: invalid model: nowhere.toml: no such file*",
        "*eqprop_check: invalid setting: beta_method 'sideways' is unknown*",
        "*eqprop_check: invalid setting: not_applicable='maybe'*",
    ])
    text = result.stdout.str()
    assert "Traceback" not in text and "During handling" not in text and "SpecError" not in text


def test_hypotheses_not_met_is_not_a_pass(project):
    project.makepyfile(f'''
        import pytest

        def test_default_fails(eqprop_check):
            eqprop_check("saddle.toml", {FAST})

        def test_skip(eqprop_check):
            eqprop_check("saddle.toml", not_applicable="skip", {FAST})

        def test_allow(eqprop_check):
            report = eqprop_check("saddle.toml", not_applicable="allow", {FAST})
            assert report.verdict == "hypotheses-not-met"
            assert not {{c.id for c in report.checks if not c.applicable}} - {{"theorem2", "eq10-limit", "eq24"}}  # eq24: Y = 0 (M = 0 at s = 0), vacuous
    ''')
    result = project.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(failed=1, skipped=1, passed=1)
    result.stdout.fnmatch_lines([
        "*eqprop_check saddle: NOT VERIFIED: the hypotheses of some statements are not met*",
        "*N/A  theorem2*", "*not applicable: needs a strict minimum of E*",
        "SKIPPED*eqprop_check saddle: hypotheses not met (theorem2: needs a strict minimum*",
    ])


def test_options_marker_and_header(project):
    project.makepyfile('''
        import pytest

        def test_options(eqprop_check):
            report = eqprop_check("good.toml")
            assert report.settings["dps"] == 21
            assert report.settings["times_exact"] == ["0", "1/4"]
            assert report.settings["beta_method"] == "complex-step"

        @pytest.mark.eqprop(dps=22, beta_method="richardson")
        def test_marker(eqprop_check):
            report = eqprop_check("good.toml")
            assert (report.settings["dps"], report.settings["beta_method"]) == (22, "richardson")
            assert eqprop_check("good.toml", dps=23).settings["dps"] == 23   # the call wins

        def test_not_applicable_option(eqprop_check):
            eqprop_check("saddle.toml")
    ''')
    result = project.runpytest("-p", "no:cacheprovider", "--eqprop-dps", "21", "--eqprop-times", "0,1/4",
                               "--eqprop-beta-method", "complex-step", "--eqprop-backend", "mpmath",
                               "--eqprop-not-applicable", "skip")
    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines(["eqprop-verify: eqprop_check settings: dps=21, times=0,1/4, "
                                 "beta-method=complex-step, backend=mpmath, not-applicable=skip"])


@pytest.mark.parametrize("option, value, message", [
    ("--eqprop-dps", "0", "--eqprop-dps must be an integer from 10 to 1000, got 0"),
    ("--eqprop-times", "0,-1", "--eqprop-times must be >= 0, got -1"),
])
def test_bad_options_are_refused_before_any_test(project, option, value, message):
    """The plugin's options follow the CLI's rules (verify.config) and name the option."""
    project.makepyfile("def test_nothing(eqprop_check):\n    pass\n")
    result = project.runpytest("-p", "no:cacheprovider", option, value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*eqprop-verify: {message}*"])


def test_options_are_in_one_help_group(project):
    result = project.runpytest("--help")
    result.stdout.fnmatch_lines(["eqprop-verify: check models with the eqprop_check fixture:",
                                 "*--eqprop-dps=*", "*--eqprop-backend=*", "*--eqprop-beta-method=*",
                                 "*--eqprop-times=*", "*--eqprop-not-applicable=*"])
    markers = project.runpytest("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.eqprop(dps=None, times=None, *"])


def test_a_failing_user_assertion_gets_the_eqprop_section(project):
    project.makepyfile(f'''
        def test_user_assertion(eqprop_check):
            report = eqprop_check("good.toml", {FAST})
            assert report.checks[0].digits > 1000
    ''')
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*- eqprop-verify -*", "riccati: verified  theorem1:PASS*"])


def test_plugin_module_imports_nothing_heavy():
    import subprocess
    import sys

    code = ("import sys, verify.pytest_plugin; "
            "print(sorted(m for m in ('mpmath', 'sympy', 'numpy', 'hypothesis') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_discrete_models_their_false_variants_and_not_applicable(pytester):
    """Other dynamics in a user's suite: a discrete map verifies, its GDU variant fails, a sigma-update is N/A."""
    models = os.path.join(os.path.dirname(__file__), "discrete", "models")
    for name in ("hopfield-step", "sigma-update"):
        with open(os.path.join(models, f"{name}.toml"), encoding="utf-8") as fh:
            pytester.makefile(".toml", **{name: fh.read()})
    pytester.makepyfile('''
        def test_discrete(eqprop_check):
            report = eqprop_check("hopfield-step.toml", dps=20, steps=4)
            assert report.verdict == "verified" and report.settings["steps"] == 4
            assert [c.id for c in report.checks] == ["gdu-s", "gdu-theta", "gdu-sum", "bptt-adjoint"]

        def test_discrete_variant(eqprop_check):
            eqprop_check("hopfield-step.toml", dps=20, variant="gdu-s-beta-flipped")

        def test_not_a_variant_of_this_model(eqprop_check):
            eqprop_check("hopfield-step.toml", dps=20, variant="eq23-sign-flipped")

        def test_sigma_update(eqprop_check):
            report = eqprop_check("sigma-update.toml", dps=20, not_applicable="allow")
            assert report.verdict == "hypotheses-not-met"
            assert "not a gradient map" in report.checks[0].reason
    ''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["*eqprop_check hopfield-step: FAILED: gdu-s-beta-flipped*",
                                 "*FAIL gdu-s-beta-flipped*FALSE VARIANT of gdu-s*"])
    result.stdout.fnmatch_lines(["*variant='eq23-sign-flipped' is not a false variant of a discrete model*"])
    assert "Traceback" not in result.stdout.str()
