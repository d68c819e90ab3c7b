"""The audit as a table, a closing note, JSON and an HTML fragment."""

from __future__ import annotations

import html
import textwrap

from .equations import VERDICTS

def failures(entries) -> list[dict]:
    """The entries whose equation is wrong as printed."""
    return [e for e in entries if e["verdict"] == "fails-as-printed"]


def closing_note(entries) -> str:
    """The equations found wrong as printed, with their counterexamples (mathematical errors first)."""
    bad = failures(entries)
    if not bad:
        return "No equation was found wrong as printed."
    lines = [f"{len(bad)} equations are wrong as printed:"]
    for kind, title in (("mathematical", "false as printed (mathematics)"),
                        ("notation", "not well-formed as printed (notation)")):
        group = [e for e in bad if (e["error_kind"] or "mathematical") == kind]
        if not group:
            continue
        lines.append(f"  {title}:")
        for e in group:
            lines.append(f"    Eq {e['equation']}: {e['statement']}")
            lines.append(f"      counterexample: {e['counterexample']}")
            if len(e["failing"]) > 1:
                lines.append(f"      fails on:       {', '.join(dict.fromkeys(e['failing']))}")
            lines.append(f"      corrected:      {e['corrected']}")
    notes = [e for e in entries if e["verdict"] != "fails-as-printed" and e["error_kind"] == "notation"]
    if notes:
        lines.append("  abbreviations with one reading (verdict unaffected): "
                     + ", ".join(f"Eq {e['equation']}" for e in notes)
                     + " write dE/dtheta ds for the second derivative d2E/dtheta ds")
    return "\n".join(lines)


def table(entries, verbose=False, width=120) -> str:
    """The human table: one line per equation (wrapped), then the counts and the closing note."""
    lines = []
    indent = " " * 35

    def wrapped(head, text):
        return textwrap.fill(text, width=width, initial_indent=head, subsequent_indent=indent,
                             break_long_words=False, break_on_hyphens=False)

    for e in entries:
        lines.append(wrapped(f"Eq {e['equation']:<3s} {e['class']:<10s} {e['verdict']:<16s} ", e["summary"]))
        if verbose:
            lines.append(wrapped(f"{'':7s}statement: ".ljust(35), e["statement"]))
            lines.append(wrapped(f"{'':7s}evidence:  ".ljust(35), e["evidence"]))
            if e["corrected"]:
                lines.append(wrapped(f"{'':7s}corrected: ".ljust(35), e["corrected"]))
    counts = {v: sum(e["verdict"] == v for e in entries) for v in VERDICTS}
    lines.append("")
    lines.append(", ".join(f"{counts[v]} {v}" for v in VERDICTS))
    lines.append(closing_note(entries))
    return "\n".join(lines)


def to_json(entries) -> list[dict]:
    """The JSON form: the five contract keys first, then the extra keys."""
    keys = ("equation", "class", "verdict", "evidence", "corrected")
    return [{**{k: e[k] for k in keys}, **{k: v for k, v in e.items() if k not in keys}} for e in entries]


def html_section(entries) -> str:
    """The audit as an HTML fragment (a section of the report)."""
    esc = html.escape
    rows = []
    for e in entries:
        rows.append(f'<tr class="{esc(e["verdict"])}"><td>Eq&nbsp;{esc(e["equation"])}</td>'
                    f'<td>{esc(e["class"])}</td><td>{esc(e["verdict"])}</td>'
                    f'<td><code>{esc(e["statement"])}</code></td>'
                    f'<td>{esc(e["evidence"])}'
                    + (f'<br><b>corrected:</b> <code>{esc(e["corrected"])}</code>' if e["corrected"] else "")
                    + "</td></tr>")
    note = esc(closing_note(entries)).replace("\n", "<br>\n")
    return ('<section id="audit"><h2>Equation-by-equation audit (Eq 1-62)</h2>\n'
            "<table><thead><tr><th>Eq</th><th>class</th><th>verdict</th><th>as printed</th><th>evidence</th>"
            "</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
            f"<p class=\"audit-note\">{note}</p></section>\n")

