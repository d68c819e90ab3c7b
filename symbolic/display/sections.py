"""Sections of the derivation: block slices, pieces, lines and the Renderer that builds each section."""

from __future__ import annotations

import dataclasses
import itertools
from functools import cached_property
from typing import Any

import sympy as sp

from ..derive import BETA, Derivation
from ..model import Block
from .names import latex_name, text_name
from .printing import Ctx, PLAIN, SCALE, expr_text
from .recognise import block_form
from .source import expression_text_latex
from .texpr import Leaf, Names, TExpr, Transpose, wrap


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


def slices(blocks):
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


def block_entries(vec, b: Block, offset: int) -> dict:
    return {p: vec[offset + k] for k, p in enumerate(_positions(b))}


def pair_entries(mat, a: Block, oa: int, b: Block, ob: int):
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


def _limit_parts(spec, names, latex: bool) -> tuple[str, str]:
    """(sign, inside of the bracket) of lim 1/β [A(at) - B(s^0)] for text or LaTeX."""
    tb, t0, at, minus_outside = spec
    sign, a, b = _limit_pair(tb, t0)
    sign *= -1 if minus_outside else 1

    def render(t, ctx):
        return t.latex(ctx, names) if latex else t.text(ctx, names)

    inner = render(a, Ctx(at))[0]
    if b is not None and not b.is_zero():
        if b.negative():
            inner += " + " + wrap(render(b.negated(), Ctx("0")), SCALE, latex)
        else:
            inner += " - " + wrap(render(b, Ctx("0")), SCALE, latex)
    return ("-" if sign < 0 else ""), inner


def _limit_text(spec, names):
    return "%slim_{β→0} (1/β) [%s]" % _limit_parts(spec, names, False)


def _limit_latex(spec, names):
    return r"%s\lim_{\beta \to 0} \frac{1}{\beta} \left[ %s \right]" % _limit_parts(spec, names, True)


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
        self.state = slices(self.model.state)
        self.params = slices(self.model.params)
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
        return self.form((key, b.name), block_entries(vec, b, off), b.shape, (b.name,) * len(b.shape))

    def param_form(self, key, vec, b, off):
        return self.form((key, b.name), block_entries(vec, b, off), b.shape)

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
                entries, dims, row = pair_entries(H, a, oa, b, ob)
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
                t = self.form(("M", p.name, b.name), block_entries(sub, p, 0), p.shape)
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


