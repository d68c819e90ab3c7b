"""Model files with discrete dynamics, primitives and [field]/[update] tables: parsing and every misuse."""

from pathlib import Path

import pytest

from symbolic.errors import SpecError
from symbolic.spec import load_model_text

MODELS = Path(__file__).parent / "models"

HEAD = """name = "m"
[state]
h = 2
[params]
W = [2, 2]
[inputs]
x = [0.5, -0.3]
[targets]
y = [0.2, 0.7]
"""
COST = 'cost = "(y - h).T*(y - h)/2"\n'
DISCRETE = '[settings]\ndynamics = "discrete"\n'


def load(text):
    return load_model_text(HEAD + text, "m.toml")


def test_the_example_models_load_with_their_dynamics():
    kinds = {}
    for path in sorted(MODELS.glob("*.toml")):
        model = load_model_text(path.read_text(), str(path))
        kinds[path.stem] = ("primitive" if model.primitive is not None else
                            "field" if model.field is not None else "energy")
    assert kinds == {"hopfield-step": "energy", "hopfield-primitive": "primitive",
                     "sigma-update": "field", "sigma-primitive": "primitive", "field-pair": "field",
                     "pair-update": "field"}


def test_step_is_exact_and_steps_an_int():
    m = load('[model]\nenergy = "h.T*h/2 - h.T*W*x"\n' + COST + DISCRETE + 'step = 0.1\nsteps = 4\n')
    assert str(m.settings["step"]) == "1/10" and m.settings["steps"] == 4


def test_a_field_keeps_one_expression_per_state_component():
    m = load('[field]\nh = "tanh(W*h + x) - h"\n[model]\n' + COST)
    assert m.dynamics == "continuous" and len(m.field) == 2 and m.energy is None
    assert m.field_texts == {"h": "tanh(W*h + x) - h"}


@pytest.mark.parametrize("text, key, words", [
    ('[model]\nenergy = "h.T*h/2"\nprimitive = "h.T*W*h"\n' + COST + DISCRETE + 'step = 1\n',
     "model.primitive", "described twice"),
    ('[field]\nh = "W*h"\n[model]\nenergy = "h.T*h/2 - h.T*W*x"\n' + COST, "field", "described twice"),
    ('[field]\nh = "W*h"\n[update]\nh = "W*h"\n[model]\n' + COST + DISCRETE, "update", "not both"),
    ('[model]\n' + COST, "model.energy", "missing"),
    ('[model]\nprimitive = "h.T*W*h/2 + h.T*x"\n' + COST, "model.primitive", "dynamics = \"discrete\""),
    ('[update]\nh = "W*h + x"\n[model]\n' + COST, "update", "dynamics = \"discrete\""),
    ('[model]\nenergy = "h.T*h/2 - h.T*W*x"\n' + COST + DISCRETE, "settings.step", "missing"),
    ('[model]\nprimitive = "h.T*W*h/2 + h.T*x"\n' + COST + DISCRETE + 'step = 1\n', "settings.step",
     "applies to an `energy`"),
    ('[model]\nenergy = "h.T*h/2 - h.T*W*x"\n' + COST + '[settings]\nstep = 1\n', "settings.step",
     "dynamics = \"discrete\""),
    ('[model]\nenergy = "h.T*h/2 - h.T*W*x"\n' + COST + '[settings]\nsteps = 3\n', "settings.steps",
     "dynamics = \"discrete\""),
    ('[model]\nenergy = "h.T*h/2 - h.T*W*x"\n' + COST + DISCRETE + 'step = -1\n', "settings.step", "> 0"),
    ('[model]\nenergy = "h.T*h/2 - h.T*W*x"\n' + COST + DISCRETE + 'step = 1\ntimes = [0, 1]\n',
     "settings.times", "steps, not times"),
    ('[model]\nenergy = "h.T*h/2 - h.T*W*x"\n' + COST + '[settings]\ndynamics = "euler"\n', "settings.dynamics",
     "one of"),
    ('[update]\nh = "W"\n[model]\n' + COST + DISCRETE, "update.h", "2x2 matrix, but h is a vector of 2"),
    ('[update]\nh = "sum(h)"\n[model]\n' + COST + DISCRETE, "update.h", "scalar, but h is a vector of 2"),
    ('[update]\nh = "W*h"\nz = "h"\n[model]\n' + COST + DISCRETE, "update.z", "not a state variable"),
    ('[update]\n[model]\n' + COST + DISCRETE, "update.h", "missing"),
    ('[update]\nh = 3\n[model]\n' + COST + DISCRETE, "update.h", "must be a string"),
    ('[update]\nh = "W*q"\n[model]\n' + COST + DISCRETE, "update.h", "q"),
    ('[model]\nprimitive = "h[0]"\n' + COST + DISCRETE, "model.primitive", ""),
    ('[model]\nprimitive = "x.T*W*x"\n' + COST + DISCRETE, "model.primitive", "does not depend on state"),
    ('[model]\nprimitive = "h.T*h"\nenergy2 = "h"\n' + COST + DISCRETE, "model.energy2", "unknown key"),
    ('[update]\nh = "x + h"\n[model]\n' + COST + DISCRETE, "params", "neither the field nor the cost"),
])
def test_every_misuse_is_one_message_naming_the_key(text, key, words):
    with pytest.raises(SpecError) as info:
        load(text)
    assert info.value.key == key, str(info.value)
    assert words in info.value.problem
    assert str(info.value).startswith("m.toml: [")


