"""`flask consent verify | verify-receipt | purge` through Flask's CLI runner."""

import json
import sqlite3
from datetime import datetime, timezone

import pytest

from consent.config.retention import Period

from .visitors import SNAPSHOT, choose, draft, tables


@pytest.fixture
def db_path(app):
    return app.extensions["consent.settings"].database


def test_verify_ok_prints_counts_and_an_anchor(runner, client, db_path):
    created = [choose(client) for _ in range(3)]
    client.delete(created[0]["location"])
    result = runner.invoke(args=["consent", "verify"])
    assert result.exit_code == 0, result.output
    assert "Chain OK: 3 receipts (1 erased)." in result.output
    seq, digest = sqlite3.connect(db_path).execute(
        "SELECT seq, hash FROM receipts ORDER BY seq DESC").fetchone()
    assert f"anchor   {seq}:{digest}" in result.output
    anchored = runner.invoke(args=["consent", "verify", "--anchor", f"{seq}:{digest}"])
    assert anchored.exit_code == 0, anchored.output


def test_verify_on_an_empty_log(runner):
    result = runner.invoke(args=["consent", "verify"])
    assert result.exit_code == 0 and "Chain OK: 0 receipts (0 erased)." in result.output


def test_verify_names_the_broken_row_and_fails(runner, client, db_path):
    created = [choose(client) for _ in range(3)]
    with sqlite3.connect(db_path) as db:
        db.execute("DELETE FROM receipts WHERE seq = 2")
    result = runner.invoke(args=["consent", "verify"])
    assert result.exit_code == 1
    assert "Chain BROKEN at seq 2: missing_row" in result.output
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE receipts SET page = 'https://evil.example/' WHERE seq = 3")
        db.execute("UPDATE receipts SET seq = 2 WHERE seq = 3")
    as_json = runner.invoke(args=["consent", "verify", "--json"])
    report = json.loads(as_json.output)
    assert as_json.exit_code == 1 and report["ok"] is False
    assert report["broken"] == {"seq": 2, "receipt_id": created[2]["receipt_id"],
                                "reason": "prev_hash_mismatch",
                                "message": report["broken"]["message"]}


def test_verify_refuses_a_malformed_anchor(runner):
    result = runner.invoke(args=["consent", "verify", "--anchor", "12:nothex"])
    assert result.exit_code == 2 and "is not SEQ:HASH" in result.output


def test_verify_receipt_valid(runner, client):
    created = choose(client)
    result = runner.invoke(args=["consent", "verify-receipt", created["receipt_id"],
                                 created["signature"]])
    assert result.exit_code == 0, result.output
    assert "valid; signed by this service, row intact" in result.output
    assert "accept_all in eea (opt-in)" in result.output


def test_verify_receipt_after_erasure_says_so(runner, client):
    created = choose(client)
    client.delete(created["location"])
    result = runner.invoke(args=["consent", "verify-receipt", created["receipt_id"],
                                 created["signature"]])
    assert result.exit_code == 0 and "payload erased" in result.output
    assert "(request)" in result.output


@pytest.mark.parametrize("alter, message", [
    ("signature", "not the service's signature"),
    ("row", "a field was edited"),
    ("id", "no receipt with this id"),
])
def test_verify_receipt_invalid(runner, client, db_path, alter, message):
    created = choose(client)
    receipt_id, signature = created["receipt_id"], created["signature"]
    if alter == "signature":
        signature = signature[::-1]
    elif alter == "row":
        with sqlite3.connect(db_path) as db:
            db.execute("UPDATE receipts SET gpc = 1 WHERE receipt_id = ?", (receipt_id,))
    else:
        receipt_id = "0" * 32
    result = runner.invoke(args=["consent", "verify-receipt", receipt_id, signature])
    assert result.exit_code == 1
    assert "INVALID" in result.output and message in result.output


@pytest.fixture
def aged(app):
    """Receipts 20 and 14 months old and one from today."""
    store = app.extensions["consent.store"]
    now = datetime.now(timezone.utc)
    for n, months in enumerate((20, 14, 0), start=1):
        store.record_receipt(draft(n), SNAPSHOT, now=Period(months, "mo").cutoff(now))
    return store.path


def test_purge_dry_run_changes_nothing(runner, aged):
    before = tables(aged)
    result = runner.invoke(args=["consent", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would erase the payload of 2 receipts" in result.output
    assert "(older than 13mo)" in result.output and "Dry run: nothing was changed." in result.output
    assert tables(aged) == before


def test_purge_erases_past_the_configured_retention(runner, aged):
    result = runner.invoke(args=["consent", "purge"])
    assert result.exit_code == 0, result.output
    assert "Erased the payload of 2 receipts" in result.output
    kept = sqlite3.connect(aged).execute(
        "SELECT seq FROM receipts WHERE erased_at IS NULL").fetchall()
    assert kept == [(3,)]
    assert runner.invoke(args=["consent", "verify"]).exit_code == 0


def test_purge_older_than(runner, aged):
    result = runner.invoke(args=["consent", "purge", "--older-than", "18mo"])
    assert "Erased the payload of 1 receipt recorded" in result.output


def test_purge_refuses_a_period_shorter_than_a_consent_lifetime(runner, aged):
    before = tables(aged)
    result = runner.invoke(args=["consent", "purge", "--older-than", "30d"])
    assert result.exit_code == 2 and "longest consent lifetime" in result.output
    assert tables(aged) == before
    forced = runner.invoke(args=["consent", "purge", "--older-than", "30d", "--force"])
    assert forced.exit_code == 0 and "Erased the payload of 2 receipts" in forced.output


def test_purge_refuses_a_malformed_period(runner):
    result = runner.invoke(args=["consent", "purge", "--older-than", "13 months"])
    assert result.exit_code == 2 and "not a period like" in result.output
