"""A report directory that appears whole or not at all.

Everything is written into a temporary sibling, ``DIR.tmp-XXXX``; only when
every file is there is it renamed into place (an existing DIR is renamed
away first and removed after). Interrupts (SIGINT, SIGTERM) are held back
during those two renames, and any exception before them removes the
temporary directory, so an interrupted report leaves neither a half-written
DIR nor a temporary one, and an existing DIR untouched.

Alternatives: (1) write files one by one with :func:`verify.result.write_atomic`
-- each file is whole, but the set can be a mix of old and new; (2) Linux
``renameat2(RENAME_EXCHANGE)`` swaps two directories atomically, but needs
ctypes and is not portable. The sibling-and-rename scheme leaves, at worst
(a power cut between the renames), the complete old report beside DIR as
``DIR.old-XXXX``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading

#: file names whose presence marks a directory as one of our reports (safe to replace)
MARKERS = ("report.json", "index.html")


class NotAReportDirectory(Exception):
    """``--out`` names an existing directory that is not an eqprop-verify report."""


def is_replaceable(path: str) -> bool:
    """An existing ``path`` may be replaced: an empty directory, or one holding our report."""
    if not os.path.isdir(path):
        return False
    entries = os.listdir(path)
    if not entries:
        return True
    report = os.path.join(path, "report.json")
    if not os.path.isfile(report):
        return False
    try:
        with open(report, encoding="utf-8") as fh:
            schema = json.load(fh).get("schema", "")
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(schema, str) and schema.startswith("eqprop-verify/")


def check_target(path: str) -> str:
    """The absolute target; raises :class:`NotAReportDirectory` if replacing it could lose someone's files."""
    target = os.path.abspath(path)
    if os.path.exists(target) and not is_replaceable(target):
        kind = "a file" if not os.path.isdir(target) else "a directory that is not an eqprop-verify report"
        raise NotAReportDirectory(f"--out {path} exists and is {kind}; choose a new directory "
                                  "(a report replaces only an empty directory or an earlier report)")
    return target


class _HeldSignals:
    """Hold SIGINT and SIGTERM back for a few system calls, then deliver them.

    The Python-level handlers are swapped for one that only records the
    signal, and the signal is raised again after the block. (Blocking with
    ``pthread_sigmask`` is not enough: it masks the calling thread only, and a
    signal sent to the process is then delivered to another thread -- numpy's
    BLAS threads -- whose C handler still interrupts the main thread.)
    """

    SIGNALS = [getattr(signal, n) for n in ("SIGINT", "SIGTERM") if hasattr(signal, n)]

    def __enter__(self):
        self.received = []
        self.active = threading.current_thread() is threading.main_thread()
        if self.active:
            self.before = {s: signal.signal(s, self._record) for s in self.SIGNALS}
        return self

    def _record(self, signum, frame):
        self.received.append(signum)

    def __exit__(self, exc_type, exc, tb):
        if self.active:
            for s, handler in self.before.items():
                signal.signal(s, handler)
            if self.received and exc_type is None:
                signal.raise_signal(self.received[0])    # now handled as usual
        return False


class AtomicDirectory:
    """``with AtomicDirectory(DIR) as d: d.write(...); d.commit()`` -- all or nothing."""

    def __init__(self, path: str):
        self.target = check_target(path)
        self.parent = os.path.dirname(self.target)
        self.tmp: str | None = None
        self.committed = False

    def __enter__(self):
        os.makedirs(self.parent, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix=os.path.basename(self.target) + ".tmp-", dir=self.parent)
        return self

    def path(self, name: str) -> str:
        return os.path.join(self.tmp, name)

    def write(self, name: str, data) -> str:
        """Write ``data`` (str or bytes) as ``name`` inside the temporary directory."""
        mode, kw = ("wb", {}) if isinstance(data, (bytes, bytearray)) else ("w", {"encoding": "utf-8"})
        with open(self.path(name), mode, **kw) as fh:
            fh.write(data)
        return self.path(name)

    def commit(self) -> None:
        """Move the finished directory into place (replacing an earlier report)."""
        check_target(self.target)           # still safe to replace (nobody put files there meanwhile)
        os.chmod(self.tmp, 0o755)            # mkdtemp makes it private; a report is for reading
        with _HeldSignals():
            old = None
            if os.path.exists(self.target):
                old = tempfile.mkdtemp(prefix=os.path.basename(self.target) + ".old-", dir=self.parent)
                os.rmdir(old)
                os.rename(self.target, old)
            try:
                os.rename(self.tmp, self.target)
            except BaseException:
                if old is not None:
                    os.rename(old, self.target)
                raise
            self.committed = True
            self.tmp = None
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        if self.tmp is not None:
            with _HeldSignals():             # a second Ctrl-C must not leave half a temporary directory
                shutil.rmtree(self.tmp, ignore_errors=True)
                self.tmp = None

    def __exit__(self, exc_type, exc, tb):
        if not self.committed:
            self.discard()
        return False
