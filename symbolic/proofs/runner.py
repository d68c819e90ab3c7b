"""``prove(model)``: every proof obligation the model admits, decided symbolically.

1. A closed-form family is looked for: the one-dimensional Riccati family
   (:mod:`.riccati`, time domain) first, then linear-quadratic energies
   (:mod:`.linear_quadratic`, Laplace domain). If one applies, Theorems 1-3,
   Corollary 4 (Eq 23 and Eq 24), Eq 10, Eq 27-28 and the closed-form flows
   are proved exactly; requested false variants are added.
2. Without a closed form those obligations are reported UNDECIDED with
   ``numeric_only`` set, pointing to ``eqprop-verify check``.
3. The proof steps of the appendices (:mod:`.steps`) run on every energy.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Iterable

from ..errors import EXIT_FAILED, EXIT_HYPOTHESES, EXIT_OK
from ..model import Model
from . import linear_quadratic, riccati
from .obligation import Obligation, Outcome
from .statements import CLOSED_FORM_ONLY, STATEMENTS, VARIANTS
from .steps import Steps, numeric_fixed_point


def closed_form(model: Model, data_values: dict | None = None):
    """The closed-form proof object of the model's family, and why others did not apply.

    Returns ``(proof, reasons)``: ``proof`` is a :class:`riccati.Proof` or
    :class:`linear_quadratic.Proof` (None if no family applies); ``reasons``
    maps each family to why it does not apply. ``data_values`` are the
    values of inputs and targets kept symbolic in ``model`` (for witnesses).
    """
    reasons = {}
    sc = riccati.recognise(model)
    if not isinstance(sc, str):
        return riccati.Proof(sc, data_values), reasons
    reasons[riccati.FAMILY] = sc
    lq = linear_quadratic.recognise(model)
    if not isinstance(lq, str):
        return linear_quadratic.Proof(lq, data_values), reasons
    reasons[linear_quadratic.FAMILY] = lq
    return None, reasons


def family(model: Model) -> str | None:
    """The name of the model's closed-form family, or None."""
    proof, _ = closed_form(model)
    return proof.family if proof is not None else None


def _numeric_only(reasons: dict) -> list[Obligation]:
    why = "; ".join(f"not {fam}: {r}" for fam, r in reasons.items())
    out = []
    for sid in CLOSED_FORM_ONLY:
        st = STATEMENTS[sid]
        out.append(Obligation(
            id=sid, equations=st.equations, statement=st.text, outcome=Outcome.UNDECIDED,
            residual="", kind=st.kind, family="none", applicable=False, numeric_only=True,
            reason=f"no closed-form flow ({why}); numeric check: eqprop-verify check MODEL"))
    return out


def prove(model, variants: Iterable[str] = (), *, steps: bool = True,
          symbolic_data: bool = False, latex: bool = False) -> list[Obligation]:
    """Decide every proof obligation of ``model`` (a Model, built-in name or path).

    ``variants`` names deliberately false statements to add (see
    :data:`.statements.VARIANTS`); each should come out REFUTED with a witness.
    ``steps=False`` skips the appendix steps (only the closed-form theorems).
    ``symbolic_data=True`` keeps the inputs and targets (e.g. A, B, b, y) as
    symbols, so a PROVED statement holds for all their values; their given
    values are only used for witnesses. This is slower (n <= 2 advised).
    ``latex=True`` fills each obligation's ``latex`` chain of equalities
    (simplified for display, which costs time; off by default).
    """
    if not isinstance(model, Model):
        from ..load import load_model

        model = load_model(model)
    variants = list(variants)
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    data_values = None
    work = model
    if symbolic_data and model.data:
        data_values = dict(model.data)
        work = dataclasses.replace(model, data={})
    proof, reasons = closed_form(work, data_values)
    rows: list[Obligation] = []
    fixed_point, how = None, ""
    if proof is not None:
        proof.want_latex = latex
        rows.extend(proof.obligations(variants))
        fixed_point = proof.fixed_point_values()
        how = "exact, closed form"
    else:
        rows.extend(_numeric_only(reasons))
    if steps:
        if fixed_point is None:
            t0 = time.perf_counter()
            fixed_point = numeric_fixed_point(model)
            how = f"Newton, 30 digits, {time.perf_counter() - t0:.1f} s" if fixed_point else ""
        rows.extend(Steps(work, fixed_point, how, data_values, latex=latex).obligations())
    return rows


def summary(rows: list[Obligation]) -> dict:
    """Counts by outcome (theorems and steps; misprints and variants apart) and the exit code."""
    judged = [r for r in rows if r.kind in ("statement", "step") and not r.numeric_only]
    count = lambda group, k: sum(1 for r in group if r.outcome.value == k)  # noqa: E731
    misprints = [r for r in rows if r.kind == "misprint"]
    variants = [r for r in rows if r.kind == "variant"]
    return {
        "proved": count(judged, "PROVED"), "refuted": count(judged, "REFUTED"),
        "undecided": count(judged, "UNDECIDED"),
        "numeric_only": [r.id for r in rows if r.numeric_only],
        "misprints_refuted": count(misprints, "REFUTED"), "misprints": len(misprints),
        "variants_refuted": count(variants, "REFUTED"), "variants": len(variants),
        "exit_code": exit_code(rows),
    }


def exit_code(rows: list[Obligation]) -> int:
    """0 all statements and steps PROVED; 1 one REFUTED; 3 otherwise (undecided / numeric-only).

    Misprints and variants are reports about false statements and never fail the run.
    """
    judged = [r for r in rows if r.kind in ("statement", "step")]
    if any(r.outcome is Outcome.REFUTED for r in judged):
        return EXIT_FAILED
    if all(r.outcome is Outcome.PROVED for r in judged):
        return EXIT_OK
    return EXIT_HYPOTHESES
