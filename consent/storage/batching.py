"""Group commit: concurrent callers' receipts share one transaction, so one fsync acknowledges many.

Each caller queues its draft; whoever holds the writer's seat commits
everything queued in one transaction (the engine's ``commit``) and every
caller returns only after the transaction holding its receipt committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime


class Pending:
    """A receipt waiting for the group commit, and what became of it."""

    __slots__ = ("draft", "snapshot", "now", "receipt", "error", "done")

    def __init__(self, draft: dict, snapshot: dict, now: datetime | None = None):
        self.draft, self.snapshot, self.now = draft, snapshot, now
        self.receipt: dict | None = None
        self.error: Exception | None = None
        self.done = False


class GroupCommit:
    """``commit(batch)`` must set each Pending's receipt or error; it runs one batch at a time."""

    def __init__(self, commit: Callable[[list[Pending]], None]):
        self._commit = commit
        self._queue: list[Pending] = []
        self._queue_lock = threading.Lock()
        self._writer_seat = threading.Lock()

    def submit(self, draft: dict, snapshot: dict, now: datetime | None = None) -> dict:
        """The receipt as stored, once committed. :raise: whatever its batch failed with."""
        item = Pending(draft, snapshot, now)
        with self._queue_lock:
            self._queue.append(item)
        with self._writer_seat:
            if not item.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                try:
                    self._commit(batch)
                finally:
                    for queued in batch:
                        queued.done = True
        if item.error is not None:
            raise item.error
        return item.receipt
