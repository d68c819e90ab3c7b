"""The symbolic layer: model files, the paper's derivations, compilation to numbers.

The names below are imported on first use (PEP 562), so that importing a light
submodule (``symbolic.errors``) does not import sympy: ``eqprop-verify --help``
and bad-input errors return without it.
"""

import sys
import types
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


class _Package(types.ModuleType):
    """Keeps ``symbolic.derive`` the function when the submodule of that name is imported.

    Importing a submodule sets it as an attribute of its package; the eager
    ``from .derive import derive`` used to rebind the name to the function
    afterwards, and ``from symbolic import derive`` must keep meaning the function.
    """

    def __setattr__(self, name, value):
        if isinstance(value, types.ModuleType) and _WHERE.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
