"""A :class:`Derivation` as text, LaTeX and JSON, in vector form per block.

The derivation works on flattened components (``s0[1]``, ``W01[0,1]``); a
reader wants one equation per state block and per parameter block, written
the way the paper writes Eq 5-7: ``ds1/dt = ρ'(s1) ⊙ (W12 ρ(s2) + W01ᵀ ρ(s0)) - s1``.

How a block's entries become a vector formula (:func:`block_form`):

1. Every entry is expanded into monomials; each factor is classified as an
   *indexed tensor* -- a declared block (``W01[0,2]``), an elementwise
   function of a tensor (``ρ'(s1[2])``, ``exp((Xᵀ ξ)[3])``), a power of one --
   or as a scalar coefficient (numbers, ``β``).
2. Monomials are explained greedily (with backtracking) by *einsum patterns*:
   which index slots share an index, which indices are free (the block's own
   row/column) and which are summed.  A pattern is accepted only if every
   monomial it generates is present, so ``Σ_j W01[j,i] ρ(s0[j])`` is
   recognised as ``(W01ᵀ ρ(s0))[i]`` and a diagonal ``δ_ij`` as ``I``.
3. Each pattern is a forest over its indices (matrices are edges, vectors sit
   on nodes); it is written as Hadamard products, matrix-vector products,
   outer products ``a bᵀ``, ``diag(a) W diag(b)`` chains and scalar factors.
4. Common factors are pulled out (``ρ'(s1) ⊙ (… + …)``, ``β (y - s0)``).
5. The vector formula is expanded back to components and compared, term by
   term, with the derivation.  Only a verified formula is printed; otherwise
   the block is printed entry-wise (a column vector or matrix of entries).

Alternatives considered for step 2: (1) matching a fixed list of templates
(``W v``, ``Wᵀ v``, ``a ⊙ b``) -- simple but misses ``diag(a) W diag(b)``,
``X diag(e) Xᵀ``, scalar contractions and combinations of them; (2) solving a
linear system over all patterns at once -- exact but the candidate set grows
combinatorially.  Greedy einsum matching with a support check and a final
verification is general and cheap, and can never print a wrong formula.

Naming convention (consistent in all outputs):

* text: blocks as declared, Greek names in Greek (``xi`` -> ``ξ``),
  components as in the contract (``s0[1]``, ``W01[0,1]``); ``ᵀ`` transposes,
  ``⊙`` is the elementwise product, juxtaposition the matrix product;
  a block of an auxiliary vector is ``X_t[s0]``; a state at the free fixed point
  is ``s0^0``, at the nudged fixed point ``s0^β``, at time t of the nudged
  phase ``s0^β(t)`` (= S^β(s^0, t)).
* LaTeX: trailing digits become a subscript (``s0`` -> ``s_{0}``, ``W01`` ->
  ``W_{01}``); a component adds an index subscript outside parentheses
  (``(s_{0})_{1}``, ``(W_{01})_{0,1}``; ``s[1]`` -> ``s_{1}``); ``^{\\top}``,
  ``\\odot``; user-function derivatives are primes (``\\rho'``, ``\\rho''``).
  The output needs only ``amsmath``.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import json
import re
from functools import cached_property
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from .derive import BETA, Derivation
from .functions import ELEMENTWISE, FUNCTIONS
from .model import Block, Model

SCHEMA = "eqprop-verify/derive/1"

GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
         "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
         "omega"]
_GREEK_UNICODE = dict(zip(GREEK, "αβγδεζηθικλμνξπρστυφχψω"))
_GREEK_UNICODE.update({"Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
                       "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ",
                       "Omega": "Ω"})
_BUILTIN_TEXT = {name: f.text for name, f in FUNCTIONS.items()}
# sqrt is a power in sympy and prints as \sqrt{...}; the others print as name(argument)
_BUILTIN_LATEX = {name: f.latex for name, f in FUNCTIONS.items() if isinstance(f.sympy, type)}


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


def _latex_component(block_latex: str, index: str) -> str:
    if "_" in block_latex:
        return r"(%s)_{%s}" % (block_latex, index)
    return r"%s_{%s}" % (block_latex, index)


def function_text(name: str, order: int = 0) -> str:
    base = _BUILTIN_TEXT.get(name, text_name(name))
    return base + "'" * order


def function_latex(name: str, order: int = 0) -> str:
    base = _BUILTIN_LATEX.get(name) or _latex_base(name)
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


def _split_prime(name: str) -> tuple[str, int]:
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
        comp = _latex_component(leaf.latex_, ",".join(map(str, idx)))
        return ctx.latex(comp) if leaf.kind == "state" else comp


class _TextPrinter(StrPrinter):
    def __init__(self, names: Names, ctx: Ctx = PLAIN, ascii_: bool = False):
        super().__init__()
        self._names, self._ctx, self._ascii = names, ctx, ascii_

    def _print_Symbol(self, expr):
        return self._names.symbol_text(expr, self._ctx, self._ascii)

    _print_Dummy = _print_Symbol

    def _print_Function(self, expr):
        base, order = _split_prime(expr.func.__name__)
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
        base, order = _split_prime(expr.func.__name__)
        if isinstance(expr, AppliedUndef) or base in _BUILTIN_LATEX:
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


def _coef_text(c, names: Names) -> str:
    return pretty_text(c, names)


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


def _wrap(rendered: tuple[str, int], level: int, latex: bool = False) -> str:
    s, lev = rendered
    if lev >= level:
        return s
    return r"\left(%s\right)" % s if latex else "(%s)" % s


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
class Func(TExpr):
    """An elementwise function (its ``order``-th derivative for user functions) of a tensor."""

    name: str
    order: int
    user: bool
    arg: TExpr

    @property
    def rows(self):
        return self.arg.rows

    @property
    def cols(self):
        return self.arg.cols

    @property
    def rank(self):
        return self.arg.rank

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
class Power(TExpr):
    """Elementwise power (the Hadamard power for vectors and matrices)."""

    base: TExpr
    exp: Any  # sympy Rational

    @property
    def rows(self):
        return self.base.rows

    @property
    def cols(self):
        return self.base.cols

    @property
    def rank(self):
        return self.base.rank

    def components(self):
        return self.base.components().applyfunc(lambda x: x**self.exp)

    def text(self, ctx, names):
        e = str(self.exp) if self.exp.is_Integer else "(%s)" % self.exp
        op = "^" if self.rank == 0 else "^∘"
        return "%s%s%s" % (_wrap(self.base.text(ctx, names), ATOM), op, e), ATOM

    def latex(self, ctx, names):
        e = sp.latex(self.exp)
        op = "" if self.rank == 0 else r"\circ "
        return "{%s}^{%s%s}" % (_wrap(self.base.latex(ctx, names), ATOM, True), op, e), ATOM


@dataclasses.dataclass(frozen=True)
class Transpose(TExpr):
    arg: TExpr

    @property
    def rows(self):
        return self.arg.cols

    @property
    def cols(self):
        return self.arg.rows

    @property
    def rank(self):
        return 0 if self.arg.rank == 0 else 2

    def components(self):
        return self.arg.components().T

    def text(self, ctx, names):
        return _wrap(self.arg.text(ctx, names), ATOM) + "ᵀ", ATOM

    def latex(self, ctx, names):
        return "{%s}^{\\top}" % _wrap(self.arg.latex(ctx, names), ATOM, True), ATOM


def transpose(t: TExpr) -> TExpr:
    if isinstance(t, Transpose):
        return t.arg
    if isinstance(t, MatMul):
        return MatMul(tuple(transpose(f) for f in reversed(t.factors)))
    if isinstance(t, (Diag, Identity)):
        return t
    return Transpose(t)


@dataclasses.dataclass(frozen=True)
class MatMul(TExpr):
    factors: tuple

    @property
    def rows(self):
        return self.factors[0].rows

    @property
    def cols(self):
        return self.factors[-1].cols

    @property
    def rank(self):
        if self.cols == 1 and self.factors[-1].rank == 1:
            # a row times a column is a scalar; a matrix times a column a vector
            return 0 if isinstance(self.factors[0], Transpose) and self.factors[0].arg.rank == 1 else 1
        return 2

    def components(self):
        out = self.factors[0].components()
        for f in self.factors[1:]:
            out = out * f.components()
        return out

    def text(self, ctx, names):
        return " ".join(_wrap(f.text(ctx, names), DECORATED) for f in self.factors), MATMUL

    def latex(self, ctx, names):
        return r"\,".join(_wrap(f.latex(ctx, names), DECORATED, True) for f in self.factors), MATMUL


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
class Hadamard(TExpr):
    factors: tuple

    @property
    def rows(self):
        return self.factors[0].rows

    @property
    def cols(self):
        return self.factors[0].cols

    @property
    def rank(self):
        return max(f.rank for f in self.factors)

    def components(self):
        out = self.factors[0].components()
        for f in self.factors[1:]:
            out = out.multiply_elementwise(f.components())
        return out

    def text(self, ctx, names):
        return " ⊙ ".join(_wrap(f.text(ctx, names), ATOM) for f in self.factors), HADAMARD

    def latex(self, ctx, names):
        return r" \odot ".join(_wrap(f.latex(ctx, names), ATOM, True) for f in self.factors), HADAMARD


def _hadamard_order(t: TExpr) -> int:
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
    flat.sort(key=_hadamard_order)  # stable: keeps the order within a kind
    return flat[0] if len(flat) == 1 else Hadamard(tuple(flat))


@dataclasses.dataclass(frozen=True)
class Diag(TExpr):
    arg: TExpr

    @property
    def rows(self):
        return self.arg.rows

    @property
    def cols(self):
        return self.arg.rows

    rank = 2

    def components(self):
        return sp.diag(*list(self.arg.components()))

    def text(self, ctx, names):
        return "diag(%s)" % self.arg.text(ctx, names)[0], ATOM

    def latex(self, ctx, names):
        return r"\operatorname{diag}\left(%s\right)" % self.arg.latex(ctx, names)[0], ATOM


@dataclasses.dataclass(frozen=True)
class SumAll(TExpr):
    arg: TExpr
    rows = 1
    cols = 1
    rank = 0

    def components(self):
        return sp.Matrix([[sp.Add(*self.arg.components())]])

    def text(self, ctx, names):
        return "sum(%s)" % self.arg.text(ctx, names)[0], ATOM

    def latex(self, ctx, names):
        return r"\operatorname{sum}\left(%s\right)" % self.arg.latex(ctx, names)[0], ATOM


@dataclasses.dataclass(frozen=True)
class Scaled(TExpr):
    """coef × scalar factors × body (body ``None`` for a pure scalar)."""

    coef: Any
    scalars: tuple
    body: TExpr | None

    @property
    def rows(self):
        return self.body.rows if self.body is not None else 1

    @property
    def cols(self):
        return self.body.cols if self.body is not None else 1

    @property
    def rank(self):
        return self.body.rank if self.body is not None else 0

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
        num_r = [_wrap(render(s), level, latex) for s in num]
        if self.body is not None:
            num_r.append(_wrap(render(self.body), HADAMARD, latex))
        den_r = [_wrap(render(s), MATMUL, latex) for s in den]
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
        ct = _coef_text(c, names)
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
class Plus(TExpr):
    terms: tuple

    @property
    def rows(self):
        return self.terms[0].rows

    @property
    def cols(self):
        return self.terms[0].cols

    @property
    def rank(self):
        return max(t.rank for t in self.terms)

    def components(self):
        out = self.terms[0].components()
        for t in self.terms[1:]:
            out = out + t.components()
        return out

    def _render(self, ctx, names, latex):
        out = []
        for k, t in enumerate(self.terms):
            neg = isinstance(t, Scaled) and t.negative()
            tt = t.negated() if neg else t
            r = tt.latex(ctx, names) if latex else tt.text(ctx, names)
            s = _wrap(r, SCALE, latex)
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
class ScalarExpr(TExpr):
    """A scalar written as the sympy expression it is (all blocks involved are scalars)."""

    expr: Any
    rows = 1
    cols = 1
    rank = 0

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


# ----------------------------------------------------------------------------- recognition
class NoMatch(Exception):
    """The entries are not recognised in vector form (print them entry-wise)."""


_LIMIT_GENERATED = 20000
_MAX_CANDIDATES = 64


class _Recogniser:
    """Einsum-pattern recognition of blocks of component expressions (module docstring)."""

    def __init__(self, names: Names):
        self.names = names
        self.syms = set(names.index)
        self._atom_cache: dict = {}

    # -- monomials ---------------------------------------------------------------
    def split_term(self, term):
        coef, factors = sp.Integer(1), []
        for f in sp.Mul.make_args(term):
            if f.is_Number:
                coef *= f
                continue
            r = self.atom(f)
            if r is None:
                coef *= f
            else:
                factors.append(r)
        return coef, _normalize(factors)

    def atom(self, f):
        """An indexed factor ``(tensor, index)``; None for a scalar coefficient."""
        if not (f.free_symbols & self.syms):
            return None
        if f in self.names.index:
            leaf, idx = self.names.index[f]
            return leaf, idx
        if f in self._atom_cache:
            return self._atom_cache[f]
        result = self._atom(f)
        self._atom_cache[f] = result
        return result

    def _atom(self, f):
        if f.is_Pow and f.exp.is_Rational:
            base = self.atom(f.base)
            if base is None:
                raise NoMatch
            key, idx = base
            if isinstance(key, Power):
                return Power(key.base, key.exp * f.exp), idx
            return Power(key, f.exp), idx
        if isinstance(f, sp.Function) and len(f.args) == 1:
            name = f.func.__name__
            base, order = _split_prime(name)
            user = isinstance(f, AppliedUndef)
            if not user and name not in ELEMENTWISE:
                raise NoMatch
            arg = self.atom(f.args[0])
            if arg is None:
                raise NoMatch
            key, idx = arg
            if (name == "exp" and isinstance(key, Scaled) and key.coef.is_Integer and not key.scalars
                    and key.body is not None):
                # sympy writes exp(a)**2 as exp(2 a): read it back as a power
                return Power(Func(base, 0, False, key.body), key.coef), idx
            return Func(base, order, user, key), idx
        if f.is_Add:
            return self.indexed(f)
        raise NoMatch

    def indexed(self, expr):
        """``expr`` as one component ``(T, idx)`` of a recognised tensor T (scalar or vector)."""
        expr = expand(expr)
        monos = []
        for term in sp.Add.make_args(expr):
            coef, factors = self.split_term(term)
            monos.append((coef, factors))
        try:
            return self.recognise({(): expr}, (), _monos={(): monos}), ()
        except NoMatch:
            pass
        seeds = sorted(monos, key=lambda m: -len(m[1]))
        hypotheses = []
        for _, factors in seeds[:1]:
            for key, idx in factors:
                for v, d in zip(idx, key.dims):
                    if (d, v) not in hypotheses:
                        hypotheses.append((d, v))
        for d, v in hypotheses:
            try:
                t = self.recognise({(v,): expr}, (d,), _monos={(v,): monos})
            except NoMatch:
                continue
            return t, (v,)
        raise NoMatch

    # -- patterns -----------------------------------------------------------------
    def recognise(self, entries: dict, out_dims: tuple, _monos=None, out_labels=None) -> TExpr:
        """The tensor whose components at the positions ``entries`` has are those expressions.

        ``out_labels`` names the block each output index belongs to (``s0`` for
        the block s0 of a state vector, None if unknown); it only orders the
        candidate patterns (an index of s0 is first tried with ρ'(s0), not ρ(s1)).
        """
        labels = tuple(out_labels) if out_labels else (None,) * len(out_dims)
        residual: dict = {}
        for pos, e in entries.items():
            monos = _monos[pos] if _monos is not None else [
                self.split_term(t) for t in sp.Add.make_args(expand(e))]
            for coef, factors in monos:
                if coef == 0:
                    continue
                k = (pos, factors)
                residual[k] = residual.get(k, 0) + coef
        residual = {k: v for k, v in residual.items() if sp.expand(v) != 0}
        if not residual:
            return Zero(len(out_dims), *_rows_cols(out_dims))
        budget = [400]
        found = self._solve(residual, list(entries), out_dims, budget, labels)
        if found is None:
            raise NoMatch
        return _assemble(found, out_dims)

    def _solve(self, residual, positions, out_dims, budget, labels):
        if not residual:
            return []
        seed = max(residual, key=lambda k: (_n_distinct(k), len(k[1]), _mono_str(k)))
        for pat in _candidates(seed, out_dims, labels):
            budget[0] -= 1
            if budget[0] < 0:
                return None
            gen = _generate(pat, positions, residual)
            if gen is None or seed not in gen:
                continue
            c = residual[seed] / gen[seed]
            new = dict(residual)
            for k, m in gen.items():
                v = sp.expand(new[k] - c * m)
                if v == 0:
                    del new[k]
                else:
                    new[k] = v
            rest = self._solve(new, positions, out_dims, budget, labels)
            if rest is not None:
                return [(c, pat)] + rest
        return None


def _rows_cols(dims):
    if len(dims) == 0:
        return (1, 1)
    if len(dims) == 1:
        return (dims[0], 1)
    return tuple(dims)


def _normalize(factors):
    """Merge repeated factors into powers (as sympy does: ρ(a)ρ(a) -> ρ(a)**2); sort."""
    if len(set(factors)) == len(factors) and not any(isinstance(k, Power) for k, _ in factors):
        return tuple(sorted(factors, key=lambda f: (f[0].sortkey, f[1])))
    acc: dict = {}
    order = []
    for key, idx in factors:
        base, e = (key.base, key.exp) if isinstance(key, Power) else (key, sp.Integer(1))
        k = (base, idx)
        if k not in acc:
            acc[k] = sp.Integer(0)
            order.append(k)
        acc[k] += e
    out = []
    for (base, idx) in order:
        e = acc[(base, idx)]
        if e == 0:
            continue
        out.append((base if e == 1 else Power(base, e), idx))
    return tuple(sorted(out, key=lambda f: (f[0].sortkey, f[1])))


def _n_distinct(k):
    pos, factors = k
    vals = set(pos)
    for _, idx in factors:
        vals.update(idx)
    return len(vals)


def _mono_str(k):
    pos, factors = k
    return str(pos) + "|" + "|".join("%s%s" % (key.sortkey, idx) for key, idx in factors)


@dataclasses.dataclass(frozen=True)
class Pattern:
    """An einsum term: ``out`` gives the class of each output slot, ``factors`` (key, classes)."""

    out: tuple
    factors: tuple
    dims: tuple  # per class


def _set_partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _set_partitions(rest):
        for i in range(len(part)):
            yield part[:i] + [[first] + part[i]] + part[i + 1:]
        yield [[first]] + part


def _slot_label(key) -> str | None:
    """The block a vector factor is indexed like (ρ'(s1) -> s1, X_t[s1] -> s1); None for matrices."""
    while isinstance(key, (Func, Power)):
        key = key.arg if isinstance(key, Func) else key.base
    if isinstance(key, Leaf) and key.rank < 2:
        return key.label
    return None


def _candidates(seed, out_dims, out_labels=None):
    """Einsum patterns that generate ``seed``, the likeliest first.

    Slots with equal index values may share an index.  Order: first fewest
    shared indices between the two output slots (a diagonal) or the two slots
    of one matrix (its diagonal); then coarsest; then fewest indices shared by
    vectors of different blocks (s0 with ρ(s1)).  With generic index values
    the seed admits one pattern anyway; with blocks of size 1 every value is 0
    and this order picks the natural reading (ties between orientations of a
    1x1 matrix are refused later, in :func:`_pattern_texpr`).
    """
    pos, factors = seed
    slots = [(v, d) for v, d in zip(pos, out_dims)]
    owner = ["out"] * len(pos)
    label = list(out_labels or (None,) * len(pos))
    for k, (key, idx) in enumerate(factors):
        for v, d in zip(idx, key.dims):
            slots.append((v, d))
            owner.append(k)
            label.append(_slot_label(key))

    def rank(part):
        same_owner = sum(len(block) - len({owner[s] for s in block}) for block in part)
        mixed = sum(max(0, len({label[s] for s in block} - {None}) - 1) for block in part)
        return same_owner, len(part), mixed

    groups: dict = {}
    for s, vd in enumerate(slots):
        groups.setdefault(vd, []).append(s)
    per_group = []
    for vd, members in groups.items():
        parts = sorted(itertools.islice(_set_partitions(members), 5000), key=rank)[:_MAX_CANDIDATES]
        per_group.append([(vd[1], p) for p in parts])
    combos = sorted(itertools.islice(itertools.product(*per_group), 4 * _MAX_CANDIDATES),
                    key=lambda c: tuple(map(sum, zip(*(rank(p) for _, p in c)))))
    for combo in combos[:_MAX_CANDIDATES]:
        cls_of = [None] * len(slots)
        dims = []
        for d, part in combo:
            for block in part:
                for s in block:
                    cls_of[s] = len(dims)
                dims.append(d)
        # canonical relabelling by first appearance
        relabel: dict = {}
        for c in cls_of:
            relabel.setdefault(c, len(relabel))
        cls_of = [relabel[c] for c in cls_of]
        dims = [d for _, d in sorted((relabel[c], d) for c, d in enumerate(dims))]
        n_out = len(pos)
        out = tuple(cls_of[:n_out])
        fac, k = [], n_out
        for key, idx in factors:
            fac.append((key, tuple(cls_of[k:k + len(idx)])))
            k += len(idx)
        yield Pattern(out, tuple(fac), tuple(dims))


def _generate(pat: Pattern, positions, support=None):
    """The monomials (with multiplicities) of a pattern at the given output positions.

    None if there are too many, or if one is not in ``support`` (the pattern
    cannot be part of the entries: stop early).
    """
    out_set = set(pat.out)
    summed = [c for c in range(len(pat.dims)) if c not in out_set]
    total = len(positions)
    for c in summed:
        total *= pat.dims[c]
    if total > _LIMIT_GENERATED:
        return None
    gen: dict = {}
    for pos in positions:
        assign: dict = {}
        ok = True
        for c, v in zip(pat.out, pos):
            if assign.setdefault(c, v) != v:
                ok = False
        if not ok:
            continue
        for vals in itertools.product(*(range(pat.dims[c]) for c in summed)):
            assign.update(zip(summed, vals))
            mono = _normalize([(key, tuple(assign[c] for c in cls)) for key, cls in pat.factors])
            k = (pos, mono)
            if support is not None and k not in support:
                return None
            gen[k] = gen.get(k, 0) + 1
    return gen


# -- patterns -> tensor expressions ------------------------------------------------------
def _assemble(found, out_dims) -> TExpr:
    terms = []
    for c, pat in found:
        # -(1 + β) s0 reads better as -s0 - β s0 (and then β (y - s0))
        for part in sp.Add.make_args(sp.expand(c)):
            terms.append(_pattern_texpr(part, pat, out_dims))
    return simplest(terms[0]) if len(terms) == 1 else Plus(tuple(terms))


def simplest(t: TExpr) -> TExpr:
    """``1 × body`` as ``body`` and ``1 × scalar`` as ``scalar``."""
    if isinstance(t, Scaled) and t.coef == 1:
        if t.body is None and len(t.scalars) == 1:
            return t.scalars[0]
        if t.body is not None and not t.scalars:
            return t.body
    return t


def _pattern_texpr(coef, pat: Pattern, out_dims) -> TExpr:
    ncls = len(pat.dims)
    vectors: dict = {c: [] for c in range(ncls)}
    edges: dict = {}  # frozenset({a, b}) -> list of (key oriented a->b as (a, b))
    scalars = []
    if len(out_dims) == 2 and tuple(out_dims) == (1, 1):
        raise NoMatch  # a 1x1 block: its orientation (a bᵀ or b aᵀ, W or Wᵀ) is undetermined
    for key, cls in pat.factors:
        if len(cls) == 2 and key.dims == (1, 1):
            raise NoMatch  # same for a 1x1 matrix factor: print the entries instead
        if len(cls) == 0:
            scalars.append(key)
        elif len(cls) == 1:
            vectors[cls[0]].append(key)
        else:
            a, b = cls
            if a == b:
                raise NoMatch  # a diagonal of a matrix: not written in vector form
            edges.setdefault((min(a, b), max(a, b)), []).append(key if a < b else transpose(key))
    adj: dict = {c: [] for c in range(ncls)}
    for (a, b) in edges:
        adj[a].append(b)
        adj[b].append(a)

    def edge_matrix(a, b):
        """The matrix M with (M)[a-index, b-index] for the edge a - b."""
        mats = edges[(min(a, b), max(a, b))]
        m = hadamard(mats) if len(mats) > 1 else mats[0]
        return m if a < b else transpose(m)

    def value(node, parent):
        parts = list(vectors[node])
        for child in adj[node]:
            if child == parent:
                continue
            parts.append(matmul(edge_matrix(node, child), value(child, node)))
        if not parts:
            return Ones(pat.dims[node])
        return hadamard(parts)

    # components (trees); cycles are not supported
    seen: set = set()
    comps = []
    for c in range(ncls):
        if c in seen:
            continue
        stack, comp, n_edges = [c], [], 0
        seen.add(c)
        while stack:
            u = stack.pop()
            comp.append(u)
            for v in adj[u]:
                n_edges += 1
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        if n_edges // 2 != len(comp) - 1:
            raise NoMatch
        comps.append(comp)
    out_nodes = set(pat.out)
    body = None
    for comp in comps:
        if out_nodes & set(comp):
            continue
        root = min(comp, key=lambda u: (len(adj[u]) != 1 and bool(adj[u]), u))
        scalars.append(_scalar_of_tree(root, vectors, adj, edge_matrix, value, pat))
    if len(out_dims) == 1:
        body = value(pat.out[0], None)
    elif len(out_dims) == 2:
        o1, o2 = pat.out
        if o1 == o2:
            v = value(o1, None)
            body = Identity(pat.dims[o1]) if isinstance(v, Ones) else Diag(v)
        else:
            comp1 = next(c for c in comps if o1 in c)
            if o2 not in comp1:
                body = matmul(value(o1, None), transpose(value(o2, None)))
            else:
                body = _path_product(o1, o2, vectors, adj, edge_matrix, value, pat)
    merged = tuple(key for key, _ in _normalize([(sc, ()) for sc in scalars]))
    return Scaled(sp.sympify(coef), merged, body)


def _scalar_of_tree(root, vectors, adj, edge_matrix, value, pat):
    parts = list(vectors[root])
    for child in adj[root]:
        parts.append(matmul(edge_matrix(root, child), value(child, root)))
    if not parts:
        return SumAll(Ones(pat.dims[root]))
    if len(parts) == 1:
        p = parts[0]
        if isinstance(p, MatMul):  # 1ᵀ W v reads better as sum(W v)
            return SumAll(p)
        return SumAll(p)
    first, rest = parts[0], hadamard(parts[1:])
    return matmul(transpose(first), rest)


def _path_product(o1, o2, vectors, adj, edge_matrix, value, pat):
    # find the path o1 -> o2
    prev = {o1: None}
    stack = [o1]
    while stack:
        u = stack.pop()
        for v in adj[u]:
            if v not in prev:
                prev[v] = u
                stack.append(v)
    path = [o2]
    while path[-1] != o1:
        path.append(prev[path[-1]])
    path.reverse()
    factors = []
    for k, node in enumerate(path):
        on_path = {path[k - 1]} if k > 0 else set()
        if k + 1 < len(path):
            on_path.add(path[k + 1])
        parts = list(vectors[node])
        for child in adj[node]:
            if child not in on_path:
                parts.append(matmul(edge_matrix(node, child), value(child, node)))
        if parts:
            factors.append(Diag(hadamard(parts)))
        if k + 1 < len(path):
            factors.append(edge_matrix(node, path[k + 1]))
    return matmul(*factors)


# -- tidying: common factors ---------------------------------------------------------
def tidy(t: TExpr) -> TExpr:
    """Readable form of a recognised sum: common factors pulled out, a positive term first.

    ``ρ'(s1) ⊙ W12 ρ(s2) + ρ'(s1) ⊙ W01ᵀ ρ(s0)`` -> ``ρ'(s1) ⊙ (W12 ρ(s2) + W01ᵀ ρ(s0))``;
    ``β y - β s0`` -> ``β (y - s0)``; ``-diag(a) - diag(b)`` -> ``-diag(a + b)``.
    """
    if not isinstance(t, Plus):
        return t
    terms = list(t.terms)
    terms = _combine_diag(terms)
    terms = _factor_hadamard(terms)
    terms = _factor_coefficients(terms)
    terms = _positive_first(terms)
    return terms[0] if len(terms) == 1 else Plus(tuple(terms))


def _sum_of(terms) -> TExpr:
    """A tidy sum of terms, as Scaled(sign, (), body) so a common minus sign shows outside."""
    inner = tidy(Plus(tuple(terms))) if len(terms) > 1 else terms[0]
    if isinstance(inner, Plus) and all(isinstance(x, Scaled) and x.negative() for x in inner.terms):
        return Scaled(sp.Integer(-1), (), Plus(tuple(x.negated() for x in inner.terms)))
    if isinstance(inner, Scaled) and not inner.scalars and inner.body is not None:
        return inner
    return Scaled(sp.Integer(1), (), inner)


def _positive_first(terms):
    for i, t in enumerate(terms):
        if not (isinstance(t, Scaled) and t.negative()):
            return [t] + terms[:i] + terms[i + 1:]
    return terms


def _combine_diag(terms):
    diag = [t for t in terms if isinstance(t, Scaled) and not t.scalars and isinstance(t.body, Diag)]
    if len(diag) < 2:
        return terms
    inner = _sum_of([Scaled(t.coef, (), t.body.arg) for t in diag])
    merged = Scaled(inner.coef, (), Diag(inner.body))
    first = terms.index(diag[0])
    return [merged if i == first else t for i, t in enumerate(terms) if i == first or t not in diag]


def _hadamard_parts(term):
    if isinstance(term, Scaled) and not term.scalars and term.body is not None and term.rank == 1:
        b = term.body
        return list(b.factors) if isinstance(b, Hadamard) else [b]
    return None


def _factor_hadamard(terms):
    """Pull a factor common to several Hadamard products out of them (repeatedly)."""
    done: set = set()
    while True:
        counts: dict = {}
        for t in terms:
            parts = _hadamard_parts(t)
            if parts and len(parts) >= 2:
                for p in set(parts):
                    if isinstance(p, (Leaf, Func, Power)) and p not in done:
                        counts[p] = counts.get(p, 0) + 1
        common = [p for p, n in counts.items() if n >= 2]
        if not common:
            return terms
        f = max(common, key=lambda p: (counts[p], _hadamard_order(p) == 0, p.sortkey))
        done.add(f)
        group, first = [], None
        for i, t in enumerate(terms):
            parts = _hadamard_parts(t)
            if parts and f in parts and len(parts) >= 2:
                rest = list(parts)
                rest.remove(f)
                group.append(Scaled(t.coef, (), hadamard(rest)))
                first = i if first is None else first
        inner = _sum_of(group)
        merged = Scaled(inner.coef, (), hadamard([f, inner.body]))
        grouped = [t for t in terms if (_hadamard_parts(t) or [None]) and f in (_hadamard_parts(t) or [])
                   and len(_hadamard_parts(t)) >= 2]
        terms = [merged if i == first else t for i, t in enumerate(terms)
                 if i == first or not any(t is g for g in grouped)]


def _factor_coefficients(terms):
    """Group the terms whose coefficients share a non-numeric part (β) or a fraction (1/2)."""
    def common(t):
        if not isinstance(t, Scaled):
            return None
        num, rest = t.coef.as_coeff_Mul()
        if rest != 1:
            return rest
        if abs(num) != 1:
            return abs(num)
        return None

    counts: dict = {}
    for t in terms:
        k = common(t)
        if k is not None:
            counts[k] = counts.get(k, 0) + 1
    shared = [k for k, n in counts.items() if n >= 2]
    if not shared:
        return terms
    k = max(shared, key=lambda c: counts[c])
    group = [t for t in terms if common(t) == k]
    first = terms.index(group[0])
    inner = tuple(Scaled(t.coef / k, t.scalars, t.body) for t in group)
    if all(t.negative() for t in inner):
        inner = tuple(t.negated() for t in inner)
        k = -k
    merged = Scaled(k, (), Plus(tuple(_positive_first(list(inner)))))
    out = [t for i, t in enumerate(terms) if i == first or common(t) != common(group[0])]
    i = out.index(group[0])
    if k.is_Number:
        out[i] = merged
    else:  # a β term goes last: ... - s0 + β (y - s0)
        out = out[:i] + out[i + 1:] + [merged]
    return out


# -- verification ------------------------------------------------------------------------
def _same(a, b) -> bool:
    """Exact symbolic equality of two component expressions (canonical, expanded)."""
    d = canonical(a) - canonical(b)
    return d == 0 or expand(d) == 0 or expand(d, multinomial=True, deep=True) == 0


def verify(t: TExpr, entries: dict, out_dims) -> bool:
    """Does ``t`` expand, component by component, to exactly the entries?"""
    try:
        comps = t.components()
    except Exception:  # noqa: BLE001 - a malformed candidate is simply not verified
        return False
    rows, cols = _rows_cols(out_dims)
    if comps.shape != (rows, cols):
        return False
    for pos, e in entries.items():
        i, j = (tuple(pos) + (0, 0))[:2]
        if not _same(comps[i, j], canonical(e)):
            return False
    return True


def block_form(entries: dict, out_dims: tuple, names: Names, out_labels=None) -> TExpr:
    """The verified vector form of a block's entries, else its entry-wise form.

    ``entries`` maps positions (``()``, ``(i,)`` or ``(i, j)``) to component
    expressions; ``out_dims`` is the block's shape.
    """
    exprs = [sp.sympify(e) for e in entries.values()]
    rows, cols = _rows_cols(out_dims)
    if all(e == 0 or expand(e) == 0 for e in exprs):
        return Zero(len(out_dims), rows, cols)
    if out_dims == ():
        (e,) = exprs
        blocks = {names.index[s][0] for s in e.free_symbols if s in names.index}
        if all(b.rank == 0 for b in blocks):
            return ScalarExpr(canonical(e))
    try:
        t = _Recogniser(names).recognise(entries, out_dims, out_labels=out_labels)
    except (NoMatch, RecursionError):
        t = None
    if t is not None:
        for cand in (tidy(t), t):
            if verify(cand, entries, out_dims):
                return cand
    if out_dims == ():
        return ScalarExpr(canonical(exprs[0]))
    return EntryWise(rows, cols, len(out_dims), tuple(exprs))


# ----------------------------------------------------------------------------- blocks
def explicit(value) -> sp.Matrix:
    """A matrix expression such as ``-H*X_t`` with its matrix symbols as explicit entries.

    ``X_t`` (n x 1) becomes the column of symbols ``X_t[0]``, ..., ``X_t[n-1]``
    (Dummy symbols, distinct from any declared name);
    much faster than ``as_explicit`` (which builds and evaluates Sum objects).
    """
    subs = {}
    for ms in value.atoms(sp.MatrixSymbol):
        m, n = ms.shape
        if n == 1:
            entries = [sp.Dummy("%s[%d]" % (ms.name, i), real=True) for i in range(m)]
        else:
            entries = [sp.Dummy("%s[%d,%d]" % (ms.name, i, j), real=True)
                       for i in range(m) for j in range(n)]
        subs[ms] = sp.ImmutableMatrix(m, n, entries)
    return sp.Matrix(value.xreplace(subs).doit())


def _slices(blocks):
    out, pos = [], 0
    for b in blocks:
        out.append((b, pos))
        pos += b.size
    return out


def _positions(b: Block):
    if b.shape == ():
        return [()]
    if len(b.shape) == 1:
        return [(i,) for i in range(b.shape[0])]
    return list(itertools.product(range(b.shape[0]), range(b.shape[1])))


def _block_entries(vec, b: Block, offset: int) -> dict:
    return {p: vec[offset + k] for k, p in enumerate(_positions(b))}


def _pair_entries(mat, a: Block, oa: int, b: Block, ob: int):
    """Entries of the (a, b) block of an n x n matrix, with the output dims of that block."""
    if a.shape == () or b.shape == ():
        # a vector (column) or a scalar; a row is returned as a column, flagged
        if a.shape == () and b.shape == ():
            return {(): mat[oa, ob]}, (), False
        if b.shape == ():
            return {(i,): mat[oa + i, ob] for i in range(a.size)}, (a.size,), False
        return {(j,): mat[oa, ob + j] for j in range(b.size)}, (b.size,), True
    return ({(i, j): mat[oa + i, ob + j] for i in range(a.size) for j in range(b.size)},
            (a.size, b.size), False)


# ----------------------------------------------------------------------------- sections
@dataclasses.dataclass
class Piece:
    """One side of an equation: static notation, or a rendered tensor at some state."""

    text: str = ""
    latex: str = ""
    tensor: TExpr | None = None
    ctx: Ctx = PLAIN
    # lim 1/β [A - B]: (A, B or None, where A is evaluated ("β" or "βt"), minus sign outside)
    limit_of: tuple | None = None

    def render_text(self, names) -> str:
        if self.limit_of is not None:
            return _limit_text(self.limit_of, names)
        if self.tensor is not None:
            return self.tensor.text(self.ctx, names)[0]
        return self.text

    def render_latex(self, names) -> str:
        if self.limit_of is not None:
            return _limit_latex(self.limit_of, names)
        if self.tensor is not None:
            return self.tensor.latex(self.ctx, names)[0]
        return self.latex


def _limit_pair(tb: TExpr, t0: TExpr | None):
    """(sign, A, B) for lim 1/β (A - B), with a common minus sign pulled out of both sides."""
    sign = 1
    if tb.negative() and (t0 is None or t0.negative()):
        tb = tb.negated()
        t0 = t0.negated() if t0 is not None else None
        sign = -1
    return sign, tb, t0


def _limit_text(spec, names):
    tb, t0, at, minus_outside = spec
    sign, a, b = _limit_pair(tb, t0)
    sign *= -1 if minus_outside else 1
    inner = a.text(Ctx(at), names)[0]
    if b is not None and not b.is_zero():
        if b.negative():
            inner += " + " + _wrap(b.negated().text(Ctx("0"), names), SCALE)
        else:
            inner += " - " + _wrap(b.text(Ctx("0"), names), SCALE)
    return "%slim_{β→0} (1/β) [%s]" % ("-" if sign < 0 else "", inner)


def _limit_latex(spec, names):
    tb, t0, at, minus_outside = spec
    sign, a, b = _limit_pair(tb, t0)
    sign *= -1 if minus_outside else 1
    inner = a.latex(Ctx(at), names)[0]
    if b is not None and not b.is_zero():
        if b.negative():
            inner += " + " + _wrap(b.negated().latex(Ctx("0"), names), SCALE, True)
        else:
            inner += " - " + _wrap(b.latex(Ctx("0"), names), SCALE, True)
    return r"%s\lim_{\beta \to 0} \frac{1}{\beta} \left[ %s \right]" % ("-" if sign < 0 else "", inner)


@dataclasses.dataclass
class Line:
    lhs_text: str
    lhs_latex: str
    pieces: list


@dataclasses.dataclass
class Section:
    name: str
    equations: tuple
    description: str
    title: str
    lines: list
    notes: list
    value: Any  # the derived object's value; its components are printed for JSON only


TITLES = {
    "free_dynamics": "free dynamics",
    "fixed_point_condition": "free fixed point",
    "extended_energy": "extended energy",
    "extended_dynamics": "extended (nudged) dynamics",
    "nudged_fixed_point_condition": "nudged fixed point",
    "cauchy_X0": "Cauchy problem, initial condition of X",
    "cauchy_Y0": "Cauchy problem, initial condition of Y",
    "cauchy_dX": "Cauchy problem, dynamics of X",
    "cauchy_dY": "Cauchy problem, dynamics of Y",
    "hessian": "Hessian, by blocks",
    "mixed_hessian": "mixed Hessian, by blocks (as maps of X_t)",
    "ep_gradient": "EP gradient formula (contrastive Hebbian rule)",
    "ep_truncated": "truncated EP gradient formula (= truncated RBP)",
    "ep_temporal_derivative": "temporal derivatives code for error derivatives",
}


def _d_text(b):
    return text_name(b.name)


def _d_latex(b):
    return latex_name(b.name)


class Renderer:
    """All sections of a derivation, computed once; written as text, LaTeX or JSON."""

    def __init__(self, derivation: Derivation):
        self.d = derivation
        self.model = derivation.model
        self.state = _slices(self.model.state)
        self.params = _slices(self.model.params)
        self.x_leaves = []
        self.x_syms = []
        for b, off in self.state:
            # Dummy: never the same symbol as a user's block named X_t
            syms = tuple(sp.Dummy("X_t[%d]" % (off + k), real=True) for k in range(b.size))
            rows, cols = b.rows_cols
            self.x_leaves.append(Leaf("X_t[%s]" % b.name, "aux", len(b.shape), rows, cols, syms,
                                      "X_t[%s]" % text_name(b.name),
                                      r"(X_t)_{%s}" % latex_name(b.name), of=b.name))
            self.x_syms.extend(syms)
        self.names = Names.for_model(self.model, self.x_leaves)
        self._forms: dict = {}
        self.checks: list = []

    # -- helpers ---------------------------------------------------------------------
    def form(self, key, entries, out_dims, out_labels=None) -> TExpr:
        """The printed form of one block (cached); ``checks`` keeps what it was verified against."""
        if key not in self._forms:
            self._forms[key] = block_form(entries, out_dims, self.names, out_labels)
            self.checks.append((key, entries, out_dims, self._forms[key]))
        return self._forms[key]

    def state_form(self, key, vec, b, off):
        return self.form((key, b.name), _block_entries(vec, b, off), b.shape, (b.name,) * len(b.shape))

    def param_form(self, key, vec, b, off):
        return self.form((key, b.name), _block_entries(vec, b, off), b.shape)

    @cached_property
    def minus_HX(self):
        return -(self.d.H * sp.Matrix(self.x_syms))

    @cached_property
    def minus_MX(self):
        return -(self.d.M * sp.Matrix(self.x_syms))

    # -- sections ---------------------------------------------------------------------
    def sections(self) -> list[Section]:
        out = []
        for obj in self.d.objects():
            builder = getattr(self, "_s_" + obj.name, None)
            lines, notes = builder(obj) if builder is not None else self._generic(obj)
            out.append(Section(obj.name, tuple(obj.equations), obj.description,
                               TITLES.get(obj.name, obj.name.replace("_", " ")), lines, notes,
                               obj.value))
        return out

    def components(self, value) -> list[str]:
        if isinstance(value, sp.MatrixExpr) and not isinstance(value, sp.MatrixBase):
            value = explicit(value)
        if isinstance(value, sp.MatrixBase):
            return [expr_text(e, self.names, ascii_=True) for e in value]
        return [expr_text(value, self.names, ascii_=True)]

    def _per_state(self, vec, key, lhs, rhs_pieces=None, at=None, suffix=None):
        lines = []
        for b, off in self.state:
            t = self.state_form(key, vec, b, off)
            lt, ll = lhs(b)
            pieces = list(rhs_pieces(b)) if rhs_pieces else []
            pieces.append(Piece(tensor=t, ctx=Ctx(at)))
            if suffix:
                pieces.append(Piece("0", "0"))
            lines.append(Line(lt, ll, pieces))
        return lines

    def _s_free_dynamics(self, obj):
        return self._per_state(self.d.field, "field",
                               lambda b: ("d%s/dt" % _d_text(b), r"\frac{d %s}{d t}" % _d_latex(b))), []

    def _s_extended_dynamics(self, obj):
        return self._per_state(self.d.extended_field, "extended_field",
                               lambda b: ("d%s/dt" % _d_text(b), r"\frac{d %s}{d t}" % _d_latex(b))), []

    def _s_fixed_point_condition(self, obj):
        return self._per_state(
            self.d.dE_ds, "dE_ds",
            lambda b: ("∂E/∂%s(s^0)" % _d_text(b),
                       r"\frac{\partial E}{\partial %s}\left(s^{0}\right)" % _d_latex(b)),
            at="0", suffix=True), ["s^0 = s_θ^0, the free fixed point"]

    def _s_nudged_fixed_point_condition(self, obj):
        vec = self.d.dE_ds + BETA * self.d.dC_ds
        return self._per_state(
            vec, "dEbeta_ds",
            lambda b: ("∂E^β/∂%s(s^β)" % _d_text(b),
                       r"\frac{\partial E^{\beta}}{\partial %s}\left(s^{\beta}\right)" % _d_latex(b)),
            at="β", suffix=True), ["s^β = s_θ^β, the nudged fixed point"]

    def _s_extended_energy(self, obj):
        e_text, e_latex = expression_text_latex(self.model.energy_text, self.model)
        c_text, c_latex = expression_text_latex(self.model.cost_text, self.model)
        line = Line("E^β(s)", r"E^{\beta}(s)", [
            Piece("E(s) + β C(s)", r"E(s) + \beta\, C(s)"),
            Piece("%s + β (%s)" % (e_text, c_text),
                  r"%s + \beta \left(%s\right)" % (e_latex, c_latex))])
        return [line], []

    def _s_cauchy_X0(self, obj):
        return self._per_state(
            self.d.dC_ds, "dC_ds",
            lambda b: ("X_0[%s]" % _d_text(b), r"(X_0)_{%s}" % _d_latex(b)),
            rhs_pieces=lambda b: [Piece("∂C/∂%s(s^0)" % _d_text(b),
                                        r"\frac{\partial C}{\partial %s}\left(s^{0}\right)" % _d_latex(b))],
            at="0"), []

    def _s_cauchy_Y0(self, obj):
        lines = []
        for b, off in self.params:
            t = self.param_form("dC_dtheta", self.d.dC_dtheta, b, off)
            lines.append(Line("Y_0[%s]" % _d_text(b), r"(Y_0)_{%s}" % _d_latex(b), [
                Piece("∂C/∂%s(s^0)" % _d_text(b),
                      r"\frac{\partial C}{\partial %s}\left(s^{0}\right)" % _d_latex(b)),
                Piece(tensor=t, ctx=Ctx("0"))]))
        return lines, []

    def _s_cauchy_dX(self, obj):
        lines = self._per_state(
            self.minus_HX, "minus_HX",
            lambda b: ("dX_t[%s]/dt" % _d_text(b), r"\frac{d (X_t)_{%s}}{d t}" % _d_latex(b)),
            rhs_pieces=lambda b: [Piece("-(H(s^0) X_t)[%s]" % _d_text(b),
                                        r"-\left(H(s^{0})\, X_t\right)_{%s}" % _d_latex(b))],
            at="0")
        return lines, ["X_t[b] is the block of X_t for state block b; H is evaluated at s^0"]

    def _s_cauchy_dY(self, obj):
        lines = []
        for b, off in self.params:
            t = self.param_form("minus_MX", self.minus_MX, b, off)
            lines.append(Line("dY_t[%s]/dt" % _d_text(b), r"\frac{d (Y_t)_{%s}}{d t}" % _d_latex(b), [
                Piece("-(M(s^0) X_t)[%s]" % _d_text(b),
                      r"-\left(M(s^{0})\, X_t\right)_{%s}" % _d_latex(b)),
                Piece(tensor=t, ctx=Ctx("0"))]))
        return lines, ["Y_t[p] is the block of Y_t for parameter block p; M is evaluated at s^0"]

    def _s_hessian(self, obj):
        lines, zero = [], []
        H = self.d.H
        for i, (a, oa) in enumerate(self.state):
            for b, ob in self.state[i:]:
                entries, dims, row = _pair_entries(H, a, oa, b, ob)
                labels = [blk.name for blk in (a, b) if blk.shape != ()]
                t = self.form(("H", a.name, b.name), entries, dims, labels[:len(dims)])
                if t.is_zero():
                    zero.append("H[%s,%s]" % (_d_text(a), _d_text(b)))
                    continue
                if row:
                    t = Transpose(t)
                if a is b:
                    dt, dl = "∂²E/∂%s²" % _d_text(a), r"\frac{\partial^2 E}{\partial %s^2}" % _d_latex(a)
                else:
                    dt = "∂²E/∂%s∂%s" % (_d_text(a), _d_text(b))
                    dl = r"\frac{\partial^2 E}{\partial %s\, \partial %s}" % (_d_latex(a), _d_latex(b))
                lines.append(Line("H[%s,%s]" % (_d_text(a), _d_text(b)),
                                  r"H_{%s %s}" % (_d_latex(a), _d_latex(b)),
                                  [Piece(dt, dl), Piece(tensor=t)]))
        notes = ["H is symmetric: H[b,a] = H[a,b]ᵀ"]
        if zero:
            notes.append("zero blocks: " + ", ".join(zero))
        return lines, notes

    def _s_mixed_hessian(self, obj):
        lines, zero = [], []
        M = self.d.M
        for p, op in self.params:
            for (b, ob), xl in zip(self.state, self.x_leaves):
                sub = M[op:op + p.size, ob:ob + b.size] * sp.Matrix(list(xl.symbols))
                t = self.form(("M", p.name, b.name), _block_entries(sub, p, 0), p.shape)
                if t.is_zero():
                    zero.append("M[%s,%s]" % (_d_text(p), _d_text(b)))
                    continue
                lines.append(Line("M[%s,%s] X_t[%s]" % (_d_text(p), _d_text(b), _d_text(b)),
                                  r"M_{%s %s}\, (X_t)_{%s}" % (_d_latex(p), _d_latex(b), _d_latex(b)),
                                  [Piece("∂²E/∂%s∂%s · X_t[%s]" % (_d_text(p), _d_text(b), _d_text(b)),
                                         r"\frac{\partial^2 E}{\partial %s\, \partial %s} \cdot (X_t)_{%s}"
                                         % (_d_latex(p), _d_latex(b), _d_latex(b))),
                                   Piece(tensor=t)]))
        notes = ["each block M[p,b] is written as the map X_t[b] -> M[p,b] X_t[b]"]
        if zero:
            notes.append("zero blocks: " + ", ".join(zero))
        return lines, notes

    def _ep_lines(self, at, lhs_t, lhs_l, formula_t, formula_l):
        lines = []
        for b, off in self.params:
            dE = self.param_form("dE_dtheta", self.d.dE_dtheta, b, off)
            dC = self.param_form("dC_dtheta", self.d.dC_dtheta, b, off)
            dEb = dE if dC.is_zero() else self.param_form("dEbeta_dtheta", self.d.dEbeta_dtheta, b, off)
            bt, bl = _d_text(b), _d_latex(b)
            lines.append(Line(lhs_t % bt, lhs_l % bl, [
                Piece(formula_t % (bt, bt), formula_l % (bl, bl)),
                Piece(limit_of=(dEb, dE, at, False))]))
        return lines

    def _s_ep_gradient(self, obj):
        lines = []
        for b, off in self.params:
            dE = self.param_form("dE_dtheta", self.d.dE_dtheta, b, off)
            dC = self.param_form("dC_dtheta", self.d.dC_dtheta, b, off)
            bt, bl = _d_text(b), _d_latex(b)
            if dC.is_zero():
                lines.append(Line("∂E/∂%s" % bt, r"\frac{\partial E}{\partial %s}" % bl,
                                  [Piece(tensor=dE)]))
            else:
                dEb = self.param_form("dEbeta_dtheta", self.d.dEbeta_dtheta, b, off)
                lines.append(Line("∂E^β/∂%s" % bt, r"\frac{\partial E^{\beta}}{\partial %s}" % bl,
                                  [Piece(tensor=dEb)]))
        lines += self._ep_lines(
            "β", "∂J/∂%s", r"\frac{\partial J}{\partial %s}",
            "lim_{β→0} (1/β) [∂E^β/∂%s(s^β) - ∂E/∂%s(s^0)]",
            r"\lim_{\beta \to 0} \frac{1}{\beta} \left[ \frac{\partial E^{\beta}}{\partial %s}"
            r"\left(s^{\beta}\right) - \frac{\partial E}{\partial %s}\left(s^{0}\right) \right]")
        return lines, ["s^0 = s_θ^0 (free fixed point), s^β = s_θ^β (nudged fixed point)"]

    def _s_ep_truncated(self, obj):
        lines = self._ep_lines(
            "βt", "∂L/∂%s(θ, s^0, t)", r"\frac{\partial L}{\partial %s}\left(\theta, s^{0}, t\right)",
            "lim_{β→0} (1/β) [∂E^β/∂%s(S^β(s^0, t)) - ∂E/∂%s(s^0)]",
            r"\lim_{\beta \to 0} \frac{1}{\beta} \left[ \frac{\partial E^{\beta}}{\partial %s}"
            r"\left(S^{\beta}(s^{0}, t)\right) - \frac{\partial E}{\partial %s}\left(s^{0}\right) \right]")
        return lines, ["s^β(t) = S_θ^β(s_θ^0, t), the state after a time t of the nudged phase",
                       "the same limit is Ỹ_t of Eq 22, which equals Y_t (Theorem 3)"]

    def _s_ep_temporal_derivative(self, obj):
        lines = []
        for b, off in self.state:
            t = self.state_form("extended_field", self.d.extended_field, b, off)
            bt, bl = _d_text(b), _d_latex(b)
            lines.append(Line("∂L/∂%s(θ, s^0, t)" % bt,
                              r"\frac{\partial L}{\partial %s}\left(\theta, s^{0}, t\right)" % bl, [
                                  Piece("-lim_{β→0} (1/β) d%s/dt(S^β(s^0, t))" % bt,
                                        r"-\lim_{\beta \to 0} \frac{1}{\beta} \frac{d %s}{d t}"
                                        r"\left(S^{\beta}(s^{0}, t)\right)" % bl),
                                  Piece(limit_of=(t, None, "βt", True))]))
        return lines, ["X̃_t of Eq 21 equals X_t (Theorem 3), so this is Eq 23"]

    def _generic(self, obj):
        """Any other derived object, by its shape: per block where the shape says which."""
        v = obj.value
        n, p = self.model.n, self.model.p
        if isinstance(v, sp.MatrixBase) and v.shape == (n, 1):
            return self._per_state(v, obj.name, lambda b: ("[%s]" % _d_text(b), latex_name(b.name))), []
        if isinstance(v, sp.MatrixBase) and v.shape == (p, 1):
            lines = []
            for b, off in self.params:
                t = self.param_form(obj.name, v, b, off)
                lines.append(Line("[%s]" % _d_text(b), latex_name(b.name), [Piece(tensor=t)]))
            return lines, []
        if isinstance(v, sp.Basic) and not isinstance(v, (sp.MatrixBase, sp.MatrixExpr)):
            t = block_form({(): v}, (), self.names)
            return [Line(obj.name, r"\mathrm{%s}" % obj.name.replace("_", r"\_"), [Piece(tensor=t)])], []
        return [], ["see --format json for its components"]


# ----------------------------------------------------------------------------- model expressions
def expression_text_latex(text: str, model: Model) -> tuple[str, str]:
    """A model-file expression (energy, cost) in readable text and LaTeX, from its syntax tree."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return text, r"\text{%s}" % text
    users = set(model.functions)
    return _ast_text(tree, users, 0), _ast_latex(tree, users, 0)


_AST_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def _ast_prec(node):
    if isinstance(node, ast.BinOp):
        return _AST_PREC.get(type(node.op), 0)
    if isinstance(node, ast.UnaryOp):
        return 3
    return 5


def _ast_text(node, users, parent):
    p = _ast_prec(node)
    if isinstance(node, ast.BinOp):
        is_pow = isinstance(node.op, ast.Pow)  # right-associative: (a^b)^c needs its parentheses
        lt = _ast_text(node.left, users, p + 1 if is_pow else p)
        rt = _ast_text(node.right, users, p if is_pow else
                       p + (0 if isinstance(node.op, (ast.Add, ast.Mult)) else 1))
        op = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: " ", ast.Div: "/", ast.Pow: "^"}.get(
            type(node.op), " ? ")
        if isinstance(node.op, ast.Mult) and isinstance(node.left, ast.Constant):
            op = " "
        s = lt + op + rt
    elif isinstance(node, ast.UnaryOp):
        s = ("-" if isinstance(node.op, ast.USub) else "+") + _ast_text(node.operand, users, p)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fn = node.func.id
        name = function_text(fn) if fn in users or fn in _BUILTIN_TEXT else fn
        s = "%s(%s)" % (name, ", ".join(_ast_text(a, users, 0) for a in node.args))
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        s = _ast_text(node.value, users, 5) + "ᵀ"
    elif isinstance(node, ast.Name):
        s = text_name(node.id)
    elif isinstance(node, ast.Constant):
        s = str(node.value)
    else:
        s = ast.unparse(node)
    return "(%s)" % s if p < parent else s


def _ast_latex(node, users, parent):
    p = _ast_prec(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        s = r"\frac{%s}{%s}" % (_ast_latex(node.left, users, 0), _ast_latex(node.right, users, 0))
        p = 5
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        base = _ast_latex(node.left, users, 5)
        if isinstance(node.left, ast.BinOp) and isinstance(node.left.op, (ast.Pow, ast.Div)):
            base = r"\left(%s\right)" % base  # (a^b)^c, (a/b)^c
        s = "{%s}^{%s}" % (base, _ast_latex(node.right, users, 0))
        p = 5
    elif isinstance(node, ast.BinOp):
        lt = _ast_latex(node.left, users, p)
        rt = _ast_latex(node.right, users, p + (0 if isinstance(node.op, (ast.Add, ast.Mult)) else 1))
        op = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: r"\, "}.get(type(node.op), " ? ")
        s = lt + op + rt
    elif isinstance(node, ast.UnaryOp):
        s = ("-" if isinstance(node.op, ast.USub) else "+") + _ast_latex(node.operand, users, p)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fn = node.func.id
        if fn == "trace":
            name = r"\operatorname{tr}"
        elif fn == "sum":
            name = r"\operatorname{sum}"
        elif fn == "sqrt":
            return r"\sqrt{%s}" % ", ".join(_ast_latex(a, users, 0) for a in node.args)
        else:
            name = function_latex(fn)
        s = r"%s\left(%s\right)" % (name, ", ".join(_ast_latex(a, users, 0) for a in node.args))
        p = 5
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        s = r"{%s}^{\top}" % _ast_latex(node.value, users, 5)
        p = 5
    elif isinstance(node, ast.Name):
        s = latex_name(node.id)
    elif isinstance(node, ast.Constant):
        s = str(node.value)
    else:
        s = r"\text{%s}" % ast.unparse(node)
    return r"\left(%s\right)" % s if p < parent else s


# ----------------------------------------------------------------------------- writers
def _header_lines(model: Model) -> list[str]:
    def shape(b):
        if b.shape == ():
            return "scalar"
        if len(b.shape) == 1:
            return "R^%d" % b.shape[0]
        return "R^%dx%d" % b.shape

    out = ["eqprop-verify derive: %s" % model.name]
    if model.description:
        out.append(model.description)
    out.append("state s = (%s)   n = %d" % (", ".join("%s ∈ %s" % (text_name(b.name), shape(b))
                                                       for b in model.state), model.n))
    out.append("params θ = (%s)   p = %d" % (", ".join("%s ∈ %s" % (text_name(b.name), shape(b))
                                                         for b in model.params), model.p))
    data = model.inputs + model.targets
    if data:
        out.append("data: %s" % ", ".join("%s ∈ %s" % (text_name(b.name), shape(b)) for b in data))
    if model.functions:
        out.append("functions: %s" % ", ".join("%s(u) = %s" % (function_text(k), v)
                                               for k, v in model.function_texts.items()))
    out.append("notation: ⊙ elementwise product, ᵀ transpose, juxtaposition matrix product, "
               "ρ' derivative of a declared function; s^0 free fixed point, s^β nudged fixed point, "
               "s^β(t) = S^β(s^0, t)")
    return out


def _eq_label(eqs) -> str:
    """``Eq 11, 12`` for a section of the paper's equations; empty for a derived object (H, M)."""
    return "Eq " + ", ".join(eqs) if eqs else ""


def _header(sec: Section, after_label: str, after_title: str) -> str:
    label = _eq_label(sec.equations)
    return (label + after_label if label else "") + sec.title + after_title + sec.description


def render_text(derivation: Derivation, renderer: Renderer | None = None) -> str:
    """The derivation as plain text (Unicode), one equation per state / parameter block."""
    r = renderer or Renderer(derivation)
    out = _header_lines(r.model)
    for sec in r.sections():
        out.append("")
        out.extend(section_text(sec, r.names))
    return "\n".join(out) + "\n"


def section_text(sec: Section, names: Names) -> list[str]:
    out = [_header(sec, "  ", ": ")]
    for line in sec.lines:
        rhs = [p.render_text(names) for p in line.pieces]
        last = line.pieces[-1].tensor if line.pieces else None
        if isinstance(last, EntryWise):
            head = "  %s = %s" % (line.lhs_text, " = ".join(rhs[:-1] + ["(entry-wise)"]))
            out.append(head)
            out.extend("      " + s for s in last.text_lines(line.pieces[-1].ctx, names))
        else:
            out.append("  %s = %s" % (line.lhs_text, " = ".join(rhs)))
    for note in sec.notes:
        out.append("  (%s)" % note)
    return out


def section_latex(sec: Section, names: Names) -> list[str]:
    out = ["% " + _header(sec, ": ", " -- ")]
    for note in sec.notes:
        out.append("% (" + note + ")")
    if not sec.lines:
        return out
    out.append(r"\begin{align*}")
    rows = []
    for k, line in enumerate(sec.lines):
        rhs = " = ".join(p.render_latex(names) for p in line.pieces)
        tag = r" \tag{%s}" % ", ".join(sec.equations) if k == 0 and sec.equations else ""
        rows.append("  %s &= %s%s" % (line.lhs_latex, rhs, tag))
    out.append(" \\\\\n".join(rows))
    out.append(r"\end{align*}")
    return out


def render_latex(derivation: Derivation, renderer: Renderer | None = None) -> str:
    """The derivation as a LaTeX fragment (``align*`` environments; needs ``amsmath``)."""
    r = renderer or Renderer(derivation)
    out = ["% " + line for line in _header_lines(r.model)]
    out.append("% requires \\usepackage{amsmath}")
    for sec in r.sections():
        out.append("")
        out.extend(section_latex(sec, r.names))
    return "\n".join(out) + "\n"


def latex_document(body: str) -> str:
    """A minimal complete document around :func:`render_latex` output (for compiling)."""
    return ("\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amsmath}\n"
            "\\usepackage[margin=1cm,paperwidth=60cm,paperheight=200cm]{geometry}\n"
            "\\begin{document}\n" + body + "\\end{document}\n")


def _tool_version() -> str:
    """The installed distribution's version (symbolic/ does not import verify/)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("eqprop-verify")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def render_json(derivation: Derivation, renderer: Renderer | None = None) -> dict:
    """The derivation as the ``eqprop-verify/derive/1`` JSON document (a dict)."""
    r = renderer or Renderer(derivation)

    m = r.model
    objects = []
    for sec in r.sections():
        objects.append({
            "name": sec.name,
            "equations": list(sec.equations),
            "description": sec.description,
            "text": "\n".join(section_text(sec, r.names)),
            "latex": "\n".join(section_latex(sec, r.names)),
            "components": r.components(sec.value),
        })
    return {
        "schema": SCHEMA,
        "tool": {"name": "eqprop-verify", "version": _tool_version()},
        "model": {"name": m.name, "description": m.description, "state": m.state_names(),
                  "params": m.param_names()},
        "objects": objects,
    }


def render(derivation: Derivation, fmt: str = "text") -> str:
    """The derivation in ``fmt`` (text, latex or json) as a string ending in a newline."""
    renderer = Renderer(derivation)
    if fmt == "text":
        return render_text(derivation, renderer)
    if fmt == "latex":
        return render_latex(derivation, renderer)
    if fmt == "json":
        return json.dumps(render_json(derivation, renderer), indent=2, ensure_ascii=False) + "\n"
    raise ValueError("unknown format %r (text, latex, json)" % fmt)
