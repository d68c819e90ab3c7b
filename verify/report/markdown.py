"""report.md: the report for a code review or a README (GitHub-flavoured Markdown).

Tables for the verdict, images linked relatively (the PNG files beside it),
equations as GitHub ``math`` blocks (LaTeX), and the command that regenerates it.
"""

from __future__ import annotations

from .bundle import VERDICT_WORDS, Bundle
from .extras import proof_outcome
from .html import GRADIENT_DIGITS, PAPER, num
from .notation import unicode_math


_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_~<>[]|"})


def md_text(text) -> str:
    """Prose from elsewhere (titles, route descriptions) with Markdown's special characters escaped."""
    return ("" if text is None else str(text)).translate(_SPECIAL).replace("\n", " ")


def _code(text) -> str:
    text = "" if text is None else str(text).replace("\n", " ")
    return f"`{text.replace('|', chr(92) + '|')}`" if text and "`" not in text else md_text(text)


def _cell(text) -> str:
    return ("" if text is None else str(text)).replace("\n", " ")


def md_table_rows(headers, rows) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _extra(out, extra, flag, headers, row):
    if extra is None:
        out.append(f"Not run (`{flag}`).")
    elif not extra.available:
        out.append(f"Not available: {md_text(extra.reason)}")
    else:
        out += md_table_rows(headers, [row(x) for x in extra.rows])


def render(b: Bundle) -> str:
    r = b.report
    m = r.model
    s = r.settings
    word = VERDICT_WORDS.get(b.verdict, b.verdict.upper())
    out = [f"# eqprop-verify report: `{m.name}`", "",
           md_text(m.description), "",
           f"Statements from {md_text(PAPER)}.", "",
           f"**{word}** — {md_text(b.summary())}", "",
           "## Verdict", ""]
    rows = []
    for c in r.checks:
        rows.append([f"**{c.status}**", f"`{c.id}` {md_text(unicode_math(c.title))}", ", ".join(c.equations),
                     num(c.max_abs_error), num(c.max_rel_error), num(c.tolerance),
                     "" if c.digits is None else f"{c.digits}"])
    out += md_table_rows(["status", "statement", "Eq", "max \\|diff\\|", "max rel", "tolerance", "digits"], rows)
    out += ["", "What was compared with what:", ""]
    for c in r.checks:
        sides = c.compared + ["", ""]
        out.append(f"- **{c.id}** (Eq {', '.join(c.equations)}): {md_text(unicode_math(sides[0]))} **vs** "
                   f"{md_text(unicode_math(sides[1]))}.")
        if c.applicable:
            out.append(f"  Tolerance {num(c.tolerance)} = {md_text(unicode_math(c.tolerance_origin))}."
                       + (f" Largest error at {md_text(unicode_math(c.worst))}." if c.worst else ""))
        if c.reason:
            out.append(f"  {'Not applicable' if not c.applicable else 'Note'}: {md_text(unicode_math(c.reason))}")
    out += ["", "## Plots", ""]
    for fname, title, caption in b.plot_list():
        out += [f"### {md_text(title)}", "", f"![{md_text(title)}]({fname})", "", md_text(caption), ""]
    if b.curves is not None:
        out += [md_text(n) for n in b.curves.notes]
    fp = r.fixed_point
    out += ["", "## Fixed point", ""]
    if fp.get("found"):
        out += [f"{md_text(fp.get('description'))}.", "",
                "Hessian eigenvalues: " + ", ".join(num(e, 6) for e in fp["hessian_eigenvalues"]) + "."]
    else:
        out.append(f"No critical point of E: {md_text(fp.get('reason'))}")
    v = r.values
    if v.get("dJ_dtheta") is not None:
        out += ["", "## The gradient ∂J/∂θ", "",
                "J route (fixed point re-solved at perturbed θ), EP (Eq 20, β → 0) and RBP (lim Y\\_t, Eq 10); "
                f"{GRADIENT_DIGITS} significant digits.", ""]
        out += md_table_rows(["θ", "∂J/∂θ (J route)", "EP, Eq 20", "RBP, Eq 10"],
                      [[f"`{n}`", num(v["dJ_dtheta"][k], GRADIENT_DIGITS),
                        num(v["ep_gradient"][k], GRADIENT_DIGITS), num(v["Y_limit"][k], GRADIENT_DIGITS)]
                       for k, n in enumerate(_dJ_names(v, m.param_names()))])
    out += ["", "## Derived equations", ""]
    out += [md_text(n) for n in b.equation_notes]
    for sec in b.sections:
        label = f"Eq {', '.join(sec.equations)}" if sec.equations else "Derived"   # not a numbered equation
        out += ["", f"**{label}** — {md_text(unicode_math(sec.title))}: {md_text(unicode_math(sec.description))}", ""]
        whole = [row for row in sec.rows if not getattr(row, "continued", False)]   # the page splits long rows
        aligned = [row.aligned or row.latex for row in whole]
        if whole and all(aligned):
            out += ["```math", "\\begin{aligned}", " \\\\\n".join(aligned), "\\end{aligned}", "```"]
        else:
            for row in whole:
                out += ["```", row.text or "", "```"]
        out += [f"_({md_text(note)})_" for note in sec.notes]
    out += ["", "## Symbolic proofs", ""]
    def proof_row(x):
        _, outcome, note = proof_outcome(x, r.checks)
        return [f"**{outcome}**", _code(x["obligation"]), ", ".join(x["equations"]), md_text(x["kind"]),
                md_text(unicode_math(x["statement"])) + (f" — _{md_text(note)}_" if note else ""), _code(x["residual"])]

    _extra(out, b.proofs, "--no-proofs", ["outcome", "obligation", "Eq", "kind", "statement", "residual"],
           proof_row)
    out += ["", "## Audit of the paper's equations", ""]
    _extra(out, b.audit, "--no-audit", ["Eq", "class", "verdict", "evidence", "corrected"],
           lambda x: [md_text(x.get("equation")), md_text(x.get("class")), f"**{md_text(x.get('verdict'))}**",
                      md_text(x.get("evidence")), md_text(x.get("corrected"))])
    from .builder import check_command, shell_lines

    out += ["", "## Reproduce", "", "This report:", "", "```sh", shell_lines(b.command), "```", "",
            "Its check alone (same settings and times, so the same digits):", "", "```sh",
            shell_lines(check_command(b.model_arg, s)), "```", ""]
    out += md_table_rows(["setting", "value"],
                  [["dps", s.get("dps")], ["times", ", ".join(s.get("times_exact", s.get("times", [])))],
                   ["β method", md_text(s.get("beta_method"))], ["β plan", md_text(unicode_math(s.get("beta_plan")))],
                   ["backend", md_text(s.get("backend"))], ["seed", s.get("seed")]])
    out += [""]
    out += md_table_rows(["environment", "version"], [[md_text(k), md_text(v)] for k, v in r.environment.items()])
    out += ["", "Every number at full precision: [report.json](report.json). "
            "The same report as one self-contained page: [index.html](index.html).", ""]
    return "\n".join(out)


def _dJ_names(values, names):
    """Parameter names, or "projection k" when the J route gave projections (a large model)."""
    if values.get("dJ_dtheta_is_projection"):
        return [f"projection {k}" for k in range(len(values["dJ_dtheta"]))]
    return list(names)
