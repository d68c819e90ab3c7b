"""index.html and report.md for a model of other dynamics (discrete maps, continuous fields).

The page has the paper's report's look and pieces (:mod:`.html`: stylesheet,
Content-Security-Policy, statement table, plots) and its own sections: what
the statements compare for these dynamics, the fixed point of the map or
field with the spectrum and asymmetry of its Jacobian, EP against the true
gradient per step or time (``values.discrepancy``), the asymmetry sweep, the
derived objects (``eqprop-verify derive``) and how to reproduce the report.
"""

from __future__ import annotations

from .bundle import VERDICT_WORDS
from .html import CSP, css, esc, kv_table, num, plots_section, statements_table, table
from .markdown import md_table_rows as md_table
from .markdown import md_text
from .notation import html_math, unicode_math

ERNOULT = ("M. Ernoult, J. Grollier, D. Querlioz, Y. Bengio and B. Scellier, “Updates of Equilibrium Prop Match "
           "Gradients of Backprop Through Time in an RNN with Static Input”, NeurIPS 2019")
PAPER = ("B. Scellier and Y. Bengio, “Equivalence of Equilibrium Propagation and Recurrent Backpropagation”, "
         "Neural Computation 31(2), 2019")


def _discrete(b) -> bool:
    return b.report.settings.get("dynamics") == "discrete"


def kind_text(b) -> str:
    """One sentence: which dynamics this model has."""
    m, s = b.report.model, b.report.settings
    if _discrete(b):
        how = {"energy": f"one Euler step of an energy, F(s) = s − {s.get('step')} ∂E/∂s",
               "primitive": "the gradient of a primitive, F = ∂Φ/∂s",
               "field": "an [update] table, s_{t+1} = F(s_t) given directly"}.get(s.get("map"), s.get("map"))
        return (f"Discrete-time dynamics s_(t+1) = F(s_t), F being {how}; the second phase is compared over "
                f"K = {s['steps']} steps.")
    return f"Continuous dynamics without an energy: ds/dt = f(s) given as a [field] table ({len(m.state_names())} states)."


def intro(b) -> str:
    if _discrete(b):
        return ("The GDU property (Ernoult et al. 2019, Theorem 1, the discrete counterpart of the paper's "
                "Theorem 3 and Corollary 4): with s* the free fixed point of F and the nudged sequence "
                "s^β_(t+1) = F(s^β_t) − β ∂C/∂s(s^β_t) from s*, EP's updates ΔEP_s(t) and ΔEP_θ(t) equal, step by "
                "step, the gradients BPTT computes through the last t steps of the first phase. They hold when F "
                "is a gradient map (∂F/∂s symmetric); for a map that is not, the statements are not applicable "
                "and the discrepancy is measured instead. Each statement compares two independent routes: EP's "
                "nudged sequence with β → 0, BPTT by complex step on the unrolled map (never the Jacobian), and "
                "BPTT by the adjoint recursion at s*.")
    return ("The paper's finite-time statements applied to a field f that need not be a gradient: the true "
            "gradient of the truncated objective ∂L_t/∂s by complex step on the field's own flow, EP's estimate "
            "X̃_t (Eq 21 applied to the field), RBP with −H replaced by the Jacobian J (Eq 13 as one would naively "
            "write it) and with the correct adjoint Jᵀ. EP and naive RBP need J symmetric: for a field with a skew "
            "part they are not applicable, and the discrepancy is measured instead.")


def fixed_point_rows(b) -> list:
    fp = b.report.fixed_point
    if not fp.get("found"):
        return []
    rows = [("found by", fp.get("description") or fp.get("method")), ("residual", fp.get("residual"))]
    if fp.get("spectral_radius") is not None:
        rows.append(("spectral radius of ∂F/∂s", num(fp["spectral_radius"], 8)))
    eig = fp.get("jacobian_eigenvalues") or []
    rows.append(("eigenvalues of the Jacobian", ", ".join(num(e, 6) for e in eig[:12])
                 + (f" … ({len(eig)} in all)" if len(eig) > 12 else "")))
    rows.append(("asymmetry ‖J − Jᵀ‖/‖J‖", num(fp.get("asymmetry"), 6)))
    return rows


def discrepancy_rows(b) -> list:
    key = "step" if _discrete(b) else "time"
    return [[str(d[key]), num(d["relative_error"], 4), num(d["cosine"], 10)]
            for d in b.report.values.get("discrepancy") or []]


def sweep_rows(b) -> list:
    return [[r["alpha"], num(r["asymmetry"], 4), num(r["worst_relative_error"], 4), num(r["min_cosine"], 8),
             "" if r["ep_statement"] is None else f"{r['ep_statement']['id']}: {r['ep_statement']['status']}"]
            for r in (b.sweep or {}).get("rows", [])]


