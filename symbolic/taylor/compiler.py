"""sympy -> jet IR: :func:`compile_taylor` (rewrites, common-factor extraction, cse, the node builder)."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import sympy as sp

from ..functions import FUNCTIONS, JET_FUNCTIONS, REWRITES, rewrite_for_taylor, sigmoid
from .program import JetNode, Ref, TaylorCompileError, TaylorProgram, refs_of


# ---------------------------------------------------------------------------
# sympy -> IR
# ---------------------------------------------------------------------------

# sympy function class -> jet kind (sqrt is a Pow in sympy, handled by _pow)
_UNARY = {f.sympy: kind for kind, f in JET_FUNCTIONS.items() if isinstance(f.sympy, type)}


def compile_taylor(field: Sequence, variables: Sequence, parameters: Sequence,
                   factor: bool = True) -> TaylorProgram:
    """Compile the autonomous field ds/dt = F(s; p) into a :class:`TaylorProgram`.

    Parameters
    ----------
    field : sequence of sympy expressions, one per variable
    variables : sequence of sympy Symbols (the state s)
    parameters : sequence of sympy Symbols (values given at solve time)
    factor : bool
        Factor shared state-dependent factors out of sums first (see module doc).

    Raises
    ------
    TaylorCompileError
        A function without a Taylor recurrence here, a free symbol that is
        neither a variable nor a parameter, or a size mismatch.
    """
    field = [sp.sympify(f) for f in field]
    variables = list(variables)
    parameters = list(parameters)
    if len(field) != len(variables):
        raise TaylorCompileError(
            f"the field has {len(field)} components but there are {len(variables)} variables")
    known = set(variables) | set(parameters)
    if len(known) != len(variables) + len(parameters):
        raise TaylorCompileError("variables and parameters must be distinct symbols")
    field = [_preprocess(f) for f in field]
    for i, f in enumerate(field):
        extra = f.free_symbols - known
        if extra:
            names = ", ".join(sorted(str(s) for s in extra))
            raise TaylorCompileError(
                f"field component {i} ({variables[i]}) has free symbols {names} that are "
                "neither variables nor parameters (the field must be autonomous)")
    varset = frozenset(variables)
    if factor:
        memo: dict = {}
        field = [_factor_sums(f, varset, memo) for f in field]
    replacements, reduced = sp.cse(field, order="none")
    builder = _Builder(variables, parameters)
    for sym, expr in replacements:
        builder.bind(sym, builder.ref(expr))
    outputs = [builder.ref(e) for e in reduced]
    nodes, outputs = _eliminate_dead_nodes(builder.nodes, outputs, len(variables))
    return TaylorProgram(n=len(variables), n_params=len(parameters), numbers=builder.numbers,
                         constants=builder.constants, nodes=nodes, outputs=outputs)


def _eliminate_dead_nodes(nodes, outputs, n):
    """Drop jet nodes no output depends on (pattern rewrites leave some); renumber."""
    live = set(range(n))
    stack = [o[1] for o in outputs if o[0] == "j"]
    while stack:
        i = stack.pop()
        if i in live and i >= n:
            continue
        live.add(i)
        node = nodes[i]
        if node.partner is not None and node.partner not in live:
            stack.append(node.partner)
        stack.extend(r[1] for r in refs_of(node) if r[0] == "j" and r[1] not in live)
    order = sorted(live)
    index = {old: new for new, old in enumerate(order)}

    def re(ref):
        return ("j", index[ref[1]]) if ref is not None and ref[0] == "j" else ref

    out = []
    for old in order:
        node = nodes[old]
        if node.kind == "lin":
            args = tuple((w, re(a)) for w, a in node.args)
        elif node.kind == "var":
            args = node.args
        else:
            args = tuple(re(a) if isinstance(a, tuple) else a for a in node.args)
        partner = index[node.partner] if node.partner is not None else None
        out.append(JetNode(node.kind, args, weight=node.weight, const=re(node.const),
                           partner=partner))
    return out, [re(o) for o in outputs]


def _preprocess(expr):
    """Rewrite functions without a recurrence (softplus, logcosh: their registry
    ``rewrite``) and 1/(1 + exp(u)) as sigmoid(-u).

    ``to_elementary`` writes sigmoid(u) as 1/(1 + exp(-u)) (an exp and a
    division, two convolutions per order); the native sigmoid recurrence costs
    one and a half, and its auxiliary jet sigma - sigma**2 is sigma'(u), which
    the gradient flows of sigmoid networks need (Eq 4's rho').
    """
    expr = rewrite_for_taylor(expr)
    if expr.has(sp.exp):
        expr = expr.replace(_is_logistic, lambda e: sigmoid(-_logistic_exp(e).args[0]))
    return expr


def _logistic_exp(e):
    exps = [a for a in e.base.args if isinstance(a, sp.exp)]
    return exps[0] if len(exps) == 1 else None


def _is_logistic(e) -> bool:
    """Whether e is 1/(1 + exp(u))."""
    return (e.is_Pow and e.exp == -1 and e.base.is_Add and len(e.base.args) == 2
            and sp.S.One in e.base.args and _logistic_exp(e) is not None)


def _factor_sums(expr, varset, memo):
    """Rewrite sums a*b + a*c + d as a*(b + c) + d for state-dependent a, bottom-up."""
    if expr in memo:
        return memo[expr]
    if not expr.args or not (expr.free_symbols & varset):
        out = expr
    else:
        args = [_factor_sums(a, varset, memo) for a in expr.args]
        if expr.is_Add:
            out = _factor_add(args, varset)
        else:
            out = expr.func(*args) if any(a is not b for a, b in zip(args, expr.args)) else expr
    memo[expr] = out
    return out


def _split_term(term, varset):
    """term = coeff * prod(base**e): (coeff, {base: e}) with integer e, state-dependent bases."""
    coeff = sp.S.One
    factors: dict = {}
    for f in sp.Mul.make_args(term):
        if not (f.free_symbols & varset):
            coeff = coeff * f
            continue
        base, e = f.as_base_exp()
        if not (e.is_Integer and base.free_symbols & varset):
            base, e = f, sp.S.One
        factors[base] = factors.get(base, 0) + int(e)
    return coeff, factors


def _factor_add(terms, varset):
    """Greedy common-factor extraction from a sum of terms (see module doc)."""
    split = [_split_term(t, varset) for t in terms]
    counts: Counter = Counter()
    for _, fac in split:
        for base, e in fac.items():
            if e != 0:
                counts[(base, e > 0)] += 1
    if not counts:
        return sp.Add(*terms)
    (base, positive), count = max(counts.items(),
                                  key=lambda kv: (kv[1], -sp.count_ops(kv[0][0])))
    if count < 2:
        return sp.Add(*terms)
    group, rest = [], []
    exps = []
    for term, (coeff, fac) in zip(terms, split):
        e = fac.get(base, 0)
        if e != 0 and (e > 0) == positive:
            group.append((coeff, fac))
            exps.append(e)
        else:
            rest.append(term)
    common = min(exps) if positive else max(exps)
    inner_terms = []
    for coeff, fac in group:
        fac = dict(fac)
        fac[base] -= common
        inner_terms.append(sp.Mul(coeff, *[b ** e for b, e in fac.items() if e != 0]))
    inner = _factor_add(inner_terms, varset)
    head = sp.Mul(base ** common, inner, evaluate=False) if inner.is_Add else base ** common * inner
    if not rest:
        return head
    return sp.Add(head, _factor_add(rest, varset))


class _Builder:
    """Translate (cse-reduced) sympy expressions into jet nodes and constants."""

    def __init__(self, variables, parameters):
        self.variables = variables
        self.var_index = {v: i for i, v in enumerate(variables)}
        self.param_index = {p: i for i, p in enumerate(parameters)}
        self.numbers: list = []
        self.number_index: dict = {}
        self.constants: list = []
        self.const_memo: dict = {}
        self.nodes: list[JetNode] = []
        self.node_memo: dict = {}
        self.expr_memo: dict = {}
        self.bound: dict = {}
        for i in range(len(variables)):
            self.nodes.append(JetNode("var", (i,)))

    # -- helpers -------------------------------------------------------------
    def bind(self, sym, ref):
        self.bound[sym] = ref

    def _const(self, kind, args) -> Ref:
        key = (kind, args)
        if key not in self.const_memo:
            self.constants.append((kind, args))
            self.const_memo[key] = ("c", len(self.constants) - 1)
        return self.const_memo[key]

    def _node(self, node: JetNode) -> Ref:
        key = (node.kind, node.args, node.weight, node.const)
        if key not in self.node_memo:
            self.nodes.append(node)
            self.node_memo[key] = ("j", len(self.nodes) - 1)
        return self.node_memo[key]

    def number(self, value) -> Ref:
        value = sp.sympify(value)
        if value.is_Integer and abs(int(value)) < 2 ** 62:
            return ("i", int(value))
        if value not in self.number_index:
            self.numbers.append(value)
            self.number_index[value] = len(self.numbers) - 1
        return self._const("number", (self.number_index[value],))

    def is_const(self, expr) -> bool:
        for s in expr.free_symbols:
            if s in self.var_index:
                return False
            if s in self.bound and self.bound[s][0] == "j":
                return False
        return True

    # -- constants -----------------------------------------------------------
    def const_ref(self, expr) -> Ref:
        """Reference to the constant value of a state-independent expression."""
        if expr in self.bound:
            return self.bound[expr]
        if expr.is_Symbol:
            if expr in self.param_index:
                return self._const("param", (self.param_index[expr],))
            raise TaylorCompileError(f"unknown symbol {expr}")
        if expr.is_Number or expr.is_NumberSymbol or expr is sp.I:
            if expr.is_Float:
                expr = sp.Rational(expr)  # a sympy Float is exactly a binary rational
            return self.number(expr)
        if expr.is_Add:
            return self._const("add", tuple(self.const_ref(a) for a in expr.args))
        if expr.is_Mul:
            return self._const("mul", tuple(self.const_ref(a) for a in expr.args))
        if expr.is_Pow:
            base, e = expr.args
            if e == sp.Rational(1, 2):
                return self._const("sqrt", (self.const_ref(base),))
            return self._const("pow", (self.const_ref(base), self.const_ref(e)))
        if expr.func in REWRITES:
            return self.const_ref(REWRITES[expr.func](expr.args[0]))
        for func, name in _UNARY.items():
            if isinstance(expr, func):
                return self._const(name, (self.const_ref(expr.args[0]),))
        raise TaylorCompileError(
            f"no numeric evaluation for the constant {expr} (function {expr.func})")

    def weight_product(self, refs) -> Ref | None:
        """Product of constant references as one reference (None if empty)."""
        ints = 1
        others = []
        for r in refs:
            if r[0] == "i":
                ints *= r[1]
            else:
                others.append(r)
        if not others:
            return None if ints == 1 else ("i", ints)
        if ints != 1:
            others.insert(0, ("i", ints))
        return others[0] if len(others) == 1 else self._const("mul", tuple(others))

    # -- jets ----------------------------------------------------------------
    def ref(self, expr) -> Ref:
        """Reference (jet or constant) to the value of ``expr``."""
        if expr in self.bound:
            return self.bound[expr]
        if expr in self.expr_memo:
            return self.expr_memo[expr]
        if self.is_const(expr):
            out = self.const_ref(expr)
        else:
            out = self._jet(expr)
        self.expr_memo[expr] = out
        return out

    def _jet(self, expr) -> Ref:
        if expr.is_Symbol:
            return ("j", self.var_index[expr])
        if expr.is_Add:
            return self._add(expr.args)
        if expr.is_Mul:
            return self._mul(expr.args)
        if expr.is_Pow:
            return self._pow(*expr.args)
        if expr.func in REWRITES:
            return self.ref(REWRITES[expr.func](expr.args[0]))
        for func, name in _UNARY.items():
            if isinstance(expr, func):
                return self._unary(name, self.ref(expr.args[0]))
        raise TaylorCompileError(
            f"no Taylor recurrence for {expr.func} in {expr}; supported: +, -, *, /, powers, "
            + ", ".join(FUNCTIONS))

    def _unary(self, name, a: Ref) -> Ref:
        if a[0] != "j":  # pragma: no cover - constants are caught before
            raise AssertionError(a)
        if name in ("sin", "cos", "sinh", "cosh"):
            first, second = ("sin", "cos") if name in ("sin", "cos") else ("sinh", "cosh")
            key = (first, (a,), None, None)
            if key not in self.node_memo:
                i = len(self.nodes)
                self.nodes.append(JetNode(first, (a,), partner=i + 1))
                self.nodes.append(JetNode(second, (a,), partner=i))
                self.node_memo[key] = ("j", i)
                self.node_memo[(second, (a,), None, None)] = ("j", i + 1)
            return self.node_memo[(name, (a,), None, None)]
        return self._node(JetNode(name, (a,)))

    def _add(self, args) -> Ref:
        consts = []
        terms = []
        for t in args:
            if self.is_const(t):
                consts.append(self.const_ref(t))
                continue
            factors = sp.Mul.make_args(t) if t.is_Mul else (t,)
            wrefs = [self.const_ref(f) for f in factors if self.is_const(f)]
            rest = [f for f in factors if not self.is_const(f)]
            jet = self.ref(sp.Mul(*rest)) if len(rest) > 1 else self.ref(rest[0])
            terms.append((self.weight_product(wrefs), jet))
        const = None
        if consts:
            ints = sum(c[1] for c in consts if c[0] == "i")
            others = [c for c in consts if c[0] != "i"]
            if ints:
                others.insert(0, ("i", ints))
            if others:
                const = others[0] if len(others) == 1 else self._const("add", tuple(others))
        if len(terms) == 1 and const is None and terms[0][0] is None:
            return terms[0][1]
        aux = self._derivative_pattern(terms, const)
        if aux is not None:
            return aux
        return self._node(JetNode("lin", tuple(terms), const=const))

    def _derivative_pattern(self, terms, const):
        """1 - t**2 for a tanh node t, g - g**2 for a sigmoid node g: their auxiliary jets."""
        if const == ("i", 1) and len(terms) == 1 and terms[0][0] == ("i", -1):
            sq = self.nodes[terms[0][1][1]]
            if sq.kind == "sqr" and self.nodes[sq.args[0][1]].kind == "tanh":
                return self._node(JetNode("aux", (sq.args[0],)))
        if const is None and len(terms) == 2:
            (w1, a1), (w2, a2) = terms
            for (wg, g), (wq, q) in (((w1, a1), (w2, a2)), ((w2, a2), (w1, a1))):
                if wg is None and wq == ("i", -1) and self.nodes[g[1]].kind == "sigmoid":
                    sq = self.nodes[q[1]]
                    if sq.kind == "sqr" and sq.args[0] == g:
                        return self._node(JetNode("aux", (g,)))
        return None

    def _fuse_derivatives(self, factors: list) -> list:
        """Replace a factor pair g * (1 - g), g a sigmoid node, by g's auxiliary jet."""
        for i, g in enumerate(factors):
            if self.nodes[g[1]].kind != "sigmoid":
                continue
            for j, l in enumerate(factors):
                if j != i and self._is_affine_of(l, g, 1, -1):
                    rest = [f for k, f in enumerate(factors) if k not in (i, j)]
                    return self._fuse_derivatives(rest + [self._node(JetNode("aux", (g,)))])
        return factors

    def _is_affine_of(self, ref, g, const, weight) -> bool:
        """Whether the jet ``ref`` is const + weight * g (small integers)."""
        node = self.nodes[ref[1]]
        return (node.kind == "lin" and node.const == ("i", const)
                and node.args == ((("i", weight), g),))

    def _power_chain(self, a: Ref, k: int) -> Ref:
        """a**k for an integer k >= 1 by binary powering with Cauchy products."""
        if k == 1:
            return a
        half = self._power_chain(a, k // 2)
        sq = self._node(JetNode("sqr", (half,)))
        return sq if k % 2 == 0 else self._node(JetNode("mul", (sq, a)))

    def _product(self, jets: list, weight) -> Ref:
        if len(jets) == 1:
            if weight is None:
                return jets[0]
            return self._node(JetNode("lin", ((weight, jets[0]),)))
        acc = jets[0]
        for i, j in enumerate(jets[1:]):
            last = i == len(jets) - 2
            acc = self._node(JetNode("mul", (acc, j), weight=weight if last else None))
        return acc

    def _mul(self, args) -> Ref:
        wrefs, num, den = [], [], []
        for f in args:
            if self.is_const(f):
                wrefs.append(self.const_ref(f))
                continue
            base, e = f.as_base_exp() if f.is_Pow else (f, sp.S.One)
            if e.is_Integer and not self.is_const(base):
                k = int(e)
                (num if k > 0 else den).append(self._power_chain(self.ref(base), abs(k)))
            else:
                num.append(self.ref(f))
        num = self._fuse_derivatives(num)
        weight = self.weight_product(wrefs)
        if not den:
            return self._product(num, weight)
        d = self._product(den, None)
        if not num:
            numerator = weight if weight is not None else ("i", 1)
            return self._node(JetNode("div", (numerator, d)))
        n = self._product(num, None)
        return self._node(JetNode("div", (n, d), weight=weight))

    def _pow(self, base, e) -> Ref:
        if self.is_const(e):
            b = self.ref(base)
            if e.is_Integer:
                k = int(e)
                if k == 0:
                    return ("i", 1)
                chain = self._power_chain(b, abs(k))
                return chain if k > 0 else self._node(JetNode("div", (("i", 1), chain)))
            if e == sp.Rational(1, 2):
                return self._node(JetNode("sqrt", (b,)))
            return self._node(JetNode("pow", (b, self.const_ref(e))))
        # variable exponent: a**e = exp(e log a)
        return self.ref(sp.exp(e * sp.log(base)))


