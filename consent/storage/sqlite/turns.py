"""Writers' turns at SQLite's write lock, queued in the kernel instead of SQLite's sleeping handler."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path


class WriteTurn:
    """Writers queue here for their turn at SQLite's write lock.

    SQLite's own busy handler sleeps and polls (1, 2, 5 ... 100 ms), which
    under many concurrent writers wastes most of the time asleep. A thread
    lock plus flock() on a side file queues writers in the kernel instead and
    hands the turn over the moment the previous commit is done. Without a
    writable lock file (read-only directory) writers fall back to SQLite's
    handler.
    """

    def __init__(self, path: Path):
        self.path = Path(f"{path}.write-lock")
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None

    def _file(self) -> int | None:
        if self._pid != os.getpid():      # a fork must not share the parent's descriptor
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                self._fd = None
            self._pid = os.getpid()
        return self._fd

    @contextlib.contextmanager
    def __call__(self):
        with self._thread_lock:
            fd = self._file()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
