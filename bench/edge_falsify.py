"""The falsification catalogue on drawn edge cases (issue 10's acceptance): every variant that applies is rejected.

    python bench/edge_falsify.py [N]        # N drawn convex/fold edge cases (default 30), seed "edge-falsify"

Draws the same cases as tests/edges/test_edge_strategy.py's catalogue test
(thorough profile: dps 20 and 30). Prints, per variant, on how many cases it
applied and was rejected, and every miss; exit 1 on a miss.
"""

from __future__ import annotations

import collections
import random
import sys
import time

import mpmath


def run(count: int) -> int:
    from verify import edge_cases as E
    from verify.evidence import gather
    from verify.precision import Precision
    from verify.statements import rejected, run_variants
    from verify.strategies import RandomSource

    rng = random.Random("edge-falsify")
    applied, caught, misses, verdicts = collections.Counter(), collections.Counter(), [], collections.Counter()
    start = time.perf_counter()
    for i in range(count):
        case = E.draw_case(RandomSource(rng), kinds=("convex", "fold"), dps=(20, 30), budget=20)
        precision = Precision(case.dps)
        with precision.context():
            ev = gather(case.model, precision=precision,
                        times=[mpmath.mpf(t.numerator) / t.denominator for t in case.times],
                        beta_method="symmetric", backend="mpmath", seed=0, max_directions=64,
                        progress=lambda *a, **k: None)
            results = run_variants(ev)
        verdicts[case.kind] += 1
        for variant, result in results:
            if result is None:
                continue
            applied[variant.id] += 1
            if rejected(result):
                caught[variant.id] += 1
            else:
                misses.append(f"case {i} {case!r}: {variant.id} {result.status} digits {result.digits} "
                              f"({result.reason})")
    print(f"{count} edge cases ({dict(verdicts)}), {time.perf_counter() - start:.0f} s")
    print(f"{'variant':28s} applied rejected")
    for vid in sorted(applied):
        print(f"{vid:28s} {applied[vid]:7d} {caught[vid]:8d}")
    print(f"total: {sum(applied.values())} applications, {sum(caught.values())} rejected, {len(misses)} missed")
    for m in misses:
        print("MISSED", m)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(run(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
