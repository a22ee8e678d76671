"""The chain walk finds every kind of tampering, at the right row, on the real SQLite file.

Tampering is done the way an intruder would: plain sqlite3 on the database
file, behind the service's back.
"""

import json
import sqlite3
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest

from consent.ledger import chain, erasure
from consent.ledger.keys import KeyRing
from consent.storage import columns, sealing
from consent.storage.sqlite.migrations import migrations
from consent.storage.sqlite.store import SqliteStore as Store

from .visitors import SNAPSHOT, draft

KEY = KeyRing("chain-test-secret-key-0123456789abcdef")
ERASED_SEQ, EDITED_SEQ, LENGTH = 2, 4, 6


@pytest.fixture
def path(tmp_path):
    """Six receipts on a real file; the visitor of seq 2 has had theirs erased."""
    path = tmp_path / "consent.db"
    store = Store(path)
    store.migrate()
    for n in range(1, LENGTH + 1):
        store.record_receipt(draft(n), SNAPSHOT)
    erasure.erase_visitor(store, KEY, draft(ERASED_SEQ)["consent_id"])
    store.close()
    return path


def tamper(path, *statements):
    db = sqlite3.connect(path)
    with db:
        for sql, *params in statements:
            db.execute(sql, params)
    db.close()


def verify(path, anchor=None, key=KEY) -> chain.ChainReport:
    store = Store(path)
    try:
        return chain.verify(store, key, anchor)
    finally:
        store.close()


def broken_at(path) -> tuple:
    report = verify(path)
    assert not report.ok, "tampering went unnoticed"
    return report.broken.seq, report.broken.reason


def head(path) -> tuple[int, str]:
    return sqlite3.connect(path).execute(
        "SELECT seq, hash FROM receipts ORDER BY seq DESC LIMIT 1").fetchone()


def test_untouched_chain_is_ok_with_counts(path):
    report = verify(path)
    assert report.ok and report.broken is None
    assert (report.receipts, report.erased) == (LENGTH, 1)
    assert report.first["seq"] == 1 and report.last["seq"] == LENGTH
    assert (report.last["seq"], report.last["hash"]) == head(path)
    body = report.as_dict()
    assert body["ok"] is True and body["erasure_seals_checked"] is True


PAYLOAD_EDITS = {
    "consent_id": "f" * 32, "site": "evil.example", "region": "us-opt-out", "country": "US",
    "subdivision": "US-CA", "model": "opt-out", "revision": 2, "config_hash": "d" * 64,
    "method": "custom", "choices": '{"analytics":true,"marketing":true,"personalization":true}',
    "gpc": 1, "lang": "fr", "page": "https://shop.example/other", "ip_prefix": "10.1.2.0/24",
    "user_agent": "Chrome/Windows",
}


def test_every_payload_field_has_an_edit_below():
    assert set(PAYLOAD_EDITS) == set(columns.PAYLOAD_FIELDS)


@pytest.mark.parametrize("field", sorted(PAYLOAD_EDITS))
def test_edited_payload_field_breaks_at_its_row(path, field):
    tamper(path, (f"UPDATE receipts SET {field} = ? WHERE seq = ?", PAYLOAD_EDITS[field],
                  EDITED_SEQ))
    assert broken_at(path) == (EDITED_SEQ, "payload_hash_mismatch")


@pytest.mark.parametrize("field", ["page", "subdivision", "consent_id"])
def test_emptied_payload_field_breaks_at_its_row(path, field):
    tamper(path, (f"UPDATE receipts SET {field} = NULL WHERE seq = ?", EDITED_SEQ))
    assert broken_at(path) == (EDITED_SEQ, "payload_hash_mismatch")


@pytest.mark.parametrize("sql", [
    # the same meaning in other bytes is still an edit: rows are kept exactly as written
    "UPDATE receipts SET choices = replace(choices, ':', ': ') WHERE seq = ?",
    "UPDATE receipts SET gpc = 2 WHERE seq = ?",
    "UPDATE receipts SET choices = 'not json' WHERE seq = ?",
])
def test_re_encoded_payload_breaks_at_its_row(path, sql):
    tamper(path, (sql, EDITED_SEQ))
    assert broken_at(path) == (EDITED_SEQ, "payload_hash_mismatch")


