"""The JSON contract of the five built-ins, as a table: check ids, verdicts, digits and the key set.

Issue 9's acceptance: for every built-in at dps 30 and 50 (default backend,
default beta method) every check id, JSON key and verdict is the same before
and after a refactoring, and no statement's digits drop by more than 0.5.

    python bench/contract_digits.py --save before.json      # record
    python bench/contract_digits.py --compare before.json   # table before/after; exit 1 on a regression

``bench/data/contract_before.json`` is the table of main on 2026-12-02 (after issue 10's per-block
measure of X and Y and the digit cap at dps + guard); compare a change against it.
"""

from __future__ import annotations

import argparse
import json
import sys

DPS = (30, 50)
MAX_DIGIT_DROP = 0.5


def key_paths(obj, prefix="") -> set:
    """Every key path of a JSON value (list items collapsed to ``[]``)."""
    out = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.add(prefix + "." + k)
            out |= key_paths(v, prefix + "." + k)
    elif isinstance(obj, list):
        for v in obj:
            out |= key_paths(v, prefix + "[]")
    return out


def record(models=None, dps_list=DPS) -> dict:
    import verify
    from symbolic.zoo import BUILTINS

    rows = {}
    for name in models or list(BUILTINS):
        for dps in dps_list:
            doc = verify.check(name, dps=dps).to_dict()
            rows[f"{name}@{dps}"] = {
                "verdict": doc["verdict"],
                "checks": [[c["id"], c["passed"], c["applicable"], c["digits"]] for c in doc["checks"]],
                "keys": sorted(key_paths(doc)),
            }
    return rows


def table(before: dict, after: dict | None = None) -> tuple[str, list]:
    lines, problems = [], []
    head = f"{'model@dps':34s} {'check':13s} {'before':>14s}" + (f" {'after':>14s}" if after else "")
    lines.append(head)
    for run, b in before.items():
        a = (after or {}).get(run)
        for i, (cid, passed, applicable, digits) in enumerate(b["checks"]):
            verdict = ("PASS" if passed else "FAIL") if applicable else "N/A"
            cell = f"{verdict} {digits}"
            line = f"{run:34s} {cid:13s} {cell:>14s}"
            if after is not None:
                if a is None:
                    problems.append(f"{run}: missing after")
                    continue
                cid2, passed2, applicable2, digits2 = a["checks"][i] if i < len(a["checks"]) else (None,) * 4
                verdict2 = ("PASS" if passed2 else "FAIL") if applicable2 else "N/A"
                line += f" {verdict2 + ' ' + str(digits2):>14s}"
                if (cid2, passed2, applicable2) != (cid, passed, applicable):
                    problems.append(f"{run} {cid}: id/verdict changed")
                if digits is not None and (digits2 is None or digits2 < digits - MAX_DIGIT_DROP):
                    problems.append(f"{run} {cid}: digits {digits} -> {digits2}")
            lines.append(line)
        if a is not None:
            if len(a["checks"]) != len(b["checks"]):
                problems.append(f"{run}: {len(b['checks'])} checks before, {len(a['checks'])} after")
            if a["keys"] != b["keys"]:
                gone, new = set(b["keys"]) - set(a["keys"]), set(a["keys"]) - set(b["keys"])
                problems.append(f"{run}: JSON keys differ: removed {sorted(gone)}, added {sorted(new)}")
            if a["verdict"] != b["verdict"]:
                problems.append(f"{run}: verdict {b['verdict']} -> {a['verdict']}")
    return "\n".join(lines), problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--save", help="write the recorded table to this JSON file")
    ap.add_argument("--compare", help="a table saved before; print before/after and check the acceptance")
    ap.add_argument("--from", dest="after", help="compare with this saved table instead of running now")
    ap.add_argument("--models", nargs="*")
    args = ap.parse_args(argv)
    if args.compare:
        with open(args.compare) as fh:
            before = json.load(fh)
        if args.after:
            with open(args.after) as fh:
                now = json.load(fh)
        else:
            now = record([r.split("@")[0] for r in before][::len(DPS)] if not args.models else args.models)
        if args.save:
            with open(args.save, "w") as fh:
                json.dump(now, fh, indent=1)
        text, problems = table(before, now)
        print(text)
        print("\n".join(problems) if problems else "contract unchanged: ids, keys, verdicts equal; no digits drop > 0.5")
        return 1 if problems else 0
    now = record(args.models)
    if args.save:
        with open(args.save, "w") as fh:
            json.dump(now, fh, indent=1)
    print(table(now)[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
