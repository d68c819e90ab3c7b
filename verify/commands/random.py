"""``eqprop-verify random``: check the statements on a reproducible sweep of random valid instances.

Instance ``i`` of a sweep is drawn from ``random.Random("<seed>/<family>/<i>")``
by the generators of :mod:`verify.strategies` (:func:`verify.sweep.task.instance_for`),
so a sweep is the same in-process, with ``--workers N`` and on a Dask cluster
(``--scheduler``), and instance ``i`` can be re-drawn alone. Degenerate draws
(no strict minimum, nearly singular or worse than COND_MAX) are redrawn and
counted, never checked as passes. With ``--results PATH`` every instance is
appended to a results file as it finishes, and ``--resume`` finishes a sweep
that was stopped. Every instance that is not verified is written as a model
file (with its dps, times, beta method and backend in ``[settings]``) that
``eqprop-verify check PATH`` reproduces.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

from ..sweep.summary import families, statements, verdicts
from ..sweep.summary import table as summary_table
from ..sweep.task import as_expected

HELP = ("check the statements on a reproducible sweep of random valid instances "
        "(in parallel, on Dask, resumable)")


def add_arguments(parser):
    from ..strategies import BETA_METHODS, GROUPS, REGISTRY
    from ..sweep import add_arguments as add_sweep_arguments

    parser.add_argument("--family", default="hopfield", choices=list(REGISTRY) + list(GROUPS),
                        help="instance family (all: the gradient-flow families in turn; dynamics: the discrete "
                             "and field families in turn, each instance held to its expected outcome; "
                             "default hopfield)")
    parser.add_argument("--examples", type=int, default=20, metavar="N", help="how many instances (default 20)")
    add_sweep_arguments(parser)
    parser.add_argument("--json", metavar="PATH", default=None,
                        help="write the JSON summary to PATH ('-' for standard output)")
    parser.add_argument("--out", metavar="DIR", default="eqprop-random-failures",
                        help="where instances that are not verified are written (default ./eqprop-random-failures)")
    parser.add_argument("--times", default=None,
                        help="comma-separated times for every instance (default: drawn per instance)")
    parser.add_argument("--beta-method", choices=BETA_METHODS, default=None,
                        help="beta -> 0 method for every instance (default: drawn per instance)")
    parser.add_argument("--min-cond", type=float, default=1.0, metavar="C",
                        help="only instances whose Hessian at s_theta^0 has condition number >= C")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress and no table")


def _free_path(stem: str, text: str) -> str:
    """``STEM.toml`` unless a different file is there (a user's, or another run's): then ``STEM-2.toml``, ...

    A file with exactly ``text`` is this instance already written (a resumed sweep): its path is returned
    and nothing is rewritten. Nothing that differs is ever replaced.
    """
    number = 1
    while True:
        path = os.path.abspath(f"{stem}.toml" if number == 1 else f"{stem}-{number}.toml")
        try:
            with open(path, encoding="utf-8") as fh:
                if fh.read() == text:
                    return path
        except FileNotFoundError:
            return path
        except (OSError, UnicodeDecodeError):
            pass
        number += 1


def _times(text):
    from fractions import Fraction

    from ..errors import UsageError

    if not text:
        return None
    try:
        times = [Fraction(t.strip()) for t in text.split(",") if t.strip()]
    except ValueError:
        raise UsageError(f"--times: '{text}' is not a comma-separated list of numbers") from None
    if not times or any(t < 0 for t in times):
        raise UsageError("--times must be numbers >= 0")
    return [str(t) for t in times]


def run(args) -> int:
    from ..errors import EXIT_FAILED, EXIT_HYPOTHESES, EXIT_INTERNAL, EXIT_OK, UsageError
    from ..result import write_atomic
    from ..sweep import executor_from, open_results, sweep, tasks_for
    from ..theorems import resolve_backend

    if args.examples < 1:
        raise UsageError(f"--examples must be >= 1, got {args.examples}")
    if args.dps is not None and not 10 <= args.dps <= 1000:
        raise UsageError(f"--dps must be from 10 to 1000, got {args.dps}")
    times = _times(args.times)
    seed = args.seed if args.seed is not None else 0
    dps = args.dps or 30
    backend = resolve_backend(args.backend)
    settings = {"family": args.family, "seed": seed, "dps": dps, "backend": backend, "times": times,
                "beta_method": args.beta_method, "min_cond": args.min_cond}
    tasks = tasks_for("random", settings, args.family, args.examples)
    results = open_results(args, "random", settings)
    executor = executor_from(args)

    def model_file(record):
        if not record.get("model_file"):
            return None
        path = _free_path(os.path.join(args.out, f"{record['family']}-seed{seed}-{record['index']}"),
                          record["model_file"])
        if not os.path.exists(path):
            write_atomic(path, record["model_file"])
        return path

    started = time.perf_counter()
    try:
        records = sweep(tasks, executor=executor, results=results, progress=not args.quiet, on_record=model_file)
    finally:
        executor.close()
        results.close()
    elapsed = time.perf_counter() - started

    failures = []
    for r in records:
        if not as_expected(r):
            r["path"] = model_file(r)   # again for the instances of a resumed sweep's earlier runs
            if r["path"]:
                failures.append(r["path"])
    counts = verdicts(records)
    held = [r for r in records if "expected" in r]      # other dynamics: an expected outcome each
    conds = sorted(r["cond"] for r in records if r.get("cond") is not None)
    summary = {
        "schema": "eqprop-verify/random/1",
        "family": args.family, "examples": args.examples, "seed": seed, "dps": dps, "backend": backend,
        "workers": executor.workers, "executor": executor.description, "results": results.path,
        "times": times, "beta_method": args.beta_method, "min_cond": args.min_cond,
        "verdicts": counts, "statements": statements(records), "families": families(records),
        "failures": failures,
        "expectations": {"instances": len(held), "as_expected": sum(as_expected(r) for r in held),
                         "unexpected": {r["index"]: r.get("unexpected") or [r.get("error")]
                                        for r in held if not as_expected(r)}} if held else None,
        "rejected_draws": sum(r.get("rejected_draws", 0) for r in records),
        "conditioning": {"min": conds[0], "median": statistics.median(conds), "max": conds[-1],
                         "at_least_10": sum(c >= 10 for c in conds), "at_least_100": sum(c >= 100 for c in conds)}
        if conds else None,
        "seconds": round(elapsed, 1),
        "instances": [{k: r.get(k) for k in ("index", "family", "n", "p", "times", "beta_method", "cond",
                                              "verdict", "expected", "error", "seconds", "path")} for r in records],
    }
    if args.json and args.json != "-":
        write_atomic(args.json, json.dumps(summary, indent=2) + "\n")
    if args.json == "-":
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    elif not args.quiet:
        print(table(summary, records))
    unexpected = [r for r in records if not as_expected(r) and r["verdict"] != "error"]
    if counts["failed"] or any(r["verdict"] == "verified" for r in unexpected):
        return EXIT_FAILED       # a statement failed, or one was verified where it must not hold
    if counts["error"]:
        return EXIT_INTERNAL
    if unexpected:
        return EXIT_HYPOTHESES
    return EXIT_OK


def table(summary: dict, results: list[dict]) -> str:
    lines = [f"eqprop-verify random: family={summary['family']} examples={summary['examples']} "
             f"seed={summary['seed']} dps={summary['dps']} backend={summary['backend']} "
             f"on {summary['executor']} ({summary['seconds']}s)", ""]
    lines += summary_table("all families", summary["statements"])
    if len(summary["families"]) > 1:
        for family, row in summary["families"].items():
            lines += ["", *summary_table(f"{family} ({row['instances']})", row["statements"])]
    c = summary["conditioning"]
    if c:
        lines += ["", f"conditioning at the fixed point (cond(H) of an energy, cond(I - dF/ds) of a map): min {c['min']:.3g}  median {c['median']:.3g}  max {c['max']:.3g}  "
                      f"(>= 10: {c['at_least_10']}, >= 100: {c['at_least_100']}); "
                      f"degenerate draws rejected: {summary['rejected_draws']}"]
    if summary["results"]:
        lines.append(f"results file: {summary['results']}")
    for r in results:
        if r["verdict"] == "error":
            lines.append(f"instance {r['index']}: the check crashed: {r['error']}")
        elif r.get("unexpected"):
            lines.append(f"instance {r['index']} ({r['family']}): not as expected: {'; '.join(r['unexpected'])}")
        elif not as_expected(r):
            bad = [cid for cid, v in r.get("checks", {}).items() if v["status"] != "PASS"]
            lines.append(f"instance {r['index']}: {r['verdict']} ({', '.join(bad)})")
    if summary["failures"]:
        lines.append("not verified, written as model files (reproduce with "
                     f"`eqprop-verify check PATH --backend {summary['backend']}`):")
        lines += [f"  {p}" for p in summary["failures"]]
    v = summary["verdicts"]
    e = summary.get("expectations")
    if e:     # other dynamics: each instance's expected outcome (verified, or N/A for a known reason)
        ok = sum(as_expected(r) for r in results)
        overall = ("AS EXPECTED" if ok == summary["examples"] else "FAILED" if v["failed"] else
                   "ERROR" if v["error"] else "NOT AS EXPECTED")
        lines.append(f"verdict: {overall}   {ok}/{summary['examples']} instances as expected "
                     f"({v['verified']} verified, {v['hypotheses-not-met']} not applicable as built: "
                     "not a gradient map / no Phi)")
        return "\n".join(lines)
    overall = ("VERIFIED" if v["verified"] == summary["examples"] else
               "FAILED" if v["failed"] else "ERROR" if v["error"] else "HYPOTHESES NOT MET")
    lines.append(f"verdict: {overall}   {v['verified']}/{summary['examples']} instances verified")
    return "\n".join(lines)
