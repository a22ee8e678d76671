"""Work that must happen once nobody is in its way: retried in the background until it is done.

An erasure's scrub cannot remove the old versions of a row while a reader
still sees them (SQLite's WAL frames behind a read transaction; PostgreSQL's
dead tuples behind an older snapshot), and it must not make receipts wait for
that reader either. So it is tried at once and, if in the way, again every
``every`` seconds in one background thread per store and process, for
``patience`` seconds, after which it says so in the log.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Retrying:
    """``attempt()`` (True when done) retried in the background until done or out of patience."""

    def __init__(self, name: str, attempt: Callable[[], bool], every: float = 0.2,
                 patience: float = 600.0):
        self.name, self.attempt, self.every, self.patience = name, attempt, every, patience
        self._lock = threading.Lock()
        self._deadline = 0.0
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._done = threading.Event()
        self._done.set()

    def start(self) -> None:
        """Keep trying from now on (again, if already trying: the patience starts over)."""
        with self._lock:
            if self._pid != os.getpid():        # forked: the parent's thread is not ours
                self._pid, self._thread = os.getpid(), None
            self._deadline = time.monotonic() + self.patience
            self._done.clear()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name=f"consent-{self.name}")
                self._thread.start()

    def settle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the work to be done; whether it is."""
        return self._done.wait(timeout)

    def _run(self) -> None:
        while True:
            time.sleep(self.every)
            try:
                done = self.attempt()
            except Exception as error:   # noqa: BLE001 - the store may be away for a while
                log.debug("%s: not yet (%s)", self.name, error)
                done = False
            with self._lock:
                if done or time.monotonic() >= self._deadline:
                    if not done:
                        log.warning("%s: still in the way after %.0f s; it will be done at "
                                    "the next erasure or checkpoint", self.name, self.patience)
                    self._thread = None
                    self._done.set()
                    return
