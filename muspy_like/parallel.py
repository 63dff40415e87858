"""Apply a function to many items in parallel, collecting every failure instead of losing it.

:func:`parallel_map` is the one way muspy_like runs CPU-bound work on many files (dataset conversion,
corpus statistics). It runs inline (``n_jobs=1``), on a pool of worker *processes* (``n_jobs>1``; threads
would serialize on the GIL), or on any :class:`concurrent.futures.Executor` the caller passes, such as a
``dask.distributed`` cluster (``client.get_executor()``), so the same call scales from a laptop to a
cluster.

An item whose call raises does not stop the others: its value is ``None`` and a :class:`Failure` records
the item, its index, the exception type, message and formatted traceback. Nothing is swallowed: the
failures are returned, logged as a warning, and :meth:`MapResult.raise_if_failed` turns them into an
exception for callers that want all-or-nothing. A worker process that dies (e.g. killed by the
out-of-memory killer) fails the items it held and any not yet started: they are reported as failures
with ``exception_type`` ``BrokenProcessPool``, never silently dropped. ``KeyboardInterrupt`` cancels
pending work and propagates.

Work is submitted a window of chunks at a time (four per worker), so pending tasks and results in flight
stay bounded however many items there are; with ``on_result`` and ``keep_values=False`` the results
stream to the caller as they arrive and nothing grows with the number of items but the failures.

Chunk sizes adapt to the work unless the caller fixes them: the first chunks are small, each worker
reports how long its chunk took, and later chunks hold about :data:`_TARGET_CHUNK_SECONDS` of work, so
that the cost of a task (well under a millisecond on a process pool, several milliseconds on a
``dask.distributed`` cluster, paid in the process that schedules) stays a few per cent of the work
whether an item takes a millisecond (a short MIDI file) or a minute (an orchestral score). Near the end
chunks shrink again (at most a quarter of the remaining items per worker), so no worker is left with a
long tail while the others wait.

Examples
--------
>>> from muspy_like.parallel import parallel_map
>>> result = parallel_map(abs, [-1, 2, -3], progress=False)
>>> result.values
[1, 2, 3]
>>> result.failures
[]
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import os
import time
import traceback as traceback_module
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Sequence

from muspy_like.errors import MuspyLikeError

__all__ = ["Failure", "MapResult", "ParallelMapError", "parallel_map", "resolve_n_jobs"]

logger = logging.getLogger(__name__)

#: Chunks per worker for the first chunks, sized before any has been timed (when ``chunksize`` is
#: automatic): enough to balance uneven items and to move the progress bar smoothly.
_CHUNKS_PER_WORKER = 64
#: The largest first chunk: items of unknown cost start small, a chunk never waits on many slow items.
_FIRST_CHUNK_MAX = 8
#: Seconds of work a chunk holds once chunks have been timed: large against the per-task cost of a
#: process pool or a dask cluster (a few milliseconds), small enough for a smooth progress bar.
_TARGET_CHUNK_SECONDS = 0.3
#: The most items in one chunk, whatever the timing says (bounds the results of one task in memory).
_MAX_CHUNK = 4096
#: Near the end a chunk holds at most this fraction of the remaining items per worker.
_TAIL_SHARE = 4
#: Chunks submitted ahead per worker: keeps every worker busy while bounding what is in flight.
_CHUNKS_IN_FLIGHT = 4
#: Workers assumed for an executor of unknown size (see :func:`_worker_count`).
_MANY_WORKERS = 256


@dataclass(frozen=True)
class Failure:
    """One item whose call raised.

    Parameters
    ----------
    item : object
        The item as passed to :func:`parallel_map`.
    index : int
        Position of the item in the input sequence.
    exception_type : str
        Qualified name of the exception class, e.g. ``"muspy_like.errors.MIDIError"``.
    message : str
        ``str(exception)``.
    traceback : str
        The formatted traceback, as printed in the process that ran the call.
    """

    item: Any
    index: int
    exception_type: str
    message: str
    traceback: str

    def summary(self) -> str:
        """One line: index, item, exception type and message."""
        return f"[{self.index}] {self.item!r}: {self.exception_type}: {self.message}"


@dataclass
class MapResult:
    """The outcome of :func:`parallel_map`.

    Parameters
    ----------
    values : list
        One value per input item, in input order; ``None`` where the item failed.
    failures : list of Failure
        The failed items, sorted by index.
    """

    values: list
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if no item failed."""
        return not self.failures

    def raise_if_failed(self) -> None:
        """Raise :class:`ParallelMapError` listing the failures, if there are any."""
        if self.failures:
            raise ParallelMapError(self.failures)


