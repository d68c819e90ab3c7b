"""The first-order ("tangent") flavor of the jet source: each recurrence kept to its end terms.

For a complex-step solve (Eq 15-16 on the direct route) every Taylor
coefficient of order k >= 1 of every jet is a small increment: the flow starts
at the fixed point s0 shifted by i h u (or with theta shifted by i h v), so
y_1 = F(y_0) = r + O(h), r the fixed point's residual, and every later
coefficient is linear in y_1 up to O(|y_1|^2).  In a convolution
sum_{j=0..k} a_j b_{k-j} the terms with 1 <= j <= k-1 are products of two
increments, O(h^2) + O(r h) + O(r^2): their imaginary part is O(r) relative to
the O(h) imaginary part the complex step reads, the real part they carry is
O(r^2), and the complex step itself drops O(h^2) relative.  Keeping only the
terms where one index is 0 is forward-mode (dual-number) differentiation of
the same node: c_k = (dc/da)(a_0) a_k, one multiplication per node and order
instead of a k-term convolution.

The rules, from the recurrences of :mod:`symbolic.taylor` with the end terms
only (G is the node's factor at order 0, computed once per expansion):

=============  ==========================================  ===================
node           full recurrence, end terms                  c_k
=============  ==========================================  ===================
w a b          w (a_0 b_k + a_k b_0)                       (w b_0) a_k + (w a_0) b_k
a a            2 a_0 a_k                                   (2 a_0) a_k
w n / d        (w n_k - d_k c_0) / d_0                     (w / d_0) n_k - (c_0 / d_0) d_k
exp a          (1/k) k a_k c_0                             c_0 a_k
log a          k a_k / (k a_0)                             (1 / a_0) a_k
a**e           e k a_k c_0 / (k a_0)                       (e c_0 / a_0) a_k
sqrt a         a_k / (2 c_0)                               (1 / (2 c_0)) a_k
sin, cos       s_k = a_k c_0, c_k = -a_k s_0               (sinh, cosh: +)
tanh a = t     t_k = a_k d_0, d = 1 - t^2: d_k = -2 t_0 t_k
sigmoid a = g  g_k = a_k d_0, d = g - g^2: d_k = (1 - 2 g_0) g_k
lin, aux       unchanged (linear; aux is the d list above)
=============  ==========================================  ===================

No j*a_j lists are needed.  The order-0 coefficients are computed exactly as
in the full flavor, so the step's base point is the true complex state.
"""

from __future__ import annotations

from .program import JetNode
from .source import JetSourceWriter


class TangentSourceWriter(JetSourceWriter):
    """``jet(X, C, P)`` with the first-order recurrences above; same signature and result layout."""

    def __init__(self, program, flavor: str):
        super().__init__(program, flavor)
        self.need_d = set()

    def loop_head(self) -> list[str]:
        return []   # no convolutions to split

    def factors(self, i: int, node: JetNode) -> list[str]:
        """G_i (and a second factor H_i where a node has two inputs or an aux list) from order 0."""
        kind = node.kind
        J0 = f"J{i}[0]"
        if kind in ("var", "lin", "aux", "cos", "cosh"):
            return []
        if kind == "mul":
            a, b = (f"J{r[1]}[0]" for r in node.args)
            w = self.w(node.weight)
            return [f"G{i} = {w}{b}", f"H{i} = {w}{a}"]
        a0 = f"J{node.args[0][1]}[0]" if kind != "div" else None
        if kind == "sqr":
            return [f"G{i} = {a0} + {a0}"]
        if kind == "div":
            n, d = node.args
            d0 = f"J{d[1]}[0]"
            lines = [f"H{i} = -{J0} / {d0}"]
            if n[0] == "j":
                lines.append(f"G{i} = {self.w(node.weight)}(1 / {d0})")
            return lines
        if kind == "exp":
            return [f"G{i} = {J0}"]
        if kind == "log":
            return [f"G{i} = 1 / {a0}"]
        if kind == "pow":
            return [f"G{i} = E{i} * {J0} / {a0}"]
        if kind == "sqrt":
            return [f"G{i} = 1 / ({J0} + {J0})"]
        if kind in ("sin", "sinh"):
            partner0 = f"J{node.partner}[0]"
            sign = "-" if kind == "sin" else ""
            return [f"G{i} = {partner0}", f"H{i} = {sign}{J0}"]
        if kind == "tanh":
            return [f"G{i} = A{i}[0]", f"H{i} = -({J0} + {J0})"]
        if kind == "sigmoid":
            return [f"G{i} = A{i}[0]", f"H{i} = 1 - ({J0} + {J0})"]
        raise AssertionError(kind)  # pragma: no cover

    def step(self, i: int, node: JetNode) -> list[str]:
        kind = node.kind
        J = f"J{i}"
        if kind in ("var", "aux", "cos", "cosh"):
            return []  # aux lists and cos/cosh are appended with their tanh/sigmoid or sin/sinh node
        if kind == "lin":
            terms = [f"{self.w(w)}{self.val(a, 'k')}" for w, a in node.args]
            return [f"{J}.append({' + '.join(terms)})"]
        if kind == "mul":
            a, b = (f"J{r[1]}[k]" for r in node.args)
            return [f"{J}.append(G{i} * {a} + H{i} * {b})"]
        if kind == "div":
            n, d = node.args
            dk = f"J{d[1]}[k]"
            if n[0] == "j":
                return [f"{J}.append(G{i} * J{n[1]}[k] + H{i} * {dk})"]
            return [f"{J}.append(H{i} * {dk})"]
        ak = f"J{node.args[0][1]}[k]"
        if kind in ("sqr", "exp", "log", "pow", "sqrt"):
            return [f"{J}.append(G{i} * {ak})"]
        if kind in ("sin", "sinh"):
            return [f"{J}.append(G{i} * {ak}); J{node.partner}.append(H{i} * {ak})"]
        if kind in ("tanh", "sigmoid"):
            return [f"{J}.append(G{i} * {ak}); A{i}.append(H{i} * {J}[k])"]
        raise AssertionError(kind)  # pragma: no cover


__all__ = ["TangentSourceWriter"]
