"""The optional sections: symbolic proofs (:mod:`symbolic.proofs`) and the paper audit (:mod:`verify.audit`).

Both are other modules' work, used only through their public functions:
``symbolic.proofs.prove(model) -> list[Obligation]`` and
``verify.audit.audit(...) -> list[dict]`` with keys equation, class, verdict,
evidence, corrected. When a module is missing the section says so; when it
raises, the section carries the error (the report is still written).
"""

from __future__ import annotations

import dataclasses
import inspect
import time


@dataclasses.dataclass
class Extra:
    """One optional section: rows when available, else the reason."""

    available: bool
    rows: list = dataclasses.field(default_factory=list)
    reason: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"available": self.available, "reason": self.reason, "seconds": round(self.seconds, 3),
                "rows": self.rows}


def _value(x):
    x = getattr(x, "value", x)  # enums
    return x if isinstance(x, (str, int, float, bool, type(None))) else str(x)


def proofs(model) -> Extra:
    """The symbolic proof obligations of the paper's statements for ``model``."""
    try:
        from symbolic.proofs import prove
    except ImportError as exc:
        return Extra(False, reason=f"symbolic.proofs is not available ({exc})")
    started = time.perf_counter()
    try:
        obligations = prove(model)
    except Exception as exc:  # noqa: BLE001 - a failing optional section must not lose the report
        return Extra(False, reason=f"prove() raised {type(exc).__name__}: {exc}",
                     seconds=time.perf_counter() - started)
    rows = []
    for ob in obligations:
        eqs = getattr(ob, "equations", ()) or ()
        rows.append({
            "obligation": ob_id(ob),
            "equations": [str(e) for e in eqs],
            "statement": _value(getattr(ob, "statement", "")),
            "outcome": _value(getattr(ob, "outcome", "UNDECIDED")),
            "residual": _value(getattr(ob, "residual", "")),
            "kind": _value(getattr(ob, "kind", "statement")),
            "method": _value(getattr(ob, "method", "")),
            "applicable": bool(getattr(ob, "applicable", True)),
            "reason": _value(getattr(ob, "reason", None)),
            "numeric_only": bool(getattr(ob, "numeric_only", False)),
            "note": _theta_free_cost_note(model) if ob_id(ob) in THETA_FREE_COST_ONLY else None,
        })
    return Extra(True, rows, seconds=time.perf_counter() - started)


def ob_id(ob) -> str:
    return str(_value(getattr(ob, "id", getattr(ob, "obligation", "?"))))


#: misprints of the paper that hold exactly when the cost does not depend on theta
THETA_FREE_COST_ONLY = {"eq61-as-printed"}
#: proof obligation -> the numeric statement of ``check`` that covers it
CHECK_OF = {"theorem1": "theorem1", "theorem2": "theorem2", "theorem3": "theorem3",
            "corollary4-eq23": "corollary4", "corollary4-eq24": "eq24", "eq10": "eq10-limit"}


def _theta_free_cost_note(model) -> str | None:
    theta = {x for b in model.params for x in b.symbols()}
    if model.cost.free_symbols & theta:
        return None
    return ("holds on this model only because its cost does not depend on θ (then Y₀ = ∂C/∂θ = 0); "
            "false as printed for a cost that does (e.g. paper-hopfield-readout)")


def proof_outcome(row: dict, checks) -> tuple[str, str, str]:
    """(badge class, outcome shown, note) of a proofs row, read together with the report's numeric check.

    A theorem with no closed form on this model is "numeric only", and says
    whether ``check`` verified it; a misprint that holds only by accident of
    the model says so.
    """
    if row.get("numeric_only"):
        check = {c.id: c for c in checks}.get(CHECK_OF.get(row["obligation"]))
        if check is None:
            return "INFO", "NUMERIC ONLY", "no closed-form flow on this model; a step of the appendix proofs"
        if check.applicable and check.passed:
            return ("PASS", "NUMERIC ONLY",
                    f"no closed-form flow on this model: verified numerically by {check.id} above "
                    f"({check.digits} digits)")
        return "NA", "NUMERIC ONLY", f"no closed-form flow on this model; the numeric check {check.id} above: {check.status}"
    if row.get("kind") == "misprint" and row.get("outcome") == "PROVED" and row.get("note"):
        return "NA", "HOLDS HERE ONLY", row["note"]
    return row.get("outcome", "UNDECIDED"), row.get("outcome", "UNDECIDED"), row.get("reason") or ""


def audit(model, *, dps=None, backend=None, seed=None, progress=None) -> Extra:
    """The audit of the paper's equations (as printed), on this report's model only.

    (``eqprop-verify audit`` runs it on several models; a report is about one.)
    """
    try:
        from verify.audit import audit as run_audit
    except ImportError as exc:
        return Extra(False, reason=f"verify.audit is not available ({exc})")
    available = {"model": model, "model_or_path": model, "models": [model], "dps": dps, "backend": backend,
                 "seed": seed,
                 "progress": (lambda stage, *a, **k: progress(f"audit: {stage}")) if progress else None}
    kwargs = {}
    try:
        params = inspect.signature(run_audit).parameters
    except (TypeError, ValueError):
        params = {}
    for name, p in params.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if name in available and available[name] is not None:
            kwargs[name] = available[name]
        elif p.default is p.empty:
            return Extra(False, reason=f"verify.audit.audit needs {name!r}, which the report cannot supply")
    started = time.perf_counter()
    try:
        result = run_audit(**kwargs)
    except Exception as exc:  # noqa: BLE001
        return Extra(False, reason=f"audit() raised {type(exc).__name__}: {exc}",
                     seconds=time.perf_counter() - started)
    rows = []
    for item in result or []:
        item = item if isinstance(item, dict) else getattr(item, "__dict__", {"evidence": str(item)})
        rows.append({k: _value(item.get(k)) for k in ("equation", "class", "verdict", "evidence", "corrected")})
    return Extra(True, rows, seconds=time.perf_counter() - started)
