"""The model expression language (DESIGN.md): sympy's parser over declared names.

Declared vectors are column matrices, ``*`` is the matrix product, ``.T``
transposes, functions apply elementwise, and a 1x1 result counts as a scalar.
User text is never passed to ``eval``/``exec`` before every token has been
checked against the declared names and the function whitelist.
"""

from __future__ import annotations

import io
import keyword
import tokenize

import sympy as sp
from sympy.parsing.sympy_parser import auto_number, parse_expr, rationalize

ALLOWED_OPERATORS = {"+", "-", "*", "/", "**", "(", ")", ".", ","}


class ExpressionError(ValueError):
    """An expression is malformed; the message says how (no file or key)."""


class Arr:
    """A matrix value of the expression language (1x1 behaves as a scalar)."""

    __slots__ = ("m",)

    def __init__(self, m):
        self.m = sp.ImmutableMatrix(m)

    # helpers -------------------------------------------------------------
    @property
    def shape(self):
        return self.m.shape

    def _is_1x1(self):
        return self.m.shape == (1, 1)

    def _shape_text(self):
        return "%dx%d matrix" % self.m.shape

    @staticmethod
    def lift(value):
        """A 1x1 matrix as the scalar it is; anything else unchanged."""
        if isinstance(value, Arr) and value._is_1x1():
            return value.m[0, 0]
        return value

    # arithmetic ----------------------------------------------------------
    def _add(self, other, sign, reverse):
        a, b = Arr.lift(self), Arr.lift(other)
        if not isinstance(a, Arr) and not isinstance(b, Arr):
            # a 1x1 matrix plus a scalar stays a 1x1 matrix, so that `.T` still applies
            return Arr([[(b + sign * a) if reverse else (a + sign * b)]])
        if isinstance(a, Arr) and isinstance(b, Arr):
            if a.shape != b.shape:
                raise ExpressionError(
                    f"cannot add a {a._shape_text()} and a {b._shape_text()}"
                )
            return Arr(b.m + sign * a.m) if reverse else Arr(a.m + sign * b.m)
        mat = a if isinstance(a, Arr) else b
        raise ExpressionError(f"cannot add a scalar and a {mat._shape_text()}")

    def __add__(self, other):
        return self._add(other, 1, False)

    def __radd__(self, other):
        return self._add(other, 1, True)

    def __sub__(self, other):
        return self._add(other, -1, False)

    def __rsub__(self, other):
        return self._add(other, -1, True)

    def __neg__(self):
        return Arr(-self.m)

    def __pos__(self):
        return self

    def _mul(self, other, reverse):
        a, b = (other, self) if reverse else (self, other)
        a, b = Arr.lift(a), Arr.lift(b)
        if isinstance(a, Arr) and isinstance(b, Arr):
            if a.shape[1] != b.shape[0]:
                raise ExpressionError(
                    f"matrix product of a {a._shape_text()} and a {b._shape_text()}: "
                    "inner dimensions differ (did you forget a .T?)"
                )
            return Arr(a.m * b.m)
        if isinstance(a, Arr):
            return Arr(a.m * b)
        if isinstance(b, Arr):
            return Arr(a * b.m)
        # 1x1 times a scalar (or 1x1): a 1x1 matrix, so that `.T` still applies
        return Arr([[a * b]])

    def __mul__(self, other):
        return self._mul(other, False)

    def __rmul__(self, other):
        return self._mul(other, True)

    def __truediv__(self, other):
        b = Arr.lift(other)
        if isinstance(b, Arr):
            raise ExpressionError(f"cannot divide by a {b._shape_text()}")
        return Arr(self.m / b)

    def __rtruediv__(self, other):
        b = Arr.lift(self)
        if isinstance(b, Arr):
            raise ExpressionError(f"cannot divide by a {b._shape_text()}")
        return other / b

    def __pow__(self, other):
        a, b = Arr.lift(self), Arr.lift(other)
        if isinstance(a, Arr) or isinstance(b, Arr):
            raise ExpressionError("** is the power of scalars; it is not defined for matrices")
        return a**b

    def __rpow__(self, other):
        b = Arr.lift(self)
        if isinstance(b, Arr):
            raise ExpressionError("** is the power of scalars; it is not defined for matrices")
        return other**b

    @property
    def T(self):  # noqa: N802 - the language's transpose
        return Arr(self.m.T)


