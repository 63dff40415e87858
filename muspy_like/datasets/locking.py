"""A cross-process lock on a file, so that two processes never write one dataset at once.

The lock is the ``filelock`` package's (``fcntl.flock`` on Unix, ``msvcrt.locking`` on Windows): the
operating system releases it when the holding process exits, even if it crashes, so a stale lock can
never block later runs. This module adds what the datasets need on top: a timeout that ends in a
:class:`~muspy_like.errors.DatasetError` naming the lock file, and a log line while waiting.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import TracebackType
from typing import Optional, Union

import filelock

from muspy_like.errors import DatasetError

__all__ = ["FileLock"]

logger = logging.getLogger(__name__)


class FileLock:
    """Exclusive lock held while a ``with`` block runs.

    Parameters
    ----------
    path : str or Path
        The lock file (created if missing; its folder too).
    timeout : float, optional
        Seconds to wait for another process to release the lock before raising
        :class:`~muspy_like.errors.DatasetError`; None waits as long as it takes.
    poll : float
        Seconds between attempts while waiting.

    Examples
    --------
    >>> with FileLock("/tmp/example.lock"):  # doctest: +SKIP
    ...     ...  # only one process at a time runs this
    """

    def __init__(self, path: Union[str, Path], timeout: Optional[float] = None, poll: float = 0.1) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.poll = poll
        self._lock: Optional[filelock.BaseFileLock] = None

    def acquire(self) -> None:
        """Take the lock, waiting for another holder if needed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(self.path))
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            logger.info("waiting for another process to release %s", self.path)
            try:
                lock.acquire(timeout=-1 if self.timeout is None else self.timeout, poll_interval=self.poll)
            except filelock.Timeout:
                raise DatasetError(
                    f"{self.path}: still locked by another process after {self.timeout} s; "
                    "wait for it to finish or raise the timeout"
                ) from None
        self._lock = lock

    def release(self) -> None:
        """Release the lock."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.release()
