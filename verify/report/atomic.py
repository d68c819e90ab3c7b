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

import fcntl
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import threading

from ..outputs import OutputError, pid_alive

#: the file inside every report listing exactly the files the report wrote; a directory is
#: replaced only when its entries are exactly those (it is then wholly a report of ours)
MANIFEST = ".eqprop-report.json"
MANIFEST_SCHEMA = "eqprop-verify/report-manifest/1"


class NotAReportDirectory(Exception):
    """``--out`` names an existing path that is not wholly an eqprop-verify report."""


def _manifest(path: str) -> dict | None:
    try:
        with open(os.path.join(path, MANIFEST), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != MANIFEST_SCHEMA:
        return None
    return data


def is_replaceable(path: str) -> bool:
    """``path`` may be replaced: an empty directory, or one whose every entry its manifest lists.

    Every entry must be a regular file (not a link, not a directory) named in
    the manifest, so a user's file put into a report directory -- or a
    ``report.json`` written by ``check --json`` beside the user's own files --
    makes the directory the user's, and it is never replaced.
    """
    if os.path.islink(path) or not os.path.isdir(path):
        return False
    entries = os.listdir(path)
    if not entries:
        return True
    data = _manifest(path)
    if data is None:
        return _is_legacy_report(path, entries)
    if not isinstance(data.get("files"), list):
        return False
    listed = set(data["files"]) | {MANIFEST}
    if set(entries) - listed:
        return False
    return all(stat.S_ISREG(os.lstat(os.path.join(path, e)).st_mode) for e in entries)


#: the files a report from before manifests wrote (plots by name)
LEGACY_FILES = {"report.json", "report.md", "index.html", "screenshot.png", "trajectories.png", "errors.png",
                "beta_ladder.png", "limit.png"}


def _is_legacy_report(path: str, entries: list[str]) -> bool:
    """A report written before manifests: its three documents, nothing but its own file names, and an
    eqprop-verify ``report.json`` (``check --json`` alone never writes ``index.html`` or ``report.md``)."""
    if set(entries) - LEGACY_FILES or not {"report.json", "report.md", "index.html"} <= set(entries):
        return False
    if not all(stat.S_ISREG(os.lstat(os.path.join(path, e)).st_mode) for e in entries):
        return False
    try:
        with open(os.path.join(path, "report.json"), encoding="utf-8") as fh:
            schema = json.load(fh).get("schema", "")
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(schema, str) and schema.startswith("eqprop-verify/")


def check_target(path: str) -> str:
    """The absolute target; raises :class:`NotAReportDirectory` if replacing it could lose someone's files."""
    target = os.path.abspath(path)
    if os.path.lexists(target) and not is_replaceable(target):
        if os.path.islink(target):
            kind = "a symbolic link"
        elif not os.path.isdir(target):
            kind = "a file"
        else:
            kind = "a directory that is not an eqprop-verify report (it holds files this tool did not write)"
        raise NotAReportDirectory(f"--out {path} exists and is {kind}; choose a new directory "
                                  "(a report replaces only an empty directory or an earlier report, "
                                  "whose files its manifest lists)")
    return target


def clean_stale(target: str) -> list[str]:
    """Remove this tool's temporaries beside ``target`` left by a killed run; their paths.

    A temporary ``DIR.tmp-XXXXXXXX`` or ``DIR.old-XXXXXXXX`` is removed only
    when it is a real directory owned by us whose entries are all regular
    files, and whose manifest names a process that no longer runs -- or that
    has no manifest and nothing else (a run killed right after creating it).
    The caller holds the parent directory's lock, under which temporaries are
    created, so nothing of anyone else's, and no run in progress, is touched.
    """
    parent, base = os.path.split(target)
    pattern = re.compile(re.escape(base) + r"\.(tmp|old)-[A-Za-z0-9_]{6,12}$")
    removed = []
    try:
        names = os.listdir(parent)
    except OSError:
        return removed
    for name in names:
        if not pattern.match(name):
            continue
        path = os.path.join(parent, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            continue
        data = _manifest(path)
        entries = os.listdir(path)
        if data is None:
            # killed (SIGKILL) between creating the temporary and writing its manifest; both
            # happen under the parent's lock, which our caller holds, so no live run is there
            if any(e != MANIFEST for e in entries):
                continue
        elif pid_alive(data.get("pid")):
            continue
        if not all(stat.S_ISREG(os.lstat(os.path.join(path, e)).st_mode) for e in entries):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


class _DirectoryLock:
    """An exclusive ``flock`` on a directory: one commit into it at a time (processes and threads)."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        return False


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
        try:
            os.makedirs(self.parent, exist_ok=True)
            # created under the parent's lock, which clean_stale's caller holds too: a temporary
            # without its manifest is then never one that a live run is still setting up
            with _DirectoryLock(self.parent):
                clean_stale(self.target)
                with _HeldSignals():             # the temporary exists only with its manifest
                    self.tmp = tempfile.mkdtemp(prefix=os.path.basename(self.target) + ".tmp-", dir=self.parent)
                    self._write_manifest(self.tmp, [])
        except OSError as exc:
            self.discard()
            raise OutputError(f"--out {self.target}: cannot write there: {exc.strerror or exc}") from None
        return self

    @staticmethod
    def _write_manifest(directory: str, files: list[str]) -> None:
        with open(os.path.join(directory, MANIFEST), "w", encoding="utf-8") as fh:
            json.dump({"schema": MANIFEST_SCHEMA, "pid": os.getpid(), "files": files}, fh)

    def path(self, name: str) -> str:
        if name != os.path.basename(name) or name in ("", ".", "..", MANIFEST):
            raise ValueError(f"not a plain file name: {name!r}")
        return os.path.join(self.tmp, name)

    def write(self, name: str, data) -> str:
        """Write ``data`` (str or bytes) as ``name`` inside the temporary directory."""
        mode, kw = ("wb", {}) if isinstance(data, (bytes, bytearray)) else ("w", {"encoding": "utf-8"})
        try:
            with open(self.path(name), mode, **kw) as fh:
                fh.write(data)
        except OSError as exc:                   # a full disk, a quota
            raise OutputError(f"--out {self.target}: cannot write {name}: {exc.strerror or exc}") from None
        return self.path(name)

    def files(self) -> list[str]:
        """The files written so far (the manifest aside)."""
        return sorted(e for e in os.listdir(self.tmp) if e != MANIFEST)

    def commit(self) -> None:
        """Move the finished directory into place (replacing an earlier report).

        Under a lock on the parent directory, so two reports committed into
        the same place at once both succeed, one after the other.
        """
        try:
            self._write_manifest(self.tmp, self.files())
            os.chmod(self.tmp, 0o755)            # mkdtemp makes it private; a report is for reading
            self._swap()
        except OSError as exc:
            raise OutputError(f"--out {self.target}: cannot put the report in place: {exc.strerror or exc}") from None

    def _swap(self) -> None:
        with _DirectoryLock(self.parent), _HeldSignals():
            check_target(self.target)       # still safe to replace (nobody put files there meanwhile)
            old = None
            if os.path.lexists(self.target):
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
