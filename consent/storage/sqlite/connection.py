"""SQLite connections, PRAGMAs, the write transaction and the WAL scrub.

One connection per thread (gunicorn workers are processes; each has its own).
Writes run in ``BEGIN IMMEDIATE`` transactions, so concurrent workers queue on
SQLite's write lock instead of failing, and everything is committed durably
(WAL, synchronous=FULL) before the caller hears of it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from ..errors import StoreUnavailable
from .migrations import migrations
from .turns import WriteTurn

BUSY_TIMEOUT_S = 30
SCRUB_WAIT_MS = 200     # an erasure waits this long at most for readers to let the WAL go


class Connections:
    """The SQLite file, this thread's connection to it, and how a write transaction runs."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._turn = WriteTurn(self.path)

    @property
    def db(self) -> Database:
        local = self._local
        # A forked worker must not reuse its parent's connection.
        if getattr(local, "pid", None) != os.getpid():
            local.db = self._open()
            local.pid = os.getpid()
        return local.db

    def _open(self) -> Database:
        try:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S)
            conn.execute("PRAGMA synchronous=FULL")
            # Erased payloads are overwritten with zeros, not left in free space.
            conn.execute("PRAGMA secure_delete=ON")
            return Database(conn, execute_plugins=False)
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error)) from error

    def close(self) -> None:
        """Stop this process's sequencer, if it serves, and drop its connections."""
        batches = getattr(self, "_batches", None)
        if batches is not None:
            batches.close()
        if getattr(self._local, "pid", None) == os.getpid():
            self._local.db.close()
        self._local = threading.local()

    def migrate(self) -> list[str]:
        """Create or upgrade the schema; safe when several workers start at once."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            db = self.db
            db.execute("PRAGMA journal_mode=WAL")
            pending = [m.name for m in migrations.pending(db)]
            migrations.apply(db)
            return pending

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._turn():
            with self._transaction() as conn:
                yield conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.commit()
            except BaseException:
                # Whatever failed, the body or the COMMIT itself: the transaction must not
                # stay open, or the next writer would wait for a lock nobody releases.
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.rollback()
                raise
        except sqlite3.OperationalError as error:  # disk full, read-only, locked too long
            # Reconnect next time: a connection opened on a read-only file stays read-only.
            self._local.__dict__.clear()
            raise StoreUnavailable(str(error)) from error

    def scrub_wal(self) -> bool:
        """Empty the WAL, whose old page images still hold erased payloads; False if busy.

        Best effort with a short wait: a long reader (an export) must not hold
        up receipts. What stays is overwritten as SQLite recycles the WAL.
        """
        conn = self.db.conn
        conn.execute(f"PRAGMA busy_timeout = {SCRUB_WAIT_MS}")
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.OperationalError:
            busy = 1
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        return not busy

    def healthy(self) -> bool:
        try:
            self.db.execute("SELECT 1 FROM receipts LIMIT 1").fetchall()
            return True
        except (sqlite3.Error, StoreUnavailable):
            return False
