"""Resolve a MODEL argument: a built-in name or a path to a model file."""

from __future__ import annotations

from pathlib import Path

from .errors import SpecError
from .model import Model
from .spec import load_model_file, load_model_text
from .zoo import BUILTINS, builtin_text


def load_model(model_or_path) -> Model:
    """A :class:`Model` from a Model, a built-in name, or a ``.toml`` path."""
    if isinstance(model_or_path, Model):
        return model_or_path
    text = str(model_or_path)
    if text in BUILTINS and not Path(text).exists():
        return load_model_text(builtin_text(text), f"<built-in {text}>")
    path = Path(text)
    if not path.exists() and path.suffix != ".toml":
        raise SpecError(text, None, "is neither a model file nor a built-in model "
                        f"(built-ins: {', '.join(BUILTINS)})")
    return load_model_file(path)
