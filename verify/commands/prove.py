"""``eqprop-verify prove MODEL``: symbolic proofs of the paper's statements on a model.

One row per proof obligation: PROVED (the residual simplifies to 0), REFUTED
(an exact point where it is clearly non-zero is printed) or UNDECIDED (the
residual is printed). Theorems 1-3 and Corollary 4 are proved exactly when the
model has a closed-form flow (linear-quadratic, n <= 3, or one-dimensional
Riccati); otherwise they are numeric-only and ``eqprop-verify check MODEL``
checks them. The algebraic steps of the appendices are checked on any energy.

Exit codes: 0 every theorem and step PROVED; 1 one of them REFUTED; 2 bad
input; 3 nothing refuted but something not proved (no closed form, hypotheses
not met, or undecided). Misprinted equations and ``--variant`` rows are
reports about false statements and never change the exit code.
"""

from __future__ import annotations

import json
import sys
import textwrap

HELP = ("symbolic proofs on MODEL: Theorems 1-3 and Corollary 4 exactly for closed-form models, "
        "the appendices' steps on any energy (PROVED / REFUTED / UNDECIDED)")


def add_arguments(parser):
    from symbolic.proofs import VARIANTS

    parser.add_argument("model", metavar="MODEL",
                        help="a built-in model (see `eqprop-verify list`) or a model file (.toml)")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON list of {obligation, outcome, residual, ...} instead of the table")
    parser.add_argument("--latex", action="store_true",
                        help="add each proof's chain of equalities in LaTeX (under each row, or a "
                             "\"latex\" key in JSON)")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME",
                        help="add a deliberately false variant, which must come out REFUTED: "
                             + ", ".join(VARIANTS) + " or all (repeatable)")
    parser.add_argument("--symbolic-data", action="store_true",
                        help="keep inputs and targets (e.g. A, B, b, y) as symbols: PROVED then holds for "
                             "all their values (slower; advised for n <= 2)")
    parser.add_argument("--no-steps", action="store_true",
                        help="skip the appendices' proof steps (only the closed-form theorems)")


def _variants(args) -> list[str]:
    from symbolic.proofs import VARIANTS
    from verify.errors import UsageError

    out = []
    for v in args.variant:
        for name in (VARIANTS if v == "all" else [x.strip() for x in v.split(",") if x.strip()]):
            if name not in VARIANTS:
                raise UsageError(f"--variant={name} is not a known variant; known: {', '.join(VARIANTS)}, all")
            if name not in out:
                out.append(name)
    return out


def _witness_text(w: dict) -> str:
    point = ", ".join(f"{k}={v}" for k, v in w["point"].items())
    text = f"witness: {w['component']} = {w['value']}{' (exact)' if w.get('exact') else ''} at {point}"
    td = w.get("time_domain")
    if td and "value" in td:
        text += f"; in time: {td['value']} at t={td['t']} ({td['method']})"
    return text


def _row(ob, width: int) -> str:
    label = ob.outcome.value
    return f"{label:<10} {ob.id:<{width}} {ob.equations_text:<14} {ob.statement}"


def _details(ob, latex: bool) -> list[str]:
    pad = " " * 11
    lines = []
    wrap = lambda s: textwrap.wrap(s, 110, initial_indent=pad, subsequent_indent=pad + "  ")  # noqa: E731
    if not ob.applicable:
        lines += wrap(f"not applicable: {ob.reason}")
    elif ob.outcome.value == "PROVED" and ob.kind in ("variant", "misprint"):
        lines += wrap("holds on this model (e.g. the cost does not depend on theta); it is false in general")
    elif ob.outcome.value == "PROVED":
        notes = sorted({p.note for p in ob.parts if p.note})
        how = ob.method + (f"; theta {ob.theta}" if ob.theta and f"theta {ob.theta}" not in ob.method else "")
        lines += wrap(f"by {how}" + (f"; {'; '.join(notes)}" if notes else ""))
    elif not ob.parts:
        lines += wrap(f"{ob.outcome.value.lower()}: residual {ob.residual}")
        if ob.witness:
            lines += wrap(_witness_text(ob.witness))
    else:
        for p in ob.parts:
            if p.outcome.value != "PROVED":
                res = p.residual if len(p.residual) < 400 else p.residual[:400] + " ..."
                lines += wrap(f"{p.outcome.value.lower()}: {p.name}: residual {res}"
                              + (f" ({p.note})" if p.note else ""))
                if p.witness:
                    lines += wrap(_witness_text(p.witness))
    if latex and ob.latex:
        for eq in ob.latex:
            lines.append(pad + "$" + eq + "$")
    return lines


def render_table(rows, model, latex: bool = False, model_arg: str | None = None) -> str:
    from symbolic.proofs import closed_form
    from symbolic.proofs.runner import exit_code

    proof, reasons = closed_form(model)
    out = []
    if proof is not None:
        out.append(f"model {model.name}: {proof.family} family (n={model.n}, p={model.p}); "
                   "Theorems 1-3 and Corollary 4 in closed form")
    else:
        why = "; ".join(f"not {k}: {v}" for k, v in reasons.items())
        out.append(f"model {model.name}: no closed-form family ({why})")
    width = max((len(r.id) for r in rows if r.kind != "variant"), default=10)
    groups = [
        ("theorems and proof steps", [r for r in rows if r.kind in ("statement", "step") and not r.numeric_only]),
        ("numeric-only on this model (no closed-form flow)", [r for r in rows if r.numeric_only]),
        ("equations as printed in the paper", [r for r in rows if r.kind == "misprint"]),
        ("deliberately false variants (expected REFUTED)", [r for r in rows if r.kind == "variant"]),
    ]
    for title, group in groups:
        if not group:
            continue
        out.append("")
        out.append(f"-- {title}")
        for ob in group:
            if ob.numeric_only:
                out.append(f"{'NUMERIC':<10} {ob.id:<{width}} {ob.equations_text:<14} {ob.statement}")
                continue
            out.append(_row(ob, width))
            out.extend(_details(ob, latex))
    numeric = [r.id for r in rows if r.numeric_only]
    if numeric:
        out.append("")
        out.append(f"numeric-only: {', '.join(numeric)} -- run `eqprop-verify check {model_arg or model.name}`")
    judged = [r for r in rows if r.kind in ("statement", "step") and not r.numeric_only]
    counts = {k: sum(1 for r in judged if r.outcome.value == k) for k in ("PROVED", "REFUTED", "UNDECIDED")}
    misprints = [r for r in rows if r.kind == "misprint"]
    out.append("")
    out.append(f"summary: {counts['PROVED']} proved, {counts['REFUTED']} refuted, {counts['UNDECIDED']} undecided"
               + (f", {len(numeric)} numeric-only" if numeric else "")
               + (f"; misprints: {sum(1 for r in misprints if r.outcome.value == 'REFUTED')} of "
                  f"{len(misprints)} refuted on this model" if misprints else "")
               + f"; exit {exit_code(rows)}")
    return "\n".join(out) + "\n"


def run(args) -> int:
    from symbolic.load import load_model
    from symbolic.proofs import prove
    from symbolic.proofs.runner import exit_code

    model = load_model(args.model)
    variants = _variants(args)
    rows = prove(model, variants, steps=not args.no_steps, symbolic_data=args.symbolic_data,
                 latex=args.latex)
    if args.json:
        json.dump([r.to_json(latex=args.latex) for r in rows], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_table(rows, model, latex=args.latex, model_arg=args.model))
    sys.stdout.flush()
    return exit_code(rows)
