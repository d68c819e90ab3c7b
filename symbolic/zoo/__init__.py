"""Built-in models: ``eqprop-verify list`` and ``eqprop-verify show NAME``.

Each is a model file text, so ``show NAME > m.toml`` reproduces it exactly.
"""

from __future__ import annotations

from .models import BUILTINS, builtin_text, paper_hopfield_text

__all__ = ["BUILTINS", "builtin_text", "paper_hopfield_text"]
