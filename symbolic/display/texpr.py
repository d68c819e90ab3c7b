"""Index-free tensor expressions over blocks (vectors, matrices, scalars) and the symbol table of a model."""

from __future__ import annotations

import dataclasses
import itertools
from functools import cached_property
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..functions import ELEMENTWISE
from ..model import Block, Model
from .names import (
    canonical, function_latex, function_text, latex_component, latex_name, prime_function,
    text_name,
)
from .printing import (
    ATOM, Ctx, DECORATED, HADAMARD, MATMUL, PLAIN, PLUS, SCALE, coef_text, expr_latex, pretty_text,
)


# ----------------------------------------------------------------------------- symbol tables
@dataclasses.dataclass(frozen=True, eq=False)
class Names:
    """Component symbols of a model: which block and index each one is, and how to print it."""

    leaves: dict  # block key -> Leaf
    index: dict   # Symbol -> (Leaf, idx)

    @classmethod
    def for_model(cls, model: Model, aux: list["Leaf"] = ()) -> "Names":
        leaves, index = {}, {}
        for kind, blocks in (("state", model.state), ("param", model.params),
                             ("input", model.inputs), ("target", model.targets)):
            for b in blocks:
                leaf = Leaf.from_block(b, kind)
                leaves[leaf.key] = leaf
        for leaf in aux:
            leaves[leaf.key] = leaf
        for leaf in leaves.values():
            for sym, idx in zip(leaf.symbols, leaf.indices()):
                index[sym] = (leaf, idx)
        return cls(leaves, index)

    def symbol_text(self, sym, ctx: Ctx, ascii_: bool) -> str:
        if sym not in self.index:
            return sym.name if ascii_ else text_name(sym.name)
        leaf, idx = self.index[sym]
        if ascii_:
            return sym.name
        base = ctx.text(leaf.text_) if leaf.kind == "state" else leaf.text_
        if not idx:
            return base
        return "%s[%s]" % (base, ",".join(map(str, idx)))

    def symbol_latex(self, sym, ctx: Ctx) -> str:
        if sym not in self.index:
            return LatexPrinter()._print_Symbol(sym)
        leaf, idx = self.index[sym]
        if not idx:
            return ctx.latex(leaf.latex_) if leaf.kind == "state" else leaf.latex_
        comp = latex_component(leaf.latex_, ",".join(map(str, idx)))
        return ctx.latex(comp) if leaf.kind == "state" else comp
# ----------------------------------------------------------------------------- tensor expressions
class TExpr:
    """An index-free expression over blocks (vector or matrix valued, or scalar).

    ``rows, cols`` is the shape (a vector is a column); ``rank`` is 0 for
    scalars, 1 for vectors, 2 for matrices.  ``components()`` expands it back
    to a sympy Matrix of canonical component expressions (for verification).
    """

    rows: int
    cols: int
    rank: int

    @property
    def dims(self) -> tuple[int, ...]:
        return {0: (), 1: (self.rows,), 2: (self.rows, self.cols)}[self.rank]

    def components(self) -> sp.Matrix:
        raise NotImplementedError

    def text(self, ctx: Ctx, names: Names) -> tuple[str, int]:
        raise NotImplementedError

    def latex(self, ctx: Ctx, names: Names) -> tuple[str, int]:
        raise NotImplementedError

    @cached_property
    def sortkey(self) -> str:
        return self.text(PLAIN, _EMPTY_NAMES)[0]

    def is_zero(self) -> bool:
        return False

    def negative(self) -> bool:
        """Does it print with a leading minus sign?"""
        return False

    def negated(self) -> "TExpr":
        return Scaled(sp.Integer(-1), (), self)


def wrap(rendered: tuple[str, int], level: int, latex: bool = False) -> str:
    s, lev = rendered
    if lev >= level:
        return s
    return r"\left(%s\right)" % s if latex else "(%s)" % s


