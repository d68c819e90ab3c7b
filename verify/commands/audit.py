"""``eqprop-verify audit``: the paper's Eq 1-62, each classified and checked as printed.

Prints one line per equation (``Eq 23  identity  holds  corollary4: 40.6 digits
or more on paper-hopfield, ...``), then the counts and a closing note listing
the equations found wrong as printed with their counterexamples; ``--json``
prints the list of ``{"equation", "class", "verdict", "evidence",
"corrected", ...}`` instead, ``--html PATH`` writes the report section.

Exit code: 0 whenever the audit ran, whatever it found. An equation that is
wrong as printed is a finding about the paper, reported in the output, not a
failure of the tool or of a statement the tool verifies (those are ``check``'s
exit code 1). Bad usage or an unknown model: 2; an internal error: 4.
"""

from __future__ import annotations

import json
import sys

HELP = "audit the paper equation by equation (Eq 1-62): class, verdict (holds / fails-as-printed / not-checkable), evidence"


def add_arguments(parser):
    from ..audit import DEFAULT_DPS, DEFAULT_MODELS

    parser.add_argument("--models", nargs="+", default=None, metavar="MODEL",
                        help=f"models to check the equations on: built-in names or model files, space- or "
                             f"comma-separated (default: {', '.join(DEFAULT_MODELS)}); Eq 4-8 are always checked "
                             f"on the paper's example, paper-hopfield")
    parser.add_argument("--json", action="store_true", help="print the audit as a JSON list, one object per equation")
    parser.add_argument("--html", metavar="PATH", default=None, help="also write the audit as an HTML fragment to PATH")
    parser.add_argument("--verbose", "-v", action="store_true", help="the statement, full evidence and correction "
                                                                   "under each equation")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress indicator")
    parser.epilog = (f"Default precision --dps {DEFAULT_DPS}. Exit code 0 whenever the audit ran: equations found "
                     "wrong as printed are findings, listed in the output.")


def run(args) -> int:
    from ..audit import DEFAULT_DPS, DEFAULT_MODELS, audit, html_section, table, to_json
    from .. import config
    from ..errors import EXIT_OK, UsageError
    from ..result import write_atomic
    from .check import Progress

    dps = DEFAULT_DPS if args.dps is None else config.validate("dps", args.dps, "--dps")
    backend = config.resolve_backend(args.backend)
    models = [m.strip() for item in (args.models or DEFAULT_MODELS) for m in item.split(",") if m.strip()]
    if not models:
        raise UsageError("--models needs at least one model")
    progress = Progress(not args.quiet and not args.json)
    entries = audit(models=tuple(models), dps=dps, backend=backend, progress=progress,
                    seed=0 if args.seed is None else args.seed)
    progress.done()
    if args.html:
        write_atomic(args.html, html_section(entries))
    if args.json:
        sys.stdout.write(json.dumps(to_json(entries), indent=2) + "\n")
    else:
        print(f"eqprop-verify audit: Eq 1-62 on {', '.join(models)} (dps={dps})")
        print(table(entries, verbose=args.verbose))
    return EXIT_OK
