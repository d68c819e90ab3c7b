"""The model expression language (DESIGN.md): sympy's parser over declared names.

Declared vectors are column matrices, ``*`` is the matrix product, ``.T``
transposes, functions apply elementwise, and a 1x1 result counts as a scalar.
User text is never passed to ``eval``/``exec`` before every token has been
checked against the declared names and the function whitelist.
"""

from __future__ import annotations

import ast
import difflib
import io
import keyword
import tokenize

import mpmath

import sympy as sp
from sympy.parsing.sympy_parser import auto_number, parse_expr, rationalize

from . import limits
from .errors import printable as _printable

ALLOWED_OPERATORS = {"+", "-", "*", "/", "**", "(", ")", ".", ","}
#: functions sympy may produce from smooth-looking text that are not differentiable everywhere
NOT_SMOOTH = (sp.Abs, sp.sign, sp.DiracDelta, sp.Heaviside, sp.Piecewise, sp.re, sp.im, sp.arg,
              sp.floor, sp.ceiling, sp.Min, sp.Max)
NOT_FINITE = {type(sp.zoo), type(sp.oo), type(-sp.oo), type(sp.nan)}


class ExpressionError(ValueError):
    """An expression is malformed; the message says how (no file or key)."""


def _matmul(A, B):
    """A B entry by entry: sympy's Add of the evaluated products (what ``A * B`` gives), without its
    domain-matrix detour, which costs more than the products on large symbolic blocks."""
    rows, inner, cols = A.shape[0], A.shape[1], B.shape[1]
    a = [[A[i, k] for k in range(inner)] for i in range(rows)]
    b = [[B[k, j] for j in range(cols)] for k in range(inner)]
    return [[sp.Add(*[a[i][k] * b[k][j] for k in range(inner)]) for j in range(cols)] for i in range(rows)]


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
            return Arr(_matmul(a.m, b.m))
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
    """Reject any token that is not a declared name, number or allowed operator.

    Also the size limits of :mod:`symbolic.limits` (length, tokens, nesting,
    runs of unary signs, number literals), all before anything is parsed.
    """
    if len(text) > limits.MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"expression too long: {len(text)} characters "
                              f"(at most {limits.MAX_EXPRESSION_CHARS})")
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise ExpressionError(f"cannot read expression: {exc}") from None
    if len(tokens) > limits.MAX_EXPRESSION_TOKENS:
        raise ExpressionError(f"expression too long: {len(tokens)} tokens (at most {limits.MAX_EXPRESSION_TOKENS})")
    previous = None
    depth = unary = 0
    for tok in tokens:
        if tok.type == tokenize.NAME:
            if previous is not None and previous.string == ".":
                if tok.string != "T":
                    raise ExpressionError(
                        f"'.{_printable(tok.string)}' is not allowed; the only attribute is '.T' (transpose)"
                    )
            elif keyword.iskeyword(tok.string) or tok.string not in names:
                known = ", ".join(sorted(names))
                near = difflib.get_close_matches(tok.string, list(names), n=1, cutoff=0.6)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise ExpressionError(f"unknown name '{_printable(tok.string)}'{hint} (known names: {known})")
        elif tok.type == tokenize.OP:
            if tok.string not in ALLOWED_OPERATORS:
                raise ExpressionError(f"operator '{_printable(tok.string)}' is not allowed")
            depth += {"(": 1, ")": -1}.get(tok.string, 0)
            if depth > limits.MAX_NESTING:
                raise ExpressionError(f"parentheses nested too deeply (at most {limits.MAX_NESTING})")
            if tok.string in "+-" and (previous is None or (previous.type == tokenize.OP
                                                            and previous.string not in (")",))):
                unary += 1
                if unary > limits.MAX_UNARY_RUN:
                    raise ExpressionError(f"more than {limits.MAX_UNARY_RUN} signs in a row")
            else:
                unary = 0
        elif tok.type == tokenize.NUMBER:
            unary = 0
            if tok.string.lower().endswith("j"):
                raise ExpressionError(f"complex number '{_printable(tok.string)}' is not allowed")
            try:
                limits.check_number_text(tok.string)
            except limits.LimitError as exc:
                raise ExpressionError(f"number {exc}") from None
        elif tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                          tokenize.DEDENT):
            pass
        elif tok.type == tokenize.STRING:
            raise ExpressionError("string literals are not allowed in expressions")
        else:
            raise ExpressionError(f"unexpected token '{_printable(tok.string)}'")
        if tok.type not in (tokenize.NL, tokenize.NEWLINE):
            previous = tok


