"""``build``: check a model, draw, render and write a report directory atomically.

Data flow: model -> ``check`` (a :class:`verify.result.Report`) -> curves for
the plots (:mod:`.curves`) -> PNGs (:mod:`.plots`) -> equations (:mod:`.equations`)
-> optional proofs and audit (:mod:`.extras`) -> index.html, report.md,
report.json, written into a temporary sibling and moved into place
(:mod:`.atomic`).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import signal
import threading
import time

import sympy as sp

from symbolic.load import load_model

from ..result import dump_json
from ..theorems import MAX_DIRECTIONS, check
from . import curves as curves_mod
from . import equations, extras, html, markdown, plots
from .atomic import AtomicDirectory, check_target
from .bundle import Bundle

DEFAULT_MODEL = "paper-hopfield"
REPORTS_DIR = "reports"


@dataclasses.dataclass
class Built:
    bundle: Bundle
    out_dir: str
    files: list[str]
    seconds: float


def decimal_text(r: sp.Rational) -> str:
    """A rational as exact decimal text when it has one (1/2 -> 0.5), else p/q."""
    r = sp.Rational(r)
    q, twos, fives = int(r.q), 0, 0
    while q % 2 == 0:
        q //= 2
        twos += 1
    while q % 5 == 0:
        q //= 5
        fives += 1
    if q != 1:
        return f"{r.p}/{r.q}"
    places = max(twos, fives)
    text = f"{abs(r.p) * 10 ** places // r.q}"
    text = text.rjust(places + 1, "0")
    whole, frac = text[:len(text) - places], text[len(text) - places:]
    out = whole + ("." + frac.rstrip("0") if frac.rstrip("0") else "")
    return ("-" if r < 0 else "") + out


def report_times(model, times=None) -> list[str] | None:
    """The report's check times: exactly those of ``check MODEL`` (given, else the model's, else the default).

    The same times as ``check`` so that the report shows the same digits;
    the plots draw the RBP closed form densely between them anyway.
    """
    return None if times is None else [str(t) for t in times]


def default_out(model) -> str:
    """``reports/NAME``, with NAME reduced to a safe directory name (never ``..``, ``/`` or hidden)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model.name).strip(".-")[:100] or "model"
    return os.path.join(REPORTS_DIR, slug)


def command_line(model_arg, out, settings, *, proofs=True, audit=True, screenshot=False, bridge=False) -> str:
    """The ``eqprop-verify report`` command that regenerates a report with these settings."""
    parts = ["eqprop-verify", "report"]
    if model_arg is not None:
        parts.append(str(model_arg))
    parts += ["--out", str(out), "--dps", str(settings["dps"]),
              "--times", ",".join(decimal_text(sp.Rational(t)) for t in settings["times_exact"]),
              "--beta-method", settings["beta_method"], "--backend", settings["backend"],
              "--seed", str(settings["seed"])]
    if settings.get("max_directions", MAX_DIRECTIONS) != MAX_DIRECTIONS:
        parts += ["--max-directions", str(settings["max_directions"])]
    if not proofs:
        parts.append("--no-proofs")
    if not audit:
        parts.append("--no-audit")
    if screenshot:
        parts.append("--screenshot")
    if bridge:
        parts.append("--bridge")
    return shlex.join(parts)


def shell_lines(command: str, width: int = 72) -> str:
    """A long command as shell lines joined by ``\\``, breaking only between a flag's pairs.

    So a page never wraps a command in the middle of a flag, and what is
    copied still runs.
    """
    words = shlex.split(command)
    groups, k = [], 0
    while k < len(words):
        group = [words[k]]
        if words[k].startswith("--") and k + 1 < len(words) and not words[k + 1].startswith("--"):
            group.append(words[k + 1])
            k += 1
        groups.append(shlex.join(group))
        k += 1
    lines, line = [], ""
    for g in groups:
        if line and len(line) + 1 + len(g) > width and g.startswith("--"):
            lines.append(line)
            line = "    " + g
        else:
            line = f"{line} {g}" if line else g
    lines.append(line)
    return " \\\n".join(lines)


def check_command(model_arg, settings) -> str:
    """The ``eqprop-verify check`` command that runs this report's check alone."""
    parts = ["eqprop-verify", "check", str(model_arg), "--dps", str(settings["dps"]),
             "--times", ",".join(decimal_text(sp.Rational(t)) for t in settings["times_exact"]),
             "--beta-method", settings["beta_method"], "--backend", settings["backend"],
             "--seed", str(settings["seed"])]
    if settings.get("max_directions", MAX_DIRECTIONS) != MAX_DIRECTIONS:
        parts += ["--max-directions", str(settings["max_directions"])]
    return shlex.join(parts)


