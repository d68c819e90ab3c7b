"""Numeric checks on the free flow and the truncated objective: Eq 2, 10-16, 25-35.

Eq 2 on the fixed point; Eq 10 (the t -> infinity limit) from s_theta^0 and a
generic state; the Cauchy problem Eq 11-16 against the direct route; the
identities of Theorem 1's proof (Eq 25-35) at a generic, non-fixed state
s_gen by complex steps on the flow and central differences (:mod:`verify.stencil`).
"""

from __future__ import annotations

import mpmath

from .. import stencil
from ..numbers import matvec
from ..routes import direct
from .bench import GENERIC_TIMES, LIMIT_TIMES, PROJECTIONS, mpf_of, times_of
from .findings import Finding, Missing, check, digits_of, fmt, outcome_of, tag


@check("2")
def _eq2(b):
    fp = b.ev.fixed_point
    if fp is None:
        return Finding(b.name, "n/a", f"{b.name}: {b.ev.fixed_point_error}")
    scale = 1 + max(abs(x) for x in fp.s)
    tol = b.precision.rounding()
    rel = fp.residual / scale
    kind = "strict minimum (H positive definite, as the text after Theorem 1 says)" if fp.is_strict_minimum \
        else fp.describe()
    outcome = "holds" if rel <= tol else "fails"
    return Finding(b.name, outcome, f"{b.name}: |dE/ds(s_theta^0)| = {fmt(fp.residual, 2)} (tol {fmt(tol, 2)}), "
                   f"Hessian eigenvalues in [{fmt(fp.hessian_eigenvalues[0], 4)}, {fmt(fp.hessian_eigenvalues[-1], 4)}]"
                   f": {kind}", digits_of(rel))


@check("10")
def _eq10(b):
    r = b.checks["eq10-limit"]
    if not r.applicable:
        return Finding(b.name, "n/a", f"{b.name}: {r.reason}")
    if not b.ev.dJ_route.full:
        raise Missing("the J route gave projections of dJ/dtheta (more than max_directions parameters)")
    dJ = b.ev.dJ
    lam = b.ev.fixed_point.hessian_eigenvalues[0]
    # at s = s_theta^0: |Y_t - dJ/dtheta| on the direct route
    at_s0 = [max(abs(y - g) for y, g in zip(Y, dJ)) for Y in b.ev.direct.Y.values] if b.ev.direct else []
    # at a generic initial state: dL/dtheta(theta, s_gen, T) . w -> dJ/dtheta . w, dL/ds . v -> 0
    T = times_of(LIMIT_TIMES)
    dirs_p, _ = direct.directions_for(b.p, 2, b.seed + 5)
    dirs_s, _ = direct.directions_for(b.n, 2, b.seed + 6)
    errs, xs, L_minus_J = [mpmath.mpf(0)] * len(T), [mpmath.mpf(0)] * len(T), [mpmath.mpf(0)] * len(T)
    J = b.c.cost(b.s0, b.theta)
    for w in dirs_p:
        th = [mpmath.mpc(x, b.h * wk) for x, wk in zip(b.theta, w)]
        states, _ = b.flow(b.s_gen, T, theta=th)
        target = mpmath.fsum(g * wk for g, wk in zip(dJ, w))
        for k, S in enumerate(states):
            errs[k] = max(errs[k], abs(mpmath.im(b.c.cost(S, th)) / b.h - target))
            L_minus_J[k] = max(L_minus_J[k], abs(mpmath.re(b.c.cost(S, th)) - J))
    for v in dirs_s:
        states, _ = b.flow(b.s_gen, T, direction=v)
        for k, S in enumerate(states):
            xs[k] = max(xs[k], abs(mpmath.im(b.c.cost(S, b.theta)) / b.h))
    floor = b.precision.rounding() * (1 + max(abs(g) for g in dJ))
    rate = (-mpmath.log(errs[-1] / errs[-2]) / (T[-1] - T[-2])) if errs[-1] > floor and errs[-2] > 0 else None
    decreasing = all(e2 <= e1 for e1, e2 in zip(errs, errs[1:]) if e2 > floor)
    ok_rate = rate is None or rate >= lam / 2
    outcome = outcome_of(r)
    if outcome == "holds" and not (decreasing and ok_rate):
        outcome = "inconclusive"
    text = (f"{b.name}: t -> infinity limit of the closed form vs dJ/dtheta by re-solved fixed points: "
            f"{r.digits} digits; at s_theta^0 |Y_t - dJ/dtheta| = "
            + ", ".join(f"{fmt(e, 2)} (t={fmt(t)})" for e, t in zip(at_s0, b.ev.times))
            + "; from s_gen: |dL/dtheta.w - dJ/dtheta.w| = "
            + ", ".join(f"{fmt(e, 2)} (T={fmt(t)})" for e, t in zip(errs, T))
            + (f", decay rate {fmt(rate, 3)} vs lambda_min(H) = {fmt(lam, 4)}" if rate is not None else "")
            + ", |dL/ds.v| = " + ", ".join(fmt(x, 2) for x in xs)
            + ", |L - J| = " + ", ".join(fmt(x, 2) for x in L_minus_J))
    return Finding(b.name, outcome, text, r.digits)


