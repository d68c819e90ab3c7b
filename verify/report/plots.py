"""The report's plots (matplotlib, Agg, PNG), each a function of :class:`~.curves.Curves`.

- :func:`trajectories`: X_t (RBP closed form, lines) and X~_t (EP, markers) per
  state component, with the direct route's dL/ds (Theorem 1, 3; Corollary 4);
- :func:`errors`: each statement's relative error against t, beside its tolerance;
- :func:`beta_ladder`: Theorem 2's estimator error against beta, log-log, with
  the fitted slopes (1 one-sided, 2 symmetric);
- :func:`limit`: Y_t converging to dJ/dtheta (Eq 10), and X_t -> 0.

Figures are drawn on a bare :class:`~matplotlib.figure.Figure` with the Agg
canvas, so the caller's pyplot state and backend are never touched, and saved
without a timestamp so that the same numbers give the same bytes.
"""

from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..statements import STATEMENTS
from .curves import Curves
from .notation import unicode_math

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
DASHES = [(0, (4, 3)), (0, (8, 2, 1, 2)), (0, (10, 4)), (0, (2, 1))]
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
          "#7f7f7f", "#bcbd22"]
DPI = 110
STATEMENT_LABELS = {s.id: s.label or s.title for s in STATEMENTS}


def figure(width, height):
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def style(ax):
    ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
    ax.tick_params(labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _end_tick(ax, x_end: float) -> None:
    """The x axis from 0 to ``x_end`` with a tick at its end (readers look for where the data stop)."""
    ax.set_xlim(0, x_end)
    ticks = [t for t in ax.get_xticks() if 0 <= t <= x_end * (1 + 1e-9)]
    if not ticks or x_end - ticks[-1] > 1e-9 * x_end:
        if ticks and x_end - ticks[-1] < 0.4 * (ticks[1] - ticks[0] if len(ticks) > 1 else x_end):
            ticks = ticks[:-1]        # too close to the end tick to be read
        ticks.append(x_end)
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def math_label(name: str) -> str:
    """A component name as mathtext: s1[2] -> $s_{1}[2]$."""
    base, _, index = name.partition("[")
    head = base.rstrip("0123456789")
    digits = base[len(head):]
    text = head + (f"_{{{digits}}}" if digits else "")
    return f"${text}$" + (f"[{index}" if index else "")


def trajectories(c: Curves) -> bytes | None:
    """X_t (lines) and X~_t, dL/ds (markers) per state block over the check's time range."""
    if not c.X:
        return None
    t_max = max(c.check_t) if c.check_t and max(c.check_t) > 0 else c.dense_t[-1]
    idx = [k for k, t in enumerate(c.dense_t) if t <= t_max * (1 + 1e-9)]
    blocks = c.state_blocks
    cols = min(len(blocks), 3)
    rows = math.ceil(len(blocks) / cols)
    fig = figure(3.6 * cols + 0.4, 3.3 * rows + 0.5)
    axes = fig.subplots(rows, cols, squeeze=False)
    for a, (name, comps) in enumerate(blocks):
        ax = axes[a // cols][a % cols]
        style(ax)
        for j, i in enumerate(comps):
            color = COLORS[j % len(COLORS)]
            ax.plot([c.dense_t[k] for k in idx], [c.X[k][i] for k in idx], color=color, linewidth=1.4,
                    label=math_label(c.state_names[i]))
            if c.X_tilde:
                ax.plot(c.check_t, [row[i] for row in c.X_tilde], linestyle="none", marker="o",
                        markersize=6, markerfacecolor="none", markeredgecolor=color, markeredgewidth=1.2)
            if c.dL_ds:
                ax.plot(c.check_t, [row[i] for row in c.dL_ds], linestyle="none", marker="x", markersize=4,
                        color="black", markeredgewidth=0.9)
        ax.set_title(f"block {math_label(name)}", fontsize=9)
        ax.set_xlabel("$t$ (second phase)", fontsize=8)
        ax.axhline(0, color="#999999", linewidth=0.6)
        if t_max > 0:
            _end_tick(ax, t_max)
        if len(comps) <= 8:    # below the axes: a legend inside would cover curves
            ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                      ncol=min(len(comps), 4))
    for a in range(len(blocks), rows * cols):
        axes[a // cols][a % cols].set_visible(False)
    axes[0][0].set_ylabel("value", fontsize=8)
    fig.suptitle(r"$X_t = \partial L/\partial s$ (lines: RBP, Eq 11, 13)   "
                 r"$\tilde X_t = -\lim\, \frac{1}{\beta}\, \partial S^\beta/\partial t$ (circles: EP, Eq 21)   "
                 r"$\partial L/\partial s$ direct (crosses)", fontsize=9)
    fig.tight_layout()
    return png_bytes(fig)


def errors(c: Curves, dps: int) -> bytes | None:
    """Relative error against t for each statement checked at finite times, with its tolerance."""
    series = {k: v for k, v in c.errors.items() if v[0]}
    if not series:
        return None
    positive = [e for ts, es, tol in series.values() for e in es if e > 0]
    floor = min(positive) / 10 if positive else 10.0 ** -(dps + 12)
    fig = figure(8.2, 3.6)
    ax = fig.subplots()
    style(ax)
    tolerances: list[list] = []     # [value, statements, colour]; near-equal ones drawn once
    for j, (cid, (ts, es, tol)) in enumerate(series.items()):
        color = COLORS[j % len(COLORS)]
        shown = [max(e, floor) for e in es]
        # series that coincide stay visible: later ones are drawn smaller, on top, with their own marker
        ax.plot(ts, shown, marker=MARKERS[j % len(MARKERS)], markersize=7 - 0.7 * (j % 6),
                markerfacecolor="none" if j % 2 else color, color=color, linewidth=1.1, zorder=2 + j,
                label=STATEMENT_LABELS.get(cid, cid))
        zeros = [(t, floor) for t, e in zip(ts, es) if e <= 0]
        if zeros:
            ax.plot(*zip(*zeros), linestyle="none", marker="v", markersize=6, color=color)
        # tolerances within a factor 2 are one line on the log axis: drawn once, at the largest
        same = next((entry for entry in tolerances if max(entry[0], tol) <= 2 * min(entry[0], tol)), None)
        if same:
            same[0] = max(same[0], tol)
            same[1].append(STATEMENT_LABELS.get(cid, cid))
        else:
            tolerances.append([tol, [STATEMENT_LABELS.get(cid, cid)], color])
    for g, (tol, names, color) in enumerate(tolerances):
        shared = len(names) > 1
        label = (f"tolerance of {len(names)} statements (≤ {tol:.1e})" if shared
                 else f"tolerance of {names[0].split(' (')[0]} ({tol:.1e})")
        ax.axhline(tol, color="#555555" if shared else color, linestyle=DASHES[g % len(DASHES)], linewidth=0.9,
                   alpha=0.9, label=label)
    ax.axhline(10.0 ** -dps, color="black", linestyle=":", linewidth=0.9)
    ax.text(0.99, 10.0 ** -dps, f" $10^{{-{dps}}}$ (dps)", fontsize=7, va="bottom", ha="right",
            transform=ax.get_yaxis_transform())
    ax.set_yscale("log")
    ax.set_xlabel("$t$", fontsize=8)
    ax.set_ylabel("max relative error", fontsize=8)
    ax.set_title("error per statement against $t$ (dashed: the derived tolerances, equal ones drawn once; "
                 "▼: exact agreement)", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ts_all = [t for ts, _, _ in series.values() for t in ts]
    if max(ts_all) > 0:
        _end_tick(ax, max(ts_all))
    fig.tight_layout()
    return png_bytes(fig)


def beta_ladder(c: Curves) -> bytes | None:
    """Theorem 2's estimators against beta, log-log, with fitted slopes."""
    lad = c.ladder
    if lad is None or len(lad.betas) < 2:
        return None
    fig = figure(7.0, 3.9)
    ax = fig.subplots()
    style(ax)
    s1 = "?" if lad.slope_one_sided is None else f"{lad.slope_one_sided:.2f}"
    s2 = "?" if lad.slope_symmetric is None else f"{lad.slope_symmetric:.2f}"
    ax.loglog(lad.betas, lad.one_sided, marker="o", color=COLORS[0], markersize=4,
              label=r"one-sided $g(\beta)$, fitted slope " + s1)
    ax.loglog(lad.betas, lad.symmetric, marker="s", color=COLORS[1], markersize=4,
              label=r"symmetric $(g(\beta)+g(-\beta))/2$, fitted slope " + s2)
    if lad.extrapolated is not None:
        ax.text(0.02, 0.97, "the check extrapolates to $\\beta \\to 0$ from\n" + _wrap(unicode_math(lad.plan), 52)
                + f"\nand agrees with $\\partial J/\\partial\\theta$ to {lad.extrapolated:.1e} (relative)",
                transform=ax.transAxes, fontsize=7, va="top", ha="left", color="#2b5d2b",
                bbox={"boxstyle": "round", "facecolor": "#f3faf3", "edgecolor": "#b7d7b7"})
    ax.set_xlabel(r"$\beta$", fontsize=9)
    ax.set_ylabel(r"$\|g - \partial J/\partial\theta\|_\infty / \|\partial J/\partial\theta\|_\infty$",
                  fontsize=8)
    ax.set_title(r"Theorem 2 (Eq 20): $g(\beta) = \frac{1}{\beta}\,(\partial_\theta E^\beta(s^\beta)"
                 r" - \partial_\theta E(s^0))$ against $\partial J/\partial\theta$ (J route)", fontsize=9)
    ax.legend(fontsize=7.5, frameon=False, loc="lower right")
    fig.tight_layout()
    return png_bytes(fig)


#: how many components of Y_t the Eq 10 plot draws (those with the largest limit)
LIMIT_COMPONENTS = 6


def _nice_end(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= x."""
    if x <= 0:
        return 1.0
    p = 10.0 ** math.floor(math.log10(x))
    return next(m * p for m in (1, 2, 2.5, 5, 10) if m * p >= x * (1 - 1e-12))


def limit(c: Curves) -> bytes | None:
    """Eq 10: Y_t -> dJ/dtheta (components, and the distance on a log scale); X_t -> 0."""
    if not c.Y or c.dJ is None:
        return None
    fig = figure(10.4, 4.2)
    left, right = fig.subplots(1, 2)
    for ax in (left, right):
        style(ax)
    # the few components with the largest limit (the title says how many of how many)
    order = sorted(range(len(c.dJ)), key=lambda k: -abs(c.dJ[k]))[:LIMIT_COMPONENTS]
    for j, k in enumerate(order):
        color = COLORS[j % len(COLORS)]
        left.plot(c.dense_t, [row[k] for row in c.Y], color=color, linewidth=1.3, label=math_label(c.param_names[k]))
        left.axhline(c.dJ[k], color=color, linestyle=(0, (4, 3)), linewidth=0.8)
        if c.Y_tilde:
            left.plot(c.check_t, [row[k] for row in c.Y_tilde], linestyle="none", marker="o", markersize=5,
                      markerfacecolor="none", markeredgecolor=color)
    x_end = c.dense_t[-1]
    if c.lambda_min and c.lambda_min > 0:
        x_end = min(c.dense_t[-1], max(max(c.check_t or [0]) * 1.05, 8 / c.lambda_min))
    _end_tick(left, _nice_end(x_end))
    left.set_xlabel("$t$", fontsize=8)
    subset = (f"the {len(order)} of {len(c.dJ)} components with the largest $|\\partial J/\\partial\\theta|$"
              if len(order) < len(c.dJ) else "every component")
    left.set_title(r"$Y_t$ (lines: RBP; circles: EP $\tilde Y_t$) and $\partial J/\partial\theta$ (dashed)"
                   + "\n" + subset, fontsize=8.5)
    left.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))

    dist, xnorm = c.Y_dist or [], c.X_norm or []
    floor = 1e-300
    right.semilogy(c.dense_t, [max(v, floor) for v in dist], color=COLORS[0], linewidth=1.4,
                   label=r"$\|Y_t - \partial J/\partial\theta\|_\infty$ (RBP)")
    right.semilogy(c.dense_t, [max(v, floor) for v in xnorm], color=COLORS[1], linewidth=1.2,
                   label=r"$\|X_t\|_\infty$ (RBP)")
    if c.Y_tilde_dist:
        right.semilogy(c.check_t, [max(v, floor) for v in c.Y_tilde_dist],
                       linestyle="none", marker="o", markersize=6, markerfacecolor="none",
                       markeredgecolor=COLORS[0], label=r"$\|\tilde Y_t - \partial J/\partial\theta\|_\infty$ (EP)")
    if c.dL_dtheta_dist:
        right.semilogy(c.check_t, [max(v, floor) for v in c.dL_dtheta_dist],
                       linestyle="none", marker="x", markersize=4, color="black",
                       label=r"$\|\partial L/\partial\theta - \partial J/\partial\theta\|_\infty$ (direct)")
    if c.lambda_min and c.lambda_min > 0 and dist and dist[0] > 0:
        ref = [dist[0] * math.exp(-c.lambda_min * t) for t in c.dense_t]
        right.semilogy(c.dense_t, ref, color="#777777", linestyle=":", linewidth=1,
                       label=rf"$e^{{-\lambda_{{min}} t}}$, $\lambda_{{min}} = {c.lambda_min:.4g}$")
    right.set_xlabel("$t$", fontsize=8)
    _end_tick(right, c.dense_t[-1])
    right.set_title(r"Eq 10: $Y_t \to \partial J/\partial\theta$ and $X_t \to 0$ as $t \to \infty$", fontsize=8.5)
    right.legend(fontsize=6.5, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    fig.tight_layout()
    return png_bytes(fig)


#: file name, function, title, caption (what the reader should see)
PLOTS = [
    ("trajectories.png", "trajectories", "X_t (RBP) and X̃_t (EP) over t",
     "X_t = ∂L/∂s by Recurrent Backpropagation (lines: the Cauchy problem Eq 11–14 in closed form) "
     "and X̃_t = −lim (1/β) ∂S^β/∂t from the nudged phase of Equilibrium Propagation (circles, Eq 21), "
     "with the direct route's ∂L/∂s on the free flow (crosses), per state component. "
     "Theorem 3 and Corollary 4 say circles and crosses lie on the lines."),
    ("errors.png", "errors", "Error against t, per statement",
     "Each statement's largest relative error at each time t (the check's times), beside the tolerance the "
     "check derived for it (dashed) from the working precision and the routes' own error estimates; "
     "statements whose tolerances lie within a factor of 2 share one line (at the largest), named in the legend."),
    ("beta_ladder.png", "beta_ladder", "Theorem 2: EP gradient error against β",
     "Theorem 2's estimator at finite β from the free and nudged fixed points (Eq 19, 20), against ∂J/∂θ "
     "computed by re-solving the fixed point at perturbed θ. The one-sided estimate is first-order in β "
     "and the symmetric one second-order: the fitted slopes are the observed orders. The check itself "
     "extrapolates β → 0 (green)."),
    ("limit.png", "limit", "Eq 10: Y_t converging to ∂J/∂θ",
     "The gradient of the truncated objective, Y_t = ∂L/∂θ(θ, s⁰, t), converges to ∂J/∂θ "
     "as t → ∞, at the rate of the smallest Hessian eigenvalue; X_t = ∂L/∂s decays to 0. The left panel "
     "draws the components with the largest limit (its title says how many of how many); the right panel's "
     "distances are over every component."),
]


def render_all(c: Curves, dps: int) -> dict:
    """file name -> PNG bytes for every plot that has data."""
    out = {}
    for fname, fn, _, _ in PLOTS:
        png = errors(c, dps) if fn == "errors" else globals()[fn](c)
        if png is not None:
            out[fname] = png
    return out