def test_discrete_models_write_back_to_files_that_load_to_the_same_model():
    for path in sorted(MODELS.glob("*.toml")):
        model = load_model_text(path.read_text(), str(path))
        again = load_model_text(model.to_toml(), "again.toml")
        assert (again.settings, again.field, again.primitive, again.energy, again.theta_values) == \
            (model.settings, model.field, model.primitive, model.energy, model.theta_values)


def test_commands_about_the_gradient_flow_refuse_discrete_models_by_name():
    from symbolic.derive import Derivation

    model = load_model_text((MODELS / "sigma-update.toml").read_text(), "sigma-update.toml")
    with pytest.raises(SpecError) as info:
        Derivation(model)
    assert info.value.key == "settings.dynamics" and "gradient flow of an energy" in info.value.problem


@pytest.mark.parametrize("value", ["0", "10001", '"3"', "2.5", "true"])
def test_steps_is_a_setting_validated_by_the_one_resolver(value, tmp_path, capsys):
    """The file's key, the flag and the argument: one rule (verify/config.py), three names; exit 2."""
    from verify import config
    from verify.cli import main
    from verify.discrete.check import check_discrete

    text = '[model]\nenergy = "h.T*h/2 - h.T*W*x"\n' + COST + DISCRETE + f"step = 1\nsteps = {value}\n"
    model = load(text)                                       # its place (discrete dynamics) is the spec's
    with pytest.raises(SpecError) as info:
        check_discrete(model, dps=20)
    assert info.value.key == "settings.steps" and "must be an integer from 1 to 10000" in info.value.problem
    assert str(info.value).startswith("m.toml: [settings.steps]")
    path = tmp_path / "m.toml"
    path.write_text(HEAD + text)
    assert main(["check", str(path)]) == 2
    assert "[settings.steps] must be an integer from 1 to 10000" in capsys.readouterr().err
    assert config.RULES["steps"] is config._steps


def test_steps_from_the_command_line_and_the_api_are_named_as_such(capsys):
    import verify
    from verify import config
    from verify.errors import UsageError
    from verify.cli import main
    from verify.discrete.check import check_discrete

    path = str(MODELS / "sigma-primitive.toml")
    assert main(["check", path, "--steps", "0"]) == 2
    err = capsys.readouterr().err
    assert "--steps must be an integer from 1 to 10000, got 0" in err and "Traceback" not in err
    model = load_model_text((MODELS / "sigma-primitive.toml").read_text(), path)
    with pytest.raises(UsageError, match="^steps must be an integer from 1 to 10000"):
        check_discrete(model, steps=-1)
    with pytest.raises(UsageError, match="^dps must be"):
        verify.check(path, dps=5)
    assert config.resolve(model).steps == 5                 # the file's value, through the same resolver
