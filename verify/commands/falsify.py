"""``eqprop-verify falsify``: run the catalogue of false statements; each must be rejected."""

from __future__ import annotations

import json
import sys

HELP = "run deliberately false variants of the statements on models; the suite must reject every one"


def add_arguments(parser):
    parser.add_argument("models", nargs="*", default=None,
                        help="model files or built-in names (default: paper-hopfield, "
                             "paper-hopfield-readout, quadratic, riccati)")
    parser.add_argument("--beta-method", default="symmetric", help="beta -> 0 method for the EP route")
    parser.add_argument("--times", default="0,0.5,1,2", help="comma-separated times")
    parser.add_argument("--json", action="store_true", help="print the detection table as JSON")


DEFAULT_MODELS = ["paper-hopfield", "paper-hopfield-readout", "quadratic", "riccati"]


def run(args) -> int:
    import mpmath

    from symbolic.load import load_model

    from ..evidence import gather
    from ..falsify import VARIANTS, rejected, run_variants
    from ..theorems import DEFAULT_DPS, resolve_backend, statements

    dps = args.dps or 30
    backend = resolve_backend(args.backend)
    times = [mpmath.mpf(t) for t in args.times.split(",")]
    table = {v.id: {"variant": v.id, "statement": v.statement, "description": v.description,
                    "instances": 0, "rejected": 0, "max_digits": None} for v in VARIANTS}
    true_ok = True
    for name in args.models or DEFAULT_MODELS:
        model = load_model(name)
        with mpmath.workdps(dps + 10):
            ev = gather(model, dps=dps, times=[mpmath.mpf(t) for t in times], beta_method=args.beta_method,
                        backend=backend, seed=args.seed or 0, max_directions=64,
                        progress=lambda *a, **k: None)
            true_ok &= all(c.passed for c in statements(ev) if c.applicable)
            for variant, result in run_variants(ev):
                if result is None:
                    continue
                row = table[variant.id]
                row["instances"] += 1
                row["rejected"] += int(rejected(result))
                d = result.digits
                row["max_digits"] = d if row["max_digits"] is None else max(row["max_digits"], d)
        if not args.json:
            print(f"{name}: true statements {'verified' if true_ok else 'NOT verified'}", file=sys.stderr)
    rows = list(table.values())
    if args.json:
        print(json.dumps([{k: r[k] for k in ("variant", "statement", "instances", "rejected", "max_digits")}
                          for r in rows], indent=2))
    else:
        print(f"{'variant':28s} {'statement':11s} {'rejected':>9s}  max digits  description")
        for r in rows:
            print(f"{r['variant']:28s} {r['statement']:11s} {r['rejected']:>4d}/{r['instances']:<4d}  "
                  f"{'-' if r['max_digits'] is None else r['max_digits']:>10}  {r['description']}")
    all_rejected = all(r["rejected"] == r["instances"] for r in rows)
    return 0 if (all_rejected and true_ok) else 1
