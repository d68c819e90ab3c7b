"""Whole-check benchmarks (b)-(d) of issue 3 (see verify/bench/check.py); same as `eqprop-verify bench --only check`."""

import sys

from verify.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "--only", "check", *sys.argv[1:]]))
