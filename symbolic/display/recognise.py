"""Recognition: a block's entries -> a verified vector formula (einsum patterns, assembly, tidying, verification)."""

from __future__ import annotations

import dataclasses
import itertools

import sympy as sp
from sympy.core.function import AppliedUndef

from ..functions import ELEMENTWISE
from .names import canonical, expand, split_prime
from .texpr import (
    Diag, EntryWise, Func, Hadamard, Identity, Leaf, MatMul, Names, Ones, Plus, Power, ScalarExpr,
    Scaled, SumAll, TExpr, Zero, hadamard, hadamard_order, matmul, transpose,
)


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
            base, order = split_prime(name)
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
        f = max(common, key=lambda p: (counts[p], hadamard_order(p) == 0, p.sortkey))
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


