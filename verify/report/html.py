"""index.html: one self-contained page (no scripts, no fonts or images fetched).

Plots are inline PNG data URIs, equations are MathML, the stylesheet is inline,
and a Content-Security-Policy (``default-src 'none'``) makes the browser refuse
any request that would leave the file, should one ever slip in.
"""

from __future__ import annotations

import base64
from html import escape
from importlib import resources

import mpmath

from .bundle import VERDICT_WORDS, Bundle
from .extras import proof_outcome
from .notation import html_math

#: significant digits of the gradient table (HTML and Markdown alike)
GRADIENT_DIGITS = 22

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
PAPER = ("B. Scellier and Y. Bengio, “Equivalence of Equilibrium Propagation and Recurrent "
         "Backpropagation”, Neural Computation 31(2), 2019 (arXiv:1711.08416)")


def css() -> str:
    return resources.files(__package__).joinpath("report.css").read_text(encoding="utf-8")


def num(value, digits: int = 2) -> str:
    """A decimal string (or number) rounded for display; '-' for None."""
    if value is None:
        return "–"
    try:
        if isinstance(value, str) and value.endswith("j"):    # a complex eigenvalue, "a+bj" or "a+-bj"
            return mpmath.nstr(mpmath.mpmathify(value.replace("+-", "-")), digits)
        return mpmath.nstr(mpmath.mpf(value), digits)
    except (TypeError, ValueError, AttributeError):
        return str(value)


def esc(text) -> str:
    return escape("" if text is None else str(text))


def _status_class(status: str) -> str:
    return "NA" if status == "N/A" else status


