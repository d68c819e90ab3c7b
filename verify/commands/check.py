"""``eqprop-verify check MODEL``: Theorems 1, 2, 3 and Corollary 4, numerically."""

from __future__ import annotations

import sys

HELP = "check Theorems 1, 2, 3 and Corollary 4 numerically on one model"


def add_arguments(parser):
    from ..config import DEFAULT_BETA_METHOD, MAX_DIRECTIONS
    from ..extrapolate import METHODS

    parser.add_argument("model", help="a model file (.toml) or a built-in name (see `eqprop-verify list`)")
    parser.add_argument("--times", default=None,
                        help="comma-separated times t >= 0 of the second phase (default: the model's settings)")
    parser.add_argument("--beta-method", choices=METHODS, default=None,
                        help=f"how beta -> 0 is taken (default: the model's settings, else {DEFAULT_BETA_METHOD})")
    parser.add_argument("--json", metavar="PATH", default=None,
                        help="write the JSON result to PATH ('-' for standard output)")
    parser.add_argument("--verbose", "-v", action="store_true", help="per-time errors for each statement")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress and no table")
    parser.add_argument("--steps", type=int, default=None,
                        help="discrete models: K, the number of nudged steps compared (default: the model's "
                             "settings, else 8)")
    parser.add_argument("--bridge", action="store_true",
                        help="energy models: also measure the Euler bridge (F = s - eps dE/ds for a ladder of "
                             "eps: discrete BPTT and DeltaEP -> the continuous X_t, -X~_t) and fit its order")
    parser.add_argument("--max-directions", type=int, default=None,
                        help="the direct route uses all components up to this many per space, "
                             f"else this many seeded random projections (default {MAX_DIRECTIONS})")


def config_flags(args) -> dict:
    """The settings given on the command line (None where not given), for :func:`verify.config.resolve`."""
    return {"dps": args.dps, "times": None if args.times is None else args.times.split(","),
            "beta_method": args.beta_method, "backend": args.backend, "seed": args.seed,
            "max_directions": getattr(args, "max_directions", None)}


class Progress:
    """A one-line progress indicator on standard error."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.stage, self.count = "", 0

    def __call__(self, stage, step=False):
        if not self.enabled:
            return
        if stage != self.stage:
            self.stage, self.count = stage, 0
        if step:
            self.count += 1
        text = f"\r  {stage}" + (f" [{self.count}]" if self.count else "")
        sys.stderr.write(text.ljust(40))
        sys.stderr.flush()

    def done(self):
        if self.enabled:
            sys.stderr.write("\r" + " " * 40 + "\r")
            sys.stderr.flush()


def run(args) -> int:
    from symbolic.load import load_model

    from .. import config, pipeline
    from ..errors import UsageError

    if args.json not in (None, "-"):
        from ..outputs import preflight

        preflight(args.json, protect=[args.model], what="--json")
    model = load_model(args.model)
    if not model.is_gradient_flow or args.steps is not None:
        if args.bridge:
            raise UsageError("--bridge starts from a continuous energy model (it builds the discrete maps itself)")
        return _run_other(args, model)
    settings = config.resolve(model, names=config.CLI, **config_flags(args))
    progress = Progress(not args.quiet and args.json != "-")
    report = pipeline.run(model, settings, progress=progress)
    progress.done()
    if args.bridge:
        from ..discrete.bridge import add_to_report

        add_to_report(report, model)
    return _output(args, report)


def _run_other(args, model) -> int:
    """Discrete maps and continuous fields (verify/discrete/); the flags resolved as every setting is."""
    from .. import config
    from ..discrete.check import check_other_dynamics
    from ..errors import UsageError
    from ..pipeline import environment

    if model.is_gradient_flow:
        raise UsageError("--steps applies to discrete models ([settings] dynamics = \"discrete\")")
    report = check_other_dynamics(
        model, dps=args.dps, times=args.times.split(",") if args.times is not None else None, steps=args.steps,
        beta_method=args.beta_method, seed=args.seed, max_directions=args.max_directions,
        environment=environment(), names=config.CLI)
    return _output(args, report)


def _output(args, report) -> int:
    from ..result import dump_json, write_atomic

    if args.json == "-":
        sys.stdout.write(dump_json(report) + "\n")
    else:
        if args.json:
            write_atomic(args.json, dump_json(report) + "\n", protect=[args.model], what="--json")
        if not args.quiet:
            print(report.table(verbose=args.verbose))
    return report.exit_code
