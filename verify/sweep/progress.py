"""A sweep's progress on standard error: instances done, rate, ETA and the verdicts so far."""

from __future__ import annotations

import sys
import time

VERDICTS = ("verified", "failed", "hypotheses-not-met", "error")


class ProgressBar:
    """A bar redrawn in place on a terminal, a line per instance otherwise (logs, CI).

    The rate and ETA count only the instances finished in this run (a resumed
    sweep's earlier instances took no time now), whatever runs them: each
    record reaches the driver, which alone updates the bar.
    """

    def __init__(self, total: int, *, previous=(), enabled: bool = True, stream=None):
        previous = list(previous)  # the records of a resumed sweep's earlier runs
        self.total, self.already, self.done, self.enabled = total, len(previous), len(previous), enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.counts = dict.fromkeys(VERDICTS, 0)
        for record in previous:
            self.counts[record["verdict"]] = self.counts.get(record["verdict"], 0) + 1
        self.started = time.perf_counter()

    def update(self, record: dict):
        self.done += 1
        self.counts[record["verdict"]] = self.counts.get(record["verdict"], 0) + 1
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.started
        fresh = self.done - self.already
        rate = fresh / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("inf")
        counts = (f"verified {self.counts['verified']}  failed {self.counts['failed']}  "
                  f"n/a {self.counts['hypotheses-not-met']}  error {self.counts['error']}")
        pace = f"{rate * 60:.1f}/min  eta {_duration(eta)}"
        if self.tty:
            width = 30
            filled = int(width * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}  {pace}  "
                              f"{counts} ")
        else:
            cond = record.get("cond")
            where = f"cond {cond:.3g}, " if isinstance(cond, (int, float)) else ""
            took = record.get("seconds")
            self.stream.write(f"  {self.done}/{self.total}  #{record['index']} {record['family']} "
                              f"{record['verdict']} ({where}{'-' if took is None else f'{took:.1f}'}s)  "
                              f"{pace}  [{counts}]\n")
        self.stream.flush()

    def close(self):
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    if seconds == float("inf"):
        return "?"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
