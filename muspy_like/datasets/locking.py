"""A cross-process lock on a file (``fcntl.flock``), so that two processes never write one dataset at once.

The operating system releases the lock when the holding process exits, even if it crashes, so a stale
lock can never block later runs. On platforms without ``fcntl`` (Windows) the lock is a no-op and a
warning says so.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from types import TracebackType
from typing import Optional, Union

from muspy_like.errors import DatasetError

__all__ = ["FileLock"]

logger = logging.getLogger(__name__)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class FileLock:
    """Exclusive advisory lock held while a ``with`` block runs.

    Parameters
    ----------
    path : str or Path
        The lock file (created if missing, never deleted: deleting it would let a third process lock a
        different inode while the second still waits on the old one).
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
        self._fd: Optional[int] = None

    def acquire(self) -> None:
        """Take the lock, waiting for another holder if needed."""
        if fcntl is None:  # pragma: no cover - Windows
            logger.warning("no fcntl on this platform: %s is not locked against other processes", self.path)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        start = time.monotonic()
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not announced:
                    logger.info("waiting for another process to release %s", self.path)
                    announced = True
                if self.timeout is not None and time.monotonic() - start > self.timeout:
                    os.close(fd)
                    raise DatasetError(
                        f"{self.path}: still locked by another process after {self.timeout} s; "
                        "wait for it to finish or raise the timeout"
                    ) from None
                time.sleep(self.poll)
        self._fd = fd

    def release(self) -> None:
        """Release the lock (closing the descriptor releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

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
