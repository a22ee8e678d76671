"""PostgreSQL connections (psycopg 3 with a pool per process), transactions and migrations.

Each worker process opens its own small pool on first use: nothing opened
before a fork (gunicorn preload) is used after it. Connections run in
autocommit; a write is an explicit transaction (``_writing``). A server that
cannot be reached, or goes away mid-transaction, raises ``StoreUnavailable``;
any other database error reaches the caller as it is.

Migrations are the SQL files in ``migrations/``, applied in name order, each
in its own transaction and recorded in ``schema_migrations``; an advisory
lock lets any number of workers and servers start at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import psycopg_pool
from psycopg.rows import dict_row

from ..errors import StoreUnavailable

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x636F6E73   # pg_advisory_xact_lock key for schema changes ("cons")
# Request threads, the sequencer and an export at once; more would only wait on the chain head.
POOL_SIZE = 8
CONNECT_TIMEOUT_S = 5         # a request waits this long for a connection before its 503
LOCK_TIMEOUT = "30s"          # how long a writer waits for the chain head, as SQLite's busy wait


class Connections:
    """The database URL, this process's pool, and how reads and write transactions run."""

    def __init__(self, url: str):
        self.url = url
        self._pool: psycopg_pool.ConnectionPool | None = None
        self._pid: int | None = None
        self._pool_lock = threading.Lock()

    def _connections(self) -> psycopg_pool.ConnectionPool:
        if self._pid != os.getpid():          # forked: open this process's own pool
            with self._pool_lock:
                if self._pid != os.getpid():
                    self._pool = psycopg_pool.ConnectionPool(
                        self.url, min_size=1, max_size=POOL_SIZE, open=False,
                        timeout=CONNECT_TIMEOUT_S, name="consent",
                        kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S,
                                "options": f"-c lock_timeout={LOCK_TIMEOUT}"})
                    self._pid = os.getpid()
        return self._pool

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A connection of this process's pool for a read (autocommit)."""
        pool = self._connections()
        try:
            if pool.closed:
                pool.open(wait=False)
            with pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
            raise StoreUnavailable(str(error).strip()) from error

    def rows(self, sql: str, params=()) -> list[dict]:
        with self.connection() as conn:
            return conn.cursor(row_factory=dict_row).execute(sql, params).fetchall()

    def value(self, sql: str, params=()):
        with self.connection() as conn:
            row = conn.execute(sql, params).fetchone()
            return row[0] if row else None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[psycopg.Connection]:
        """One write transaction: committed at the end, rolled back on any error.

        :raise StoreUnavailable: when the server cannot be reached or the
            transaction cannot complete for want of it (lost connection, lock timeout).
        """
        with self.connection() as conn:
            try:
                with conn.transaction():
                    yield conn
            except psycopg.errors.LockNotAvailable as error:
                raise StoreUnavailable(str(error).strip()) from error

    def close(self) -> None:
        """Stop this process's sequencer, if it serves, and drop its connections."""
        batches = getattr(self, "_batches", None)
        if batches is not None:
            batches.close()
        if self._pool is not None and self._pid == os.getpid():
            self._pool.close()
        self._pool, self._pid = None, None

    def migrate(self) -> list[str]:
        """Apply the SQL files not applied yet, in name order; safe from many servers at once."""
        applied = []
        with self._writing() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations"
                         " (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            for path in sorted(MIGRATIONS.glob("m[0-9][0-9][0-9]_*.sql")):
                if path.stem in done:
                    continue
                with conn.transaction():      # a savepoint: one file, all or nothing
                    conn.execute(path.read_text())
                    conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (path.stem,))
                applied.append(path.stem)
        return applied

    def health(self) -> str:
        """"ok", or why the store cannot take a receipt now: unavailable, read-only (a standby,
        or default_transaction_read_only), or another-chain (see ``anchor``)."""
        try:
            read_only = self.value("SELECT pg_is_in_recovery()"
                                   " OR current_setting('default_transaction_read_only') = 'on'"
                                   " FROM receipts LIMIT 1")
        except (psycopg.Error, StoreUnavailable):
            return "unavailable"
        if read_only:
            return "read-only"
        try:
            if self.anchor.fault(self.head(), self.hash_at):
                return "another-chain"
        except (psycopg.Error, StoreUnavailable):
            return "another-chain"
        return "ok"

    def healthy(self) -> bool:
        return self.health() == "ok"
