"""Receipts in PostgreSQL: batches appended under the chain head's lock, and reading them back.

A batch is one transaction (as Trillian Tessera integrates entries under one
locked tree-state row): lock the head row, read what the batch's visitors
already answered today in one query, seal each receipt in order (in memory),
then write the receipts, the roll-ups and the new head, and commit. Any
number of app servers append this way to one chain; the lock orders them.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from .. import idempotency
from ..append import append
from ..batching import Pending, fail
from ..errors import KeyErased, KeyReused
from ..idempotency import Idempotency
from ..columns import RECEIPT_FIELDS
from ..rollups import DIMENSIONS, Tally, next_day
from ..sealing import GENESIS, choices_json, utc_timestamp

_INSERT_RECEIPT = (f"INSERT INTO receipts (seq, {', '.join(RECEIPT_FIELDS)})"
                   f" VALUES ({', '.join(['%s'] * (len(RECEIPT_FIELDS) + 1))})")
_KEY = ", ".join(DIMENSIONS)
_ADD_ANSWERS = (f"INSERT INTO daily_answers ({_KEY}, answers) VALUES (%s,%s,%s,%s,%s,%s,%s)"
                f" ON CONFLICT ({_KEY}) DO UPDATE"
                " SET answers = daily_answers.answers + excluded.answers")
_ADD_GRANTS = (f"INSERT INTO daily_grants ({_KEY}, category, granted)"
               " VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
               f" ON CONFLICT ({_KEY}, category) DO UPDATE"
               " SET granted = daily_grants.granted + excluded.granted")
_KEEP_KEY = ("INSERT INTO idempotency_keys (key, request, receipt_id, first_seen)"
             " VALUES (%s,%s,%s,%s) ON CONFLICT (key) DO UPDATE SET request = excluded.request,"
             " receipt_id = excluded.receipt_id, first_seen = excluded.first_seen")
CHAIN_ROWS = ("SELECT r.*, e.reason AS erasure_reason FROM receipts r"
              " LEFT JOIN erasures e ON e.id = r.erasure_id")
_ANSWER = ("site", "region", "revision", "method", "gpc", "choices")


def encode(receipt: dict) -> tuple:
    values = dict(receipt, choices=choices_json(receipt["choices"]), gpc=int(receipt["gpc"]))
    return tuple(values[name] for name in RECEIPT_FIELDS)


def decode(row: dict) -> dict:
    row = dict(row)
    if row.get("choices") is not None:
        row["choices"] = json.loads(row["choices"])
    if row.get("gpc") is not None:
        row["gpc"] = bool(row["gpc"])
    return row


def add_tally(cur: psycopg.Cursor, tally: Tally) -> None:
    """A transaction's roll-up counts, each touched row written once."""
    if answers := tally.answer_rows():
        cur.executemany(_ADD_ANSWERS, answers)
    if grants := tally.grant_rows():
        cur.executemany(_ADD_GRANTS, grants)


def answer_of_day(conn: psycopg.Connection, consent_id: str, day: str) -> dict | None:
    """The visitor's latest answer recorded on ``day`` (choices None when erased)."""
    rows = conn.cursor(row_factory=dict_row).execute(
        "SELECT site, region, revision, method, gpc, choices FROM receipts WHERE consent_id = %s"
        " AND recorded_at >= %s AND recorded_at < %s ORDER BY seq DESC LIMIT 1",
        (consent_id, day, next_day(day))).fetchall()
    if not rows:
        return None
    answer = rows[0]
    return dict(answer, choices=json.loads(answer["choices"]) if answer["choices"] else None)


