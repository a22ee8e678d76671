"""Visitors' rights by consent_id: access and portability (GET), erasure (DELETE)."""

import json

import pytest

from consent.ledger import chain
from consent.storage import columns, sealing

from .conftest import SITE
from .visitors import ALL, NONE, choose, rollups, rows


@pytest.fixture
def db_path(app):
    return app.extensions["consent.settings"].database


def test_created_receipt_says_where_the_record_lives(client):
    created = choose(client)
    assert created["location"] == f"/api/v1/consents/{created['consent_id']}"


def test_download_holds_every_receipt_with_the_texts_shown(app, client):
    first = choose(client, place="DE")
    second = choose(client, place="DE", consent_id=first["consent_id"], method="reject_all")
    choose(client, place="GB")     # somebody else: not in this record

    response = client.get(first["location"], headers={"Origin": SITE})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="consent-record-{first["consent_id"]}.json"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    record = response.get_json()
    assert record["format"] == "consent-record/1" and record["erased"] is False
    assert record["consent_id"] == first["consent_id"] and record["erasures"] == []
    assert [r["receipt_id"] for r in record["receipts"]] == [first["receipt_id"],
                                                             second["receipt_id"]]
    latest = record["receipts"][1]
    assert (latest["method"], latest["choices"], latest["gpc"]) == ("reject_all", NONE, False)
    assert record["receipts"][0]["choices"] == ALL
    assert (latest["region"], latest["country"], latest["model"]) == ("eea", "DE", "opt-in")
    assert latest["ip_prefix"] == "85.214.0.0/24" and latest["user_agent"] == "Firefox/Linux"
    assert latest["page"] == f"{SITE}/rings" and latest["recorded_at"] == second["recorded_at"]
    # the signature handed out at the time is in the download, so the visitor can prove it later
    assert latest["signature"] == second["signature"]
    # what the visitor saw: the exact English opt-in banner stored for that config hash
    shown = record["configurations"][latest["config_hash"]]
    book = app.extensions["consent.policies"]
    assert shown == book.snapshots[latest["config_hash"]]
    assert shown["texts"]["reject_all"] == "Reject all" and shown["model"] == "opt-in"


def test_download_alone_lets_anybody_recompute_the_hashes(client):
    created = choose(client)
    record = json.loads(client.get(created["location"]).data)   # a file, not a Python object
    receipt = record["receipts"][0]
    assert receipt["payload_hash"] == sealing.payload_hash(receipt)
    assert receipt["hash"] == sealing.link_hash(receipt["prev_hash"], receipt["receipt_id"],
                                                 receipt["recorded_at"], receipt["payload_hash"])


def test_erasure_empties_the_payload_in_the_file_and_keeps_the_chain(app, client, db_path):
    others = [choose(client, place="GB") for _ in range(2)]
    first = choose(client, place="DE")
    second = choose(client, place="DE", consent_id=first["consent_id"], method="reject_all")
    others.append(choose(client, place="JP"))
    before = rows(db_path)
    counted = rollups(db_path)

    response = client.delete(first["location"], headers={"Origin": SITE})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    erasure = response.get_json()
    assert erasure["consent_id"] == first["consent_id"] and erasure["erased"] is True
    assert erasure["receipts"] == 2

    after = rows(db_path)
    assert len(after) == len(before)
    erased = {r["receipt_id"]: r for r in after if r["erased_at"]}
    assert set(erased) == {first["receipt_id"], second["receipt_id"]}
    for row in erased.values():
        assert all(row[field] is None for field in columns.PAYLOAD_FIELDS), row
        assert row["erased_at"] == erasure["erased_at"]
    # chain fields untouched, everybody else untouched
    for old, new in zip(before, after):
        assert {k: new[k] for k in ("seq", "receipt_id", "recorded_at", "payload_hash",
                                    "prev_hash", "hash")} == \
               {k: old[k] for k in ("seq", "receipt_id", "recorded_at", "payload_hash",
                                    "prev_hash", "hash")}
        if new["receipt_id"] not in erased:
            assert new == old
    report = chain.verify(app.extensions["consent.store"], app.extensions["consent.keys"])
    assert report.ok and (report.receipts, report.erased) == (5, 2)
    # the visitor's answer of today (reject_all, in the EEA) leaves today's roll-ups, so that a
    # new answer after the erasure counts once (tests/test_erasure_counting.py); nothing else moves
    answers_before = {row[:-1]: row[-1] for row in counted["daily_answers"]}
    answers_after = {row[:-1]: row[-1] for row in rollups(db_path)["daily_answers"]}
    changed = {k: (answers_before[k], answers_after[k]) for k in answers_before
               if answers_before[k] != answers_after[k]}
    assert [(k[2], k[4], v) for k, v in changed.items()] == [("eea", "reject_all", (1, 0))]


