import sqlite3

import pytest

from consent.ledger import receipts
from consent.storage import StoreUnavailable, columns, sealing
from consent.storage.sqlite.store import SqliteStore as Store


def draft(consent_id, method="accept_all", choices=None, region="eea"):
    choices = choices or {"analytics": True, "personalization": True, "marketing": True}
    return {"receipt_id": receipts.new_consent_id(), "consent_id": consent_id,
            "site": "shop.example", "region": region, "country": "DE", "subdivision": None,
            "model": "opt-in", "revision": 1, "config_hash": "c" * 64, "method": method,
            "choices": choices, "gpc": False, "lang": "en", "page": None,
            "ip_prefix": "85.214.0.0/24", "user_agent": "Chrome/Windows"}


SNAPSHOT = {"region": "eea", "lang": "en", "revision": 1, "texts": {}}


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "consent.db")
    store.migrate()
    return store


def test_the_receipts_table_holds_exactly_the_named_columns(store):
    """Migrations spell out the columns of their day; columns.py names them for everyone else."""
    held = [row[1] for row in store.db.execute("PRAGMA table_info(receipts)").fetchall()]
    assert sorted(held) == sorted(["seq", *columns.RECEIPT_FIELDS, *columns.ERASURE_FIELDS])


def test_the_sqlite_engine_offers_everything_the_interface_names(store):
    from consent.storage import interface

    named = {name for protocol in interface.Store.__mro__ if protocol.__module__ == interface.__name__
             for name in vars(protocol) if not name.startswith("_")}
    assert named and {name for name in named if not callable(getattr(store, name, None))} == set()


def test_database_is_in_wal_mode_and_migrations_are_idempotent(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.migrate() == []


def test_committed_receipt_survives_a_new_connection(store, tmp_path):
    stored = store.record_receipt(draft("a" * 32), SNAPSHOT)
    fresh = sqlite3.connect(tmp_path / "consent.db")
    row = fresh.execute("SELECT hash, consent_id FROM receipts WHERE receipt_id = ?",
                        (stored["receipt_id"],)).fetchone()
    assert row == (stored["hash"], "a" * 32)


def test_chain_links_each_receipt_to_its_predecessor(store):
    first = store.record_receipt(draft("a" * 32), SNAPSHOT)
    second = store.record_receipt(draft("b" * 32), SNAPSHOT)
    assert first["prev_hash"] == sealing.GENESIS
    assert second["prev_hash"] == first["hash"]
    assert second["hash"] == sealing.link_hash(first["hash"], second["receipt_id"],
                                                second["recorded_at"], second["payload_hash"])
    assert second["payload_hash"] == sealing.payload_hash(second)


def answers(store):
    return {(r["method"]): r["answers"] for r in store.db.query(
        "SELECT method, sum(answers) AS answers FROM daily_answers GROUP BY method")}


def grants(store):
    return {r["category"]: r["granted"] for r in store.db.query(
        "SELECT category, sum(granted) AS granted FROM daily_grants GROUP BY category")}


def test_rollups_count_a_visitors_latest_choice_once_a_day(store):
    none = {"analytics": False, "personalization": False, "marketing": False}
    store.record_receipt(draft("a" * 32), SNAPSHOT)
    store.record_receipt(draft("b" * 32, "reject_all", none), SNAPSHOT)
    assert answers(store) == {"accept_all": 1, "reject_all": 1}
    # visitor a changes their mind the same day: still one answer, now a withdrawal
    store.record_receipt(draft("a" * 32, "withdraw", none), SNAPSHOT)
    assert answers(store) == {"accept_all": 0, "reject_all": 1, "withdraw": 1}
    assert grants(store) == {"analytics": 0, "personalization": 0, "marketing": 0}
    custom = {"analytics": True, "personalization": False, "marketing": False}
    store.record_receipt(draft("c" * 32, "custom", custom), SNAPSHOT)
    assert grants(store)["analytics"] == 1
    assert sum(answers(store).values()) == 3


def test_failed_write_stores_nothing(store):
    store.record_receipt(draft("a" * 32), SNAPSHOT)
    store.db.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreUnavailable):
        store.record_receipt(draft("b" * 32), SNAPSHOT)
    store.db.execute("PRAGMA query_only = OFF")
    assert store.count_receipts() == 1
    assert sum(answers(store).values()) == 1


def test_no_full_ip_column_exists(store):
    columns = {c[1] for c in store.db.execute("PRAGMA table_info(receipts)").fetchall()}
    assert "ip_prefix" in columns and not {"ip", "ip_address", "remote_addr"} & columns


def test_concurrent_threads_share_commits_and_keep_one_chain(store):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(16) as pool:
        stored = list(pool.map(lambda n: store.record_receipt(draft(f"{n:032x}"), SNAPSHOT),
                               range(200)))
    assert len({r["receipt_id"] for r in stored}) == 200
    rows = store.db.execute("SELECT prev_hash, hash FROM receipts ORDER BY seq").fetchall()
    assert len(rows) == 200 and rows[0][0] == sealing.GENESIS
    assert all(a[1] == b[0] for a, b in zip(rows, rows[1:]))
    assert sum(answers(store).values()) == 200


def test_a_receipt_that_fails_alone_does_not_sink_its_batch(store):
    good = draft("a" * 32)
    bad = dict(draft("b" * 32), choices=None)     # cannot be counted: fails inside the batch
    from consent.storage.batching import Pending

    items = [Pending(good, SNAPSHOT), Pending(bad, SNAPSHOT)]
    store._commit_batch(items)
    assert items[0].receipt and items[0].error is None
    assert items[1].receipt is None and items[1].error is not None
    assert store.count_receipts() == 1 and sum(answers(store).values()) == 1
