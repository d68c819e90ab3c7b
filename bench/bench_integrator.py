"""Integrator vs mpmath.odefun at equal accuracy (see verify/bench/integrator.py)."""

import sys

from verify.bench.integrator import main

if __name__ == "__main__":
    sys.exit(main())
