"""Writing an output file the way a user expects, never destroying anything (issue 15, item 1).

* a regular file (or a symbolic link to one) is replaced atomically: the
  text goes to a temporary beside the *link's target*, which is renamed over
  it, so the link stays a link and the file is never half-written;
* a character device, a FIFO, or a path under ``/dev`` or ``/proc`` (e.g.
  ``/dev/stdout``, ``/proc/self/fd/1``) is written *into*, as ``cmd > PATH``
  would -- never replaced;
* a directory, the model file itself, or a path that cannot be written
  (under a regular file, a read-only directory, a full device) is an
  :class:`OutputError` (exit 2) with one line saying why.

Temporaries are named ``.NAME.tmp-PID-XXXXXXXX``; a killed run's are removed
by the next run writing the same file.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile

from .errors import UsageError


class OutputError(UsageError):
    """An output path that cannot or must not be written (exit code 2)."""


def _is_special_path(path: str) -> bool:
    absolute = os.path.abspath(path)
    return absolute.startswith(("/dev/", "/proc/"))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def write_text(path, text: str, *, protect=(), what: str = "output") -> None:
    """Write ``text`` to ``path`` (see the module docstring); ``protect``: paths never to overwrite."""
    write_bytes(path, text.encode("utf-8"), protect=protect, what=what)


def preflight(path, *, protect=(), what: str = "output") -> None:
    """Refuse at once, before any work, an output path that will certainly fail or must not be written."""
    path = os.fspath(path)
    _stat_target(path, protect, what)
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.lexists(parent) and parent != os.path.dirname(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise OutputError(f"{what} {path}: cannot write: {parent} is not a directory")


def write_bytes(path, data: bytes, *, protect=(), what: str = "output") -> None:
    path = os.fspath(path)
    st = _stat_target(path, protect, what)
    try:
        if st is not None and (not stat.S_ISREG(st.st_mode) or _is_special_path(path)):
            with open(path, "wb") as fh:          # into the device, FIFO or descriptor
                fh.write(data)
        else:
            _replace_atomically(os.path.realpath(path) if st is not None else path, data, st)
    except OSError as exc:
        raise OutputError(f"{what} {path}: cannot write: {_reason(exc)}") from None


def _stat_target(path: str, protect, what: str):
    """The status of what ``path`` names (None if nothing); OutputError for a directory or a protected file."""
    try:
        st = os.stat(path)                       # follows links
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{what} {path}: cannot write: {_reason(exc)}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{what} {path}: is a directory; give a file name")
        for other in protect:
            try:
                if other and os.path.samefile(path, other):
                    raise OutputError(f"{what} {path}: is the model file itself; refusing to overwrite it")
            except OSError:
                pass
    return st


def _replace_atomically(path: str, data: bytes, st) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, exist_ok=True)
    clean_stale(directory, base)
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.tmp-{os.getpid()}-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if st is not None:
            mode = stat.S_IMODE(st.st_mode)      # keep the replaced file's permissions
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask                # mkstemp creates 0600; a result file is for everyone to read
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def clean_stale(directory: str, base: str) -> list[str]:
    """Remove ``.BASE.tmp-PID-*`` regular files of ours whose process no longer runs."""
    pattern = re.compile(r"^\." + re.escape(base) + r"\.tmp-(\d+)-[A-Za-z0-9_]{6,12}$")
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = pattern.match(name)
        if not m:
            continue
        path = os.path.join(directory, name)
        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or pid_alive(int(m.group(1))):
                continue
            os.unlink(path)
            removed.append(path)
        except OSError:
            continue
    return removed


def pid_alive(pid) -> bool:
    """Whether process ``pid`` runs (on this machine)."""
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
