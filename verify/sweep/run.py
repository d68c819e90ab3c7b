"""Running a sweep: the shared options, and the driver that sends the missing instances to an
executor and records each result as it arrives."""

from __future__ import annotations

import sys

from . import executors
from .progress import ProgressBar
from .store import MemoryResults, ResultsFile


def add_arguments(parser):
    """``--workers``, ``--scheduler``, ``--results``, ``--resume`` (shared by ``random`` and ``falsify``)."""
    parser.add_argument("--workers", type=int, default=None, metavar="W",
                        help="local processes checking instances in parallel (default 1; 0 = one per CPU)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS|local:N",
                        help="run the instances on Dask: the address of a running `dask scheduler` "
                             "(tcp://host:8786), or local:N for a cluster of N workers on this machine "
                             "(needs pip install 'eqprop-verify[dask]')")
    parser.add_argument("--results", default=None, metavar="PATH",
                        help="append each instance's result to PATH (JSON Lines, fsync'd) as it finishes")
    parser.add_argument("--resume", action="store_true",
                        help="with --results: keep the instances already in PATH and run only the rest")


def open_results(args, command: str, settings: dict):
    """The results file the options name (or an in-memory one)."""
    from ..errors import UsageError

    executors.validate(args.workers, args.scheduler)
    if args.resume and not args.results:
        raise UsageError("--resume needs --results PATH (the results file of the sweep to finish)")
    if not args.results:
        return MemoryResults()
    return ResultsFile(args.results, command, settings, resume=args.resume)


def sweep(tasks: list[dict], *, executor, results, progress: bool = True, on_record=None) -> list[dict]:
    """Run every task whose key is not in ``results`` yet; the records of all ``tasks``, in their order.

    Each record is appended to ``results`` (durably, for a file) and passed to
    ``on_record`` as soon as it reaches this process, so a sweep stopped at
    any moment keeps every instance that finished.
    """
    done = [results.records[t["key"]] for t in tasks if t["key"] in results.records]
    todo = [t for t in tasks if t["key"] not in results.records]
    bar = ProgressBar(len(tasks), previous=done, enabled=progress)
    if done and progress:
        print(f"resuming: {len(done)} of {len(tasks)} instances already in {results.path}", file=sys.stderr)

    def arrived(record):
        results.append(record)
        if on_record is not None:
            on_record(record)
        bar.update(record)

    try:
        if todo:
            executor.run(todo, arrived)
    finally:
        bar.close()
    return [results.records[t["key"]] for t in tasks]


def tasks_for(kind: str, settings: dict, family: str, count: int) -> list[dict]:
    """Instances 0 .. count-1 of ``family`` (``all``: the families in turn), keyed ``family#index``."""
    return [dict(settings, kind=kind, family=family, index=i, key=f"{family}#{i}") for i in range(count)]


def executor_from(args):
    return executors.make(args.workers, args.scheduler)
