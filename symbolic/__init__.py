"""The symbolic layer: model files, the paper's derivations, compilation to numbers."""

from .derive import BETA, Derivation, derive
from .errors import SpecError
from .load import load_model
from .model import Block, Model
from .spec import load_model_file, load_model_text, model_from_dict

__all__ = ["BETA", "Block", "Derivation", "Model", "SpecError", "derive", "load_model",
           "load_model_file", "load_model_text", "model_from_dict"]
