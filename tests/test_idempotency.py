"""A receipt stored once: the idempotency key, on both engines (DESIGN.md, issue 13).

A receipt whose post was in flight when the page closed stays queued and is
posted again. Under its key (``Idempotency-Key`` header, or ``idempotency_key``
in the body for the widget, which must not preflight) the repeat answers the
first receipt: the same receipt_id, recorded_at and signature, nothing stored.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from consent import create_app
from consent.ledger import erasure
from consent.ledger.keys import KeyRing
from consent.storage import sealing
from consent.storage.batching import Pending
from consent.storage.errors import KeyErased, KeyReused
from consent.storage.idempotency import Idempotency

from .conftest import SECRET_KEY, SITE
from .reporting import bearer
from .test_error_shape import assert_error_shape
from .test_storage_contract import SNAPSHOT, answers, draft, make_store, sql

LONG_AGO = "2000-01-01T00:00:00.000000Z"


@pytest.fixture
def database(any_database):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_database


@pytest.fixture
def store(database):
    store = make_store(database)
    yield store
    store.close()


def key(name="k-1", request="r" * 64, since=LONG_AGO) -> Idempotency:
    return Idempotency(name, request, since)


def receipt_rows(store) -> int:
    return sql(store, "SELECT count(*) FROM receipts")[0][0]


# ---- the store ------------------------------------------------------------------------

def test_a_repeat_answers_the_first_receipt_and_stores_nothing(store):
    first = store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key())
    again = store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key())
    assert {k: again[k] for k in ("receipt_id", "recorded_at", "hash", "consent_id")} == \
        {k: first[k] for k in ("receipt_id", "recorded_at", "hash", "consent_id")}
    assert receipt_rows(store) == 1 and answers(store) == {"accept_all": 1}
    # another key is another receipt
    store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key("k-2"))
    assert receipt_rows(store) == 2


def test_a_key_with_another_request_is_refused(store):
    store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key(request="1" * 64))
    with pytest.raises(KeyReused):
        store.record_receipt(draft("a" * 32, "reject_all"), SNAPSHOT,
                             idempotency=key(request="2" * 64))
    assert receipt_rows(store) == 1


def test_an_expired_key_is_a_new_key(store):
    old = store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key())
    later = sealing.utc_timestamp(datetime.now(timezone.utc) + timedelta(seconds=1))
    new = store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key(since=later))
    assert new["receipt_id"] != old["receipt_id"] and receipt_rows(store) == 2
    # and the key now answers with the new receipt
    assert store.record_receipt(draft("a" * 32), SNAPSHOT,
                                idempotency=key())["receipt_id"] == new["receipt_id"]


def test_repeats_in_one_batch_are_stored_once(store):
    batch = [Pending(draft("a" * 32), SNAPSHOT, idempotency=key()) for _ in range(3)]
    batch.insert(1, Pending(draft("b" * 32), SNAPSHOT, idempotency=key("other")))
    store._commit_batch(batch)
    assert all(item.error is None for item in batch)
    ids = {item.receipt["receipt_id"] for item in batch}
    assert len(ids) == 2 and receipt_rows(store) == 2
    assert batch[0].receipt["receipt_id"] == batch[2].receipt["receipt_id"] \
        == batch[3].receipt["receipt_id"]


def test_a_receipt_that_failed_keeps_no_key(store):
    broken = {**draft("a" * 32), "choices": "not choices"}     # fails alone in its batch
    good = Pending(draft("c" * 32), SNAPSHOT, idempotency=key("k-good"))
    bad = Pending(broken, SNAPSHOT, idempotency=key("k-bad"))
    store._commit_batch([bad, good])
    assert bad.error is not None and good.error is None
    kept = sql(store, "SELECT key FROM idempotency_keys ORDER BY key")
    assert kept == [("k-good",)]
    retried = store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key("k-bad"))
    assert retried["consent_id"] == "a" * 32 and receipt_rows(store) == 2


def test_concurrent_repeats_store_one_receipt(database):
    store = make_store(database)
    results, errors = [], []

    def post():
        try:
            results.append(store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key()))
        except Exception as error:   # noqa: BLE001 - collected for the assert
            errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    assert not errors and len({r["receipt_id"] for r in results}) == 1
    assert receipt_rows(make_store(database)) == 1


def test_through_the_machines_sequencer_too(database):
    """Another worker's sequencer commits the batch: the answer carries the first receipt."""
    store = make_store(database, batching="machine")
    try:
        first = store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key())
        again = store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key())
        assert (again["receipt_id"], again["recorded_at"], again["hash"]) == \
            (first["receipt_id"], first["recorded_at"], first["hash"])
        with pytest.raises(KeyReused):
            store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key(request="x" * 64))
        store.erase_consent("a" * 32, "subject", sealing.utc_timestamp(),
                            erasure.sealer(KeyRing(SECRET_KEY)))
        with pytest.raises(KeyErased):
            store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key())
        assert store._batches.sequencer is not None
        assert receipt_rows(store) == 1
    finally:
        store.close()


