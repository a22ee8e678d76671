"""The storage contract: what every engine offers (consent/storage/interface.py), run on each.

Every test runs once on SQLite (a file) and once on PostgreSQL (a fresh
database on the tests' own server, tests/servers.py). ``sql`` reads an
engine's tables directly, to check what is really stored.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from consent.ledger import receipts
from consent.storage import StoreUnavailable, columns, interface, open_store, sealing
from consent.storage.batching import Pending

SNAPSHOT = {"region": "eea", "lang": "en", "revision": 1, "texts": {}}
ALL = {"analytics": True, "personalization": True, "marketing": True}
NONE = {"analytics": False, "personalization": False, "marketing": False}


def draft(consent_id, method="accept_all", choices=None, region="eea"):
    return {"receipt_id": receipts.new_consent_id(), "consent_id": consent_id,
            "site": "shop.example", "region": region, "country": "DE", "subdivision": None,
            "model": "opt-in", "revision": 1, "config_hash": "c" * 64, "method": method,
            "choices": choices or ALL, "gpc": False, "lang": "en", "page": None,
            "ip_prefix": "85.214.0.0/24", "user_agent": "Chrome/Windows"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        return tmp_path / "consent.db"
    return request.getfixturevalue("postgres_url")


def is_postgres(store) -> bool:
    return type(store).__name__ == "PostgresStore"


def make_store(database, batching="process"):
    store = open_store(database, batching)
    store.migrate()
    return store


@pytest.fixture
def store(database):
    store = make_store(database)
    yield store
    store.close()


def sql(store, query: str) -> list[tuple]:
    """Rows of ``query`` (no parameters), read past the interface."""
    if is_postgres(store):
        with store.connection() as conn:
            return [tuple(row) for row in conn.execute(query).fetchall()]
    return [tuple(row) for row in store.db.execute(query).fetchall()]


def answers(store) -> dict:
    return dict(sql(store, "SELECT method, sum(answers) FROM daily_answers GROUP BY method"))


def grants(store) -> dict:
    return dict(sql(store, "SELECT category, sum(granted) FROM daily_grants GROUP BY category"))


def chain_links(store) -> list[tuple]:
    return sql(store, "SELECT prev_hash, hash FROM receipts ORDER BY seq")


def assert_one_chain(store, count):
    rows = chain_links(store)
    assert len(rows) == count and rows[0][0] == sealing.GENESIS
    assert all(a[1] == b[0] for a, b in zip(rows, rows[1:]))


# ---- the schema ---------------------------------------------------------------------

def test_the_receipts_table_holds_exactly_the_named_columns(store):
    """Migrations spell out the columns of their day; columns.py names them for everyone else."""
    if is_postgres(store):
        held = [r[0] for r in sql(store, "SELECT column_name FROM information_schema.columns"
                                         " WHERE table_name = 'receipts'")]
    else:
        held = [row[1] for row in sql(store, "PRAGMA table_info(receipts)")]
    assert sorted(held) == sorted(["seq", *columns.RECEIPT_FIELDS, *columns.ERASURE_FIELDS])
    assert not {"ip", "ip_address", "remote_addr"} & set(held)


def test_the_engine_offers_everything_the_interface_names(store):
    named = {name for protocol in interface.Store.__mro__
             if protocol.__module__ == interface.__name__
             for name in vars(protocol) if not name.startswith("_")}
    assert named and {name for name in named if not callable(getattr(store, name, None))} == set()


def test_migrations_are_idempotent(store, database):
    assert store.migrate() == []
    assert make_store(database).migrate() == []


# ---- receipts and the chain ------------------------------------------------------------

def test_committed_receipt_survives_a_new_store(store, database):
    stored = store.record_receipt(draft("a" * 32), SNAPSHOT)
    store.close()
    again = make_store(database)
    assert again.receipt(stored["receipt_id"])["hash"] == stored["hash"]
    assert again.receipts_for("a" * 32)[0]["choices"] == ALL
    assert again.count_receipts() == 1


def test_chain_links_each_receipt_to_its_predecessor(store):
    first = store.record_receipt(draft("a" * 32), SNAPSHOT)
    second = store.record_receipt(draft("b" * 32), SNAPSHOT)
    assert first["prev_hash"] == sealing.GENESIS
    assert second["prev_hash"] == first["hash"]
    assert second["hash"] == sealing.link_hash(first["hash"], second["receipt_id"],
                                                second["recorded_at"], second["payload_hash"])
    assert second["payload_hash"] == sealing.payload_hash(second)
    with store.chain() as rows:
        walked = list(rows)
    assert [r["hash"] for r in walked] == [first["hash"], second["hash"]]
    assert walked[0]["erasure_reason"] is None and walked[0]["choices"] == '{"analytics":true,' \
        '"marketing":true,"personalization":true}'


def test_rollups_count_a_visitors_latest_choice_once_a_day(store):
    store.record_receipt(draft("a" * 32), SNAPSHOT)
    store.record_receipt(draft("b" * 32, "reject_all", NONE), SNAPSHOT)
    assert answers(store) == {"accept_all": 1, "reject_all": 1}
    # visitor a changes their mind the same day: still one answer, now a withdrawal
    store.record_receipt(draft("a" * 32, "withdraw", NONE), SNAPSHOT)
    assert answers(store) == {"accept_all": 0, "reject_all": 1, "withdraw": 1}
    assert grants(store) == {"analytics": 0, "personalization": 0, "marketing": 0}
    custom = {"analytics": True, "personalization": False, "marketing": False}
    store.record_receipt(draft("c" * 32, "custom", custom), SNAPSHOT)
    assert grants(store)["analytics"] == 1
    today = datetime.now(timezone.utc).date()
    by_region = store.answer_counts(today, today, "region", {})
    assert sorted(by_region) == [("eea", "custom", 0, 1), ("eea", "reject_all", 0, 1),
                                 ("eea", "withdraw", 0, 1)] or \
        sum(n for *_, n in by_region) == 3
    assert ("eea", "analytics", 1) in store.grant_counts(today, today, "region", {})


def test_a_changed_mind_in_one_batch_is_counted_once(store):
    """Two receipts of one visitor in the same transaction: the second replaces the first."""
    items = [Pending(draft("a" * 32), SNAPSHOT), Pending(draft("a" * 32, "withdraw", NONE),
                                                          SNAPSHOT)]
    store._commit_batch(items)
    assert all(i.receipt for i in items)
    assert answers(store).get("accept_all", 0) == 0 and answers(store)["withdraw"] == 1


def test_concurrent_threads_share_commits_and_keep_one_chain(store):
    with ThreadPoolExecutor(16) as pool:
        stored = list(pool.map(lambda n: store.record_receipt(draft(f"{n:032x}"), SNAPSHOT),
                               range(200)))
    assert len({r["receipt_id"] for r in stored}) == 200
    assert_one_chain(store, 200)
    assert sum(answers(store).values()) == 200


def test_seeding_many_receipts_in_one_transaction(store):
    days = [datetime(2026, 3, d, 12, tzinfo=timezone.utc) for d in (1, 1, 2)]
    batch = [(draft("a" * 32), SNAPSHOT, days[0]), (draft("a" * 32, "withdraw", NONE),
                                                    SNAPSHOT, days[1]),
             (draft("b" * 32), SNAPSHOT, days[2])]
    assert store.record_receipts(batch) == 3
    assert_one_chain(store, 3)
    assert store.count_receipts_between(date(2026, 3, 1), date(2026, 3, 1)) == 2
    assert [r["method"] for r in store.receipts_between(date(2026, 3, 1), date(2026, 3, 2),
                                                        page_size=1)] == \
        ["accept_all", "withdraw", "accept_all"]
    assert answers(store) == {"accept_all": 1, "withdraw": 1}
    assert store.config_snapshots(["c" * 64, "d" * 64]) == {"c" * 64: SNAPSHOT}


def test_a_resent_receipt_is_stored_once(store):
    """A receipt re-sent after its answer was lost returns the stored one, not a second row."""
    first = Pending(draft("a" * 32), SNAPSHOT)
    store._commit_batch([first])
    again = Pending(first.draft, SNAPSHOT, resent=True)
    store._commit_batch([again])
    assert again.error is None and again.receipt["hash"] == first.receipt["hash"]
    assert store.count_receipts() == 1 and sum(answers(store).values()) == 1


# ---- failures ---------------------------------------------------------------------

def test_an_unreachable_database_raises_store_unavailable(database, tmp_path):
    if isinstance(database, str):
        from tests.servers import free_port

        where = f"postgresql://nobody@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    else:
        where = tmp_path / "no-such-dir" / "deeper" / "consent.db"
        (tmp_path / "no-such-dir").write_text("a file, not a directory")
    store = open_store(where, "process")
    with pytest.raises(StoreUnavailable):
        store.record_receipt(draft("a" * 32), SNAPSHOT)
    assert store.healthy() is False


def test_a_receipt_that_fails_alone_does_not_sink_its_batch(store):
    good = draft("a" * 32)
    bad = dict(draft("b" * 32), choices=None)     # cannot be counted: fails inside the batch
    items = [Pending(good, SNAPSHOT), Pending(bad, SNAPSHOT)]
    store._commit_batch(items)
    assert items[0].receipt and items[0].error is None
    assert items[1].receipt is None and items[1].error is not None
    assert store.count_receipts() == 1 and sum(answers(store).values()) == 1
    assert_one_chain(store, 1)


def inject(store, fault: str) -> None:
    """Make the database itself fail: the roll-up write (``rollups``) or the COMMIT (``commit``)."""
    if is_postgres(store):
        with store.connection() as conn:
            conn.execute("""CREATE FUNCTION injected() RETURNS trigger LANGUAGE plpgsql AS
                            $$ BEGIN RAISE unique_violation USING MESSAGE = 'injected fault';
                            END $$""")
            if fault == "rollups":
                conn.execute("CREATE TRIGGER injected BEFORE INSERT ON daily_answers"
                             " FOR EACH ROW EXECUTE FUNCTION injected()")
            else:   # checked at COMMIT only
                conn.execute("CREATE CONSTRAINT TRIGGER injected AFTER INSERT ON receipts"
                             " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                             " EXECUTE FUNCTION injected()")
        return
    db = store.db
    if fault == "rollups":
        db.execute("CREATE TRIGGER injected BEFORE INSERT ON daily_answers"
                   " BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
    else:   # a deferred foreign key is checked at COMMIT only
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("CREATE TABLE injected (seq INTEGER REFERENCES nowhere (id)"
                   " DEFERRABLE INITIALLY DEFERRED)")
        db.execute("CREATE TABLE nowhere (id INTEGER PRIMARY KEY)")
        db.execute("CREATE TRIGGER injected AFTER INSERT ON receipts"
                   " BEGIN INSERT INTO injected VALUES (new.seq); END")


def heal(store) -> None:
    if is_postgres(store):
        with store.connection() as conn:
            conn.execute("DROP TRIGGER IF EXISTS injected ON daily_answers")
            conn.execute("DROP TRIGGER IF EXISTS injected ON receipts")
    else:
        store.db.execute("DROP TRIGGER injected")


@pytest.mark.parametrize("fault", ["rollups", "commit"])
def test_a_failed_batch_fails_every_receipt_of_it_and_leaves_the_connection_clean(store, fault):
    """The _commit_batch bug: six queued receipts, the roll-up write or the COMMIT fails.

    Before the fix five callers got 201s for rolled-back receipts, and a failed
    COMMIT left the transaction open, so the next writer waited 30 s for a 503.
    """
    store.record_receipt(draft("f" * 32), SNAPSHOT)
    inject(store, fault)
    batch = [Pending(draft(f"{n:032x}"), SNAPSHOT) for n in range(6)]
    store._commit_batch(batch)
    assert all(item.receipt is None for item in batch)
    assert all(item.error is not None and "injected" in str(item.error).lower()
               or "foreign key" in str(item.error).lower() for item in batch)
    assert store.count_receipts() == 1 and sum(answers(store).values()) == 1
    heal(store)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (store.record_receipt(draft("e" * 32), SNAPSHOT),
                                              done.set()))
    began = datetime.now()
    worker.start()
    worker.join(10)
    assert done.is_set(), "the next writer is stuck behind the failed transaction"
    assert (datetime.now() - began) < timedelta(seconds=5)
    assert_one_chain(store, 2)


# ---- erasure, retention, the access log --------------------------------------------

def seal(receipt_id, payload_hash, erased_at, erasure_id):
    return f"seal:{receipt_id}:{erasure_id}"


def test_erasure_empties_every_payload_of_a_visitor_and_logs_it(store):
    kept = store.record_receipt(draft("b" * 32), SNAPSHOT)
    first = store.record_receipt(draft("a" * 32), SNAPSHOT)
    store.record_receipt(draft("a" * 32, "withdraw", NONE), SNAPSHOT)
    assert store.erase_consent("a" * 32, "subject-hash", "2026-05-01T00:00:00Z", seal) == 2
    assert store.erase_consent("a" * 32, "subject-hash", "2026-05-01T00:00:01Z", seal) == 0
    erased = store.receipt_as_stored(first["receipt_id"])
    assert erased["erasure_reason"] == "request" and erased["erasure_seal"].startswith("seal:")
    assert all(erased[field] is None for field in columns.PAYLOAD_FIELDS)
    assert erased["hash"] == first["hash"] and erased["payload_hash"] == first["payload_hash"]
    assert store.receipts_for("a" * 32) == []
    assert store.receipt(kept["receipt_id"])["consent_id"] == "b" * 32
    assert store.erasures_of("subject-hash") == [
        {"reason": "request", "erased_at": "2026-05-01T00:00:00Z", "receipts": 2}]
    assert store.count_subjects_before("2026-06-01") == 1
    assert store.forget_subjects_before("2026-06-01") == 1
    assert store.erasures_of("subject-hash") == []
    assert_one_chain(store, 3)


def test_retention_purge_erases_what_is_older_than_the_cutoff_in_batches(store):
    old = datetime(2025, 1, 1, tzinfo=timezone.utc)
    store.record_receipts([(draft(f"{n:032x}"), SNAPSHOT, old) for n in range(7)])
    new = store.record_receipt(draft("n" * 32), SNAPSHOT)
    assert store.count_recorded_before("2025-06-01") == 7
    assert store.erase_recorded_before("2025-06-01", "2026-05-01T00:00:00Z", seal, batch=3) == 7
    assert store.count_recorded_before("2025-06-01") == 0
    assert store.receipt(new["receipt_id"])["consent_id"] == "n" * 32
    assert sql(store, "SELECT reason, receipts, cutoff FROM erasures") == [
        ("retention", 7, "2025-06-01")]
    assert_one_chain(store, 8)


def test_access_log_records_every_export_latest_first(store):
    first = store.log_access("token:1", "audit", "api", "receipts", {"from": "2026-01-01"})
    second = store.log_access("cli", "cli", "cli", "stats", {"group": "day"}, rows=3)
    store.finish_access(first, 42)
    log = store.access_log()
    assert [entry["id"] for entry in log] == [second, first]
    assert log[1]["rows"] == 42 and log[1]["finished_at"] and log[1]["params"] == {
        "from": "2026-01-01"}
    assert store.access_log(limit=1)[0]["who"] == "cli"


def test_healthy_says_whether_the_tables_answer(store):
    assert store.healthy() is True


def test_psycopg_is_imported_only_for_a_postgresql_url(tmp_path):
    """SQLite, the embedded default, needs nothing of PostgreSQL's client to run."""
    import subprocess
    import sys

    script = ("import sys; from consent.storage import open_store; "
              f"s = open_store({str(tmp_path / 'c.db')!r}); s.migrate(); "
              "print(sorted(m for m in sys.modules if m.startswith('psycopg')))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=str(Path(__file__).resolve().parent.parent)).stdout
    assert out.strip() == "[]"
