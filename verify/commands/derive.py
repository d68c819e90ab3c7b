"""``eqprop-verify derive MODEL``: the paper's equations specialised to a model.

Prints the free dynamics (Eq 1), the fixed-point conditions (Eq 2, 19), the
extended energy and dynamics (Eq 17, 18), the Cauchy problem of recurrent
backpropagation (Eq 11-14) with H and M written out by blocks, and the EP
gradient formulas (Eq 20, 24) and temporal-derivative identity (Eq 21, 23),
one equation per state / parameter block, in vector form where it is
recognised and verified (see :mod:`symbolic.display`).
"""

from __future__ import annotations

import sys

HELP = ("symbolic derivation for MODEL: dynamics (Eq 1, 18), fixed points (Eq 2, 19), "
        "the Cauchy problem (Eq 11-14), the EP rules (Eq 20, 24)")


def add_arguments(parser):
    parser.add_argument("model", metavar="MODEL",
                        help="a built-in model (see `eqprop-verify list`) or a model file (.toml)")
    parser.add_argument("--format", choices=["text", "latex", "json"], default="text",
                        help="text (default, Unicode), latex (a fragment for a paper; needs "
                             "amsmath) or json (schema eqprop-verify/derive/1)")


def run(args) -> int:
    from symbolic.derive import derive
    from symbolic.display import render
    from symbolic.load import load_model

    model = load_model(args.model)
    if model.dynamics == "discrete":
        from symbolic.discrete_compile import check_component_cost
        from symbolic.discrete_display import render_discrete

        check_component_cost(model)      # derive prints per-component Jacobians: the limit the load skipped

        out = render_discrete(model, args.format)
    elif model.energy is None:
        from ..errors import UsageError

        raise UsageError(f"{model.source}: derive prints the paper's objects of an energy; continuous [field] "
                         "models are not derived yet")
    else:
        out = render(derive(model), args.format)
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if encoding not in ("utf8", "utf16", "utf32") and hasattr(sys.stdout, "reconfigure"):
        # the text output uses ⊙, ᵀ and Greek letters; never die of a narrow locale
        sys.stdout.reconfigure(encoding="utf-8")
    sys.stdout.write(out)
    sys.stdout.flush()
    return 0