def table(headers, rows, cls="", right=()) -> str:
    head = "".join(f'<th class="r">{h}</th>' if i in right else f"<th>{h}</th>" for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = "".join(f'<td class="r">{c}</td>' if i in right else f"<td>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def kv_table(rows) -> str:
    return '<table class="kv"><tbody>' + "".join(f"<tr><td>{esc(k)}</td><td>{v}</td></tr>" for k, v in rows) \
        + "</tbody></table>"


# ---------------------------------------------------------------------------- sections
def statements_table(b: Bundle) -> str:
    rows = []
    for c in b.report.checks:
        status = f'<span class="status {_status_class(c.status)}">{esc(c.status)}</span>'
        name = f"<strong>{esc(c.id)}</strong><br><span class='small'>{html_math(c.title)}</span>"
        eqs = ", ".join(esc(e) for e in c.equations)
        sides = c.compared + ["", ""]
        compared = (f"<div><span class='side'>side A</span> {html_math(sides[0])}</div>"
                    f"<div><span class='side'>side B</span> {html_math(sides[1])}</div>")
        if c.worst:
            compared += f"<div class='muted'>largest error at {html_math(c.worst)}</div>"
        if not c.applicable:
            compared += f"<div><strong>not applicable:</strong> {html_math(c.reason)}</div>"
        elif c.reason:
            compared += f"<div><strong>note:</strong> {html_math(c.reason)}</div>"
        tol = (f"<span class='num'>{num(c.tolerance)}</span><br><span class='small muted'>"
               f"{html_math(c.tolerance_origin)}</span>") if c.tolerance is not None else "–"
        digits = f"<span class='digits'>{c.digits}</span>" if c.digits is not None else "–"
        rows.append([status, name, eqs, compared, f"<span class='num'>{num(c.max_abs_error)}</span>",
                     f"<span class='num'>{num(c.max_rel_error)}</span>", tol, digits])
    return table(["status", "statement", "Eq", "compared (two independent routes)", "max |diff|",
                   "max rel", "tolerance (origin)", "digits"], rows, "statements", right=(4, 5, 7))


def plots_section(b: Bundle) -> str:
    out = []
    for fname, title, caption in b.plot_list():
        data = base64.b64encode(b.plots[fname]).decode("ascii")
        out.append(f'<figure id="plot-{esc(fname[:-4])}"><img decoding="sync" src="data:image/png;base64,{data}" '
                   f'alt="{esc(title)}"><figcaption><strong>{html_math(title)}.</strong> {html_math(caption)}</figcaption>'
                   "</figure>")
    if b.curves is not None and b.curves.notes:
        out.append("<p class='muted small'>" + "<br>".join(esc(n) for n in b.curves.notes) + "</p>")
    if not out:
        out.append("<p class='muted'>No plots: the check produced no data to draw.</p>")
    return "\n".join(out)


def fixed_point_section(b: Bundle) -> str:
    fp = b.report.fixed_point
    if not fp.get("found"):
        return f"<p><strong>No critical point of E was found:</strong> {esc(fp.get('reason'))}</p>"
    names = b.report.model.state_names()
    rows = [[f"<code>{esc(n)}</code>", f"<span class='num'>{num(v, 24)}</span>"] for n, v in zip(names, fp["s"])]
    eig = ", ".join(num(e, 6) for e in fp["hessian_eigenvalues"])
    return (kv_table([("kind", esc(fp.get("description", ""))),
                 ("residual ‖∂E/∂s(s⁰)‖∞", f"<span class='num'>{esc(fp.get('residual'))}</span>"),
                 ("Hessian eigenvalues", f"<span class='num'>{esc(eig)}</span>"),
                 ("strict minimum", "yes" if fp.get("strict_minimum") else "no"),
                 ("found by", esc(fp.get("method")))])
            + "<h3>s<sub>θ</sub><sup>0</sup> (24 significant digits; full precision in report.json)</h3>"
            + table(["component", "value"], rows, right=(1,)))


def gradient_section(b: Bundle) -> str:
    v = b.report.values
    if v.get("dJ_dtheta") is None:
        return "<p class='muted'>∂J/∂θ was not computed (no strict minimum of E).</p>"
    names = b.report.model.param_names()
    if v.get("dJ_dtheta_is_projection"):   # a large model: seeded random projections, as the direct route's
        names = [f"projection {k}" for k in range(len(v["dJ_dtheta"]))]
    rows = []
    for k, n in enumerate(names):
        dj, ep, yl = v["dJ_dtheta"][k], v["ep_gradient"][k], v["Y_limit"][k]
        rows.append([f"<code>{esc(n)}</code>", f"<span class='num'>{num(dj, GRADIENT_DIGITS)}</span>",
                     f"<span class='num'>{num(ep, GRADIENT_DIGITS)}</span>",
                     f"<span class='num'>{num(yl, GRADIENT_DIGITS)}</span>"])
    return ("<p>The gradient of the objective J(θ) = C<sub>θ</sub>(s<sub>θ</sub><sup>0</sup>) (Eq 3) by three "
            "routes: re-solving the fixed point at perturbed θ (J route), Equilibrium Propagation's formula "
            "Eq 20 from nudged fixed points extrapolated to β → 0 (Theorem 2), and the limit t → ∞ of "
            f"Recurrent Backpropagation's Y<sub>t</sub> (Eq 10). {GRADIENT_DIGITS} significant digits shown.</p>"
            + table(["θ component", "∂J/∂θ (J route)", "EP, Eq 20 (β → 0)", "RBP, lim Yₜ (Eq 10)"], rows,
                     right=(1, 2, 3)))


def values_section(b: Bundle) -> str:
    v = b.report.values
    times = v.get("times", [])
    if not times:
        return ""
    quantities = [("X", "X_t = ∂L/∂s, RBP closed form (Eq 11, 13)", b.report.model.state_names()),
                  ("X_tilde", "X̃_t, EP (Eq 21)", b.report.model.state_names()),
                  ("dL_ds", "∂L/∂s, direct route (Eq 9, 15)", b.report.model.state_names()),
                  ("Y", "Y_t = ∂L/∂θ, RBP closed form (Eq 12, 14)", b.report.model.param_names()),
                  ("Y_tilde", "Ỹ_t, EP (Eq 22)", b.report.model.param_names()),
                  ("dL_dtheta", "∂L/∂θ, direct route (Eq 9, 16)", b.report.model.param_names())]
    out = ["<p>The vectors each route computed at each time t of the second phase (16 significant digits; "
           "report.json has every digit).</p>"]
    for key, title, names in quantities:
        if key not in v or not v[key]:
            continue
        if v.get(f"{key}_is_projection"):
            names = [f"projection {i}" for i in range(len(v[key][0]))]
        rows = [[f"<code>{esc(n)}</code>"] + [f"<span class='num'>{num(v[key][k][i], 16)}</span>"
                                              for k in range(len(times))] for i, n in enumerate(names)]
        out.append(f"<details><summary>{html_math(title)}</summary>"
                   + table(["component"] + [f"t = {esc(t)}" for t in times], rows,
                            right=tuple(range(1, len(times) + 1))) + "</details>")
    return "\n".join(out)


def equations_section(b: Bundle) -> str:
    out = ["<p>The paper's objects derived symbolically for this model (sympy; <code>eqprop-verify derive "
           f"{esc(b.model_arg)}</code>), written per state and parameter block: ⊙ is the elementwise product, "
           "ᵀ the transpose, s<sup>0</sup> the free fixed point, s<sup>β</sup> the nudged fixed point and "
           "s<sup>β</sup>(t) = S<sup>β</sup>(s<sup>0</sup>, t).</p>"]
    for n in b.equation_notes:
        out.append(f"<p class='muted small'>{esc(n)}</p>")
    for sec in b.sections:
        eqs = ", ".join(sec.equations)
        rows = []
        for row in sec.rows:
            tag = f"<span class='tag'>({esc(row.tag)})</span>" if row.tag else "<span class='tag'></span>"
            cls = "eq-row continued" if getattr(row, "continued", False) else "eq-row"
            rows.append(f"<div class='{cls}'><div class='math'>{row.mathml}</div>{tag}</div>")
        if not sec.rows:
            rows.append("<p class='muted small'>(every entry is zero)</p>")
        notes = list(sec.notes)
        if sec.omitted:
            notes.append(f"{sec.omitted} more nonzero entries not shown")
        note_html = "".join(f"<p class='eq-notes'>{html_math(n)}</p>" for n in notes)
        label = f"Eq {eqs}" if eqs else "derived"      # a section the paper does not number (H by blocks)
        out.append(f"<div class='eq-section' id='eq-{esc(sec.name)}'><h3><span class='eqno'>{esc(label)}</span>"
                   f"{html_math(sec.title)} <span class='muted small'>— {html_math(sec.description)}</span></h3>"
                   + "".join(rows) + note_html + "</div>")
    return "\n".join(out)


def proofs_section(b: Bundle) -> str:
    p = b.proofs
    if p is None:
        return "<p class='muted'>Not run (<code>--no-proofs</code>).</p>"
    if not p.available:
        return f"<p class='muted'>Not available: {esc(p.reason)}</p>"
    rows, counts = [], {}
    for r in p.rows:
        badge, outcome, note = proof_outcome(r, b.report.checks)
        counts[outcome] = counts.get(outcome, 0) + 1
        residual = f"<code class='small'>{esc(r['residual'])}</code>" if r["residual"] else ""
        rows.append([f"<span class='status {esc(badge)}'>{esc(outcome)}</span>", f"<code>{esc(r['obligation'])}</code>",
                     esc(", ".join(r["equations"])), esc(r["kind"]),
                     html_math(r["statement"]) + (f"<div class='small muted'>{esc(note)}</div>" if note else ""),
                     f"<span class='small'>{html_math(r['method'])}</span>", residual])
    tally = ", ".join(f"{n} {o}" for o, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return (f"<p>Symbolic proof obligations (<code>eqprop-verify prove {esc(b.model_arg)}</code>), decided "
            f"three-valued, as sympy's <code>Expr.equals</code>: PROVED, REFUTED or UNDECIDED (could not decide, "
            f"never counted as proved). NUMERIC ONLY: the model has no closed-form flow, so the statement is "
            f"not proved symbolically here; the numeric check above verifies it. Misprints are the paper's "
            f"equations as printed; variants are deliberately false statements the prover must refute. "
            f"{esc(tally)}.</p>"
            + table(["outcome", "obligation", "Eq", "kind", "statement", "method", "residual"], rows))


def audit_section(b: Bundle) -> str:
    a = b.audit
    if a is None:
        return "<p class='muted'>Not run (<code>--no-audit</code>).</p>"
    if not a.available:
        return f"<p class='muted'>Not available: {esc(a.reason)}</p>"
    badge = {"holds": "PASS", "fails-as-printed": "FAIL"}
    rows = [[esc(r.get("equation")), esc(r.get("class")),
             f"<span class='status {badge.get(r.get('verdict'), 'NA')}'>{esc(r.get('verdict'))}</span>",
             html_math(r.get("evidence")), html_math(r.get("corrected"))] for r in a.rows]
    counts = {}
    for r in a.rows:
        counts[r.get("verdict")] = counts.get(r.get("verdict"), 0) + 1
    tally = ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return ("<p>Every numbered equation of the paper, read as printed, classified and checked on this model "
            f"(<code>eqprop-verify audit</code> runs it on several models): {esc(tally)}.</p>"
            + table(["Eq", "class", "verdict", "evidence", "corrected"], rows))


def reproduce_section(b: Bundle) -> str:
    r = b.report
    s = r.settings
    settings = [("dps (requested precision)", esc(s.get("dps"))),
                ("guard digits", esc(s.get("guard_digits"))),
                ("times", esc(", ".join(s.get("times_exact", s.get("times", []))))),
                ("β method", esc(s.get("beta_method"))),
                ("β plan", html_math(s.get("beta_plan"))),
                ("ODE backend", esc(s.get("backend"))),
                ("seed", esc(s.get("seed"))),
                ("max directions (direct route)", esc(s.get("max_directions"))),
                ("integrations", esc(", ".join(f"{k}: {v}" for k, v in (s.get("integrations") or {}).items())))]
    env = [(k, esc(v)) for k, v in r.environment.items()]
    timings = dict(r.timings)
    timings.update(b.timings)
    t_rows = [(k, f"{v:.2f} s") for k, v in timings.items() if isinstance(v, (int, float))]
    from .builder import check_command, shell_lines

    check_cmd = check_command(b.model_arg, s)
    return (f"<p>This report is regenerated (same numbers, same settings) by</p><pre>{esc(shell_lines(b.command))}</pre>"
            f"<p>and its check alone (the same check: same settings and times, so the same digits) by</p>"
            f"<pre>{esc(shell_lines(check_cmd))}</pre>"
            f"<p class='small muted'>Model source: {esc(r.model.source)}</p>"
            "<h3>Settings</h3>" + kv_table(settings) + "<h3>Environment</h3>" + kv_table(env)
            + "<h3>Run time</h3>" + kv_table(t_rows))


# ---------------------------------------------------------------------------- page
def render(b: Bundle) -> str:
    r = b.report
    m = r.model
    word = VERDICT_WORDS.get(b.verdict, b.verdict.upper())
    toc = [("statements", "Verdict"), ("plots", "Plots"), ("gradient", "Gradient"),
           ("fixed-point", "Fixed point"), ("equations", "Equations"), ("proofs", "Proofs"),
           ("audit", "Audit"), ("values", "Values"), ("reproduce", "Reproduce")]
    nav = "".join(f'<a href="#{i}">{t}</a>' for i, t in toc)
    state = ", ".join(f"{esc(blk.name)} ({esc(blk.shape_text())})" for blk in m.state)
    params = ", ".join(f"{esc(blk.name)} ({esc(blk.shape_text())})" for blk in m.params)
    from .. import __version__

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
<h1>Equilibrium Propagation and Recurrent Backpropagation on <code>{esc(m.name)}</code></h1>
<p class="subtitle">{esc(m.description)}<br>state s = ({state}); parameters θ = ({params}).
Statements from {esc(PAPER)}.</p>
</header>
<div class="banner {esc(b.verdict)}"><div class="word">{esc(word)}</div><p>{esc(b.summary())}</p></div>
<nav class="toc">{nav}</nav>

<section id="statements">
<h2>Verdict, statement by statement</h2>
<p>Each statement of the paper is checked by comparing two quantities computed by independent routes
(RBP: the Cauchy problem Eq 11–14; EP: the nudged dynamics Eq 18 at finite β, extrapolated to β → 0;
direct: derivatives of the truncated objective Eq 9 on the nonlinear flow, never using the Hessian;
J: the fixed point re-solved at perturbed θ). Errors are relative to the size of the compared
quantity; the tolerance is derived from the precision and the routes' own error estimates, never tuned.
“digits” is −log<sub>10</sub> of the relative error.</p>
{statements_table(b)}
</section>

<section id="plots">
<h2>Plots</h2>
{plots_section(b)}
</section>

<section id="gradient">
<h2>The gradient ∂J/∂θ at the fixed point</h2>
{gradient_section(b)}
</section>

<section id="fixed-point">
<h2>The free fixed point s<sub>θ</sub><sup>0</sup> (Eq 2)</h2>
{fixed_point_section(b)}
</section>

<section id="equations">
<h2>Derived equations</h2>
{equations_section(b)}
</section>

<section id="proofs">
<h2>Symbolic proofs</h2>
{proofs_section(b)}
</section>

<section id="audit">
<h2>Audit of the paper's equations</h2>
{audit_section(b)}
</section>

<section id="values">
<h2>Values</h2>
{values_section(b)}
</section>

<section id="reproduce">
<h2>Reproduce</h2>
{reproduce_section(b)}
</section>

<footer>Generated by eqprop-verify {esc(__version__)}. Files: <a href="report.md">report.md</a>,
<a href="report.json">report.json</a> (the <code>check --json</code> result, every number at full precision).
</footer>
</main>
</body>
</html>
"""