@check("15")
def _eq15(b):
    d = b.direct_route
    return b.split("eq15", ["15"], ["direct dL/ds", "RBP X_t"], d.X.values, d.X.project(b.ev.X),
                  direct_names(d.X, b.names_s), [(d.error_estimate, "integrator (direct)")],
                  ("dL/ds (direct)", "X_t (Cauchy problem)"))


@check("16")
def _eq16(b):
    d = b.direct_route
    return b.split("eq16", ["16"], ["direct dL/dtheta", "RBP Y_t"], d.Y.values, d.Y.project(b.ev.Y),
                  direct_names(d.Y, b.names_p), [(d.error_estimate, "integrator (direct)")],
                  ("dL/dtheta (direct)", "Y_t (Cauchy problem)"))


def direct_names(directional, names):
    return list(names) if directional.full else [f"projection {i}" for i in range(len(directional.directions))]


@check("25", "11")
def _eq25(b):
    d = b.direct_route
    if b.ev.times[0] != 0:
        raise Missing("t = 0 is not among the times")
    X0 = b.c.dC_ds(b.s0, b.theta)
    return b.compare("eq25", ["25"], ["direct dL/ds at t=0", "dC/ds(s0)"], [d.X.values[0]], d.X.project([X0]),
                     [mpmath.mpf(0)], direct_names(d.X, b.names_s), [(d.error_estimate, "integrator (direct)")],
                     labels=("dL/ds(s0, 0)", "dC/ds(s0)"))


@check("26", "12")
def _eq26(b):
    d = b.direct_route
    if b.ev.times[0] != 0:
        raise Missing("t = 0 is not among the times")
    Y0 = b.c.dC_dtheta(b.s0, b.theta)
    return b.compare("eq26", ["26"], ["direct dL/dtheta at t=0", "dC/dtheta(s0)"], [d.Y.values[0]],
                     d.Y.project([Y0]), [mpmath.mpf(0)], direct_names(d.Y, b.names_p),
                     [(d.error_estimate, "integrator (direct)")], labels=("dL/dtheta(s0, 0)", "dC/dtheta(s0)"))


@check("27")
def _eq27(b):
    times = times_of(GENERIC_TIMES)
    s = b.s_gen
    F = b.c.extended_field(s, b.theta, 0)         # -dE/ds(s)
    real, err = b.flow(s, times)
    lhs = [[b.dL_dt(S)] for S in real]
    grads = [[mpmath.mpf(0)] * b.n for _ in times]
    errs = [err]
    for k in range(b.n):
        e = [1 if i == k else 0 for i in range(b.n)]
        states, e_err = b.flow(s, times, direction=e)
        errs.append(e_err)
        for i, S in enumerate(states):
            grads[i][k] = mpmath.im(b.c.cost(S, b.theta)) / b.h
    rhs = [[mpmath.fsum(g * f for g, f in zip(G, F))] for G in grads]
    return b.compare("eq27", ["27"], ["dL/dt = dC/ds(S).F(S) on the flow from s_gen",
                                      "-dL/ds . dE/ds(s_gen), dL/ds by complex step"],
                     lhs, rhs, times, ["dL/dt"], [(max(errs), "integrator")],
                     labels=("dL/dt", "-dL/ds . dE/ds"))


