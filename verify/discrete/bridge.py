"""The Euler bridge: discrete GDU quantities -> the paper's continuous ones as the step eps -> 0.

For an energy E, the map F(s) = s - eps dE/ds is one Euler step of Eq 1 and
has the same fixed point s*. At step k = t/eps:

- BPTT's dL_k/ds(s*) = (I - eps H)^k dC/ds  ->  X_t = expm(-H t) dC/ds   (Eq 11-13)
- DeltaEP_s(k)                              ->  -X~_t                   (Eq 21)

(the discrete nudge beta plays the part of eps * beta in continuous time:
s_{k+1} = s_k - eps dE/ds - beta dC/ds), both to first order in eps. The
continuous side is the continuous check of the same energy (its RBP closed
form X_t and its EP route X~_t); the discrete side is the adjoint recursion
and EP's nudged sequence at each eps of a ladder. The gaps are fitted to
C eps^q by least squares in log-log over the finest rungs; the bridge holds
when both fitted orders are 1 +- ORDER_TOLERANCE.
"""

from __future__ import annotations

import dataclasses

import mpmath
import sympy as sp

from symbolic.discrete_compile import compile_discrete

from ..precision import Precision
from . import fixed_point, routes
from .fixed_point import FixedPointError

LADDER = (8, 16, 32, 64, 128)      # 1/eps
ORDER_TOLERANCE = 0.1
FIT_RUNGS = 3                      # the finest rungs enter the fit
FALSE_VARIANT = "euler-bridge-time-doubled"   # the discrete side read at k = 2t/eps: the suite must reject it
BRIDGE_METHOD = "complex-step"     # one nudged sequence per eps


@dataclasses.dataclass
class BridgeResult:
    times: list                    # exact positive times t (k = t/eps an integer on every rung)
    eps: list
    gap_bptt: list                 # per eps: max_t |dL_k/ds - X_t| / |X_0|
    gap_ep: list                   # per eps: max_t |DeltaEP_s(k) + X~_t| / |X_0|
    order_bptt: float
    order_ep: float

    @property
    def passed(self) -> bool:
        return all(abs(q - 1) <= ORDER_TOLERANCE for q in (self.order_bptt, self.order_ep))

    def to_json(self) -> dict:
        return {"times": [str(t) for t in self.times], "eps": [str(e) for e in self.eps],
                "gap_bptt": [mpmath.nstr(g, 6) for g in self.gap_bptt],
                "gap_ep": [mpmath.nstr(g, 6) for g in self.gap_ep],
                "order_bptt": round(self.order_bptt, 4), "order_ep": round(self.order_ep, 4),
                "order_tolerance": ORDER_TOLERANCE, "fit_rungs": FIT_RUNGS, "passed": self.passed}

    def table(self) -> str:
        lines = ["Euler bridge (F = s - eps dE/ds; at k = t/eps, dL_k/ds -> X_t and DeltaEP_s(k) -> -X~_t), "
                 f"t in {{{', '.join(str(t) for t in self.times)}}}:",
                 f"  {'eps':>8s} {'|BPTT - X|':>12s} {'|DeltaEP + X~|':>15s}"]
        for e, a, b in zip(self.eps, self.gap_bptt, self.gap_ep):
            lines.append(f"  {str(e):>8s} {mpmath.nstr(a, 4):>12s} {mpmath.nstr(b, 4):>15s}")
        lines.append(f"  fitted order (finest {FIT_RUNGS} rungs): BPTT {self.order_bptt:.4f}, EP {self.order_ep:.4f} "
                     f"(expected 1 +- {ORDER_TOLERANCE}): {'PASS' if self.passed else 'FAIL'}")
        return "\n".join(lines)


def fitted_order(eps, gaps) -> float:
    """Least-squares slope of log(gap) against log(eps) over the finest FIT_RUNGS rungs."""
    xs = [mpmath.log(e) for e in eps[-FIT_RUNGS:]]
    ys = [mpmath.log(g) for g in gaps[-FIT_RUNGS:]]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return float(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs))


