"""``eqprop-verify random``: check the statements on a reproducible sweep of random valid instances.

Instance ``i`` of a sweep is drawn from ``random.Random("<seed>/<family>/<i>")``
by the generators of :mod:`verify.strategies` (the property tests use the same
ones through hypothesis), so a sweep is the same whatever the number of
workers, and instance ``i`` can be re-drawn alone. Degenerate draws (no
strict minimum, nearly singular or worse than COND_MAX) are redrawn and
counted, never checked as passes. Every instance that is not verified is
written as a model file (with its dps, times, beta method and backend in
``[settings]``) that ``eqprop-verify check PATH`` reproduces.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

HELP = "check the statements on a reproducible sweep of random valid instances (in parallel)"


def add_arguments(parser):
    from ..strategies import BETA_METHODS, FAMILIES

    parser.add_argument("--family", default="hopfield", choices=list(FAMILIES) + ["all"],
                        help="instance family (all: the families in turn; default hopfield)")
    parser.add_argument("--examples", type=int, default=20, metavar="N", help="how many instances (default 20)")
    parser.add_argument("--workers", type=int, default=1, metavar="W",
                        help="local processes checking instances in parallel (default 1; 0 = one per CPU)")
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


def instance_for(family: str, seed: int, index: int, *, min_cond: float = 1.0, times=None, beta_method=None):
    """Instance ``index`` of the sweep (family, seed): ``(instance, times, beta method, rejected draws)``."""
    import random

    from .. import strategies as S

    if family == "all":
        family = S.FAMILIES[index % len(S.FAMILIES)]
    rng = random.Random(f"{seed}/{family}/{index}")
    inst, rejected = S.draw_valid(family, rng, min_cond=min_cond)
    src = S.RandomSource(rng)
    drawn_times = S.draw_times(src)
    drawn_method = src.choice(S.BETA_METHODS)
    return inst, (times or drawn_times), (beta_method or drawn_method), rejected


def check_instance(task: dict) -> dict:
    """Draw and check one instance (runs in a worker process); a JSON-able summary."""
    import mpmath

    from ..theorems import check

    started = time.perf_counter()
    inst, times, method, rejected = instance_for(task["family"], task["seed"], task["index"],
                                                 min_cond=task["min_cond"], times=task["times"],
                                                 beta_method=task["beta_method"])
    out = {"index": task["index"], "family": inst.family, "n": inst.model.n, "p": inst.model.p,
           "times": [str(t) for t in times], "beta_method": method, "cond": inst.screening.cond,
           "rejected_draws": rejected, "description": inst.model.description}
    try:
        report = check(inst.model, dps=task["dps"], times=[str(t) for t in times], beta_method=method,
                       backend=task["backend"])
    except Exception as exc:  # noqa: BLE001 - a crash on a valid instance is a finding, reported as such
        out.update(verdict="error", error=f"{type(exc).__name__}: {exc}", checks={}, table=None)
    else:
        eig = report.fixed_point.get("hessian_eigenvalues") or []
        if eig:
            values = [abs(mpmath.mpf(e)) for e in eig]
            out["cond"] = float(max(values) / min(values)) if min(values) > 0 else float("inf")
        out.update(verdict=report.verdict, checks={c.id: {"status": c.status, "digits": c.digits}
                                                   for c in report.checks},
                   table=report.table() if report.verdict != "verified" else None)
    if out["verdict"] != "verified":
        out["model_file"] = inst.to_toml(dps=task["dps"], times=times, beta_method=method, backend=task["backend"])
    out["seconds"] = round(time.perf_counter() - started, 3)
    return out


class ProgressBar:
    """A progress bar on standard error (a line per instance when it is not a terminal)."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.done = total, enabled, 0
        self.tty = sys.stderr.isatty()
        self.counts = {"verified": 0, "failed": 0, "hypotheses-not-met": 0, "error": 0}
        self.started = time.perf_counter()

    def update(self, result: dict):
        self.done += 1
        self.counts[result["verdict"]] = self.counts.get(result["verdict"], 0) + 1
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        counts = (f"verified {self.counts['verified']}  failed {self.counts['failed']}  "
                  f"n/a {self.counts['hypotheses-not-met']}  error {self.counts['error']}")
        if self.tty:
            width = 30
            filled = int(width * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}  {counts}  "
                             f"eta {eta:.0f}s ")
        else:
            sys.stderr.write(f"  {self.done}/{self.total}  #{result['index']} {result['family']} "
                             f"{result['verdict']} (cond {result['cond']:.3g}, {result['seconds']:.1f}s)  "
                             f"[{counts}]\n")
        sys.stderr.flush()

    def close(self):
        if self.enabled and self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()


def summarise(results: list[dict]) -> dict:
    """Per statement: passed, failed, not applicable, min and median digits over applicable checks."""
    from ..statements import STATEMENT_IDS

    out = {}
    ids = [i for i in STATEMENT_IDS if any(i in r["checks"] for r in results)]
    ids += sorted({i for r in results for i in r["checks"]} - set(ids))
    for cid in ids:
        rows = [r["checks"][cid] for r in results if cid in r["checks"]]
        digits = [row["digits"] for row in rows if row["status"] != "N/A" and row["digits"] is not None]
        out[cid] = {"passed": sum(row["status"] == "PASS" for row in rows),
                    "failed": sum(row["status"] == "FAIL" for row in rows),
                    "not_applicable": sum(row["status"] == "N/A" for row in rows),
                    "min_digits": min(digits) if digits else None,
                    "median_digits": round(statistics.median(digits), 1) if digits else None}
    return out


