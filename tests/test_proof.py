"""Proof endpoints: the chain check (audit scope) and the public signature check."""

import sqlite3

import pytest

from .conftest import TOKENS
from .visitors import choose

AUDIT = {"Authorization": f"Bearer {TOKENS['audit']}"}
STATS = {"Authorization": f"Bearer {TOKENS['stats']}"}


@pytest.fixture
def db_path(app):
    return app.extensions["consent.settings"].database


def check(client, receipt_id, signature, headers=None):
    return client.post(f"/api/v1/receipts/{receipt_id}/verify-signature",
                       json={"signature": signature}, headers=headers)


def test_chain_check_reports_ok_with_counts(client, db_path):
    created = [choose(client, place) for place in ("DE", "GB", "US-CA")]
    client.delete(created[1]["location"])
    response = client.get("/api/v1/receipts/verify", headers=AUDIT)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    report = response.get_json()
    assert report["ok"] is True and report["broken"] is None
    assert (report["receipts"], report["erased"]) == (3, 1)
    assert report["first"]["receipt_id"] == created[0]["receipt_id"]
    assert report["last"]["receipt_id"] == created[2]["receipt_id"]
    assert report["erasure_seals_checked"] is True


def test_chain_check_names_the_broken_row(client, db_path):
    created = [choose(client) for _ in range(3)]
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE receipts SET method = 'accept_all', choices = ? WHERE seq = 2",
                   ('{"analytics":false,"marketing":false,"personalization":false}',))
    report = client.get("/api/v1/receipts/verify", headers=AUDIT).get_json()
    assert report["ok"] is False and report["receipts"] == 1
    assert report["broken"]["seq"] == 2
    assert report["broken"]["receipt_id"] == created[1]["receipt_id"]
    assert report["broken"]["reason"] == "payload_hash_mismatch"
    assert "edited" in report["broken"]["message"]


def test_chain_check_with_an_anchor(client):
    choose(client)
    head = client.get("/api/v1/receipts/verify", headers=AUDIT).get_json()["last"]
    choose(client)
    anchored = client.get(f"/api/v1/receipts/verify?anchor={head['seq']}:{head['hash']}",
                          headers=AUDIT).get_json()
    assert anchored["ok"] is True
    wrong = client.get(f"/api/v1/receipts/verify?anchor={head['seq']}:{'0' * 64}",
                       headers=AUDIT).get_json()
    assert wrong["broken"]["reason"] == "anchor_mismatch"
    beyond = client.get(f"/api/v1/receipts/verify?anchor=9:{head['hash']}",
                        headers=AUDIT).get_json()
    assert (beyond["broken"]["seq"], beyond["broken"]["reason"]) == (9, "truncated")


@pytest.mark.parametrize("query", ["anchor=12", "anchor=1:xyz", "anchor=0:" + "0" * 64,
                                   "anchr=1:" + "0" * 64])
def test_chain_check_refuses_a_malformed_query(client, query):
    response = client.get(f"/api/v1/receipts/verify?{query}", headers=AUDIT)
    assert response.status_code == 422


@pytest.mark.parametrize("headers, status", [({}, 401), (STATS, 403),
                                             ({"Authorization": "Bearer nope"}, 401)])
def test_chain_check_needs_the_audit_scope(client, headers, status):
    response = client.get("/api/v1/receipts/verify", headers=headers)
    assert response.status_code == status
    assert set(response.get_json()) == {"error"}


def test_signature_of_a_real_receipt_is_valid(client):
    created = choose(client)
    response = check(client, created["receipt_id"], created["signature"])
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {"receipt_id": created["receipt_id"], "valid": True}


def test_signature_stays_valid_after_the_payload_is_erased(client):
    created = choose(client)
    client.delete(created["location"])
    assert check(client, created["receipt_id"], created["signature"]).get_json()["valid"] is True


def flip(hex_digits: str) -> str:
    return hex_digits[:-1] + ("0" if hex_digits[-1] != "0" else "1")


def test_altered_signature_is_invalid_and_reveals_nothing_more(client):
    created = choose(client)
    response = check(client, created["receipt_id"], flip(created["signature"]))
    assert response.status_code == 200
    assert response.get_json() == {"receipt_id": created["receipt_id"], "valid": False}
    # an unknown receipt looks exactly the same from outside
    unknown = check(client, "ab" * 16, created["signature"])
    assert unknown.get_json() == {"receipt_id": "ab" * 16, "valid": False}


def test_someone_elses_signature_is_invalid(client):
    mine, theirs = choose(client), choose(client, place="GB")
    assert check(client, mine["receipt_id"], theirs["signature"]).get_json()["valid"] is False


@pytest.mark.parametrize("sql, reason", [
    ("UPDATE receipts SET method = 'custom' WHERE receipt_id = ?", "payload_hash_mismatch"),
    ("UPDATE receipts SET recorded_at = '2020-01-01T00:00:00.000000Z' WHERE receipt_id = ?",
     "signature_mismatch"),
    ("UPDATE receipts SET hash = '" + "b" * 64 + "' WHERE receipt_id = ?", "signature_mismatch"),
    ("UPDATE receipts SET prev_hash = '" + "b" * 64 + "' WHERE receipt_id = ?",
     "link_hash_mismatch"),
])
def test_altered_stored_row_fails_the_signature_check(client, db_path, sql, reason):
    created = choose(client)
    with sqlite3.connect(db_path) as db:
        db.execute(sql, (created["receipt_id"],))
    assert check(client, created["receipt_id"], created["signature"]).get_json()["valid"] is False
    # an auditor is told why
    audited = check(client, created["receipt_id"], created["signature"], AUDIT).get_json()
    assert audited == {"receipt_id": created["receipt_id"], "valid": False, "reason": reason}


def test_auditor_sees_why_a_signature_is_invalid(client):
    created = choose(client)
    body = check(client, "ab" * 16, created["signature"], AUDIT).get_json()
    assert body["reason"] == "unknown_receipt"
    body = check(client, created["receipt_id"], created["signature"], AUDIT).get_json()
    assert body == {"receipt_id": created["receipt_id"], "valid": True, "reason": None}


def test_a_bad_token_is_refused_not_ignored(client):
    created = choose(client)
    response = check(client, created["receipt_id"], created["signature"],
                     {"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


@pytest.mark.parametrize("receipt_id, body, field", [
    ("not-a-receipt", {"signature": "a" * 64}, "receipt_id"),
    ("ab" * 16, {"signature": "a" * 63}, "signature"),
    ("ab" * 16, {"signature": "A" * 64}, "signature"),
    ("ab" * 16, {}, "signature"),
    ("ab" * 16, {"signature": "a" * 64, "extra": 1}, "extra"),
])
def test_malformed_signature_check_is_422(client, receipt_id, body, field):
    response = client.post(f"/api/v1/receipts/{receipt_id}/verify-signature", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_signature_check_takes_text_plain_too(client):
    created = choose(client)
    response = client.post(f"/api/v1/receipts/{created['receipt_id']}/verify-signature",
                           data=f'{{"signature": "{created["signature"]}"}}',
                           content_type="text/plain")
    assert response.get_json()["valid"] is True
