"""parallel_map: inline, process pool, user executor and dask give the same values and failures."""

from __future__ import annotations

import concurrent.futures
import functools
import os

import pytest

from muspy_like.parallel import Failure, MapResult, ParallelMapError, parallel_map, resolve_n_jobs


def square_or_fail(x: int) -> int:
    if x % 5 == 3:
        raise ValueError(f"bad item {x}")
    return x * x


def worker_pid(_: int) -> int:
    return os.getpid()


def die_on(x: int, fatal: int) -> int:
    if x == fatal:
        os._exit(1)  # simulate a worker killed by the OS
    return x


def expected_values(n: int) -> list:
    return [None if x % 5 == 3 else x * x for x in range(n)]


def check(result: MapResult, n: int) -> None:
    assert result.values == expected_values(n)
    assert [f.index for f in result.failures] == [x for x in range(n) if x % 5 == 3]
    for failure in result.failures:
        assert isinstance(failure, Failure)
        assert failure.item == failure.index
        assert failure.exception_type == "ValueError"
        assert failure.message == f"bad item {failure.item}"
        assert "square_or_fail" in failure.traceback


def test_inline_collects_failures_in_order():
    result = parallel_map(square_or_fail, range(23), progress=False)
    check(result, 23)
    assert not result.ok
    with pytest.raises(ParallelMapError, match="4 item"):
        result.raise_if_failed()


def test_processes_match_inline_and_use_other_processes():
    check(parallel_map(square_or_fail, range(41), n_jobs=2, progress=False), 41)
    pids = parallel_map(worker_pid, range(8), n_jobs=2, chunksize=1, progress=False).values
    assert os.getpid() not in pids


@pytest.mark.parametrize("chunksize", [1, 3, 100])
def test_given_executor_and_chunk_sizes(chunksize):
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        check(parallel_map(square_or_fail, range(17), executor=pool, chunksize=chunksize, progress=False), 17)


def test_dead_worker_is_reported_not_dropped():
    result = parallel_map(functools.partial(die_on, fatal=4), range(8), n_jobs=2, chunksize=1, progress=False)
    failed = {f.index for f in result.failures}
    assert 4 in failed
    assert all(f.exception_type.endswith("BrokenProcessPool") for f in result.failures)
    # every item is either a value or a failure, none lost
    for index, value in enumerate(result.values):
        assert (value == index) != (index in failed)


def test_unpicklable_function_fails_per_item():
    result = parallel_map(lambda x: x, range(3), n_jobs=2, progress=False)
    assert result.values == [None, None, None]
    assert len(result.failures) == 3
    assert "pickle" in result.failures[0].message.lower() or "pickl" in result.failures[0].exception_type.lower()


def test_progress_bar_counts_items(capsys):
    parallel_map(square_or_fail, range(7), n_jobs=2, chunksize=3, progress=True, desc="squares")
    err = capsys.readouterr().err
    assert "squares" in err and "7/7" in err


def test_empty_input_and_n_jobs_rules():
    assert parallel_map(square_or_fail, [], n_jobs=2, progress=False).values == []
    assert resolve_n_jobs(3) == 3
    assert resolve_n_jobs(-1) == os.cpu_count()
    with pytest.raises(ValueError):
        resolve_n_jobs(0)


def leave_a_mark(folder: str) -> int:
    """A call with an effect: one new file per call."""
    import uuid

    with open(os.path.join(folder, uuid.uuid4().hex), "w"):
        pass
    return 1


def test_dask_local_cluster_executor(tmp_path):
    import distributed
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            check(parallel_map(square_or_fail, range(19), executor=client.get_executor(), progress=False), 19)
            # Identical chunks are separate tasks: dask would otherwise run a pure task once per key.
            result = parallel_map(leave_a_mark, [str(tmp_path)] * 6, executor=client.get_executor(), chunksize=1,
                                  progress=False)
    assert result.values == [1] * 6
    assert len(list(tmp_path.iterdir())) == 6


def test_results_stream_to_on_result_without_being_kept():
    seen = {}
    result = parallel_map(square_or_fail, range(29), n_jobs=2, chunksize=2, progress=False,
                          on_result=seen.__setitem__, keep_values=False)
    assert result.values == [None] * 29  # nothing held
    assert seen == {x: x * x for x in range(29) if x % 5 != 3}  # every value went to the callback
    assert [f.index for f in result.failures] == [x for x in range(29) if x % 5 == 3]


