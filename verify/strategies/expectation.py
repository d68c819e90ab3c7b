"""What a drawn instance of another dynamics is expected to give: a verdict, and per statement PASS or N/A.

The families of discrete maps and continuous fields draw models whose
outcome is known in advance from how they were built: a gradient map
(energy + step, a primitive, a symmetric field) verifies; a map or field
that is not a gradient (the prototypical sigma-update, a field with a skew
part) makes the EP statements not applicable with the reason "not a gradient
map", while the statements that need no symmetry still pass. The property
tests and ``eqprop-verify random`` hold each drawn instance to its
:class:`Expectation`; the expectation is never read from the check.
"""

from __future__ import annotations

import dataclasses

PASS = "PASS"


@dataclasses.dataclass(frozen=True)
class Expectation:
    """The verdict and, per statement id, PASS or the start of the N/A reason (a known limitation)."""

    verdict: str
    statements: tuple            # ((statement id, PASS or an N/A reason prefix), ...)
    why: str                     # one line: why this outcome is the right one

    def mismatches(self, report) -> list[str]:
        """How ``report`` departs from this expectation (empty: as expected)."""
        out = [] if report.verdict == self.verdict else [f"verdict {report.verdict}, expected {self.verdict}"]
        checks = {c.id: c for c in report.checks}
        for cid, want in self.statements:
            c = checks.get(cid)
            if c is None:
                out.append(f"{cid}: not checked")
            elif want == PASS:
                if not (c.applicable and c.passed):
                    out.append(f"{cid}: {c.status}, expected PASS ({c.reason or 'a discrepancy'})")
            elif c.applicable or not (c.reason or "").startswith(want):
                out.append(f"{cid}: {c.status} ({c.reason}), expected N/A: {want} ...")
        return out

    def summary(self) -> str:
        return f"{self.verdict}: " + ", ".join(f"{cid} {'PASS' if w == PASS else 'N/A'}" for cid, w in self.statements)


def verified(*ids: str, why: str) -> Expectation:
    return Expectation("verified", tuple((cid, PASS) for cid in ids), why)


def not_applicable(passing, missing: dict, why: str) -> Expectation:
    """hypotheses-not-met: ``passing`` statements PASS, ``missing`` {id: reason prefix} N/A."""
    return Expectation("hypotheses-not-met", tuple((cid, PASS) for cid in passing) + tuple(missing.items()), why)


NOT_GRADIENT = "not a gradient map"
NO_PHI = "needs `primitive` or `energy`"
