"""Worker processes for the tests that race real processes against one database."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.queues import Queue
from typing import Any

__all__ = ["run_processes"]


def run_processes(
    target: Callable[..., None],
    jobs: list[dict[str, Any]],
    results: Queue[Any],
    *,
    timeout: float = 180,
) -> list[Any]:
    """
    Start one spawned process per job (``target(**job)``), take one report from ``results``
    per process, wait for them all and check that each exited cleanly; the reports in the
    order they arrived. A process that hangs is killed, so that the test fails, not the run.
    """
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=target, kwargs=job) for job in jobs]
    for process in processes:
        process.start()
    try:
        reports = [results.get(timeout=timeout) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():  # pragma: no cover - only if a worker hangs
                process.kill()
    assert [p.exitcode for p in processes] == [0] * len(processes)
    return reports