def run(args) -> int:
    from ..errors import EXIT_FAILED, EXIT_HYPOTHESES, EXIT_INTERNAL, EXIT_OK, UsageError
    from ..result import write_atomic
    from ..theorems import resolve_backend

    if args.examples < 1:
        raise UsageError(f"--examples must be >= 1, got {args.examples}")
    if args.workers < 0:
        raise UsageError(f"--workers must be >= 0, got {args.workers}")
    if args.dps is not None and not 10 <= args.dps <= 1000:
        raise UsageError(f"--dps must be from 10 to 1000, got {args.dps}")
    times = None
    if args.times:
        from fractions import Fraction

        try:
            times = [Fraction(t.strip()) for t in args.times.split(",") if t.strip()]
        except ValueError:
            raise UsageError(f"--times: '{args.times}' is not a comma-separated list of numbers") from None
        if not times or any(t < 0 for t in times):
            raise UsageError("--times must be numbers >= 0")
    seed = args.seed if args.seed is not None else 0
    dps = args.dps or 30
    backend = resolve_backend(args.backend)
    workers = args.workers or os.cpu_count() or 1
    tasks = [{"family": args.family, "seed": seed, "index": i, "dps": dps, "backend": backend,
              "times": times, "beta_method": args.beta_method, "min_cond": args.min_cond}
             for i in range(args.examples)]
    to_stdout = args.json == "-"
    bar = ProgressBar(len(tasks), enabled=not args.quiet)
    started = time.perf_counter()
    results = []
    if workers == 1:
        for task in tasks:
            results.append(check_instance(task))
            bar.update(results[-1])
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
            futures = [pool.submit(check_instance, task) for task in tasks]
            try:
                for future in as_completed(futures):
                    results.append(future.result())
                    bar.update(results[-1])
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    bar.close()
    results.sort(key=lambda r: r["index"])
    elapsed = time.perf_counter() - started

    failures = []
    for r in results:
        if r["verdict"] == "verified":
            continue
        path = os.path.abspath(os.path.join(args.out, f"{r['family']}-seed{seed}-{r['index']}.toml"))
        write_atomic(path, r.pop("model_file"))
        failures.append(path)
        r["path"] = path
    stats = summarise(results)
    conds = sorted(r["cond"] for r in results)
    verdicts = {v: sum(r["verdict"] == v for r in results)
                for v in ("verified", "failed", "hypotheses-not-met", "error")}
    summary = {
        "schema": "eqprop-verify/random/1",
        "family": args.family, "examples": args.examples, "seed": seed, "dps": dps, "backend": backend,
        "workers": workers, "times": None if times is None else [str(t) for t in times],
        "beta_method": args.beta_method, "min_cond": args.min_cond,
        "verdicts": verdicts, "statements": stats, "failures": failures,
        "rejected_draws": sum(r["rejected_draws"] for r in results),
        "conditioning": {"min": conds[0], "median": statistics.median(conds), "max": conds[-1],
                         "at_least_10": sum(c >= 10 for c in conds), "at_least_100": sum(c >= 100 for c in conds)},
        "seconds": round(elapsed, 1),
        "instances": [{k: r.get(k) for k in ("index", "family", "n", "p", "times", "beta_method", "cond",
                                              "verdict", "error", "seconds", "path")} for r in results],
    }
    if args.json and not to_stdout:
        write_atomic(args.json, json.dumps(summary, indent=2) + "\n")
    if to_stdout:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    elif not args.quiet:
        print(table(summary, results))
    if verdicts["failed"]:
        return EXIT_FAILED
    if verdicts["error"]:
        return EXIT_INTERNAL
    if verdicts["hypotheses-not-met"]:
        return EXIT_HYPOTHESES
    return EXIT_OK


def table(summary: dict, results: list[dict]) -> str:
    lines = [f"eqprop-verify random: family={summary['family']} examples={summary['examples']} "
             f"seed={summary['seed']} dps={summary['dps']} backend={summary['backend']} "
             f"workers={summary['workers']} ({summary['seconds']}s)", "",
             f"{'statement':14s} {'passed':>6s} {'failed':>6s} {'n/a':>5s}  {'min digits':>10s}  {'median digits':>13s}"]
    for cid, s in summary["statements"].items():
        fmt = lambda d: "-" if d is None else f"{d:.1f}"  # noqa: E731
        lines.append(f"{cid:14s} {s['passed']:6d} {s['failed']:6d} {s['not_applicable']:5d}  "
                     f"{fmt(s['min_digits']):>10s}  {fmt(s['median_digits']):>13s}")
    c = summary["conditioning"]
    lines += ["", f"cond(H) at s_theta^0: min {c['min']:.3g}  median {c['median']:.3g}  max {c['max']:.3g}  "
                  f"(>= 10: {c['at_least_10']}, >= 100: {c['at_least_100']}); "
                  f"degenerate draws rejected: {summary['rejected_draws']}"]
    for r in results:
        if r["verdict"] == "error":
            lines.append(f"instance {r['index']}: the check crashed: {r['error']}")
        elif r["verdict"] != "verified":
            bad = [cid for cid, v in r["checks"].items() if v["status"] != "PASS"]
            lines.append(f"instance {r['index']}: {r['verdict']} ({', '.join(bad)})")
    if summary["failures"]:
        lines.append("not verified, written as model files (reproduce with "
                     f"`eqprop-verify check PATH --backend {summary['backend']}`):")
        lines += [f"  {p}" for p in summary["failures"]]
    v = summary["verdicts"]
    overall = ("VERIFIED" if v["verified"] == summary["examples"] else
               "FAILED" if v["failed"] else "ERROR" if v["error"] else "HYPOTHESES NOT MET")
    lines.append(f"verdict: {overall}   {v['verified']}/{summary['examples']} instances verified")
    return "\n".join(lines)
