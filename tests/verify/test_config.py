"""The precision policy (verify.precision) and the settings resolver (verify.config): rules, messages, exact times.

A setting is checked by one rule wherever it comes from, and the message
names its source: the model file and key, the command-line flag, or the API
argument (issue 15 item 8). Nothing here runs a check, except where a bad
argument must be refused before any computation.
"""

from __future__ import annotations

import fractions

import mpmath
import pytest
import sympy as sp

from symbolic.errors import SpecError
from symbolic.load import load_model
from symbolic.spec import load_model_text
from symbolic.zoo import builtin_text
from verify import config
from verify.errors import UsageError
from verify.precision import GUARD_DIGITS, LOCK, Precision, validate_dps


# -- the precision policy ----------------------------------------------------------------------
def test_precision_thresholds_follow_the_documented_formulas():
    p = Precision(30)
    assert p.work == 30 + GUARD_DIGITS
    with mpmath.workdps(80):          # exact powers of ten to compare with
        assert p.eps == mpmath.mpf(10) ** -40
        assert p.complex_step == mpmath.mpf(10) ** -50
        assert p.beta_complex_step == mpmath.mpf(10) ** -40   # never the routes' step (see its docstring)
        assert p.root_tolerance(3) == 3 * mpmath.mpf(10) ** -34
        assert p.rounding(7) == 7 * mpmath.mpf(10) ** -27 and p.rounding(0.5) == mpmath.mpf(10) ** -27
        assert p.inconclusive_above == mpmath.mpf(10) ** -15
        assert p.zero_below(3) == 3 * mpmath.mpf(10) ** -35
    assert p.raised(7).work == 47 and p.raised(7).dps == 30 and p.raised(7).rounding() == p.rounding()
    assert Precision(31).singular_ratio() == mpmath.mpf(10) ** -21   # 10^floor(-41/2)
    assert p.digits(mpmath.mpf(10) ** -12) == 12.0 and p.digits(0) == 40.0 and p.digits(None) is None


def test_context_sets_and_restores_the_global_precision_and_holds_the_lock():
    before = mpmath.mp.dps
    with Precision(25).context():
        assert mpmath.mp.dps == 35
        with Precision(25).raised(5).context():     # re-entrant: a route raising its precision
            assert mpmath.mp.dps == 40
        assert mpmath.mp.dps == 35
        assert LOCK._is_owned()
    assert mpmath.mp.dps == before and not LOCK._is_owned()


@pytest.mark.parametrize("value", [0, -5, 9, 1001, 10**6, 2.5, True, "25", None])
def test_validate_dps_refuses_with_one_message(value):
    with pytest.raises(UsageError, match=r"^--dps must be an integer from 10 to 1000, got "):
        validate_dps(value, "--dps")


# -- the resolver: sources, messages ------------------------------------------------------------
def _model(settings: str):
    text = builtin_text("riccati").split("[settings]")[0] + "[settings]\n" + settings
    return load_model_text(text, "my-model.toml")


def test_precedence_given_then_model_file_then_defaults():
    model = _model('dps = 22\ntimes = [0, "1/3"]\nbeta_method = "richardson"\nseed = 5\n')
    s = config.resolve(model)
    assert (s.dps, s.times, s.beta_method, s.seed) == (22, (0, sp.Rational(1, 3)), "richardson", 5)
    s = config.resolve(model, dps=31, times=["0.25"], beta_method="contour", seed=1, max_directions=3)
    assert (s.dps, s.times, s.beta_method, s.seed, s.max_directions) == (31, (sp.Rational(1, 4),), "contour", 1, 3)
    s = config.resolve(_model(""))
    assert (s.dps, s.beta_method, s.seed, s.max_directions) == (40, "symmetric", 0, 64)
    assert s.times == tuple(sp.Rational(t) for t in config.DEFAULT_TIMES)


@pytest.mark.parametrize("key, value, problem", [
    ("dps", 0, "must be an integer from 10 to 1000, got 0"),
    ("dps", 2.5, "must be an integer from 10 to 1000, got 2.5"),
    ("dps", True, "must be an integer from 10 to 1000, got True"),
    ("dps", "25", "must be an integer from 10 to 1000, got '25'"),
    ("times", ["a"], "has 'a', which is not a number"),
    ("times", ["-1"], "must be >= 0, got -1"),
    ("times", ["1/0"], "has '1/0', which is not a number (division by zero)"),
    ("times", ["nan"], "has 'nan', which is not a number"),
    ("times", ["1e999999999"], "has '1e999999999', out of range"),
    ("times", [], "must list at least one time t >= 0"),
    ("times", "0.5", "must be a list of times t >= 0, got '0.5'"),
    ("beta_method", "sideways", "'sideways' is unknown; choose one of richardson, symmetric"),
    ("backend", "gpu", "'gpu' is unknown; choose one of auto, mpmath, heyoka"),
    ("seed", "x", "must be an integer, got 'x'"),
    ("max_directions", "x", "must be an integer >= 1, got 'x'"),
    ("max_directions", 0, "must be an integer >= 1, got 0"),
])
def test_one_rule_one_message_naming_flag_or_argument(key, value, problem):
    for names in (config.CLI, config.API):
        with pytest.raises(UsageError) as info:
            config.resolve(_model(""), names=names, **{key: value})
        assert str(info.value).startswith(f"{names[key]} {problem}")


