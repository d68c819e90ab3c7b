"""The paper's numbered equations (Eq 1-62): class, statement as printed, method, corrected form."""

from __future__ import annotations

import dataclasses

from symbolic.paper_checks import LAYERS

CLASSES = ("definition", "identity", "limit", "notation")
VERDICTS = ("holds", "fails-as-printed", "not-checkable")


@dataclasses.dataclass(frozen=True)
class Equation:
    """One numbered equation of the paper: its class, the text as printed and how it is checked."""

    number: str
    cls: str
    statement: str
    method: str = ""            # what is compared with what (prefix of the evidence)
    corrected: str = ""
    error_kind: str = ""        # "notation" or "mathematical" for a failing or abbreviated equation
    note: str = ""              # remarks (notation, definitions)
    label: str = ""             # short name of the check in the summary


E = Equation


EQUATIONS = [
    E("1", "definition", "ds/dt = -dE_theta/ds(s)",
      note="definition of the free dynamics; the routes integrate exactly this field (-dE/ds of the model)"),
    E("2", "definition", "dE_theta/ds(s_theta^0) = 0", label="fixed point",
      method="the free fixed point found by relaxing Eq 1 and Newton's method satisfies it"),
    E("3", "definition", "J(theta) := C_theta(s_theta^0)", note="definition of the objective"),
    E("4", "definition", "E_theta(x,s) = 1/2(|s0|^2 + |s1|^2 + |s2|^2) - rho(s0)^T.W01.rho(s1) "
      "- rho(s1)^T.W12.rho(s2) - rho(s2)^T.W23.rho(x)", label="sympy",
      method="the paper's example energy, against the built-in paper-hopfield model"),
    E("5", "identity", "ds0/dt = rho'(s0)^T . W01 . rho(s1) - s0", label="sympy",
      method="the layer dynamics claimed to follow from Eq 1 and Eq 4",
      corrected=LAYERS["5"][3], error_kind="notation"),
    E("6", "identity", "ds1/dt = rho'(s1)^T . (W12 . rho(s2) + W10 . rho(s0)) - s1", label="sympy",
      method="the layer dynamics claimed to follow from Eq 1 and Eq 4",
      corrected=LAYERS["6"][3], error_kind="notation"),
    E("7", "identity", "ds2/dt = rho'(s2)^T . (W23 . rho(x) + W21 . rho(s1)) - s2", label="sympy",
      method="the layer dynamics claimed to follow from Eq 1 and Eq 4",
      corrected=LAYERS["7"][3], error_kind="notation"),
    E("8", "definition", "C_theta(y,s) = 1/2 |y - s0|^2", label="sympy",
      method="the paper's example cost, against the built-in paper-hopfield model"),
    E("9", "definition", "L(theta,s,t) := C_theta(S_theta^0(s,t))",
      note="definition of the truncated objective; the direct route evaluates it on the integrated free flow"),
    E("10", "limit", "dL/dtheta(theta,s,t) -> dJ/dtheta(theta) as t -> infinity", label="eq10-limit",
      method="the t -> infinity limit in closed form against dJ/dtheta by re-solved fixed points, and the decay "
             "of |dL/dtheta - dJ/dtheta| on the direct route (complex step) from s_theta^0 and from a generic "
             "state s_gen, against the rate lambda_min(H) the linearisation predicts"),
    E("11", "definition", "X_0 = dC_theta/ds(s_theta^0)", label="Eq 25",
      method="initial condition of the Cauchy problem; X_t := dL/ds satisfies it (direct route at t=0, as Eq 25)"),
    E("12", "definition", "Y_0 = dC_theta/dtheta(s_theta^0)", label="Eq 26",
      method="initial condition of the Cauchy problem; Y_t := dL/dtheta satisfies it (direct route at t=0, as Eq 26)"),
    E("13", "definition", "d/dt X_t = -d2E_theta/ds2(s_theta^0) . X_t", label="Eq 33, cauchy-ode",
      method="the Cauchy problem's X equation; satisfied by dL/ds of the direct route (central differences in t, "
             "as Eq 33), and its integration agrees with the closed form expm(-Ht) X_0 (cauchy-ode)"),
    E("14", "definition", "d/dt Y_t = -d2E_theta/dtheta ds(s_theta^0) . X_t", label="Eq 35, cauchy-ode",
      method="the Cauchy problem's Y equation; satisfied by dL/dtheta of the direct route (as Eq 35), and its "
             "integration agrees with the closed form (cauchy-ode)"),
    E("15", "definition", "X_t := dL/ds(theta, s_theta^0, t)  (Theorem 1: solves Eq 11-14)", label="theorem1 (X)",
      method="Theorem 1, X part: dL/ds by complex step on the free flow vs the Cauchy problem's X_t in closed form"),
    E("16", "definition", "Y_t := dL/dtheta(theta, s_theta^0, t)  (Theorem 1: solves Eq 11-14)", label="theorem1 (Y)",
      method="Theorem 1, Y part: dL/dtheta by complex step on the free flow vs Y_t in closed form"),
    E("17", "definition", "E_theta^beta(s) := E_theta(s) + beta C_theta(s)", note="definition of the extended energy"),
    E("18", "definition", "ds/dt = -dE_theta^beta/ds(s)", label="sympy",
      method="definition of the extended dynamics; the text's expansion of it checked"),
    E("19", "definition", "dE_theta^beta/ds(s_theta^beta) = 0", label="nudged fixed points",
      method="the nudged fixed points (Newton from s_theta^0) satisfy it"),
    E("20", "identity", "dJ/dtheta = lim_{beta->0} 1/beta (dE^beta/dtheta(s^beta) - dE^0/dtheta(s^0))",
      label="theorem2",
      method="Theorem 2: the EP gradient formula (nudged fixed points, beta extrapolated; and by complex step in "
             "beta) vs dJ/dtheta by complex step on re-solved fixed points"),
    E("21", "definition", "X~_t := -lim 1/beta dS^beta/dt(s_theta^0, t)  (Theorem 3)", label="theorem3 (X)",
      method="Theorem 3, X part: X~ from the nudged flow (beta extrapolated) vs the Cauchy problem's X_t"),
    E("22", "definition", "Y~_t := lim 1/beta (dE^beta/dtheta(S^beta(s_theta^0,t)) - dE^0/dtheta(s_theta^0))  "
      "(Theorem 3)", label="theorem3 (Y)",
      method="Theorem 3, Y part: Y~ from the nudged flow vs the Cauchy problem's Y_t"),
    E("23", "identity", "dL/ds(theta, s_theta^0, t) = -lim 1/beta dS^beta/dt(s_theta^0, t)", label="corollary4",
      method="Corollary 4: dL/ds by complex step on the free flow vs -1/beta dS^beta/dt extrapolated to beta -> 0"),
    E("24", "identity", "dL/dtheta(theta, s^0, t) = lim 1/beta (dE^beta/dtheta(S^beta(s^0,t)) - dE^0/dtheta(s^0))",
      label="eq24", method="Corollary 4: dL/dtheta by complex step on the free flow vs the EP readout"),
    E("25", "identity", "dL/ds(theta, s_theta^0, 0) = dC_theta/ds(s_theta^0)", label="direct at t=0",
      method="dL/ds at t = 0 by complex step through the integrator vs the symbolic dC/ds"),
    E("26", "identity", "dL/dtheta(theta, s_theta^0, 0) = dC_theta/dtheta(s_theta^0)", label="direct at t=0",
      method="dL/dtheta at t = 0 by complex step vs the symbolic dC/dtheta"),
    E("27", "identity", "dL/dt(s,t) + dL/ds(s,t) . dE/ds(s) = 0", label="generic state",
      method="at a generic state s_gen (dE/ds != 0), t in {1/2, 1}: dL/dt = dC/ds(S).(-dE/ds(S)) at the end "
             "state vs -dL/ds . dE/ds(s_gen) with dL/ds by complex step on the flow"),
    E("28", "identity", "L(S^0(s,u), t) = L(s, t+u)", label="semigroup",
      method="integrate from s_gen to u and restart for t, vs one integration to t+u"),
    E("29", "identity", "d/dt L(s,t+u) = d/du L(s,t+u)", label="sympy", method="chain rule"),
    E("30", "identity", "dL/dt(S^0(s,u), t) = d/du L(S^0(s,u), t)", label="generic state",
      method="at s_gen, u = 1/2, t = 1: dL/dt at the end state vs central differences in u of L(S^0(s,u), t)"),
    E("31", "identity", "d/du L(S^0(s,u), t) = -dL/ds(S^0(s,u), t) . dE/ds(S^0(s,u), t)", label="generic state",
      corrected="d/du L(S^0(s,u), t) = -dL/ds(S^0(s,u), t) . dE/ds(S^0(s,u))", error_kind="notation",
      method="the printed factor dE/ds(S^0(s,u), t) takes one argument too many"),
    E("32", "identity", "d2L/dt ds(s,t) + d2L/ds2(s,t) . dE/ds(s) + dL/ds(s,t) . d2E/ds2(s) = 0",
      label="generic state",
      method="at s_gen (not a fixed point), projected on random directions v: the three terms by complex steps on "
             "the flow and central differences along dE/ds(s_gen); symbolically as d/ds of Eq 27"),
    E("33", "identity", "d/dt dL/ds(s^0,t) = -d2E/ds2(s^0) . dL/ds(s^0,t)", label="direct route",
      method="d/dt of dL/ds on the direct route (complex step, never uses H) by central differences in t, vs "
             "-H(s_theta^0) dL/ds"),
    E("34", "identity", "d2L/dt dtheta(theta,s,t) + d2L/ds dtheta . dE/ds(s) + dL/ds . d2E/ds dtheta(s) = 0",
      label="generic state",
      method="at s_gen, projected on random parameter directions w: complex steps in theta and s, central "
             "differences along dE/ds(s_gen); symbolically as d/dtheta of Eq 27"),
    E("35", "identity", "d/dt dL/dtheta(theta,s^0,t) = -d2E/dtheta ds(s^0) . dL/ds(theta,s^0,t)",
      label="direct route", method="d/dt of dL/dtheta on the direct route by central differences in t, vs "
                                   "-M(s_theta^0) dL/ds"),
    E("36", "identity", "dJ/dtheta = lim 1/beta (dE^beta/dtheta(s^beta) - dE^0/dtheta(s^0))  (= Eq 20)",
      label="theorem2", method="the same statement as Eq 20 (identical as printed); Theorem 2's check"),
    E("37", "identity", "d/dtheta dE^beta/dbeta(s^beta) = d/dbeta dE^beta/dtheta(s^beta)", label="fixed points",
      method="at beta = 0 and beta = 1/10: total theta-derivative of C(s^beta) by complex step in theta with "
             "s^beta re-solved, vs total beta-derivative of dE^beta/dtheta(s^beta) by complex step in beta"),
    E("38", "identity", "d/dbeta d/dtheta E^beta(s^beta) = d/dtheta d/dbeta E^beta(s^beta)", label="fixed points",
      method="at beta = 0 and 1/10, on random parameter directions: the mixed derivative of "
             "G(theta,beta) = E^beta(s^beta) in both orders (complex step for the inner, central differences for "
             "the outer derivative, s^beta re-solved each time)"),
    E("39", "identity", "d/dbeta E^beta(s^beta) = dE^beta/dbeta(s^beta) + dE^beta/ds(s^beta) . ds^beta/dbeta",
      label="fixed points",
      method="at beta = 0 and 1/10: complex step in beta of E^beta(s^beta) vs the chain rule's terms"),
    E("40", "identity", "d/dbeta E^beta(s^beta) = dE^beta/dbeta(s^beta)", label="fixed points",
      method="at beta = 0 and 1/10: complex step in beta of E^beta(s^beta) vs C(s^beta)"),
    E("41", "definition", "dE^beta/ds(s^beta) = 0", label="nudged fixed points",
      method="the fixed-point condition Eq 19 restated; residuals at the nudged fixed points"),
    E("42", "identity", "d/dtheta E^beta(s^beta) = dE^beta/dtheta(s^beta)", label="fixed points",
      method="at beta = 0 and 1/10: complex step in theta of E^beta(s^beta) (s^beta re-solved) vs the partial "
             "derivative"),
    E("43", "notation", "d2S^beta/dbeta dt |beta=0 (s^0, t)", label="symmetry",
      method="the mixed derivative the chain 43 = 44 = 45 names; it is order-independent: d/dt of dS/dbeta "
             "(complex step in beta, central differences in t) vs d/dbeta of dS/dt (complex step of the field)"),
    E("44", "identity", "= lim 1/beta (dS^beta/dt(s^0,t) - dS^0/dt(s^0,t))", label="EP readout",
      method="Eq 43 = Eq 44: the mixed derivative by complex step in beta vs the limit with real beta extrapolated"),
    E("45", "identity", "= lim 1/beta dS^beta/dt(s^0,t)", label="EP readout",
      method="Eq 44 = Eq 45 because dS^0/dt(s^0,t) = 0: both limits from the EP states, and the free flow from "
             "s_theta^0 stays there"),
    E("46", "notation", "d/dbeta|0 dE^beta/dtheta(S^beta(s^0,t))",
      note="names the derivative of the chain 46 = 47 (checked under Eq 47)"),
    E("47", "identity", "= lim 1/beta (dE^beta/dtheta(S^beta(s^0,t)) - dE^0/dtheta(s^0))", label="EP readout",
      method="Eq 46 = Eq 47: the beta-derivative by complex step vs the limit with real beta extrapolated"),
    E("48", "definition", "X~_t := -d2S^beta/dbeta dt|0 (s^0,t)", label="Eq 21 = Eq 48",
      method="this definition of X~ agrees with Eq 21's"),
    E("49", "definition", "Y~_t := d/dbeta|0 dE^beta/dtheta(S^beta(s^0,t))", label="Eq 22 = Eq 49",
      method="this definition of Y~ agrees with Eq 22's"),
    E("50", "definition", "dS^beta/dt(s,t) = -dE^beta/ds(S^beta(s,t)), S^beta(s,0) = s", label="integrator",
      method="definition of the nudged flow; the integrated states satisfy it"),
    E("51", "identity", "d/dt dS^beta/dbeta(s,t) = -d2E^beta/ds dbeta(S^beta(s,t))  [first line of 51-52]",
      label="beta = 1/10, s_gen",
      method="at beta = 1/10 from s_gen: d/dt of dS^beta/dbeta (complex step in beta, central differences in t) "
             "vs the right side of Eq 51-52; symbolically as d/dbeta of Eq 50"),
    E("52", "identity", "  - d2E^beta/ds2(S^beta(s,t)) . dS^beta/dbeta(s,t)  [second line of 51-52]",
      label="beta = 1/10, s_gen", method="the second line of the display Eq 51-52, checked with it"),
    E("53", "identity", "d/dt dS^beta/dbeta|0(s^0,t) = -dC/ds(s^0)  [first line of 53-54]", label="beta = 0, s0",
      method="d/dt of dS^beta/dbeta|0 (complex step in beta, central differences in t) vs -dC/ds - H dS/dbeta"),
    E("54", "identity", "  - d2E/ds2(s^0) . dS^beta/dbeta|0(s^0,t)  [second line of 53-54]", label="beta = 0, s0",
      method="the second line of the display Eq 53-54, checked with it"),
    E("55", "identity", "d2S^beta/dt dbeta|0(s^0, 0) = -dC/ds(s^0)", label="t = 0",
      method="one-sided time derivative at t = 0 of dS^beta/dbeta|0 (complex step in beta) vs -dC/ds(s0)"),
    E("56", "identity", "d/dt dS^beta/dbeta|0(s^0,t) = -d2E/ds2(s^0) . dS^beta/dbeta|0(s^0,t)",
      label="beta = 0, s0",
      corrected="d/dt d2S^beta/dt dbeta|0(s^0,t) = -d2E/ds2(s^0) . d2S^beta/dt dbeta|0(s^0,t), i.e. "
                "d/dt X~_t = -H X~_t (Eq 13 for X~ = -d2S/dt dbeta; obtained by differentiating Eq 53 in t). "
                "The printed equation drops the term -dC/ds(s^0) of Eq 53",
      error_kind="mathematical",
      method="as printed: d/dt of dS^beta/dbeta|0 (complex step in beta, central differences in t) vs "
             "-H(s0) dS^beta/dbeta|0"),
    E("57", "identity", "d/dbeta dE^beta/dtheta(S^beta(s,t)) = dE^beta/dtheta dbeta(S^beta(s,t))  "
      "[first line of 57-58]", label="beta = 1/10, s_gen",
      corrected="d/dbeta dE^beta/dtheta(S^beta(s,t)) = d2E^beta/dtheta dbeta(S^beta(s,t)) + ...",
      error_kind="notation", note="dE^beta/dtheta dbeta stands for the second derivative d2E^beta/dtheta dbeta "
                                  "(the exponent is missing; the only reading)",
      method="at beta = 1/10 from s_gen: d/dbeta of dE^beta/dtheta(S^beta) by complex step in beta vs "
             "dC/dtheta(S^beta) + (d2E/dtheta ds + beta d2C/dtheta ds)(S^beta) dS^beta/dbeta"),
    E("58", "identity", "  + dE^beta/dtheta ds(S^beta(s,t)) . dS^beta/dbeta(s,t)  [second line of 57-58]",
      label="beta = 1/10, s_gen", corrected="... + d2E^beta/dtheta ds(S^beta(s,t)) . dS^beta/dbeta(s,t)",
      error_kind="notation", note="dE^beta/dtheta ds stands for d2E^beta/dtheta ds (exponent missing)",
      method="the second line of the display Eq 57-58, checked with it"),
    E("59", "identity", "d/dbeta|0 dE^beta/dtheta(S^beta(s^0,t)) = dC/dtheta(s^0)  [first line of 59-60]",
      label="beta = 0, s0",
      method="Y~_t from the EP readout vs dC/dtheta(s0) + M(s0) dS^beta/dbeta|0 (complex step in beta)"),
    E("60", "identity", "  + dE/dtheta ds(s^0) . dS^beta/dbeta|0(s^0,t)  [second line of 59-60]",
      label="beta = 0, s0", corrected="... + d2E/dtheta ds(s^0) . dS^beta/dbeta|0(s^0,t)", error_kind="notation",
      note="dE/dtheta ds stands for d2E/dtheta ds (exponent missing)",
      method="the second line of the display Eq 59-60, checked with it"),
    E("61", "identity", "d/dbeta|0 dE^beta/dtheta(S^beta(s^0, 0)) = 0", label="t = 0",
      corrected="d/dbeta|0 dE^beta/dtheta(S^beta(s^0, 0)) = dC_theta/dtheta(s_theta^0) (= Y_0 of Eq 12, as Eq 59 "
                "at t = 0 gives; it is 0 only for a cost that does not depend on theta)",
      error_kind="mathematical",
      method="as printed: Y~_0 from the EP readout (beta -> 0) vs 0"),
    E("62", "identity", "d/dt d/dbeta|0 dE^beta/dtheta(S^beta(s^0,t)) = dE/dtheta ds(s^0) . "
      "d2S^beta/dt dbeta|0(s^0,t)", label="beta = 0, s0",
      corrected="d/dt Y~_t = d2E/dtheta ds(s^0) . d2S^beta/dt dbeta|0(s^0,t) (= -M X~_t, Eq 14)",
      error_kind="notation", note="dE/dtheta ds stands for d2E/dtheta ds (exponent missing)",
      method="d/dt of Y~ (EP readout, central differences in t) vs M(s0) d2S/dt dbeta|0 (complex step in beta)"),
]
del E