def euler_bridge(model, report, dps: int, ladder=LADDER, *, time_factor: int = 1) -> BridgeResult:
    """The gaps between the discrete quantities at each eps and the continuous ``report``'s X, X~.

    ``time_factor=2`` is the false variant FALSE_VARIANT: the discrete side at step k = 2t/eps is
    compared with X_t, X~_t, a gap that does not vanish with eps (fitted order near 0).
    """
    times = [sp.Rational(t) for t in report.settings["times_exact"]]
    keep = [i for i, t in enumerate(times) if t > 0 and all((t * m).is_integer for m in ladder)]
    if not keep or report.values.get("X") is None or report.values.get("X_tilde") is None:
        raise ValueError("the Euler bridge needs the continuous check's X and X~ at a time t > 0 "
                         "that is a multiple of every eps of the ladder")
    prec = Precision(dps)
    with prec.context():
        X = [[mpmath.mpf(v) for v in report.values["X"][i]] for i in keep]
        Xt = [[mpmath.mpf(v) for v in report.values["X_tilde"][i]] for i in keep]
        scale = max(abs(v) for v in (mpmath.mpf(x) for x in report.values["X"][0])) or mpmath.mpf(1)
        eps_list, gap_b, gap_e = [], [], []
        for m in ladder:
            eps = sp.Rational(1, m)
            ks = [int(times[i] * m) * time_factor for i in keep]
            discrete = dataclasses.replace(model, dynamics="discrete",
                                           settings={**model.settings, "step": eps, "steps": max(ks) + 1})
            cm = compile_discrete(discrete)
            theta = cm.theta_values(prec.work)
            fp = fixed_point.solve(cm, theta, prec, fixed_point.initial_state(model))
            adj = routes.adjoint(cm, fp.s, theta, max(ks))
            ep = routes.ep(cm, fp.s, theta, max(ks) + 1, BRIDGE_METHOD, prec)
            gap_b.append(max(abs(a - b) for k, x in zip(ks, X) for a, b in zip(adj.s[k], x)) / scale)
            gap_e.append(max(abs(a + b) for k, x in zip(ks, Xt) for a, b in zip(ep.delta_s[k], x)) / scale)
            eps_list.append(eps)
        eps_mp = [mpmath.mpf(e.p) / e.q for e in eps_list]
        return BridgeResult([times[i] for i in keep], eps_list, gap_b, gap_e,
                            fitted_order(eps_mp, gap_b), fitted_order(eps_mp, gap_e))


def add_to_report(report, model):
    """The Euler bridge as one more statement of the report (values.bridge holds its ladder)."""
    from ..result import CheckResult

    title = "Euler bridge: discrete BPTT, DeltaEP_s at k = t/eps -> X_t, -X~_t to first order in eps"
    sides = ["discrete: adjoint recursion and nudged sequence for F = s - eps dE/ds, eps = 1/8 .. 1/128",
             "continuous: this check's RBP closed form X_t and EP route X~_t"]
    try:
        bridge = euler_bridge(model, report, report.settings["dps"])
    except (ValueError, ZeroDivisionError, FixedPointError) as exc:
        report.checks.append(CheckResult("euler-bridge", title, ["1", "11", "21"], sides, applicable=False,
                                         passed=False, reason=f"not measured: {exc}"))
        return
    worst = mpmath.mpf(max(abs(bridge.order_bptt - 1), abs(bridge.order_ep - 1)))
    report.checks.append(CheckResult(
        "euler-bridge", title, ["1", "11", "21"], sides, max_abs_error=worst, max_rel_error=worst,
        tolerance=mpmath.mpf(ORDER_TOLERANCE), tolerance_origin=f"fitted order 1 +- {ORDER_TOLERANCE} (first order in eps)",
        passed=bridge.passed,
        worst=f"orders: BPTT {bridge.order_bptt:.4f}, EP {bridge.order_ep:.4f}",
        details=[f"eps={e}: |BPTT - X| {mpmath.nstr(a, 3)}, |DeltaEP + X~| {mpmath.nstr(b, 3)}"
                 for e, a, b in zip(bridge.eps, bridge.gap_bptt, bridge.gap_ep)]))
    report.values["bridge"] = bridge.to_json()
