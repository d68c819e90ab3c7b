"""report.md: the report for a code review or a README (GitHub-flavoured Markdown).

Tables for the verdict, images linked relatively (the PNG files beside it),
equations as GitHub ``math`` blocks (LaTeX), and the command that regenerates it.
"""

from __future__ import annotations

from .bundle import VERDICT_WORDS, Bundle
from .html import PAPER, num


def _cell(text) -> str:
    return ("" if text is None else str(text)).replace("|", "\\|").replace("\n", " ")


def _table(headers, rows) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def render(b: Bundle) -> str:
    r = b.report
    m = r.model
    s = r.settings
    word = VERDICT_WORDS.get(b.verdict, b.verdict.upper())
    out = [f"# eqprop-verify report: `{m.name}`", "",
           f"{m.description}", "",
           f"Statements from {PAPER}.", "",
           f"**{word}** — {b.summary()}", "",
           "## Verdict", ""]
    rows = []
    for c in r.checks:
        rows.append([f"**{c.status}**", f"`{c.id}` {c.title}", ", ".join(c.equations),
                     num(c.max_abs_error), num(c.max_rel_error), num(c.tolerance),
                     "" if c.digits is None else f"{c.digits}"])
    out += _table(["status", "statement", "Eq", "max \\|diff\\|", "max rel", "tolerance", "digits"], rows)
    out += ["", "What was compared with what:", ""]
    for c in r.checks:
        sides = c.compared + ["", ""]
        out.append(f"- **{c.id}** (Eq {', '.join(c.equations)}): {sides[0]} **vs** {sides[1]}.")
        if c.applicable:
            out.append(f"  Tolerance {num(c.tolerance)} = {c.tolerance_origin}."
                       + (f" Largest error at {c.worst}." if c.worst else ""))
        if c.reason:
            out.append(f"  {'Not applicable' if not c.applicable else 'Note'}: {c.reason}")
    out += ["", "## Plots", ""]
    for fname, caption in b.plot_list():
        out += [f"![{caption.split('.')[0]}]({fname})", "", f"*{caption}*", ""]
    if b.curves is not None:
        out += [f"_{n}_" for n in b.curves.notes]
    fp = r.fixed_point
    out += ["", "## Fixed point", ""]
    if fp.get("found"):
        out += [f"{fp.get('description')}.", "",
                "Hessian eigenvalues: " + ", ".join(num(e, 6) for e in fp["hessian_eigenvalues"]) + "."]
    else:
        out.append(f"No critical point of E: {fp.get('reason')}")
    v = r.values
    if "dJ_dtheta" in v:
        out += ["", "## The gradient ∂J/∂θ", "",
                "J route (fixed point re-solved at perturbed θ), EP (Eq 20, β → 0) and RBP (lim Y_t, Eq 10); "
                "18 significant digits.", ""]
        out += _table(["θ", "∂J/∂θ (J route)", "EP, Eq 20", "RBP, Eq 10"],
                      [[f"`{n}`", num(v["dJ_dtheta"][k], 18), num(v["ep_gradient"][k], 18), num(v["Y_limit"][k], 18)]
                       for k, n in enumerate(m.param_names())])
    out += ["", "## Derived equations", ""]
    for n in b.equation_notes:
        out.append(f"_{n}_")
    for sec in b.sections:
        out += ["", f"**Eq {', '.join(sec.equations)}** — {sec.title}: {sec.description}", ""]
        for row in sec.rows:
            if row.latex:
                out += ["```math", row.latex, "```"]
            elif row.text:
                out += ["```", row.text, "```"]
        for note in sec.notes:
            out.append(f"_({note})_")
    out += ["", "## Symbolic proofs", ""]
    p = b.proofs
    if p is None:
        out.append("Not run (`--no-proofs`).")
    elif not p.available:
        out.append(f"Not available: {p.reason}")
    else:
        out += _table(["outcome", "obligation", "Eq", "kind", "statement", "residual"],
                      [[f"**{x['outcome']}**", f"`{x['obligation']}`", ", ".join(x["equations"]), x["kind"],
                        x["statement"], f"`{x['residual']}`"] for x in p.rows])
    out += ["", "## Audit of the paper's equations", ""]
    a = b.audit
    if a is None:
        out.append("Not run (`--no-audit`).")
    elif not a.available:
        out.append(f"Not available: {a.reason}")
    else:
        out += _table(["Eq", "class", "verdict", "evidence", "corrected"],
                      [[x.get("equation"), x.get("class"), f"**{x.get('verdict')}**", x.get("evidence"),
                        x.get("corrected")] for x in a.rows])
    out += ["", "## Reproduce", "", "```sh", b.command, "```", ""]
    out += _table(["setting", "value"],
                  [["dps", s.get("dps")], ["times", ", ".join(s.get("times", []))],
                   ["β method", s.get("beta_method")], ["β plan", s.get("beta_plan")],
                   ["backend", s.get("backend")], ["seed", s.get("seed")]])
    out += [""]
    out += _table(["environment", "version"], [[k, v] for k, v in r.environment.items()])
    out += ["", "Every number at full precision: [report.json](report.json). "
            "The same report as one self-contained page: [index.html](index.html).", ""]
    return "\n".join(out)
