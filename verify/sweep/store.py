"""The results file of a sweep: JSON Lines, one complete record per instance, appended and fsync'd.

Why JSON Lines and not SQLite: only the driver writes (workers return records
to it), so there is no concurrent writer to arbitrate; an append of one line
followed by ``fsync`` is the whole durability story, and a crash can at worst
leave a torn *last* line, which is recognisable (no newline, not JSON) and cut
off on resume. The file is text: it can be read with ``jq``/``grep``, copied
between machines, concatenated, and inspected while the sweep runs, and it
works on network file systems where SQLite's locking is unreliable.

Line 1 is a header naming the command, its settings and the version of
eqprop-verify that wrote it; ``--resume`` accepts the file only if they are the
settings of the sweep being resumed (the number of instances may grow), and
warns when the version differs (the records would then mix two versions' verdicts). Every later line is a record with its task's ``key`` ("<family>#<index>").
"""

from __future__ import annotations

import json
import os
import sys

from .. import __version__
from ..errors import UsageError

SCHEMA = "eqprop-verify/sweep-results/1"


class ResultsFile:
    """Append-only records of one sweep; ``records`` maps task key -> record (those already on disk)."""

    def __init__(self, path, command: str, settings: dict, *, resume: bool):
        self.path = os.path.abspath(os.fspath(path))
        settings = json.loads(json.dumps(settings))  # compared with the header as read back from JSON
        self.header = {"schema": SCHEMA, "command": command, "settings": settings, "version": __version__}
        self.records: dict[int, dict] = {}
        if resume and os.path.exists(self.path):
            self._load()
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        elif os.path.exists(self.path):
            raise UsageError(f"--results {self.path}: the file exists; add --resume to finish that sweep, "
                             "or choose another path")
        else:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o666)
            self._write(self.header)
            _fsync_directory(self.path)

    def _load(self):
        with open(self.path, "rb") as fh:
            data = fh.read()
        end = data.rfind(b"\n") + 1
        lines = data[:end].decode("utf-8", errors="replace").splitlines()
        try:
            header = json.loads(lines[0]) if lines else None
        except json.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("schema") != SCHEMA:
            raise UsageError(f"--results {self.path}: not a results file of eqprop-verify (line 1 is not "
                             f"its header); refusing to append to it")
        if header.get("command") != self.header["command"]:
            raise UsageError(f"--results {self.path}: a results file of `{header.get('command')}`, "
                             f"not of `{self.header['command']}`")
        old, new = header.get("settings", {}), self.header["settings"]
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                raise UsageError(f"--results {self.path}: written with {key} = {old.get(key)!r}, "
                                 f"this sweep has {key} = {new.get(key)!r}; resume with the same settings")
        if header.get("version") != __version__:
            print(f"eqprop-verify: {self.path}: written by eqprop-verify {header.get('version', 'before 0.1.0')}, "
                  f"resumed by {__version__}: its records mix the verdicts of two versions", file=sys.stderr)
        for number, line in enumerate(lines[1:], start=2):
            try:
                record = json.loads(line)
                self.records[str(record["key"])] = record
            except (json.JSONDecodeError, KeyError, TypeError):
                raise UsageError(f"--results {self.path}: line {number} is not a complete record") from None
        if end < len(data):  # a crash in the middle of the last append: that instance is run again
            with open(self.path, "r+b") as fh:
                fh.truncate(end)
                os.fsync(fh.fileno())
            print(f"eqprop-verify: {self.path}: cut off a torn last record ({len(data) - end} bytes)",
                  file=sys.stderr)

    def _write(self, obj: dict):
        line = (json.dumps(obj, sort_keys=True, allow_nan=True) + "\n").encode("utf-8")
        while line:  # os.write may write less than asked (a signal); finish the line
            line = line[os.write(self.fd, line):]
        os.fsync(self.fd)

    def append(self, record: dict):
        """Write one complete record and make it durable before returning."""
        self._write(record)
        self.records[record["key"]] = record

    def close(self):
        os.close(self.fd)


class MemoryResults:
    """The same interface, kept in memory (a sweep without ``--results``)."""

    def __init__(self):
        self.path, self.records = None, {}

    def append(self, record: dict):
        self.records[record["key"]] = record

    def close(self):
        pass


def _fsync_directory(path: str):
    fd = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
