"""``eqprop-verify bench``: benchmarks as ratios against baselines run in the same process."""

from __future__ import annotations

import importlib
import json
import os
import sys

HELP = ("run the benchmarks (integrator vs mpmath.odefun, check vs one odefun solve, stiff model, size, "
        "beta methods); CPU-time ratios in one run, each beside its target")


def add_arguments(parser):
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repetitions")
    parser.add_argument("--out", default=os.path.join("reports", "bench"),
                        help="folder for the JSON results and plots (default reports/bench)")
    parser.add_argument("--only", choices=["integrator", "check"], default=None, help="run one group")
    parser.add_argument("--sizes", default=None,
                        help="comma-separated layer sizes s1 = s2 for the check-vs-size series "
                             "(default 2,4,8,16,32; --quick: 2,4,8)")


def _write_bytes_atomic(path, data: bytes):
    from ..outputs import write_bytes

    write_bytes(path, data)


def run(args) -> int:
    from ..ode import available_backends
    from ..result import write_atomic
    from ..theorems import resolve_backend

    from ..cli import UsageError

    sizes = None
    if args.sizes:
        try:
            sizes = [int(x) for x in args.sizes.split(",")]
        except ValueError:
            raise UsageError(f"--sizes: expected comma-separated layer sizes like 2,4,8, got {args.sizes!r}") from None
        if not all(1 <= n <= 64 for n in sizes):
            raise UsageError(f"--sizes: each size must be from 1 to 64, got {args.sizes}")
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: cannot create the folder: {exc.strerror or exc}") from None
    backends = available_backends() if args.backend in (None, "auto") else [resolve_backend(args.backend)]
    groups = [args.only] if args.only else ["integrator", "check"]
    for group in groups:
        try:
            module = importlib.import_module(f"verify.bench.{group}")
        except ModuleNotFoundError:
            print(f"bench: the {group} benchmark is not available", file=sys.stderr)
            continue
        print(f"bench: running {group} (backends: {', '.join(backends)}) ...", file=sys.stderr)
        kwargs = {"sizes": sizes} if (sizes and group == "check") else {}
        results = module.run(quick=args.quick, backends=backends, **kwargs)
        write_atomic(os.path.join(args.out, f"{group}.json"), json.dumps(results, indent=2) + "\n")
        if group == "check":
            from ..bench.plot import check_figure

            _write_bytes_atomic(os.path.join(args.out, "check.png"), check_figure(results))
            for row in results["check_vs_odefun"]:
                print(f"(b) full check of paper-hopfield at dps 40 [{row['backend']}]: {row['check_seconds']:.2f} s "
                      f"vs one mpmath.odefun nudged solve {row['odefun_seconds']:.2f} s: ratio {row['ratio']:.3f} "
                      f"({row['verdict']}, min digits {row['min_digits']})")
            for backend, size in results["size"].items():
                print(f"(c) [{backend}] check time vs n: " + ", ".join(
                    f"n={r['n']}: {r['seconds']:.1f} s" for r in size["rows"])
                    + (f"; fitted exponent {size['exponent_in_n']:.2f}" if size['exponent_in_n'] is not None else ""))
            print("(d) digits of X~ vs nudged integrations: " + "; ".join(
                f"{r['method']} {r['integrations']}->{r['digits']}" for r in results["beta_methods"]))
            for r in results.get("stiff", []):
                print(f"(e) [{r['backend']}] stiff model at dps {r['dps']}: {r['seconds']:.1f} s "
                      f"({r['verdict']}, min digits {r['min_digits']})")
            for t in results.get("targets", []):
                value = "not run" if t["value"] is None else f"{t['value']:.3g}"
                verdict = {True: "met", False: "NOT met", None: "-"}[t["met"]]
                print(f"target [{t['backend']}] {t['what']}: {value} (target {t['target']}): {verdict}")
        elif hasattr(module, "summary"):
            print(module.summary(results))
        print(f"bench: wrote {os.path.join(args.out, group + '.json')}", file=sys.stderr)
    return 0
