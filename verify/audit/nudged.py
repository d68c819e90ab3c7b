"""Numeric checks on the nudged phase and the beta derivatives: Eq 19-24, 36-62.

Theorem 2, 3 and Corollary 4 as the check computes them (Eq 20-24), each
cross-checked where the audit has a second route: beta derivatives by a
complex step in beta (no extrapolation), nudged fixed points re-solved at
complex theta and beta (Eq 37-42), and time derivatives by the stencils of
:mod:`verify.stencil`. The misprints Eq 56 and 61 are also run as the
falsification variants of :mod:`verify.falsify`.
"""

from __future__ import annotations

import mpmath

from .. import stencil
from ..falsify import VARIANTS
from ..numbers import matvec
from ..routes import direct
from .bench import BETA_NUDGE, GENERIC_TIMES, mpf_of, times_of
from .findings import Finding, check, digits_of, fmt, from_result, outcome_of, tag


def _ep_terms(b):
    return [(b.ep.extrapolation_error, "extrapolation"), (b.ep.integration_error, "integrator (EP)")]


@check("20", "36")
def _eq20(b):
    out = [b.from_check("theorem2")]
    if b.ev.dJ is not None:
        bc, s = b.s_beta_beta_cs(mpmath.mpf(0))
        cs = b.im(b.c.dEbeta_dtheta(s, b.theta, bc))
        out.append(tag(b.compare("eq20-cs", ["20"], ["EP gradient by complex step in beta", "dJ/dtheta"],
                                  [b.ev.on_dJ(cs)],
                                  [b.ev.dJ], [mpmath.inf], b.ev.names_dJ, [], labels=("EP (complex step)", "dJ/dtheta"),
                                  condition=b.cond), "beta = i h, no extrapolation"))
    return out


@check("21")
def _eq21(b):
    b.ep
    return b.split("eq21", ["21"], ["EP X~", "RBP X_t"], b.ev.X_tilde, b.ev.X, b.names_s, _ep_terms(b),
                  ("X~_t (EP, beta -> 0)", "X_t (Cauchy problem)"))


@check("22")
def _eq22(b):
    b.ep
    return b.split("eq22", ["22"], ["EP Y~", "RBP Y_t"], b.ev.Y_tilde, b.ev.Y, b.names_p, _ep_terms(b),
                  ("Y~_t (EP, beta -> 0)", "Y_t (Cauchy problem)"))


@check("23")
def _eq23(b):
    return b.from_check("corollary4")


@check("24")
def _eq24(b):
    return b.from_check("eq24")


def _fp_compare(b, cid, eq, compared, A, B, names, labels):
    return b.compare(cid, [eq], compared, A, B, b.betas_fp, names, [], labels=labels, at="beta",
                     condition=b.cond)


@check("37")
def _eq37(b):
    A, B = [], []
    for beta in b.betas_fp:
        A.append([mpmath.im(b.c.cost(s, th)) / b.h for th, s in b.s_beta_theta_cs(beta)])
        bc, s = b.s_beta_beta_cs(beta)
        B.append(b.im(b.c.dEbeta_dtheta(s, b.theta, bc)))
    return _fp_compare(b, "eq37", "37", ["d/dtheta C(s^beta): complex step in theta, s^beta re-solved",
                                         "d/dbeta dE^beta/dtheta(s^beta): complex step in beta, s^beta re-solved"],
                       A, B, b.names_p, ("d/dtheta dE^beta/dbeta", "d/dbeta dE^beta/dtheta"))