@check("28")
def _eq28(b):
    s = b.s_gen
    half, one = mpf_of("1/2"), mpf_of(1)
    pairs = [(half, half), (half, one), (one, one), (one, 2 * one)]
    ends = sorted({u for u, _ in pairs} | {u + t for u, t in pairs})
    states, err = b.flow(s, ends)
    at = dict(zip(ends, states))
    A, B, worst_state = [], [], mpmath.mpf(0)
    for u, t in pairs:
        (S,), e2 = b.flow(at[u], [t])
        err = max(err, e2)
        A.append([b.c.cost(S, b.theta)])
        B.append([b.c.cost(at[u + t], b.theta)])
        worst_state = max(worst_state, max(abs(x - y) for x, y in zip(S, at[u + t])))
    f = b.compare("eq28", ["28"], ["L(S^0(s,u), t): integrate to u, restart, integrate for t",
                                   "L(s, t+u): one integration"], A, B, list(range(len(pairs))), ["L"],
                  [(err, "integrator")], labels=("L(S^0(s,u),t)", "L(s,t+u)"), at="pair")
    f.text += (f"; (u,t) in {{(1/2,1/2), (1/2,1), (1,1), (1,2)}} from s_gen; the states agree too: "
               f"max |S^0(S^0(s,u),t) - S^0(s,t+u)| = {fmt(worst_state, 2)}")
    return f


def _eq30_data(b):
    if "eq30" in b.memo:
        return b.memo["eq30"]
    s, u, t = b.s_gen, mpf_of("1/2"), mpf_of(1)
    m, delta = b.fd
    us = [u + j * delta for j in range(-m, m + 1)]
    S_u, err = b.flow(s, us)
    L, ends = [], []
    for Su in S_u:
        (S,), e2 = b.flow(Su, [t])
        err = max(err, e2)
        ends.append(S)
        L.append([b.c.cost(S, b.theta)])
    dLdu, est = stencil.derivative(L, m, delta)
    Su = S_u[m]
    A = b.dL_dt(ends[m])                                          # dL/dt(S^0(s,u), t)
    F = b.c.extended_field(Su, b.theta, 0)
    (Sc,), e3 = b.flow(Su, [t], direction=F)
    C31 = mpmath.im(b.c.cost(Sc, b.theta)) / b.h                  # dL/ds(S^0(s,u),t) . (-dE/ds(S^0(s,u)))
    b.memo["eq30"] = (A, dLdu[0], C31, est, max(err, e3))
    return b.memo["eq30"]


@check("30")
def _eq30(b):
    A, dLdu, _, est, err = _eq30_data(b)
    m, delta = b.fd
    return b.compare("eq30", ["30"], ["dL/dt(S^0(s,u),t) = dC/ds(S).F(S) at the end state",
                                      f"d/du L(S^0(s,u),t) by order-{2 * m} central differences in u"],
                     [[A]], [[dLdu]], [mpf_of("1/2")], ["L"], [(est, "finite differences"), (err, "integrator")],
                     labels=("dL/dt(S^0(s,u),t)", "d/du L(S^0(s,u),t)"), at="u")


@check("31")
def _eq31(b):
    _, dLdu, C31, est, err = _eq30_data(b)
    return b.compare("eq31", ["31"], ["d/du L(S^0(s,u),t) by central differences in u",
                                      "-dL/ds(S^0(s,u),t) . dE/ds(S^0(s,u)) (complex step along the field)"],
                     [[dLdu]], [[C31]], [mpf_of("1/2")], ["L"], [(est, "finite differences"), (err, "integrator")],
                     labels=("d/du L", "-dL/ds . dE/ds"), at="u", role="corrected")


