"""Proof obligations and their three-valued outcome (PROVED / REFUTED / UNDECIDED).

An obligation is one identity of the paper, written as residuals that must
vanish. Deciding it follows sympy's ``Expr.equals``: three answers, and "could
not decide" is never "proved".

- PROVED: every residual simplifies to exactly 0 (``expand``, ``cancel``, then
  ``simplify``), or equals a stated combination of hypotheses that vanish
  (``decide_modulo``: "PROVED modulo Eq 41").
- REFUTED: some residual is clearly non-zero at an exact point (the witness),
  evaluated at 30 and again at 60 significant digits so a round-off cannot
  pass for a counterexample; an exact rational witness value is kept exact.
- UNDECIDED: neither; the (partly simplified) residual is printed.

Numbers are screened before ``simplify`` so that a false statement is refuted
quickly instead of being handed to an expensive simplification.
"""

from __future__ import annotations

import dataclasses
import enum
import random
from typing import Any, Iterable, Sequence

import sympy as sp

#: significant digits of the first and the confirming evaluation of a witness
WITNESS_DPS = (30, 60)
#: a witness value must exceed this (and agree between the two precisions)
WITNESS_FLOOR = sp.Float("1e-20")


class Outcome(str, enum.Enum):
    """The three-valued outcome of a proof obligation (as ``Expr.equals``)."""

    PROVED = "PROVED"
    REFUTED = "REFUTED"
    UNDECIDED = "UNDECIDED"

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


@dataclasses.dataclass
class Part:
    """One residual of an obligation (e.g. the Eq 13 part of Theorem 1)."""

    name: str
    outcome: Outcome
    residual: str
    witness: dict | None = None
    note: str | None = None

    def to_json(self) -> dict:
        out = {"name": self.name, "outcome": self.outcome.value, "residual": self.residual}
        if self.witness is not None:
            out["witness"] = self.witness
        if self.note:
            out["note"] = self.note
        return out


@dataclasses.dataclass
class Obligation:
    """One proof obligation: what is claimed, how it was decided, the outcome.

    ``kind`` is ``"statement"`` (a theorem or corollary of the paper),
    ``"step"`` (an identity an appendix uses), ``"misprint"`` (an equation as
    printed in the paper, which may be false) or ``"variant"`` (a deliberately
    false variant of a statement, used to show the checker can refute).
    Only statements and steps decide the exit code of ``prove``.
    """

    id: str
    equations: tuple[str, ...]
    statement: str
    outcome: Outcome
    residual: str
    kind: str = "statement"
    family: str = "generic"
    method: str = ""
    theta: str | None = None  # "symbolic" | "exact values" | None (no theta involved)
    witness: dict | None = None
    parts: list[Part] = dataclasses.field(default_factory=list)
    latex: list[str] = dataclasses.field(default_factory=list)
    applicable: bool = True
    reason: str | None = None
    numeric_only: bool = False
    seconds: float = 0.0

    @property
    def obligation(self) -> str:
        """The id under the JSON key's name."""
        return self.id

    @property
    def equations_text(self) -> str:
        """``Eq 11-14``, ``Eq 21-22,11-14``: runs of consecutive numbers joined."""
        if not self.equations:
            return ""
        runs: list[list[str]] = []
        for e in self.equations:
            if runs and e.isdigit() and runs[-1][-1].isdigit() and int(e) == int(runs[-1][-1]) + 1:
                runs[-1].append(e)
            else:
                runs.append([e])
        return "Eq " + ",".join(r[0] if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)

    def to_json(self, latex: bool = False) -> dict:
        out: dict[str, Any] = {
            "obligation": self.id,
            "outcome": self.outcome.value,
            "residual": self.residual,
            "equations": list(self.equations),
            "statement": self.statement,
            "kind": self.kind,
            "family": self.family,
            "method": self.method,
            "theta": self.theta,
            "witness": self.witness,
            "applicable": self.applicable,
            "reason": self.reason,
            "numeric_only": self.numeric_only,
            "parts": [p.to_json() for p in self.parts],
            "seconds": round(self.seconds, 3),
        }
        if latex:
            out["latex"] = list(self.latex)
        return out


# --------------------------------------------------------------------------
# deciding residuals
# --------------------------------------------------------------------------

def _entries(residual) -> list[sp.Expr]:
    if isinstance(residual, (sp.MatrixBase, list, tuple)):
        out = []
        for r in (residual if not isinstance(residual, sp.MatrixBase) else list(residual)):
            out.extend(_entries(r))
        return out
    return [sp.sympify(residual)]


