"""A sweep's summary from its records: per family and statement, instances, passed, N/A by reason,
failed, min and median digits of agreement (over the applicable checks)."""

from __future__ import annotations

import re
import statistics

VERDICTS = ("verified", "failed", "hypotheses-not-met", "error")
#: a measured number in a reason (2.5e-3, 0.0572): shown as # when reasons are counted
MEASURED = re.compile(r"(?<![\w^])[-+]?\d+\.\d+(?:e[-+]?\d+)?|(?<![\w^])\d+e[-+]?\d+")


def statements(records: list[dict]) -> dict:
    """Per statement id (in the paper's order): the counts and digits over ``records``."""
    from ..statements import STATEMENT_IDS

    out = {}
    ids = [i for i in STATEMENT_IDS if any(i in r.get("checks", {}) for r in records)]
    ids += sorted({i for r in records for i in r.get("checks", {})} - set(ids))
    for cid in ids:
        rows = [r["checks"][cid] for r in records if cid in r.get("checks", {})]
        digits = [row["digits"] for row in rows if row["status"] != "N/A" and row["digits"] is not None]
        reasons: dict[str, int] = {}
        for row in rows:
            if row["status"] == "N/A":   # grouped by their words: the measured numbers differ per instance
                reason = MEASURED.sub("#", row.get("reason") or "unspecified")
                reasons[reason] = reasons.get(reason, 0) + 1
        out[cid] = {"instances": len(rows),
                    "passed": sum(row["status"] == "PASS" for row in rows),
                    "failed": sum(row["status"] == "FAIL" for row in rows),
                    "not_applicable": sum(row["status"] == "N/A" for row in rows),
                    "not_applicable_reasons": dict(sorted(reasons.items())),
                    "min_digits": min(digits) if digits else None,
                    "median_digits": round(statistics.median(digits), 1) if digits else None}
    return out


def verdicts(records: list[dict]) -> dict:
    return {v: sum(r["verdict"] == v for r in records) for v in VERDICTS}


def families(records: list[dict]) -> dict:
    """Per family (in order of first appearance): instances, verdicts and :func:`statements`."""
    out = {}
    for family in dict.fromkeys(r["family"] for r in records):
        mine = [r for r in records if r["family"] == family]
        out[family] = {"instances": len(mine), "verdicts": verdicts(mine), "statements": statements(mine)}
    return out


def table(title: str, stats: dict) -> list[str]:
    """Text rows for one :func:`statements` dict."""
    fmt = lambda d: "-" if d is None else f"{d:.1f}"  # noqa: E731
    lines = [f"{title:20s} {'instances':>9s} {'passed':>6s} {'failed':>6s} {'n/a':>5s}  {'min digits':>10s}  "
             f"{'median digits':>13s}"]
    for cid, s in stats.items():
        lines.append(f"  {cid:18s} {s['instances']:9d} {s['passed']:6d} {s['failed']:6d} {s['not_applicable']:5d}  "
                     f"{fmt(s['min_digits']):>10s}  {fmt(s['median_digits']):>13s}")
        for reason, count in s["not_applicable_reasons"].items():
            lines.append(f"      n/a x{count}: {reason}")
    return lines