@check("38")
def _eq38(b):
    dirs, full = direct.directions_for(b.p, 2, b.seed + 13)
    names = b.names_p if full else [f"projection {i}" for i in range(len(dirs))]
    A, B, est = [], [], mpmath.mpf(0)
    for beta in b.betas_fp:
        start = [mpmath.mpc(x) for x in b.s_beta(beta)]
        ra, rb = [], []
        for w in dirs:
            th_c = [mpmath.mpc(x, b.h * wk) for x, wk in zip(b.theta, w)]

            def dtheta_G(eps, th_c=th_c):    # d/dtheta.w G at beta + eps (complex step)
                bb = beta + eps
                return [mpmath.im(b.G(th_c, bb, b.solve_nudged(th_c, bb, start))) / b.h]

            def dbeta_G(eps, w=w):           # d/dbeta G at theta + eps w (complex step)
                th = [x + eps * wk for x, wk in zip(b.theta, w)]
                bc = mpmath.mpc(beta, b.h)
                return [mpmath.im(b.G(th, bc, b.solve_nudged(th, bc, start))) / b.h]

            da, ea = b.central(dtheta_G)
            db, eb = b.central(dbeta_G)
            est = max(est, ea, eb)
            ra.append(da[0])
            rb.append(db[0])
        A.append(ra)
        B.append(rb)
    m, _ = b.fd
    return b.compare("eq38", ["38"], [f"d/dbeta (central differences, order {2 * m}) of d/dtheta G (complex step)",
                                      "d/dtheta (central differences) of d/dbeta G (complex step)"],
                     A, B, b.betas_fp, names, [(est, "finite differences")],
                     labels=("d/dbeta d/dtheta E^beta(s^beta)", "d/dtheta d/dbeta E^beta(s^beta)"), at="beta",
                     condition=b.cond)


def _dbeta_G(b, beta):
    bc, s = b.s_beta_beta_cs(beta)
    return mpmath.im(b.G(b.theta, bc, s)) / b.h, [mpmath.im(x) / b.h for x in s]


@check("39")
def _eq39(b):
    A, B, second = [], [], mpmath.mpf(0)
    for beta in b.betas_fp:
        lhs, ds = _dbeta_G(b, beta)
        s = b.s_beta(beta)
        grad = [-f for f in b.c.extended_field(s, b.theta, beta)]
        term = mpmath.fsum(g * d for g, d in zip(grad, ds))
        second = max(second, abs(term))
        A.append([lhs])
        B.append([b.c.cost(s, b.theta) + term])
    f = _fp_compare(b, "eq39", "39", ["d/dbeta E^beta(s^beta) by complex step in beta (s^beta re-solved)",
                                      "dE^beta/dbeta(s^beta) + dE^beta/ds(s^beta) . ds^beta/dbeta"],
                    A, B, ["E^beta"], ("d/dbeta E^beta(s^beta)", "chain rule"))
    f.text += f"; the second term is {fmt(second, 2)} (it vanishes by Eq 41)"
    return f


@check("40")
def _eq40(b):
    A, B = [], []
    for beta in b.betas_fp:
        lhs, _ = _dbeta_G(b, beta)
        A.append([lhs])
        B.append([b.c.cost(b.s_beta(beta), b.theta)])
    return _fp_compare(b, "eq40", "40", ["d/dbeta E^beta(s^beta) by complex step in beta",
                                         "dE^beta/dbeta(s^beta) = C(s^beta)"], A, B, ["E^beta"],
                       ("d/dbeta E^beta(s^beta)", "C(s^beta)"))


@check("19", "41")
def _eq19(b):
    points = [(beta, b.s_beta(beta)) for beta in b.betas_fp[1:]]
    if b.ev.nudged_points:
        with (b.ep.precision if b.ev.ep else b.precision).context():
            points += [(beta, s) for beta, s in zip(b.ev.plan.betas, b.ev.nudged_points)]
    worst = max(max(abs(x) for x in b.c.extended_field(s, b.theta, beta)) / (1 + max(abs(v) for v in s))
                for beta, s in points)
    s1 = b.s_beta(mpf_of(BETA_NUDGE))
    eig = sorted(mpmath.eigsy(b.c.extended_hessian(s1, b.theta, mpf_of(BETA_NUDGE)), eigvals_only=True))
    tol = b.precision.rounding()
    outcome = "holds" if worst <= tol else "fails"
    return Finding(b.name, outcome, f"{b.name}: max |dE^beta/ds(s^beta)| = {fmt(worst, 2)} (tol {fmt(tol, 2)}) "
                   f"over beta in {{1/10, {len(points) - 1} betas of the EP plan}}; at beta = 1/10 the Hessian of "
                   f"E^beta has eigenvalues in [{fmt(eig[0], 4)}, {fmt(eig[-1], 4)}] (an energy minimum of E^beta)",
                   digits_of(worst))


