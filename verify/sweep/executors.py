"""Where a sweep's instances run: in this process, in a local process pool, or on a Dask cluster.

Each executor calls :func:`verify.sweep.task.attempt` on every task and hands
each record to ``on_result`` in the driver process as it arrives (the driver
alone writes the results file). A task that raises is the task's business
(:func:`~verify.sweep.task.attempt` retries it once, then records it); a
worker *process* that dies mid-instance is the executor's: the instance is
run again on another worker, and an instance during which workers died
twice is recorded as ``verdict: "error"`` rather than retried forever.
"""

from __future__ import annotations

import logging
import os

from ..errors import UsageError
from .task import family_of

WORKER_DEATHS = 2  # an instance during which this many workers died is recorded, not retried again


def death_record(task: dict, message: str) -> dict:
    return {"key": task["key"], "index": task["index"], "family": family_of(task["family"], task["index"]),
            "verdict": "error", "error": message, "checks": {}, "attempts": WORKER_DEATHS, "seconds": None, "pid": None}


class InProcess:
    """One instance after the other, in this process."""

    description = "in-process"
    workers = 1

    def run(self, tasks, on_result):
        from .task import attempt

        for task in tasks:
            on_result(attempt(task))

    def close(self):
        pass


class Processes:
    """A pool of ``n`` local processes (``--workers N``)."""

    def __init__(self, n: int):
        self.workers = n
        self.description = f"{n} local processes"

    def run(self, tasks, on_result):
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        from .task import attempt

        pending = {task["key"]: task for task in tasks}   # in submission order
        while pending:
            pool = ProcessPoolExecutor(max_workers=min(self.workers, len(pending)))
            futures = {pool.submit(attempt, task): key for key, task in pending.items()}
            try:
                for future in as_completed(futures):
                    record = future.result()
                    del pending[futures[future]]
                    on_result(record)
            except BrokenProcessPool:
                for future, key in futures.items():   # finished before the pool broke
                    if key in pending and future.done() and not future.exception():
                        del pending[key]
                        on_result(future.result())
                # The pool cannot say whose instance killed the worker; those that were running
                # are among the first pending ones (tasks go out in order, one queued ahead):
                # each runs alone, where a death is its own.
                for key in list(pending)[:self.workers + 1]:
                    on_result(self._alone(pending.pop(key)))
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _alone(task) -> dict:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        from .task import attempt

        for _ in range(WORKER_DEATHS):
            with ProcessPoolExecutor(max_workers=1) as pool:
                try:
                    return pool.submit(attempt, task).result()
                except BrokenProcessPool:
                    pass
        return death_record(task, f"its worker process died {WORKER_DEATHS} times running it alone")

    def close(self):
        pass


class Dask:
    """A Dask distributed cluster: ``--scheduler ADDRESS`` or ``--scheduler local:N`` (a LocalCluster)."""

    def __init__(self, spec: str):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError("--scheduler needs Dask distributed, an optional extra: "
                             "pip install 'eqprop-verify[dask]'") from None
        self.cluster = None
        if spec.startswith("local:"):
            count = spec.partition(":")[2]
            # the scheduler reschedules the instance of a dead worker; after WORKER_DEATHS deaths
            # the future raises KilledWorker and the instance is recorded as such
            with dask.config.set({"distributed.scheduler.allowed-failures": WORKER_DEATHS - 1}):
                self.cluster = LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
            self.workers = int(count)
            self.description = f"Dask LocalCluster of {count} workers"
        else:
            try:
                self.client = Client(spec, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise UsageError(f"--scheduler {spec}: cannot reach a Dask scheduler there ({exc}); start one "
                                 "with `dask scheduler` and point --scheduler at the address it prints") from None
            self.workers = len(self.client.scheduler_info().get("workers", {}))
            plural = "" if self.workers == 1 else "s"
            self.description = f"Dask scheduler {spec} ({self.workers} worker{plural} at start)"

    def run(self, tasks, on_result):
        from distributed import as_completed
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        from .task import attempt

        token = os.urandom(4).hex()
        futures = {self.client.submit(attempt, task, pure=False,
                                      key=f"eqprop-{task['kind']}-{task['family']}-{task['seed']}-"
                                          f"{task['index']}-{token}"): task for task in tasks}
        try:
            for future in as_completed(futures):
                try:
                    record = future.result()
                except KilledWorker:
                    record = death_record(futures[future], "Dask workers died running it "
                                                           "(KilledWorker: the scheduler gave up on it)")
                except FutureCancelledError:
                    raise RuntimeError("the Dask scheduler cancelled the sweep's instances") from None
                on_result(record)
        finally:
            self.client.cancel(list(futures))

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def validate(workers: int | None, scheduler: str | None):
    """Usage errors of ``--workers``/``--scheduler``, found before anything is started or written."""
    if scheduler is not None and workers is not None:
        raise UsageError("--workers and --scheduler exclude each other (a Dask cluster has its own workers)")
    if workers is not None and workers < 0:
        raise UsageError(f"--workers must be >= 0, got {workers}")
    if scheduler is not None and scheduler.startswith("local:"):
        count = scheduler.partition(":")[2]
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--scheduler {scheduler!r}: local:N needs N >= 1 workers")


def make(workers: int | None, scheduler: str | None):
    """The executor the options ask for (``--workers`` and ``--scheduler`` exclude each other)."""
    validate(workers, scheduler)
    if scheduler is not None:
        return Dask(scheduler)
    workers = workers if workers is not None else 1
    workers = workers or os.cpu_count() or 1
    return InProcess() if workers == 1 else Processes(workers)
