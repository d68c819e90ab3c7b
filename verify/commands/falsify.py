"""``eqprop-verify falsify``: run the catalogue of false statements; each must be rejected.

Named models run here; ``--random FAMILY:N`` instances are a sweep
(:mod:`verify.sweep`): in parallel with ``--workers``, on Dask with
``--scheduler``, recorded in ``--results PATH`` and resumable with ``--resume``.
"""

from __future__ import annotations

import json
import os
import sys

HELP = ("run deliberately false variants of the statements on models; the suite must reject every one "
        "(exit 0: all rejected and every variant exercised; 1: one not rejected; 3: some never applied)")


def add_arguments(parser):
    from ..sweep import add_arguments as add_sweep_arguments

    parser.add_argument("models", nargs="*", default=None,
                        help="model files or built-in names (default: paper-hopfield, "
                             "paper-hopfield-readout, quadratic, riccati, unless --random is given)")
    parser.add_argument("--random", action="append", default=[], metavar="FAMILY:N",
                        help="also N drawn instances of FAMILY (a family of `eqprop-verify random --family`, "
                             "or all, dynamics), as `random` draws them from --seed; repeatable")
    parser.add_argument("--min-cond", type=float, default=1.0, metavar="C",
                        help="drawn instances: Hessian condition number at s_theta^0 at least C")
    parser.add_argument("--beta-method", default=None,
                        help="beta -> 0 method for the EP route (default: the model's settings, else symmetric)")
    parser.add_argument("--times", default=None,
                        help="comma-separated times (default: the model's settings, else 0,0.5,1,2,5)")
    parser.add_argument("--json", action="store_true", help="print the detection table as JSON")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="one line per variant and instance (on standard error)")
    add_sweep_arguments(parser)
    parser.add_argument("--out", metavar="DIR", default="eqprop-falsify-failures",
                        help="where drawn instances whose true statements fail are written "
                             "(default ./eqprop-falsify-failures)")


DEFAULT_MODELS = ["paper-hopfield", "paper-hopfield-readout", "quadratic", "riccati"]


def _random_specs(args) -> list[tuple[str, int]]:
    from ..errors import UsageError
    from ..strategies import GROUPS, REGISTRY

    choices = list(REGISTRY) + list(GROUPS)
    specs = []
    for spec in args.random:
        family, _, count = spec.partition(":")
        if family not in choices or not count.isdigit() or int(count) < 1:
            raise UsageError(f"--random {spec!r}: expected FAMILY:N with FAMILY one of "
                             f"{', '.join(choices)} and N >= 1")
        specs.append((family, int(count)))
    return specs


def _drawn(args, settings: dict, specs) -> list[dict]:
    """The records of the ``--random`` instances, run as a sweep."""
    from ..result import write_atomic
    from ..sweep import executor_from, open_results, sweep, tasks_for

    tasks = [t for family, count in specs for t in tasks_for("falsify", settings, family, count)]
    if not tasks:
        return []
    results = open_results(args, "falsify", settings)
    executor = executor_from(args)

    def model_file(record):
        if record.get("model_file"):
            record["path"] = os.path.abspath(os.path.join(
                args.out, f"{record['family']}-seed{settings['seed']}-{record['index']}.toml"))
            write_atomic(record["path"], record["model_file"])

    try:
        records = sweep(tasks, executor=executor, results=results, progress=not args.json or args.verbose,
                        on_record=model_file)
    finally:
        executor.close()
        results.close()
    for record in records:
        model_file(record)   # again for the instances of a resumed sweep's earlier runs
    return records


def run(args) -> int:
    from symbolic.load import load_model

    from .. import config
    from ..errors import EXIT_FAILED, EXIT_HYPOTHESES, EXIT_INTERNAL, EXIT_OK
    from ..statements import catalogue
    from ..sweep.task import falsify_model
    from .check import config_flags

    flags = config_flags(args)
    for key, value in flags.items():     # flags checked once, before the first model runs
        if value is not None:
            config.validate(key, value, config.CLI[key])
    specs = _random_specs(args)
    # drawn instances have no [settings]: the flags, else the defaults, fixed once for the whole sweep
    drawn_settings = config.resolve(None, names=config.CLI, **flags)
    seed = drawn_settings.seed
    settings = {"seed": seed, "dps": drawn_settings.dps, "backend": drawn_settings.backend,
                "times": [str(t) for t in drawn_settings.times], "beta_method": drawn_settings.beta_method,
                "min_cond": args.min_cond}

    records = []
    for name in list(args.models or ([] if specs else DEFAULT_MODELS)):
        record = {"name": name, **falsify_model(load_model(name), **flags)}
        _report_instance(args, record)
        records.append(record)
    drawn = _drawn(args, settings, specs)
    for record in drawn:
        _report_instance(args, record)
    records += drawn

    # one row per variant of the catalogues the models ran (the paper's, the discrete GDU ones)
    table = {v.id: {"variant": v.id, "statement": v.of, "description": v.title,
                    "instances": 0, "rejected": 0, "max_digits": None}
             for kind in dict.fromkeys(r.get("dynamics", "continuous") for r in records)
             for v in catalogue(kind)}
    for record in records:
        for vid, result in record["variants"].items():
            row = table[vid]
            row["instances"] += 1
            row["rejected"] += int(result["rejected"])
            d = result["digits"]
            row["max_digits"] = d if row["max_digits"] is None else max(row["max_digits"], d)
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
    all_true_ok = not any(r["verdict"] == "failed" for r in records)
    crashed = [r for r in records if r["verdict"] == "error"]
    unexercised = [r["variant"] for r in rows if r["instances"] == 0]
    if unexercised:
        print(f"falsify: not exercised on these models (no instance where the variant is false): "
              f"{', '.join(unexercised)}", file=sys.stderr)
    if not (all_rejected and all_true_ok):
        return EXIT_FAILED
    if crashed:
        return EXIT_INTERNAL
    return EXIT_HYPOTHESES if unexercised else EXIT_OK


def _report_instance(args, record: dict):
    """Standard error: the instance's true statements, and with --verbose every variant's outcome."""
    name = record["name"]
    if record["verdict"] == "error":
        print(f"{name}: the routes crashed: {record['error']}", file=sys.stderr)
        return
    if args.verbose:
        from ..statements import catalogue

        for variant in catalogue(record.get("dynamics", "continuous")):
            result = record["variants"].get(variant.id)
            if result is None:
                print(f"  {name}: {variant.id}: does not apply", file=sys.stderr)
            else:
                print(f"  {name}: {variant.id}: {'rejected' if result['rejected'] else 'NOT REJECTED'} "
                      f"(digits {result['digits']}, rel {result['rel']}, tolerance {result['tolerance']})",
                      file=sys.stderr)
    if not args.json or args.verbose:
        status = (f"NOT verified ({', '.join(record['failing'])})" if record["failing"]
                  else "verified" if record["verdict"] == "verified" else "verified where they apply (hypotheses not met)")
        where = f"; written to {record['path']}" if record.get("path") else ""
        print(f"{name}: true statements {status}{where}", file=sys.stderr)