class ParallelMapError(MuspyLikeError):
    """Raised by :meth:`MapResult.raise_if_failed`; ``.failures`` holds every :class:`Failure`."""

    def __init__(self, failures: Sequence[Failure]):
        self.failures = list(failures)
        shown = "\n".join(f.summary() for f in self.failures[:10])
        more = f"\n... and {len(self.failures) - 10} more" if len(self.failures) > 10 else ""
        super().__init__(f"{len(self.failures)} item(s) failed:\n{shown}{more}")


def resolve_n_jobs(n_jobs: int) -> int:
    """Turn ``n_jobs`` into a worker count: positive values as given, ``-1`` all cores, ``-2`` all but one.

    Raises
    ------
    ValueError
        If ``n_jobs`` is 0.
    """
    if n_jobs == 0:
        raise ValueError("n_jobs must be a positive number of workers or negative (-1 = all cores), not 0")
    if n_jobs > 0:
        return int(n_jobs)
    return max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))


def parallel_map(
    func: Callable[[Any], Any],
    items: Iterable[Any],
    *,
    n_jobs: int = 1,
    executor: Optional[concurrent.futures.Executor] = None,
    progress: bool = True,
    desc: Optional[str] = None,
    chunksize: Optional[int] = None,
    mp_context: Any = None,
    on_result: Optional[Callable[[int, Any], None]] = None,
    keep_values: bool = True,
    combine: Optional[Callable[[list], Any]] = None,
    on_combined: Optional[Callable[[list[int], Any], None]] = None,
) -> MapResult:
    """Call ``func(item)`` for every item, inline, in worker processes or on a given executor.

    Parameters
    ----------
    func : callable
        Function of one argument. With processes or a distributed executor it must be picklable (a
        module-level function, or a ``functools.partial`` of one) and so must its arguments and results.
    items : iterable
        The inputs; consumed into a list first.
    n_jobs : int
        Number of worker processes when ``executor`` is None: 1 runs inline in this process, ``-1`` uses
        every core. Ignored when ``executor`` is given.
    executor : concurrent.futures.Executor, optional
        Run the calls here instead, e.g. a :class:`~concurrent.futures.ProcessPoolExecutor` you reuse, or
        ``dask.distributed.Client(...).get_executor()``. The caller keeps ownership (it is not shut down).
    progress : bool
        Show a tqdm progress bar counting finished items.
    desc : str, optional
        Label of the progress bar.
    chunksize : int, optional
        Items sent to a worker per task, fixed. Default: adaptive (see the module notes): small first
        chunks, then about 0.3 s of work per chunk as timed by the workers, shrinking near the end. A
        dask executor counts the threads of its cluster's workers; other executors of unknown size are
        planned for 256 workers.
    mp_context : multiprocessing context, optional
        Start method for the worker processes (default: the platform's default).
    on_result : callable, optional
        Called in this process as ``on_result(index, value)`` for each item that succeeds, as soon as its
        chunk is back (in completion order, not item order): stream results to disk here.
    keep_values : bool, default True
        Keep every value in ``MapResult.values``. With False, ``values`` holds None for every item, so
        memory does not grow with the results (use ``on_result``); failures are always kept.
    combine : callable, optional
        Called where a chunk ran (in the worker) with the list of the chunk's successful values, in item
        order; returns one object that stands for them (e.g. columns instead of rows), which is sent back
        instead of the values. Use when collecting values one by one costs this process more than the
        workers save: the collecting process is the one part of the work that is not split. Needs
        ``on_combined``, ``keep_values=False`` and no ``on_result``. If it raises, the chunk's items fail
        with its error.
    on_combined : callable, optional
        Called in this process as ``on_combined(indices, combined)``: the item indices of the chunk's
        successful values and what ``combine`` made of them.

    Returns
    -------
    MapResult
        ``values`` in item order (``None`` for failures) and the list of :class:`Failure` (see the module
        notes for dead workers and interruptions).
    """
    from tqdm.auto import tqdm

    if (combine is None) != (on_combined is None):
        raise ValueError("combine and on_combined go together: give both or neither")
    if combine is not None and (keep_values or on_result is not None):
        raise ValueError("with combine, values are not kept one by one: pass keep_values=False and no on_result")
    items = list(items)
    sink = _Sink(items, on_result, keep_values, on_combined)
    bar = tqdm(total=len(items), desc=desc, disable=not progress, unit="item", dynamic_ncols=True)
    try:
        _dispatch(func, combine, items, n_jobs, executor, chunksize, mp_context, sink, bar)
    finally:
        bar.close()
    sink.failures.sort(key=lambda failure: failure.index)
    if sink.failures:
        where = f" in {desc!r}" if desc else ""
        logger.warning("%d of %d item(s) failed%s; first: %s", len(sink.failures), len(items), where,
                       sink.failures[0].summary())
    return MapResult(sink.values, sink.failures)


