"""A model expression at the level of its blocks: matrix products, transposes, elementwise functions.

The component form of a model (:mod:`symbolic.spec`) expands ``W*rho(h)`` into
one sympy expression per entry; this module reads the same text into a small
tree whose leaves are whole blocks (a state vector, a weight matrix, an input),
so that a discrete model's F = dPhi/ds, its Jacobian-vector products and
dPhi/dtheta are evaluated as matrix operations (:mod:`symbolic.block_eval`)
instead of n separate scalar expressions.

The text is checked by the expression language's own guards
(:func:`symbolic.expressions.check_tokens`, ``check_structure``) before sympy's
parser evaluates it over :class:`Node` values; the shape rules are those of
:class:`symbolic.expressions.Arr` (``*`` is the matrix product, a 1x1 result is
a scalar, functions apply elementwise). :class:`NotBlockForm` says why a text
has no block form here (e.g. a power with a non-constant exponent); the caller
then uses the component form.
"""

from __future__ import annotations

import dataclasses

import sympy as sp
from sympy.parsing.sympy_parser import auto_number, parse_expr, rationalize

from .expressions import ExpressionError, check_structure, check_tokens
from .functions import ELEMENTWISE, U


class NotBlockForm(ValueError):
    """The expression has no block form this module evaluates; the message says why."""


@dataclasses.dataclass(frozen=True, eq=False)
class Function:
    """An elementwise function f(u) given by its sympy body in ``u`` (built-in or ``[functions]``)."""

    name: str
    body: sp.Expr


class Node:
    """One operation on blocks: ``op`` in LEAF, CONST, ADD, NEG, MATMUL, SCALE, T, APPLY, TRACE, SUM.

    ``shape`` is (rows, cols) (a scalar is 1x1); ``kinds`` is the set of leaf
    kinds ("s" state, "p" params) the value depends on.
    """

    __slots__ = ("op", "args", "shape", "data", "kinds")

    def __init__(self, op, args, shape, data=None, kinds=None):
        self.op, self.args, self.shape, self.data = op, tuple(args), tuple(shape), data
        self.kinds = frozenset().union(*(a.kinds for a in self.args)) if kinds is None else frozenset(kinds)

    # construction helpers --------------------------------------------------------
    @staticmethod
    def wrap(value) -> "Node":
        if isinstance(value, Node):
            return value
        value = sp.sympify(value)
        if not (value.is_number and value.is_real):
            raise NotBlockForm(f"the constant {value} is not a real number")
        return Node("CONST", (), (1, 1), sp.ImmutableMatrix([[value]]), ())

    @property
    def scalar(self) -> bool:
        return self.shape == (1, 1)

    def _add(self, other, reverse=False):
        a, b = (Node.wrap(other), self) if reverse else (self, Node.wrap(other))
        if a.shape != b.shape:
            raise NotBlockForm(f"cannot add a {a.shape} and a {b.shape} block")
        return Node("ADD", (a, b), a.shape)

    def __add__(self, other):
        return self._add(other)

    def __radd__(self, other):
        return self._add(other, True)

    def __sub__(self, other):
        return self._add(-Node.wrap(other))

    def __rsub__(self, other):
        return (-self)._add(other, True)

    def __neg__(self):
        return Node("NEG", (self,), self.shape)

    def __pos__(self):
        return self

    def _mul(self, other, reverse=False):
        a, b = (Node.wrap(other), self) if reverse else (self, Node.wrap(other))
        if a.scalar:
            return Node("SCALE", (a, b), b.shape)
        if b.scalar:
            return Node("SCALE", (b, a), a.shape)
        if a.shape[1] != b.shape[0]:
            raise NotBlockForm(f"matrix product of a {a.shape} and a {b.shape} block")
        return Node("MATMUL", (a, b), (a.shape[0], b.shape[1]))

    def __mul__(self, other):
        return self._mul(other)

    def __rmul__(self, other):
        return self._mul(other, True)

    def __truediv__(self, other):
        b = Node.wrap(other)
        if not b.scalar:
            raise NotBlockForm("division by a block that is not a scalar")
        return self._mul(reciprocal(b))

    def __rtruediv__(self, other):
        if not self.scalar:
            raise NotBlockForm("division by a block that is not a scalar")
        return Node.wrap(other)._mul(reciprocal(self))

    def __pow__(self, other):
        exponent = Node.wrap(other)
        if not self.scalar or exponent.op != "CONST":
            raise NotBlockForm("a power with a non-constant exponent (or of a block that is not a scalar)")
        k = exponent.data[0, 0]
        if self.op == "CONST":
            return Node.wrap(self.data[0, 0] ** k)
        return apply(Function(f"pow{k}", U**k), self)

    def __rpow__(self, other):
        raise NotBlockForm("a power with a non-constant exponent")

    @property
    def T(self):  # noqa: N802 - the language's transpose
        return Node("T", (self,), self.shape[::-1])


