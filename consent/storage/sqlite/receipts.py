"""Receipts in SQLite: appending them (group commit, bulk) and reading them back."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime

from .. import idempotency
from ..append import append
from ..batching import Pending, fail
from ..errors import KeyErased, KeyReused
from ..idempotency import Idempotency
from ..columns import RECEIPT_FIELDS
from ..rollups import Tally, next_day
from ..sealing import choices_json

_INSERT_RECEIPT = (f"INSERT INTO receipts ({', '.join(RECEIPT_FIELDS)})"
                   f" VALUES ({', '.join('?' * len(RECEIPT_FIELDS))})")
_ADD_ANSWERS = ("INSERT INTO daily_answers (day, site, region, revision, method, gpc, answers)"
                " VALUES (?,?,?,?,?,?,?)"
                " ON CONFLICT DO UPDATE SET answers = answers + excluded.answers")
_ADD_GRANTS = ("INSERT INTO daily_grants (day, site, region, revision, method, gpc, category,"
               " granted) VALUES (?,?,?,?,?,?,?,?)"
               " ON CONFLICT DO UPDATE SET granted = granted + excluded.granted")
_KEEP_KEY = ("INSERT INTO idempotency_keys (key, request, receipt_id, first_seen) VALUES (?,?,?,?)"
             " ON CONFLICT (key) DO UPDATE SET request = excluded.request,"
             " receipt_id = excluded.receipt_id, first_seen = excluded.first_seen")
CHAIN_ROWS = ("SELECT r.*, e.reason AS erasure_reason FROM receipts r"
              " LEFT JOIN erasures e ON e.id = r.erasure_id")


def encode(receipt: dict) -> tuple:
    """A sealed receipt as the receipts table's columns hold it."""
    values = dict(receipt, choices=choices_json(receipt["choices"]), gpc=int(receipt["gpc"]))
    return tuple(values[name] for name in RECEIPT_FIELDS)


def decode(row: dict) -> dict:
    row = dict(row)
    if row.get("choices") is not None:
        row["choices"] = json.loads(row["choices"])
    if row.get("gpc") is not None:
        row["gpc"] = bool(row["gpc"])
    return row


class SqliteAppend:
    """The append primitives (``interface.AppendTransaction``) on one open write transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._head: tuple[int, str] | None = None      # (seq, hash), known once read
        self._read = False

    def head(self) -> tuple[int, str] | None:
        """The chain's last (seq, hash); None for an empty chain."""
        if not self._read:
            row = self.conn.execute(
                "SELECT seq, hash FROM receipts ORDER BY seq DESC LIMIT 1").fetchone()
            self._head, self._read = (tuple(row) if row else None), True
        return self._head

    def head_hash(self) -> str | None:
        head = self.head()
        return head[1] if head else None

    def hash_at(self, seq: int) -> str | None:
        row = self.conn.execute("SELECT hash FROM receipts WHERE seq = ?", (seq,)).fetchone()
        return row[0] if row else None

    def forget_head(self) -> None:
        """After a rollback to a savepoint the head is what the table says again."""
        self._read = False

    def answer_on(self, consent_id: str, day: str) -> dict | None:
        row = self.conn.execute(
            "SELECT site, region, revision, method, gpc, choices FROM receipts"
            " WHERE consent_id = ? AND recorded_at >= ? AND recorded_at < ?"
            " ORDER BY seq DESC LIMIT 1", (consent_id, day, next_day(day))).fetchone()
        if row is None:
            return None
        site, region, revision, method, gpc, choices = row
        return {"site": site, "region": region, "revision": revision, "method": method,
                "gpc": gpc, "choices": json.loads(choices) if choices is not None else None}

    def insert_snapshot(self, config_hash: str, snapshot: dict, first_seen: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO config_snapshots"
            " (config_hash, region, lang, revision, body, first_seen) VALUES (?,?,?,?,?,?)",
            (config_hash, snapshot["region"], snapshot["lang"], snapshot["revision"],
             json.dumps(snapshot, sort_keys=True), first_seen))

    def insert_receipt(self, receipt: dict) -> None:
        seq = self.conn.execute(_INSERT_RECEIPT, encode(receipt)).lastrowid
        self._head, self._read = (seq, receipt["hash"]), True

    def kept_key(self, key: str) -> dict | None:
        row = self.conn.execute("SELECT request, receipt_id, first_seen FROM idempotency_keys"
                                " WHERE key = ?", (key,)).fetchone()
        return dict(zip(("request", "receipt_id", "first_seen"), row)) if row else None

    def stored_receipt(self, receipt_id: str) -> dict | None:
        cursor = self.conn.execute("SELECT * FROM receipts WHERE receipt_id = ?", (receipt_id,))
        row = cursor.fetchone()
        return decode(dict(zip((d[0] for d in cursor.description), row))) if row else None

    def keep_key(self, key: str, request: str, receipt_id: str, first_seen: str) -> None:
        self.conn.execute(_KEEP_KEY, (key, request, receipt_id, first_seen))

    def add_tally(self, tally: Tally) -> None:
        self.conn.executemany(_ADD_ANSWERS, tally.answer_rows())
        self.conn.executemany(_ADD_GRANTS, tally.grant_rows())


