"""Erasure and same-day counting, on both engines.

The roll-ups count each visitor's latest answer once a day. A visitor who
erased their record and chose again the same day was counted twice: the new
answer (under a new consent_id) cannot be linked to the erased one. Now the
erasure takes the visitor's answer of its own day out of that day's roll-ups;
a new answer then counts once. Earlier days keep their counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from consent import create_app
from consent.ledger import erasure
from consent.ledger.keys import KeyRing
from consent.storage import sealing

from .conftest import SECRET_KEY, SITE
from .reporting import bearer
from .test_storage_contract import NONE, SNAPSHOT, answers, draft, grants, make_store, sql

KEYS = KeyRing(SECRET_KEY)
CUSTOM = {"analytics": True, "personalization": False, "marketing": True}


@pytest.fixture
def database(any_database):
    return any_database


@pytest.fixture
def store(database):
    store = make_store(database)
    yield store
    store.close()


def erase(store, consent_id: str) -> int:
    return erasure.erase_visitor(store, KEYS, consent_id)["receipts"]


def day_totals(store, day: str) -> tuple[int, dict]:
    rows = sql(store, f"SELECT method, sum(answers) FROM daily_answers WHERE day = '{day}'"
                      " GROUP BY method")
    methods = {method: n for method, n in rows if n}
    return sum(methods.values()), methods


def test_erase_and_choose_again_the_same_day_counts_once(store):
    store.record_receipt(draft("a" * 32, "custom", CUSTOM), SNAPSHOT)
    assert erase(store, "a" * 32) == 1
    store.record_receipt(draft("b" * 32, "reject_all", NONE), SNAPSHOT)   # the new record
    today = sealing.utc_timestamp()[:10]
    assert day_totals(store, today) == (1, {"reject_all": 1})
    assert {c: n for c, n in grants(store).items() if n} == {}


def test_an_erasure_leaves_earlier_days_alone(store):
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    store.record_receipt(draft("a" * 32), SNAPSHOT, now=yesterday)
    store.record_receipt(draft("a" * 32, "custom", CUSTOM), SNAPSHOT)
    erase(store, "a" * 32)
    assert day_totals(store, yesterday.date().isoformat()) == (1, {"accept_all": 1})
    assert day_totals(store, sealing.utc_timestamp()[:10]) == (0, {})
    assert grants(store)["analytics"] == 1 and grants(store)["personalization"] == 1


def test_only_the_latest_answer_of_the_day_was_counted_and_only_it_goes(store):
    store.record_receipt(draft("a" * 32), SNAPSHOT)                       # replaced the same day
    store.record_receipt(draft("a" * 32, "custom", CUSTOM), SNAPSHOT)
    assert {m: n for m, n in answers(store).items() if n} == {"custom": 1}
    erase(store, "a" * 32)
    assert {m: n for m, n in answers(store).items() if n} == {}


def test_the_same_id_answering_again_after_its_erasure_counts_once(store):
    store.record_receipt(draft("a" * 32), SNAPSHOT)
    erase(store, "a" * 32)
    store.record_receipt(draft("a" * 32, "custom", CUSTOM), SNAPSHOT)
    assert {m: n for m, n in answers(store).items() if n} == {"custom": 1}
    erase(store, "a" * 32)          # and again: that answer goes too, nothing below zero
    assert {m: n for m, n in answers(store).items() if n} == {}
    erase(store, "a" * 32)          # a repeated request erases nothing and takes nothing away
    assert all(n >= 0 for n in answers(store).values())
    assert sum(answers(store).values()) == 0


def test_through_the_api_the_dashboard_sees_one_answer(settings_for):
    app = create_app(settings_for(), environ={})
    client = app.test_client()
    body = {"revision": 1, "method": "accept_all", "page": f"{SITE}/",
            "choices": {"analytics": True, "personalization": True, "marketing": True}}
    first = client.post("/api/v1/consents", json=body, headers={"Origin": SITE})
    assert client.delete(first.headers["Location"], headers={"Origin": SITE}).status_code == 200
    client.post("/api/v1/consents", json=dict(body, method="reject_all", choices={
        "analytics": False, "personalization": False, "marketing": False}),
        headers={"Origin": SITE})
    totals = client.get("/api/v1/stats", headers=bearer("stats")).get_json()["totals"]
    assert (totals["answered"], totals["accept_all"], totals["reject_all"]) == (1, 0, 1)
    assert totals["opt_in_rate"]["analytics"] == 0.0
    app.extensions["consent.store"].close()