def test_only_a_window_of_chunks_is_in_flight():
    import threading

    class CountingPool(concurrent.futures.ThreadPoolExecutor):
        """Counts the tasks submitted and not yet finished."""

        def __init__(self):
            super().__init__(2)
            self.pending, self.most, self.lock = 0, 0, threading.Lock()

        def submit(self, fn, *args):
            with self.lock:
                self.pending += 1
                self.most = max(self.most, self.pending)
            future = super().submit(fn, *args)
            future.add_done_callback(self.finished)
            return future

        def finished(self, _):
            with self.lock:
                self.pending -= 1

    with CountingPool() as pool:
        check(parallel_map(square_or_fail, range(200), executor=pool, chunksize=1, progress=False), 200)
    assert pool.most <= 2 * 4  # four chunks per worker, not 200


class RecordingPool(concurrent.futures.ThreadPoolExecutor):
    """A two-thread pool that records the size of every chunk submitted to it."""

    def __init__(self):
        super().__init__(2)
        self.chunk_sizes: list[int] = []

    def submit(self, fn, *args):
        self.chunk_sizes.append(len(args[1]))  # _call_chunk(func, chunk)
        return super().submit(fn, *args)


def sleep_then_square(x: int, seconds: float) -> int:
    import time

    time.sleep(seconds)
    return x * x


def test_automatic_chunks_grow_for_fast_items_and_shrink_at_the_end():
    """Fast items: after the first small chunks, chunks hold many items; the last ones are small again."""
    with RecordingPool() as pool:
        check(parallel_map(square_or_fail, range(20_000), executor=pool, progress=False), 20_000)
    sizes = pool.chunk_sizes
    assert sum(sizes) == 20_000
    assert max(sizes[:8]) <= 8  # the first window is sized before anything was timed
    assert max(sizes) >= 1_000  # then a chunk holds many fast items: few tasks for the work
    assert len(sizes) < 200
    assert sizes[-1] <= sizes[len(sizes) // 2]  # and the tail shrinks so that workers finish together


def test_automatic_chunks_stay_small_for_slow_items():
    """Items of 20 ms: a chunk holds about 0.3 s of work (15 items), not a large share of the input."""
    work = functools.partial(sleep_then_square, seconds=0.02)
    with RecordingPool() as pool:
        result = parallel_map(work, range(200), executor=pool, progress=False)
    assert result.values == [x * x for x in range(200)]
    assert max(pool.chunk_sizes) <= 30
    assert len(pool.chunk_sizes) >= 12


def test_a_fixed_chunksize_is_kept():
    with RecordingPool() as pool:
        check(parallel_map(square_or_fail, range(103), executor=pool, chunksize=10, progress=False), 103)
    assert pool.chunk_sizes == [10] * 10 + [3]


def sum_and_count(values: list) -> tuple[int, int]:
    return sum(values), len(values)


def refuse_to_combine(values: list) -> None:
    raise RuntimeError("cannot combine")


@pytest.mark.parametrize("where", ["inline", "processes", "pool"])
def test_combine_sends_one_object_per_chunk_and_keeps_failures_per_item(where):
    """combine runs where the chunk ran; on_combined gets the chunk's successful indices in order."""
    seen: list = []

    def collect(indices, combined):
        seen.append((indices, combined))

    options = {"inline": {"n_jobs": 1}, "processes": {"n_jobs": 2}}.get(where, {})
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        if where == "pool":
            options = {"executor": pool}
        result = parallel_map(square_or_fail, range(23), chunksize=5, progress=False, keep_values=False,
                              combine=sum_and_count, on_combined=collect, **options)
    assert [f.index for f in result.failures] == [x for x in range(23) if x % 5 == 3]
    assert result.values == [None] * 23
    assert sorted(i for indices, _ in seen for i in indices) == [x for x in range(23) if x % 5 != 3]
    for indices, (total, count) in seen:
        assert indices == sorted(indices) and len(indices) == count
        assert total == sum(i * i for i in indices)
        assert max(indices) - min(indices) < 5  # one chunk's items


def test_a_failing_combine_fails_its_chunk_items_not_the_others():
    result = parallel_map(square_or_fail, range(10), chunksize=4, progress=False, keep_values=False,
                          combine=refuse_to_combine, on_combined=lambda indices, combined: None)
    assert [f.index for f in result.failures] == list(range(10))
    assert {f.message for f in result.failures} == {"bad item 3", "bad item 8", "cannot combine"}


def test_combine_needs_its_partner_and_no_kept_values():
    with pytest.raises(ValueError, match="go together"):
        parallel_map(abs, [1], combine=sum_and_count, keep_values=False, progress=False)
    with pytest.raises(ValueError, match="keep_values=False"):
        parallel_map(abs, [1], combine=sum_and_count, on_combined=print, progress=False)
