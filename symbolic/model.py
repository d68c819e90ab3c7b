"""The Model: symbols, energy E (Eq 4 in the paper's example), cost C (Eq 8), values.

Every declared block (state, param, input, target) is a scalar, a column
vector or a matrix of real sympy Symbols named after its components
(``s1[2]``, ``W01[0,1]``, ``c``); the flattening order is the declaration
order, each block row-major (DESIGN.md, "Flattening order").
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef


@dataclasses.dataclass(frozen=True)
class Block:
    """A named scalar (shape ``()``), vector (``(n,)``) or matrix (``(m, n)``)."""

    name: str
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        out = 1
        for d in self.shape:
            out *= d
        return out

    @property
    def rows_cols(self) -> tuple[int, int]:
        if self.shape == ():
            return (1, 1)
        if len(self.shape) == 1:
            return (self.shape[0], 1)
        return self.shape  # type: ignore[return-value]

    def component_names(self) -> list[str]:
        if self.shape == ():
            return [self.name]
        if len(self.shape) == 1:
            return [f"{self.name}[{i}]" for i in range(self.shape[0])]
        m, n = self.shape
        return [f"{self.name}[{i},{j}]" for i, j in itertools.product(range(m), range(n))]

    def symbols(self) -> list[sp.Symbol]:
        return [sp.Symbol(c, real=True) for c in self.component_names()]

    def as_sympy(self):
        """The block as the expression language sees it: Symbol or Matrix."""
        syms = self.symbols()
        if self.shape == ():
            return syms[0]
        return sp.ImmutableMatrix(*self.rows_cols, syms)

    def shape_text(self) -> str:
        if self.shape == ():
            return "scalar"
        if len(self.shape) == 1:
            return f"vector of {self.shape[0]}"
        return f"{self.shape[0]}x{self.shape[1]} matrix"


@dataclasses.dataclass
class Model:
    """A user's model: E_theta(x, s) and C_theta(y, s) with all their data.

    ``energy`` and ``cost`` are scalar sympy expressions in the component
    symbols; user functions from ``[functions]`` stay as undefined sympy
    Functions (readable derivations) and ``functions`` maps each to its body,
    a ``Lambda`` in ``u``; :meth:`concrete` substitutes the bodies.
    """

    name: str
    description: str
    state: list[Block]
    params: list[Block]
    inputs: list[Block]
    targets: list[Block]
    data: dict[sp.Symbol, sp.Expr]  # exact values of inputs and targets
    functions: dict[str, sp.Lambda]
    function_texts: dict[str, str]
    energy: sp.Expr
    cost: sp.Expr
    energy_text: str
    cost_text: str
    theta_values: list[sp.Expr]  # exact, flattening order of params
    values_seed: int = 0
    values_scale: sp.Expr = sp.Integer(1)
    explicit_values: dict[str, Any] = dataclasses.field(default_factory=dict)
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    source: str = "<model>"
    input_texts: dict[str, Any] = dataclasses.field(default_factory=dict)
    # dynamics other than the gradient flow (DESIGN.md extension); energy is None without one
    dynamics: str = "continuous"
    primitive: sp.Expr | None = None
    primitive_text: str = ""
    field: list | None = None          # one expression per state component (flattening order)
    field_section: str | None = None   # "field" or "update"
    field_texts: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def is_gradient_flow(self) -> bool:
        """The paper's setting: continuous dynamics ds/dt = -dE/ds (Eq 1)."""
        return self.dynamics == "continuous" and self.energy is not None

    # -- flattened symbols -------------------------------------------------
    @property
    def s(self) -> list[sp.Symbol]:
        """State components s, in flattening order."""
        return [x for b in self.state for x in b.symbols()]

    @property
    def theta(self) -> list[sp.Symbol]:
        """Parameter components theta, in flattening order."""
        return [x for b in self.params for x in b.symbols()]

    def state_names(self) -> list[str]:
        return [c for b in self.state for c in b.component_names()]

    def param_names(self) -> list[str]:
        return [c for b in self.params for c in b.component_names()]

    @property
    def n(self) -> int:
        return sum(b.size for b in self.state)

    @property
    def p(self) -> int:
        return sum(b.size for b in self.params)

    # -- function bodies ---------------------------------------------------
    def user_function(self, name: str):
        return sp.Function(name, real=True)

    def concrete(self, expr):
        """Substitute user-function bodies and input/target values; evaluate derivatives.

        The same expression as ``_bodies(expr)`` then the data, computed piecewise: ``_bodies``
        (``replace`` then ``doit``) rebuilds the nodes whose ``doit`` only rebuilds (sums, products,
        powers, known functions), and acts on every other node (an applied user function, a
        Derivative or Subs of one, ...) by that node alone. So each such atom is made concrete
        once per model (cached: H and M repeat rho'(s_i) in many entries) and put in place by
        ``xreplace``, which rebuilds the same nodes with the same constructors.
        """
        if isinstance(expr, sp.Expr):
            atoms = _collect_atoms(expr)
            cache = self.__dict__.setdefault("_concrete_atoms", {})
            for atom in atoms - cache.keys():
                cache[atom] = self._bodies(atom)
            expr = expr.xreplace({a: cache[a] for a in atoms})
        else:
            expr = self._bodies(expr)
        if self.data:
            expr = expr.xreplace(self.data)
        return expr

    def _bodies(self, expr):
        """User-function bodies substituted and derivatives evaluated (no data)."""
        for name, lam in self.functions.items():
            expr = expr.replace(sp.Function(name, real=True), lam)
        if hasattr(expr, "doit"):
            expr = expr.doit()
        return expr

    @property
    def theta_subs(self) -> dict[sp.Symbol, sp.Expr]:
        return dict(zip(self.theta, self.theta_values))

    def with_theta(self, values) -> "Model":
        """A copy with other exact parameter values (flattening order)."""
        values = [sp.nsimplify(v) if not isinstance(v, sp.Basic) else v for v in values]
        if len(values) != self.p:
            raise ValueError(f"expected {self.p} parameter values, got {len(values)}")
        return dataclasses.replace(self, theta_values=list(values))

    def to_toml(self) -> str:
        """A model file that loads back to this model (values written exactly)."""
        from .spec_writer import model_to_toml

        return model_to_toml(self)


# nodes whose ``doit`` only rebuilds them from their arguments' ``doit`` (Basic, Add, Mul, Max/Min)
_REBUILDING_DOIT = frozenset({sp.Basic.doit, sp.Add.doit, sp.Mul.doit, sp.Max.doit, sp.Min.doit})


def _collect_atoms(expr) -> set:
    """The outermost nodes of ``expr`` that ``Model._bodies`` changes other than by rebuilding.

    Those are applied undefined functions (the user's, or any other: ``replace`` and ``doit`` act
    on them as on their own) and nodes with a ``doit`` of their own (Derivative, Subs, Piecewise,
    ...); leaves (symbols, numbers) stay as they are.
    """
    atoms, stack = set(), [expr]
    while stack:
        node = stack.pop()
        if node.is_Atom:
            continue
        if isinstance(node, AppliedUndef) or type(node).doit not in _REBUILDING_DOIT:
            atoms.add(node)
        else:
            stack.extend(node.args)
    return atoms
