"""``derive`` for discrete models: the map, the nudged map, DeltaEP and the BPTT recursion, per block.

Each object is printed per state (or parameter) block in vector form where
the recogniser of :mod:`symbolic.display` finds one and verifies it against
the entries, else entry by entry, as for energies. For an ``[update]`` map
the Jacobian J = dF/ds, the symmetry condition J = J^T that the GDU
property needs, and the asymmetric part (J - J^T)/2 are printed by block pairs.
"""

from __future__ import annotations

import json

import sympy as sp

from .discrete import DiscreteDerivation
from .display import PLAIN, EntryWise, Leaf, Names, block_form, latex_name, text_name
from .display.sections import block_entries, pair_entries, slices


class DiscreteRenderer:
    """The sections of a discrete derivation, as (title, description, [(lhs, rhs TExpr or text)])."""

    def __init__(self, d: DiscreteDerivation):
        self.d = d
        self.model = d.model
        self.state = slices(self.model.state)
        self.params = slices(self.model.params)
        self.g_leaves, self.g_syms = [], []
        for b, off in self.state:
            syms = tuple(sp.Dummy("g_t[%d]" % (off + k), real=True) for k in range(b.size))
            rows, cols = b.rows_cols
            self.g_leaves.append(Leaf("g_t[%s]" % b.name, "aux", len(b.shape), rows, cols, syms,
                                      "g_t[%s]" % text_name(b.name), r"(g_t)_{%s}" % latex_name(b.name), of=b.name))
            self.g_syms.extend(syms)
        self.names = Names.for_model(self.model, self.g_leaves)

    def _state_lines(self, vec, lhs):
        return [(lhs(b), block_form(block_entries(vec, b, off), b.shape, self.names, (b.name,) * len(b.shape)))
                for b, off in self.state]

    def _param_lines(self, vec, lhs):
        return [(lhs(b), block_form(block_entries(vec, b, off), b.shape, self.names)) for b, off in self.params]

    def _pair_lines(self, mat, lhs):
        out = []
        for a, oa in self.state:
            for b, ob in self.state:
                entries, dims, _ = pair_entries(mat, a, oa, b, ob)
                if all(sp.sympify(e) == 0 for e in entries.values()):
                    continue
                out.append((lhs(a, b), block_form(entries, dims, self.names)))
        return out

    def sections(self):
        d = self.d
        out = []
        if d.kind == "primitive":
            out.append(("map", "s_{t+1} = F(s_t) with F = dPhi/ds (Ernoult et al. 2019)",
                        self._state_lines(d.F, lambda b: f"F[{b.name}] = dPhi/d{b.name}")))
        elif d.kind == "energy-step":
            out.append(("map", f"s_{{t+1}} = F(s_t), F = s - step dE/ds, step = {d.step} "
                               f"(Phi = |s|^2/2 - step E; one Euler step of Eq 1)",
                        self._state_lines(d.F, lambda b: f"F[{b.name}]")))
        else:
            out.append(("map", f"s_{{t+1}} = F(s_t) as given in [{self.model.field_section}]",
                        self._state_lines(d.F, lambda b: f"F[{b.name}]")))
        out.append(("fixed point", "the free phase ends at s* = F(s*) (discrete Eq 2)",
                    [(f"{b.name}*", "F[%s](s*)" % b.name) for b in self.model.state]))
        out.append(("nudged map", "s^b_0 = s*, s^b_{t+1} = F(s^b_t) - beta dC/ds(s^b_t) (discrete Eq 18)",
                    self._state_lines(d.nudged, lambda b: f"{b.name}^b_(t+1)")))
        out.append(("DeltaEP_s", "DeltaEP_s(t) = lim_{b->0} (s^b_{t+1} - s^b_t)/b (discrete Eq 21); "
                                 "GDU: = -dL_t/ds(s*)", []))
        if d.dPhi_dtheta is not None:
            out.append(("DeltaEP_theta", "DeltaEP_theta(t) = lim_{b->0} (dPhi/dtheta(s^b_{t+1}) - "
                                         "dPhi/dtheta(s^b_t))/b (discrete Eq 22), with dPhi/dtheta:",
                        self._param_lines(d.dPhi_dtheta, lambda b: f"dPhi/d{b.name}")))
        out.append(("BPTT initial value", "g_0 = dL_0/ds = dC/ds at s* (discrete Eq 11)",
                    self._state_lines(d.dC_ds, lambda b: f"g_0[{b.name}]")))
        g = sp.Matrix(self.g_syms)
        out.append(("BPTT recursion", "g_{t+1} = dL_{t+1}/ds = J^T g_t, J = dF/ds at s* (discrete Eq 13)",
                    self._state_lines(list(d.JF.T * g), lambda b: f"g_(t+1)[{b.name}]")))
        out.append(("BPTT parameter gradient", "dL/dtheta through step t: (dF/dtheta)^T g_t (discrete Eq 14)",
                    self._param_lines(list(d.dF_dtheta.T * g), lambda b: f"dL/d{b.name}(t)")))
        if d.kind == "field":
            out.append(("Jacobian", "J = dF/ds by blocks", self._pair_lines(d.JF, lambda a, b: f"J[{a.name},{b.name}]")))
            asym = [(lhs, "(J - J^T)/2 over this block pair with J as printed above: not identically 0"
                     if isinstance(rhs, EntryWise) else rhs)
                    for lhs, rhs in self._pair_lines(d.asymmetric_part, lambda a, b: f"(J - J^T)/2[{a.name},{b.name}]")]
            out.append(("symmetry condition", "the GDU property needs J = J^T (F a gradient map); the asymmetric "
                        "part (J - J^T)/2 by blocks" + ("" if asym else ": 0 in every block (symmetric)"), asym))
        return out

    def render_text(self) -> str:
        m = self.model
        out = [f"Model {m.name}: discrete dynamics ({self.d.kind}); state {', '.join(m.state_names()) if m.n <= 12 else f'{m.n} components'}"]
        for title, desc, lines in self.sections():
            out += ["", f"{title}: {desc}"]
            for lhs, rhs in lines:
                text = rhs if isinstance(rhs, str) else rhs.text(PLAIN, self.names)[0]
                out.append(f"  {lhs} = {text}")
        return "\n".join(out) + "\n"

    def render_latex(self) -> str:
        out = []
        for title, desc, lines in self.sections():
            out.append(f"% {title}: {desc}")
            for lhs, rhs in lines:
                tex = rhs if isinstance(rhs, str) else rhs.latex(PLAIN, self.names)[0]
                out.append(r"\[ \mathrm{%s} = %s \]" % (lhs.replace("_", r"\_"), tex))
        return "\n".join(out) + "\n"

    def render_json(self) -> dict:
        return {"schema": "eqprop-verify/derive-discrete/1", "model": self.model.name, "map": self.d.kind,
                "sections": [{"title": t, "description": desc,
                              "lines": [{"lhs": lhs, "rhs": rhs if isinstance(rhs, str) else rhs.text(PLAIN, self.names)[0]}
                                        for lhs, rhs in lines]} for t, desc, lines in self.sections()]}


def render_discrete(model, fmt: str = "text") -> str:
    r = DiscreteRenderer(DiscreteDerivation(model))
    if fmt == "text":
        return r.render_text()
    if fmt == "latex":
        return r.render_latex()
    if fmt == "json":
        return json.dumps(r.render_json(), indent=2, ensure_ascii=False) + "\n"
    raise ValueError("unknown format %r (text, latex, json)" % fmt)
