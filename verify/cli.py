"""The command line: ``eqprop-verify SUBCOMMAND ...`` (DESIGN.md, "Command line").

Subcommands live in :mod:`verify.commands`, one module each, discovered by
name; each module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int`` (an exit code). Exit codes: 0 verified/done, 1 a statement
failed, 2 bad input or usage, 3 hypotheses not met, 4 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys
import threading
import time

from .errors import EXIT_HYPOTHESES, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from .ode.backends import CHOICES
from .precision import validate_dps


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 on usage errors already; keep its format
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def add_common(parser: argparse.ArgumentParser) -> None:
    """The flags every subcommand accepts (DESIGN.md: --dps, --backend, --seed, --debug)."""
    parser.add_argument("--dps", type=int, default=None,
                        help="working precision in decimal digits (default: the model's settings, else 40)")
    parser.add_argument("--backend", choices=CHOICES, default=None,
                        help="ODE integrator: mpmath (pure Python, the reference) or heyoka "
                             "(compiled, optional extra); auto, the default unless the model's [settings] "
                             "names one, picks heyoka when installed")
    parser.add_argument("--seed", type=int, default=None, help="seed for anything drawn at random")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")


def command_modules() -> dict:
    from . import commands

    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))
    return {name.replace("_", "-"): importlib.import_module(f"verify.commands.{name}") for name in names}


def _chosen(argv, names) -> set | None:
    """The subcommand named in ``argv`` (None: all of them, e.g. for ``--help`` or no argv)."""
    if argv is None:
        return None
    for a in argv:
        if not a.startswith("-"):
            return {a} if a in names else None
    return set()


def build_parser(argv=None) -> argparse.ArgumentParser:
    """The CLI parser; given ``argv``, only the chosen subcommand's options are built.

    A subcommand's ``add_arguments`` may import its heavy modules (sympy, the
    audit); building only the chosen one keeps ``eqprop-verify --help`` and
    usage errors fast.
    """
    from . import __version__

    parser = _Parser(prog="eqprop-verify",
                     description="Check that Equilibrium Propagation and Recurrent Backpropagation "
                                 "compute the same error derivatives (Scellier & Bengio), on your model.")
    parser.add_argument("--version", action="version", version=f"eqprop-verify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    sub.required = True
    modules = command_modules()
    chosen = _chosen(argv, modules)
    for name, module in modules.items():
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        if chosen is None or name in chosen:
            module.add_arguments(p)
            add_common(p)
        p.set_defaults(_run=module.run)
    return parser


class _InterruptOnce:
    """SIGINT handler: one KeyboardInterrupt, then a second of quiet.

    A storm of Ctrl-C would otherwise raise again inside the cleanup of the
    first (a traceback, a half-removed temporary); one interrupt is enough.
    After a second, a further Ctrl-C interrupts again (in case a library
    swallowed the first).
    """

    QUIET = 1.0

    def __init__(self):
        self.last = None

    def __call__(self, signum, frame):
        now = time.monotonic()
        if self.last is not None and now - self.last < self.QUIET:
            return
        self.last = now
        raise KeyboardInterrupt(f"signal {signum}")


def _install_interrupt_handler():
    """Our handler in place of Python's default one; returns the one to restore (or None)."""
    before = None
    if threading.current_thread() is threading.main_thread():
        before = signal.getsignal(signal.SIGINT)
        if before is signal.default_int_handler:
            signal.signal(signal.SIGINT, _InterruptOnce())
        else:
            before = None
    return before


def _ignore_interrupts(exc: KeyboardInterrupt):
    """After a real signal, ignore SIGINT until the process ends: a storm must not raise again
    while we report it or in the interpreter's shutdown (an exit -2 with a traceback).

    Real: our handlers (this one, the report's) raise ``KeyboardInterrupt("signal N")``.
    """
    if threading.current_thread() is threading.main_thread():
        handler = signal.getsignal(signal.SIGINT)
        real = str(exc).startswith("signal ") or (isinstance(handler, _InterruptOnce) and handler.last)
        if real:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def main(argv=None) -> int:
    """Entry point of the console script and of ``python -m verify``."""
    before = _install_interrupt_handler()
    try:
        return _main(argv)
    except KeyboardInterrupt as exc:  # while parsing arguments or reporting an error
        _ignore_interrupts(exc)
        print("eqprop-verify: interrupted", file=sys.stderr)
        return 130
    finally:
        # after a real SIGINT it stays ignored (see _ignore_interrupts); otherwise the caller's handler
        if before is not None and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, before)


def _main(argv) -> int:
    import warnings

    from symbolic.errors import SpecError, printable
    from symbolic.limits import HEAVY_DPS, HeavyRequestWarning

    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    debug = getattr(args, "debug", False)

    def show_warning(message, category, filename, lineno, file=None, line=None):
        print(f"eqprop-verify {args.command}: note: {printable(message)}", file=sys.stderr)

    try:
        if getattr(args, "dps", None) is not None:      # every command takes --dps: one rule, one message
            validate_dps(args.dps, "--dps")
        with warnings.catch_warnings():
            warnings.simplefilter("always", HeavyRequestWarning)
            warnings.showwarning = show_warning
            dps = getattr(args, "dps", None)
            if isinstance(dps, int) and dps > HEAVY_DPS:
                warnings.warn(f"--dps {dps}: each operation is about {(dps / 40) ** 1.6:.0f}x slower than "
                              "at 40; this may take many minutes (Ctrl-C stops it)", HeavyRequestWarning)
            return int(args._run(args))
    except (SpecError, UsageError) as exc:
        if debug:
            raise
        print(f"eqprop-verify {args.command}: error: {printable(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        _ignore_interrupts(exc)
        print("eqprop-verify: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OverflowError as exc:
        if debug:
            raise
        print(f"eqprop-verify {args.command}: hypotheses not met: a value of the model overflowed while "
              f"evaluating it ({printable(exc)}); the theorems need finite values along the flow",
              file=sys.stderr)
        return EXIT_HYPOTHESES
    except MemoryError:
        if debug:
            raise
        print(f"eqprop-verify {args.command}: error: out of memory: the request is too large for this "
              "machine; reduce the model's sizes or the precision", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the one place that turns crashes into exit 4
        if debug:
            raise
        print(f"eqprop-verify {args.command}: internal error: {type(exc).__name__}: {printable(exc)} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