def check_structure(text: str) -> None:
    """Refuse an expression too deep to parse, or with a constant out of range.

    Constant subexpressions are evaluated in floating point with a wide
    exponent range (``mpmath``; no huge integers are built): a power tower
    ``x**10**10**10``, an exponent beyond ``MAX_EXPONENT`` or a literal
    ``1/0`` is refused before sympy would evaluate it exactly.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise ExpressionError(f"cannot parse expression: {exc.msg if hasattr(exc, 'msg') else exc}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("expression nested too deeply") from None
    value: dict[int, object] = {}   # id(node) -> mpf, or None when the node is not constant
    stack = [(tree.body, 0, False)]
    ctx = mpmath.MPContext()
    ctx.dps = 15
    while stack:
        node, level, done = stack.pop()
        if level > limits.MAX_AST_DEPTH:
            raise ExpressionError(f"expression nested too deeply (more than {limits.MAX_AST_DEPTH} "
                                  "operations in a chain; split it into a sum of shorter terms)")
        children = list(ast.iter_child_nodes(node))
        if not done:
            stack.append((node, level, True))
            stack.extend((c, level + 1, False) for c in children)
            continue
        value[id(node)] = _constant(node, value, ctx)


def _constant(node, value, ctx):
    """The value of a constant node from its children's values; None if not constant."""
    if isinstance(node, ast.Constant):
        return ctx.mpf(node.value) if isinstance(node.value, (int, float)) else None
    if isinstance(node, ast.UnaryOp):
        v = value.get(id(node.operand))
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        a, b = value.get(id(node.left)), value.get(id(node.right))
        if isinstance(node.op, ast.Pow) and b is not None and abs(b) > limits.MAX_EXPONENT:
            raise ExpressionError(f"exponent {ctx.nstr(b, 3)} is too large (at most {limits.MAX_EXPONENT} "
                                  "in absolute value)")
        if isinstance(node.op, ast.Div) and b is not None and b == 0:
            raise ExpressionError("division by zero")
        if a is None or b is None:
            return None
        op = {ast.Add: ctx.fadd, ast.Sub: ctx.fsub, ast.Mult: ctx.fmul, ast.Div: ctx.fdiv,
              ast.Pow: lambda x, y: ctx.power(x, y) if x != 0 or y >= 0 else ctx.inf}.get(type(node.op))
        if op is None:
            return None
        v = op(a, b)
        if v == 0 and isinstance(node.op, ast.Pow) and a == 0 and b < 0:
            raise ExpressionError("division by zero (0 to a negative power)")
        if ctx.isinf(v) or (v != 0 and (abs(v) > ctx.mpf(10) ** limits.MAX_POS_EXP
                                       or abs(v) < ctx.mpf(10) ** -limits.MAX_NEG_EXP)):
            raise ExpressionError(f"a constant of magnitude about {ctx.nstr(v, 3)} is out of range "
                                  f"(1e-{limits.MAX_NEG_EXP} to 1e{limits.MAX_POS_EXP}; division by zero?)")
        return v
    return None


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
    check_structure(text)
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
    except (RecursionError, MemoryError):
        raise ExpressionError("expression too large or nested too deeply to parse") from None


def as_scalar(value, what: str):
    """The scalar value of a parsed expression, or an error naming its shape."""
    value = Arr.lift(value)
    if isinstance(value, Arr):
        raise ExpressionError(f"{what} must be a scalar, but it is a {value._shape_text()}")
    if not isinstance(value, sp.Expr):
        raise ExpressionError(f"{what} is not an expression")
    kinds = {type(node) for node in sp.preorder_traversal(value)}   # one pass (a large energy has ~10^5 nodes)
    if kinds & NOT_FINITE:
        raise ExpressionError(f"{what} is not finite (a division by zero?)")
    rough = [f for f in NOT_SMOOTH if any(issubclass(k, f) for k in kinds)]
    if rough:
        raise ExpressionError(f"{what} is not smooth: sympy writes it with {rough[0].__name__} "
                              "(e.g. sqrt(u**2) = |u| for real u), which has no derivative at 0; "
                              "the theorems need a twice differentiable energy and cost")
    return value
