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
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta, timezone
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


@migrations()
def m003_stats_access_log(db: Database):
    # Who took what out of the service: every stats request and every export.
    db.execute("""
        CREATE TABLE access_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,                  -- server UTC, ISO 8601
            who TEXT NOT NULL,                 -- a token id (never the token) or 'cli'
            scope TEXT NOT NULL,               -- stats | audit | cli
            via TEXT NOT NULL,                 -- api | admin | cli
            action TEXT NOT NULL,              -- stats | receipts
            params TEXT NOT NULL,              -- JSON: range, group, filters, format
            rows INTEGER,                      -- NULL until known (a stream still running)
            finished_at TEXT                   -- NULL: the export stopped before its end
        )""")
    db.execute("CREATE INDEX access_log_by_time ON access_log (at)")


class _Tally:
    """What one write transaction adds to the roll-ups, summed before it is written.

    A batch of receipts then writes each roll-up row it touches once, not once
    per receipt; the counting rule itself lives in ``Store._append`` alone.
    """

    ANSWERS = ("INSERT INTO daily_answers (day, site, region, revision, method, gpc, answers)"
               " VALUES (?,?,?,?,?,?,?)"
               " ON CONFLICT DO UPDATE SET answers = answers + excluded.answers")
    GRANTS = ("INSERT INTO daily_grants (day, site, region, revision, method, gpc, category,"
              " granted) VALUES (?,?,?,?,?,?,?,?)"
              " ON CONFLICT DO UPDATE SET granted = granted + excluded.granted")

    def __init__(self):
        self.answers: Counter = Counter()
        self.grants: Counter = Counter()
        self.snapshots: set[str] = set()     # config hashes already stored by this transaction

    def count(self, day, site, region, revision, method, gpc, choices: dict, delta: int):
        dims = (day, site or "", region, revision, method, gpc)
        self.answers[dims] += delta
        for category, granted in choices.items():
            if granted:
                self.grants[(*dims, category)] += delta

    def write(self, conn) -> None:
        conn.executemany(self.ANSWERS, [(*dims, n) for dims, n in self.answers.items() if n])
        conn.executemany(self.GRANTS, [(*dims, n) for dims, n in self.grants.items() if n])


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()

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
            if conn.in_transaction:
                conn.rollback()
            raise StoreUnavailable(str(error)) from error

    # ---- receipts ---------------------------------------------------------

    def record_receipt(self, draft: dict, snapshot: dict, now: datetime | None = None) -> dict:
        """Seal, chain, count and commit one receipt; return it as stored.

        ``now`` backdates the receipt (seeding, imports); live receipts take the clock.
        :raise StoreUnavailable: when the database cannot take the write;
            nothing of the receipt is then stored.
        """
        tally = _Tally()
        with self._writing() as conn:
            receipt = self._append(conn, tally, self._last_hash(conn), draft, snapshot, now)
            tally.write(conn)
        return receipt

    def record_receipts(self, batch: Iterable[tuple[dict, dict, datetime | None]]) -> int:
        """Seal, chain, count and commit many (draft, snapshot, now) receipts in ONE transaction.

        The same per-receipt logic as ``record_receipt``; one commit (one fsync)
        and one roll-up write per touched row for the lot is what makes seeding
        a million receipts take minutes, not hours.
        :raise StoreUnavailable: when the database cannot take the write;
            then none of the batch is stored.
        """
        count = 0
        tally = _Tally()
        with self._writing() as conn:
            prev_hash = self._last_hash(conn)
            for draft, snapshot, now in batch:
                prev_hash = self._append(conn, tally, prev_hash, draft, snapshot, now)["hash"]
                count += 1
            tally.write(conn)
        return count

    @staticmethod
    def _last_hash(conn) -> str:
        row = conn.execute("SELECT hash FROM receipts ORDER BY seq DESC LIMIT 1").fetchone()
        return row[0] if row else receipts_.GENESIS

    @staticmethod
    def _append(conn, tally: "_Tally", prev_hash: str, draft: dict, snapshot: dict,
                now: datetime | None) -> dict:
        """One receipt inside an open write transaction: chain and store it, tally its counts."""
        receipt = receipts_.seal(draft, prev_hash, now)
        if receipt["config_hash"] not in tally.snapshots:
            conn.execute(
                "INSERT OR IGNORE INTO config_snapshots"
                " (config_hash, region, lang, revision, body, first_seen) VALUES (?,?,?,?,?,?)",
                (receipt["config_hash"], snapshot["region"], snapshot["lang"],
                 snapshot["revision"], json.dumps(snapshot, sort_keys=True),
                 receipt["recorded_at"]))
            tally.snapshots.add(receipt["config_hash"])
        day = receipt["recorded_at"][:10]
        # The visitor's answer already counted for this day (the latest in chain order), if any.
        # Looked up by day rather than "their last receipt" so that a receipt stamped
        # earlier than its predecessor (a clock step, a backdated import) still replaces
        # the right answer.
        previous = conn.execute(
            "SELECT site, region, revision, method, gpc, choices FROM receipts"
            " WHERE consent_id = ? AND recorded_at >= ? AND recorded_at < ?"
            " ORDER BY seq DESC LIMIT 1",
            (receipt["consent_id"], day, _next_day(day))).fetchone()
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
        # A changed mind on the same day replaces that visitor's answer, it is not a second one.
        if previous and previous[5] is not None:
            tally.count(day, *previous[:5], json.loads(previous[5]), -1)
        tally.count(day, receipt["site"], receipt["region"], receipt["revision"],
                    receipt["method"], int(receipt["gpc"]), receipt["choices"], +1)
        return receipt

    def receipt(self, receipt_id: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM receipts WHERE receipt_id = ?", [receipt_id]))
        return _decode(rows[0]) if rows else None

    def receipts_for(self, consent_id: str) -> list[dict]:
        return [_decode(r) for r in self.db.query(
            "SELECT * FROM receipts WHERE consent_id = ? ORDER BY seq", [consent_id])]

    def count_receipts(self) -> int:
        return self.db.execute("SELECT count(*) FROM receipts").fetchone()[0]

    # ---- statistics and exports (marketing, audit) -------------------------
    # Stats read the daily roll-ups only; they never scan receipts.

    def answer_counts(self, start: date, end: date, group: str, filters: dict) -> list[tuple]:
        """(group key, method, gpc, answers) summed over days ``start``..``end`` (UTC).

        ``group`` and the ``filters`` keys must come from STATS_GROUPS / STATS_FILTERS.
        """
        where, params = _rollup_where(start, end, filters)
        column = STATS_GROUPS[group]
        return self.db.execute(
            f"SELECT {column}, method, gpc, sum(answers) FROM daily_answers WHERE {where}"
            f" GROUP BY {column}, method, gpc", params).fetchall()

    def grant_counts(self, start: date, end: date, group: str, filters: dict) -> list[tuple]:
        """(group key, category, granted) summed over days ``start``..``end`` (UTC)."""
        where, params = _rollup_where(start, end, filters)
        column = STATS_GROUPS[group]
        return self.db.execute(
            f"SELECT {column}, category, sum(granted) FROM daily_grants WHERE {where}"
            f" GROUP BY {column}, category", params).fetchall()

    def count_receipts_between(self, start: date, end: date) -> int:
        return self.db.execute(
            "SELECT count(*) FROM receipts WHERE recorded_at >= ? AND recorded_at < ?",
            (start.isoformat(), _next_day(end.isoformat()))).fetchone()[0]

    def receipts_between(self, start: date, end: date, page_size: int = 2000) -> Iterator[dict]:
        """Receipts recorded on days ``start``..``end`` (UTC) in time order, page by page.

        Keyset pagination on (recorded_at, seq) over the time index: each page is
        one short query, so memory stays flat however many rows, and no read
        transaction stays open between pages (a long one would hold back WAL
        checkpoints while receipts keep arriving). Erased receipts come as
        stored: payload fields None.
        """
        last = (start.isoformat(), 0)
        end_bound = _next_day(end.isoformat())
        while True:
            page = list(self.db.query(
                "SELECT * FROM receipts WHERE (recorded_at, seq) > (?, ?) AND recorded_at < ?"
                " ORDER BY recorded_at, seq LIMIT ?", [*last, end_bound, page_size]))
            yield from (_decode(row) for row in page)
            if len(page) < page_size:
                return
            last = (page[-1]["recorded_at"], page[-1]["seq"])

    def log_access(self, who: str, scope: str, via: str, action: str, params: dict,
                   rows: int | None = None) -> int:
        """Record an export before it runs, so even one that breaks off is on file."""
        now = _utc_now()
        with self._writing() as conn:
            return conn.execute(
                "INSERT INTO access_log (at, who, scope, via, action, params, rows, finished_at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (now, who, scope, via, action, json.dumps(params, sort_keys=True), rows,
                 now if rows is not None else None)).lastrowid

    def finish_access(self, entry_id: int, rows: int, complete: bool = True) -> None:
        with self._writing() as conn:
            conn.execute("UPDATE access_log SET rows = ?, finished_at = ? WHERE id = ?",
                         (rows, _utc_now() if complete else None, entry_id))

    def access_log(self, limit: int = 100) -> list[dict]:
        """The latest entries first."""
        rows = self.db.query("SELECT * FROM access_log ORDER BY id DESC LIMIT ?", [limit])
        return [{**row, "params": json.loads(row["params"])} for row in rows]

    def healthy(self) -> bool:
        try:
            self.db.execute("SELECT 1 FROM receipts LIMIT 1").fetchall()
            return True
        except (sqlite3.Error, StoreUnavailable):
            return False


# Roll-up columns a stats request may group or filter by (never user text in SQL).
STATS_GROUPS = {"day": "day", "region": "region", "site": "site", "revision": "revision"}
STATS_FILTERS = ("region", "site", "revision")


def _rollup_where(start: date, end: date, filters: dict) -> tuple[str, list]:
    clauses, params = ["day >= ? AND day <= ?"], [start.isoformat(), end.isoformat()]
    for name in STATS_FILTERS:
        if filters.get(name) is not None:
            clauses.append(f"{name} = ?")
            params.append(filters[name])
    return " AND ".join(clauses), params


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


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
    app.extensions["consent.store"] = store

    @app.errorhandler(StoreUnavailable)
    def unavailable(error):
        app.logger.error("store unavailable: %s", error)
        return error_response(503, headers={"Retry-After": "5"})


def get_store() -> Store:
    return current_app.extensions["consent.store"]