@pytest.mark.parametrize("line, key, problem", [
    ('beta_method = "sideways"', "settings.beta_method", "'sideways' is unknown; choose one of"),
    ('backend = "gpu"', "settings.backend", "'gpu' is unknown; choose one of"),
])
def test_a_model_file_setting_names_the_file_and_key_not_a_flag(line, key, problem):
    with pytest.raises(SpecError) as info:
        config.resolve(_model(line + "\n"), names=config.CLI)
    message = str(info.value)
    assert message.startswith(f"my-model.toml: [{key}] {problem}") and "--" not in message


def test_model_file_dps_has_the_same_rule_as_the_flag():
    with pytest.raises(SpecError, match=r"my-model.toml: \[settings.dps\] must be an integer from 10 to 1000, got 0"):
        _model("dps = 0\n")


# -- exact times ----------------------------------------------------------------------------------
@pytest.mark.parametrize("given, exact", [
    (0.1, sp.Rational(1, 10)), ("0.1", sp.Rational(1, 10)), (fractions.Fraction(1, 3), sp.Rational(1, 3)),
    ("1/3", sp.Rational(1, 3)), ("1e-3", sp.Rational(1, 1000)), (2, sp.Integer(2)), (sp.Rational(5, 4), sp.Rational(5, 4)),
])
def test_times_are_exact_rationals(given, exact):
    assert config.parse_times([given]) == [exact]


def test_times_in_the_json_are_exact_decimals():
    s = config.resolve(_model(""), times=[0.1, "1/3", 2, "0.125", "1e-3"])
    meta = s.to_json()
    assert meta["times"] == ["0.001", "0.1", "0.125", "0." + "3" * s.precision.work, "2"]   # 1/3: work digits
    assert meta["times_exact"] == ["1/1000", "1/10", "1/8", "1/3", "2"]
    assert config.decimal_text(sp.Rational(-7, 20)) == "-0.35" and config.decimal_text(sp.Rational(1, 3)) is None


# -- the API boundary (verify.check) ------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    ({"dps": 0}, "dps must be an integer from 10 to 1000, got 0"),
    ({"dps": -5}, "dps must be an integer from 10 to 1000, got -5"),
    ({"dps": 2.5}, "dps must be an integer from 10 to 1000, got 2.5"),
    ({"dps": True}, "dps must be an integer from 10 to 1000, got True"),
    ({"dps": "25"}, "dps must be an integer from 10 to 1000, got '25'"),
    ({"max_directions": "x"}, "max_directions must be an integer >= 1, got 'x'"),
    ({"progress": 3}, "progress must be a callable"),
    ({"beta_method": "sideways"}, "beta_method 'sideways' is unknown"),
    ({"backend": "gpu"}, "backend 'gpu' is unknown"),
    ({"times": ["x"]}, "times has 'x', which is not a number"),
    ({"times": [-1]}, "times must be >= 0, got -1"),
])
def test_api_arguments_are_validated_at_the_boundary(kwargs, message):
    import verify

    before = mpmath.mp.dps
    with pytest.raises(UsageError) as info:
        verify.check("riccati", **kwargs)
    assert str(info.value).startswith(message)
    assert mpmath.mp.dps == before


def test_api_refuses_a_model_that_is_not_a_model():
    import verify

    with pytest.raises(UsageError, match="model_or_path must be a Model"):
        verify.check(3)


def test_model_settings_errors_through_the_api_name_the_file(tmp_path):
    import verify

    path = tmp_path / "m.toml"
    path.write_text(builtin_text("riccati").split("[settings]")[0] + '[settings]\nbeta_method = "x"\n')
    with pytest.raises(SpecError, match=r"m.toml: \[settings.beta_method\] 'x' is unknown"):
        verify.check(str(path))
    assert load_model(str(path)).settings["beta_method"] == "x"   # the parser keeps it; the resolver judges it


# -- every command that takes --dps refuses a bad one, naming the flag ----------------------------------
@pytest.mark.parametrize("command", [["check", "riccati"], ["report", "riccati"], ["audit"], ["random"],
                                     ["falsify"], ["derive", "riccati"], ["prove", "riccati"], ["bench"]])
@pytest.mark.parametrize("dps", ["0", "-5", "1000000"])
def test_every_command_refuses_a_bad_dps(command, dps, capsys):
    from verify.cli import main

    assert main([*command, "--dps", dps]) == 2
    err = capsys.readouterr().err
    assert f"--dps must be an integer from 10 to 1000, got {dps}" in err and "Traceback" not in err
