"""Running the audit: the evidence of each model once, then every equation's checks, then one entry each."""

from __future__ import annotations

import os

from symbolic.paper_checks import CHECKS as SYMBOLIC

from ..fixed_point import FixedPointNotFound
from ..ode import IntegrationError
from ..precision import Precision, validate_dps
from ..theorems import resolve_backend
from . import free_flow, nudged
from .bench import Bench
from .equations import EQUATIONS, Equation
from .findings import CHECKS, Finding, Missing, from_claim

DEFAULT_MODELS = ("paper-hopfield", "paper-hopfield-readout", "quadratic", "riccati")
DEFAULT_DPS = 30
EXPECTED = (Missing, FixedPointNotFound, IntegrationError, ZeroDivisionError)
NUMERIC_CHECK_MODULES = (free_flow, nudged)   # importing them registers their numeric checks in CHECKS


def _run_check(fn, bench):
    """The findings of numeric check ``fn`` on one model; a route that could not run is ``n/a``."""
    try:
        with bench.precision.context():
            out = fn(bench)
    except EXPECTED as exc:
        return [Finding(bench.name, "n/a", f"{bench.name}: could not run ({type(exc).__name__}: {exc})")]
    return out if isinstance(out, list) else [out]


def entry(eq: Equation, findings: list) -> dict:
    """The audit entry of ``eq`` from its findings: verdict, evidence text, summary (the JSON object)."""
    printed = [f for f in findings if f.role == "printed"]
    corrected = [f for f in findings if f.role == "corrected"]
    # counterexamples on a model first (they carry the numbers), then symbolic ones
    fails = sorted((f for f in printed if f.outcome == "fails"), key=lambda f: f.model is None)
    counters = [f.counterexample for f in fails if f.counterexample]
    decided = [f for f in printed if f.outcome in ("holds", "fails")]
    undecided = [f for f in printed if f.outcome == "inconclusive"]
    if not printed:
        verdict = "not-checkable"
    elif fails:
        verdict = "fails-as-printed"
    elif decided and not undecided:
        verdict = "holds"
    else:
        verdict = "not-checkable"
    models = sorted({f.model for f in decided if f.model})
    digits = [f.digits for f in printed if f.outcome == "holds" and f.digits is not None]
    parts = []
    if not printed:
        parts.append(f"{eq.cls}: {eq.note or 'nothing to check'}")
    else:
        parts.append(eq.method or eq.note)
        parts.append("; ".join(f.text for f in printed))
    if counters:
        parts.append("Counterexample: " + " | ".join(counters))
    if corrected:
        parts.append("Corrected form: " + "; ".join(f.text for f in corrected))
    if eq.note and printed:
        parts.append("Note: " + eq.note)
    if undecided and not fails:
        parts.append("Inconclusive on: " + ", ".join(f.model or "symbolic" for f in undecided))
    evidence = ". ".join(p.rstrip(". ") for p in parts if p) + "."
    corrected_text = eq.corrected if (verdict == "fails-as-printed" or eq.error_kind == "notation") else ""
    if verdict == "holds":
        mind = min(digits) if digits else None
        where = ", ".join(models) or "symbolic"
        summary = f"{eq.label or 'checked'}: " + (f"{mind:.1f} digits or more on {where}" if mind is not None
                                                   and mind < 99 else f"exact ({where})")
        if any(f.model is None for f in decided) and models:
            summary += " + sympy"
        if eq.error_kind == "notation":
            summary += f"  [notation: {eq.note}]"
    elif verdict == "fails-as-printed":
        summary = "counterexample: " + (counters[0] if counters else fails[0].text)
    else:
        summary = ("definition" if eq.cls in ("definition", "notation") and not printed
                   else "inconclusive: " + "; ".join(f.text for f in (undecided or printed)))
    entry = {"equation": eq.number, "class": eq.cls, "verdict": verdict, "evidence": evidence,
             "corrected": corrected_text, "statement": eq.statement, "summary": summary, "models": models,
             "digits": min(digits) if digits and verdict == "holds" else None,
             "error_kind": eq.error_kind if (verdict == "fails-as-printed" or eq.error_kind == "notation") else "",
             "counterexample": counters[0] if counters else "", "counterexamples": counters,
             "failing": [f.model or "sympy" for f in fails if f.counterexample]}
    return entry


def audit(models=DEFAULT_MODELS, dps=DEFAULT_DPS, backend="auto", progress=None, seed=0) -> list[dict]:
    """Audit Eq 1-62 of the paper on ``models``; one dict per equation (see the module docstring).

    The global mpmath precision is unchanged afterwards.
    """
    progress = progress or (lambda *a, **k: None)
    if isinstance(models, (str, os.PathLike)) or not hasattr(models, "__iter__"):
        models = (models,)          # one model (a name, a path or a Model), not a sequence of them
    backend = resolve_backend(backend)
    precision = Precision(validate_dps(dps))
    benches = []
    with precision.context():
        for name in models:
            progress(f"{name}: evidence")
            benches.append(Bench(name, precision=precision, backend=backend, seed=seed, progress=progress))
    entries = []
    for eq in EQUATIONS:
        progress(f"Eq {eq.number}")
        findings = []
        if eq.number in SYMBOLIC:
            out = SYMBOLIC[eq.number]()
            findings += [from_claim(c) for c in (out if isinstance(out, list) else [out])]
        if eq.number in CHECKS:
            for bench in benches:
                findings += _run_check(CHECKS[eq.number], bench)
        entries.append(entry(eq, findings))
    return entries