def _elementwise(name, fn):
    def apply(*args):
        if len(args) != 1:
            raise ExpressionError(f"{name}() takes one argument, got {len(args)}")
        (arg,) = args
        if isinstance(arg, Arr):
            # no lift: rho(v) of a vector of size 1 is still a vector (rho(v).T must work)
            return Arr(arg.m.applyfunc(fn))
        return fn(arg)

    return apply


def _trace(*args):
    if len(args) != 1:
        raise ExpressionError("trace() takes one argument")
    (arg,) = args
    if not isinstance(arg, Arr):
        return arg
    if arg.shape[0] != arg.shape[1]:
        raise ExpressionError(f"trace of a non-square {arg._shape_text()}")
    return arg.m.trace()


def _sum(*args):
    if len(args) != 1:
        raise ExpressionError("sum() takes one argument")
    (arg,) = args
    if not isinstance(arg, Arr):
        return arg
    return sp.Add(*arg.m)


def check_tokens(text: str, names: set[str]) -> None:
    """Reject any token that is not a declared name, number or allowed operator."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise ExpressionError(f"cannot read expression: {exc}") from None
    previous = None
    for tok in tokens:
        if tok.type == tokenize.NAME:
            if previous is not None and previous.string == ".":
                if tok.string != "T":
                    raise ExpressionError(
                        f"'.{tok.string}' is not allowed; the only attribute is '.T' (transpose)"
                    )
            elif keyword.iskeyword(tok.string) or tok.string not in names:
                known = ", ".join(sorted(names))
                raise ExpressionError(f"unknown name '{tok.string}' (known names: {known})")
        elif tok.type == tokenize.OP:
            if tok.string not in ALLOWED_OPERATORS:
                raise ExpressionError(f"operator '{tok.string}' is not allowed")
        elif tok.type == tokenize.NUMBER:
            if tok.string.lower().endswith("j"):
                raise ExpressionError(f"complex number '{tok.string}' is not allowed")
        elif tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                          tokenize.DEDENT):
            pass
        elif tok.type == tokenize.STRING:
            raise ExpressionError("string literals are not allowed in expressions")
        else:
            raise ExpressionError(f"unexpected token '{tok.string}'")
        if tok.type not in (tokenize.NL, tokenize.NEWLINE):
            previous = tok


def parse(text: str, variables: dict, functions: dict):
    """Parse ``text`` with ``variables`` (name -> Symbol or Matrix) and elementwise ``functions``.

    Returns a sympy scalar expression or an :class:`Arr`.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("expression is empty")
    local = {}
    for name, value in variables.items():
        local[name] = Arr(value) if isinstance(value, sp.MatrixBase) else value
    for name, fn in functions.items():
        local[name] = _elementwise(name, fn)
    local["trace"] = _trace
    local["sum"] = _sum
    check_tokens(text, set(local))
    global_dict = {"Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational,
                   "Symbol": sp.Symbol, "__builtins__": {}}
    try:
        return parse_expr(text, local_dict=local, global_dict=global_dict,
                          transformations=(auto_number, rationalize), evaluate=True)
    except ExpressionError:
        raise
    except AttributeError as exc:
        if str(exc).endswith("attribute 'T'"):
            raise ExpressionError(".T (transpose) applies to vectors and matrices; "
                                  "this operand is a scalar") from None
        raise ExpressionError(f"cannot parse expression: {exc}") from None
    except (SyntaxError, TypeError, ValueError) as exc:
        raise ExpressionError(f"cannot parse expression: {exc}") from None


def as_scalar(value, what: str):
    """The scalar value of a parsed expression, or an error naming its shape."""
    value = Arr.lift(value)
    if isinstance(value, Arr):
        raise ExpressionError(f"{what} must be a scalar, but it is a {value._shape_text()}")
    if not isinstance(value, sp.Expr):
        raise ExpressionError(f"{what} is not an expression")
    return value
