"""CPU seconds per phase of one check (the ``lap()`` calls of verify/evidence.py), for profiling issue 11.

    python bench/phase_times.py baseline          # built-in paper-hopfield, dps 40, its own times
    python bench/phase_times.py 32                # paper-hopfield s1 = s2 = 32 (n = 66), dps 30, times 0, 1, 2
    python bench/phase_times.py 32 --profile out.prof   # the same under cProfile

The phases' clock (``verify.evidence._time.perf_counter``) is replaced by ``time.process_time``,
so the figures are this process's CPU time, as in ``eqprop-verify bench``. The baseline runs one
check first to warm the caches the bench's odefun solve warms (the compiled model), then times a
second check; a size runs once (as the bench does).
"""

from __future__ import annotations

import argparse
import cProfile
import time

import verify.evidence
from symbolic.load import load_model
from symbolic.spec import load_model_text
from symbolic.zoo import paper_hopfield_text
from verify.theorems import check


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", help="'baseline' or K (paper-hopfield with s1 = s2 = K)")
    parser.add_argument("--profile", metavar="PATH", help="write a cProfile of the timed check to PATH")
    args = parser.parse_args(argv)
    verify.evidence._time.perf_counter = time.process_time
    if args.which == "baseline":
        model, settings = load_model("paper-hopfield"), {"dps": 40, "backend": "mpmath"}
        check(model, **settings)
    else:
        k = int(args.which)
        model = load_model_text(paper_hopfield_text(s1=k, s2=k), f"<paper-hopfield s1=s2={k}>")
        settings = {"dps": 30, "backend": "mpmath", "times": ["0", "1", "2"]}
    profile = cProfile.Profile() if args.profile else None
    start = time.process_time()
    if profile:
        profile.enable()
    report = check(model, **settings)
    if profile:
        profile.disable()
        profile.dump_stats(args.profile)
    print(f"{model.name}: n = {model.n}, p = {model.p}: {time.process_time() - start:.2f} CPU s, {report.verdict}, "
          f"min digits {min(c.digits for c in report.checks if c.applicable):.1f}")
    print("  " + ", ".join(f"{phase} {seconds:.2f}" for phase, seconds in report.evidence.timings.items()))


if __name__ == "__main__":
    main()