def settings_rows(b) -> list:
    s = b.report.settings
    rows = [("dps (requested precision)", s.get("dps")), ("guard digits", s.get("guard_digits")),
            ("dynamics", s.get("dynamics")), ("map", s.get("map"))]
    rows += [("steps K", s.get("steps")), ("step", s.get("step"))] if _discrete(b) else \
        [("times", ", ".join(s.get("times_exact", [])))]
    rows += [("β method", s.get("beta_method")), ("β plan", s.get("beta_plan")), ("seed", s.get("seed")),
             ("max directions", s.get("max_directions"))]
    return [(k, v) for k, v in rows if v is not None]


# ---------------------------------------------------------------------------- HTML
def _values_html(b) -> str:
    v = b.report.values
    out = []
    if _discrete(b):
        names = b.report.model.state_names()
        for key, title in (("bptt_s", "BPTT ∂L_t/∂s(s*) per step (complex step on the unrolled map)"),
                           ("delta_ep_s", "EP ΔEP_s(t) per step (β → 0)")):
            rows_t = v.get(key)
            if not rows_t:
                continue
            comp = names if len(rows_t[0]) == len(names) else [f"projection {i}" for i in range(len(rows_t[0]))]
            rows = [[f"<code>{esc(n)}</code>"] + [f"<span class='num'>{num(rows_t[k][i], 16)}</span>"
                                                  for k in range(len(rows_t))] for i, n in enumerate(comp)]
            out.append(f"<details><summary>{esc(title)}</summary>"
                       + table(["component"] + [f"t = {k}" for k in range(len(rows_t))], rows,
                                right=tuple(range(1, len(rows_t) + 1))) + "</details>")
    else:
        names = b.report.model.state_names()
        times = v.get("times", [])
        for key, title in (("dL_ds", "∂L_t/∂s, direct route"), ("X_tilde", "X̃_t, EP"),
                           ("X_rbp_JT", "RBP with Jᵀ"), ("X_rbp_J", "RBP with J (naive)")):
            if not v.get(key):
                continue
            rows = [[f"<code>{esc(n)}</code>"] + [f"<span class='num'>{num(v[key][k][i], 16)}</span>"
                                                  for k in range(len(times))] for i, n in enumerate(names)]
            out.append(f"<details><summary>{esc(title)}</summary>"
                       + table(["component"] + [f"t = {esc(t)}" for t in times], rows,
                                right=tuple(range(1, len(times) + 1))) + "</details>")
    return "\n".join(out) or "<p class='muted'>No values: the fixed point was not found.</p>"


def html(b) -> str:
    r = b.report
    m = r.model
    word = VERDICT_WORDS.get(b.verdict, b.verdict.upper())
    fp = r.fixed_point
    fixed = (kv_table([(k, esc(v)) for k, v in fixed_point_rows(b)]) if fp.get("found")
             else f"<p><strong>No usable fixed point:</strong> {esc(fp.get('reason'))}</p>")
    disc = discrepancy_rows(b)
    unit = "step t" if _discrete(b) else "time t"
    disc_html = (table([unit, "relative error ‖EP − true‖/‖true‖", "cosine(EP, true)"], disc, right=(1, 2))
                 if disc else "<p class='muted'>Not measured here: for a map with a primitive Φ (or an energy) "
                 "∂F/∂s is symmetric and the statements above compare EP with BPTT directly.</p>")
    sweep = ""
    if b.sweep:
        sweep = ("<h3>Asymmetry sweep</h3><p>The model re-checked with its input <code>alpha</code> set to each "
                 "value (same settings; <code>sweep.json</code> has the numbers).</p>"
                 + table(["α", "asymmetry", "EP's largest relative error", "smallest cosine", "EP statement"],
                          sweep_rows(b), right=(1, 2, 3)))
    derivation = (f"<p>The derived objects (<code>eqprop-verify derive {esc(b.model_arg)}</code>):</p>"
                  f"<pre>{esc(b.derivation)}</pre>" if b.derivation else
                  "<p class='muted'><code>derive</code> prints the objects of energies and discrete maps; a continuous "
                  "[field] is used as written:</p><pre>"
                  + esc("\n".join(f"d{k}/dt = {v}" for k, v in m.field_texts.items())) + "</pre>")
    toc = [("statements", "Verdict"), ("plots", "Plots"), ("fixed-point", "Fixed point"),
           ("discrepancy", "EP vs true gradient"), ("derivation", "Derivation"), ("values", "Values"),
           ("reproduce", "Reproduce")]
    nav = "".join(f'<a href="#{i}">{t}</a>' for i, t in toc)
    env = [(k, esc(v)) for k, v in r.environment.items()]
    timings = {**r.timings, **b.timings}
    t_rows = [(k, f"{v:.2f} s") for k, v in timings.items() if isinstance(v, (int, float))]
    from .. import __version__
    from .builder import shell_lines

    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eqprop-verify report: {esc(m.name)} — {esc(word)}</title>