class PostgresAppend:
    """The append primitives (``interface.AppendTransaction``) on one open transaction.

    Nothing is written until ``write``: the head, the visitors' answers of the
    day and the new rows are kept here, so a receipt that fails half-way is
    undone in memory (``mark`` / ``undo``) and a batch costs a few round trips.
    """

    def __init__(self, conn: psycopg.Connection, drafts: list[tuple[dict, datetime | None]],
                 keys: list[str] = ()):
        self.conn = conn
        self.seq, self.hash = conn.execute(
            "SELECT seq, hash FROM chain_head FOR UPDATE").fetchone()
        self.rows: list[tuple] = []
        self.snapshots: list[tuple] = []
        self.answers: dict[str, list[tuple[str, dict]]] = {}   # consent_id -> (recorded_at, answer)
        self.appended: dict[str, dict] = {}                   # receipt_id -> this batch's receipt
        self.keys: dict[str, dict] = {}                       # idempotency key -> kept
        self.new_keys: list[tuple[str, dict | None]] = []     # (key, what it replaced), in order
        # Read under the head's lock: a batch that committed the same key just before is seen.
        if keys:
            for row in conn.cursor(row_factory=dict_row).execute(
                    "SELECT key, request, receipt_id, first_seen FROM idempotency_keys"
                    " WHERE key = ANY(%s)", (sorted(set(keys)),)):
                self.keys[row.pop("key")] = row
        ids = sorted({d["consent_id"] for d, _ in drafts if d.get("consent_id")})
        if ids:
            since = min(utc_timestamp(now) for _, now in drafts)[:10]
            for row in conn.cursor(row_factory=dict_row).execute(
                    "SELECT consent_id, recorded_at, site, region, revision, method, gpc, choices"
                    " FROM receipts WHERE consent_id = ANY(%s) AND recorded_at >= %s ORDER BY seq",
                    (ids, since)):
                self._remember(row["consent_id"], row["recorded_at"],
                               {k: row[k] for k in _ANSWER})

    def _remember(self, consent_id: str, recorded_at: str, answer: dict) -> None:
        choices = answer["choices"]
        answer = dict(answer, choices=json.loads(choices) if isinstance(choices, str) else choices)
        self.answers.setdefault(consent_id, []).append((recorded_at, answer))

    def head_hash(self) -> str | None:
        return None if self.seq == 0 and self.hash == GENESIS else self.hash

    def head(self) -> tuple[int, str] | None:
        return None if self.seq == 0 else (self.seq, self.hash)

    def hash_at(self, seq: int) -> str | None:
        row = self.conn.execute("SELECT hash FROM receipts WHERE seq = %s", (seq,)).fetchone()
        return row[0] if row else None

    def answer_on(self, consent_id: str, day: str) -> dict | None:
        on_day = [a for at, a in self.answers.get(consent_id, ()) if at[:10] == day]
        return on_day[-1] if on_day else None

    def insert_snapshot(self, config_hash: str, snapshot: dict, first_seen: str) -> None:
        self.snapshots.append((config_hash, snapshot["region"], snapshot["lang"],
                               snapshot["revision"], json.dumps(snapshot, sort_keys=True),
                               first_seen))

    def insert_receipt(self, receipt: dict) -> None:
        self.seq += 1
        self.hash = receipt["hash"]
        self.rows.append((self.seq, *encode(receipt)))
        self.appended[receipt["receipt_id"]] = dict(receipt, seq=self.seq, erased_at=None)
        self._remember(receipt["consent_id"], receipt["recorded_at"],
                       {k: receipt[k] for k in _ANSWER})

    def kept_key(self, key: str) -> dict | None:
        return self.keys.get(key)

    def stored_receipt(self, receipt_id: str) -> dict | None:
        if receipt_id in self.appended:
            return self.appended[receipt_id]
        rows = self.conn.cursor(row_factory=dict_row).execute(
            "SELECT * FROM receipts WHERE receipt_id = %s", (receipt_id,)).fetchall()
        return decode(rows[0]) if rows else None

    def keep_key(self, key: str, request: str, receipt_id: str, first_seen: str) -> None:
        self.new_keys.append((key, self.keys.get(key)))
        self.keys[key] = {"request": request, "receipt_id": receipt_id, "first_seen": first_seen}

    def mark(self) -> tuple:
        return (self.seq, self.hash, len(self.rows), len(self.snapshots), len(self.new_keys),
                {k: list(v) for k, v in self.answers.items()})

    def undo(self, mark: tuple) -> None:
        self.seq, self.hash, rows, snapshots, new_keys, self.answers = mark
        for receipt in self.rows[rows:]:
            self.appended.pop(receipt[1 + RECEIPT_FIELDS.index("receipt_id")], None)
        for key, replaced in reversed(self.new_keys[new_keys:]):
            if replaced is None:
                self.keys.pop(key, None)
            else:
                self.keys[key] = replaced
        del self.rows[rows:], self.snapshots[snapshots:], self.new_keys[new_keys:]

    def write(self, tally: Tally) -> None:
        """Everything the batch appended, its roll-ups and the new head, in one pipeline."""
        with self.conn.cursor() as cur:
            if self.snapshots:
                cur.executemany(
                    "INSERT INTO config_snapshots (config_hash, region, lang, revision, body,"
                    " first_seen) VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                    self.snapshots)
            if self.rows:
                cur.executemany(_INSERT_RECEIPT, self.rows)
            add_tally(cur, tally)
            if self.new_keys:
                # the last word on each key: a key kept twice in one batch was replaced in memory
                cur.executemany(_KEEP_KEY, [(key, *self._key_row(key))
                                            for key in dict.fromkeys(k for k, _ in self.new_keys)])
            if self.rows:
                cur.execute("UPDATE chain_head SET seq = %s, hash = %s", (self.seq, self.hash))

    def _key_row(self, key: str) -> tuple:
        kept = self.keys[key]
        return kept["request"], kept["receipt_id"], kept["first_seen"]


class ReceiptTables:
    """Receipts, their configuration snapshots and roll-ups (mixed into ``PostgresStore``)."""

    def record_receipt(self, draft: dict, snapshot: dict, now: datetime | None = None,
                       idempotency: Idempotency | None = None) -> dict:
        """Seal, chain, count and commit one receipt; return it as stored.

        Batched with concurrent receipts (``consent.storage.batching``). A live
        repeat of ``idempotency``'s key returns the first receipt instead.
        :raise StoreUnavailable: when the database cannot take the write;
            nothing of the receipt is then stored.
        :raise KeyReused, KeyErased: see ``consent.storage.idempotency``.
        """
        return self._batches.record(draft, snapshot, now, idempotency)

    def _commit_batch(self, batch: list[Pending]) -> None:
        """Append ``batch`` in one transaction; every item gets its receipt or the error.

        A receipt that cannot be sealed or counted fails alone; if the
        transaction itself fails, every receipt of it fails with that error.
        """
        tally = Tally()
        try:
            with self._writing() as conn:
                resent = self._already_stored(conn, [i for i in batch if i.resent])
                tx = PostgresAppend(conn, [(i.draft, i.now) for i in batch
                                           if i.draft["receipt_id"] not in resent],
                                    [i.idempotency.key for i in batch if i.idempotency])
                # an emptied, older or other database takes nothing (storage/anchor.py)
                self.anchor.check_head(tx.head(), tx.hash_at)
                for item in batch:
                    if item.draft["receipt_id"] in resent:
                        item.receipt = resent[item.draft["receipt_id"]]
                        continue
                    try:
                        if stored := idempotency.replayed(tx, item.idempotency):
                            item.receipt = stored
                            continue
                    except (KeyReused, KeyErased) as error:
                        item.error = error
                        continue
                    mark = tx.mark()
                    try:
                        item.receipt = append(tx, tally, item.draft, item.snapshot, item.now,
                                              self._snapshots_stored)
                        idempotency.keep(tx, item.idempotency, item.receipt)
                    except Exception as error:   # noqa: BLE001 - it fails alone, in memory
                        tx.undo(mark)
                        item.error = error
                tx.write(tally)
            self._snapshots_stored.update(tally.snapshots)
        except Exception as error:   # noqa: BLE001 - rolled back: nobody's receipt is stored
            fail(batch, error)
            return
        if tx.head() is not None:
            self.anchor.advance(tx.head())

    @staticmethod
    def _already_stored(conn, items: list[Pending]) -> dict[str, dict]:
        """Receipts re-sent after a lost answer that did commit: returned, not stored twice."""
        if not items:
            return {}
        rows = conn.cursor(row_factory=dict_row).execute(
            "SELECT * FROM receipts WHERE receipt_id = ANY(%s)",
            ([i.draft["receipt_id"] for i in items],)).fetchall()
        return {row["receipt_id"]: decode(row) for row in rows}

    def record_receipts(self, batch: Iterable[tuple[dict, dict, datetime | None]]) -> int:
        """Seal, chain, count and commit many (draft, snapshot, now) receipts in ONE transaction.

        For seeding and imports; all or nothing.
        :raise StoreUnavailable: when the database cannot take the write.
        """
        batch = list(batch)
        tally = Tally()
        with self._writing() as conn:
            tx = PostgresAppend(conn, [(draft, now) for draft, _, now in batch])
            self.anchor.check_head(tx.head(), tx.hash_at)
            for draft, snapshot, now in batch:
                append(tx, tally, draft, snapshot, now, self._snapshots_stored)
            tx.write(tally)
        self._snapshots_stored.update(tally.snapshots)
        if tx.head() is not None:
            self.anchor.advance(tx.head(), force=True)
        return len(batch)

    def head(self) -> tuple[int, str] | None:
        rows = self.rows("SELECT seq, hash FROM receipts ORDER BY seq DESC LIMIT 1")
        return (rows[0]["seq"], rows[0]["hash"]) if rows else None

    def hash_at(self, seq: int) -> str | None:
        return self.value("SELECT hash FROM receipts WHERE seq = %s", (seq,))

    def receipt(self, receipt_id: str) -> dict | None:
        rows = self.rows("SELECT * FROM receipts WHERE receipt_id = %s", (receipt_id,))
        return decode(rows[0]) if rows else None

    def receipts_for(self, consent_id: str) -> list[dict]:
        return [decode(r) for r in self.rows(
            "SELECT * FROM receipts WHERE consent_id = %s ORDER BY seq", (consent_id,))]

    def count_receipts(self) -> int:
        return self.value("SELECT count(*) FROM receipts")

    def config_snapshots(self, config_hashes) -> dict[str, dict]:
        """The exact configurations and texts shown, by config hash."""
        hashes = sorted(set(config_hashes))
        rows = self.rows("SELECT config_hash, body FROM config_snapshots"
                         " WHERE config_hash = ANY(%s)", (hashes,)) if hashes else []
        return {row["config_hash"]: json.loads(row["body"]) for row in rows}

    def receipt_as_stored(self, receipt_id: str) -> dict | None:
        """One receipt exactly as its columns hold it (no decoding), with its erasure's reason."""
        rows = self.rows(f"{CHAIN_ROWS} WHERE r.receipt_id = %s", (receipt_id,))
        return rows[0] if rows else None

    @contextlib.contextmanager
    def chain(self) -> Iterator[Iterator[dict]]:
        """Every receipt as stored, in chain order, streamed from one consistent snapshot.

        A server-side cursor in a read-only REPEATABLE READ transaction: memory
        stays flat however long the chain, and appends meanwhile are not seen.
        """
        with self.connection() as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            try:
                with conn.transaction():
                    conn.execute("SET TRANSACTION READ ONLY")
                    with conn.cursor("chain_walk", row_factory=dict_row) as cursor:
                        cursor.itersize = 2000
                        cursor.execute(f"{CHAIN_ROWS} ORDER BY r.seq")
                        yield iter(cursor)
            finally:
                conn.isolation_level = None
