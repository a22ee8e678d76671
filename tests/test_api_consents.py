import json

import pytest

from consent.ledger import receipts

from .conftest import SITE
from .engines import sql
from .mmdb import ADDRESSES

ALL = {"analytics": True, "personalization": True, "marketing": True}
NONE = {"analytics": False, "personalization": False, "marketing": False}

@pytest.fixture
def database(any_database):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_database



def choice(**overrides):
    body = {"revision": 1, "choices": ALL, "method": "accept_all", "gpc": False, "lang": "de",
            "page": f"{SITE}/rings?coupon=SECRET#x"}
    body.update(overrides)
    return body


def post(client, body, place="DE", content_type="application/json", headers=None):
    headers = {"X-Forwarded-For": ADDRESSES[place], "Origin": SITE,
               "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
               **(headers or {})}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    headers = {k: v for k, v in headers.items() if v != ""}     # "": leave the header out
    return client.post("/api/v1/consents", data=data, content_type=content_type, headers=headers)


def test_receipt_round_trip(app, client):
    response = post(client, choice())
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"consent_id", "receipt_id", "recorded_at", "signature"}
    stored = app.extensions["consent.store"].receipt(body["receipt_id"])
    assert stored["consent_id"] == body["consent_id"]
    assert stored["recorded_at"] == body["recorded_at"]
    assert stored["region"] == "eea" and stored["country"] == "DE"
    assert stored["subdivision"] == "DE-BE" and stored["model"] == "opt-in"
    assert stored["choices"] == ALL and stored["method"] == "accept_all"
    assert stored["lang"] == "de" and stored["site"] == "shop.example"
    assert stored["page"] == f"{SITE}/rings"
    assert stored["ip_prefix"] == "85.214.0.0/24"
    assert stored["user_agent"] == "Firefox/Linux"
    book = app.extensions["consent.policies"]
    assert stored["config_hash"] == book.banner(book.catalog.regions["eea"], "de").config_hash
    assert receipts.signature_check(app.extensions["consent.keys"], stored, body["signature"]) \
        == "valid"


def test_region_is_taken_server_side_never_from_the_body(client):
    response = post(client, choice(region="us-opt-out"))
    assert response.status_code == 422
    assert "region" in response.get_json()["error"]["fields"]


def test_returning_visitor_keeps_consent_id(app, client):
    first = post(client, choice()).get_json()
    second = post(client, choice(consent_id=first["consent_id"], method="reject_all",
                                 choices=NONE)).get_json()
    assert second["consent_id"] == first["consent_id"]
    history = app.extensions["consent.store"].receipts_for(first["consent_id"])
    assert [r["method"] for r in history] == ["accept_all", "reject_all"]
    assert history[1]["prev_hash"] == history[0]["hash"]


def test_text_plain_is_accepted_to_avoid_preflight(client):
    response = post(client, json.dumps(choice()), content_type="text/plain")
    assert response.status_code == 201


@pytest.mark.parametrize("body, field", [
    (choice(choices={**ALL, "necessary": True}), "choices.necessary"),
    (choice(choices={**ALL, "tracking": True}), "choices.tracking"),
    (choice(choices={"analytics": True, "marketing": True}), "choices.personalization"),
    (choice(choices={**ALL, "analytics": "yes"}), "choices.analytics"),
    (choice(choices={**ALL, "analytics": 1}), "choices.analytics"),
    (choice(method="maybe"), "method"),
    (choice(revision="1"), "revision"),
    (choice(revision=0), "revision"),
    (choice(revision=99), "revision"),
    (choice(consent_id="not-hex"), "consent_id"),
    (choice(method="reject_all"), "choices"),
    (choice(method="accept_all", choices=NONE), "choices"),
    (choice(method="gpc", choices=NONE, gpc=False), "gpc"),
    (choice(config_hash="0" * 64), "config_hash"),
    (choice(ip="85.214.0.1"), "ip"),
    ({k: v for k, v in choice().items() if k != "choices"}, "choices"),
])
def test_invalid_choices_are_422_and_nothing_is_stored(app, client, body, field):
    response = post(client, body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["status"] == 422 and field in error["fields"], error
    assert app.extensions["consent.store"].count_receipts() == 0


def test_receipt_from_foreign_origin_is_refused(app, client):
    response = post(client, choice(), headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert app.extensions["consent.store"].count_receipts() == 0


def test_gpc_receipt_in_opt_out_region(app, client):
    body = choice(method="gpc", gpc=True, lang="en",
                  choices={"analytics": True, "personalization": False, "marketing": False})
    created = post(client, body, place="US-CA").get_json()
    stored = app.extensions["consent.store"].receipt(created["receipt_id"])
    assert (stored["region"], stored["model"], stored["gpc"]) == ("us-opt-out", "opt-out", True)


def test_config_snapshot_stored_once_per_hash(app, client):
    post(client, choice())
    post(client, choice())
    rows = sql(app.extensions["consent.store"], "SELECT config_hash, body FROM config_snapshots")
    assert len(rows) == 1
    assert json.loads(rows[0]["body"])["texts"]["accept_all"] == "Alle akzeptieren"
