"""What each obligation claims: its id, the paper's equations, a one-line statement.

Ids are stable (they are the JSON ``obligation`` values). Variants are
deliberately false versions of a statement: the checker must REFUTE them.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Statement:
    id: str
    equations: tuple[str, ...]
    text: str
    kind: str = "statement"


_ALL = [
    # closed-form families: the theorems
    Statement("flows", ("1", "18"),
              "the closed-form free and nudged flows S^beta(s, t) solve Eq 1 / Eq 18 with S^beta(s, 0) = s",
              "step"),
    Statement("theorem1", ("11", "12", "13", "14"),
              "X_t, Y_t of the Cauchy problem = dL/ds, dL/dtheta of the exact flow, for all t"),
    Statement("theorem2", ("20",),
              "dJ/dtheta of J(theta) = C(s0_theta) = lim 1/beta (dE^beta/dtheta(s^beta) - dE/dtheta(s0))"),
    Statement("theorem3", ("21", "22", "11", "12", "13", "14"),
              "X~_t, Y~_t (beta -> 0 limits of the nudged flow) solve the Cauchy problem, for all t"),
    Statement("corollary4", ("23",),
              "dL/ds(theta, s0, t) = -lim 1/beta dS^beta/dt(s0, t), for all t"),
    Statement("eq24", ("24",),
              "dL/dtheta(theta, s0, t) = lim 1/beta (dE^beta/dtheta(S^beta(s0, t)) - dE/dtheta(s0)), for all t"),
    Statement("eq10-limit", ("10",),
              "lim_{t -> oo} dL/dtheta(theta, s0, t) = dJ/dtheta (needs a strict minimum)", "step"),
    Statement("eq27", ("27",), "dL/dt(s, t) + dL/ds(s, t) . dE/ds(s) = 0 for all s, t (exact flow)", "step"),
    Statement("eq28", ("28",), "L(S0(s, u), t) = L(s, t + u) for all s, t, u (exact flow)", "step"),
    # generic proof steps (any energy)
    Statement("eq32", ("32",), "d/ds of Eq 27 is Eq 32 (product and chain rule)", "step"),
    Statement("eq33", ("33",), "Eq 32 at s0 is dX/dt = -H X, using dE/ds(s0) = 0 (Eq 2)", "step"),
    Statement("eq34", ("34",), "d/dtheta of Eq 27 is Eq 34", "step"),
    Statement("eq35", ("35",), "Eq 34 at s0 is dY/dt = -M X, using dE/ds(s0) = 0 (Eq 2)", "step"),
    Statement("eq38", ("38",), "d/dbeta d/dtheta E^beta(s_theta^beta) = d/dtheta d/dbeta E^beta(s_theta^beta)", "step"),
    Statement("eq39", ("39",), "chain rule: d/dbeta E^beta(s^beta) = dE^beta/dbeta + dE^beta/ds . ds^beta/dbeta", "step"),
    Statement("eq40", ("40",), "d/dbeta E^beta(s^beta) = dE^beta/dbeta(s^beta), using Eq 41", "step"),
    Statement("eq42", ("42",), "d/dtheta E^beta(s^beta) = dE^beta/dtheta(s^beta), using Eq 41", "step"),
    Statement("eq37", ("37",),
              "d/dtheta dE^beta/dbeta(s^beta) = d/dbeta dE^beta/dtheta(s^beta), from Eq 38, 40, 42", "step"),
    Statement("eq51-52", ("50", "51", "52"), "d/dbeta of Eq 50 (tangent equation of the nudged flow)", "step"),
    Statement("eq53-54", ("53", "54"),
              "Eq 51-52 at beta = 0, s = s0 (S^0(s0, t) = s0): d/dt dS/dbeta = -dC/ds(s0) - H dS/dbeta", "step"),
    Statement("eq55", ("55",), "X~_0 = dC/ds(s0) = X_0 (Eq 11), since dS/dbeta(s, 0) = 0", "step"),
    Statement("eq56", ("56",), "dX~/dt = -H X~ (Eq 13): the time derivative of Eq 53", "step"),
    Statement("eq56-as-printed", ("56",),
              "Eq 56 as printed: d/dt dS/dbeta = -H dS/dbeta (drops the -dC/ds(s0) term of Eq 53)", "misprint"),
    Statement("eq57-60", ("57", "58", "59", "60"),
              "d/dbeta dE^beta/dtheta(S^beta(s, t)) by the chain rule, then at beta = 0, s = s0", "step"),
    Statement("eq61", ("61", "12"), "Y~_0 = dC/dtheta(s0) = Y_0 (Eq 12), since dS/dbeta(s, 0) = 0", "step"),
    Statement("eq61-as-printed", ("61",),
              "Eq 61 as printed: Y~_0 = 0 (false when the cost depends on theta)", "misprint"),
    Statement("eq62", ("62", "14"), "dY~/dt = M d^2S/dt dbeta = -M X~ (Eq 14)", "step"),
]

STATEMENTS: dict[str, Statement] = {s.id: s for s in _ALL}

#: the obligations that need the flow in closed form (numeric-only otherwise)
CLOSED_FORM_ONLY = ("theorem1", "theorem2", "theorem3", "corollary4", "eq24",
                    "eq10-limit", "eq27", "eq28")


@dataclasses.dataclass(frozen=True)
class Variant:
    """A deliberately false variant of a statement (must be REFUTED)."""

    name: str
    of: str  # the statement it falsifies
    text: str


VARIANTS: dict[str, Variant] = {v.name: v for v in [
    Variant("eq23-sign-flipped", "corollary4",
            "Eq 23 with the sign flipped: dL/ds(theta, s0, t) = +lim 1/beta dS^beta/dt(s0, t)"),
    Variant("eq24-half-beta", "eq24",
            "Eq 24 with 1/(2 beta) in place of 1/beta"),
    Variant("Y0-zero", "theorem1",
            "Theorem 1 with Y_0 = 0 in place of Eq 12 (false for a theta-dependent cost)"),
]}


def variant_id(name: str) -> str:
    v = VARIANTS[name]
    return f"{v.of}[variant:{name}]"
