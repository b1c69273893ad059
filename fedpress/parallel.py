"""Using every core for the two costly stages: Markdown and page rendering.

Workers are forked, so they start with the parent's library, templates and converter already
in memory, and with the items to work on: only chunk numbers are sent to them, and only results
are pickled back. The task and its items are handed over in `_task` just before the fork: that
module-level slot is the price of fork-based pools, and it is cleared right after.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.pool import Pool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# A worker is replaced by a fresh fork after this many chunks. Every object a worker reads gets its
# count of references written, so the memory page holding it is copied into the worker: over a whole
# rendering of 12,000 pages each worker had copied 30 MB of what it shares with the build. A fresh one
# starts again from nothing; forking one takes a few milliseconds.
_CHUNKS_PER_WORKER = 32
_task: tuple[Callable, list] | None = None  # the task and the chunks of items, inherited by forked workers


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def parallel_map(task: Callable[[T], R], items: Sequence[T], workers: int, chunk: int = 64,
                 progress: Callable[[int, int], None] | None = None) -> list[R]:
    """`[task(x) for x in items]`, in order, spread over `workers` forked processes when worth it.
    `progress(done, total)` is called as chunks finish."""
    return parallel_batches(lambda part: [task(item) for item in part], items, workers, chunk, progress)


def parallel_batches(task: Callable[[Sequence[T]], list[R]], items: Sequence[T], workers: int, chunk: int = 64,
                     progress: Callable[[int, int], None] | None = None) -> list[R]:
    """As `parallel_map`, for a task that takes a whole chunk of items and gives a result for each."""
    chunks = [items[start:start + chunk] for start in range(0, len(items), chunk)]
    results: list[R] = []
    if workers <= 1 or len(chunks) < 2 or not _can_fork():
        for part in chunks:
            results += task(part)
            if progress:
                progress(len(results), len(items))
        return results
    with _forked_pool(task, chunks, workers, _CHUNKS_PER_WORKER) as pool:
        for done in pool.imap(_run_chunk, range(len(chunks)), chunksize=1):
            results += done
            if progress:
                progress(len(results), len(items))
    return results


class OtherProcess:
    """A forked process for tasks whose loads (a library and its tables) must never add to this process's
    memory, which later workers share. Given `prepare`, it starts at once and runs `prepare()` while
    this process goes on (say, loading the library a task will use); else it starts when first needed.
    A task is a module-level function, sent with its argument and result pickled. The process ends with
    the `with` block. (Where processes cannot be forked, tasks run here.)"""

    def __init__(self, prepare: Callable[[], object] | None = None) -> None:
        self._prepare = prepare
        self._pools = contextlib.ExitStack()
        self._pool: Pool | None = None

    def __enter__(self) -> OtherProcess:
        if self._prepare is not None and _can_fork():
            self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._pools.close()  # ends the process, even in the middle of preparing

    def run(self, task: Callable[[T], R], argument: T) -> R:
        if not _can_fork():
            return task(argument)
        return (self._pool or self._start()).apply(task, (argument,))

    def _start(self) -> Pool:
        self._pool = self._pools.enter_context(_fork_pool(1, prepare=self._prepare))
        return self._pool


@contextlib.contextmanager
def _forked_pool(task: Callable[[Sequence[T]], list[R]], chunks: list[Sequence[T]], workers: int,
                 chunks_per_worker: int | None = None) -> Iterator[Pool]:
    """A pool of `workers` forked processes that run `task` on chunk number n when given n (`_run_chunk`),
    each replaced by a fresh one after `chunks_per_worker` chunks, if given."""
    global _task
    _task = (task, chunks)
    try:
        with _fork_pool(workers, chunks_per_worker) as pool:
            yield pool
    finally:
        _task = None


def _fork_pool(workers: int, chunks_per_worker: int | None = None, prepare: Callable[[], object] | None = None) -> Pool:
    """A pool of `workers` forked processes, each running `prepare()` first, if given."""
    # Objects the workers inherit stay out of their collectors' scans, which would also copy the
    # memory pages they touch (build_site and check_site unfreeze them when they end).
    gc.freeze()
    return multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker, initargs=(os.getpid(), prepare),
                                                    maxtasksperchild=chunks_per_worker)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def in_child(task: Callable[[], None]) -> Callable[[], bool]:
    """Start `task` in a forked process, so what it allocates never adds to this process's memory, and
    go on meanwhile. The function returned waits for it: True if it succeeded. (Where processes cannot
    be forked, `task` runs in this process, at once.)"""
    if not _can_fork():
        try:
            task()
        except OSError:  # as a child's failure: reported by the result, not raised
            return lambda: False
        return lambda: True
    gc.freeze()  # as for the workers: the child's collector leaves the parent's pages alone
    child = multiprocessing.get_context("fork").Process(target=_uninterrupted, args=(task,))
    child.start()

    def finished() -> bool:
        child.join()
        return child.exitcode == 0

    return finished


def _uninterrupted(task: Callable[[], None]) -> None:
    """Ctrl-C reaches the whole process group: the child lets the parent, which waits for it, stop the build."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    task()


def _start_worker(parent: int, prepare: Callable[[], object] | None) -> None:
    """Ctrl-C reaches the whole process group: a worker leaves it to the parent, which ends the pool (a
    worker stopped by it would print its traceback). And a worker whose parent was killed (say, `serve`
    stopped mid-rebuild) must not go on writing files. Then `prepare()`, if given: only to save time
    later, so a failure is left for the task that needs what it prepares to meet (a failing initializer
    would have the pool start worker after worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    if prepare is not None:
        with contextlib.suppress(Exception):
            prepare()


def _run_chunk(number: int) -> list:
    task, chunks = _task
    return task(chunks[number])
