"""Names in text and LaTeX (Greek letters, subscripts, function names) and the canonical form of expressions."""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from ..functions import FUNCTIONS


SCHEMA = "eqprop-verify/derive/1"

GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
         "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
         "omega"]
_GREEK_UNICODE = dict(zip(GREEK, "αβγδεζηθικλμνξπρστυφχψω"))
_GREEK_UNICODE.update({"Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
                       "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ",
                       "Omega": "Ω"})
BUILTIN_TEXT = {name: f.text for name, f in FUNCTIONS.items()}
# sqrt is a power in sympy and prints as \sqrt{...}; the others print as name(argument)
BUILTIN_LATEX = {name: f.latex for name, f in FUNCTIONS.items() if isinstance(f.sympy, type)}


# ----------------------------------------------------------------------------- names
def text_name(name: str) -> str:
    """A declared name for text output: a Greek letter name in Greek (``xi1`` -> ``ξ1``)."""
    m = re.match(r"^([A-Za-z]+)(.*)$", name)
    if m and m.group(1) in _GREEK_UNICODE:
        return _GREEK_UNICODE[m.group(1)] + m.group(2)
    return name


def _latex_base(base: str) -> str:
    if base in _GREEK_UNICODE:
        return "\\" + base
    if len(base) == 1:
        return base
    return r"\mathrm{%s}" % base


def latex_name(name: str) -> str:
    """A declared name in LaTeX: ``s0`` -> ``s_{0}``, ``W01`` -> ``W_{01}``, ``xi`` -> ``\\xi``."""
    m = re.fullmatch(r"([A-Za-z]+?)_?(\d+)", name)
    if m:
        return "%s_{%s}" % (_latex_base(m.group(1)), m.group(2))
    if "_" in name:
        base, sub = name.split("_", 1)
        sub_tex = sub if (sub.isdigit() or len(sub) == 1) else r"\mathrm{%s}" % sub.replace("_", r"\_")
        return "%s_{%s}" % (_latex_base(base), sub_tex)
    return _latex_base(name)


def latex_component(block_latex: str, index: str) -> str:
    if "_" in block_latex:
        return r"(%s)_{%s}" % (block_latex, index)
    return r"%s_{%s}" % (block_latex, index)


def function_text(name: str, order: int = 0) -> str:
    base = BUILTIN_TEXT.get(name, text_name(name))
    return base + "'" * order


def function_latex(name: str, order: int = 0) -> str:
    base = BUILTIN_LATEX.get(name) or _latex_base(name)
    if order == 0:
        return base
    if order <= 3:
        return base + "'" * order
    return "%s^{(%d)}" % (base, order)


# ----------------------------------------------------------------------------- canonical form
_PRIME_FUNCTIONS: dict[tuple[str, int], Any] = {}


def prime_function(name: str, order: int):
    """The k-th derivative of user function ``name`` as an undefined function ``name'…'``."""
    if order == 0:
        return sp.Function(name, real=True)
    key = (name, order)
    if key not in _PRIME_FUNCTIONS:
        _PRIME_FUNCTIONS[key] = sp.Function(name + "'" * order, real=True)
    return _PRIME_FUNCTIONS[key]


def split_prime(name: str) -> tuple[str, int]:
    base = name.rstrip("'")
    return base, len(name) - len(base)


def canonical(expr):
    """Derivatives of user functions as primed functions: ``Derivative(rho(x), x)`` -> ``rho'(x)``.

    Also turns ``Subs(Derivative(rho(u), u), u, a)`` (sympy's form of ρ'(a) for a
    compound ``a``) into ``rho'(a)``, so every expression has one spelling.
    """
    if not isinstance(expr, sp.Basic):
        return expr

    def is_user_derivative(e):
        return (isinstance(e, sp.Derivative) and isinstance(e.expr, AppliedUndef)
                and len(e.expr.args) == 1 and e.expr.args[0].is_Symbol
                and all(v == e.expr.args[0] for v in e.variables))

    def prime(e):
        return prime_function(e.expr.func.__name__, len(e.variables))(e.expr.args[0])

    if expr.has(sp.Derivative):
        expr = expr.replace(is_user_derivative, prime)
    if expr.has(sp.Subs):
        expr = expr.replace(lambda e: isinstance(e, sp.Subs) and not e.expr.has(sp.Derivative),
                            lambda e: e.doit())
    return expr


def expand(expr, multinomial: bool = False, deep: bool = False):
    """Distribute products over sums (and, with ``multinomial``, expand powers of sums).

    Never rewrites exp(a + b) or log(a b).  Recognition leaves powers of sums
    alone: (Σ_i e_i)^-2 stays one scalar factor instead of 1/(Σ_ij e_i e_j).
    Function arguments are left as they are unless ``deep`` (recognition
    expands each argument when it reads it): the function applications are
    set aside as placeholders while the rest is expanded, which is much
    faster than sympy's deep expansion of every exp(...) argument.
    """
    expr = canonical(expr)
    hints = dict(power_exp=False, power_base=False, log=False, mul=True, multinomial=multinomial)
    if deep or not isinstance(expr, sp.Basic):
        return sp.expand(expr, deep=True, **hints)
    calls = expr.atoms(sp.Function)
    if not calls:
        return sp.expand(expr, deep=True, **hints)
    hide = {f: sp.Dummy() for f in calls}
    out = sp.expand(expr.xreplace(hide), deep=True, **hints)
    return out.xreplace({d: f for f, d in hide.items()})


