"""The algebraic steps of the paper's proofs (Appendices A-C), on any energy.

These need no closed-form flow. What the paper treats as unknown stays
unknown: the truncated objective L(s, theta, t), the nudged fixed point
s^beta_theta (a branch sigma(theta, beta)), the nudged flow S(t, beta) and its
beta-derivative Z(t) = dS/dbeta at beta = 0 are undefined sympy functions, and
sympy's own chain rule differentiates the user's (concrete) energy through
them. A step that "uses the fixed point condition" is PROVED only if its
residual is *exactly* the stated combination of the vanishing quantities (the
certificate; see :func:`.obligation.decide_modulo`).

Two equations are printed wrongly in the paper and are checked as printed
(kind ``misprint``) beside the corrected statement:

- Eq 56 as printed, d/dt dS/dbeta = -H dS/dbeta, drops the -dC/ds(s0) term of
  Eq 53; the correct step is its time derivative, dX~/dt = -H X~ (``eq56``).
  Modulo Eq 53 its residual is -dC/ds(s0), non-zero unless the free fixed
  point already minimises the cost.
- Eq 61 as printed says Y~_0 = 0; Eq 59 at t = 0 gives dC/dtheta(s0), which is
  Y_0 of Eq 12 (``eq61``). The printed form fails for a theta-dependent cost.
Deciding those needs the fixed point s0: exact for the closed-form families,
else found numerically (Newton, 30 digits) for the witness.
"""

from __future__ import annotations

import time

import sympy as sp

from ..derive import BETA, T, Derivation
from ..model import Model
from .obligation import Obligation, Outcome, Part, combine, decide, decide_entries, decide_modulo
from .statements import STATEMENTS

FAMILY = "generic"


