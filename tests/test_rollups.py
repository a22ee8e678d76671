"""The daily roll-ups always equal a from-scratch count over the receipts.

From scratch: for every visitor and UTC day, the visitor's latest receipt of
that day (chain order) is one answer, counted under its own site, region,
revision, method and GPC flag, and grants the categories it grants.
"""

import json
import tempfile
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent.ledger import receipts
from consent.policy.methods import METHODS
from consent.storage import sealing
from consent.storage.sqlite.store import SqliteStore as Store

from .reporting import OPTIONAL_CATEGORIES

START = datetime(2026, 3, 1, tzinfo=timezone.utc)
SNAPSHOT = {"region": "eea", "lang": "en", "revision": 1}
CONSENT_IDS = [f"{i:032x}" for i in range(1, 7)]


@st.composite
def events(draw):
    method = draw(st.sampled_from(METHODS))
    if method in ("accept_all", "notice"):
        choices = dict.fromkeys(OPTIONAL_CATEGORIES, True)
    elif method in ("reject_all", "withdraw"):
        choices = dict.fromkeys(OPTIONAL_CATEGORIES, False)
    else:
        choices = {c: draw(st.booleans()) for c in OPTIONAL_CATEGORIES}
    return {
        "consent_id": draw(st.sampled_from(CONSENT_IDS)),
        "method": method,
        "choices": choices,
        "gpc": method == "gpc" or draw(st.booleans()),
        "region": draw(st.sampled_from(("eea", "uk", "us-opt-out"))),
        "site": draw(st.sampled_from(("shop.example", "shop.example.de", ""))),
        "revision": draw(st.integers(1, 2)),
        # days in any order: a backdated import or a clock step must not double count
        "at": START + timedelta(days=draw(st.integers(0, 3)), minutes=draw(st.integers(0, 1439))),
        "bulk": draw(st.booleans()),
    }


def draft(event):
    return {"receipt_id": receipts.new_consent_id(), "consent_id": event["consent_id"],
            "site": event["site"], "region": event["region"], "country": None,
            "subdivision": None, "model": "opt-in", "revision": event["revision"],
            "config_hash": "c" * 64, "method": event["method"], "choices": event["choices"],
            "gpc": event["gpc"], "lang": "en", "page": None, "ip_prefix": None,
            "user_agent": "Other/Other"}


def record(store, workload):
    """Single receipts and bulk batches, mixed as they come."""
    batch = []
    for event in workload:
        if event["bulk"]:
            batch.append((draft(event), SNAPSHOT, event["at"]))
            continue
        if batch:
            store.record_receipts(batch)
            batch = []
        store.record_receipt(draft(event), SNAPSHOT, now=event["at"])
    if batch:
        store.record_receipts(batch)


def from_scratch(store):
    latest = {}
    for row in store.db.query("SELECT * FROM receipts ORDER BY seq"):
        latest[(row["consent_id"], row["recorded_at"][:10])] = row
    answers, grants = Counter(), Counter()
    for (_, day), row in latest.items():
        dims = (day, row["site"], row["region"], row["revision"], row["method"], row["gpc"])
        answers[dims] += 1
        for category, granted in json.loads(row["choices"]).items():
            grants[(*dims, category)] += granted
    return +answers, +grants       # unary + drops zero counts


def rollups(store):
    answers = Counter({tuple(r[:6]): r[6] for r in store.db.execute(
        "SELECT day, site, region, revision, method, gpc, answers FROM daily_answers")})
    grants = Counter({tuple(r[:7]): r[7] for r in store.db.execute(
        "SELECT day, site, region, revision, method, gpc, category, granted FROM daily_grants")})
    assert all(n >= 0 for n in answers.values()), "a roll-up went negative"
    return +answers, +grants


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events(), min_size=1, max_size=30))
def test_rollups_equal_a_count_from_scratch(workload):
    with tempfile.TemporaryDirectory() as directory:
        store = Store(Path(directory) / "consent.db")
        store.migrate()
        record(store, workload)
        assert rollups(store) == from_scratch(store)
        store.close()


def test_a_same_day_change_of_mind_is_one_answer_and_a_next_day_one_is_two(tmp_path):
    store = Store(tmp_path / "consent.db")
    store.migrate()
    base = {"consent_id": CONSENT_IDS[0], "gpc": False, "region": "eea", "site": "shop.example",
            "revision": 1, "bulk": False}
    yes = {**base, "method": "accept_all", "choices": dict.fromkeys(OPTIONAL_CATEGORIES, True)}
    no = {**base, "method": "withdraw", "choices": dict.fromkeys(OPTIONAL_CATEGORIES, False)}
    record(store, [{**yes, "at": START}, {**no, "at": START + timedelta(hours=3)},
                   {**yes, "at": START + timedelta(days=1)}])
    answers, grants = rollups(store)
    assert answers == Counter({("2026-03-01", "shop.example", "eea", 1, "withdraw", 0): 1,
                               ("2026-03-02", "shop.example", "eea", 1, "accept_all", 0): 1})
    assert sum(grants.values()) == 3      # only the second day's acceptance grants anything


def test_bulk_receipts_chain_like_single_ones(tmp_path):
    store = Store(tmp_path / "consent.db")
    store.migrate()
    event = {"consent_id": CONSENT_IDS[0], "method": "reject_all", "gpc": False, "region": "eea",
             "site": "shop.example", "revision": 1,
             "choices": dict.fromkeys(OPTIONAL_CATEGORIES, False)}
    first = store.record_receipt(draft(event), SNAPSHOT)
    assert store.record_receipts([(draft(event), SNAPSHOT, START + timedelta(days=i))
                                  for i in range(3)]) == 3
    rows = list(store.db.query("SELECT * FROM receipts ORDER BY seq"))
    assert rows[0]["hash"] == first["hash"]
    for previous, row in zip(rows, rows[1:]):
        assert row["prev_hash"] == previous["hash"]
        assert row["hash"] == sealing.link_hash(row["prev_hash"], row["receipt_id"],
                                                 row["recorded_at"], row["payload_hash"])
    assert [r["recorded_at"][:10] for r in rows[1:]] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert store.db.execute("SELECT count(*) FROM config_snapshots").fetchone()[0] == 1


def test_a_failing_batch_stores_none_of_it(tmp_path):
    store = Store(tmp_path / "consent.db")
    store.migrate()
    event = {"consent_id": CONSENT_IDS[0], "method": "reject_all", "gpc": False, "region": "eea",
             "site": "shop.example", "revision": 1,
             "choices": dict.fromkeys(OPTIONAL_CATEGORIES, False)}
    broken = draft(event)
    del broken["choices"]               # fails half-way through the batch
    try:
        store.record_receipts([(draft(event), SNAPSHOT, START), (broken, SNAPSHOT, START)])
    except KeyError:
        pass
    else:
        raise AssertionError("the broken draft was accepted")
    assert store.count_receipts() == 0
    assert store.db.execute("SELECT count(*) FROM daily_answers").fetchone()[0] == 0
