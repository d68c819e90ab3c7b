"""Printing scalar sympy expressions: evaluation contexts (s^0, s^β, ...), precedence levels, text and LaTeX printers."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from ..functions import FUNCTIONS
from .names import BUILTIN_LATEX, canonical, function_latex, function_text, split_prime

if TYPE_CHECKING:
    from .texpr import Names


# ----------------------------------------------------------------------------- decorations
@dataclasses.dataclass(frozen=True)
class Ctx:
    """Where state blocks are evaluated: anywhere (None), s^0 ("0"), s^β ("β"), S^β(s^0, t) ("βt")."""

    at: str | None = None

    def text(self, name: str) -> str:
        return {None: name, "0": name + "^0", "β": name + "^β", "βt": name + "^β(t)"}[self.at]

    def latex(self, tex: str) -> str:
        return {None: tex, "0": tex + "^{0}", "β": tex + r"^{\beta}",
                "βt": tex + r"^{\beta}(t)"}[self.at]


PLAIN = Ctx()

# precedence levels for parenthesising
PLUS, SCALE, HADAMARD, MATMUL, DECORATED, ATOM = range(6)


class _TextPrinter(StrPrinter):
    def __init__(self, names: Names, ctx: Ctx = PLAIN, ascii_: bool = False):
        super().__init__()
        self._names, self._ctx, self._ascii = names, ctx, ascii_

    def _print_Symbol(self, expr):
        return self._names.symbol_text(expr, self._ctx, self._ascii)

    _print_Dummy = _print_Symbol

    def _print_Function(self, expr):
        base, order = split_prime(expr.func.__name__)
        fn = base + "'" * order if self._ascii else function_text(base, order)
        return "%s(%s)" % (fn, self.stringify(expr.args, ", "))

    def _print_exp(self, expr):
        return "exp(%s)" % self._print(expr.args[0])

    def _print_Pow(self, expr, rational=False):
        base = expr.base
        if (base.is_Symbol and self._ctx.at is not None and base in self._names.index
                and self._names.index[base][0].kind == "state" and expr.exp.is_Number
                and expr.exp > 0):
            return "(%s)**%s" % (self._print(base), self._print(expr.exp))
        return super()._print_Pow(expr, rational)

    def _print_MatrixElement(self, expr):
        if expr.parent.shape[1] == 1:
            return "%s[%s]" % (self._print(expr.parent), self._print(expr.i))
        return "%s[%s,%s]" % (self._print(expr.parent), self._print(expr.i), self._print(expr.j))


class _LatexPrinter(LatexPrinter):
    def __init__(self, names: Names, ctx: Ctx = PLAIN):
        super().__init__({"mul_symbol": None})
        self._names, self._ctx = names, ctx

    def _print_Symbol(self, expr, style="plain"):
        return self._names.symbol_latex(expr, self._ctx)

    def _print_Function(self, expr, exp=None):
        base, order = split_prime(expr.func.__name__)
        if isinstance(expr, AppliedUndef) or base in BUILTIN_LATEX:
            tex = r"%s\left(%s\right)" % (function_latex(base, order),
                                          ", ".join(self._print(a) for a in expr.args))
            return tex if exp is None else r"%s^{%s}" % (tex, exp)
        return super()._print_Function(expr, exp)

    def _print_exp(self, expr, exp=None):
        tex = r"\exp\left(%s\right)" % self._print(expr.args[0])
        return tex if exp is None else r"%s^{%s}" % (tex, exp)


for _f in FUNCTIONS.values():  # our own sympy Functions (sigmoid, softplus, ...) print as above
    if _f.sympy.__module__ == "symbolic.functions":
        setattr(_LatexPrinter, "_print_" + _f.sympy.__name__, _LatexPrinter._print_Function)


def expr_text(expr, names: Names, ctx: Ctx = PLAIN, ascii_: bool = False) -> str:
    """A scalar sympy expression as text, components named as in the contract."""
    return _TextPrinter(names, ctx, ascii_).doprint(canonical(expr))


def expr_latex(expr, names: Names, ctx: Ctx = PLAIN) -> str:
    return _LatexPrinter(names, ctx).doprint(canonical(expr))


def pretty_text(expr, names: Names, ctx: Ctx = PLAIN) -> str:
    """A scalar expression for reading: ``b*s**2`` as ``b s^2``."""
    return expr_text(expr, names, ctx).replace("**", "^").replace("*", " ")


def coef_text(c, names: Names) -> str:
    return pretty_text(c, names)


