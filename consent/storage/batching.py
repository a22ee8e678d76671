"""Batched commits: concurrent receipts share one transaction, so one flush acknowledges many.

Two levels, the same contract: ``commit(batch)`` (the engine's) sets each
``Pending``'s receipt or error, and a caller returns only after the
transaction holding its receipt committed (or failed: then with its error).

- ``GroupCommit``, within one process: whoever holds the writer's seat
  commits everything its threads have queued.
- ``sequencer.Sequencer``, across the processes of one machine: one worker
  commits for all of them (see that module). ``Batches`` tries it first and
  falls back to the group commit when no sequencer can be reached.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from .idempotency import Idempotency


class Pending:
    """A receipt waiting for its batch, and what became of it.

    ``resent``: it may already be stored (its first sending's answer was
    lost); the engine then returns the stored receipt instead of a second one.
    """

    __slots__ = ("draft", "snapshot", "now", "resent", "idempotency", "receipt", "error", "done")

    def __init__(self, draft: dict, snapshot: dict | None, now: datetime | None = None,
                 resent: bool = False, idempotency: Idempotency | None = None):
        self.draft, self.snapshot, self.now, self.resent = draft, snapshot, now, resent
        self.idempotency = idempotency
        self.receipt: dict | None = None
        self.error: Exception | None = None
        self.done = False


def fail(batch: list[Pending], error: Exception) -> None:
    """The batch's transaction did not commit: every receipt of it fails with ``error``."""
    for item in batch:
        item.receipt, item.error = None, error


class GroupCommit:
    """One batch at a time from this process's threads."""

    def __init__(self, commit: Callable[[list[Pending]], None]):
        self._commit = commit
        self._queue: list[Pending] = []
        self._queue_lock = threading.Lock()
        self._writer_seat = threading.Lock()

    def submit(self, item: Pending) -> None:
        """Return once ``item``'s batch is over: its receipt or error is set."""
        with self._queue_lock:
            self._queue.append(item)
        with self._writer_seat:
            if not item.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                try:
                    self._commit(batch)
                except Exception as error:   # noqa: BLE001 - nothing of it committed
                    fail(batch, error)
                finally:
                    for queued in batch:
                        queued.done = True


class Batches:
    """How an engine's ``record_receipt`` batches: the machine's sequencer, else group commit."""

    def __init__(self, commit: Callable[[list[Pending]], None], sequencer=None):
        self.group = GroupCommit(commit)
        self.sequencer = sequencer

    def close(self) -> None:
        if self.sequencer is not None:
            self.sequencer.close()

    def record(self, draft: dict, snapshot: dict, now: datetime | None = None,
               idempotency: Idempotency | None = None) -> dict:
        """The receipt as stored, once committed. :raise: whatever its batch failed with."""
        item = Pending(draft, snapshot, now, idempotency=idempotency)
        if self.sequencer is None or not self.sequencer.submit(item):
            self.group.submit(item)
        if item.error is not None:
            raise item.error
        return item.receipt
