"""Names a model may not declare, and why (issue 15, item 2).

A declared name becomes a sympy Symbol of that name and, in generated code
(``sympy.lambdify`` with mpmath or numpy, the Taylor jets), an identifier.
A name that equals a constant or function of those namespaces (``e``,
``pi``, ``mpf``), a Python keyword or built-in, a symbol the derivation
creates itself (``t``, ``beta``, ``D_0``, ``sbase_0``, ...) could
silently change what an expression means -- a parameter ``e`` turned
``exp(1)`` into that parameter. Such names are refused, with the reason,
so every accepted name is its own symbol.
"""

from __future__ import annotations

import builtins
import functools
import keyword
import re

#: symbols the derivation, the proofs and the generated code create by name
#: (same name and assumptions would make them the same symbol as a user's)
INTERNAL = {"t", "beta", "X_t", "Y_t", "trace", "sum", "T", "identity"}
INTERNAL_PATTERN = re.compile(r"^(D|sbase|X|Y)_\d+$|^(H|M)_\d+_\d+$|^_")


@functools.lru_cache(maxsize=1)
def _namespaces() -> dict[str, set[str]]:
    import mpmath
    import sympy

    spaces = {
        "a Python keyword": set(keyword.kwlist) | set(getattr(keyword, "softkwlist", [])),
        "a Python built-in": set(dir(builtins)),
        "an mpmath name used by the generated code": {n for n in dir(mpmath) if not n.startswith("_")},
        "a sympy name": {n for n in dir(sympy) if not n.startswith("_")},
    }
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy comes with the test extras
        pass
    else:
        spaces["a numpy name used by the generated code"] = {n for n in dir(numpy) if not n.startswith("_")}
    return spaces


def reserved_reason(name: str, functions=()) -> str | None:
    """Why ``name`` may not be declared, or None when it may."""
    if name in functions:
        return "the name of a built-in function of the expression language"
    if name in INTERNAL or INTERNAL_PATTERN.match(name):
        return "a symbol the derivation or the generated code uses itself"
    for what, names in _namespaces().items():
        if name in names:
            return what
    return None