def named_entries(name: str, residual) -> tuple[list[sp.Expr], list[str]]:
    """The scalar entries of a residual part and their names (``name`` or ``name[i]``)."""
    entries = _entries(residual)
    names = [name] if len(entries) == 1 else [f"{name}[{i}]" for i in range(len(entries))]
    return entries, names


def _has_abstract(expr: sp.Expr) -> bool:
    """True if the expression holds undefined functions or unevaluated derivatives."""
    return bool(expr.atoms(sp.core.function.AppliedUndef)) or bool(expr.atoms(sp.Derivative)) \
        or bool(expr.atoms(sp.Subs))


def _has_denominator(expr: sp.Expr) -> bool:
    """True if a negative power of a non-number occurs (a rational function)."""
    return any(isinstance(a, sp.Pow) and a.exp.is_negative and not a.base.is_number
               for a in sp.preorder_traversal(expr))


def is_zero(expr: sp.Expr, *, heavy: bool = True) -> tuple[bool, sp.Expr]:
    """Whether ``expr`` simplifies to exactly 0; also the simplest form reached.

    Tried in order of cost: structural zero; over a common denominator
    (``together``), the expanded numerator; ``cancel``; then, if ``heavy``,
    ``simplify`` (exponentials and radicals).
    """
    expr = sp.sympify(expr)
    if expr == 0:
        return True, sp.S.Zero
    if not _has_denominator(expr):
        # no symbolic denominators: expanding is cheaper than combining fractions
        e = sp.expand(expr)
        if e == 0:
            return True, sp.S.Zero
        expr = e
    num, den = sp.fraction(sp.together(expr))
    num = sp.expand(num)
    if num == 0:
        return True, sp.S.Zero
    reduced = num / den
    if not heavy:
        return False, reduced
    try:
        c = sp.cancel(reduced)
    except (sp.PolynomialError, TypeError, ValueError):  # pragma: no cover - defensive
        c = reduced
    if c == 0:
        return True, sp.S.Zero
    s = sp.simplify(c)
    if s == 0:
        return True, sp.S.Zero
    return False, s


def _nonzero_value(expr: sp.Expr, point: dict) -> sp.Expr | None:
    """The value of ``expr`` at ``point`` if it is clearly non-zero, else None.

    Exact when substitution leaves a rational; otherwise evaluated at 30 and at
    60 digits, and accepted only if the two agree and exceed ``WITNESS_FLOOR``.
    """
    v = expr.xreplace(point)
    if v.free_symbols or _has_abstract(v):
        return None
    try:
        if v.is_Rational:
            return v if v != 0 else None
        lo, hi = (sp.N(v, d) for d in WITNESS_DPS)
    except (TypeError, ValueError, ZeroDivisionError):  # pragma: no cover - defensive
        return None
    if not (lo.is_number and hi.is_number) or hi.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    if abs(hi) <= WITNESS_FLOOR:
        return None
    if abs(lo - hi) > sp.Float("1e-25") * max(1, abs(hi)):
        return None
    return hi


def sample_points(symbols: Iterable[sp.Symbol], base: dict | None = None, *,
                  count: int = 3, seed: int = 0) -> list[dict]:
    """Exact sample points for the symbols a residual depends on.

    ``base`` fixes some symbols (the model's theta, a fixed point); the others
    get small exact rationals: times ``t``, ``u`` in (0, 2], the Laplace
    variable ``z`` in [1, 3], everything else in [-1, 1] away from 0.
    """
    rng = random.Random(seed)
    base = dict(base or {})
    points = []
    for k in range(count):
        pt = dict(base)
        for x in sorted(symbols, key=str):
            if x in pt:
                continue
            name = str(x)
            if name in ("t", "u", "tau"):
                pt[x] = [sp.Rational(1, 2), sp.Rational(7, 5), sp.Rational(1, 3)][k % 3]
            elif name == "z":
                pt[x] = [sp.Integer(1), sp.Rational(7, 3), sp.Rational(5, 2)][k % 3]
            else:
                num = rng.randint(1, 97)
                pt[x] = sp.Rational(num if rng.random() < 0.5 else -num, 100)
        points.append(pt)
    return points


