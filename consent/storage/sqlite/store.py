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
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from flask import Flask, current_app
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from . import receipts as receipts_
from .errors import error_response

BUSY_TIMEOUT_S = 30
SCRUB_WAIT_MS = 200     # an erasure waits this long at most for readers to let the WAL go
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
def m002_rights_erasure(db: Database):
    # Erasure empties a receipt's payload columns but keeps its chain columns; these say
    # when and by which logged erasure, sealed under the secret key (see consent/erasure.py).
    db.execute("""
        CREATE TABLE erasures (
            id INTEGER PRIMARY KEY,
            reason TEXT NOT NULL,              -- request (the visitor asked) or retention (purge)
            subject TEXT,                      -- keyed hash of the consent_id; requests only
            erased_at TEXT NOT NULL,
            receipts INTEGER NOT NULL,         -- how many receipts this erasure emptied
            cutoff TEXT                        -- retention: receipts recorded before this
        )""")
    db.execute("CREATE INDEX erasures_by_subject ON erasures (subject)")
    db.execute("ALTER TABLE receipts ADD COLUMN erased_at TEXT")
    db.execute("ALTER TABLE receipts ADD COLUMN erasure_id INTEGER REFERENCES erasures (id)")
    db.execute("ALTER TABLE receipts ADD COLUMN erasure_seal TEXT")


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

    def count(self, changes: list[tuple]) -> None:
        """Add (day, site, region, revision, method, gpc, choices, delta) changes, all or none.

        Everything that can fail (a malformed choices value) fails before anything
        is added, so a receipt rolled back to its savepoint leaves no count behind.
        """
        prepared = [((day, site or "", region, revision, method, gpc),
                     [category for category, granted in choices.items() if granted], delta)
                    for day, site, region, revision, method, gpc, choices, delta in changes]
        for dims, granted, delta in prepared:
            self.answers[dims] += delta
            for category in granted:
                self.grants[(*dims, category)] += delta

    def write(self, conn) -> None:
        conn.executemany(self.ANSWERS, [(*dims, n) for dims, n in self.answers.items() if n])
        conn.executemany(self.GRANTS, [(*dims, n) for dims, n in self.grants.items() if n])