@check("42")
def _eq42(b):
    A, B = [], []
    for beta in b.betas_fp:
        A.append([mpmath.im(b.G(th, beta, s)) / b.h for th, s in b.s_beta_theta_cs(beta)])
        B.append(b.c.dEbeta_dtheta(b.s_beta(beta), b.theta, beta))
    return _fp_compare(b, "eq42", "42", ["d/dtheta E^beta(s^beta): complex step in theta, s^beta re-solved",
                                         "dE^beta/dtheta(s^beta) (partial derivative)"], A, B, b.names_p,
                       ("d/dtheta E^beta(s^beta)", "dE^beta/dtheta(s^beta)"))


def _cs_terms(b):
    return [(b.beta_step["err"], "integrator (complex step in beta)")]


def _at(series, times):
    return [series[t] for t in times]


@check("43")
def _eq43(b):
    bs = b.beta_step
    D, est = b.stencil_d(lambda x: bs["Z"][x], b.centers, amplify_err=bs["err"])
    m = b.ev.stencil_order
    return b.compare("eq43", ["43"], [f"d/dt (order-{2 * m} central differences) of dS^beta/dbeta = Im S^(ih)/h",
                                      "d/dbeta of dS^beta/dt = Im F^(ih)(S^(ih))/h"],
                     D, _at(bs["W"], b.centers), list(b.centers), b.names_s,
                     [(est, "finite differences")] + _cs_terms(b), labels=("d/dt d/dbeta S", "d/dbeta d/dt S"))


def _readout_44(b):
    ep, c = b.ep, b.c
    with ep.precision.context():
        F0 = c.extended_field(ep.s0, ep.theta, 0)
        values, err = ep.readout(lambda beta, s: [(f - f0) / beta for f, f0 in
                                                  zip(c.extended_field(s, ep.theta, beta), F0)])
    return [values[b.ev.ep_times.index(t)] for t in b.ev.times], err


@check("44")
def _eq44(b):
    bs = b.beta_step
    R, err = _readout_44(b)
    return b.split("eq44", ["43", "44"], ["d2S/dbeta dt at beta=0 by complex step in beta",
                                            "lim 1/beta (dS^beta/dt - dS^0/dt), real beta extrapolated"],
                  _at(bs["W"], b.ev.times), R, b.names_s, _ep_terms(b) + [(err, "extrapolation")] + _cs_terms(b),
                  ("d2S/dbeta dt (complex step)", "Eq 44 limit"), cond=False)


@check("45")
def _eq45(b):
    R44, err = _readout_44(b)
    R45 = [[-x for x in v] for v in b.ev.X_tilde]
    f = b.split("eq45", ["44", "45"], ["Eq 44's limit", "lim 1/beta dS^beta/dt (= -X~ of Eq 21)"], R44, R45,
               b.names_s, _ep_terms(b) + [(err, "extrapolation")], ("Eq 44", "Eq 45"), cond=False)
    free, _ = b.flow(b.s0, b.ev.times)
    stay = max(max(abs(x - y) for x, y in zip(S, b.s0)) for S in free)
    f.text += (f"; dS^0/dt(s0,t) = -dE/ds(s0) = {fmt(b.ev.fixed_point.residual, 2)}, "
               f"max_t |S^0(s0,t) - s0| = {fmt(stay, 2)}")
    return f


@check("47")
def _eq47(b):
    bs = b.beta_step
    return b.split("eq47", ["46", "47"], ["d/dbeta|0 dE^beta/dtheta(S^beta) by complex step in beta",
                                            "lim 1/beta (...) with real beta extrapolated (Eq 22 readout)"],
                  _at(bs["Y"], b.ev.times), b.ev.Y_tilde, b.names_p, _ep_terms(b) + _cs_terms(b),
                  ("Eq 46 (complex step)", "Eq 47 (limit)"), cond=False)