@pytest.mark.parametrize("field, value, reason", [
    ("recorded_at", "2020-01-01T00:00:00.000000Z", "link_hash_mismatch"),
    ("receipt_id", "e" * 32, "link_hash_mismatch"),
    ("payload_hash", "a" * 64, "payload_hash_mismatch"),
    ("hash", "b" * 64, "link_hash_mismatch"),
    ("prev_hash", "c" * 64, "prev_hash_mismatch"),
])
def test_edited_chain_field_breaks_at_its_row(path, field, value, reason):
    tamper(path, (f"UPDATE receipts SET {field} = ? WHERE seq = ?", value, EDITED_SEQ))
    assert broken_at(path) == (EDITED_SEQ, reason)


def test_deleted_row_is_missing(path):
    tamper(path, ("DELETE FROM receipts WHERE seq = ?", EDITED_SEQ))
    report = verify(path)
    assert (report.broken.seq, report.broken.reason, report.broken.receipt_id) == (
        EDITED_SEQ, "missing_row", None)
    assert report.receipts == EDITED_SEQ - 1


def test_deleted_first_row_is_missing(path):
    tamper(path, ("DELETE FROM receipts WHERE seq = 1",))
    assert broken_at(path) == (1, "missing_row")


def test_deleted_row_with_renumbered_successors_breaks_the_link(path):
    tamper(path, ("DELETE FROM receipts WHERE seq = ?", EDITED_SEQ),
           ("UPDATE receipts SET seq = seq - 1 WHERE seq > ?", EDITED_SEQ))
    assert broken_at(path) == (EDITED_SEQ, "prev_hash_mismatch")


def test_reordered_rows_break_at_the_first_moved_one(path):
    tamper(path, ("UPDATE receipts SET seq = -1 WHERE seq = 3",),
           ("UPDATE receipts SET seq = 3 WHERE seq = 4",),
           ("UPDATE receipts SET seq = 4 WHERE seq = -1",))
    assert broken_at(path) == (3, "prev_hash_mismatch")


def test_first_row_must_start_at_genesis(path):
    tamper(path, ("UPDATE receipts SET prev_hash = ? WHERE seq = 1", "1" * 64))
    assert broken_at(path) == (1, "bad_genesis")


@pytest.mark.parametrize("sql, params, reason", [
    ("UPDATE receipts SET payload_hash = ? WHERE seq = ?", ("a" * 64,), "link_hash_mismatch"),
    ("UPDATE receipts SET consent_id = ? WHERE seq = ?", ("f" * 32,), "erased_not_empty"),
    ("UPDATE receipts SET erasure_seal = ? WHERE seq = ?", ("0" * 64,), "bad_erasure"),
    ("UPDATE receipts SET erased_at = ? WHERE seq = ?", ("2030-01-01T00:00:00.000000Z",),
     "bad_erasure"),
    ("UPDATE receipts SET erasure_id = ? WHERE seq = ?", (99,), "bad_erasure"),
])
def test_edited_erased_row_breaks_at_its_row(path, sql, params, reason):
    tamper(path, (sql, *params, ERASED_SEQ))
    assert broken_at(path) == (ERASED_SEQ, reason)


def test_deleted_erasure_log_entry_is_noticed(path):
    tamper(path, ("DELETE FROM erasures",))
    assert broken_at(path) == (ERASED_SEQ, "bad_erasure")


def test_receipt_cannot_be_hidden_by_faking_its_erasure(path):
    empty = ", ".join(f"{field} = NULL" for field in columns.PAYLOAD_FIELDS)
    tamper(path, (f"UPDATE receipts SET {empty}, erased_at = ?, erasure_id = 1,"
                  " erasure_seal = ? WHERE seq = ?",
                  "2030-01-01T00:00:00.000000Z", "0" * 64, EDITED_SEQ))
    assert broken_at(path) == (EDITED_SEQ, "bad_erasure")
    # without the key the seals cannot be checked, and the report says so
    report = verify(path, key=None)
    assert report.ok and report.seals_checked is False
    assert report.as_dict()["erasure_seals_checked"] is False


def test_removed_tail_is_caught_by_an_anchor(path):
    anchor = head(path)
    tamper(path, ("DELETE FROM receipts WHERE seq = ?", LENGTH))
    assert verify(path).ok      # the chain alone cannot see a shortened end ...
    report = verify(path, anchor)
    assert (report.broken.seq, report.broken.reason) == (LENGTH, "truncated")