def reciprocal(node: Node) -> Node:
    if node.op == "CONST":
        value = node.data[0, 0]
        if value == 0:
            raise NotBlockForm("division by zero")
        return Node.wrap(1 / value)
    return apply(Function("reciprocal", 1 / U), node)


def apply(fn: Function, arg, memo=None) -> Node:
    """fn(arg) elementwise; ``memo`` shares one node between repeated calls on the same operand (rho(s1) twice)."""
    arg = Node.wrap(arg)
    if arg.op == "CONST":     # e.g. rho(x) of an input: folded exactly
        return Node("CONST", (), arg.shape, arg.data.applyfunc(lambda v: fn.body.subs(U, v)), ())
    if memo is None:
        return Node("APPLY", (arg,), arg.shape, fn)
    key = (fn.name, id(arg))
    if key not in memo:
        memo[key] = (arg, Node("APPLY", (arg,), arg.shape, fn))
    return memo[key][1]


def _function(fn: Function, memo: dict):
    def call(*args):
        if len(args) != 1:
            raise NotBlockForm(f"{fn.name}() takes one argument")
        return apply(fn, args[0], memo)

    return call


def _trace(*args):
    (arg,) = args
    arg = Node.wrap(arg)
    if arg.scalar:
        return arg
    if arg.shape[0] != arg.shape[1]:
        raise NotBlockForm("trace of a non-square block")
    return Node("TRACE", (arg,), (1, 1))


def _sum(*args):
    (arg,) = args
    arg = Node.wrap(arg)
    return arg if arg.scalar else Node("SUM", (arg,), (1, 1))


def leaves(model) -> dict:
    """The model's blocks as nodes: state and params are leaves, inputs and targets constants."""
    out = {}
    for kind, blocks in (("s", model.state), ("p", model.params)):
        for b in blocks:
            out[b.name] = Node("LEAF", (), b.rows_cols, (kind, b), (kind,))
    for b in list(model.inputs) + list(model.targets):
        values = [model.data[x] for x in b.symbols()]
        out[b.name] = Node("CONST", (), b.rows_cols, sp.ImmutableMatrix(*b.rows_cols, values), ())
    return out


def functions(model) -> dict:
    table = {name: Function(name, f(U)) for name, f in ELEMENTWISE.items()}
    for name, lam in model.functions.items():
        table[name] = Function(name, lam.expr.xreplace({lam.variables[0]: U}))
    return table


def parse_blocks(text: str, model) -> Node:
    """The scalar expression ``text`` of ``model`` as a block tree (NotBlockForm if it has none here)."""
    local = dict(leaves(model))
    memo: dict = {}
    local.update({name: _function(fn, memo) for name, fn in functions(model).items()})
    local["trace"], local["sum"] = _trace, _sum
    try:
        check_tokens(text, set(local))
        check_structure(text)
        value = parse_expr(text, local_dict=local, global_dict={
            "Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational, "__builtins__": {}},
            transformations=(auto_number, rationalize), evaluate=True)
    except NotBlockForm:
        raise
    except (ExpressionError, SyntaxError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise NotBlockForm(f"cannot read {text[:40]!r} by blocks: {exc}") from None
    node = Node.wrap(value)
    if not node.scalar:
        raise NotBlockForm(f"{text[:40]!r} is a {node.shape} block, not a scalar")
    return node


def primitive_tree(model) -> Node:
    """Phi as a block tree: the ``primitive``, or |s|^2/2 - step*E for an ``energy`` with ``step``."""
    if model.primitive is not None:
        return parse_blocks(model.primitive_text, model)
    if model.energy is None:
        raise NotBlockForm("an [update] map has no primitive")
    energy = parse_blocks(model.energy_text, model)
    half_square = None
    for name, node in leaves(model).items():
        if node.op == "LEAF" and node.data[0] == "s":
            term = node.T * node
            half_square = term if half_square is None else half_square + term
    step = Node.wrap(sp.Rational(model.settings["step"]))
    return half_square * Node.wrap(sp.Rational(1, 2)) - step * energy


def cost_tree(model) -> Node:
    return parse_blocks(model.cost_text, model)


def topological(root: Node) -> list:
    """Every node of the tree once, children before parents."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((a, False) for a in node.args if id(a) not in seen)
    return order