def decide_entries(entries: Sequence[sp.Expr], *, points: list[dict] | None = None,
                   names: Sequence[str] | None = None, heavy: bool = True
                   ) -> tuple[Outcome, str, dict | None]:
    """Decide that every entry vanishes: PROVED, REFUTED (with witness) or UNDECIDED.

    ``points`` are the exact points tried for a witness (default: derived by
    :func:`sample_points` from the free symbols); ``names`` label the entries.
    """
    entries = [sp.sympify(e) for e in entries]
    names = list(names) if names is not None else [f"[{i}]" for i in range(len(entries))]
    if points is None:
        free = set().union(*(e.free_symbols for e in entries)) if entries else set()
        points = sample_points(free)
    # 1. cheap exact zero tests
    status: list[tuple[bool, sp.Expr]] = [is_zero(e, heavy=False) for e in entries]
    if all(z for z, _ in status):
        return Outcome.PROVED, _show([r for _, r in status]), None
    # 2. a numeric witness where a residual is clearly non-zero
    for (zero, reduced), name in zip(status, names):
        if zero:
            continue
        for pt in points:
            free = reduced.free_symbols
            local = {k: v for k, v in pt.items() if k in free}
            if free - set(local):
                extra = sample_points(free - set(local), count=1)[0]
                local.update(extra)
            v = _nonzero_value(reduced, local)
            if v is not None:
                return Outcome.REFUTED, _show([r for _, r in status]), _witness(name, local, v)
    # 3. expensive simplification
    if heavy:
        status = [(True, sp.S.Zero) if z else is_zero(r, heavy=True) for z, r in status]
        if all(z for z, _ in status):
            return Outcome.PROVED, _show([r for _, r in status]), None
    return Outcome.UNDECIDED, _show([r for _, r in status]), None


def _witness(component: str, point: dict, value) -> dict:
    exact = bool(getattr(value, "is_Rational", False))
    return {
        "component": component,
        "point": {str(k): str(v) for k, v in sorted(point.items(), key=lambda kv: str(kv[0]))},
        "value": str(value) if exact else sp.N(value, 20).__str__(),
        "exact": exact,
    }


def _show(residuals: list[sp.Expr]) -> str:
    if len(residuals) == 1:
        return str(residuals[0])
    return "[" + ", ".join(str(r) for r in residuals) + "]"


def decide(parts: Sequence[tuple[str, Any]], *, points: list[dict] | None = None,
           heavy: bool = True) -> tuple[Outcome, str, dict | None, list[Part]]:
    """Decide an obligation made of named residual parts.

    Returns the combined outcome (REFUTED if any part is refuted, PROVED if all
    are proved, else UNDECIDED), the combined residual text, the first witness
    and the per-part results.
    """
    results = []
    for name, residual in parts:
        entries, names = named_entries(name, residual)
        outcome, text, witness = decide_entries(entries, points=points, names=names, heavy=heavy)
        results.append(Part(name, outcome, text, witness))
    return combine(results)


def combine(results: list[Part]) -> tuple[Outcome, str, dict | None, list[Part]]:
    """The outcome of an obligation from the outcomes of its parts."""
    if any(r.outcome is Outcome.REFUTED for r in results):
        outcome = Outcome.REFUTED
    elif all(r.outcome is Outcome.PROVED for r in results):
        outcome = Outcome.PROVED
    else:
        outcome = Outcome.UNDECIDED
    if outcome is Outcome.PROVED:
        residual = "0"
    else:
        residual = "; ".join(f"{r.name}: {r.residual}" for r in results if r.outcome is not Outcome.PROVED)
    witness = next((r.witness for r in results if r.witness is not None), None)
    return outcome, residual, witness, results


def decide_modulo(name: str, residual, hypotheses: Sequence[tuple[Any, Any]], *,
                  hypothesis_text: str) -> Part:
    """PROVED if ``residual`` equals sum(multiplier * hypothesis), each hypothesis vanishing.

    Multipliers and hypotheses are scalars or have the residual's shape
    (elementwise products; a scalar is broadcast).

    This is how a step "using the fixed point condition" is checked: the
    residual of the step must be *exactly* a combination of the quantities the
    paper says are zero, with the given multipliers (the certificate). If it is
    not, the outcome is UNDECIDED (a different certificate might exist) and the
    remainder is printed.
    """
    entries = _entries(residual)
    combo = [sp.S.Zero] * len(entries)
    for mult, hyp in hypotheses:
        m_entries, h_entries = _entries(mult), _entries(hyp)
        if len(m_entries) == 1:
            m_entries = m_entries * len(entries)
        if len(h_entries) == 1:
            h_entries = h_entries * len(entries)
        if not len(m_entries) == len(h_entries) == len(entries):
            raise ValueError(f"certificate of {name!r}: shapes {len(m_entries)}, {len(h_entries)} "
                             f"do not match the residual's {len(entries)}")
        for i in range(len(entries)):
            combo[i] += m_entries[i] * h_entries[i]
    remainders = [e - c for e, c in zip(entries, combo)]
    verdicts = [is_zero(r) for r in remainders]
    if all(z for z, _ in verdicts):
        return Part(name, Outcome.PROVED, "0", note=f"modulo {hypothesis_text}")
    return Part(name, Outcome.UNDECIDED, _show([r for _, r in verdicts]),
                note=f"remainder after removing {hypothesis_text}")
