"""The report's plots for other dynamics (docs/discrete.md), each a function of plain series.

- :func:`per_step`: discrete maps, BPTT's -dL_t/ds against EP's DeltaEP_s(t) per
  step t (and the parameter updates when the map has a Phi), with each
  statement's relative error per step beside its tolerance;
- :func:`field_routes`: continuous fields, the true gradient dL_t/ds (direct
  route), EP's X~_t and RBP with J and with J^T, per time;
- :func:`discrepancy`: EP against the true gradient per step or time
  (relative error and 1 - cosine), for maps and fields that are not gradients;
- :func:`sweep`: that discrepancy and the asymmetry against the skew parameter alpha;
- :func:`bridge`: the Euler bridge's gaps against eps, log-log, with the fitted orders.

The figures reuse :mod:`.plots`' canvas and style (Agg, no pyplot state, no timestamp).
"""

from __future__ import annotations


from .plots import COLORS, DASHES, MARKERS, figure, math_label, png_bytes, style

#: components drawn per panel (those with the largest values; the title says how many of how many)
COMPONENTS = 6


def _largest(rows, count=COMPONENTS):
    """Indices of the ``count`` components with the largest magnitude over ``rows``."""
    if not rows:
        return []
    size = [max(abs(row[i]) for row in rows) for i in range(len(rows[0]))]
    return sorted(range(len(size)), key=lambda i: -size[i])[:count]


def _subset(shown, total):
    return "every component" if shown == total else f"the {shown} of {total} largest components"


def _compare_panel(ax, ks, truth, ep, names, truth_label, ep_label, xlabel):
    """Lines with dots: the true gradient per component; open circles: EP's estimate."""
    idx = _largest(truth)
    for j, i in enumerate(idx):
        color = COLORS[j % len(COLORS)]
        ax.plot(ks, [row[i] for row in truth], color=color, linewidth=1.2, marker=".", markersize=4,
                label=math_label(names[i]))
        ax.plot(ks, [row[i] for row in ep], linestyle="none", marker="o", markersize=7, markerfacecolor="none",
                markeredgecolor=color, markeredgewidth=1.1)
    ax.axhline(0, color="#999999", linewidth=0.6)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_title(f"lines: {truth_label}; circles: {ep_label}\n({_subset(len(idx), len(names))})", fontsize=8)
    ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))


def _errors_panel(ax, series, xlabel, dps):
    """Each statement's relative error per step (markers), its tolerance (dashed)."""
    positive = [e for _, es, _ in series.values() for e in es if e > 0]
    floor = min(positive) / 10 if positive else 10.0 ** -(dps + 12)
    tolerances: list[list] = []     # [value, names]: tolerances within a factor 2 are drawn once, at the largest
    for j, (name, (ks, es, tol)) in enumerate(series.items()):
        color = COLORS[j % len(COLORS)]
        ax.plot(ks, [max(e, floor) for e in es], marker=MARKERS[j % len(MARKERS)], markersize=6 - 0.6 * j,
                markerfacecolor="none" if j % 2 else color, color=color, linewidth=1, label=name, zorder=2 + j)
        if tol is None:
            continue
        same = next((t for t in tolerances if max(t[0], tol) <= 2 * min(t[0], tol)), None)
        if same:
            same[0] = max(same[0], tol)
            same[1].append(name)
        else:
            tolerances.append([tol, [name]])
    for g, (tol, names) in enumerate(tolerances):
        label = (f"tolerance of {names[0]} ({tol:.1e})" if len(names) == 1 else
                 f"tolerance of {len(names)} statements (≤ {tol:.1e})")
        ax.axhline(tol, color="#555555", linestyle=DASHES[g % len(DASHES)], linewidth=0.9, label=label)
    ax.axhline(10.0 ** -dps, color="black", linestyle=":", linewidth=0.8)
    ax.text(0.99, 10.0 ** -dps, f" $10^{{-{dps}}}$ (dps)", fontsize=7, va="bottom", ha="right",
            transform=ax.get_yaxis_transform())
    ax.set_yscale("log")
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel("max relative error", fontsize=8)
    ax.set_title("relative error per step, beside the derived tolerance (dashed)", fontsize=8)
    ax.legend(fontsize=6.5, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)


