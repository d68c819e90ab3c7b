"""Legal smooth models at the edges, each with the verdict a correct check must give.

Beside the tame families of :mod:`verify.strategies`, these instances probe
what breaks verifiers (issue 10): scales from 1e-20 to 1e6 in E, C and theta;
Hessian condition numbers up to 1e6 and spectra spread over 4-6 decades;
minima close to folds; parameters that enter neither E nor C; costs that do
not depend on theta; times up to 100x the slowest relaxation time. Every
number is exact (a decimal power or a rational), so a drawn case is a model
file that ``eqprop-verify check`` reproduces.

========== =================================================================== ==================
kind       model                                                               expected verdict
========== =================================================================== ==================
convex     E = e (1/2 s^T A s + k/4 sum s_i^4) - s^T b, A = Q diag(lambda) Q^T verified
           (Householder Q), cond(A) up to 1e6, e in 1e-20..1e6, b in          
           1e-20..1e6; C = c/2 (s_0 - y)^2 (+ c b_0^2 / (8 |b|^2): theta-dep.)
fold       E = e (s^3/3 - a s), a = 10^-k (k <= 40): minimum sqrt(a) from the  verified
           fold at a = 0, started below or above it
maximum    E = e (-s^2/2 + s^4/4) started at its local maximum s = 0           N/A: "needs a strict
                                                                               minimum" (+ Eq 24
                                                                               vacuous: M = 0)
vacuous    E = e lambda s^2/2 - b s with y = s_theta^0 exactly, theta-free C   N/A: every statement
                                                                               vacuous
========== =================================================================== ==================

Every kind may carry a parameter ``z`` that enters neither E nor C (its
derivatives are exactly 0 on every route). Times are drawn in units of the
slowest relaxation time tau = 1/lambda_min(H) (up to 100 tau), capped so that
the explicit integrators (issue 11) take a bounded number of steps: at most
``budget`` fastest relaxation times 1/lambda_max.

:func:`draw_case` works on any :class:`verify.strategies.Source`;
:func:`edge_cases` is the hypothesis strategy.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

KINDS = ("convex", "fold", "maximum", "vacuous")
SCALES = tuple(range(-20, 7))          # decimal exponents of the scales of E, C and theta
NOT_MINIMUM = "needs a strict minimum"
VACUOUS = "both sides are 0 to working precision"


@dataclasses.dataclass
class EdgeCase:
    """A drawn model file (``doc``) with the settings of its check and the verdict it must get."""

    kind: str
    doc: dict
    times: list                  # exact (Fractions)
    dps: int
    expect: str                  # "verified" or "hypotheses-not-met"
    reasons: tuple = ()          # when N/A: every non-applicable statement's reason contains one of these
    note: str = ""

    @property
    def model(self):
        from symbolic.spec import model_from_dict

        return model_from_dict(self.doc, f"<edge case {self.kind}>")

    def to_toml(self) -> str:
        from .strategies import with_settings

        return with_settings(self.model, dps=self.dps, times=self.times).to_toml()

    def __repr__(self):
        return (f"EdgeCase({self.kind}: {self.note}, times={[str(t) for t in self.times]}, dps={self.dps}, "
                f"expect={self.expect})")

    def judge(self, report) -> list:
        """Problems with ``report`` against the expected verdict ([] when it is right)."""
        problems = []
        for c in report.checks:
            if c.applicable and not c.passed:
                problems.append(f"{c.id} FAILED on a valid model (digits {c.digits}, reason {c.reason})")
            elif not c.applicable and self.expect == "verified":
                problems.append(f"{c.id} N/A on a model where it applies: {c.reason}")
            elif not c.applicable and not any(r in (c.reason or "") for r in self.reasons):
                problems.append(f"{c.id} N/A for an unexpected reason: {c.reason}")
        if report.verdict != self.expect:
            problems.append(f"verdict {report.verdict}, expected {self.expect}")
        return problems


def _pow10(k: int) -> Fraction:
    return Fraction(10) ** k


def _num(x: Fraction) -> str:
    """An exact literal for a model expression or value: a rational, or 1e<k> for powers of ten."""
    if x == 0:
        return "0"
    for k in range(-60, 61):
        if abs(x) == _pow10(k):
            return ("-" if x < 0 else "") + f"1e{k}"
    return f"({x.numerator}/{x.denominator})" if x.denominator != 1 else f"({x.numerator})"


def _householder(v):
    """I - 2 v v^T / v^T v: an exact rational orthogonal matrix."""
    n, vv = len(v), sum(Fraction(x) ** 2 for x in v)
    return [[Fraction(int(i == j)) - 2 * Fraction(v[i] * v[j]) / vv for j in range(n)] for i in range(n)]


def _times(src, tau_slow: Fraction, tau_fast: Fraction, budget: int) -> list:
    """1-3 exact times in units of tau_slow (up to 100 tau_slow), at most ``budget`` tau_fast."""
    multiples = [Fraction(1, 10), Fraction(1, 2), Fraction(1), Fraction(3), Fraction(10), Fraction(30),
                 Fraction(100)]
    allowed = [m for m in multiples if m * tau_slow <= budget * tau_fast] or [Fraction(budget) * tau_fast / tau_slow]
    count = src.integer(1, 3)
    picked = sorted({src.choice(allowed) * tau_slow for _ in range(count)})
    return ([Fraction(0)] if src.boolean() else []) + picked


def _common(src, doc, energy, cost, params):
    """Adds the parameter z that enters neither E nor C (sometimes)."""
    if src.boolean():
        params["z"] = 0
        doc["values"]["z"] = src.choice(["1e-20", "3/7", "1e6"])
    doc["params"] = params
    doc["model"] = {"energy": energy, "cost": cost}
    return doc


def convex(src, dps: int, budget: int) -> EdgeCase:
    n = src.integer(1, 3)
    e_exp, b_exp, c_exp = src.choice(SCALES), src.choice(SCALES), src.choice(SCALES)
    e, sb, sc = _pow10(e_exp), _pow10(b_exp), _pow10(c_exp)
    decades = src.integer(0, 6) if n > 1 else 0
    lam = [_pow10(0)] + [_pow10(src.integer(0, decades)) for _ in range(n - 2)] + ([_pow10(decades)] if n > 1 else [])
    Q = _householder([src.integer(1, 3) * (1 if src.boolean() else -1) for _ in range(n)]) if n > 1 else [[Fraction(1)]]
    A = [[sum(Q[i][k] * lam[k] * Q[j][k] for k in range(n)) for j in range(n)] for i in range(n)]
    b = [sb * Fraction(src.integer(1, 8) * (1 if src.boolean() else -1), 8) for _ in range(n)]
    # s* of the quadratic part; the quartic (non-stiff draws only) is scaled to change curvature by O(1)
    import sympy as sp

    s_quad = list(sp.Matrix(A).LUsolve(sp.Matrix(b)) / sp.Rational(e.numerator, e.denominator))
    s_size = max(abs(Fraction(str(x))) for x in s_quad)
    k = Fraction(0) if decades > 2 or not src.boolean() else Fraction(1) / (s_size ** 2)
    quad = " + ".join(f"{_num(A[i][j])}*s{i}*s{j}" for i in range(n) for j in range(n) if A[i][j] != 0)
    quartic = f" + {_num(k)}*(" + " + ".join(f"s{i}**4" for i in range(n)) + ")/4" if k else ""
    energy = f"{_num(e)}*(({quad})/2{quartic}) - (" + " + ".join(f"b{i}*s{i}" for i in range(n)) + ")"
    y = Fraction(str(s_quad[0])) + s_size * src.choice([Fraction(1), Fraction(-1, 2), Fraction(3)])
    theta_cost = src.boolean()
    cost = f"{_num(sc)}*((s0 - y)**2/2" + (f" + {_num(1 / (8 * sb * sb))}*b0**2" if theta_cost else "") + ")"
    doc = {"name": "edge-convex",
           "description": f"convex, {n} states, cond(A) = 1e{decades}, E scale 1e{e_exp}, theta scale 1e{b_exp}, "
                          f"C scale 1e{c_exp}" + (", quartic" if k else "") + (", theta-dependent cost" if theta_cost else ""),
           "state": {f"s{i}": 0 for i in range(n)}, "targets": {"y": str(y)},
           "values": {f"b{i}": str(b[i]) for i in range(n)}}
    lam_min = e * min(lam)
    tau_slow, tau_fast = 1 / lam_min, 1 / (e * max(lam) * (4 if k else 1))
    params = {f"b{i}": 0 for i in range(n)}
    return EdgeCase("convex", _common(src, doc, energy, cost, params), _times(src, tau_slow, tau_fast, budget),
                    dps, "verified", note=doc["description"])


def fold(src, dps: int, budget: int) -> EdgeCase:
    e_exp, c_exp = src.choice(SCALES), src.choice(SCALES)
    k = src.integer(0, 40)
    e, a = _pow10(e_exp), _pow10(-k)
    start = src.choice(["0", "1"])     # below the minimum sqrt(a) (through the fold's slow region) or above
    doc = {"name": "edge-fold", "description": f"fold E = 1e{e_exp} (s^3/3 - a s), a = 1e-{k}, start {start}",
           "state": {"s": 0}, "targets": {"y": "2"}, "values": {"a": _num(a)},
           "settings": {"initial_state": int(start)}}
    energy, cost = f"{_num(e)}*(s**3/3 - a*s)", f"{_num(_pow10(c_exp))}*(s - y)**2/2"
    lam = 2 * e * _pow10(-k // 2) if k % 2 == 0 else 2 * e * _pow10(-(k + 1) // 2)   # <= 2 e sqrt(a)
    tau = 1 / lam
    return EdgeCase("fold", _common(src, doc, energy, cost, {"a": 0}), _times(src, tau, tau, budget), dps,
                    "verified", note=doc["description"])


def maximum(src, dps: int, budget: int) -> EdgeCase:
    e_exp = src.choice(SCALES)
    e = _pow10(e_exp)
    doc = {"name": "edge-maximum", "description": f"E = 1e{e_exp} (-a s^2/2 + s^4/4) started at its maximum 0",
           "state": {"s": 0}, "targets": {"y": "1"}, "values": {"a": "1"}, "settings": {"initial_state": 0}}
    energy, cost = f"{_num(e)}*(-a*s**2/2 + s**4/4)", "(s - y)**2/2"
    tau = 1 / e
    times = [Fraction(0)] + sorted({src.choice([Fraction(1, 2), Fraction(1), Fraction(2)]) * tau
                                    for _ in range(src.integer(1, 2))})
    return EdgeCase("maximum", _common(src, doc, energy, cost, {"a": 0}), times, dps, "hypotheses-not-met",
                    reasons=(NOT_MINIMUM, VACUOUS), note=doc["description"])


def vacuous(src, dps: int, budget: int) -> EdgeCase:
    e_exp, b_exp = src.choice(SCALES), src.choice(SCALES)
    e, lam = _pow10(e_exp), Fraction(src.integer(1, 9), src.integer(1, 9))
    b = _pow10(b_exp) * Fraction(src.integer(1, 9), 4)
    s_star = b / (e * lam)
    doc = {"name": "edge-vacuous", "description": f"y = s_theta^0 = {s_star}: nothing to compare",
           "state": {"s": 0}, "targets": {"y": str(s_star)}, "values": {"b": str(b)}}
    energy, cost = f"{_num(e * lam)}*s**2/2 - b*s", "(s - y)**2/2"
    tau = 1 / (e * lam)
    return EdgeCase("vacuous", _common(src, doc, energy, cost, {"b": 0}), _times(src, tau, tau, budget), dps,
                    "hypotheses-not-met", reasons=(VACUOUS,), note=doc["description"])


GENERATORS = {"convex": convex, "fold": fold, "maximum": maximum, "vacuous": vacuous}


def draw_case(src, *, kinds=KINDS, dps=(20, 30), budget: int = 20) -> EdgeCase:
    """One edge case from a :class:`verify.strategies.Source`."""
    kind = src.choice(list(kinds))
    return GENERATORS[kind](src, src.choice(list(dps)), budget)


def edge_cases(*, kinds=KINDS, dps=(20, 30), budget: int = 20):
    """hypothesis strategy of :class:`EdgeCase` (``budget``: time in fastest relaxation times)."""
    from hypothesis import strategies as st

    from .strategies import HypothesisSource

    @st.composite
    def build(draw):
        return draw_case(HypothesisSource(draw), kinds=kinds, dps=dps, budget=budget)

    return build()
