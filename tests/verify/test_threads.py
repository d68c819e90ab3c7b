"""Concurrent ``verify.check`` calls from threads (issue 15 item 6).

mpmath's precision is process-global; the pipeline holds one process-wide
lock for a whole check and sets the precision inside it (verify.precision).
Four threads at four different dps must give exactly the results of the same
four checks run one after the other, and leave ``mpmath.mp.dps`` unchanged.
"""

from __future__ import annotations

import threading

import mpmath

import verify

CASES = [("riccati", 20), ("quadratic", 25), ("riccati", 30), ("quadratic", 35)]
TIMES = ["0", "1/2", "1"]


def _result(report) -> dict:
    """Everything of the JSON result that is computed (timings and environment left out)."""
    doc = report.to_dict()
    return {k: doc[k] for k in ("settings", "fixed_point", "verdict", "checks", "values")}


def test_four_threads_at_different_dps_give_the_sequential_results():
    before = mpmath.mp.dps
    sequential = [_result(verify.check(name, dps=dps, times=TIMES)) for name, dps in CASES]
    assert mpmath.mp.dps == before

    results, errors = [None] * len(CASES), []
    start = threading.Barrier(len(CASES))

    def work(i, name, dps):
        try:
            start.wait()
            results[i] = _result(verify.check(name, dps=dps, times=TIMES))
        except BaseException as exc:  # noqa: BLE001 - reported below with the case
            errors.append((name, dps, repr(exc)))

    threads = [threading.Thread(target=work, args=(i, name, dps)) for i, (name, dps) in enumerate(CASES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert mpmath.mp.dps == before
    for (name, dps), seq, par in zip(CASES, sequential, results):
        assert par["settings"]["dps"] == dps
        assert par == seq, f"{name} at dps {dps}: a threaded check differs from the sequential one"
        assert par["verdict"] == "verified"