def test_rewritten_history_is_caught_by_an_anchor(path):
    anchor = head(path)
    rewrite_from(path, EDITED_SEQ, method="custom")
    assert verify(path).ok      # ... nor a log rewritten with fresh hashes
    report = verify(path, anchor)
    assert (report.broken.seq, report.broken.reason) == (LENGTH, "anchor_mismatch")
    assert verify(path, (1, verify(path).first["hash"])).ok


def rewrite_from(path, seq: int, **changes):
    """An intruder who knows the hash scheme: edit a row, then recompute every hash after it."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    with db:
        for field, value in changes.items():
            db.execute(f"UPDATE receipts SET {field} = ? WHERE seq = ?", (value, seq))
        prev = db.execute("SELECT hash FROM receipts WHERE seq = ?", (seq - 1,)).fetchone()[0]
        for row in db.execute("SELECT * FROM receipts WHERE seq >= ? ORDER BY seq", (seq,)):
            row = dict(row)
            digest = row["payload_hash"]
            if row["erased_at"] is None:
                digest = sealing.payload_hash(
                    {**row, "choices": json.loads(row["choices"]), "gpc": bool(row["gpc"])})
            new = sealing.link_hash(prev, row["receipt_id"], row["recorded_at"], digest)
            db.execute("UPDATE receipts SET payload_hash = ?, prev_hash = ?, hash = ?"
                       " WHERE seq = ?", (digest, prev, new, row["seq"]))
            prev = new
    db.close()


COLUMNS = ("receipt_id", "recorded_at", *columns.PAYLOAD_FIELDS, "payload_hash", "prev_hash",
           "hash")


def as_stored(sealed: dict) -> tuple:
    encoded = {"choices": sealing.choices_json(sealed["choices"]), "gpc": int(sealed["gpc"])}
    return tuple(encoded.get(column, sealed.get(column)) for column in COLUMNS)


def bulk_chain(path, length: int) -> None:
    """A valid chain of ``length`` receipts written straight into the file (fast)."""
    store = Store(path)
    store.migrate()
    store.close()
    prev, start, batch = sealing.GENESIS, datetime(2026, 1, 1, tzinfo=timezone.utc), []
    for n in range(length):
        sealed = sealing.seal(draft(n), prev, start + timedelta(seconds=n))
        batch.append(as_stored(sealed))
        prev = sealed["hash"]
    db = sqlite3.connect(path)
    with db:
        db.executemany(f"INSERT INTO receipts ({', '.join(COLUMNS)})"
                       f" VALUES ({', '.join('?' * len(COLUMNS))})", batch)
    db.close()


def peak_memory_of_verify(path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        report = verify(path)
        return report.receipts, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_however_long_the_chain(tmp_path):
    bulk_chain(tmp_path / "short.db", 500)
    bulk_chain(tmp_path / "long.db", 10_000)
    short, short_peak = peak_memory_of_verify(tmp_path / "short.db")
    long, long_peak = peak_memory_of_verify(tmp_path / "long.db")
    assert (short, long) == (500, 10_000)
    # 20 times the rows, not 20 times the memory: rows are streamed, not collected
    assert long_peak < 2 * short_peak, (short_peak, long_peak)


def test_a_database_from_before_erasure_upgrades_and_verifies(tmp_path):
    """Receipts written before m002_rights_erasure verify and erase after the upgrade."""
    sqlite3.connect(tmp_path / "consent.db").close()     # a store opens only a file that exists
    store = Store(tmp_path / "consent.db")
    store.db.execute("PRAGMA journal_mode=WAL")
    migrations.apply(store.db, stop_before="m002_rights_erasure")
    old = sqlite3.connect(tmp_path / "consent.db")
    sealed = sealing.seal(draft(1), sealing.GENESIS)
    with old:
        old.execute(f"INSERT INTO receipts ({', '.join(COLUMNS)})"
                    f" VALUES ({', '.join('?' * len(COLUMNS))})", as_stored(sealed))
    old.close()
    assert "m002_rights_erasure" in store.migrate()     # and any later migrations
    assert chain.verify(store, KEY).ok
    assert erasure.erase_visitor(store, KEY, draft(1)["consent_id"])["receipts"] == 1
    report = chain.verify(store, KEY)
    assert report.ok and (report.receipts, report.erased) == (1, 1)