def per_step(ks, bptt_s, ep_s, names_s, bptt_theta, ep_theta, names_p, errors, dps, ep_is_estimate) -> bytes:
    """Discrete maps: BPTT vs EP per step t for the state (and theta), and the errors per step."""
    panels = 3 if bptt_theta else 2
    fig = figure(4.3 * panels + 1.2, 4.4)
    axes = fig.subplots(1, panels)
    for ax in axes:
        style(ax)
    ep_label = "EP's $\\Delta^{EP}_s(t)$" + (" (not a gradient map: an estimate)" if ep_is_estimate else "")
    _compare_panel(axes[0], ks, bptt_s, ep_s, names_s, "BPTT $-\\partial L_t/\\partial s(s^*)$", ep_label,
                   "step $t$")
    if bptt_theta:
        _compare_panel(axes[1], ks, bptt_theta, ep_theta, names_p,
                       "BPTT $-\\partial_{\\theta'} C(F^t(F_{\\theta'}(s^*)))$", "$\\Delta^{EP}_\\theta(t)$",
                       "step $t$")
    _errors_panel(axes[-1], errors, "step $t$" + (" (gdu-sum: the update at step K)" if "gdu-sum" in errors else ""),
                  dps)
    for ax in axes:
        ax.set_xticks(list(ks))
    ends = sorted({x for xs, _, _ in errors.values() for x in xs} | set(ks))
    axes[-1].set_xticks(ends)
    axes[-1].set_xticklabels([f"K={x:g}" if x > max(ks) else f"{x:g}" for x in ends])
    fig.suptitle("GDU property (Ernoult et al. 2019): EP's updates of the second phase against BPTT, step by step",
                 fontsize=9)
    fig.tight_layout()
    return png_bytes(fig)


def field_routes(ts, direct, ep, naive, adjoint, names, errors, dps) -> bytes:
    """Continuous fields: dL_t/ds (direct) against EP's X~_t, expm(J t) g and expm(J^T t) g."""
    fig = figure(10.6, 4.4)
    left, right = fig.subplots(1, 2)
    for ax in (left, right):
        style(ax)
    idx = _largest(direct)
    for j, i in enumerate(idx):
        color = COLORS[j % len(COLORS)]
        left.plot(ts, [row[i] for row in direct], color=color, linewidth=1.3, marker=".", label=math_label(names[i]))
        left.plot(ts, [row[i] for row in ep], linestyle="none", marker="o", markersize=7, markerfacecolor="none",
                  markeredgecolor=color)
        left.plot(ts, [row[i] for row in naive], linestyle="none", marker="x", markersize=6, color=color)
        left.plot(ts, [row[i] for row in adjoint], linestyle="none", marker="+", markersize=9, color="black")
    left.set_xlabel("$t$", fontsize=8)
    left.set_title("lines: true $\\partial L_t/\\partial s$ (direct); circles: EP $\\tilde X_t$; "
                   "×: RBP with $J$; +: RBP with $J^T$\n(" + _subset(len(idx), len(names)) + ")", fontsize=8)
    left.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    _errors_panel(right, errors, "$t$", dps)
    right.set_title("relative error per time, beside the derived tolerance (dashed)", fontsize=8)
    fig.tight_layout()
    return png_bytes(fig)


def _log_floor(*series):
    """A floor for a log axis: a tenth of the smallest positive value drawn (zeros are drawn there, as ▼)."""
    positive = [v for values in series for v in values if v is not None and v > 0]
    return min(positive) / 10 if positive else 1e-30