<style>
{css()}</style>
</head>
<body>
<main>
<header>
<h1>Equilibrium Propagation against {'BPTT' if _discrete(b) else 'the true gradient'} on <code>{esc(m.name)}</code></h1>
<p class="subtitle">{esc(m.description)}<br>{esc(kind_text(b))}<br>Statements from {esc(ERNOULT if _discrete(b) else PAPER)}.</p>
</header>
<div class="banner {esc(b.verdict)}"><div class="word">{esc(word)}</div><p>{esc(b.summary())}</p></div>
<nav class="toc">{nav}</nav>

<section id="statements">
<h2>Verdict, statement by statement</h2>
<p>{esc(intro(b))} Errors are relative to the size of the compared quantity; the tolerance is derived from the
precision and the routes' own error estimates, never tuned. “digits” is −log<sub>10</sub> of the relative error.</p>
{statements_table(b)}
</section>

<section id="plots">
<h2>Plots</h2>
{plots_section(b)}
</section>

<section id="fixed-point">
<h2>The free fixed point s*</h2>
{fixed}
</section>

<section id="discrepancy">
<h2>EP against the true gradient</h2>
{disc_html}
{sweep}
</section>

<section id="derivation">
<h2>Derivation</h2>
{derivation}
</section>

<section id="values">
<h2>Values</h2>
<p>16 significant digits; report.json has every digit.</p>
{_values_html(b)}
</section>

<section id="reproduce">
<h2>Reproduce</h2>
<p>This report is regenerated (same numbers, same settings) by</p><pre>{esc(shell_lines(b.command))}</pre>
<p>and its check alone by</p><pre>{esc(shell_lines(b.check_command))}</pre>
<p class='small muted'>Model source: {esc(r.model.source)}</p>
<h3>Settings</h3>{kv_table([(k, html_math(str(v))) for k, v in settings_rows(b)])}
<h3>Environment</h3>{kv_table(env)}
<h3>Run time</h3>{kv_table(t_rows)}
</section>

<footer>Generated by eqprop-verify {esc(__version__)}. Files: <a href="report.md">report.md</a>,
<a href="report.json">report.json</a> (the <code>check --json</code> result, every number at full precision).
</footer>
</main>
</body>
</html>
"""


# ---------------------------------------------------------------------------- Markdown
def markdown(b) -> str:
    r = b.report
    m = r.model
    word = VERDICT_WORDS.get(b.verdict, b.verdict.upper())
    out = [f"# eqprop-verify report: `{m.name}`", "", md_text(m.description), "", md_text(kind_text(b)), "",
           f"Statements from {md_text(ERNOULT if _discrete(b) else PAPER)}.", "",
           f"**{word}** — {md_text(b.summary())}", "", "## Verdict", "", md_text(intro(b)), ""]
    out += md_table(["status", "statement", "Eq", "max \\|diff\\|", "max rel", "tolerance", "digits"],
                    [[f"**{c.status}**", f"`{c.id}` {md_text(unicode_math(c.title))}", ", ".join(c.equations),
                      num(c.max_abs_error), num(c.max_rel_error), num(c.tolerance),
                      "" if c.digits is None else f"{c.digits}"] for c in r.checks])
    out += [""]
    for c in r.checks:
        sides = c.compared + ["", ""]
        out.append(f"- **{c.id}**: {md_text(unicode_math(sides[0]))} **vs** {md_text(unicode_math(sides[1]))}.")
        if c.reason:
            out.append(f"  {'Not applicable' if not c.applicable else 'Note'}: {md_text(unicode_math(c.reason))}")
    out += ["", "## Plots", ""]
    for fname, title, caption in b.plot_list():
        out += [f"### {md_text(title)}", "", f"![{md_text(title)}]({fname})", "", md_text(caption), ""]
    out += ["## The free fixed point s*", ""]
    rows = fixed_point_rows(b)
    out += md_table(["", ""], [[md_text(k), md_text(v)] for k, v in rows]) if rows else \
        [f"No usable fixed point: {md_text(r.fixed_point.get('reason'))}"]
    disc = discrepancy_rows(b)
    if disc:
        out += ["", "## EP against the true gradient", ""]
        out += md_table(["step t" if _discrete(b) else "time t", "relative error", "cosine"], disc)
    if b.sweep:
        out += ["", "### Asymmetry sweep", ""]
        out += md_table(["α", "asymmetry", "EP's largest relative error", "smallest cosine", "EP statement"],
                        sweep_rows(b))
    if b.derivation:
        out += ["", "## Derivation", "", "```", b.derivation.rstrip("\n"), "```"]
    from .builder import shell_lines

    out += ["", "## Reproduce", "", "```sh", shell_lines(b.command), "```", "", "Its check alone:", "", "```sh",
            shell_lines(b.check_command), "```", ""]
    out += md_table(["setting", "value"], [[md_text(k), md_text(v)] for k, v in settings_rows(b)])
    out += ["", "Every number at full precision: [report.json](report.json). "
            "The same report as one self-contained page: [index.html](index.html).", ""]
    return "\n".join(out)
