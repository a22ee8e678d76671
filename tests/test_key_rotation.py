"""Rotating CONSENT_SECRET_KEY: the new key signs, retired keys (CONSENT_RETIRED_KEYS) verify.

Signatures and erasure seals carry the id of the key that made them, so the
chain check (`verify`, the API), `verify-receipt` and the public signature
check keep working across rotations, and receipts signed before key ids
existed (a bare HMAC) still verify.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3

import pytest

from consent import create_app
from consent.config.settings import ConfigurationError, load
from consent.ledger.keys import KeyRing, key_id

from .conftest import TOKENS
from .visitors import choose

KEY_A = "first-secret-key-of-this-service-0123456789"
KEY_B = "second-secret-key-after-one-rotation-98765"
KEY_C = "third-secret-key-after-two-rotations-abcdef"
AUDIT = {"Authorization": f"Bearer {TOKENS['audit']}"}


@pytest.fixture
def service(settings_for):
    """service(current, *retired) -> an app on the same database with those keys."""

    def start(current: str, *retired: str):
        return create_app(settings_for(CONSENT_SECRET_KEY=current,
                                       CONSENT_RETIRED_KEYS=",".join(retired)), environ={})

    return start


def public_check(client, receipt: dict, headers=None) -> dict:
    response = client.post(f"/api/v1/receipts/{receipt['receipt_id']}/verify-signature",
                           json={"signature": receipt["signature"]}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["consent", *args])


def test_two_rotations_keep_every_signature_and_seal_verifiable(service):
    first = service(KEY_A)
    client = first.test_client()
    kept_a = choose(client)                      # signed under A, kept
    erased_a = choose(client)                    # signed under A, erased under A
    assert client.delete(erased_a["location"]).status_code == 200
    assert kept_a["signature"].startswith(key_id(KEY_A) + ".")

    second = service(KEY_B, KEY_A)               # rotation 1: B signs, A verifies
    client = second.test_client()
    kept_b = choose(client)
    assert kept_b["signature"].startswith(key_id(KEY_B) + ".")
    assert client.delete(kept_a["location"]).status_code == 200     # A's receipt erased under B
    # an erasure logged under the old key is still found (the log's keyed names, per key)
    record = client.get(erased_a["location"]).get_json()
    assert record["erased"] is True and len(record["erasures"]) == 1
    assert client.delete(erased_a["location"]).get_json()["erased"] is True

    third = service(KEY_C, KEY_B, KEY_A)         # rotation 2
    client = third.test_client()
    signed_c = choose(client)
    assert signed_c["signature"].startswith(key_id(KEY_C) + ".")
    for receipt in (kept_a, erased_a, kept_b, signed_c):
        assert public_check(client, receipt, AUDIT) == {
            "receipt_id": receipt["receipt_id"], "valid": True, "reason": None}
        result = cli(third, "verify-receipt", receipt["receipt_id"], receipt["signature"])
        assert result.exit_code == 0 and "valid" in result.output, result.output
    verified = cli(third, "verify")
    assert verified.exit_code == 0 and "Chain OK: 4 receipts (2 erased)." in verified.output
    report = client.get("/api/v1/receipts/verify", headers=AUDIT).get_json()
    assert report["ok"] and report["erasure_seals_checked"] and report["erased"] == 2
    # the visitor's download is signed again, under the key that signs now
    again = client.get(kept_b["location"]).get_json()["receipts"][0]["signature"]
    assert again.startswith(key_id(KEY_C) + ".")
    assert public_check(client, {**kept_b, "signature": again})["valid"] is True


def test_a_key_dropped_from_the_retired_list_no_longer_verifies_and_says_why(service):
    first = service(KEY_A)
    client = first.test_client()
    receipt = choose(client)
    erased = choose(client)
    client.delete(erased["location"])

    forgetful = service(KEY_B)                   # A rotated out and not kept
    client = forgetful.test_client()
    assert public_check(client, receipt) == {"receipt_id": receipt["receipt_id"], "valid": False}
    assert public_check(client, receipt, AUDIT)["reason"] == "unknown_key"
    result = cli(forgetful, "verify-receipt", receipt["receipt_id"], receipt["signature"])
    assert result.exit_code == 1 and "does not hold" in result.output
    broken = client.get("/api/v1/receipts/verify", headers=AUDIT).get_json()["broken"]
    assert (broken["receipt_id"], broken["reason"]) == (erased["receipt_id"], "unknown_seal_key")
    assert "CONSENT_RETIRED_KEYS" in broken["message"]


def test_a_signature_from_another_key_with_a_known_id_is_still_a_mismatch(service, client):
    receipt = choose(client)
    kid, digest = receipt["signature"].split(".")
    forged = f"{kid}.{hmac.new(b'not-our-key-0123456789abcdef0123', b'x', 'sha256').hexdigest()}"
    body = public_check(client, {**receipt, "signature": forged}, AUDIT)
    assert body["valid"] is False and body["reason"] == "signature_mismatch"


def legacy_signature(secret: str, receipt: dict) -> str:
    """How receipts were signed before key ids: a bare HMAC (the earlier code, spelled out)."""
    message = f"{receipt['receipt_id']}|{receipt['recorded_at']}|{receipt['hash']}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_receipts_and_seals_made_before_key_ids_still_verify_after_a_rotation(service):
    first = service(KEY_A)
    client = first.test_client()
    receipt = choose(client)
    erased = choose(client)
    client.delete(erased["location"])
    database = first.extensions["consent.settings"].database
    # Make the erased row look as the earlier version sealed it: a bare HMAC under A.
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT receipt_id, payload_hash, erased_at, erasure_id FROM receipts"
                         " WHERE receipt_id = ?", (erased["receipt_id"],)).fetchone()
        bare = hmac.new(KEY_A.encode(), "erased|{}|{}|{}|{}".format(*row).encode(),
                        hashlib.sha256).hexdigest()
        db.execute("UPDATE receipts SET erasure_seal = ? WHERE receipt_id = ?",
                   (bare, erased["receipt_id"]))
    stored = first.extensions["consent.store"].receipt_as_stored(receipt["receipt_id"])
    old_signature = legacy_signature(KEY_A, stored)

    rotated = service(KEY_B, KEY_A)
    client = rotated.test_client()
    body = public_check(client, {**receipt, "signature": old_signature}, AUDIT)
    assert body == {"receipt_id": receipt["receipt_id"], "valid": True, "reason": None}
    assert cli(rotated, "verify-receipt", receipt["receipt_id"], old_signature).exit_code == 0
    assert cli(rotated, "verify").exit_code == 0
    # and a bare HMAC under a key nobody holds is refused
    assert public_check(client, {**receipt, "signature": legacy_signature(KEY_C, stored)}
                        )["valid"] is False


def test_key_ids_name_keys_without_revealing_them():
    ring = KeyRing(KEY_B, [KEY_A, KEY_A, KEY_B])
    assert ring.ids == (key_id(KEY_B), key_id(KEY_A))      # duplicates and the current one dropped
    assert len(key_id(KEY_A)) == 8 and key_id(KEY_A) != key_id(KEY_B)
    assert KEY_A[:8] not in key_id(KEY_A)


@pytest.mark.parametrize("retired, complaint", [
    (KEY_A, "holds the current CONSENT_SECRET_KEY"),
    ("short-old-key", "shorter than 32 characters"),
])
def test_bad_retired_keys_stop_start_up(tmp_path, retired, complaint):
    with pytest.raises(ConfigurationError, match=complaint):
        load({"CONSENT_MODE": "production", "CONSENT_SECRET_KEY": KEY_A,
              "CONSENT_TOKENS": f"stats:{TOKENS['stats']},audit:{TOKENS['audit']}",
              "CONSENT_DATABASE": str(tmp_path / "c.db"), "CONSENT_RETIRED_KEYS": retired})


def test_settings_show_how_many_retired_keys_not_the_keys(tmp_path):
    settings = load({"CONSENT_DATABASE": str(tmp_path / "c.db"),
                     "CONSENT_RETIRED_KEYS": f"{KEY_A}, {KEY_B}"})
    assert settings.retired_keys == (KEY_A, KEY_B)
    assert settings.describe()["retired_keys"] == "2 key(s)"
