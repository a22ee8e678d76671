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
from urllib.parse import quote

from sqlite_utils import Database

from ..errors import StoreUnavailable
from ..retrying import Retrying
from .migrations import migrations
from .turns import WriteTurn

BUSY_TIMEOUT_S = 30
# Less free space than this on the database's file system: /healthz says "full" (a batch of
# receipts needs a few pages of WAL, and the checkpoint some more).
MIN_FREE_BYTES = 64 * 1024
SCRUB_WAIT_MS = 200     # an erasure waits this long at most for readers to let the WAL go
SCRUB_RETRY_WAIT_MS = 20    # then, in the background, this long per try (writers wait that long)


class Connections:
    """The SQLite file, this thread's connection to it, and how a write transaction runs."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._turn = WriteTurn(self.path)

    @property
    def db(self) -> Database:
        """This thread's connection, to the file still at ``path``.

        :raise StoreUnavailable: the file was deleted or replaced since the
            connection opened: an open connection would go on writing into a
            file nobody will ever open again.
        """
        local = self._local
        # A forked worker must not reuse its parent's connection.
        if getattr(local, "pid", None) != os.getpid():
            self._connect(create=False)
        elif self._identity() != local.identity:
            with contextlib.suppress(sqlite3.Error):
                local.db.close()
            self._local = threading.local()
            self.anchor.forget()        # a file put in its place is checked again
            raise StoreUnavailable(f"the database file {self.path} was deleted or replaced "
                                   "while the service ran")
        return self._local.db

    def _connect(self, create: bool) -> None:
        local = self._local
        local.db, local.identity = self._open(create), self._identity()
        local.pid = os.getpid()

    def _identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def _open(self, create: bool = False) -> Database:
        # Only a migration creates the file: a connection opened after the file was deleted
        # must fail, not start an empty database that quietly takes receipts.
        uri = f"file:{quote(str(self.path))}?mode={'rwc' if create else 'rw'}"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
            conn.execute("PRAGMA synchronous=FULL")
            # Erased payloads are overwritten with zeros, not left in free space.
            conn.execute("PRAGMA secure_delete=ON")
            return Database(conn, execute_plugins=False)
        except sqlite3.Error as error:
            raise StoreUnavailable(f"{self.path}: {error}") from error

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
            self._connect(create=True)
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
        """Empty the WAL, whose old page images still hold erased payloads; False if not yet.

        A reader inside a read transaction (a chain walk) keeps the frames it
        sees, so the checkpoint cannot truncate the WAL, nor copy the erasure's
        pages into the database file, while it lasts. Receipts must not wait for
        that reader, so the first try waits briefly, and if a reader is in the way
        the checkpoint is retried in the background (``retrying.Retrying``)
        until it goes through: then the erased bytes are gone from both files.
        """
        if self._checkpoint(SCRUB_WAIT_MS):
            return True
        self._scrubbing().start()
        return False

    def settle_scrub(self, timeout: float) -> bool:
        """Wait for a scrub still retrying (a command about to exit); whether it is done."""
        return self._scrubbing().settle(timeout)

    def _scrubbing(self) -> Retrying:
        if getattr(self, "_scrub", None) is None:
            # Brief waits: while it waits for readers the checkpoint holds the write lock.
            self._scrub = Retrying("wal-scrub", lambda: self._checkpoint(SCRUB_RETRY_WAIT_MS))
        return self._scrub

    def _checkpoint(self, wait_ms: int) -> bool:
        conn = self.db.conn
        conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.OperationalError:
            busy = 1
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        return not busy

    def health(self) -> str:
        """"ok", or why the store cannot take a receipt now: gone (deleted or replaced),
        unavailable, read-only, full, or another-chain (see ``anchor``)."""
        try:
            self.db.execute("SELECT 1 FROM receipts LIMIT 1").fetchall()
        except StoreUnavailable:
            return "unavailable" if self.path.exists() else "gone"
        except sqlite3.Error:
            return "unavailable"
        if not _writable(self.path) or not _writable(Path(f"{self.path}-wal"), missing=True):
            return "read-only"
        space = os.statvfs(self.path.parent)
        if space.f_bavail * space.f_frsize < MIN_FREE_BYTES:
            return "full"
        try:
            if self.anchor.fault(self.head(), self.hash_at):
                return "another-chain"
        except (StoreUnavailable, sqlite3.Error):
            return "another-chain"
        return "ok"

    def healthy(self) -> bool:
        return self.health() == "ok"


def _writable(path: Path, missing: bool = False) -> bool:
    """Whether the file could be opened for writing: permissions, read-only mounts and the
    immutable attribute (which stops root too) all say no here, without writing a byte."""
    try:
        os.close(os.open(path, os.O_RDWR))
        return True
    except FileNotFoundError:
        return missing
    except OSError:
        return False