class DerivedShape(TExpr):
    """A tensor expression whose shape follows from its operands: ``shape`` is (rows, cols, rank)."""

    @property
    def shape(self) -> tuple[int, int, int]:
        raise NotImplementedError

    rows = property(lambda self: self.shape[0])
    cols = property(lambda self: self.shape[1])
    rank = property(lambda self: self.shape[2])


def shape_of(t: TExpr) -> tuple[int, int, int]:
    return t.rows, t.cols, t.rank


class ShapeOfOperand(DerivedShape):
    """An elementwise map of one operand (``f(a)``, ``a^∘k``): the operand's shape."""

    @property
    def operand(self) -> TExpr:
        raise NotImplementedError

    @property
    def shape(self):
        return shape_of(self.operand)


class Fold(DerivedShape):
    """An n-ary operation over ``parts`` (a ⊙ b ⊙ …, a + b + …, a b …): shape of the first
    part (rank the highest), components folded left with :meth:`combine`."""

    @property
    def parts(self) -> tuple:
        raise NotImplementedError

    @staticmethod
    def combine(a: sp.Matrix, b: sp.Matrix) -> sp.Matrix:
        raise NotImplementedError

    @property
    def shape(self):
        first = self.parts[0]
        return first.rows, first.cols, max(t.rank for t in self.parts)

    def components(self):
        out = self.parts[0].components()
        for t in self.parts[1:]:
            out = self.combine(out, t.components())
        return out


class ScalarShape:
    """Mixin: a 1 x 1, rank-0 value."""

    rows = 1
    cols = 1
    rank = 0


@dataclasses.dataclass(frozen=True, eq=False)
class Leaf(TExpr):
    """A declared block, or an auxiliary one (the blocks X_t[s0] of X_t); identified by its key."""

    key: str
    kind: str  # state, param, input, target, aux
    rank: int
    rows: int
    cols: int
    symbols: tuple
    text_: str = dataclasses.field(compare=False)
    latex_: str = dataclasses.field(compare=False)
    of: str | None = dataclasses.field(default=None, compare=False)  # X_t[s0] is indexed like s0

    @classmethod
    def from_block(cls, b: Block, kind: str) -> "Leaf":
        rows, cols = b.rows_cols
        return cls(b.name, kind, len(b.shape), rows, cols, tuple(b.symbols()),
                   text_name(b.name), latex_name(b.name))

    @property
    def label(self) -> str:
        return self.of or self.key

    def __eq__(self, other):
        return isinstance(other, Leaf) and other.key == self.key

    def __hash__(self):
        return hash(("Leaf", self.key))

    def indices(self):
        if self.rank == 0:
            return [()]
        if self.rank == 1:
            return [(i,) for i in range(self.rows)]
        return list(itertools.product(range(self.rows), range(self.cols)))

    def components(self):
        return sp.Matrix(self.rows, self.cols, list(self.symbols))

    def text(self, ctx, names):
        if self.kind == "state" and ctx.at is not None:
            return ctx.text(self.text_), DECORATED
        return self.text_, ATOM

    def latex(self, ctx, names):
        if self.kind == "state" and ctx.at is not None:
            return ctx.latex(self.latex_), DECORATED
        return self.latex_, ATOM


@dataclasses.dataclass(frozen=True)
class Ones(TExpr):
    rows: int
    cols: int = 1
    rank: int = 1

    def components(self):
        return sp.ones(self.rows, 1)

    def text(self, ctx, names):
        return "𝟏", ATOM  # the vector of ones

    def latex(self, ctx, names):
        return r"\mathbf{1}", ATOM


@dataclasses.dataclass(frozen=True)
class Identity(TExpr):
    rows: int
    cols: int = 0
    rank: int = 2

    def __post_init__(self):
        object.__setattr__(self, "cols", self.rows)

    def components(self):
        return sp.eye(self.rows)

    def text(self, ctx, names):
        return "I", ATOM

    def latex(self, ctx, names):
        return "I", ATOM


@dataclasses.dataclass(frozen=True)
class Zero(TExpr):
    rank: int
    rows: int
    cols: int

    def components(self):
        return sp.zeros(self.rows, self.cols)

    def text(self, ctx, names):
        return "0", ATOM

    def latex(self, ctx, names):
        return "0", ATOM

    def is_zero(self):
        return True