class Steps:
    """The proof steps of Appendices A-C for one model."""

    def __init__(self, model: Model, fixed_point: dict | None = None, fixed_point_how: str = "",
                 data_values: dict | None = None, latex: bool = False):
        self.model = model
        self.want_latex = latex
        self.data_values = dict(data_values or {})
        self.der = Derivation(model)
        self.s = list(model.s)
        self.theta = list(model.theta)
        self.n, self.p = model.n, model.p
        self.E = model.concrete(model.energy)
        self.C = model.concrete(model.cost)
        self.Eb = self.E + BETA * self.C
        self.gradE = [sp.diff(self.E, x) for x in self.s]
        self.fixed_point = fixed_point
        self.fixed_point_how = fixed_point_how

    # ------------------------------------------------------------------ helpers
    def _obligation(self, sid, parts: list[Part], *, latex=(), method="", theta=None) -> Obligation:
        st = STATEMENTS[sid]
        outcome, residual, witness, results = combine(parts)
        return Obligation(id=sid, equations=st.equations, statement=st.text, outcome=outcome,
                          residual=residual, kind=st.kind, family=FAMILY,
                          method=method or "sympy chain rule through undefined functions, concrete energy",
                          theta=theta, witness=witness, parts=results,
                          latex=list(latex) if self.want_latex else [])

    def _exact(self, name, residual) -> Part:
        _, _, _, parts = decide([(name, residual)], heavy=True)
        return parts[0]

    @staticmethod
    def _timed(fn):
        t0 = time.perf_counter()
        ob = fn()
        ob.seconds = time.perf_counter() - t0
        return ob

    # ------------------------------------------------------------------ Appendix A
    def _L(self):
        return sp.Function("L")(*self.s, *self.theta, T)

    def eq32_33(self) -> list[Obligation]:
        L, s, E = self._L(), self.s, self.E
        g = self.gradE
        eq27 = sp.diff(L, T) + sum(sp.diff(L, x) * gx for x, gx in zip(s, g))
        printed32, r32, r33 = [], [], []
        for j, sj in enumerate(s):
            p32 = (sp.diff(L, T, sj) + sum(sp.diff(L, si, sj) * g[i] for i, si in enumerate(s))
                   + sum(sp.diff(L, si) * sp.diff(E, si, sj) for i, si in enumerate(s)))
            printed32.append(p32)
            r32.append(sp.diff(eq27, sj) - p32)
            # Eq 33 at s0: d/dt dL/ds_j = -sum_i H_ji dL/ds_i
            p33 = sp.diff(L, T, sj) + sum(sp.diff(E, sj, si) * sp.diff(L, si) for si in s)
            r33.append(p32 - p33)
        part32 = self._exact("d/ds (Eq 27) - Eq 32", sp.Matrix(r32))
        mults = [[sp.diff(L, si, sj) for si in s] for sj in s]
        part33 = decide_modulo("Eq 32 - Eq 33 at s0", sp.Matrix(r33),
                               [([mults[j][i] for j in range(self.n)], [g[i]] * self.n)
                                for i in range(self.n)],
                               hypothesis_text="Eq 2 (dE/ds(s0) = 0)")
        latex = [r"\frac{\partial}{\partial s}\left(\frac{\partial L}{\partial t} + \frac{\partial L}{\partial s}"
                 r"\cdot\frac{\partial E}{\partial s}\right) = \frac{\partial^2 L}{\partial t\partial s}"
                 r" + \frac{\partial^2 L}{\partial s^2}\cdot\frac{\partial E}{\partial s}"
                 r" + \frac{\partial L}{\partial s}\cdot\frac{\partial^2 E}{\partial s^2}",
                 r"\text{at } s^0:\ \frac{\partial^2 L}{\partial s^2}\cdot\frac{\partial E}{\partial s}(s^0) = 0"]
        return [self._obligation("eq32", [part32], latex=latex[:1]),
                self._obligation("eq33", [part33], latex=latex)]

    def _line(self):
        """theta + tau v along a symbolic direction v: one derivative in tau checks
        every theta component at once (the identities are linear in the direction)."""
        # Dummies: never equal to a user's symbol, whatever the model names it (issue 15)
        tau = sp.Dummy("tau", real=True)
        v = [sp.Dummy(f"v[{k}]", real=True) for k in range(self.p)]
        return tau, v, {th: th + tau * vk for th, vk in zip(self.theta, v)}

    def eq34_35(self) -> list[Obligation]:
        s = self.s
        tau, v, line = self._line()
        E = self.E.xreplace(line)
        g = [sp.diff(E, x) for x in s]
        L = sp.Function("L")(*s, tau, T)  # L(s, theta + tau v, t)
        eq27 = sp.diff(L, T) + sum(sp.diff(L, x) * gx for x, gx in zip(s, g))
        p34 = (sp.diff(L, T, tau) + sum(sp.diff(L, si, tau) * g[i] for i, si in enumerate(s))
               + sum(sp.diff(L, si) * sp.diff(E, si, tau) for si in s))
        r34 = sp.diff(eq27, tau) - p34
        p35 = sp.diff(L, T, tau) + sum(sp.diff(E, tau, si) * sp.diff(L, si) for si in s)
        r35 = p34 - p35
        part34 = self._exact("d/dtheta (Eq 27) - Eq 34, along v", r34)
        part35 = decide_modulo("Eq 34 - Eq 35 at s0, along v", r35,
                               [([sp.diff(L, si, tau)], [g[i]]) for i, si in enumerate(s)],
                               hypothesis_text="Eq 2 (dE/ds(s0) = 0)")
        method = ("sympy chain rule through undefined functions, concrete energy; d/dtheta along a symbolic "
                  "direction v (theta + tau v: every component at once)")
        return [self._obligation("eq34", [part34], method=method),
                self._obligation("eq35", [part35], method=method)]

    # ------------------------------------------------------------------ Appendix B
    def eq37_42(self) -> list[Obligation]:
        s, n = self.s, self.n
        tau, v, line = self._line()
        Eb, C = self.Eb.xreplace(line), self.C.xreplace(line)
        # the branch s^beta_theta along the line: sigma(tau, beta), with Eq 41 g(sigma) = 0
        sigma = [sp.Function(f"sigma_{i}")(tau, BETA) for i in range(n)]
        on = dict(zip(s, sigma))
        E_on = Eb.xreplace(on)  # E^beta(s^beta_theta)
        g_on = [sp.diff(Eb, x).xreplace(on) for x in s]  # dE^beta/ds at s^beta (Eq 41: = 0)
        dEb_dth_on = sp.diff(Eb, tau).xreplace(on)  # the partial dE^beta/dtheta . v at s^beta
        dEb_dbeta_on = C.xreplace(on)  # the partial dE^beta/dbeta = C at s^beta
        d_beta, d_theta = sp.diff(E_on, BETA), sp.diff(E_on, tau)
        r38 = sp.diff(d_theta, BETA) - sp.diff(d_beta, tau)
        ds_beta = [sp.diff(si, BETA) for si in sigma]
        ds_theta = [sp.diff(si, tau) for si in sigma]
        r39 = d_beta - (dEb_dbeta_on + sum(gi * d for gi, d in zip(g_on, ds_beta)))
        r40 = d_beta - dEb_dbeta_on
        r42 = d_theta - dEb_dth_on
        r37 = sp.diff(dEb_dbeta_on, tau) - sp.diff(dEb_dth_on, BETA)
        # Eq 38 with Eq 40 and Eq 42 plugged in: the difference of the two sides of Eq 37 is
        # d/dbeta(g . ds/dtheta) - d/dtheta(g . ds/dbeta), zero because g = 0 for all (theta, beta)
        cert37 = (sp.diff(sum(gi * d for gi, d in zip(g_on, ds_theta)), BETA)
                  - sp.diff(sum(gi * d for gi, d in zip(g_on, ds_beta)), tau))
        p38 = self._exact("d/dbeta d/dtheta - d/dtheta d/dbeta", r38)
        p39 = self._exact("chain rule", r39)
        p40 = decide_modulo("Eq 39 - Eq 40", r40, list(zip(ds_beta, g_on)),
                            hypothesis_text="Eq 41 (dE^beta/ds(s^beta) = 0) with multiplier ds^beta/dbeta")
        p42 = decide_modulo("chain rule - Eq 42", r42, list(zip(ds_theta, g_on)),
                            hypothesis_text="Eq 41 with multiplier ds^beta/dtheta")
        p37 = decide_modulo("LHS - RHS of Eq 37", r37, [([1], [cert37])],
                            hypothesis_text="Eq 41 differentiated along the branch: d/dbeta(g . ds/dtheta) "
                                            "- d/dtheta(g . ds/dbeta), g = dE^beta/ds(s^beta) = 0")
        latex37 = [r"\frac{d}{d\theta}\frac{\partial E^\beta}{\partial\beta}(s^\beta_\theta)"
                   r" - \frac{d}{d\beta}\frac{\partial E^\beta}{\partial\theta}(s^\beta_\theta)"
                   r" = \frac{d}{d\beta}\left(g\cdot\frac{\partial s^\beta}{\partial\theta}\right)"
                   r" - \frac{d}{d\theta}\left(g\cdot\frac{\partial s^\beta}{\partial\beta}\right),"
                   r"\quad g := \frac{\partial E^\beta}{\partial s}(s^\beta_\theta) \equiv 0"]
        method = ("sympy chain rule through the undefined branch s^beta_theta = sigma(theta, beta), concrete "
                  "energy; d/dtheta along a symbolic direction v (theta + tau v: every component at once)")
        return [self._obligation("eq38", [p38], method=method), self._obligation("eq39", [p39], method=method),
                self._obligation("eq40", [p40], method=method), self._obligation("eq42", [p42], method=method),
                self._obligation("eq37", [p37], latex=latex37, method=method)]

    # ------------------------------------------------------------------ Appendix C
    def _fp_parts(self, name, residual_at_s0) -> Part:
        """Decide an expression of (s0, theta) at the fixed point (for the misprints)."""
        r = sp.Matrix(residual_at_s0)
        zero, _ = zip(*[(sp.expand(e) == 0, e) for e in r])
        if all(zero):
            return Part(name, Outcome.PROVED, "0", note="vanishes identically")
        if self.fixed_point is None:
            return Part(name, Outcome.UNDECIDED, str(list(r)),
                        note="no fixed point found for a witness; residual at s = s0 printed")
        point = dict(self.model.theta_subs)
        point.update(self.data_values)
        point.update(self.fixed_point)
        names = [f"{name}[{i}]" for i in range(len(r))]
        outcome, text, witness = decide_entries(list(r), points=[point], names=names)
        part = Part(name, outcome, str(list(r)), witness,
                    note=f"at s0 ({self.fixed_point_how})" if self.fixed_point_how else None)
        return part

    def tangent(self) -> list[Obligation]:
        s, Eb, n = self.s, self.Eb, self.n
        S = [sp.Function(f"S_{i}")(T, BETA) for i in range(n)]
        on = dict(zip(s, S))
        gb = [sp.diff(Eb, x) for x in s]
        Hb = [[sp.diff(Eb, x, y) for y in s] for x in s]
        eq50 = [sp.diff(Si, T) + gb[i].xreplace(on) for i, Si in enumerate(S)]
        # Eq 51-52 as printed, for the process dS/dbeta
        p51 = [sp.Derivative(Si, T, BETA).doit() + sp.diff(gb[i], BETA).xreplace(on)
               + sum(Hb[i][j].xreplace(on) * sp.diff(S[j], BETA) for j in range(n)) for i, Si in enumerate(S)]
        r51 = [sp.diff(e, BETA) - p for e, p in zip(eq50, p51)]
        part51 = self._exact("d/dbeta (Eq 50) - Eq 51-52", sp.Matrix(r51))
        # Eq 53-54: beta = 0, S^0(s0, t) = s0 (s now stands for s0), Z = dS/dbeta at beta = 0
        Z = [sp.Function(f"Z_{i}")(T) for i in range(n)]
        at = {sp.diff(S[j], BETA): Z[j] for j in range(n)}
        at_dt = {sp.Derivative(S[j], T, BETA).doit(): sp.diff(Z[j], T) for j in range(n)}
        spec = []
        for i in range(n):
            e = p51[i].xreplace(at_dt).xreplace(at).xreplace({S[j]: s[j] for j in range(n)}).subs(BETA, 0)
            spec.append(e)
        dC = [self.model.concrete(x) for x in self.der.dC_ds]
        H = self.model.concrete(self.der.H)
        printed53 = [sp.diff(Z[i], T) + dC[i] + sum(H[i, j] * Z[j] for j in range(n)) for i in range(n)]
        part53 = self._exact("Eq 51-52 at beta = 0, s0 - Eq 53-54", sp.Matrix([a - b for a, b in zip(spec, printed53)]))
        # T53(t) := Z' + dC/ds(s0) + H Z  vanishes for all t (Eq 53); Z(0) = 0 since S^beta(s, 0) = s
        T53 = printed53
        Z0 = [sp.Symbol(f"Z_{i}(0)") for i in range(n)]
        Zp0 = [sp.Symbol(f"Z_{i}'(0)") for i in range(n)]
        T53_at0 = [Zp0[i] + dC[i] + sum(H[i, j] * Z0[j] for j in range(n)) for i in range(n)]
        # Eq 55: X~_0 = -Z'(0) = dC/ds(s0) = X_0
        r55 = [-Zp0[i] - dC[i] for i in range(n)]
        part55 = decide_modulo("X~(0) - dC/ds(s0)", sp.Matrix(r55),
                               [([-1] * n, T53_at0)] + [([H[i, j] for i in range(n)], [Z0[j]] * n) for j in range(n)],
                               hypothesis_text="Eq 53 at t = 0 and Z(0) = dS/dbeta(s, 0) = 0")
        # Eq 56 corrected: X~ = -Z', dX~/dt + H X~ = -(d/dt) T53
        Xt = [-sp.diff(Zi, T) for Zi in Z]
        r56 = [sp.diff(Xt[i], T) + sum(H[i, j] * Xt[j] for j in range(n)) for i in range(n)]
        part56 = decide_modulo("dX~/dt + H X~", sp.Matrix(r56), [([-1] * n, [sp.diff(e, T) for e in T53])],
                               hypothesis_text="d/dt of Eq 53")
        # Eq 56 as printed: Z' + H Z = T53 - dC/ds(s0): modulo Eq 53 the residual is -dC/ds(s0)
        r56p = [sp.diff(Z[i], T) + sum(H[i, j] * Z[j] for j in range(n)) for i in range(n)]
        reduced = [sp.expand(r - t_) for r, t_ in zip(r56p, T53)]
        if any(e.atoms(sp.core.function.AppliedUndef) for e in reduced):  # pragma: no cover - defensive
            part56p = Part("d/dt Z + H Z", Outcome.UNDECIDED, str(reduced))
        else:
            part56p = self._fp_parts("d/dt dS/dbeta + H dS/dbeta, modulo Eq 53 (= -dC/ds(s0))", reduced)
        # Y~: Eq 57-60
        th = self.theta
        dEb_th = [sp.diff(Eb, x) for x in th]
        p57 = [sp.diff(dEb_th[k], BETA).xreplace(on)
               + sum(sp.diff(dEb_th[k], s[j]).xreplace(on) * sp.diff(S[j], BETA) for j in range(n))
               for k in range(self.p)]
        r57 = [sp.diff(dEb_th[k].xreplace(on), BETA) - p57[k] for k in range(self.p)]
        part57 = self._exact("d/dbeta dE^beta/dtheta(S) - Eq 57-58", sp.Matrix(r57))
        dCth = [self.model.concrete(x) for x in self.der.dC_dtheta]
        M = self.model.concrete(self.der.M)
        Yt = [p57[k].xreplace(at).xreplace({S[j]: s[j] for j in range(n)}).subs(BETA, 0) for k in range(self.p)]
        printed59 = [dCth[k] + sum(M[k, j] * Z[j] for j in range(n)) for k in range(self.p)]
        part59 = self._exact("Eq 57-58 at beta = 0, s0 - Eq 59-60", sp.Matrix([a - b for a, b in zip(Yt, printed59)]))
        # Eq 61 (corrected): Y~_0 = dC/dtheta(s0) + M Z(0) = Y_0 of Eq 12
        Yt0 = [dCth[k] + sum(M[k, j] * Z0[j] for j in range(n)) for k in range(self.p)]
        part61 = decide_modulo("Y~(0) - dC/dtheta(s0)", sp.Matrix([Yt0[k] - dCth[k] for k in range(self.p)]),
                               [([M[k, j] for k in range(self.p)], [Z0[j]] * self.p) for j in range(n)],
                               hypothesis_text="Z(0) = dS/dbeta(s, 0) = 0")
        # Eq 61 as printed: Y~_0 = 0; modulo Z(0) = 0 the residual is dC/dtheta(s0)
        part61p = self._fp_parts("Y~(0) - 0, modulo Z(0) = 0 (= dC/dtheta(s0))", dCth)
        # Eq 62: dY~/dt = M Z' = -M X~ (Eq 14)
        r62 = [sp.diff(printed59[k], T) + sum(M[k, j] * Xt[j] for j in range(n)) for k in range(self.p)]
        part62 = self._exact("dY~/dt + M X~", sp.Matrix(r62))
        latex56 = [r"T(t) := \frac{d}{dt}Z + \frac{\partial C}{\partial s}(s^0) + H Z \equiv 0\ \text{(Eq 53)},"
                   r"\quad Z := \frac{\partial S^\beta}{\partial\beta}\Big|_{\beta=0}(s^0, t),\ \tilde X = -\dot Z",
                   r"\frac{d}{dt}\tilde X + H\tilde X = -\dot T = 0",
                   r"\text{as printed: } \dot Z + H Z = T - \frac{\partial C}{\partial s}(s^0)"
                   r" = -\frac{\partial C}{\partial s}(s^0) \neq 0"]
        latex61 = [r"\tilde Y_t = \frac{\partial C}{\partial\theta}(s^0) + M Z(t)\ \text{(Eq 59)}",
                   r"\tilde Y_0 = \frac{\partial C}{\partial\theta}(s^0) = Y_0\ \text{(Eq 12), not 0 as printed in Eq 61}"]
        return [self._obligation("eq51-52", [part51]), self._obligation("eq53-54", [part53]),
                self._obligation("eq55", [part55]), self._obligation("eq56", [part56], latex=latex56[:2]),
                self._obligation("eq56-as-printed", [part56p], latex=latex56,
                                 method="reduced modulo Eq 53, then evaluated at the fixed point"),
                self._obligation("eq57-60", [part57, part59]),
                self._obligation("eq61", [part61], latex=latex61),
                self._obligation("eq61-as-printed", [part61p], latex=latex61,
                                 method="reduced modulo Z(0) = 0, then evaluated at the fixed point"),
                self._obligation("eq62", [part62])]

    def obligations(self) -> list[Obligation]:
        out = []
        for group in (self.eq32_33, self.eq34_35, self.eq37_42, self.tangent):
            t0 = time.perf_counter()
            obs = group()
            dt = (time.perf_counter() - t0) / max(1, len(obs))
            for ob in obs:
                ob.seconds = dt
            out.extend(obs)
        return out


