"""Exact proofs of Theorems 1-3 and Corollary 4 for one-dimensional polynomial models.

The family (recognised from any model file): one state component, E a
polynomial of degree <= 3 in s and C of degree <= 2 in s, with coefficients
any functions of theta (so theta may enter the Hessian and the cost). The
extended dynamics Eq 18 is then a Riccati equation with constant
coefficients,

    ds/dt = P s^2 + Q_beta s + R_beta,

solved in closed form through its two equilibria r1 (stable) and r2:
w = (s - r1)/(s - r2) obeys dw/dt = -sqrt(D_beta) w, D_beta = Q_beta^2 - 4 P R_beta,
so S^beta(s, t) = (r1 - r2 w(t)) / (1 - w(t)). With P = 0 the flow is linear.
The closed forms are verified by substitution (obligation ``flows``).

Everything is a function of t (a symbol), and beta -> 0 limits are taken by
series expansion in beta: f(beta)/beta with f(0) = 0 checked symbolically has
the limit f'(0), the first-order Taylor coefficient. theta is symbolic where
sympy can simplify the residual, else its exact values are substituted
(recorded per obligation).
"""

from __future__ import annotations

import dataclasses
import time

import sympy as sp

from ..derive import BETA, T
from ..model import Model
from .closed_form import ClosedFormProof
from .obligation import Obligation, Outcome, Part, combine, decide_entries, named_entries
from .statements import STATEMENTS, VARIANTS, variant_id

FAMILY = "riccati"
LIMIT = ("closed-form Riccati flows, t symbolic; beta -> 0 by series in beta (zeroth order proved 0, "
         "limit = first-order coefficient)")
U = sp.Symbol("u", nonnegative=True)


@dataclasses.dataclass
class ScalarPolynomial:
    """A 1-D model with -dE^beta/ds = P s^2 + Q s + R (Q, R affine in beta)."""

    model: Model
    s: sp.Symbol
    energy: sp.Expr
    cost: sp.Expr
    P: sp.Expr
    Q: sp.Expr  # depends on beta
    R: sp.Expr  # depends on beta


def recognise(model: Model) -> ScalarPolynomial | str:
    """The model as a :class:`ScalarPolynomial`, or the reason it is not one."""
    if model.n != 1:
        return f"n = {model.n} state components (the Riccati family is one-dimensional)"
    (s,) = model.s
    E, C = model.concrete(model.energy), model.concrete(model.cost)
    for name, expr, top in (("energy", E, 3), ("cost", C, 2)):
        try:
            poly = sp.Poly(expr, s)
        except sp.PolynomialError:
            return f"the {name} is not a polynomial in s"
        if poly.degree() > top:
            return f"the {name} has degree {poly.degree()} > {top} in s"
    field = sp.Poly(sp.expand(-(sp.diff(E, s) + BETA * sp.diff(C, s))), s)
    P, Q, R = (field.coeff_monomial(s ** k) for k in (2, 1, 0))
    return ScalarPolynomial(model, s, E, C, sp.expand(P), sp.expand(Q), sp.expand(R))


def scalar_flow(P, Q, R, s_init, t):
    """S(s_init, t) for ds/dt = P s^2 + Q s + R, and its stable equilibrium r1.

    P != 0: r1 = (-Q - sqrt(D))/(2P), r2 = (-Q + sqrt(D))/(2P), D = Q^2 - 4PR > 0;
    w = (s - r1)/(s - r2) decays as exp(-sqrt(D) t). P == 0: linear flow to -R/Q.
    """
    if P == 0:
        r1 = -R / Q
        return r1 + (s_init - r1) * sp.exp(Q * t), r1
    d = sp.sqrt(sp.expand(Q ** 2 - 4 * P * R))
    r1 = (-Q - d) / (2 * P)
    r2 = (-Q + d) / (2 * P)
    w = (s_init - r1) / (s_init - r2) * sp.exp(-d * t)
    return (r1 - r2 * w) / (1 - w), r1


