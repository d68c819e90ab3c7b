"""The symbolic layer: model files, the paper's derivations, compilation to numbers.

The names below are imported on first use (PEP 562), so that importing a light
submodule (``symbolic.errors``) does not import sympy: ``eqprop-verify --help``
and bad-input errors return without it.
"""

from importlib import import_module

_WHERE = {"BETA": "derive", "Derivation": "derive", "derive": "derive", "SpecError": "errors",
          "load_model": "load", "Block": "model", "Model": "model", "load_model_file": "spec",
          "load_model_text": "spec", "model_from_dict": "spec"}

__all__ = ["BETA", "Block", "Derivation", "Model", "SpecError", "derive", "load_model",
           "load_model_file", "load_model_text", "model_from_dict"]


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'symbolic' has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
