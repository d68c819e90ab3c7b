"""Sweeps of random instances (``random``, ``falsify --random``) that run anywhere and lose nothing.

- :mod:`.task`: an instance is a pure function of (seed, family, index) and the settings;
- :mod:`.executors`: in-process, ``--workers N`` local processes, or Dask (``--scheduler``);
- :mod:`.store`: the results file (JSON Lines, one fsync'd record per instance, resumable);
- :mod:`.progress`: done, rate, ETA; :mod:`.summary`: per family and statement;
- :mod:`.run`: the shared options and the driver.
"""

from .run import add_arguments, executor_from, open_results, sweep, tasks_for

__all__ = ["add_arguments", "executor_from", "open_results", "sweep", "tasks_for"]