def series_limit(f, beta=BETA):
    """lim_{beta -> 0} f(beta)/beta by series: f = f(0) + f'(0) beta + O(beta^2).

    Returns (f(0), f'(0)); the limit exists and equals f'(0) iff f(0) = 0,
    which the caller proves as a part of the obligation.
    """
    f0 = f.subs(beta, 0) if not isinstance(f, sp.MatrixBase) else f.applyfunc(lambda e: e.subs(beta, 0))
    d = sp.diff(f, beta) if not isinstance(f, sp.MatrixBase) else f.diff(beta)
    f1 = d.subs(beta, 0) if not isinstance(d, sp.MatrixBase) else d.applyfunc(lambda e: e.subs(beta, 0))
    return f0, f1


class Proof(ClosedFormProof):
    """All obligations of the Riccati family for one model (LaTeX simplified for display)."""

    family = FAMILY
    method = "closed-form Riccati flows, t symbolic"

    def __init__(self, sc: ScalarPolynomial, data_values: dict | None = None):
        super().__init__(sc.model, data_values)
        self.sc = sc
        self.s = sc.s
        self.t = T

    # ---------------------------------------------------------------- routes
    def _build(self) -> bool:
        sc, der, conc, s, t = self.sc, self.der, self.model.concrete, self.s, self.t
        P, Q, R = sc.P, sc.Q, sc.R
        Q0, R0 = Q.subs(BETA, 0), R.subs(BETA, 0)
        # hypotheses at the model's theta: a strict minimum of E (two real equilibria)
        if P == 0:
            if not sp.nsimplify(Q0.xreplace(self.base)) < 0:
                self.reason = "E is convex nowhere: d2E/ds2 = -Q <= 0 (no strict minimum)"
                return False
        else:
            if sp.expand(P.xreplace(self.base)) == 0:
                self.reason = "the cubic coefficient of E vanishes at theta's values (degenerate Riccati equation)"
                return False
            D0 = sp.expand((Q0 ** 2 - 4 * P * R0).xreplace(self.base))
            if not D0 > 0:
                self.reason = f"E has no strict minimum: discriminant {D0} <= 0"
                return False
        self.S0, self.s0 = scalar_flow(P, Q0, R0, s, t)  # free flow from any s
        s0 = self.s0
        at0 = {s: s0}
        # -- direct route
        L = sc.cost.xreplace({s: self.S0})
        self.L = L
        self.X = sp.diff(L, s).xreplace(at0)
        self.Y = sp.Matrix([sp.diff(L, th) for th in self.theta]).xreplace(at0)
        # -- RBP route (Cauchy data from the Derivation at s0)
        self.X0 = conc(der.dC_ds)[0].xreplace(at0)
        self.Y0 = conc(der.dC_dtheta).xreplace(at0)
        self.H = conc(der.H)[0].xreplace(at0)
        self.M = conc(der.M).xreplace(at0)
        # -- EP route: the nudged flow from s0
        self.Sb, self.sb = scalar_flow(P, Q, R, s0, t)
        dEb_dth = conc(der.dEbeta_dtheta)
        dE_dth = conc(der.dE_dtheta)
        self.dEb_dth, self.dE_dth = dEb_dth, dE_dth
        f = sp.diff(self.Sb, t)
        self.Xt_zeroth, first = series_limit(f)
        self.Xt = -first
        g = dEb_dth.xreplace({s: self.Sb}) - dE_dth.xreplace(at0)
        self.Yt_zeroth, self.Yt = series_limit(g)
        return True

    # ------------------------------------------------------------- deciding
    def _points(self):
        return [dict(self.base, **{}) | {self.t: v, U: w}
                for v, w in ((sp.Rational(1, 2), sp.Rational(1, 3)), (sp.Rational(7, 5), sp.Rational(2, 3)))]

    def _decide(self, parts):
        """theta symbolic first; if sympy cannot simplify, theta's exact values."""
        results, modes = [], set()
        for name, residual in parts:
            entries, names = named_entries(name, residual)
            outcome, text, witness = decide_entries(entries, points=self._points(), names=names)
            mode = "symbolic"
            if outcome is Outcome.UNDECIDED:
                entries_v = [e.xreplace(self.base) for e in entries]
                outcome, text, witness = decide_entries(entries_v, points=self._points(), names=names)
                mode = "exact values"
            if any(e.free_symbols & set(self.theta) for e in entries):
                modes.add(mode)
            results.append(Part(name, outcome, text, witness,
                                note=None if mode == "symbolic" else "theta at its exact values"))
        theta = None if not modes else ("exact values" if "exact values" in modes else "symbolic")
        return combine(results), theta

    def _tex(self, e) -> str:
        """LaTeX of a simplified expression, sqrt(D_0) written delta (only when LaTeX is wanted)."""
        if not self.want_latex:
            return ""
        sc = self.sc
        Q0, R0 = sc.Q.subs(BETA, 0), sc.R.subs(BETA, 0)
        root = sp.sqrt(sp.expand(Q0 ** 2 - 4 * sc.P * R0))
        root_b = sp.sqrt(sp.expand(sc.Q ** 2 - 4 * sc.P * sc.R))
        delta, delta_b = sp.Symbol("delta", positive=True), sp.Symbol("delta_beta", positive=True)

        def nice(x):
            x = sp.simplify(x)
            return x.subs({root: delta, root_b: delta_b}) if sc.P != 0 else x

        return sp.latex(e.applyfunc(nice) if isinstance(e, sp.MatrixBase) else nice(e))

    def _flow_latex(self):
        sc = self.sc
        Q0, R0 = sc.Q.subs(BETA, 0), sc.R.subs(BETA, 0)
        delta = ([r"\delta := \sqrt{Q_0^2 - 4 P R_0} = \sqrt{" + self._tex(sp.expand(Q0 ** 2 - 4 * sc.P * R0)) + "}"
                  r",\quad \delta_\beta := \sqrt{Q_\beta^2 - 4 P R_\beta}"]
                 if sc.P != 0 else [])
        return delta + [r"\frac{ds}{dt} = " + self._tex(self.sc.P * self.s ** 2 + self.sc.Q * self.s + self.sc.R),
                r"S^0_\theta(s, t) = " + self._tex(self.S0),
                r"s^0_\theta = " + self._tex(self.s0)]

    # ------------------------------------------------------------- obligations
    def flows(self) -> Obligation:
        s, t, sc = self.s, self.t, self.sc
        Sb, _ = scalar_flow(sc.P, sc.Q, sc.R, s, t)
        ode = sp.diff(Sb, t) - (sc.P * Sb ** 2 + sc.Q * Sb + sc.R)
        return self._obligation("flows", [("Eq 18 (beta symbolic, Eq 1 at beta = 0)", ode),
                                          ("S^beta(s, 0) = s", Sb.subs(t, 0) - s)],
                                latex=[r"S^\beta(s,t) = " + self._tex(Sb),
                                       r"\partial_t S^\beta - (P S^2 + Q_\beta S + R_\beta) = 0"])

    def theorem1(self, variant: str | None = None) -> Obligation:
        t, X, Y, H, M = self.t, self.X, self.Y, self.H, self.M
        Y0 = self.Y0 if variant != "Y0-zero" else sp.zeros(len(self.theta), 1)
        parts = [
            ("Eq 11: X(0) - dC/ds(s0)", X.subs(t, 0) - self.X0),
            ("Eq 12: Y(0) - dC/dtheta(s0)" if variant != "Y0-zero" else "Y(0) - 0", Y.subs(t, 0) - Y0),
            ("Eq 13: dX/dt + H X", sp.diff(X, t) + H * X),
            ("Eq 14: dY/dt + M X", Y.diff(t) + M * X),
        ]
        if variant is None:
            parts += [("X = exp(-H t) X_0", X - sp.exp(-H * t) * self.X0),
                      ("Y = Y_0 - M H^-1 (1 - exp(-H t)) X_0",
                       Y - (self.Y0 - M / H * (1 - sp.exp(-H * t)) * self.X0))]
        latex = self._flow_latex() + [
            r"X_t = \frac{\partial L}{\partial s}(\theta, s^0_\theta, t) = " + self._tex(X),
            r"H = " + self._tex(H) + r",\quad X_0 = " + self._tex(self.X0),
            r"\frac{dX_t}{dt} + H X_t = 0,\quad \frac{dY_t}{dt} + M X_t = 0"]
        sid = "theorem1" if variant is None else variant_id(variant)
        return self._obligation(sid, parts, latex=latex, kind="variant" if variant else None,
                                statement=VARIANTS[variant].text if variant else None)

    def theorem2(self) -> Obligation:
        s, s0, sb = self.s, self.s0, self.sb
        J = self.sc.cost.xreplace({s: s0})
        dJ = sp.Matrix([sp.diff(J, th) for th in self.theta])
        self.dJ = dJ
        h = self.dEb_dth.xreplace({s: sb}) - self.dE_dth.xreplace({s: s0})
        h0, ep = series_limit(h)
        return self._obligation("theorem2", [("limit exists: zeroth order in beta", h0),
                                             ("dJ/dtheta - EP limit", dJ - ep)],
                                latex=[r"s^\beta_\theta = " + self._tex(sb),
                                       r"J(\theta) = C(s^0_\theta) = " + self._tex(J),
                                       r"\frac{\partial J}{\partial\theta} = " + self._tex(dJ),
                                       r"\lim_{\beta\to0}\frac{1}{\beta}\left(\frac{\partial E^\beta}{\partial\theta}"
                                       r"(s^\beta_\theta) - \frac{\partial E}{\partial\theta}(s^0_\theta)\right) = "
                                       + self._tex(ep)],
                                method="fixed points in closed form; beta -> 0 by series in beta "
                                       "(zeroth order proved 0, limit = first-order coefficient)")

    def theorem3(self) -> Obligation:
        t, Xt, Yt, H, M = self.t, self.Xt, self.Yt, self.H, self.M
        parts = [
            ("limit Eq 21 exists: zeroth order in beta", self.Xt_zeroth),
            ("limit Eq 22 exists: zeroth order in beta", self.Yt_zeroth),
            ("Eq 11: X~(0) - dC/ds(s0)", Xt.subs(t, 0) - self.X0),
            ("Eq 12: Y~(0) - dC/dtheta(s0)", Yt.subs(t, 0) - self.Y0),
            ("Eq 13: dX~/dt + H X~", sp.diff(Xt, t) + H * Xt),
            ("Eq 14: dY~/dt + M X~", Yt.diff(t) + M * Xt),
        ]
        return self._obligation("theorem3", parts, method=LIMIT, latex=[
            r"S^\beta_\theta(s^0_\theta, t) = " + self._tex(self.Sb),
            r"\tilde X_t = -\lim_{\beta\to0}\frac{1}{\beta}\frac{\partial S^\beta}{\partial t}(s^0_\theta, t) = "
            + self._tex(Xt)])

    def eq23(self, variant: str | None = None) -> Obligation:
        sign = -1 if variant == "eq23-sign-flipped" else 1
        sid = "corollary4" if variant is None else variant_id(variant)
        parts = [("limit exists: zeroth order in beta", self.Xt_zeroth),
                 ("dL/ds - (-lim 1/beta dS/dt)" if variant is None else "dL/ds - (+lim 1/beta dS/dt)",
                  self.X - sign * self.Xt)]
        return self._obligation(sid, parts, kind="variant" if variant else None, method=LIMIT,
                                statement=VARIANTS[variant].text if variant else None,
                                latex=[r"\frac{\partial L}{\partial s}(\theta, s^0_\theta, t) = " + self._tex(self.X),
                                       r"-\lim_{\beta\to0}\frac{1}{\beta}\frac{\partial S^\beta}{\partial t}"
                                       r"(s^0_\theta, t) = " + self._tex(self.Xt)])

    def eq24(self, variant: str | None = None) -> Obligation:
        factor = sp.Rational(1, 2) if variant == "eq24-half-beta" else 1
        sid = "eq24" if variant is None else variant_id(variant)
        parts = [("limit exists: zeroth order in beta", self.Yt_zeroth),
                 ("dL/dtheta - lim 1/beta (...)" if variant is None else "dL/dtheta - lim 1/(2 beta) (...)",
                  self.Y - factor * self.Yt)]
        return self._obligation(sid, parts, kind="variant" if variant else None, method=LIMIT,
                                statement=VARIANTS[variant].text if variant else None,
                                latex=[r"\frac{\partial L}{\partial \theta}(\theta, s^0_\theta, t) = " + self._tex(self.Y),
                                       r"\lim_{\beta\to0}\frac{1}{\beta}\left(\frac{\partial E^\beta}{\partial\theta}"
                                       r"(S^\beta(s^0_\theta,t)) - \frac{\partial E}{\partial\theta}(s^0_\theta)\right) = "
                                       + self._tex(self.Yt)])

    def eq10(self) -> Obligation:
        if not hasattr(self, "dJ"):
            J = self.sc.cost.xreplace({self.s: self.s0})
            self.dJ = sp.Matrix([sp.diff(J, th) for th in self.theta])
        # at theta's values: the decay rate sqrt(D0) is then a positive number sympy can see
        Yv = self.Y.xreplace(self.base)
        limit = Yv.applyfunc(lambda e: sp.limit(e, self.t, sp.oo))
        t0 = time.perf_counter()
        (outcome, residual, witness, results), _ = self._decide(
            [("lim_{t->oo} Y_t - dJ/dtheta", limit - self.dJ.xreplace(self.base))])
        st = STATEMENTS["eq10-limit"]
        return Obligation(id="eq10-limit", equations=st.equations, statement=st.text, outcome=outcome,
                          residual=residual, kind=st.kind, family=FAMILY, theta="exact values",
                          method="sympy limit t -> oo of the closed form", witness=witness, parts=results,
                          latex=[r"\lim_{t\to\infty} Y_t = " + self._tex(limit)] if self.want_latex else [],
                          seconds=time.perf_counter() - t0)

    def eq27(self) -> Obligation:
        s, t = self.s, self.t
        dE = sp.diff(self.sc.energy, s)
        S = self.S0
        flow = sp.diff(S, t) + sp.diff(S, s) * dE
        # the chain rule carries it to L = C(S) for an abstract flow S(s, t)
        Sf = sp.Function("S")(s, t)
        L = self.sc.cost.xreplace({s: Sf})
        dC_S = sp.diff(self.sc.cost, s).xreplace({s: Sf})
        chain = (sp.diff(L, t) + sp.diff(L, s) * dE) - dC_S * (sp.diff(Sf, t) + sp.diff(Sf, s) * dE)
        return self._obligation("eq27", [("dS/dt + dS/ds dE/ds (flow)", flow),
                                         ("chain rule to L = C(S)", chain)],
                                latex=[r"\partial_t L + \partial_s L\,\partial_s E = C'(S)\left(\partial_t S"
                                       r" + \partial_s S\,\partial_s E(s)\right) = 0"])

    def eq28(self) -> Obligation:
        s, t = self.s, self.t
        lhs = self.S0.xreplace({t: self.t}).subs(s, self.S0.subs(t, U))
        rhs = self.S0.subs(t, t + U)
        return self._obligation("eq28", [("S0(S0(s, u), t) - S0(s, t + u)", lhs - rhs)],
                                latex=[r"S^0(S^0(s,u),t) = S^0(s,t+u) \Rightarrow L(S^0(s,u),t) = L(s,t+u)"])

    def fixed_point_values(self):
        if not self.build():
            return None
        return {self.s: self.s0.xreplace(self.base)}