@check("48")
def _eq48(b):
    bs = b.beta_step
    return b.split("eq48", ["48", "21"], ["X~ of Eq 21 (real beta extrapolated)",
                                            "-d2S/dbeta dt|0 of Eq 48 (complex step in beta)"],
                  b.ev.X_tilde, [[-x for x in bs["W"][t]] for t in b.ev.times], b.names_s,
                  _ep_terms(b) + _cs_terms(b), ("X~ (Eq 21)", "X~ (Eq 48)"), cond=False)


@check("49")
def _eq49(b):
    bs = b.beta_step
    return b.split("eq49", ["49", "22"], ["Y~ of Eq 22 (real beta extrapolated)",
                                            "d/dbeta|0 dE^beta/dtheta(S^beta) of Eq 49 (complex step in beta)"],
                  b.ev.Y_tilde, _at(bs["Y"], b.ev.times), b.names_p, _ep_terms(b) + _cs_terms(b),
                  ("Y~ (Eq 22)", "Y~ (Eq 49)"), cond=False)


@check("50")
def _eq50(b):
    ep = b.ep
    beta = ep.plan.betas[0]
    idx = {t: i for i, t in enumerate(b.ev.ep_times)}
    with ep.precision.context():
        row = ep.states[0]
        D, est = b.stencil_d(lambda x: row[idx[x]], b.centers, amplify_err=ep.integration_error * abs(beta))
        rhs = [b.c.extended_field(row[idx[t]], ep.theta, beta) for t in b.centers]
    m = b.ev.stencil_order
    f = b.compare("eq50", ["50"], [f"d/dt of the integrated nudged flow (order-{2 * m} central differences)",
                                   "-dE^beta/ds(S^beta)"], D, rhs, list(b.centers), b.names_s,
                  [(est, "finite differences")], labels=("dS^beta/dt", "-dE^beta/ds(S^beta)"))
    f.text += f" (beta = {fmt(beta, 3)}, from s_theta^0)"
    return f


def _generic_nudged(b):
    """The flow at beta = 1/10 + i h from s_gen at the stencil points of GENERIC_TIMES (Eq 51, 57)."""
    if "generic_nudged" in b.memo:
        return b.memo["generic_nudged"]
    m, delta = b.ev.stencil_order, b.ev.stencil_delta
    centers = {t: stencil.stencil_times(t, m, delta) for t in times_of(GENERIC_TIMES)}
    pts = sorted({x for v in centers.values() for x in v})
    beta = mpmath.mpc(mpf_of(BETA_NUDGE), b.h)
    states, err = b.flow(b.s_gen, pts, beta=beta)
    data = {"centers": centers, "beta": beta, "err": err,
            "S": {t: [mpmath.re(x) for x in S] for t, S in zip(pts, states)},
            "Z": {t: b.im(S) for t, S in zip(pts, states)},
            "Sc": dict(zip(pts, states))}
    b.memo["generic_nudged"] = data
    return data


@check("51", "52")
def _eq51(b):
    g = _generic_nudged(b)
    beta = mpmath.re(g["beta"])
    D, est = b.stencil_d(lambda x: g["Z"][x], g["centers"], amplify_err=g["err"])
    rhs = []
    for t in g["centers"]:
        S, Z = g["S"][t], g["Z"][t]
        Hb = b.c.extended_hessian(S, b.theta, beta)
        rhs.append([-c - hz for c, hz in zip(b.c.dC_ds(S, b.theta), matvec(Hb, Z))])
    f = b.compare("eq51", ["51", "52"], ["d/dt dS^beta/dbeta (complex step in beta, central differences in t)",
                                         "-d2E^beta/ds dbeta(S^beta) - d2E^beta/ds2(S^beta) dS^beta/dbeta"],
                  D, rhs, list(g["centers"]), b.names_s, [(est, "finite differences")],
                  labels=("d/dt dS/dbeta", "right side of Eq 51-52"))
    f.text += " (beta = 1/10, from s_gen)"
    return f