@dataclasses.dataclass(frozen=True)
class Func(ShapeOfOperand):
    """An elementwise function (its ``order``-th derivative for user functions) of a tensor."""

    name: str
    order: int
    user: bool
    arg: TExpr

    @property
    def operand(self):
        return self.arg

    def fn(self):
        if self.user:
            return prime_function(self.name, self.order)
        return ELEMENTWISE[self.name]

    def components(self):
        f = self.fn()
        return self.arg.components().applyfunc(f)

    def text(self, ctx, names):
        return "%s(%s)" % (function_text(self.name, self.order), self.arg.text(ctx, names)[0]), ATOM

    def latex(self, ctx, names):
        return r"%s\left(%s\right)" % (function_latex(self.name, self.order),
                                       self.arg.latex(ctx, names)[0]), ATOM


@dataclasses.dataclass(frozen=True)
class Power(ShapeOfOperand):
    """Elementwise power (the Hadamard power for vectors and matrices)."""

    base: TExpr
    exp: Any  # sympy Rational

    @property
    def operand(self):
        return self.base

    def components(self):
        return self.base.components().applyfunc(lambda x: x**self.exp)

    def text(self, ctx, names):
        e = str(self.exp) if self.exp.is_Integer else "(%s)" % self.exp
        op = "^" if self.rank == 0 else "^∘"
        return "%s%s%s" % (wrap(self.base.text(ctx, names), ATOM), op, e), ATOM

    def latex(self, ctx, names):
        e = sp.latex(self.exp)
        op = "" if self.rank == 0 else r"\circ "
        return "{%s}^{%s%s}" % (wrap(self.base.latex(ctx, names), ATOM, True), op, e), ATOM


@dataclasses.dataclass(frozen=True)
class Transpose(DerivedShape):
    arg: TExpr

    @property
    def shape(self):
        return self.arg.cols, self.arg.rows, 0 if self.arg.rank == 0 else 2

    def components(self):
        return self.arg.components().T

    def text(self, ctx, names):
        return wrap(self.arg.text(ctx, names), ATOM) + "ᵀ", ATOM

    def latex(self, ctx, names):
        return "{%s}^{\\top}" % wrap(self.arg.latex(ctx, names), ATOM, True), ATOM


def transpose(t: TExpr) -> TExpr:
    if isinstance(t, Transpose):
        return t.arg
    if isinstance(t, MatMul):
        return MatMul(tuple(transpose(f) for f in reversed(t.factors)))
    if isinstance(t, (Diag, Identity)):
        return t
    return Transpose(t)


@dataclasses.dataclass(frozen=True)
class MatMul(Fold):
    factors: tuple

    @property
    def parts(self):
        return self.factors

    combine = staticmethod(lambda a, b: a * b)

    @property
    def shape(self):
        first, last = self.factors[0], self.factors[-1]
        rank = 2
        if last.cols == 1 and last.rank == 1:
            # a row times a column is a scalar; a matrix times a column a vector
            rank = 0 if isinstance(first, Transpose) and first.arg.rank == 1 else 1
        return first.rows, last.cols, rank

    def text(self, ctx, names):
        return " ".join(wrap(f.text(ctx, names), DECORATED) for f in self.factors), MATMUL

    def latex(self, ctx, names):
        return r"\,".join(wrap(f.latex(ctx, names), DECORATED, True) for f in self.factors), MATMUL


def matmul(*factors: TExpr) -> TExpr:
    flat = []
    for f in factors:
        if isinstance(f, MatMul):
            flat.extend(f.factors)
        elif isinstance(f, Identity):
            continue
        else:
            flat.append(f)
    if len(flat) == 1:
        return flat[0]
    return MatMul(tuple(flat))


@dataclasses.dataclass(frozen=True)
class Hadamard(Fold):
    factors: tuple

    @property
    def parts(self):
        return self.factors

    combine = staticmethod(lambda a, b: a.multiply_elementwise(b))

    def text(self, ctx, names):
        return " ⊙ ".join(wrap(f.text(ctx, names), ATOM) for f in self.factors), HADAMARD

    def latex(self, ctx, names):
        return r" \odot ".join(wrap(f.latex(ctx, names), ATOM, True) for f in self.factors), HADAMARD