def test_a_key_whose_receipt_was_erased_answers_nothing(store):
    store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key())
    store.erase_consent("a" * 32, "subject", sealing.utc_timestamp(),
                        erasure.sealer(KeyRing(SECRET_KEY)))
    with pytest.raises(KeyErased):
        store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key())
    assert receipt_rows(store) == 1


def test_the_purge_forgets_expired_keys(store):
    store.record_receipt(draft("a" * 32), SNAPSHOT, idempotency=key())
    now = datetime.now(timezone.utc)
    keys = KeyRing(SECRET_KEY)
    dry = erasure.purge(store, keys, now - timedelta(days=400), dry_run=True,
                        now=now + timedelta(days=31), key_lifetime=timedelta(days=30))
    assert dry.keys == 1 and sql(store, "SELECT count(*) FROM idempotency_keys")[0][0] == 1
    kept = erasure.purge(store, keys, now - timedelta(days=400), now=now + timedelta(days=29),
                         key_lifetime=timedelta(days=30))
    assert kept.keys == 0
    gone = erasure.purge(store, keys, now - timedelta(days=400), now=now + timedelta(days=31),
                         key_lifetime=timedelta(days=30))
    assert gone.keys == 1 and sql(store, "SELECT count(*) FROM idempotency_keys")[0][0] == 0


# ---- the API --------------------------------------------------------------------------

BODY = {"revision": 1, "method": "accept_all", "lang": "en", "page": f"{SITE}/rings",
        "choices": {"analytics": True, "personalization": True, "marketing": True}}


@pytest.fixture
def api(settings_for):
    app = create_app(settings_for(), environ={})
    yield app
    app.extensions["consent.store"].close()


def post(client, body, headers=None):
    return client.post("/api/v1/consents", json=body, headers={"Origin": SITE, **(headers or {})})


def stored(app) -> int:
    return app.extensions["consent.store"].count_receipts()


@pytest.mark.parametrize("how", ["body", "header", "quoted header"])
def test_a_repeated_post_answers_the_first_receipt(api, how):
    client = api.test_client()
    body, headers = dict(BODY, consent_id="ab" * 16), {}
    if how == "body":
        body["idempotency_key"] = "queue-entry-0.8412"
    else:
        headers["Idempotency-Key"] = '"queue-entry-0.8412"' if how == "quoted header" \
            else "queue-entry-0.8412"
    first = post(client, body, headers)
    again = post(client, body, headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()            # same ids, time and signature
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert stored(api) == 1
    report = client.get("/api/v1/stats?group=region", headers=bearer("stats")).get_json()
    assert report["totals"]["answered"] == 1


def test_without_a_key_a_repeat_is_a_second_receipt(api):
    client = api.test_client()
    post(client, dict(BODY, consent_id="ab" * 16))
    post(client, dict(BODY, consent_id="ab" * 16))
    assert stored(api) == 2


def test_the_same_key_for_another_choice_is_422(api):
    client = api.test_client()
    assert post(client, dict(BODY, idempotency_key="k1")).status_code == 201
    other = dict(BODY, idempotency_key="k1", method="reject_all",
                 choices={"analytics": False, "personalization": False, "marketing": False})
    error = assert_error_shape(post(client, other), 422)
    assert "idempotency_key" in error["fields"]
    assert stored(api) == 1


@pytest.mark.parametrize("body_key, header, field", [
    ("k1", "k2", "Idempotency-Key"),
    (None, "has space", "Idempotency-Key"),
    (None, "x" * 256, "Idempotency-Key"),
    ("", None, "idempotency_key"),
    ("caf\u00e9", None, "idempotency_key"),
])
def test_malformed_or_disagreeing_keys_are_422(api, body_key, header, field):
    body = dict(BODY) if body_key is None else dict(BODY, idempotency_key=body_key)
    headers = {"Idempotency-Key": header} if header is not None else {}
    error = assert_error_shape(post(api.test_client(), body, headers), 422)
    assert field in error["fields"]
    assert stored(api) == 0


def test_a_late_copy_after_an_erasure_does_not_bring_the_record_back(api):
    client = api.test_client()
    body = dict(BODY, consent_id="cd" * 16, idempotency_key="k-late")
    created = post(client, body)
    assert client.delete(created.headers["Location"], headers={"Origin": SITE}).status_code == 200
    late = post(client, body)
    assert_error_shape(late, 410)
    assert client.get(created.headers["Location"]).get_json()["erased"] is True
    assert stored(api) == 1