@check("57", "58")
def _eq57(b):
    g = _generic_nudged(b)
    beta_c = g["beta"]
    beta = mpmath.re(beta_c)
    A, B = [], []
    for t in g["centers"]:
        S, Z, Sc = g["S"][t], g["Z"][t], g["Sc"][t]
        A.append(b.im(b.c.dEbeta_dtheta(Sc, b.theta, beta_c)))
        cross = b.im(b.c.dC_dtheta([x + mpmath.mpc(0, b.h * z) for x, z in zip(S, Z)], b.theta))
        MZ = matvec(b.c.M(S, b.theta), Z)
        B.append([c + mz + beta * x for c, mz, x in zip(b.c.dC_dtheta(S, b.theta), MZ, cross)])
    f = b.compare("eq57", ["57", "58"], ["d/dbeta dE^beta/dtheta(S^beta(s,t)) by complex step in beta",
                                         "d2E^beta/dtheta dbeta(S^beta) + d2E^beta/dtheta ds(S^beta) dS^beta/dbeta"],
                  A, B, list(g["centers"]), b.names_p, [(g["err"], "integrator (complex step)")],
                  labels=("d/dbeta dE^beta/dtheta", "right side of Eq 57-58"))
    f.text += " (beta = 1/10, from s_gen)"
    return f


def _tangent_at_s0(b):
    """(d/dt Z by central differences, Z) at the stencil centres, Z = dS^beta/dbeta|0 (complex step)."""
    bs = b.beta_step
    D, est = b.stencil_d(lambda x: bs["Z"][x], b.centers, amplify_err=bs["err"])
    return D, [bs["Z"][t] for t in b.centers], est


@check("53", "54")
def _eq53(b):
    D, Z, est = _tangent_at_s0(b)
    dC, H = b.c.dC_ds(b.s0, b.theta), b.ev.cauchy.H
    rhs = [[-c - hz for c, hz in zip(dC, matvec(H, z))] for z in Z]
    return b.compare("eq53", ["53", "54"], ["d/dt dS^beta/dbeta|0 (complex step in beta, central differences in t)",
                                            "-dC/ds(s0) - H(s0) dS^beta/dbeta|0"], D, rhs, list(b.centers),
                     b.names_s, [(est, "finite differences")], labels=("d/dt dS/dbeta", "-dC/ds - H dS/dbeta"),
                     condition=b.cond)


@check("55")
def _eq55(b):
    bs = b.beta_step
    fwd, delta = b.forward_times
    d, est, amp = stencil.forward_derivative([bs["Z"][t] for t in fwd], delta)
    return b.compare("eq55", ["55"], [f"d/dt at t=0 of dS^beta/dbeta|0 (complex step in beta; one-sided "
                                      f"differences, {len(fwd)} points, delta={fmt(delta, 2)})", "-dC/ds(s0)"],
                     [d], [[-x for x in b.c.dC_ds(b.s0, b.theta)]], [mpmath.mpf(0)], b.names_s,
                     [(est, "finite differences"), (amp * bs["err"], "integrator (complex step)")],
                     labels=("d2S/dt dbeta(s0, 0)", "-dC/ds(s0)"))


def _variant(vid):
    return next(v for v in VARIANTS if v.id == vid)


@check("56")
def _eq56(b):
    D, Z, est = _tangent_at_s0(b)
    H = b.ev.cauchy.H
    printed = [[-x for x in matvec(H, z)] for z in Z]
    f = b.compare("eq56", ["56"], ["d/dt dS^beta/dbeta|0 (complex step in beta, central differences in t)",
                                      "-H(s0) dS^beta/dbeta|0 (Eq 56 as printed)"], D, printed, list(b.centers),
                     b.names_s, [(est, "finite differences")], labels=("d/dt dS/dbeta", "-H dS/dbeta (printed)"),
                     condition=b.cond)
    if f.outcome == "fails":
        # the same point, with the right side of Eq 53 beside the printed one
        k, j = _argmax(D, printed)
        t = list(b.centers)[k]
        correct = -b.c.dC_ds(b.s0, b.theta)[j] - matvec(H, Z[k])[j]
        f.counterexample = (f"{b.name}, t={fmt(t, 6)}, component {b.names_s[j]}: d/dt dS^beta/dbeta|0 = "
                            f"{fmt(D[k][j], 12)}, printed right side -H dS/dbeta = {fmt(printed[k][j], 12)}, "
                            f"Eq 53's right side -dC/ds - H dS/dbeta = {fmt(correct, 12)}")
    out = [f]
    v = _variant("eq56-as-printed").run(b.ev)
    out.append(Finding(b.name, outcome_of(v), f"{b.name} (falsification variant eq56-as-printed on EP states, "
                       f"beta extrapolated): rel. error {fmt(v.max_rel_error, 3)} vs tolerance {fmt(v.tolerance, 2)}",
                       v.digits))
    # corrected form: d/dt X~ = -H X~ with X~ = -d2S/dt dbeta
    bs = b.beta_step
    DW, estw = b.stencil_d(lambda x: bs["W"][x], b.centers, amplify_err=bs["err"])
    rhs = [[-x for x in matvec(H, bs["W"][t])] for t in b.centers]
    out.append(b.compare("eq56-corrected", ["56", "13"], ["d/dt d2S/dt dbeta|0", "-H d2S/dt dbeta|0"], DW, rhs,
                         list(b.centers), b.names_s, [(estw, "finite differences")],
                         labels=("d/dt d2S/dt dbeta", "-H d2S/dt dbeta"), condition=b.cond, role="corrected"))
    return out