def hadamard_order(t: TExpr) -> int:
    """Functions of the state first (ρ'(s1) ⊙ …), then blocks, then products and sums."""
    if isinstance(t, (Func, Power)):
        return 0
    if isinstance(t, Leaf):
        return 2 if t.kind == "aux" else 1
    if isinstance(t, MatMul):
        return 3
    return 4


def hadamard(factors) -> TExpr:
    flat = []
    for f in factors:
        flat.extend(f.factors if isinstance(f, Hadamard) else [f])
    flat.sort(key=hadamard_order)  # stable: keeps the order within a kind
    return flat[0] if len(flat) == 1 else Hadamard(tuple(flat))


@dataclasses.dataclass(frozen=True)
class Diag(DerivedShape):
    arg: TExpr

    @property
    def shape(self):
        return self.arg.rows, self.arg.rows, 2

    def components(self):
        return sp.diag(*list(self.arg.components()))

    def text(self, ctx, names):
        return "diag(%s)" % self.arg.text(ctx, names)[0], ATOM

    def latex(self, ctx, names):
        return r"\operatorname{diag}\left(%s\right)" % self.arg.latex(ctx, names)[0], ATOM


@dataclasses.dataclass(frozen=True)
class SumAll(ScalarShape, TExpr):
    arg: TExpr

    def components(self):
        return sp.Matrix([[sp.Add(*self.arg.components())]])

    def text(self, ctx, names):
        return "sum(%s)" % self.arg.text(ctx, names)[0], ATOM

    def latex(self, ctx, names):
        return r"\operatorname{sum}\left(%s\right)" % self.arg.latex(ctx, names)[0], ATOM


@dataclasses.dataclass(frozen=True)
class Scaled(DerivedShape):
    """coef × scalar factors × body (body ``None`` for a pure scalar)."""

    coef: Any
    scalars: tuple
    body: TExpr | None

    @property
    def shape(self):
        return shape_of(self.body) if self.body is not None else (1, 1, 0)

    def components(self):
        c = self.coef
        for s in self.scalars:
            c = c * s.components()[0, 0]
        if self.body is None:
            return sp.Matrix([[c]])
        return self.body.components() * c

    def negative(self) -> bool:
        return self.coef.could_extract_minus_sign()

    def negated(self) -> "Scaled":
        return Scaled(-self.coef, self.scalars, self.body)

    def _parts(self, ctx, names, latex):
        num, den = [], []
        for s in self.scalars:
            if isinstance(s, Power) and s.exp.is_negative:
                p = Power(s.base, -s.exp) if s.exp != -1 else s.base
                den.append(p)
            else:
                num.append(s)
        render = (lambda t: t.latex(ctx, names)) if latex else (lambda t: t.text(ctx, names))
        # a scalar (xᵀ W y) beside other factors is parenthesised: (xᵀ W y) W v
        level = DECORATED if (len(num) + (self.body is not None)) > 1 else MATMUL
        num_r = [wrap(render(s), level, latex) for s in num]
        if self.body is not None:
            num_r.append(wrap(render(self.body), HADAMARD, latex))
        den_r = [wrap(render(s), MATMUL, latex) for s in den]
        return num_r, den_r

    def text(self, ctx, names):
        num_r, den_r = self._parts(ctx, names, False)
        c = self.coef
        if den_r:
            body = " ".join(num_r) if num_r else "1"
            den = " ".join(den_r)
            body = "%s / %s" % ((body if len(num_r) <= 1 else "(%s)" % body),
                                (den if len(den_r) == 1 else "(%s)" % den))
            parts = [body]
        else:
            parts = num_r
        if c == 1:
            return (" ".join(parts) if parts else "1"), SCALE
        if c == -1:
            return "-" + (" ".join(parts) if parts else "1"), PLUS
        ct = coef_text(c, names)
        if c.is_Add:
            ct = "(%s)" % ct
        out = " ".join([ct] + parts)
        return out, PLUS if c.could_extract_minus_sign() else SCALE

    def latex(self, ctx, names):
        num_r, den_r = self._parts(ctx, names, True)
        c = self.coef
        if den_r:
            num = r"\, ".join(num_r) if num_r else "1"
            parts = [r"\frac{%s}{%s}" % (num, r"\, ".join(den_r))]
        else:
            parts = num_r
        if c == 1:
            return (r"\, ".join(parts) if parts else "1"), SCALE
        if c == -1:
            return "-" + (r"\, ".join(parts) if parts else "1"), PLUS
        ct = sp.latex(c)
        if c.is_Add:
            ct = r"\left(%s\right)" % ct
        return r"\, ".join([ct] + parts), PLUS if c.could_extract_minus_sign() else SCALE