def _dispatch(func, combine, items, n_jobs, executor, chunksize, mp_context, sink, bar) -> None:
    """Run the calls inline, on the given executor, or on a process pool of ``n_jobs`` workers."""
    if executor is None and resolve_n_jobs(n_jobs) == 1:
        if combine is None:
            for index, item in enumerate(items):
                sink.store(_call(func, item), index)
                bar.update(1)
            return
        plan = _ChunkPlan(len(items), 1, chunksize)
        while (bounds := plan.take()) is not None:
            outcomes, seconds, combined = _call_chunk(func, items[bounds[0] : bounds[1]], combine)
            plan.timed(len(outcomes), seconds)
            sink.store_chunk(bounds[0], outcomes, combined)
            bar.update(len(outcomes))
    elif executor is not None:
        _run_on(executor, _worker_count(executor), func, combine, items, chunksize, sink, bar)
    else:
        workers = min(resolve_n_jobs(n_jobs), max(1, len(items)))
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=mp_context) as pool:
            _run_on(pool, workers, func, combine, items, chunksize, sink, bar)


class _Sink:
    """Where outcomes go: the values (if kept), the caller's ``on_result`` or ``on_combined``, the failures."""

    def __init__(
        self,
        items: list,
        on_result: Optional[Callable[[int, Any], None]],
        keep_values: bool,
        on_combined: Optional[Callable[[list[int], Any], None]] = None,
    ) -> None:
        self.items = items
        self.on_result = on_result
        self.keep_values = keep_values
        self.on_combined = on_combined
        self.values: list = [None] * len(items)
        self.failures: list[Failure] = []

    def store(self, outcome: tuple, index: int) -> None:
        if outcome[0]:
            if self.keep_values:
                self.values[index] = outcome[1]
            if self.on_result is not None:
                self.on_result(index, outcome[1])
        else:
            _, name, message, text = outcome
            self.failures.append(Failure(self.items[index], index, name, message, text))

    def store_chunk(self, start: int, outcomes: list, combined: Any) -> None:
        """The outcomes of the chunk that starts at item ``start``, and what ``combine`` made of its values."""
        for offset, outcome in enumerate(outcomes):
            self.store(outcome, start + offset)
        if self.on_combined is not None:
            indices = [start + offset for offset, outcome in enumerate(outcomes) if outcome[0]]
            if indices:
                self.on_combined(indices, combined)


def _worker_count(executor: concurrent.futures.Executor) -> int:
    # Only used to size chunks and the submission window. A pool knows its size; a dask executor asks its
    # client (threads of the workers now connected); other executors are planned for many workers.
    workers = getattr(executor, "_max_workers", None)
    if workers:
        return int(workers)
    client = getattr(executor, "_client", None)
    if client is not None and hasattr(client, "nthreads"):
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # a client that cannot answer now: fall back to the generous default
            pass
    return _MANY_WORKERS


def _run_on(
    executor: concurrent.futures.Executor,
    workers: int,
    func: Callable[[Any], Any],
    combine: Optional[Callable[[list], Any]],
    items: list,
    chunksize: Optional[int],
    sink: _Sink,
    bar: Any,
) -> None:
    if not items:
        return
    if chunksize is not None and chunksize < 1:
        raise ValueError(f"chunksize must be at least 1, not {chunksize}")
    plan = _ChunkPlan(len(items), workers, chunksize)
    window = workers * _CHUNKS_IN_FLIGHT
    pending: dict[concurrent.futures.Future, tuple[int, int]] = {}
    try:
        _submit(executor, func, combine, items, plan, pending, window, sink, bar)
        while pending:
            done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                start, stop = pending.pop(future)
                _collect(future, start, items[start:stop], plan, sink, bar)
            _submit(executor, func, combine, items, plan, pending, window, sink, bar)
    except BaseException:
        for future in pending:
            future.cancel()
        raise