def _argmax(A, B):
    best, where = -1, (0, 0)
    for k, (a, b) in enumerate(zip(A, B)):
        for j, (x, y) in enumerate(zip(a, b)):
            if abs(x - y) > best:
                best, where = abs(x - y), (k, j)
    return where


@check("59", "60")
def _eq59(b):
    bs = b.beta_step
    dC, M = b.c.dC_dtheta(b.s0, b.theta), b.ev.cauchy.M
    rhs = [[c + mz for c, mz in zip(dC, matvec(M, bs["Z"][t]))] for t in b.ev.times]
    return b.split("eq59", ["59", "60"], ["Y~_t = d/dbeta|0 dE^beta/dtheta(S^beta) (EP, real beta extrapolated)",
                                            "dC/dtheta(s0) + M(s0) dS^beta/dbeta|0 (complex step in beta)"],
                  b.ev.Y_tilde, rhs, b.names_p, _ep_terms(b) + _cs_terms(b),
                  ("Y~_t", "dC/dtheta + M dS/dbeta"))


@check("61")
def _eq61(b):
    b.ep
    v = _variant("eq61-as-printed").run(b.ev)
    Y0 = b.ev.Y_tilde[0]
    counter = ""
    if outcome_of(v) == "fails":
        j = max(range(b.p), key=lambda i: abs(Y0[i]))
        counter = (f"{b.name}, t=0, component {b.names_p[j]}: Y~_0 = {fmt(Y0[j], 12)} (EP, beta -> 0), "
                   f"printed 0; dC/dtheta(s0) = {fmt(b.c.dC_dtheta(b.s0, b.theta)[j], 12)}")
    f = from_result(b.name, v, counter)
    if f.outcome == "holds":
        f.text += " (this model's cost does not depend on theta: dC/dtheta = 0)"
    corrected = b.compare("eq61-corrected", ["61", "12", "59"], ["Y~_0 (EP)", "dC/dtheta(s0)"], [Y0],
                          [b.c.dC_dtheta(b.s0, b.theta)], [mpmath.mpf(0)], b.names_p, _ep_terms(b),
                          labels=("Y~_0", "dC/dtheta(s0)"), role="corrected")
    return [f, corrected]


@check("62")
def _eq62(b):
    ep = b.ep
    bs = b.beta_step
    D, est = b.stencil_d(lambda x: b.ev.ep_at(x)[1], b.centers,
                         amplify_err=ep.extrapolation_error + ep.integration_error)
    M = b.ev.cauchy.M
    rhs = [matvec(M, bs["W"][t]) for t in b.centers]
    m = b.ev.stencil_order
    return b.compare("eq62", ["62"], [f"d/dt Y~ (EP readout, order-{2 * m} central differences in t)",
                                      "M(s0) d2S/dt dbeta|0 (complex step in beta)"], D, rhs, list(b.centers),
                     b.names_p, [(est, "finite differences")] + _cs_terms(b),
                     labels=("d/dt Y~", "M d2S/dt dbeta"), condition=b.cond)

