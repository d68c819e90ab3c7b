"""``python -m verify``: the same program as the ``eqprop-verify`` console script."""

import os
import sys

from .cli import main
from .errors import EXIT_INTERRUPTED

code = main()
if code == EXIT_INTERRUPTED:
    # Under ``python -m``, after a storm of SIGINTs that main() handled (temporaries cleaned,
    # message printed), CPython's runner can still end the process by re-raising SIGINT
    # (exit -2; seen with two reports interrupted at once). Leave with the contract's 130.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
sys.exit(code)