def _second_order(b, space):
    """Eq 32 (space 's') or Eq 34 (space 'theta') at s_gen, projected on directions; returns a Finding."""
    times = times_of(GENERIC_TIMES)
    s = b.s_gen
    g = [-f for f in b.c.extended_field(s, b.theta, 0)]       # dE/ds(s_gen)
    size = b.n if space == "s" else b.p
    dirs, full = direct.directions_for(size, PROJECTIONS, b.seed + (11 if space == "s" else 12))
    names = (b.names_s if space == "s" else b.names_p) if full else [f"projection {i}" for i in range(len(dirs))]
    A = [[None] * len(dirs) for _ in times]
    B = [[None] * len(dirs) for _ in times]
    err, est = mpmath.mpf(0), mpmath.mpf(0)
    H, M = b.c.H(s, b.theta), b.c.M(s, b.theta)
    for d_i, v in enumerate(dirs):
        if space == "s":
            th, start_dir = b.theta, v
            third = matvec(H, v)                                 # dL/ds . (d2E/ds2 v)
        else:
            th = [mpmath.mpc(x, b.h * vk) for x, vk in zip(b.theta, v)]
            start_dir = None
            third = [mpmath.fsum(M[k, j] * v[k] for k in range(b.p)) for j in range(b.n)]  # M^T w
        # term 1: d2L/dt dx . v by complex step of dL/dt
        states, e1 = b.flow(s, times, theta=th, direction=start_dir)
        t1 = [mpmath.im(b.dL_dt(S, th)) / b.h for S in states]
        # term 2: (d2L/ds dx . dE/ds) . v by central differences along dE/ds of a complex step
        def along_g(eps, th=th, start_dir=start_dir):
            nonlocal err
            st, e = b.flow([x + eps * gx for x, gx in zip(s, g)], times, theta=th, direction=start_dir)
            err = max(err, e)
            return [mpmath.im(b.c.cost(S, th)) / b.h for S in st]
        t2, e2 = b.central(along_g)
        est = max(est, e2)
        # term 3: dL/ds . (d2E/ds dx v) by one complex step along that vector
        states, e3 = b.flow(s, times, direction=third)
        t3 = [mpmath.im(b.c.cost(S, b.theta)) / b.h for S in states]
        err = max(err, e1, e3)
        for k in range(len(times)):
            A[k][d_i] = t1[k]
            B[k][d_i] = -(t2[k] + t3[k])
    eq = "32" if space == "s" else "34"
    x = "ds" if space == "s" else "dtheta"
    m, _ = b.fd
    f = b.compare(f"eq{eq}", [eq], [f"d2L/dt {x} by complex step of dL/dt = dC/ds(S).F(S)",
                                    f"-(d2L/ds {x} . dE/ds + dL/ds . d2E/ds {x}): complex steps, order-{2 * m} "
                                    "central differences along dE/ds(s_gen)"],
                  A, B, times, names, [(est, "finite differences"), (err, "integrator")],
                  labels=(f"d2L/dt {x}", f"-(d2L/ds {x} . dE/ds + dL/ds . d2E/ds {x})"))
    f.text += f" (at s_gen, t in {{{', '.join(GENERIC_TIMES)}}}, {'all components' if full else f'{len(dirs)} random projections'})"
    return f


@check("32")
def _eq32(b):
    return _second_order(b, "s")


@check("34")
def _eq34(b):
    return _second_order(b, "theta")


def _direct_time_derivative(b, which):
    res, idx = b.direct_stencil
    values = res.X.values if which == "X" else res.Y.values
    D, est = b.stencil_d(lambda x: values[idx[x]], b.centers, amplify_err=res.error_estimate)
    Xc = [res.X.values[idx[t]] for t in b.centers]
    mat = b.ev.cauchy.H if which == "X" else b.ev.cauchy.M
    rhs = [[-v for v in matvec(mat, X)] for X in Xc]
    m, delta = b.ev.stencil_order, b.ev.stencil_delta
    eq, name, names = ("33", "H", b.names_s) if which == "X" else ("35", "M", b.names_p)
    return b.compare(f"eq{eq}", [eq], [f"d/dt of the direct route's dL/d{'s' if which == 'X' else 'theta'} "
                                       f"(order-{2 * m} central differences, delta={fmt(delta, 2)})",
                                       f"-{name}(s0) dL/ds (direct)"],
                     D, rhs, list(b.centers), names, [(est, "finite differences")],
                     labels=(f"d/dt dL/d{'s' if which == 'X' else 'theta'}", f"-{name} dL/ds"), condition=b.cond)


@check("33")
def _eq33(b):
    return _direct_time_derivative(b, "X")


@check("35")
def _eq35(b):
    return _direct_time_derivative(b, "Y")


@check("13")
def _eq13(b):
    return [tag(_eq33(b), "direct route"), tag(b.from_check("cauchy-ode"), "cauchy-ode")]


@check("14")
def _eq14(b):
    return [tag(_eq35(b), "direct route"), tag(b.from_check("cauchy-ode"), "cauchy-ode")]

