"""Verdicts on N drawn edge cases, counted exactly (issue 10's acceptance; the hypothesis property
test draws the same kinds but may repeat an example and reports percentages).

    python bench/edge_verdicts.py [N] [SEED]     # default 300 cases, seed "edge-verdicts"

Prints instances per kind and verdict, FAILed statements, N/A statements by reason, and every
case whose verdict is not the one the strategy expects (exit 1 if any).
"""

from __future__ import annotations

import collections
import random
import sys
import time


def run(count: int, seed: str) -> int:
    import warnings

    from verify import edge_cases as E
    from symbolic.limits import HeavyRequestWarning
    from verify.strategies import RandomSource
    from verify.theorems import check

    warnings.simplefilter("ignore", HeavyRequestWarning)   # long times are the point here
    rng = random.Random(seed)
    verdicts, reasons, fails, problems, seen = collections.Counter(), collections.Counter(), 0, [], set()
    start = time.perf_counter()
    for i in range(count):
        case = E.draw_case(RandomSource(rng), dps=(20, 30), budget=20)
        seen.add(case.to_toml())
        report = check(case.model, dps=case.dps, times=[str(t) for t in case.times], backend="mpmath")
        verdicts[(case.kind, report.verdict)] += 1
        for c in report.checks:
            if not c.applicable:
                reasons[next((r for r in (E.NOT_MINIMUM, E.VACUOUS) if r in (c.reason or "")), c.reason)] += 1
            elif not c.passed:
                fails += 1
        bad = case.judge(report)
        if bad:
            problems.append(f"case {i} {case!r}: " + "; ".join(bad))
    print(f"{count} edge cases ({len(seen)} distinct model files), seed {seed!r}, "
          f"{time.perf_counter() - start:.0f} s")
    for (kind, verdict), k in sorted(verdicts.items()):
        print(f"  {kind:8s} {verdict:20s} {k:4d}")
    print(f"FAILed statements: {fails}")
    for reason, k in reasons.most_common():
        print(f"  N/A statements {k:4d}: {reason}")
    print(f"unexpected verdicts: {len(problems)}")
    for p in problems:
        print("UNEXPECTED", p)
    return 1 if problems or fails else 0


if __name__ == "__main__":
    sys.exit(run(int(sys.argv[1]) if len(sys.argv) > 1 else 300,
                 sys.argv[2] if len(sys.argv) > 2 else "edge-verdicts"))
