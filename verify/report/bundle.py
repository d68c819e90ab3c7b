"""Everything one report shows, gathered before anything is written."""

from __future__ import annotations

import dataclasses
from typing import Any

import mpmath

from .plots import PLOTS

VERDICT_WORDS = {"verified": "VERIFIED", "failed": "FAILED", "hypotheses-not-met": "HYPOTHESES NOT MET",
                 "error": "ERROR"}


@dataclasses.dataclass
class Bundle:
    report: Any                      # verify.result.Report
    curves: Any                      # .curves.Curves or None
    plots: dict                      # file name -> PNG bytes
    sections: list                   # .equations.Section
    equation_notes: list
    proofs: Any                      # .extras.Extra
    audit: Any                       # .extras.Extra
    command: str                     # reproduces the report
    model_arg: str                   # MODEL as given (built-in name or path)
    timings: dict = dataclasses.field(default_factory=dict)
    extra_plots: list = dataclasses.field(default_factory=list)   # (file name, title, caption): e.g. the bridge

    @property
    def verdict(self) -> str:
        return self.report.verdict

    @property
    def dps(self) -> int:
        return int(self.report.settings["dps"])

    def plot_list(self):
        """(file name, title, caption) of the plots that were drawn, in order."""
        return [(f, title, cap) for f, _, title, cap in PLOTS if f in self.plots] + \
            [(f, title, cap) for f, title, cap in self.extra_plots if f in self.plots]

    def summary(self) -> str:
        """One sentence under the verdict."""
        checks = self.report.checks
        applicable = [c for c in checks if c.applicable]
        passed = [c for c in applicable if c.passed]
        failed = [c for c in applicable if not c.passed]
        na = [c for c in checks if not c.applicable]
        digits = [c.digits for c in passed if c.digits is not None]
        tols = [mpmath.mpf(c.tolerance) for c in applicable if c.tolerance is not None]
        v = self.verdict
        if v == "verified":
            text = (f"All {len(checks)} statements verified at dps={self.dps}: the independent routes agree to "
                    f"at least {min(digits):.1f} significant digits" if digits else
                    f"All {len(checks)} statements verified at dps={self.dps}")
            if tols:
                text += f", every error below its derived tolerance (at most {mpmath.nstr(max(tols), 2)})"
            return text + "."
        if v == "failed":
            return (f"{len(failed)} of {len(checks)} statements failed to verify ("
                    + ", ".join(c.id for c in failed) + f"); {len(passed)} verified, {len(na)} not applicable.")
        if v == "hypotheses-not-met":
            return (f"{len(na)} of {len(checks)} statements are not applicable to this instance ("
                    + "; ".join(f"{c.id}: {c.reason}" for c in na[:2]) + ("; ..." if len(na) > 2 else "")
                    + f"); the {len(passed)} applicable ones verified.")
        return f"The check could not run: {self.report.error}"
