"""The process pool: a command's per-post work spread over the cores (``parallel_map``).

Forked workers start at once with everything the parent imported; each ends with the run
that started it, and its garbage collector leaves alone what it inherited.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_BATCH = 40  # posts a worker process must have to be worth its start
# Posts whose files are written together: one flush of the disk for them all, and what a
# killed run loses at most.
CHUNK = 20


def parallel_map(
    work: Callable[[list[T]], list[R]],
    items: list[T],
    jobs: int | None = None,
    prepare: Callable[[], object] | None = None,
) -> list[R]:
    """``work(items)``, done in chunks of at most ``CHUNK`` items, spread over processes
    when there is enough work for more than one (forked workers start at once, with
    everything imported). ``work`` returns one result per item. ``prepare`` runs here
    before the workers fork, and only then: what each of them would otherwise do itself."""
    jobs = min(jobs or os.cpu_count() or 1, len(items) // MIN_BATCH)
    if jobs > 1 and _can_fork():
        return _in_workers(work, items, jobs, prepare)
    return [result for chunk in chunks(items, CHUNK) for result in work(chunk)]


def _can_fork() -> bool:
    import multiprocessing  # (only a run with work to share pays for these imports)

    return "fork" in multiprocessing.get_all_start_methods()


def _in_workers(
    work: Callable[[list[T]], list[R]],
    items: list[T],
    jobs: int,
    prepare: Callable[[], object] | None,
) -> list[R]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if prepare is not None:
        prepare()
    parts = chunks(items, max(1, min(CHUNK, len(items) // (jobs * 8))))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
    ) as pool:
        return [result for results in pool.map(work, parts) for result in results]


def chunks(items: list[T], size: int) -> list[list[T]]:
    """``items`` cut into lists of ``size`` (the last one shorter)."""
    return [items[start : start + size] for start in range(0, len(items), size)]


def _start_worker(parent: int) -> None:
    """Make a worker end with the run that started it: a killed run's workers would
    otherwise live on, and one busy writing would write after the next run took the lock.
    Linux ends them itself (PR_SET_PDEATHSIG); elsewhere they stop at their next task.

    The worker's garbage collector also leaves alone what the worker inherited
    (``gc.freeze``) and runs less often: parsing makes millions of short-lived objects and
    hardly any cycles (5-7% of a cold sync's time, measured with bench/run.py)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the run died before that took effect
        os._exit(1)
