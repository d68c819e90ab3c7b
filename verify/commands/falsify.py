"""``eqprop-verify falsify``: run the catalogue of false statements; each must be rejected."""

from __future__ import annotations

import json
import sys

HELP = ("run deliberately false variants of the statements on models; the suite must reject every one "
        "(exit 0: all rejected and every variant exercised; 1: one not rejected; 3: some never applied)")


def add_arguments(parser):
    parser.add_argument("models", nargs="*", default=None,
                        help="model files or built-in names (default: paper-hopfield, "
                             "paper-hopfield-readout, quadratic, riccati, unless --random is given)")
    parser.add_argument("--random", action="append", default=[], metavar="FAMILY:N",
                        help="also N drawn instances of FAMILY (hopfield, hopfield-readout, polynomial, "
                             "quadratic, all), as `eqprop-verify random` draws them from --seed; repeatable")
    parser.add_argument("--min-cond", type=float, default=1.0, metavar="C",
                        help="drawn instances: Hessian condition number at s_theta^0 at least C")
    parser.add_argument("--beta-method", default=None,
                        help="beta -> 0 method for the EP route (default: the model's settings, else symmetric)")
    parser.add_argument("--times", default=None,
                        help="comma-separated times (default: the model's settings, else 0,0.5,1,2,5)")
    parser.add_argument("--json", action="store_true", help="print the detection table as JSON")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="one line per variant and instance (on standard error)")


DEFAULT_MODELS = ["paper-hopfield", "paper-hopfield-readout", "quadratic", "riccati"]


def _instances(args):
    """(name, model) for the named models and the drawn ones."""
    from symbolic.load import load_model

    from ..errors import UsageError
    from ..strategies import FAMILIES
    from .random import instance_for

    names = list(args.models or ([] if args.random else DEFAULT_MODELS))
    for name in names:
        yield name, load_model(name)
    seed = args.seed or 0
    for spec in args.random:
        family, _, count = spec.partition(":")
        if family not in FAMILIES + ("all",) or not count.isdigit() or int(count) < 1:
            raise UsageError(f"--random {spec!r}: expected FAMILY:N with FAMILY one of "
                             f"{', '.join(FAMILIES + ('all',))} and N >= 1")
        for i in range(int(count)):
            inst, *_ = instance_for(family, seed, i, min_cond=args.min_cond)
            yield f"random-{inst.family}#{i} (cond {inst.screening.cond:.3g})", inst.model


def run(args) -> int:
    import mpmath

    from .. import config, pipeline
    from ..errors import EXIT_FAILED, EXIT_HYPOTHESES, EXIT_INTERNAL, EXIT_OK
    from ..statements import VARIANTS, rejected, run_variants
    from .check import config_flags

    flags = config_flags(args)
    for key, value in flags.items():     # flags checked once, before the first model runs
        if value is not None:
            config.validate(key, value, config.CLI[key])
    table = {v.id: {"variant": v.id, "statement": v.of, "description": v.title,
                    "instances": 0, "rejected": 0, "max_digits": None} for v in VARIANTS}
    all_true_ok, crashed = True, []
    for name, model in _instances(args):
        settings = config.resolve(model, names=config.CLI, **flags)
        try:
            report = pipeline.run(model, settings)
        except Exception as exc:  # noqa: BLE001 - one instance's crash must not hide the others
            crashed.append(name)
            print(f"{name}: the routes crashed: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        ev = report.evidence
        with ev.precision.context():
            failing = [c.id for c in report.checks if c.applicable and not c.passed]
            all_true_ok &= not failing
            for variant, result in run_variants(ev):
                if result is None:
                    if args.verbose:
                        print(f"  {name}: {variant.id}: does not apply", file=sys.stderr)
                    continue
                row = table[variant.id]
                row["instances"] += 1
                row["rejected"] += int(rejected(result))
                d = result.digits
                row["max_digits"] = d if row["max_digits"] is None else max(row["max_digits"], d)
                if args.verbose:
                    print(f"  {name}: {variant.id}: {'rejected' if rejected(result) else 'NOT REJECTED'} "
                          f"(digits {d}, rel {mpmath.nstr(result.max_rel_error, 3)}, "
                          f"tolerance {mpmath.nstr(result.tolerance, 3)})", file=sys.stderr)
        if not args.json or args.verbose:
            status = "verified" if not failing else f"NOT verified ({', '.join(failing)})"
            print(f"{name}: true statements {status}", file=sys.stderr)
    rows = list(table.values())
    if args.json:
        print(json.dumps([{k: r[k] for k in ("variant", "statement", "instances", "rejected", "max_digits")}
                          for r in rows], indent=2))
    else:
        wv, ws = max(len(r["variant"]) for r in rows) + 2, max(len(r["statement"]) for r in rows)
        print(f"{'variant':{wv}s} {'statement':{ws}s} {'rejected':>9s}  max digits  description")
        for r in rows:
            print(f"{r['variant']:{wv}s} {r['statement']:{ws}s} {r['rejected']:>4d}/{r['instances']:<4d}  "
                  f"{'-' if r['max_digits'] is None else r['max_digits']:>10}  {r['description']}")
    all_rejected = all(r["rejected"] == r["instances"] for r in rows)
    unexercised = [r["variant"] for r in rows if r["instances"] == 0]
    if unexercised:
        print(f"falsify: not exercised on these models (no instance where the variant is false): "
              f"{', '.join(unexercised)}", file=sys.stderr)
    if not (all_rejected and all_true_ok):
        return EXIT_FAILED
    if crashed:
        return EXIT_INTERNAL
    return EXIT_HYPOTHESES if unexercised else EXIT_OK