class _Queued:
    """A receipt waiting for the group commit, and what became of it."""

    __slots__ = ("draft", "snapshot", "now", "receipt", "error", "done")

    def __init__(self, draft: dict, snapshot: dict, now: datetime | None = None):
        self.draft, self.snapshot, self.now = draft, snapshot, now
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
            # Erased payloads are overwritten with zeros, not left in free space.
            conn.execute("PRAGMA secure_delete=ON")
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

    def record_receipt(self, draft: dict, snapshot: dict, now: datetime | None = None) -> dict:
        """Seal, chain, count and commit one receipt; return it as stored.

        ``now`` stamps another time than the present (tests, seeding).
        Group commit: concurrent callers in this process queue their drafts;
        whoever holds the writer's seat commits everything queued in one
        transaction, so one fsync acknowledges many receipts. Each caller
        returns only after the transaction holding its receipt has committed.

        :raise StoreUnavailable: when the database cannot take the write;
            nothing of the receipt is then stored.
        """
        item = _Queued(draft, snapshot, now)
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
        tally = _Tally()
        try:
            with self._writing() as conn:
                for item in batch:
                    # One bad receipt must not sink the others queued with it.
                    conn.execute("SAVEPOINT receipt")
                    try:
                        item.receipt = self._append(conn, tally, item.draft, item.snapshot,
                                                    item.now)
                    except sqlite3.OperationalError:
                        raise
                    except Exception as error:
                        conn.execute("ROLLBACK TO receipt")
                        item.error = error
                    conn.execute("RELEASE receipt")
                tally.write(conn)
            # Only now, committed, may later receipts skip storing these snapshots.
            self._snapshots_stored.update(tally.snapshots)
        except StoreUnavailable as error:
            for item in batch:
                item.error, item.receipt = error, None
        finally:
            for item in batch:
                item.done = True

    def record_receipts(self, batch: Iterable[tuple[dict, dict, datetime | None]]) -> int:
        """Seal, chain, count and commit many (draft, snapshot, now) receipts in ONE transaction.

        For seeding and imports: the same per-receipt logic as ``record_receipt``
        (``_append``), one commit (one fsync) and one roll-up write per touched
        row for the lot, which is what makes a million receipts take minutes.
        All or nothing, unlike the group commit of live receipts.
        :raise StoreUnavailable: when the database cannot take the write;
            then none of the batch is stored.
        """
        count = 0
        tally = _Tally()
        with self._writing() as conn:
            for draft, snapshot, now in batch:
                self._append(conn, tally, draft, snapshot, now)
                count += 1
            tally.write(conn)
        self._snapshots_stored.update(tally.snapshots)
        return count

    def _append(self, conn, tally: "_Tally", draft: dict, snapshot: dict,
                now: datetime | None = None) -> dict:
        """Chain and store one receipt inside the caller's write transaction; tally its counts.

        Its counts reach ``tally`` last and all at once, so a receipt that fails
        half-way (rolled back to its savepoint) leaves no count behind.
        """
        row = conn.execute("SELECT hash FROM receipts ORDER BY seq DESC LIMIT 1").fetchone()
        receipt = receipts_.seal(draft, row[0] if row else receipts_.GENESIS, now)
        config_hash = receipt["config_hash"]
        if config_hash not in self._snapshots_stored and config_hash not in tally.snapshots:
            conn.execute(
                "INSERT OR IGNORE INTO config_snapshots"
                " (config_hash, region, lang, revision, body, first_seen) VALUES (?,?,?,?,?,?)",
                (config_hash, snapshot["region"], snapshot["lang"],
                 snapshot["revision"], json.dumps(snapshot, sort_keys=True),
                 receipt["recorded_at"]))
        day = receipt["recorded_at"][:10]
        # The visitor's answer already counted for this day (the latest in chain order), if
        # any. Looked up by day rather than "their last receipt" so that a receipt stamped
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
        changes = [(day, receipt["site"], receipt["region"], receipt["revision"],
                    receipt["method"], int(receipt["gpc"]), receipt["choices"], +1)]
        # A changed mind on the same day replaces that visitor's answer, it is not a second one.
        if previous and previous[5] is not None:
            changes.append((day, *previous[:5], json.loads(previous[5]), -1))
        tally.count(changes)
        tally.snapshots.add(config_hash)
        return receipt

    def receipt(self, receipt_id: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM receipts WHERE receipt_id = ?", [receipt_id]))
        return _decode(rows[0]) if rows else None

    def receipts_for(self, consent_id: str) -> list[dict]:
        return [_decode(r) for r in self.db.query(
            "SELECT * FROM receipts WHERE consent_id = ? ORDER BY seq", [consent_id])]

    def count_receipts(self) -> int:
        return self.db.execute("SELECT count(*) FROM receipts").fetchone()[0]

    # ---- visitors' rights and retention: erasure, its log, the chain walk ----

    def erase_consent(self, consent_id: str, subject: str, erased_at: str, seal: Sealer) -> int:
        """Empty the payload of every receipt of ``consent_id`` and log it; 0 if none left.

        :raise StoreUnavailable: when the database cannot take the write; then
            nothing is erased.
        """
        with self._writing() as conn:
            rows = conn.execute(
                "SELECT receipt_id, payload_hash FROM receipts"
                " WHERE consent_id = ? AND erased_at IS NULL ORDER BY seq",
                (consent_id,)).fetchall()
            if rows:
                erasure_id = conn.execute(
                    "INSERT INTO erasures (reason, subject, erased_at, receipts) VALUES (?,?,?,?)",
                    ("request", subject, erased_at, len(rows))).lastrowid
                self._erase(conn, rows, erasure_id, erased_at, seal)
        if rows:
            self.scrub_wal()
        return len(rows)

    def erase_recorded_before(self, cutoff: str, erased_at: str, seal: Sealer,
                              batch: int = 500) -> int:
        """Empty the payload of every receipt recorded before ``cutoff``, logged as one erasure.

        Works in batches of short transactions so that receipts keep being
        recorded meanwhile; each batch is complete or absent, never half-done.
        :raise StoreUnavailable: when a batch cannot be written (earlier batches stay).
        """
        erased, erasure_id = 0, None
        while True:
            with self._writing() as conn:
                rows = conn.execute(
                    "SELECT receipt_id, payload_hash FROM receipts WHERE recorded_at < ?"
                    " AND erased_at IS NULL ORDER BY seq LIMIT ?", (cutoff, batch)).fetchall()
                if not rows:
                    break
                if erasure_id is None:
                    erasure_id = conn.execute(
                        "INSERT INTO erasures (reason, erased_at, receipts, cutoff)"
                        " VALUES ('retention', ?, 0, ?)", (erased_at, cutoff)).lastrowid
                conn.execute("UPDATE erasures SET receipts = receipts + ? WHERE id = ?",
                             (len(rows), erasure_id))
                self._erase(conn, rows, erasure_id, erased_at, seal)
            erased += len(rows)
        if erased:
            self.scrub_wal()
        return erased

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

    @staticmethod
    def _erase(conn, rows, erasure_id: int, erased_at: str, seal: Sealer) -> None:
        conn.executemany(
            f"UPDATE receipts SET {_EMPTY_PAYLOAD}, erased_at = ?, erasure_id = ?,"
            " erasure_seal = ? WHERE receipt_id = ? AND erased_at IS NULL",
            [(erased_at, erasure_id, seal(receipt_id, payload_hash, erased_at, erasure_id),
              receipt_id) for receipt_id, payload_hash in rows])

    def count_recorded_before(self, cutoff: str) -> int:
        """How many receipts recorded before ``cutoff`` still hold a payload."""
        return self.db.execute("SELECT count(*) FROM receipts WHERE recorded_at < ?"
                               " AND erased_at IS NULL", (cutoff,)).fetchone()[0]

    def erasures_of(self, subject: str) -> list[dict]:
        return list(self.db.query(
            "SELECT reason, erased_at, receipts FROM erasures WHERE subject = ? ORDER BY id",
            [subject]))

    def count_subjects_before(self, cutoff: str) -> int:
        return self.db.execute("SELECT count(*) FROM erasures WHERE subject IS NOT NULL"
                               " AND erased_at < ?", (cutoff,)).fetchone()[0]

    def forget_subjects_before(self, cutoff: str) -> int:
        """Drop the keyed consent_id hash from erasure log entries older than ``cutoff``."""
        with self._writing() as conn:
            forgotten = conn.execute("UPDATE erasures SET subject = NULL WHERE subject IS NOT NULL"
                                     " AND erased_at < ?", (cutoff,)).rowcount
        if forgotten:
            self.scrub_wal()
        return forgotten

    def config_snapshots(self, config_hashes) -> dict[str, dict]:
        """The exact configurations and texts shown, by config hash."""
        hashes = sorted(set(config_hashes))
        rows = self.db.execute(
            f"SELECT config_hash, body FROM config_snapshots WHERE config_hash IN"
            f" ({','.join('?' * len(hashes))})", hashes).fetchall() if hashes else []
        return {config_hash: json.loads(body) for config_hash, body in rows}

    def receipt_as_stored(self, receipt_id: str) -> dict | None:
        """One receipt exactly as its columns hold it (no decoding), with its erasure's reason."""
        cursor = self.db.conn.execute(f"{_CHAIN_ROWS} WHERE r.receipt_id = ?", (receipt_id,))
        row = cursor.fetchone()
        return dict(zip((d[0] for d in cursor.description), row)) if row else None

    @contextlib.contextmanager
    def chain(self) -> Iterator[Iterator[dict]]:
        """Every receipt as stored, in chain order, streamed from one consistent snapshot.

        Rows are read as they are consumed, so memory stays flat however long
        the chain; writers carry on meanwhile (WAL) and are not seen.
        """
        cursor = self.db.conn.execute(f"{_CHAIN_ROWS} ORDER BY r.seq")
        columns = [d[0] for d in cursor.description]
        try:
            yield (dict(zip(columns, row)) for row in cursor)
        finally:
            cursor.close()

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


# seal(receipt_id, payload_hash, erased_at, erasure_id) -> the erasure seal of one row
Sealer = Callable[[str, str, str, int], str]
_EMPTY_PAYLOAD = ", ".join(f"{field} = NULL" for field in receipts_.PAYLOAD_FIELDS)
_CHAIN_ROWS = ("SELECT r.*, e.reason AS erasure_reason FROM receipts r"
               " LEFT JOIN erasures e ON e.id = r.erasure_id")


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
    # No connection may cross a fork (gunicorn preload): SQLite's locks are per process.
    store.close()
    app.extensions["consent.store"] = store

    @app.errorhandler(StoreUnavailable)
    def unavailable(error):
        app.logger.error("store unavailable: %s", error)
        return error_response(503, headers={"Retry-After": "5"})


def get_store() -> Store:
    return current_app.extensions["consent.store"]