class _ChunkPlan:
    """Where the next chunk starts and how many items it holds (fixed, or adapted to the timed work).

    Parameters
    ----------
    n_items : int
        Items to run.
    workers : int
        Workers that run chunks at the same time.
    fixed : int, optional
        The caller's chunk size; None adapts it.
    """

    def __init__(self, n_items: int, workers: int, fixed: Optional[int]) -> None:
        self.n_items = n_items
        self.workers = workers
        self.fixed = fixed
        self.next_start = 0
        self.timed_items = 0
        self.timed_seconds = 0.0
        self.first = min(_FIRST_CHUNK_MAX, max(1, math.ceil(n_items / (workers * _CHUNKS_PER_WORKER))))

    def take(self) -> Optional[tuple[int, int]]:
        """The next chunk as ``(start, stop)`` item positions, or None when every item is planned."""
        if self.next_start >= self.n_items:
            return None
        start = self.next_start
        self.next_start = min(self.n_items, start + self.size())
        return start, self.next_start

    def size(self) -> int:
        """Items in the next chunk."""
        if self.fixed is not None:
            return self.fixed
        if self.timed_items == 0 or self.timed_seconds <= 0:
            return self.first
        per_item = self.timed_seconds / self.timed_items
        wanted = min(_MAX_CHUNK, max(1, int(_TARGET_CHUNK_SECONDS / per_item)))
        remaining = self.n_items - self.next_start
        return max(1, min(wanted, math.ceil(remaining / (self.workers * _TAIL_SHARE))))

    def timed(self, items: int, seconds: float) -> None:
        """Record that a chunk of ``items`` took ``seconds`` of a worker's time."""
        self.timed_items += items
        self.timed_seconds += seconds


def _submit(executor, func, combine, items, plan, pending, window, sink, bar) -> None:
    """Submit chunks until ``window`` are in flight; a chunk that cannot be submitted fails its items."""
    while len(pending) < window:
        bounds = plan.take()
        if bounds is None:
            return
        start, stop = bounds
        chunk = items[start:stop]
        try:
            pending[_submit_chunk(executor, func, combine, chunk)] = bounds
        except Exception as error:  # a broken pool refuses new work: its items fail, none is lost
            for offset in range(len(chunk)):
                sink.store(_outcome_of(error), start + offset)
            bar.update(len(chunk))


def _submit_chunk(
    executor: concurrent.futures.Executor, func: Callable[[Any], Any], combine: Optional[Callable[[list], Any]],
    chunk: list,
) -> Any:
    """Submit one chunk; on a dask cluster as an impure task.

    A dask executor otherwise hashes every argument to name the task (a third of the scheduling process's
    CPU time on a corpus of small files), and would run a chunk submitted twice only once: a chunk's
    calls may have effects (writing files), so each submission must run.
    """
    if _is_dask_executor(executor):
        return executor.submit(_call_chunk, func, chunk, combine, pure=False)
    return executor.submit(_call_chunk, func, chunk, combine)


def _is_dask_executor(executor: concurrent.futures.Executor) -> bool:
    kind = type(executor)
    return kind.__name__ == "ClientExecutor" and kind.__module__.split(".")[0] == "distributed"


def _collect(
    future: concurrent.futures.Future, start: int, chunk: list, plan: _ChunkPlan, sink: _Sink, bar: Any
) -> None:
    try:
        outcomes, seconds, combined = future.result()
        plan.timed(len(chunk), seconds)
    except Exception as error:  # the chunk itself failed: pickling, a dead worker, a lost task
        outcomes, combined = [_outcome_of(error)] * len(chunk), None
    sink.store_chunk(start, outcomes, combined)
    bar.update(len(chunk))


def _call_chunk(
    func: Callable[[Any], Any], chunk: list, combine: Optional[Callable[[list], Any]] = None
) -> tuple[list, float, Any]:
    """Run ``func`` over one chunk in a worker.

    Returns the outcome tuples (exceptions made picklable), the seconds taken and, with ``combine``, what
    it made of the successful values (their outcomes then carry no value: it would travel twice).
    """
    began = time.perf_counter()
    outcomes = [_call(func, item) for item in chunk]
    combined = None
    if combine is not None:
        try:
            combined = combine([outcome[1] for outcome in outcomes if outcome[0]])
            outcomes = [_COMBINED if outcome[0] else outcome for outcome in outcomes]
        except Exception as error:
            failed = _outcome_of(error)
            outcomes = [failed if outcome[0] else outcome for outcome in outcomes]
    return outcomes, time.perf_counter() - began, combined


#: The outcome of a successful call whose value went into the chunk's combined result.
_COMBINED = (True, None)


def _call(func: Callable[[Any], Any], item: Any) -> tuple:
    try:
        return (True, func(item))
    except Exception as error:
        return _outcome_of(error)


def _outcome_of(error: BaseException) -> tuple:
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    text = "".join(traceback_module.format_exception(kind, error, error.__traceback__))
    return (False, name, str(error), text)