def numeric_fixed_point(model: Model, dps: int = 30) -> dict | None:
    """A free fixed point (Eq 2) by Newton's method from the model's initial state, or None.

    Only used to evaluate the misprinted equations at a witness point. Its own
    tolerance (symbolic/ does not import verify.precision): Newton at dps + 10
    digits until the residual is below 10^-(dps + 5).
    """
    import mpmath

    from ..mpmath_lock import workdps

    der = Derivation(model)
    grad = [model.concrete(e).xreplace(model.theta_subs) for e in der.dE_ds]
    hess = model.concrete(der.H).xreplace(model.theta_subs)
    init = model.settings.get("initial_state", 0)
    x0 = []
    for block in model.state:
        v = init.get(block.name, 0) if isinstance(init, dict) else init
        x0.extend([v] * block.size if not isinstance(v, (list, tuple)) else list(v))
    f = sp.lambdify(model.s, grad, modules="mpmath")
    J = sp.lambdify(model.s, hess, modules="mpmath")
    with workdps(dps + 10):
        x = mpmath.matrix([mpmath.mpf(str(sp.Rational(v))) for v in x0])
        try:
            for _ in range(100):
                F = mpmath.matrix(f(*x))
                if mpmath.norm(F) < mpmath.mpf(10) ** (-dps - 5):
                    break
                step = mpmath.lu_solve(mpmath.matrix(J(*x)), F)
                x = x - step
            else:
                return None
        except (ZeroDivisionError, ValueError):
            return None
        return {sym: sp.Float(str(v), dps) for sym, v in zip(model.s, x)}