@dataclasses.dataclass(frozen=True)
class Plus(Fold):
    terms: tuple

    @property
    def parts(self):
        return self.terms

    combine = staticmethod(lambda a, b: a + b)

    def _render(self, ctx, names, latex):
        out = []
        for k, t in enumerate(self.terms):
            neg = isinstance(t, Scaled) and t.negative()
            tt = t.negated() if neg else t
            r = tt.latex(ctx, names) if latex else tt.text(ctx, names)
            s = wrap(r, SCALE, latex)
            if k == 0:
                out.append(("-" + s) if neg else s)
            else:
                out.append((" - " if neg else " + ") + s)
        return "".join(out), PLUS

    def text(self, ctx, names):
        return self._render(ctx, names, False)

    def latex(self, ctx, names):
        return self._render(ctx, names, True)


@dataclasses.dataclass(frozen=True)
class ScalarExpr(ScalarShape, TExpr):
    """A scalar written as the sympy expression it is (all blocks involved are scalars)."""

    expr: Any

    def components(self):
        return sp.Matrix([[canonical(self.expr)]])

    def _level(self):
        e = self.expr
        if e.is_Atom and not e.could_extract_minus_sign():
            return ATOM
        if e.is_Add or e.could_extract_minus_sign():
            return PLUS
        return SCALE

    def text(self, ctx, names):
        return pretty_text(self.expr, names, ctx), self._level()

    def latex(self, ctx, names):
        return expr_latex(self.expr, names, ctx), self._level()

    def is_zero(self):
        return self.expr == 0

    def negative(self):
        return self.expr.could_extract_minus_sign()

    def negated(self):
        return ScalarExpr(-self.expr)


@dataclasses.dataclass(frozen=True)
class EntryWise(TExpr):
    """The fallback: a block as its column vector / matrix of entries."""

    rows: int
    cols: int
    rank: int
    entries: tuple  # row-major

    def components(self):
        return sp.Matrix(self.rows, self.cols, [canonical(e) for e in self.entries])

    def text(self, ctx, names):
        ents = [pretty_text(e, names, ctx) for e in self.entries]
        if self.rank == 1:
            return "[" + "; ".join(ents) + "]", ATOM
        rows = ["[" + ", ".join(ents[i * self.cols:(i + 1) * self.cols]) + "]" for i in range(self.rows)]
        return "[" + "; ".join(rows) + "]", ATOM

    def text_lines(self, ctx, names) -> list[str]:
        ents = [pretty_text(e, names, ctx) for e in self.entries]
        idx = ([(i,) for i in range(self.rows)] if self.rank == 1 else
               list(itertools.product(range(self.rows), range(self.cols))))
        return ["[%s]  %s" % (",".join(map(str, i)), e) for i, e in zip(idx, ents)]

    def latex(self, ctx, names):
        ents = [expr_latex(e, names, ctx) for e in self.entries]
        rows = [" & ".join(ents[i * self.cols:(i + 1) * self.cols]) for i in range(self.rows)]
        return r"\begin{pmatrix} %s \end{pmatrix}" % r" \\ ".join(rows), ATOM


_EMPTY_NAMES = Names({}, {})


