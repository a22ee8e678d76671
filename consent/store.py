"""All SQL lives here: receipts, configuration snapshots and daily roll-ups in SQLite.

One connection per thread (gunicorn workers are processes; each has its own).
Writes run in ``BEGIN IMMEDIATE`` transactions, so concurrent workers queue on
SQLite's write lock instead of failing, and a receipt is chained, counted and
committed, durably (WAL, synchronous=FULL), before anybody hears 201.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from flask import Flask, current_app
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from . import receipts as receipts_
from .errors import error_response

BUSY_TIMEOUT_S = 30
migrations = Migrations("consent")


class StoreUnavailable(Exception):
    """The database cannot be written or read right now (disk full, read-only, locked)."""


@migrations()
def m001_receipts(db: Database):
    db.execute("""
        CREATE TABLE receipts (
            seq INTEGER PRIMARY KEY,           -- chain order
            receipt_id TEXT NOT NULL UNIQUE,
            recorded_at TEXT NOT NULL,         -- server UTC, ISO 8601
            consent_id TEXT,
            site TEXT, region TEXT, country TEXT, subdivision TEXT, model TEXT,
            revision INTEGER, config_hash TEXT, method TEXT, choices TEXT, gpc INTEGER,
            lang TEXT, page TEXT, ip_prefix TEXT, user_agent TEXT,
            payload_hash TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX receipts_by_consent ON receipts (consent_id, seq)")
    db.execute("CREATE INDEX receipts_by_time ON receipts (recorded_at)")
    db.execute("""
        CREATE TABLE config_snapshots (
            config_hash TEXT PRIMARY KEY,
            region TEXT NOT NULL, lang TEXT NOT NULL, revision INTEGER NOT NULL,
            body TEXT NOT NULL,                -- exactly what the visitor was shown
            first_seen TEXT NOT NULL
        )""")
    # Roll-ups count each visitor's latest choice per day, so stats never scan receipts.
    db.execute("""
        CREATE TABLE daily_answers (
            day TEXT NOT NULL, site TEXT NOT NULL, region TEXT NOT NULL,
            revision INTEGER NOT NULL, method TEXT NOT NULL, gpc INTEGER NOT NULL,
            answers INTEGER NOT NULL,
            PRIMARY KEY (day, site, region, revision, method, gpc)
        )""")
    db.execute("""
        CREATE TABLE daily_grants (
            day TEXT NOT NULL, site TEXT NOT NULL, region TEXT NOT NULL,
            revision INTEGER NOT NULL, method TEXT NOT NULL, gpc INTEGER NOT NULL,
            category TEXT NOT NULL,
            granted INTEGER NOT NULL,
            PRIMARY KEY (day, site, region, revision, method, gpc, category)
        )""")


class _Queued:
    """A receipt waiting for the group commit, and what became of it."""

    __slots__ = ("draft", "snapshot", "receipt", "error", "done")

    def __init__(self, draft: dict, snapshot: dict):
        self.draft, self.snapshot = draft, snapshot
        self.receipt: dict | None = None
        self.error: Exception | None = None
        self.done = False


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


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._turn = WriteTurn(self.path)
        self._queue: list[_Queued] = []
        self._queue_lock = threading.Lock()
        self._writer_seat = threading.Lock()
        self._snapshots_stored: set[str] = set()   # config hashes known to be in the table

    # ---- connections ------------------------------------------------------

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
            return Database(conn, execute_plugins=False)
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error)) from error

    def close(self) -> None:
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
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        except sqlite3.OperationalError as error:  # disk full, read-only, locked too long
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.rollback()
            # Reconnect next time: a connection opened on a read-only file stays read-only.
            self._local.__dict__.clear()
            raise StoreUnavailable(str(error)) from error

    # ---- receipts ---------------------------------------------------------

    def record_receipt(self, draft: dict, snapshot: dict) -> dict:
        """Seal, chain, count and commit one receipt; return it as stored.

        Group commit: concurrent callers in this process queue their drafts;
        whoever holds the writer's seat commits everything queued in one
        transaction, so one fsync acknowledges many receipts. Each caller
        returns only after the transaction holding its receipt has committed.

        :raise StoreUnavailable: when the database cannot take the write;
            nothing of the receipt is then stored.
        """
        item = _Queued(draft, snapshot)
        with self._queue_lock:
            self._queue.append(item)
        with self._writer_seat:
            if not item.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit_batch(batch)
        if item.error is not None:
            raise item.error
        return item.receipt

    def _commit_batch(self, batch: list["_Queued"]) -> None:
        try:
            with self._writing() as conn:
                for item in batch:
                    # One bad receipt must not sink the others queued with it.
                    conn.execute("SAVEPOINT receipt")
                    try:
                        item.receipt = self._append(conn, item.draft, item.snapshot)
                    except sqlite3.OperationalError:
                        raise
                    except Exception as error:
                        conn.execute("ROLLBACK TO receipt")
                        item.error = error
                    conn.execute("RELEASE receipt")
            # Only now, committed, may later receipts skip storing these snapshots.
            self._snapshots_stored.update(i.receipt["config_hash"] for i in batch if i.receipt)
        except StoreUnavailable as error:
            for item in batch:
                item.error, item.receipt = error, None
        finally:
            for item in batch:
                item.done = True

    def _append(self, conn, draft: dict, snapshot: dict) -> dict:
        """Chain, store and count one receipt inside the caller's write transaction."""
        row = conn.execute("SELECT hash FROM receipts ORDER BY seq DESC LIMIT 1").fetchone()
        receipt = receipts_.seal(draft, row[0] if row else receipts_.GENESIS)
        if receipt["config_hash"] not in self._snapshots_stored:
            conn.execute(
                "INSERT OR IGNORE INTO config_snapshots"
                " (config_hash, region, lang, revision, body, first_seen) VALUES (?,?,?,?,?,?)",
                (receipt["config_hash"], snapshot["region"], snapshot["lang"],
                 snapshot["revision"], json.dumps(snapshot, sort_keys=True),
                 receipt["recorded_at"]))
        previous = conn.execute(
            "SELECT recorded_at, site, region, revision, method, gpc, choices FROM receipts"
            " WHERE consent_id = ? ORDER BY seq DESC LIMIT 1",
            (receipt["consent_id"],)).fetchone()
        conn.execute(
            "INSERT INTO receipts (receipt_id, recorded_at, consent_id, site, region, country,"
            " subdivision, model, revision, config_hash, method, choices, gpc, lang, page,"
            " ip_prefix, user_agent, payload_hash, prev_hash, hash)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (receipt["receipt_id"], receipt["recorded_at"], receipt["consent_id"],
             receipt["site"], receipt["region"], receipt["country"], receipt["subdivision"],
             receipt["model"], receipt["revision"], receipt["config_hash"], receipt["method"],
             receipts_.choices_json(receipt["choices"]), int(receipt["gpc"]),
             receipt["lang"], receipt["page"], receipt["ip_prefix"], receipt["user_agent"],
             receipt["payload_hash"], receipt["prev_hash"], receipt["hash"]))
        day = receipt["recorded_at"][:10]
        # A changed mind on the same day replaces that visitor's answer, it is not a second one.
        if previous and previous[0][:10] == day:
            self._count(conn, day, previous[1], previous[2], previous[3], previous[4],
                        previous[5], json.loads(previous[6]), -1)
        self._count(conn, day, receipt["site"], receipt["region"], receipt["revision"],
                    receipt["method"], int(receipt["gpc"]), receipt["choices"], +1)
        return receipt

    @staticmethod
    def _count(conn, day, site, region, revision, method, gpc, choices: dict, delta: int):
        dims = (day, site or "", region, revision, method, gpc)
        conn.execute(
            "INSERT INTO daily_answers (day, site, region, revision, method, gpc, answers)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET answers = answers + excluded.answers",
            (*dims, delta))
        for category, granted in choices.items():
            if granted:
                conn.execute(
                    "INSERT INTO daily_grants (day, site, region, revision, method, gpc, category,"
                    " granted) VALUES (?,?,?,?,?,?,?,?)"
                    " ON CONFLICT DO UPDATE SET granted = granted + excluded.granted",
                    (*dims, category, delta))

    def receipt(self, receipt_id: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM receipts WHERE receipt_id = ?", [receipt_id]))
        return _decode(rows[0]) if rows else None

    def receipts_for(self, consent_id: str) -> list[dict]:
        return [_decode(r) for r in self.db.query(
            "SELECT * FROM receipts WHERE consent_id = ? ORDER BY seq", [consent_id])]

    def count_receipts(self) -> int:
        return self.db.execute("SELECT count(*) FROM receipts").fetchone()[0]

    def healthy(self) -> bool:
        try:
            self.db.execute("SELECT 1 FROM receipts LIMIT 1").fetchall()
            return True
        except (sqlite3.Error, StoreUnavailable):
            return False


def _decode(row: dict) -> dict:
    row = dict(row)
    if row.get("choices") is not None:
        row["choices"] = json.loads(row["choices"])
    if row.get("gpc") is not None:
        row["gpc"] = bool(row["gpc"])
    return row


def init_app(app: Flask, path: Path) -> None:
    store = Store(path)
    store.migrate()
    # No connection may cross a fork (gunicorn preload): SQLite's locks are per process.
    store.close()
    app.extensions["consent.store"] = store

    @app.errorhandler(StoreUnavailable)
    def unavailable(error):
        app.logger.error("store unavailable: %s", error)
        return error_response(503, headers={"Retry-After": "5"})


def get_store() -> Store:
    return current_app.extensions["consent.store"]
