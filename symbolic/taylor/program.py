"""The jet IR: :class:`JetNode`, :class:`TaylorProgram` and references to values."""

from __future__ import annotations

import dataclasses


class TaylorCompileError(ValueError):
    """The field cannot be compiled to Taylor recurrences (unsupported function, free symbol...)."""


# A reference to a value: ("j", i) the i-th jet node, ("c", i) the i-th constant,
# ("i", n) the exact Python integer n (used for small integer weights).
Ref = tuple


@dataclasses.dataclass
class JetNode:
    """One elementary operation on jets.

    ``kind`` and ``args`` (references):

    - ``var``: ``args = (i,)``, the i-th state variable.
    - ``lin``: ``args = ((w, a), ...)`` and ``const``: sum of w*a plus a constant
      (w a constant/integer reference or None for 1; a a jet reference).
    - ``mul``: ``args = (a, b)``, ``weight``: weight * a * b.
    - ``sqr``: ``args = (a,)``: a * a.
    - ``div``: ``args = (num, den)``, num a jet or constant, ``weight``: weight * num / den.
    - ``exp``, ``log``, ``sqrt``, ``tanh``, ``sigmoid``: ``args = (a,)``.
    - ``pow``: ``args = (a, e)``, e a constant reference: a**e.
    - ``sin``/``cos`` and ``sinh``/``cosh``: ``args = (a,)``; ``partner`` is the index of
      the other node of the pair (always adjacent, the sin/sinh node first).
    - ``aux``: ``args = (g,)``, the auxiliary jet of a ``sigmoid`` node g (g - g**2,
      that is sigma') or of a ``tanh`` node (1 - g**2); computed with g, free.
    """

    kind: str
    args: tuple
    weight: Ref | None = None
    const: Ref | None = None
    partner: int | None = None


@dataclasses.dataclass
class TaylorProgram:
    """A vector field compiled to jet recurrences; see the module docstring.

    Attributes
    ----------
    n, n_params : int
        Number of state variables and of parameters.
    numbers : list of sympy numbers
        Exact numbers used by the constants (converted per precision).
    constants : list of (str, tuple)
        Constant DAG in evaluation order: ``("param", (i,))``, ``("number", (i,))``,
        ``("add", refs)``, ``("mul", refs)``, ``("pow", (base, exp))``, or a
        function name with one argument.
    nodes : list of JetNode
        The jet DAG in evaluation order (variables first).
    outputs : list of Ref
        The field component i is ``outputs[i]`` (a jet or constant reference).
    """

    n: int
    n_params: int
    numbers: list
    constants: list
    nodes: list
    outputs: list

    # -- statistics ----------------------------------------------------------
    def convolution_count(self) -> int:
        """Number of O(order) convolutions per Taylor order (the cost driver)."""
        per_kind = {"mul": 1, "sqr": 1, "div": 1, "exp": 1, "log": 1, "pow": 2, "sqrt": 1,
                    "sin": 1, "cos": 1, "sinh": 1, "cosh": 1, "tanh": 2, "sigmoid": 2}
        return sum(per_kind.get(node.kind, 0) for node in self.nodes)

    def derivative_lists_needed(self) -> set[int]:
        """Jet nodes whose list of j*a_j is needed by a later recurrence."""
        need = set()
        for node in self.nodes:
            if node.kind in ("exp", "sin", "cos", "sinh", "cosh", "tanh", "sigmoid"):
                need.add(node.args[0][1])
            elif node.kind == "pow":
                need.add(node.args[0][1])
        return need

    # -- generated source ------------------------------------------------------
    def constant_source(self) -> str:
        """Python source of ``constants(P, N, F)``: the constant values from params P.

        ``N`` holds the numbers converted at the working precision and ``F`` the
        scalar functions (``exp``, ``log``, ...) of the number type used.
        """
        lines = ["def constants(P, N, F):"]
        used_funcs = sorted({kind for kind, _ in self.constants
                             if kind not in ("param", "number", "add", "mul", "pow")})
        for name in used_funcs:
            lines.append(f"    {name} = F[{name!r}]")
        lines.append(f"    C = [None] * {len(self.constants)}")
        for i, (kind, args) in enumerate(self.constants):
            if kind == "param":
                expr = f"P[{args[0]}]"
            elif kind == "number":
                expr = f"N[{args[0]}]"
            elif kind == "add":
                expr = " + ".join(_cref(a) for a in args)
            elif kind == "mul":
                expr = " * ".join(_cref(a) for a in args)
            elif kind == "pow":
                expr = f"{_cref(args[0])} ** {_cref(args[1])}"
            else:
                expr = f"{kind}({_cref(args[0])})"
            lines.append(f"    C[{i}] = {expr}")
        lines.append("    return C")
        return "\n".join(lines) + "\n"

    def jet_source(self, flavor: str = "gmpy2", first_order: bool = False) -> str:
        """Python source of ``jet(X, C, P)``: the Taylor coefficients 0..P of the solution.

        ``X`` are the initial values, ``C`` the constants (from ``constants``) and
        ``P`` the order; the result is a list (per state variable) of lists of
        P + 1 coefficients y_0 = X, y_1, ..., y_P.  ``flavor`` is ``"gmpy2"``
        (dot products as ``sum(map(mul, ...))`` on gmpy2 numbers) or
        ``"mpmath"`` (``fdot`` on mpmath numbers).  ``first_order=True`` keeps
        each recurrence to its end terms (:mod:`symbolic.taylor.tangent`): exact
        to first order in the increments y_1, y_2, ..., for complex-step solves.
        """
        # the writers read this class: imported when used
        if first_order:
            from .tangent import TangentSourceWriter as Writer
        else:
            from .source import JetSourceWriter as Writer

        return Writer(self, flavor).source()


def _cref(ref: Ref) -> str:
    if ref[0] == "c":
        return f"C[{ref[1]}]"
    if ref[0] == "i":
        return f"({ref[1]})"
    raise AssertionError(ref)


def refs_of(node: JetNode):
    if node.kind == "lin":
        for w, a in node.args:
            if w is not None:
                yield w
            yield a
        if node.const is not None:
            yield node.const
    elif node.kind == "var":
        return
    else:
        yield from (a for a in node.args if isinstance(a, tuple))
    if node.weight is not None:
        yield node.weight
