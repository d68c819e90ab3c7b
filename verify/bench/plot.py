"""Plots of the benchmark results (matplotlib, Agg)."""

from __future__ import annotations

import io


def check_figure(results: dict) -> bytes:
    """PNG: (c) check time vs n on log-log axes, (d) digits of X~ vs nudged integrations."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for backend, size in results.get("size", {}).items():
        rows = size["rows"]
        ax1.loglog([r["n"] for r in rows], [r["seconds"] for r in rows], "o-",
                   label=f"{backend}: time ~ n^{size['exponent_in_n'] or 0:.2f}")
    ax1.set_xlabel("state dimension n (paper-hopfield, s1 = s2)")
    ax1.set_ylabel("full check, seconds")
    ax1.set_title("(c) check time vs model size")
    ax1.legend()
    by_method: dict = {}
    for r in results.get("beta_methods", []):
        by_method.setdefault(r["method"], []).append(r)
    for method, rows in by_method.items():
        forced = [r for r in rows if not r.get("own_plan")]
        own = [r for r in rows if r.get("own_plan")]
        color = None
        if forced:
            line, = ax2.plot([r["integrations"] for r in forced], [r["digits"] for r in forced], "o-", label=method)
            color = line.get_color()
        if own:
            ax2.plot([r["integrations"] for r in own], [r["digits"] for r in own], "*", markersize=13, color=color,
                     label=f"{method}: the check's own plan" if forced else method)
    ax2.set_xlabel("nudged integrations (Eq 18)")
    ax2.set_ylabel("digits of X~ vs the RBP closed form")
    ax2.set_title("(d) beta -> 0: digits vs cost (paper-hopfield, t = 1)\nlines: ladders from beta = 1e-3; stars: the check's own plans", fontsize=10)
    ax2.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()