class Interrupts:
    """SIGINT and SIGTERM while a report is built: KeyboardInterrupt now, and at every checkpoint after.

    Third-party code can swallow a KeyboardInterrupt (a bare ``except:``, a
    weakref callback, where exceptions are printed and ignored); the flag makes
    the next checkpoint -- every progress report and the commit -- raise it
    again, so an interrupted report is never completed by accident. SIGTERM is
    treated as SIGINT so that the temporary directory is removed either way.
    """

    def __init__(self):
        self.received = None

    def __enter__(self):
        self.active = threading.current_thread() is threading.main_thread()
        if self.active:
            signals = [getattr(signal, n) for n in ("SIGINT", "SIGTERM") if hasattr(signal, n)]
            self.before = {s: signal.signal(s, self._handler) for s in signals}
        return self

    def _handler(self, signum, frame):
        if self.received is not None:
            return                      # a storm of signals: once is enough; cleanup must not be cut short
        self.received = signum
        raise KeyboardInterrupt(f"signal {signum}")

    def check(self):
        if self.received is not None:
            raise KeyboardInterrupt(f"signal {self.received}")

    def __exit__(self, *exc):
        if self.active:
            for s, handler in self.before.items():
                signal.signal(s, handler)
        return False


def build(model_arg=None, *, out=None, dps=None, times=None, beta_method=None, backend=None, seed=None,
          max_directions=None, proofs=True, audit=True, screenshot=False, progress=None, steps=None,
          bridge=False) -> Built:
    """Check ``model_arg`` (default: the paper's Hopfield example) and write its report to ``out``.

    A discrete or field model gets the report of :mod:`.dynamics` (``steps``:
    discrete only); ``bridge`` (an energy model) adds the Euler bridge.
    Raises :class:`~symbolic.errors.SpecError` / ``UsageError`` on bad input
    before anything is written; nothing is left behind if interrupted.
    """
    started = time.perf_counter()
    report_progress = progress or (lambda *a, **k: None)
    interrupts = Interrupts()

    def say(*args, **kwargs):
        interrupts.check()
        report_progress(*args, **kwargs)

    model = load_model(model_arg if model_arg is not None else DEFAULT_MODEL)
    out = out if out is not None else default_out(model)
    _other_dynamics_usage(model, times, steps, bridge)
    check_target(out)
    if not model.is_gradient_flow:
        from .dynamics import build_other

        with interrupts:
            bundle, files, out_dir = build_other(
                model, model_arg, out, dps=dps, times=times, steps=steps, beta_method=beta_method, seed=seed,
                max_directions=max_directions, screenshot=screenshot, say=say, started=started)
        return Built(bundle, out_dir, files, time.perf_counter() - started)
    times = report_times(model, times)
    timings = {}
    with interrupts, AtomicDirectory(out) as target:
        clock = time.perf_counter()
        report = check(model, dps=dps, times=times, beta_method=beta_method, backend=backend, seed=seed,
                       max_directions=max_directions or MAX_DIRECTIONS,
                       progress=lambda stage, step=False: say(f"check: {stage}", step=step))
        if bridge:
            from ..discrete.bridge import add_to_report

            say("Euler bridge")
            add_to_report(report, model)
        timings["report: check"] = time.perf_counter() - clock
        target.write("report.json", dump_json(report) + "\n")

        clock = time.perf_counter()
        say("plots: beta ladder and dense curves")
        curves = curves_mod.compute(report)
        say("plots: drawing")
        pngs = plots.render_all(curves, int(report.settings["dps"]))
        extra_plots = []
        if report.values.get("bridge"):
            from .dynamics import bridge_plot

            pngs["bridge.png"], entry = bridge_plot(report.values["bridge"])
            extra_plots.append(entry)
        for name, data in pngs.items():
            target.write(name, data)
        timings["report: plots"] = time.perf_counter() - clock

        clock = time.perf_counter()
        say("equations")
        secs, eq_notes = equations.sections(model)
        timings["report: equations"] = time.perf_counter() - clock
        proof_result = audit_result = None
        if proofs:
            say("symbolic proofs")
            proof_result = extras.proofs(model)
            timings["report: proofs"] = proof_result.seconds
        if audit:
            say("audit")
            audit_result = extras.audit(model, dps=report.settings["dps"], backend=report.settings["backend"],
                                        seed=report.settings["seed"], progress=say)
            timings["report: audit"] = audit_result.seconds

        say("writing")
        command = command_line(model_arg, out, report.settings, proofs=proofs, audit=audit,
                               screenshot=screenshot, bridge=bridge)
        bundle = Bundle(report, curves, pngs, secs, eq_notes, proof_result, audit_result, command,
                        str(model_arg if model_arg is not None else DEFAULT_MODEL), timings, extra_plots)
        timings["report: total"] = time.perf_counter() - started
        target.write("report.md", markdown.render(bundle))
        target.write("index.html", html.render(bundle))
        if screenshot:
            from .browser import screenshot as take

            say("screenshot")
            take(target.path("index.html"), target.path("screenshot.png"))
        files = target.files()
        interrupts.check()
        target.commit()
    return Built(bundle, target.target, files, time.perf_counter() - started)


def _other_dynamics_usage(model, times, steps, bridge):
    """The flags that apply to one kind of dynamics only, refused (UsageError) for the others."""
    from ..errors import UsageError

    if model.dynamics == "discrete" and times is not None:
        raise UsageError("--times applies to continuous models; a discrete model compares steps (--steps)")
    if model.dynamics != "discrete" and steps is not None:
        raise UsageError("--steps applies to discrete models ([settings] dynamics = \"discrete\")")
    if bridge and not model.is_gradient_flow:
        raise UsageError("--bridge starts from a continuous energy model (it builds the discrete maps itself)")
