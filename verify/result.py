"""Results: one :class:`CheckResult` per statement, a :class:`Report` for a whole check.

A result says what was compared with what, computed how, the errors, the
tolerance and where it comes from, the digits of agreement, and whether it
passed or was not applicable (DESIGN.md "JSON result"; STYLE.md "A check's report").
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import mpmath

from .errors import EXIT_FAILED, EXIT_HYPOTHESES, EXIT_INTERNAL, EXIT_OK
from .numbers import digits_of_agreement, to_str

SCHEMA = "eqprop-verify/check/1"


@dataclasses.dataclass
class CheckResult:
    """One statement checked: two independently computed sides and their agreement."""

    id: str
    title: str
    equations: list[str]
    compared: list[str]
    max_abs_error: Any = None
    max_rel_error: Any = None
    tolerance: Any = None
    tolerance_origin: str = ""
    passed: bool | None = None
    applicable: bool = True
    reason: str | None = None
    worst: str = ""                 # where the largest error was (time, component)
    details: list = dataclasses.field(default_factory=list)  # per-time rows for --verbose
    per_component: tuple | None = None  # (component names, [(t, relative |diff| per component)])
    vacuous: bool = False           # both sides are 0 to working precision: nothing was compared
    digits_cap: float | None = None  # working precision + guard digits: no comparison shows more

    @property
    def digits(self) -> float | None:
        if self.max_rel_error is None or self.vacuous:
            return None
        digits = digits_of_agreement(self.max_rel_error)
        return round(digits if self.digits_cap is None else min(digits, self.digits_cap), 1)

    @property
    def status(self) -> str:
        if not self.applicable:
            return "N/A"
        return "PASS" if self.passed else "FAIL"

    def to_dict(self) -> dict:
        """This statement's entry of the JSON result's ``checks`` list (docs/json.md)."""
        return {
            "id": self.id, "title": self.title, "equations": self.equations,
            "compared": self.compared,
            "max_abs_error": None if self.max_abs_error is None else to_str(self.max_abs_error, 6),
            "max_rel_error": None if self.max_rel_error is None else to_str(self.max_rel_error, 6),
            "tolerance": None if self.tolerance is None else to_str(self.tolerance, 6),
            "tolerance_origin": self.tolerance_origin,
            "digits": self.digits, "passed": bool(self.passed) if self.applicable else False,
            "applicable": self.applicable, "vacuous": self.vacuous, "reason": self.reason, "worst": self.worst,
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=2)

    def format(self, dps: int, verbose: bool = False) -> str:
        eqs = ", ".join(self.equations)
        head = f"{self.status:4s} {self.id:12s} (Eq {eqs})  {self.title}"
        if not self.applicable and (self.max_rel_error is None or self.vacuous):
            return head + f"\n  not applicable: {self.reason}"
        lines = [head,
                 f"  compared  {self.compared[0]}",
                 f"  with      {self.compared[1]}"]
        if self.worst:
            lines.append(f"  worst at  {self.worst}  dps={dps}")
        lines.append(f"  error     |diff|={mpmath.nstr(self.max_abs_error, 2)}  "
                     f"rel={mpmath.nstr(self.max_rel_error, 2)}  digits={self.digits}")
        lines.append(f"  tolerance {mpmath.nstr(self.tolerance, 2)} ({self.tolerance_origin})")
        if self.reason:
            lines.append(f"  {'not applicable: ' if not self.applicable else 'note      '}{self.reason}")
        if verbose and self.details:
            lines.append("  per time:  " + "  ".join(self.details))
        if verbose and self.per_component and self.per_component[1]:
            names, rows = self.per_component
            lines.append("  relative |diff| per component (rows) and time (columns):")
            lines.append("    " + " " * 14 + "".join(f"{'t=' + mpmath.nstr(t, 4):>10s}" for t, _ in rows))
            for c, name in enumerate(names):
                lines.append(f"    {name:14s}" + "".join(f"{mpmath.nstr(r[c], 2):>10s}" for _, r in rows))
        return "\n".join(lines)


@dataclasses.dataclass
class Report:
    """Everything one ``check`` produced: settings, fixed point, checks, values."""

    model: Any
    settings: dict
    environment: dict
    fixed_point: dict
    checks: list[CheckResult]
    values: dict
    timings: dict = dataclasses.field(default_factory=dict)
    error: str | None = None
    #: the check's :class:`verify.evidence.Evidence` (the report's plots are drawn from it); not in the JSON
    evidence: Any = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def verdict(self) -> str:
        if self.error:
            return "error"
        if any(c.applicable and not c.passed for c in self.checks):
            return "failed"
        if any(not c.applicable for c in self.checks) or all(c.vacuous for c in self.checks):
            return "hypotheses-not-met"     # (a verdict of verified needs a non-vacuous statement)
        return "verified"

    @property
    def exit_code(self) -> int:
        return {"verified": EXIT_OK, "failed": EXIT_FAILED, "hypotheses-not-met": EXIT_HYPOTHESES,
                "error": EXIT_INTERNAL}[self.verdict]

    def to_dict(self) -> dict:
        """The JSON result (schema ``eqprop-verify/check/1``, docs/json.md) as a dict."""
        from . import __version__

        return {
            "schema": SCHEMA,
            "tool": {"name": "eqprop-verify", "version": __version__},
            "model": {"name": self.model.name, "description": self.model.description,
                      "source": self.model.source,
                      "state": self.model.state_names(), "params": self.model.param_names()},
            "settings": self.settings,
            "environment": self.environment,
            "fixed_point": self.fixed_point,
            "verdict": self.verdict,
            "checks": [c.to_dict() for c in self.checks],
            "values": self.values,
            "timings": self.timings,
            "error": self.error,
        }

    def to_json(self) -> str:
        """The JSON result as text, exactly what ``check --json`` writes."""
        return json.dumps(self.to_dict(), indent=2)

    def table(self, verbose: bool = False) -> str:
        dps = self.settings.get("dps")
        guard = self.settings.get("guard_digits", 0)
        lines = [f"eqprop-verify check {self.model.name}: dps={dps} (+{guard} guard digits), "
                 f"times={', '.join(self.settings['times'])}, "
                 f"beta method={self.settings['beta_method']}, backend={self.settings['backend']}"]
        fp = self.fixed_point
        if fp.get("found"):
            lines.append(f"fixed point: {fp['description']}")
        else:
            lines.append(f"fixed point: not found: {fp.get('reason')}")
        lines.append("")
        for c in self.checks:
            lines.append(c.format(dps, verbose))
        lines.append("")
        summary = "  ".join(f"{c.id}:{c.status}" + (f"({c.digits})" if c.applicable else "") for c in self.checks)
        lines.append(f"verdict: {self.verdict.upper()}   {summary}")
        return "\n".join(lines)

    def assert_verified(self):
        """Raise AssertionError with the readable table unless the verdict is ``verified``."""
        if self.verdict != "verified":
            raise AssertionError(f"eqprop-verify: {self.verdict}\n{self.table()}")
        return self


def write_atomic(path, text: str, protect=(), what: str = "output") -> None:
    """Write ``text`` to ``path`` safely (:func:`verify.outputs.write_text`: atomic for a regular
    file, into a device or FIFO, through links; never over a directory or a ``protect`` path)."""
    from .outputs import write_text

    write_text(path, text, protect=protect, what=what)


def dump_json(report: Report) -> str:
    return report.to_json()
