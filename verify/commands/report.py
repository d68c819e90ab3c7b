"""``eqprop-verify report [MODEL] [--out DIR]``: a verification report as HTML, Markdown, JSON and plots."""

from __future__ import annotations

import sys

HELP = "write a verification report (index.html, report.md, report.json, plots); default: the paper's Hopfield example"


def add_arguments(parser):
    from ..extrapolate import METHODS

    parser.add_argument("model", nargs="?", default=None,
                        help="a model file (.toml) or a built-in name (default: paper-hopfield)")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="the report directory (default: reports/MODEL-NAME); replaced whole, and only "
                             "if it is empty or an earlier report")
    parser.add_argument("--times", default=None,
                        help="comma-separated times t >= 0 of the second phase (default: the model's times "
                             "plus an even grid for the plots)")
    parser.add_argument("--beta-method", choices=METHODS, default=None, help="how beta -> 0 is taken")
    parser.add_argument("--max-directions", type=int, default=None,
                        help="the direct route's projections per space beyond this size (default 64)")
    parser.add_argument("--steps", type=int, default=None,
                        help="discrete models: K, the number of nudged steps compared (default: the model's "
                             "settings, else 8)")
    parser.add_argument("--bridge", action="store_true",
                        help="energy models: also measure and plot the Euler bridge (gap against eps, fitted order)")
    parser.add_argument("--no-proofs", action="store_true", help="leave out the symbolic proofs section")
    parser.add_argument("--no-audit", action="store_true", help="leave out the audit section")
    parser.add_argument("--screenshot", action="store_true",
                        help="also save screenshot.png of index.html (needs chromium)")
    parser.add_argument("--json", action="store_true", help="print report.json to standard output")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary")


def run(args) -> int:
    from .. import config
    from ..errors import UsageError
    from ..report import build
    from ..report.atomic import NotAReportDirectory
    from .check import Progress, config_flags

    # every flag checked here, so that its message names the flag (build takes API arguments)
    flags = {**config_flags(args), "steps": args.steps}
    for key, value in flags.items():
        if value is not None:
            config.validate(key, value, config.CLI[key])
    times = None if args.times is None else [config.decimal_text(t) or str(t)
                                             for t in config.parse_times(flags["times"], "--times")]
    if args.screenshot:
        from ..report.browser import find_chromium

        if find_chromium() is None:
            raise UsageError("--screenshot needs chromium (apt-get install chromium), or set EQPROP_CHROMIUM")
    progress = Progress(not args.quiet and not args.json)
    try:
        built = build(args.model, out=args.out, dps=args.dps, times=times, beta_method=args.beta_method,
                      backend=args.backend, seed=args.seed, max_directions=args.max_directions,
                      proofs=not args.no_proofs, audit=not args.no_audit, screenshot=args.screenshot,
                      progress=progress, steps=args.steps, bridge=args.bridge)
    except NotAReportDirectory as exc:
        raise UsageError(str(exc)) from None
    finally:
        progress.done()
    report = built.bundle.report
    if args.json:
        from ..result import dump_json

        sys.stdout.write(dump_json(report) + "\n")
    elif not args.quiet:
        print(report.table())
        print(f"\nreport written to {built.out_dir}/index.html ({len(built.files)} files, "
              f"{built.seconds:.1f} s)")
    return report.exit_code