def test_erased_id_and_payload_are_not_left_in_the_database_file(client, db_path):
    visitor = choose(client, address="85.214.97.13", page=f"{SITE}/engagement-rings-erasable")
    choose(client, place="GB")
    files = lambda: b"".join(p.read_bytes() for p in db_path.parent.glob("consent.db*"))
    assert visitor["consent_id"].encode() in files()      # the search finds what is there
    assert client.delete(visitor["location"]).status_code == 200
    content = files()
    for trace in (visitor["consent_id"], "85.214.97.0/24", "engagement-rings-erasable"):
        assert content.find(trace.encode()) == -1, f"{trace} is still in the file"


def test_erasure_is_idempotent(client, db_path):
    created = choose(client)
    first = client.delete(created["location"])
    state = rows(db_path), rows(db_path, "SELECT * FROM erasures")
    again = client.delete(created["location"])
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert (rows(db_path), rows(db_path, "SELECT * FROM erasures")) == state


def test_erasure_is_recorded_and_a_later_download_says_erased(client, db_path):
    created = choose(client)
    erased = client.delete(created["location"]).get_json()
    log = rows(db_path, "SELECT * FROM erasures")
    assert len(log) == 1 and log[0]["reason"] == "request" and log[0]["receipts"] == 1
    # the log names the visitor by a keyed hash only, never by the id itself
    assert log[0]["subject"] and created["consent_id"] not in json.dumps(log)

    response = client.get(created["location"])
    assert response.status_code == 200
    record = response.get_json()
    assert record["erased"] is True and record["receipts"] == []
    assert record["erasures"] == [{"reason": "request", "erased_at": erased["erased_at"],
                                   "receipts": 1}]


def test_choices_after_an_erasure_are_kept_again(client):
    created = choose(client)
    client.delete(created["location"])
    later = choose(client, consent_id=created["consent_id"], method="reject_all")
    record = client.get(created["location"]).get_json()
    assert record["erased"] is False
    assert [r["receipt_id"] for r in record["receipts"]] == [later["receipt_id"]]
    assert len(record["erasures"]) == 1


@pytest.mark.parametrize("method", ["get", "delete"])
def test_unknown_id_is_404(client, method):
    choose(client)
    response = getattr(client, method)(f"/api/v1/consents/{'ab' * 16}")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "No consent record is kept under this id."


@pytest.mark.parametrize("method", ["get", "delete"])
@pytest.mark.parametrize("bad_id", ["not-hex", "AB" * 16, "ab" * 15, "ab" * 17, "g" * 32])
def test_malformed_id_is_422(client, method, bad_id):
    response = getattr(client, method)(f"/api/v1/consents/{bad_id}")
    assert response.status_code == 422
    assert "consent_id" in response.get_json()["error"]["fields"]


def test_erasure_from_a_foreign_origin_is_refused(client, db_path):
    created = choose(client)
    response = client.delete(created["location"], headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert rows(db_path)[0]["consent_id"] == created["consent_id"]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_preflight_from_a_site_allows_get_and_delete(client, method):
    response = client.options(f"/api/v1/consents/{'ab' * 16}", headers={
        "Origin": SITE, "Access-Control-Request-Method": method})
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert method in response.headers["Access-Control-Allow-Methods"]


def test_preflight_from_a_foreign_origin_gets_nothing(client):
    response = client.options(f"/api/v1/consents/{'ab' * 16}", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_widget_may_read_location_and_filename_headers(client):
    response = client.post("/api/v1/consents", headers={"Origin": SITE}, json={
        "revision": 1, "method": "reject_all", "choices": NONE})
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert "Location" in exposed and "Content-Disposition" in exposed