def discrepancy(xs, rel, cos, xlabel, asymmetry) -> bytes:
    """EP's relative error and 1 - cosine against the true gradient, per step or time (zeros as ▼)."""
    fig = figure(7.4, 3.8)
    ax = fig.subplots()
    style(ax)
    one_minus = [None if c is None else max(1 - c, 0.0) for c in cos]
    floor = _log_floor(rel, one_minus)
    for values, marker, color, label in ((rel, "o", COLORS[1], "relative error ‖EP − true‖/‖true‖"),
                                         (one_minus, "s", COLORS[0], "1 − cosine(EP, true)")):
        pts = [(x, v) for x, v in zip(xs, values) if v is not None]
        ax.semilogy([x for x, _ in pts], [max(v, floor) for _, v in pts], marker=marker, color=color,
                    markerfacecolor="none" if marker == "s" else color, label=label)
        zeros = [x for x, v in pts if v <= 0]
        if zeros:
            ax.plot(zeros, [floor] * len(zeros), linestyle="none", marker="v", color=color, markersize=7)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_title(f"EP against the true gradient: asymmetry ‖J − Jᵀ‖/‖J‖ = {asymmetry:.3g} at s* "
                 "(▼: exactly 0)", fontsize=9)
    ax.legend(fontsize=7.5, frameon=False, loc="best")
    if all(float(x).is_integer() for x in xs):
        ax.set_xticks(list(xs))
    fig.tight_layout()
    return png_bytes(fig)


def sweep(alphas, worst, asym, status, model_alpha) -> bytes:
    """EP's worst relative error and the asymmetry against alpha (linear axes: the growth is the point).

    ``status`` is the EP statement's status per alpha: PASS where the dynamics
    are a gradient (its error is then at rounding level, written beside it).
    """
    fig = figure(7.4, 3.9)
    ax = fig.subplots()
    style(ax)
    ax.plot(alphas, worst, marker="o", color=COLORS[1], label="EP's largest relative error against the true gradient")
    ax.plot(alphas, asym, marker="s", markerfacecolor="none", color=COLORS[0], label="asymmetry ‖J − Jᵀ‖/‖J‖ at s*")
    for a, w, st in zip(alphas, worst, status):
        text = f"PASS (error {w:.1e})" if st == "PASS" else "N/A"
        ax.annotate(text, (a, w), fontsize=7, textcoords="offset points", xytext=(4, 6),
                    color="#2b5d2b" if st == "PASS" else "#555555")
    if model_alpha is not None:
        ax.axvline(model_alpha, color="#777777", linestyle=":", linewidth=1,
                   label=f"the model's alpha = {model_alpha:g}")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("$\\alpha$ (the skew part's size)", fontsize=8)
    ax.set_title("EP's error as the dynamics depart from a gradient (one check per α; PASS/N/A: the EP "
                 "statement)", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    fig.tight_layout()
    return png_bytes(fig)


def bridge(eps, gap_bptt, gap_ep, order_bptt, order_ep, tolerance) -> bytes:
    """The Euler bridge: both gaps against eps, log-log, with the fitted orders and a slope-1 guide."""
    fig = figure(7.0, 3.9)
    ax = fig.subplots()
    style(ax)
    ax.loglog(eps, gap_bptt, marker="o", color=COLORS[0],
              label=f"|BPTT ∂L_k/∂s − X_t| (RBP), fitted order {order_bptt:.3f}")
    ax.loglog(eps, gap_ep, marker="s", markerfacecolor="none", color=COLORS[1],
              label=f"|ΔEP_s(k) + X̃_t| (EP), fitted order {order_ep:.3f}")
    ref = [gap_bptt[-1] * e / eps[-1] for e in eps]
    ax.loglog(eps, ref, color="#777777", linestyle=":", linewidth=1, label="slope 1 (first order)")
    ax.set_xlabel("$\\varepsilon$ (Euler step; k = t/ε steps)", fontsize=8)
    ax.set_ylabel("gap relative to $\\|X_0\\|_\\infty$", fontsize=8)
    ax.set_title(f"Euler bridge: F = s − ε ∂E/∂s → the gradient flow (expected order 1 ± {tolerance:g})",
                 fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    fig.tight_layout()
    return png_bytes(fig)
