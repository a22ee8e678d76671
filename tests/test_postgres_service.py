"""The service on PostgreSQL: visitors' rights, proof, retention, seeding and moving house.

(The stats, exports, dashboard and receipt API tests run on both engines in
their own files; the storage contract in test_storage_contract.py.)
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from consent import create_app
from consent.ledger import chain
from consent.ledger.keys import KeyRing

from .conftest import SECRET_KEY, SITE
from .engines import sql
from .reporting import bearer, record
from .visitors import choose


@pytest.fixture
def database(postgres_url):
    return postgres_url


def test_access_erasure_and_proof_on_postgres(app, client):
    first = choose(client, place="DE")
    again = choose(client, place="DE", consent_id=first["consent_id"], method="reject_all")
    other = choose(client, place="GB")
    record_ = client.get(first["location"], headers={"Origin": SITE}).get_json()
    assert [r["receipt_id"] for r in record_["receipts"]] == [first["receipt_id"],
                                                             again["receipt_id"]]
    checked = client.post(f"/api/v1/receipts/{other['receipt_id']}/verify-signature",
                          json={"signature": other["signature"]}).get_json()
    assert checked["valid"] is True
    assert client.delete(first["location"], headers={"Origin": SITE}).status_code == 200
    assert client.delete(first["location"], headers={"Origin": SITE}).status_code == 200
    assert client.get(first["location"]).get_json()["erased"] is True
    store = app.extensions["consent.store"]
    assert sql(store, "SELECT count(*) AS n FROM receipts WHERE erased_at IS NOT NULL")[0]["n"] == 2
    report = client.get("/api/v1/receipts/verify", headers=bearer("audit")).get_json()
    assert report["ok"] and report["receipts"] == 3 and report["erased"] == 2


def test_cli_verify_with_an_anchor_and_purge_on_postgres(app, runner):
    store = app.extensions["consent.store"]
    old = (datetime.now(timezone.utc) - timedelta(days=500)).date().isoformat()
    for hour in (9, 10, 11):
        record(store, old, hour)
    kept = store.record_receipt(*_fresh())
    result = runner.invoke(args=["consent", "verify"])
    assert result.exit_code == 0 and "Chain OK: 4 receipts" in result.output, result.output
    anchor = next(line.split()[-1] for line in result.output.splitlines()
                  if line.startswith("anchor"))
    purged = runner.invoke(args=["consent", "purge", "--older-than", "13mo"])
    assert purged.exit_code == 0, purged.output
    assert store.count_recorded_before(old + "T23:59:59Z") == 0
    assert store.receipt(kept["receipt_id"])["consent_id"] == kept["consent_id"]
    anchored = runner.invoke(args=["consent", "verify", "--anchor", anchor])
    assert anchored.exit_code == 0, anchored.output


def _fresh():
    from .reporting import SNAPSHOT, receipt_draft

    return receipt_draft(), SNAPSHOT


def test_seeding_the_demo_on_postgres(settings_for):
    app = create_app(settings_for(CONSENT_MODE="demo"), environ={})
    result = app.test_cli_runner().invoke(args=["consent", "seed", "--days", "5", "--visitors",
                                                "300", "--random-seed", "1"])
    assert result.exit_code == 0, result.output
    report = chain.verify(app.extensions["consent.store"], KeyRing(SECRET_KEY))
    assert report.ok and report.receipts >= 300


# ---- moving a SQLite history to PostgreSQL -------------------------------------------

@pytest.fixture
def sqlite_app(settings_for, tmp_path):
    return create_app(settings_for(CONSENT_DATABASE=str(tmp_path / "history.db")), environ={})


def test_move_store_copies_everything_and_verifies_with_the_same_anchor(sqlite_app, postgres_url,
                                                                       settings_for):
    client = sqlite_app.test_client()
    visitors = [choose(client, place=place) for place in ("DE", "GB", "CH", "US-CA", "DE")]
    choose(client, consent_id=visitors[0]["consent_id"], method="reject_all")
    assert client.delete(visitors[1]["location"], headers={"Origin": SITE}).status_code == 200
    assert client.get("/api/v1/stats", headers=bearer("stats")).status_code == 200
    source = sqlite_app.extensions["consent.store"]
    before = chain.verify(source, KeyRing(SECRET_KEY))

    result = sqlite_app.test_cli_runner().invoke(args=["consent", "move-store", "--to",
                                                       postgres_url])
    assert result.exit_code == 0, result.output
    anchor = f"{before.last['seq']}:{before.last['hash']}"
    assert f"source anchor  {anchor}" in result.output
    assert f"target anchor  {anchor}" in result.output
    assert "receipts          6 rows" in result.output

    moved = create_app(settings_for(CONSENT_DATABASE=postgres_url), environ={})
    target = moved.extensions["consent.store"]
    for table in ("receipts", "config_snapshots", "erasures", "daily_answers", "daily_grants",
                  "access_log"):
        order = "1, 2, 3"
        assert sql(target, f"SELECT * FROM {table} ORDER BY {order}") == \
            sql(source, f"SELECT * FROM {table} ORDER BY {order}"), table
    # the moved service carries on: the same visitor, a new receipt on the moved chain
    moved_client = moved.test_client()
    later = choose(moved_client, consent_id=visitors[2]["consent_id"], method="reject_all")
    record_ = moved_client.get(later["location"]).get_json()
    assert len(record_["receipts"]) == 2
    assert moved_client.get(visitors[1]["location"]).get_json()["erased"] is True
    after = chain.verify(target, KeyRing(SECRET_KEY), (before.last["seq"], before.last["hash"]))
    assert after.ok and after.receipts == 7
    # new erasures and exports get ids after the moved ones
    assert moved_client.delete(visitors[3]["location"], headers={"Origin": SITE}).status_code == 200
    assert sql(target, "SELECT max(id) AS n FROM erasures")[0]["n"] == 2


def test_move_store_refuses_a_target_that_is_not_empty(sqlite_app, postgres_url):
    choose(sqlite_app.test_client())
    runner = sqlite_app.test_cli_runner()
    assert runner.invoke(args=["consent", "move-store", "--to", postgres_url]).exit_code == 0
    again = runner.invoke(args=["consent", "move-store", "--to", postgres_url])
    assert again.exit_code == 1
    assert "Refusing to move" in again.output and "receipts: 1 rows" in again.output
