"""jet IR -> Python source: straight-line recurrences per node, one block for order 0 and one loop body."""

from __future__ import annotations

from .program import JetNode, TaylorProgram, refs_of


# ---------------------------------------------------------------------------
# IR -> Python source
# ---------------------------------------------------------------------------

class JetSourceWriter:
    """Straight-line Python for each jet node: one block for order 0, one loop body."""

    def __init__(self, program: TaylorProgram, flavor: str):
        if flavor not in ("gmpy2", "mpmath"):
            raise ValueError(f"flavor={flavor!r}: expected 'gmpy2' or 'mpmath'")
        self.p = program
        self.flavor = flavor
        self.need_d = program.derivative_lists_needed()

    def dot(self, a: str, b: str) -> str:
        if self.flavor == "gmpy2":
            return f"sum(map(mul, {a}, {b}))"
        return f"fdot({a}, {b})"

    @staticmethod
    def w(ref) -> str:
        if ref is None:
            return ""
        if ref[0] == "i":
            if ref[1] in (1, -1):
                return "" if ref[1] == 1 else "-"
            return f"{ref[1]}*" if ref[1] >= 0 else f"({ref[1]})*"
        return f"C{ref[1]}*"

    @staticmethod
    def val(ref, k: str) -> str:
        """Coefficient k of a reference (constants have only coefficient 0)."""
        if ref[0] == "j":
            return f"J{ref[1]}[{k}]"
        return _cname(ref)

    def source(self) -> str:
        """``def jet(X, C, P)``: the constants read, order 0 of every node, then the loop over orders k.

        A flavor changes the nodes' recurrences (:meth:`init`, :meth:`step`) and may add lines
        after the order-0 block (:meth:`factors`) and at the head of the loop (:meth:`loop_head`).
        """
        p = self.p
        out = ["def jet(X, C, P):"]
        const_used = {r[1] for node in p.nodes for r in refs_of(node) if r[0] == "c"}
        const_used |= {o[1] for o in p.outputs if o[0] == "c"}
        out.extend(f"    C{c} = C[{c}]" for c in sorted(const_used))
        for i, node in enumerate(p.nodes):
            out.extend("    " + s for s in self.init(i, node))
        # after every init: a factor may read the order-0 value of a later node (a sin's cos partner)
        for i, node in enumerate(p.nodes):
            out.extend("    " + s for s in self.factors(i, node))
        out.extend("    " + s for s in self.update_vars("0", init=True))
        out.append("    for k in range(1, P):")
        out.extend("        " + s for s in self.loop_head())
        body = []
        for i, node in enumerate(p.nodes):
            body.extend(self.step(i, node))
        body.extend(self.update_vars("k", init=False))
        out.extend("        " + s for s in body)
        out.append("    return [" + ", ".join(f"J{i}" for i in range(p.n)) + "]")
        return "\n".join(out) + "\n"

    def factors(self, i: int, node: JetNode) -> list[str]:
        """Lines computed once from order 0, before the loop (none for the full recurrences)."""
        return []

    def loop_head(self) -> list[str]:
        """The first lines of the loop body: the split of the convolutions' index range at order k."""
        return ["m = (k + 1) >> 1", "h = k >> 1", "even = not (k & 1)"]

    def update_vars(self, k: str, init: bool) -> list[str]:
        """y_{k+1} = F_k / (k + 1), and the list of j*y_j (= F_{j-1}) when needed."""
        lines = []
        for v, o in enumerate(self.p.outputs):
            if o[0] == "j":
                fk = f"J{o[1]}[{k}]"
            elif init:
                fk = f"({_cname(o)} + ZERO)"
            else:
                fk = "ZERO"
            lines.append(f"J{v}.append({fk})" if init else f"J{v}.append({fk} / (k + 1))")
            if v in self.need_d:
                lines.append(f"D{v}.append({fk})")
        return lines

    def init(self, i: int, node: JetNode) -> list[str]:
        kind = node.kind
        J = f"J{i}"
        lines = []
        if kind == "var":
            lines.append(f"{J} = [X[{node.args[0]}]]")
        elif kind == "lin":
            terms = [f"{self.w(w)}{self.val(a, '0')}" for w, a in node.args]
            if node.const is not None:
                terms.append(_cname(node.const))
            lines.append(f"{J} = [{' + '.join(terms)}]")
        elif kind == "mul":
            a, b = node.args
            lines.append(f"{J} = [{self.w(node.weight)}({self.val(a, '0')} * {self.val(b, '0')})]")
        elif kind == "sqr":
            a = node.args[0]
            lines.append(f"{J} = [{self.val(a, '0')} * {self.val(a, '0')}]")
        elif kind == "div":
            n, d = node.args
            lines.append(f"{J} = [{self.w(node.weight)}{self.val(n, '0')} / {self.val(d, '0')}]")
        elif kind in ("exp", "log", "sqrt", "sin", "cos", "sinh", "cosh", "tanh"):
            a = node.args[0]
            lines.append(f"{J} = [{kind}({self.val(a, '0')})]")
        elif kind == "sigmoid":
            a = node.args[0]
            lines.append(f"{J} = [1 / (1 + exp(-{self.val(a, '0')}))]")
        elif kind == "aux":
            lines.append(f"{J} = A{node.args[0][1]}")
        elif kind == "pow":
            a, e = node.args
            lines.append(f"{J} = [{self.val(a, '0')} ** {_cname(e)}]")
            lines.append(f"E{i} = {_cname(e)}")
        else:  # pragma: no cover
            raise AssertionError(kind)
        if kind == "tanh":
            lines.append(f"A{i} = [1 - {J}[0] * {J}[0]]")
        elif kind == "sigmoid":
            lines.append(f"A{i} = [{J}[0] - {J}[0] * {J}[0]]")
        if i in self.need_d or kind in ("log", "pow"):
            lines.append(f"D{i} = []")
        return lines

    def step(self, i: int, node: JetNode) -> list[str]:
        kind = node.kind
        J = f"J{i}"
        dot = self.dot
        if kind == "var":
            return []
        if kind == "aux":
            return self._dlist(i)
        if kind == "lin":
            terms = [f"{self.w(w)}{self.val(a, 'k')}" for w, a in node.args]
            line = f"{J}.append({' + '.join(terms)})"
        elif kind == "mul":
            a, b = (f"J{r[1]}" for r in node.args)
            line = f"{J}.append({self.w(node.weight)}{dot(a, f'reversed({b})')})"
        elif kind == "sqr":
            a = f"J{node.args[0][1]}"
            s = dot(f"{a}[:m]", f"{a}[k:k-m:-1]")
            line = f"_s = {s}; {J}.append(_s + _s + {a}[h] * {a}[h] if even else _s + _s)"
        elif kind == "div":
            n, d = node.args
            D = f"J{d[1]}"
            conv = dot(f"{D}[1:]", f"reversed({J})")
            if n[0] == "j":
                line = f"{J}.append(({self.w(node.weight)}J{n[1]}[k] - {conv}) / {D}[0])"
            else:
                line = f"{J}.append(-{conv} / {D}[0])"
        elif kind == "exp":
            a = node.args[0][1]
            line = f"{J}.append({dot(f'D{a}', f'reversed({J})')} / k)"
        elif kind in ("sin", "sinh"):
            a = node.args[0][1]
            P = f"J{node.partner}"
            sign = "-" if kind == "sin" else ""
            line = (f"_s = {dot(f'D{a}', f'reversed({P})')} / k; "
                    f"_c = {sign}{dot(f'D{a}', f'reversed({J})')} / k; "
                    f"{J}.append(_s); {P}.append(_c)")
        elif kind in ("cos", "cosh"):
            return self._dlist(i)  # computed with its partner
        elif kind == "log":
            a = f"J{node.args[0][1]}"
            line = (f"{J}.append((k * {a}[k] - {dot(f'D{i}', f'reversed({a}[1:k])')})"
                    f" / (k * {a}[0]))")
            return [line, f"D{i}.append(k * {J}[k])"] + ([] if i not in self.need_d else [])
        elif kind == "pow":
            a = node.args[0][1]
            A = f"J{a}"
            line = (f"{J}.append((E{i} * {dot(f'reversed(D{a})', J)} - "
                    f"{dot(f'D{i}', f'reversed({A}[1:k])')}) / (k * {A}[0]))")
            return [line, f"D{i}.append(k * {J}[k])"]
        elif kind == "sqrt":
            a = f"J{node.args[0][1]}"
            line = f"{J}.append(({a}[k] - {dot(f'{J}[1:]', f'{J}[:0:-1]')}) / (2 * {J}[0]))"
        elif kind in ("tanh", "sigmoid"):
            a = node.args[0][1]
            s = dot(f"{J}[:m]", f"{J}[k:k-m:-1]")
            sq = f"(_s + _s + {J}[h] * {J}[h] if even else _s + _s)"
            aux = f"-{sq}" if kind == "tanh" else f"{J}[k] - {sq}"
            lines = [f"{J}.append({dot(f'D{a}', f'reversed(A{i})')} / k)",
                     f"_s = {s}; A{i}.append({aux})"]
            return lines + self._dlist(i)
        else:  # pragma: no cover
            raise AssertionError(kind)
        return [line] + self._dlist(i)

    def _dlist(self, i):
        if i in self.need_d and self.p.nodes[i].kind not in ("var", "log", "pow"):
            return [f"D{i}.append(k * J{i}[k])"]
        return []


def _cname(ref) -> str:
    if ref[0] == "c":
        return f"C{ref[1]}"
    if ref[0] == "i":
        return f"({ref[1]})"
    raise AssertionError(ref)