class ReceiptTables:
    """Receipts, their configuration snapshots and roll-ups (mixed into ``SqliteStore``)."""

    def record_receipt(self, draft: dict, snapshot: dict, now: datetime | None = None,
                       idempotency: Idempotency | None = None) -> dict:
        """Seal, chain, count and commit one receipt; return it as stored.

        ``now`` stamps another time than the present (tests, seeding).
        Batched (``consent.storage.batching``): concurrent receipts of every
        worker on this machine share one transaction, so one fsync acknowledges many.
        A live repeat of ``idempotency``'s key returns the first receipt instead.
        :raise StoreUnavailable: when the database cannot take the write;
            nothing of the receipt is then stored.
        :raise KeyReused, KeyErased: see ``consent.storage.idempotency``.
        """
        return self._batches.record(draft, snapshot, now, idempotency)

    def _commit_batch(self, batch: list[Pending]) -> None:
        """Append ``batch`` in one transaction; every item gets its receipt or the error.

        A receipt that cannot be sealed or counted fails alone (its savepoint);
        if the transaction itself fails (the roll-up write, the COMMIT), every
        receipt of it fails with that error: none of them is stored.
        """
        tally = Tally()
        try:
            with self._writing() as conn:
                tx = SqliteAppend(conn)
                # a lost, emptied or replaced database takes nothing (storage/anchor.py)
                self.anchor.check_head(tx.head(), tx.hash_at)
                for item in batch:
                    if item.resent and (stored := self._stored(conn, item)):
                        item.receipt = stored
                        continue
                    try:
                        if stored := idempotency.replayed(tx, item.idempotency):
                            item.receipt = stored
                            continue
                    except (KeyReused, KeyErased) as error:
                        item.error = error
                        continue
                    # One bad receipt must not sink the others queued with it.
                    conn.execute("SAVEPOINT receipt")
                    try:
                        item.receipt = append(tx, tally, item.draft, item.snapshot, item.now,
                                              self._snapshots_stored)
                        idempotency.keep(tx, item.idempotency, item.receipt)
                    except sqlite3.OperationalError:
                        raise
                    except Exception as error:   # noqa: BLE001 - it fails alone
                        conn.execute("ROLLBACK TO receipt")
                        tx.forget_head()
                        item.error = error
                    conn.execute("RELEASE receipt")
                tx.add_tally(tally)
            # Only now, committed, may later receipts skip storing these snapshots.
            self._snapshots_stored.update(tally.snapshots)
        except Exception as error:   # noqa: BLE001 - rolled back: nobody's receipt is stored
            fail(batch, error)
            return
        if tx.head() is not None:
            self.anchor.advance(tx.head())

    @staticmethod
    def _stored(conn: sqlite3.Connection, item: Pending) -> dict | None:
        """A re-sent receipt whose first sending did commit: returned, not stored twice."""
        cursor = conn.execute("SELECT * FROM receipts WHERE receipt_id = ?",
                              (item.draft["receipt_id"],))
        row = cursor.fetchone()
        return decode(dict(zip((d[0] for d in cursor.description), row))) if row else None

    def record_receipts(self, batch: Iterable[tuple[dict, dict, datetime | None]]) -> int:
        """Seal, chain, count and commit many (draft, snapshot, now) receipts in ONE transaction.

        For seeding and imports: the same per-receipt logic as ``record_receipt``
        (``append``), one commit (one fsync) and one roll-up write per touched
        row for the lot, which is what makes a million receipts take minutes.
        All or nothing, unlike the group commit of live receipts.
        :raise StoreUnavailable: when the database cannot take the write;
            then none of the batch is stored.
        """
        count = 0
        tally = Tally()
        with self._writing() as conn:
            tx = SqliteAppend(conn)
            self.anchor.check_head(tx.head(), tx.hash_at)
            for draft, snapshot, now in batch:
                append(tx, tally, draft, snapshot, now, self._snapshots_stored)
                count += 1
            tx.add_tally(tally)
        self._snapshots_stored.update(tally.snapshots)
        if tx.head() is not None:
            self.anchor.advance(tx.head(), force=True)
        return count

    def head(self) -> tuple[int, str] | None:
        row = self.db.execute("SELECT seq, hash FROM receipts ORDER BY seq DESC LIMIT 1").fetchone()
        return tuple(row) if row else None

    def hash_at(self, seq: int) -> str | None:
        row = self.db.execute("SELECT hash FROM receipts WHERE seq = ?", (seq,)).fetchone()
        return row[0] if row else None

    def receipt(self, receipt_id: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM receipts WHERE receipt_id = ?", [receipt_id]))
        return decode(rows[0]) if rows else None

    def receipts_for(self, consent_id: str) -> list[dict]:
        return [decode(r) for r in self.db.query(
            "SELECT * FROM receipts WHERE consent_id = ? ORDER BY seq", [consent_id])]

    def count_receipts(self) -> int:
        return self.db.execute("SELECT count(*) FROM receipts").fetchone()[0]

    def config_snapshots(self, config_hashes) -> dict[str, dict]:
        """The exact configurations and texts shown, by config hash."""
        hashes = sorted(set(config_hashes))
        rows = self.db.execute(
            f"SELECT config_hash, body FROM config_snapshots WHERE config_hash IN"
            f" ({','.join('?' * len(hashes))})", hashes).fetchall() if hashes else []
        return {config_hash: json.loads(body) for config_hash, body in rows}

    def receipt_as_stored(self, receipt_id: str) -> dict | None:
        """One receipt exactly as its columns hold it (no decoding), with its erasure's reason."""
        cursor = self.db.conn.execute(f"{CHAIN_ROWS} WHERE r.receipt_id = ?", (receipt_id,))
        row = cursor.fetchone()
        return dict(zip((d[0] for d in cursor.description), row)) if row else None

    @contextlib.contextmanager
    def chain(self) -> Iterator[Iterator[dict]]:
        """Every receipt as stored, in chain order, streamed from one consistent snapshot.

        Rows are read as they are consumed, so memory stays flat however long
        the chain; writers carry on meanwhile (WAL) and are not seen.
        """
        cursor = self.db.conn.execute(f"{CHAIN_ROWS} ORDER BY r.seq")
        columns = [d[0] for d in cursor.description]
        try:
            yield (dict(zip(columns, row)) for row in cursor)
        finally:
            cursor.close()
